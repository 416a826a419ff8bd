//! Every file at once: generate all, default settings for all, and the ZIP of every
//! output with its manifest.

use super::generation::generate;
use crate::protocol::{Event, Request};
use crate::services::{disk, download, worker_bridge};
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
/// why nothing was. The ZIP is written as it is made (to a file the user picks, or
/// streamed to the downloads) where the browser can and the setting for all files
/// asks for it; the save picker is asked now, in the press.
pub fn download_all(state: AppState) {
    let known: u64 = state
        .cards
        .get_untracked()
        .iter()
        .filter_map(|c| c.output.get_untracked())
        .filter(|o| !o.result.streamed)
        .map(|o| o.result.bytes)
        .sum();
    let as_made = state.defaults.output_to.get_untracked().to_file(0, known);
    let destination = as_made
        .then(|| disk::Destination::choose(ZIP_NAME, "application/zip"))
        .flatten();
    DESTINATION.set(destination);
    zip_when_ready(state);
}

/// The batch ZIP's name.
const ZIP_NAME: &str = "synthetic_batch.zip";

thread_local! {
    /// Where the ZIP asked for goes when it is written as made.
    static DESTINATION: std::cell::RefCell<Option<disk::Destination>> = const { std::cell::RefCell::new(None) };
}

/// The ZIP asked for, once no file is busy.
fn zip_when_ready(state: AppState) {
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
                // An output streamed to the downloads as it was made has no copy here:
                // the manifest lists it, without a name inside the ZIP.
                let output = (!r.streamed).then(|| {
                    // Two inputs may share a name: number the later outputs.
                    let mut name = r.file_name.clone();
                    let mut n = 2;
                    while !taken.insert(name.clone()) {
                        name = format!("{n}_{}", r.file_name);
                        n += 1;
                    }
                    names.push(name.clone());
                    blobs.push(&out.blob);
                    name
                });
                ManifestFile {
                    output,
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
    let request = Request::Bundle { names, manifest };
    let Some(destination) = DESTINATION.take() else {
        return worker_bridge::send_with(request, blobs.into());
    };
    leptos::task::spawn_local(async move {
        match destination.open().await {
            Ok(target) => worker_bridge::send_bundle(request, blobs.into(), target),
            Err(why) => state.batch.set(Batch::Failed(why)),
        }
    });
}

/// A file finished its work: a ZIP that waited for it is made once none is busy.
pub(super) fn on_file_done(state: AppState) {
    if matches!(state.batch.get_untracked(), Batch::Waiting { .. }) {
        zip_when_ready(state);
    }
}

pub(super) fn on_batch_event(state: AppState, event: Event, attachment: JsValue) {
    let mut saved = false;
    let batch = match event {
        Event::Bundled { bytes, as_made } => match attachment.dyn_into::<web_sys::Blob>() {
            Ok(blob) => match download::blob_url(&blob) {
                Ok(url) => {
                    let (outputs, failed) = match state.batch.get_untracked() {
                        Batch::Zipping { outputs, failed } => (outputs, failed),
                        _ => (0, 0),
                    };
                    saved = as_made;
                    Batch::Ready {
                        // A ZIP streamed to the downloads has no copy here to link to.
                        url: (blob.size() > 0.0).then_some(url),
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
    if let Batch::Ready { url: Some(url), .. } = state.batch.get_untracked() {
        download::revoke(&url);
    }
    // One press: the ZIP is saved as soon as it is made (unless it was written as
    // made); the link stays to save again.
    if let Batch::Ready { url: Some(url), .. } = &batch
        && !saved
        && let Err(e) = download::save(url, ZIP_NAME)
    {
        leptos::logging::warn!("the ZIP could not be saved by itself: {e}");
    }
    state.batch.set(batch);
}
