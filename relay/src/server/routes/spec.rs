//! `POST /api/spec` (SafeProfile → spec) and `POST /api/embed` (SafeProfile → an
//! embedding for cache similarity). Both take the SafeProfile exactly as the page
//! showed it, check it, and re-apply the guard before anything else sees it.

use crate::server::AppState;
use crate::server::cache::Namespace;
use crate::server::error::{ApiError, ApiResult};
use crate::server::llm;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;
use shared::SafeProfile;
use shared::contract::Withheld;
use shared::contract::{SpecAnswer, SpecRequest, Strictness};
use std::sync::Arc;

/// Validates an incoming SafeProfile and re-applies the guard (the core's
/// [`shared::pipeline::reguard`]: this route never sees the reading side itself).
fn reguard(p: &SafeProfile) -> ApiResult<(SafeProfile, Vec<Withheld>)> {
    Ok(shared::pipeline::reguard(p)?)
}

/// `POST /api/spec`: SafeProfile → spec.
pub async fn spec(
    State(state): State<Arc<AppState>>,
    Extension(ns): Extension<Namespace>,
    body: Result<Json<SpecRequest>, JsonRejection>,
) -> ApiResult<Json<SpecAnswer>> {
    let Json(req) = body?;
    let strictness = req.strictness.unwrap_or(Strictness::DEFAULT);
    let locale = req.locale.clone().unwrap_or_else(|| "en".into());
    let (profile, rechecked) = reguard(&req.safe_profile()?)?;
    let mut answer = llm::spec_for(
        &state,
        &profile,
        strictness,
        &locale,
        req.use_cache.unwrap_or(true),
        &ns,
    )
    .await?;
    if let Some(rows) = req.rows {
        answer.spec.default_rows = rows.min(state.config.limits.max_rows);
    }
    if !locale.to_ascii_lowercase().starts_with("en") {
        answer.notes.push(format!(
            "locale {locale:?} is not available; made-up values are English"
        ));
    }
    answer.rechecked = rechecked;
    Ok(Json(answer))
}

/// Body of `POST /api/embed`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbedRequest {
    safe_profile: SafeProfile,
}

/// The textual signature of a SafeProfile: structure only (names, types, kinds), the
/// part two files of the same kind share.
fn signature(p: &SafeProfile) -> String {
    p.columns
        .iter()
        .map(|c| {
            format!(
                "{} ({:?}, {:?}{})",
                c.name,
                c.logical_type,
                c.kind,
                c.semantic_type
                    .map(|s| format!(", {s:?}"))
                    .unwrap_or_default()
            )
            .to_lowercase()
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `POST /api/embed`: an embedding of a SafeProfile's signature, for cache similarity.
pub async fn embed(
    State(state): State<Arc<AppState>>,
    body: Result<Json<EmbedRequest>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Json(req) = body?;
    let (profile, _) = reguard(&req.safe_profile)?;
    let unavailable = |why: &str| {
        ApiError::bad_request("unavailable", format!("embeddings unavailable: {why}"))
            .with_status(StatusCode::SERVICE_UNAVAILABLE)
            .with_hint("the page falls back to its own profile features for cache similarity")
    };
    let Some(azure) = state.azure.as_ref() else {
        return Err(unavailable("no Azure OpenAI credentials configured"));
    };
    if !azure.has_embeddings() {
        return Err(unavailable(
            "no AZURE_OPENAI_EMBEDDING_DEPLOYMENT_NAME configured",
        ));
    }
    let deadline = tokio::time::Instant::now() + state.config.limits.azure_deadline;
    let text = signature(&profile);
    match azure.embed(&text, deadline).await {
        Ok(v) => Ok(Json(json!({ "dimensions": v.len(), "embedding": v }))),
        Err(e) => {
            tracing::warn!(error = %e, "embedding failed");
            Err(unavailable("Azure OpenAI did not answer"))
        }
    }
}
