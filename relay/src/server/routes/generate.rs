//! `POST /generate`: one file → its synthetic file; several → a ZIP of them with the
//! core's [`BatchManifest`] (the same shape as the page's *Download all*).

use super::form::read_form;
use super::work::make;
use crate::server::AppState;
use crate::server::cache::Namespace;
use crate::server::error::{ApiError, ApiResult};
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::contract::{BatchManifest, FileStatus, ManifestError, ManifestFile};
use shared::export::OutputFormat;
use shared::pipeline::{batch_seed, fresh_seed};
use std::sync::Arc;

fn header_value(s: &str) -> HeaderValue {
    let ascii: String = s
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .collect();
    HeaderValue::from_str(&ascii).unwrap_or_else(|_| HeaderValue::from_static(""))
}

impl From<ApiError> for ManifestError {
    fn from(e: ApiError) -> Self {
        ManifestError {
            code: Some(e.code.to_string()),
            message: e.message,
            hint: e.hint,
        }
    }
}

/// `POST /generate`: one file → the synthetic file; several → a ZIP with a manifest.
pub async fn generate(
    State(state): State<Arc<AppState>>,
    Extension(ns): Extension<Namespace>,
    mp: Multipart,
) -> ApiResult<Response> {
    let mut form = read_form(mp, &state).await?;
    let seed = match form.seed {
        Some(seed) => seed,
        None => fresh_seed()?,
    };
    let files = std::mem::take(&mut form.files);
    let format = form.output_format.unwrap_or(OutputFormat::Csv);
    let strictness = form.match_threshold;
    if files.len() == 1 {
        let (name, bytes) = files.into_iter().next().expect("one file");
        let made = make(&state, name, bytes, &form, seed, &ns).await?;
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        );
        h.insert(
            header::CONTENT_DISPOSITION,
            header_value(&format!("attachment; filename=\"{}\"", made.file_name)),
        );
        if let Some(f) = made.fidelity {
            h.insert("x-fidelity-score", header_value(&format!("{f:.4}")));
        }
        h.insert(
            "x-match-threshold",
            header_value(&format!("{}", strictness.get())),
        );
        h.insert(
            "x-spec-source",
            HeaderValue::from_static(made.source.as_str()),
        );
        h.insert("x-spec-reason", header_value(&made.reason));
        h.insert("x-seed", header_value(&seed.to_string()));
        h.insert("x-rows", header_value(&made.rows.to_string()));
        return Ok((StatusCode::OK, h, made.bytes).into_response());
    }
    // Several files: each in turn; a bad one is reported in the manifest, the others
    // still come back.
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut listed = Vec::new();
    for (i, (name, bytes)) in files.into_iter().enumerate() {
        let file_seed = batch_seed(seed, i);
        match make(&state, name.clone(), bytes, &form, file_seed, &ns).await {
            Ok(made) => {
                listed.push(ManifestFile {
                    output: Some(made.file_name.clone()),
                    rows: Some(made.rows),
                    bytes: Some(made.bytes.len() as u64),
                    format: Some(format),
                    strictness: Some(strictness),
                    seed: Some(file_seed),
                    spec_source: Some(made.source.as_str().to_string()),
                    spec_reason: Some(made.reason),
                    fidelity: made.fidelity,
                    ..ManifestFile::new(&name, FileStatus::Generated)
                });
                entries.push((made.file_name, made.bytes));
            }
            Err(e) if e.status.is_server_error() => return Err(e),
            Err(e) => listed.push(ManifestFile::failed(&name, e.into())),
        }
    }
    let manifest = BatchManifest::new("BYOD relay", None, listed);
    entries.push((
        "manifest.json".into(),
        serde_json::to_vec_pretty(&manifest).map_err(ApiError::internal)?,
    ));
    let zip = shared::export::zip(&entries)?;
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"synthetic_data.zip\""),
    );
    h.insert("x-seed", header_value(&seed.to_string()));
    Ok((StatusCode::OK, h, zip).into_response())
}
