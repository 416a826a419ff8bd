//! What the page's buttons do, and how worker events land in the state. The only place
//! that sends requests to the worker or the relay.

use crate::protocol::{Event, GenerateRequest, Request};
use crate::services::{download, relay, worker_bridge};
use crate::state::{AppState, Card, Mode, Output, Phase, Relay};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

/// Starts the worker and asks the relay what it can do.
pub fn start(state: AppState) {
    let listener = std::rc::Rc::new(move |event, attachment| on_event(state, event, attachment));
    if let Err(e) = worker_bridge::start(listener) {
        state.relay.set(Relay::Down(e));
    }
    leptos::task::spawn_local(async move {
        let relay = match relay::health().await {
            Ok(h) => Relay::Up {
                llm: h.llm_configured,
                message: h.message,
            },
            Err(e) => Relay::Down(e),
        };
        state.relay.set(relay);
    });
}

/// Adds dropped or chosen files: a card each, read in the worker at once.
pub fn add_files(state: AppState, files: web_sys::FileList) {
    for i in 0..files.length() {
        let Some(file) = files.get(i) else { continue };
        let id = state.next_id.get_value();
        state.next_id.set_value(id + 1);
        let card = Card::new(id, file.name(), file.size() as u64, state.defaults.fork());
        worker_bridge::add_file(id, file);
        state.cards.update(|c| c.push(card));
        worker_bridge::send(Request::Inspect { id, sheet: None });
    }
}

/// Reads the file again with another sheet.
pub fn choose_sheet(card: Card, sheet: String) {
    card.phase.set(Phase::Reading);
    card.error.set(None);
    card.llm_approved.set(false);
    worker_bridge::send(Request::Inspect {
        id: card.id,
        sheet: Some(sheet),
    });
}

/// Removes a file from the page (and from the worker).
pub fn remove(state: AppState, card: Card) {
    worker_bridge::send(Request::Forget { id: card.id });
    if let Some(out) = card.output.get_untracked() {
        download::revoke(&out.url);
    }
    if let Some(url) = card.metadata_url.get_untracked() {
        download::revoke(&url);
    }
    state.cards.update(|c| c.retain(|c| c.id != card.id));
}

/// Shows the SafeProfile and prepares its download.
pub fn toggle_metadata(card: Card) {
    let open = !card.metadata_open.get_untracked();
    card.metadata_open.set(open);
    if open
        && card.metadata_url.get_untracked().is_none()
        && let Some(info) = card.info.get_untracked()
    {
        match download::text_url(&info.safe_profile, "application/json") {
            Ok(url) => card.metadata_url.set(Some(url)),
            Err(e) => card
                .error
                .set(Some(format!("cannot prepare the download: {e}"))),
        }
    }
}

/// Generates with the card's settings. In LLM mode the first send waits for the user to
/// approve the payload.
pub fn generate(card: Card) {
    let Some(info) = card.info.get_untracked() else {
        return;
    };
    let settings = card.settings;
    let rows = match settings.rows_wanted() {
        Ok(r) => r,
        Err(e) => {
            card.error.set(Some(e));
            return;
        }
    };
    card.error.set(None);
    card.notice.set(None);
    let mut request = GenerateRequest {
        id: card.id,
        sheet: info.sheet.clone(),
        rows,
        strictness: f64::from(settings.strictness.get_untracked()) / 100.0,
        seed: settings.seed.get_untracked(),
        format: settings.format.get_untracked(),
        spec: None,
        spec_source: "template (built in this page)".into(),
    };
    if settings.mode.get_untracked() == Mode::Template {
        return send_generate(card, request);
    }
    if !card.llm_approved.get_untracked() {
        card.approval_open.set(true);
        return;
    }
    card.phase.set(Phase::Asking);
    leptos::task::spawn_local(async move {
        match relay::spec(&info.safe_profile, request.strictness, rows).await {
            Ok(answer) => {
                request.spec = Some(answer.spec.to_string());
                request.spec_source = match answer.source.as_str() {
                    "llm" | "llm_repaired" => "LLM (Azure OpenAI, through the relay)".into(),
                    "cache" => "LLM (a spec the relay had cached)".into(),
                    _ => format!("template (the relay's: {})", answer.reason),
                };
            }
            Err(e) => {
                card.notice.set(Some(format!(
                    "LLM mode failed, so this page's template wrote the spec: {e}"
                )));
            }
        }
        send_generate(card, request);
    });
}

fn send_generate(card: Card, request: GenerateRequest) {
    card.phase.set(Phase::Generating {
        stage: "starting".into(),
        done: 0,
        total: request.rows.unwrap_or(0),
    });
    worker_bridge::send(Request::Generate(request));
}

/// The user approved sending this file's SafeProfile.
pub fn approve(card: Card) {
    card.llm_approved.set(true);
    card.approval_open.set(false);
    generate(card);
}

/// Stops a generation.
pub fn cancel(card: Card) {
    worker_bridge::send(Request::Cancel { id: card.id });
}

/// Generates every file that is ready.
pub fn generate_all(state: AppState) {
    for card in state.cards.get_untracked() {
        if card.phase.get_untracked() == Phase::Ready {
            generate(card);
        }
    }
}

/// Gives every file the default settings.
pub fn apply_defaults_to_all(state: AppState) {
    for card in state.cards.get_untracked() {
        card.settings.copy_from(&state.defaults);
    }
}

fn on_event(state: AppState, event: Event, attachment: JsValue) {
    let Some(card) = event.file().and_then(|id| state.card(id)) else {
        return; // the worker's own events (the bridge handles them), or a removed file
    };
    match event {
        Event::Progress {
            stage, done, total, ..
        } => card.phase.set(Phase::Generating { stage, done, total }),
        Event::Inspected { info, .. } => {
            if let Some(url) = card.metadata_url.get_untracked() {
                download::revoke(&url);
                card.metadata_url.set(None);
            }
            card.metadata_open.set(false);
            card.info.set(Some(Arc::from(info)));
            card.phase.set(Phase::Ready);
        }
        Event::Generated { result, .. } => {
            let url = attachment
                .dyn_into::<web_sys::Blob>()
                .map_err(|_| "the worker sent no file".to_string())
                .and_then(|blob| download::blob_url(&blob));
            match url {
                Ok(url) => {
                    if let Some(old) = card.output.get_untracked() {
                        download::revoke(&old.url);
                    }
                    card.output.set(Some(Arc::new(Output {
                        result: *result,
                        url,
                    })));
                }
                Err(e) => card.error.set(Some(e)),
            }
            card.phase.set(Phase::Ready);
        }
        Event::Failed { message, .. } => {
            card.error.set(Some(message));
            let readable = card.info.get_untracked().is_some();
            card.phase.set(if readable {
                Phase::Ready
            } else {
                Phase::Unreadable
            });
        }
        Event::Cancelled { .. } => {
            card.notice.set(Some("Generation cancelled.".into()));
            card.phase.set(Phase::Ready);
        }
        Event::Ready | Event::Crashed { .. } => {}
    }
}
