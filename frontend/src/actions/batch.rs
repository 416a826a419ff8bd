//! Every file at once: generate all, default settings for all, and the ZIP of every
//! output with its manifest.

use super::generation::generate;
use crate::protocol::{Event, Request};
use crate::services::{download, worker_bridge};
use crate::state::{AppState, Batch, Life, Step};
use leptos::prelude::*;
use shared::contract::{BatchManifest, FileStatus, ManifestError, ManifestFile};
use shared::export::OutputFormat;
use wasm_bindgen::{JsCast, JsValue};

/// Generates every file that is ready.
pub fn generate_all(state: AppState) {
    for card in state.cards.get_untracked() {
        let ready = card.life.with_untracked(|l| {
            matches!(
                l,
                Life::Read {
                    step: Step::Idle,
                    ..
                }
            )
        });
        if ready {
            generate(state, card);
        }
    }
}

/// Gives every file the default settings.
pub fn apply_defaults_to_all(state: AppState) {
    for card in state.cards.get_untracked() {
        card.settings.copy_from(&state.defaults);
    }
}

/// Zips every output with a manifest that lists each file: what was made from it, or
/// why nothing was.
pub fn download_all(state: AppState) {
    let cards = state.cards.get_untracked();
    let busy = cards
        .iter()
        .filter(|c| c.life.with_untracked(Life::busy))
        .count();
    if busy > 0 {
        // Asked again by `on_file_done` as each file finishes.
        state.batch.set(Batch::Waiting { busy });
        return;
    }
    let mut names = Vec::new();
    let blobs = js_sys::Array::new();
    let mut listed = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for card in &cards {
        let source = card.name.get_value();
        let entry = match (card.output.get_untracked(), card.problem()) {
            (Some(out), _) => {
                let r = &out.result;
                // Two inputs may share a name: number the later outputs.
                let mut name = r.file_name.clone();
                let mut n = 2;
                while !taken.insert(name.clone()) {
                    name = format!("{n}_{}", r.file_name);
                    n += 1;
                }
                names.push(name.clone());
                blobs.push(&out.blob);
                ManifestFile {
                    output: Some(name),
                    rows: Some(r.rows),
                    bytes: Some(r.bytes),
                    format: OutputFormat::from_extension(&card.settings.format.get_untracked()),
                    strictness: Some(r.strictness),
                    seed: Some(r.seed),
                    spec_source: Some(r.spec_source.to_string()),
                    fidelity: out
                        .report
                        .as_ref()
                        .and_then(|x| x.scored.report.fidelity.overall),
                    scored_rows: Some(r.scored_rows),
                    ..ManifestFile::new(&source, FileStatus::Generated)
                }
            }
            (None, Some(error)) => ManifestFile::failed(
                &source,
                ManifestError {
                    code: None,
                    message: error,
                    hint: None,
                },
            ),
            (None, None) => ManifestFile::new(&source, FileStatus::NotGenerated),
        };
        listed.push(entry);
    }
    let manifest = BatchManifest::new(
        "BYOD page",
        Some(String::from(js_sys::Date::new_0().to_iso_string())),
        listed,
    );
    let failed = manifest.failed;
    let manifest = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    state.batch.set(Batch::Zipping {
        outputs: names.len(),
        failed,
    });
    worker_bridge::send_with(Request::Bundle { names, manifest }, blobs.into());
}

/// A file finished its work: a ZIP that waited for it is made once none is busy.
pub(super) fn on_file_done(state: AppState) {
    if matches!(state.batch.get_untracked(), Batch::Waiting { .. }) {
        download_all(state);
    }
}

pub(super) fn on_batch_event(state: AppState, event: Event, attachment: JsValue) {
    let batch = match event {
        Event::Bundled { bytes } => match attachment.dyn_into::<web_sys::Blob>() {
            Ok(blob) => match download::blob_url(&blob) {
                Ok(url) => {
                    let (outputs, failed) = match state.batch.get_untracked() {
                        Batch::Zipping { outputs, failed } => (outputs, failed),
                        _ => (0, 0),
                    };
                    Batch::Ready {
                        url,
                        bytes,
                        outputs,
                        failed,
                    }
                }
                Err(e) => Batch::Failed(e),
            },
            Err(_) => Batch::Failed("the worker sent no ZIP".into()),
        },
        Event::Failed { message, .. } => Batch::Failed(message),
        _ => return,
    };
    if let Batch::Ready { url, .. } = state.batch.get_untracked() {
        download::revoke(&url);
    }
    // One press: the ZIP is saved as soon as it is made; the link stays to save again.
    if let Batch::Ready { url, .. } = &batch
        && let Err(e) = download::save(url, "synthetic_batch.zip")
    {
        leptos::logging::warn!("the ZIP could not be saved by itself: {e}");
    }
    state.batch.set(batch);
}
