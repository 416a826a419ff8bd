//! `POST /metadata` (file → SafeProfile and what was withheld) and `POST /upload`
//! (the same, and by default the spec `/generate` would use).

use super::form::{Form, read_form};
use super::work::{Cancel, inspect};
use crate::server::AppState;
use crate::server::cache::Namespace;
use crate::server::error::{ApiError, ApiResult};
use crate::server::llm;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::{Extension, Json};
use serde_json::json;
use shared::pipeline::Inspected;
use std::sync::Arc;

fn one_file(form: &mut Form) -> ApiResult<(String, Bytes)> {
    if form.files.len() != 1 {
        return Err(ApiError::bad_request(
            "one_file",
            format!("{} files sent; this endpoint takes one", form.files.len()),
        )
        .with_hint("use /generate for several files (it answers with a ZIP)"));
    }
    Ok(form.files.remove(0))
}

/// What `/metadata` and `/upload` say of a file: its summary (as released), the
/// SafeProfile (what may leave) and what was withheld.
async fn described(state: &AppState, form: &mut Form) -> ApiResult<(Inspected, serde_json::Value)> {
    let (name, bytes) = one_file(form)?;
    let cancel = Cancel::default();
    let _stop = cancel.on_drop();
    let real = inspect(state, name.clone(), bytes, form.sample_size, cancel.clone()).await?;
    let out = json!({
        "file": name,
        "summary": {
            "format": real.table.format,
            "sheet": real.table.sheet,
            "rows": real.table.total_rows,
            "profiled_rows": real.profile.sampled_rows,
            "columns": real.released_summary(),
            "warnings": real.table.warnings,
        },
        "safe_profile": real.safe,
        "withheld": real.withheld,
    });
    Ok((real, out))
}

/// `POST /metadata`: file → SafeProfile and what was withheld.
pub async fn metadata(
    State(state): State<Arc<AppState>>,
    mp: Multipart,
) -> ApiResult<Json<serde_json::Value>> {
    let mut form = read_form(mp, &state).await?;
    Ok(Json(described(&state, &mut form).await?.1))
}

/// `POST /upload`: file → analysis; with `extract_metadata_only=false` (the default)
/// also the spec that `/generate` would use.
pub async fn upload(
    State(state): State<Arc<AppState>>,
    Extension(ns): Extension<Namespace>,
    mp: Multipart,
) -> ApiResult<Json<serde_json::Value>> {
    let mut form = read_form(mp, &state).await?;
    let metadata_only = form.extract_metadata_only.unwrap_or(false);
    let (real, mut out) = described(&state, &mut form).await?;
    out["extract_metadata_only"] = json!(metadata_only);
    if !metadata_only {
        let answer = llm::spec_for(
            &state,
            &real.safe,
            form.match_threshold,
            "en",
            form.use_cache.unwrap_or(true),
            &ns,
        )
        .await?;
        out["spec"] = serde_json::to_value(&answer.spec).map_err(ApiError::internal)?;
        out["spec_source"] = json!(answer.source);
        out["spec_reason"] = json!(answer.reason);
    }
    Ok(Json(out))
}
