//! `GET /health`: is the relay up, where do specs come from, how busy is it.

use crate::server::AppState;
use crate::server::config::NO_CREDENTIALS;
use axum::Json;
use axum::extract::State;
use shared::contract::{Health, Mode};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// `GET /health`.
pub async fn health(State(state): State<Arc<AppState>>) -> Json<Health> {
    let llm = state.azure.is_some();
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        environment: state.config.environment.clone(),
        mode: if llm { Mode::Llm } else { Mode::Template },
        llm_configured: llm,
        embeddings_configured: state.azure.as_ref().is_some_and(|a| a.has_embeddings()),
        message: if llm {
            "Azure OpenAI configured; specs are written by the LLM and validated".into()
        } else {
            NO_CREDENTIALS.into()
        },
        token_required: !state.config.relay_tokens.is_empty(),
        jobs: state.jobs.load(Ordering::Relaxed),
        cache_entries: state.cache.len(),
    })
}
