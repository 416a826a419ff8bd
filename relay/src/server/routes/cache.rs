//! `DELETE /cache[?older_than_days=N]`: the caller's entries in the relay's spec cache.

use crate::server::AppState;
use crate::server::cache::Namespace;
use crate::server::error::{ApiError, ApiResult};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// Query of `DELETE /cache`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearQuery {
    older_than_days: Option<f64>,
}

/// `DELETE /cache[?older_than_days=N]`.
pub async fn clear_cache(
    State(state): State<Arc<AppState>>,
    Extension(ns): Extension<Namespace>,
    query: Result<Query<ClearQuery>, QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request("bad_parameter", e.body_text())
            .with_hint("DELETE /cache or DELETE /cache?older_than_days=7")
    })?;
    if q.older_than_days.is_some_and(|d| !d.is_finite() || d < 0.0) {
        return Err(ApiError::bad_request(
            "bad_parameter",
            "older_than_days must be a number ≥ 0",
        ));
    }
    let cache = state.clone();
    let removed = tokio::task::spawn_blocking(move || cache.cache.clear(q.older_than_days, &ns))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(Json(
        json!({ "removed": removed, "remaining": state.cache.len() }),
    ))
}
