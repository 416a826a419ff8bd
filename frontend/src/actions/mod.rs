//! What the page's buttons do, and how worker events land in the state: the only
//! place that sends requests to the worker or the relay, or writes the spec cache. One
//! module per concern.

mod batch;
mod events;
mod files;
mod generation;
mod spec_cache;

pub use batch::{apply_defaults_to_all, download_all, generate_all};
pub use events::now_ms;
pub use files::{DEMOS, add_demo, add_files, choose_sheet, remove, toggle_metadata};
pub use generation::{
    accept_review, approve, bypass_cache, cancel, check_spec, decline, discard_review,
    focus_generate, generate, stop_reading,
};
pub use spec_cache::{clear_cache, refresh_cache};

use events::on_event;

use crate::services::{disk, relay, worker_bridge};
use crate::state::{AppState, Relay};
use leptos::prelude::*;

/// Starts the worker and the download helper, asks the relay what it can do, and reads
/// the spec cache.
pub fn start(state: AppState) {
    disk::start();
    let listener = std::rc::Rc::new(move |event, attachment| on_event(state, event, attachment));
    if let Err(e) = worker_bridge::start(listener) {
        state.relay.set(Relay::Down(e));
    }
    leptos::task::spawn_local(async move {
        let relay = match relay::health().await {
            Ok(h) => Relay::Up {
                llm: h.llm_configured,
                message: h.message,
                token_required: h.token_required,
            },
            Err(e) => Relay::Down(e),
        };
        state.relay.set(relay);
    });
    leptos::task::spawn_local(refresh_cache(state));
}
