//! The spec cache panel and what a generation leaves in the cache.

use crate::services::cache;
use crate::state::{AppState, Card};
use leptos::prelude::*;
use shared::contract::Provenance;

/// Reads the cache's entries into the state.
pub async fn refresh_cache(state: AppState) {
    match cache::all().await {
        Ok(mut entries) => {
            entries.sort_by(|a, b| b.created_ms.total_cmp(&a.created_ms));
            state.cache.set(entries);
        }
        Err(e) => state.cache_message.set(Some(e)),
    }
}

/// Clears the cache, or only entries older than `days`.
pub fn clear_cache(state: AppState, older_than_days: Option<f64>) {
    leptos::task::spawn_local(async move {
        let message = match cache::clear(older_than_days).await {
            Ok(n) => format!(
                "Removed {n} entr{}{}.",
                if n == 1 { "y" } else { "ies" },
                older_than_days.map_or(String::new(), |d| format!(" older than {d} days"))
            ),
            Err(e) => e,
        };
        state.cache_message.set(Some(message));
        refresh_cache(state).await;
    });
}

/// Caches the spec a generation used, when it was not the cache's already.
pub(super) fn remember_spec(
    state: AppState,
    card: Card,
    cache_as: Option<Provenance>,
    result: &crate::protocol::Generated,
) {
    let Some(source) = cache_as else {
        return;
    };
    let Some(safe) = card
        .life
        .with_untracked(|l| l.file().and_then(|f| f.safe.clone()))
    else {
        return;
    };
    let entry = cache::Entry::new(
        (*safe).clone(),
        result.strictness,
        result.spec.clone(),
        source,
    );
    leptos::task::spawn_local(store(state, entry));
}

/// Writes an entry and puts it in the panel's list (without reading every entry back:
/// that is the costly part on the UI thread).
pub(super) async fn store(state: AppState, mut entry: cache::Entry) {
    if let Err(e) = cache::put(&entry).await {
        state.cache_message.set(Some(e));
        return;
    }
    entry.stored_bytes = entry.bytes();
    state.cache.update(|list| {
        list.retain(|e| e.key != entry.key);
        list.push(entry);
        list.sort_by(|a, b| b.created_ms.total_cmp(&a.created_ms));
    });
}
