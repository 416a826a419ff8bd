//! What the page's buttons do, and how worker events land in the state. The only place
//! that sends requests to the worker or the relay, or writes the spec cache.

use crate::protocol::{BATCH, Event, GenerateRequest, Request};
use crate::services::{cache, download, relay, worker_bridge};
use crate::state::{AppState, Batch, Card, Mode, Output, Phase, Relay, Report, Review};
use leptos::prelude::*;
use shared::contract::{
    BatchManifest, FileStatus, ManifestError, ManifestFile, Provenance, SpecSource, Strictness,
};
use shared::export::OutputFormat;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

/// The demo datasets: (file stem, label). Their specs are `demo/STEM.spec.json`.
pub const DEMOS: [(&str, &str); 4] = [
    ("sales_data", "Sales Data"),
    ("customer_records", "Customer Records"),
    ("medical_records", "Medical Records (with PHI)"),
    ("financial_transactions", "Financial Transactions"),
];

/// Starts the worker, asks the relay what it can do, and reads the spec cache.
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
                token_required: h.token_required,
            },
            Err(e) => Relay::Down(e),
        };
        state.relay.set(relay);
    });
    leptos::task::spawn_local(refresh_cache(state));
}

fn new_card(state: AppState, name: String, size: u64) -> Card {
    let id = state.next_id.get_value();
    state.next_id.set_value(id + 1);
    let card = Card::new(id, name, size, state.defaults.fork());
    state.cards.update(|c| c.push(card));
    card
}

/// Adds dropped or chosen files: a card each, read in the worker at once.
pub fn add_files(state: AppState, files: web_sys::FileList) {
    for i in 0..files.length() {
        let Some(file) = files.get(i) else { continue };
        let card = new_card(state, file.name(), file.size() as u64);
        worker_bridge::add_file(card.id, file);
        worker_bridge::send(Request::Inspect {
            id: card.id,
            sheet: None,
        });
    }
}

/// Adds a demo file: its spec is fetched from the page's own folder and the worker makes
/// the rows.
pub fn add_demo(state: AppState, stem: &'static str) {
    let card = new_card(state, format!("{stem}.csv"), 0);
    leptos::task::spawn_local(async move {
        match relay::static_text(&format!("demo/{stem}.spec.json")).await {
            Ok(spec) => worker_bridge::send(Request::Demo {
                id: card.id,
                name: format!("{stem}.csv"),
                spec,
            }),
            Err(e) => {
                card.error
                    .set(Some(format!("the demo's spec could not be loaded: {e}")));
                card.phase.set(Phase::Unreadable);
            }
        }
    });
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
        out.urls().iter().for_each(|u| download::revoke(u));
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

/// Generates with the card's settings: a cached spec when there is one, else the
/// template here or (after the user approves the payload) the LLM through the relay.
pub fn generate(state: AppState, card: Card) {
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
    card.cache_note.set(None);
    card.review.set(None);
    // The form's slider and select only offer valid values; a wrong one is still a
    // message, never a panic.
    let strictness = match Strictness::new(f64::from(settings.strictness.get_untracked()) / 100.0) {
        Ok(s) => s,
        Err(e) => return card.error.set(Some(e.to_string())),
    };
    let Some(format) = OutputFormat::from_extension(&settings.format.get_untracked()) else {
        return card.error.set(Some(format!(
            "unknown output format {:?}",
            settings.format.get_untracked()
        )));
    };
    let template = Provenance::new(SpecSource::Template);
    let mut request = GenerateRequest {
        id: card.id,
        sheet: info.sheet.clone(),
        rows,
        strictness,
        seed: settings.seed.get_untracked(),
        format,
        spec: None,
        spec_source: template,
    };
    let use_cache = settings.use_cache.get_untracked() && !card.bypass_cache.get_value();
    let mode = settings.mode.get_untracked();
    card.phase.set(Phase::Looking);
    leptos::task::spawn_local(async move {
        let safe = card.safe.get_value();
        let hit = match &safe {
            Some(safe) if use_cache => look_up(state, safe, request.strictness).await,
            _ => None,
        };
        if let (Some(hit), Some(safe)) = (hit, &safe) {
            // The cached spec, sized for this file.
            let mut spec = hit.entry.cached.spec.clone();
            spec.default_rows = safe.row_count;
            request.spec = Some(spec);
            request.spec_source = Provenance {
                reused: true,
                ..hit.entry.provenance()
            };
            card.cache_note.set(Some(cache_note(&hit)));
            card.cache_as.set_value(None);
            let mut entry = hit.entry;
            entry.hits += 1;
            entry.used_ms = js_sys::Date::now();
            send_generate(card, request);
            return store(state, entry).await;
        }
        if mode == Mode::Template {
            card.bypass_cache.set_value(false);
            card.cache_as.set_value(use_cache.then_some(template));
            return send_generate(card, request);
        }
        if !card.llm_approved.get_untracked() {
            // The bypass, if asked for, waits for the approval.
            card.phase.set(Phase::Ready);
            card.approval_open.set(true);
            return;
        }
        card.bypass_cache.set_value(false);
        card.phase.set(Phase::Asking);
        match relay::spec(&info.safe_profile, request.strictness, rows, use_cache).await {
            Ok(answer) if answer.source.is_llm() => {
                let source = Provenance::new(answer.source);
                request.spec_source = source;
                card.cache_as.set_value(use_cache.then_some(source));
                let text = serde_json::to_string_pretty(&answer.spec).unwrap_or_default();
                card.review.set(Some(Review {
                    text: RwSignal::new(text.clone()),
                    original: StoredValue::new(text),
                    request: StoredValue::new(request),
                }));
                card.phase.set(Phase::Reviewing);
            }
            Ok(answer) => {
                // The relay fell back to its template: say why, and make the spec here.
                card.notice.set(Some(format!(
                    "LLM mode fell back to the template: {}",
                    answer.reason
                )));
                card.cache_as.set_value(None);
                send_generate(card, request);
            }
            Err(e) => {
                card.notice.set(Some(format!(
                    "LLM mode failed, so this page's template wrote the spec: {e}"
                )));
                card.cache_as.set_value(None);
                send_generate(card, request);
            }
        }
    });
}

async fn look_up(
    state: AppState,
    safe: &shared::SafeProfile,
    strictness: Strictness,
) -> Option<cache::Hit> {
    match cache::all().await {
        Ok(entries) => cache::find(entries, safe, strictness),
        Err(e) => {
            state.cache_message.set(Some(e));
            None
        }
    }
}

fn cache_note(hit: &cache::Hit) -> String {
    let when = crate::state::local_time(hit.entry.created_ms);
    let kind = match hit.kind {
        shared::fingerprint::Match::Exact => "same statistics",
        shared::fingerprint::Match::Similar => "same structure, similar statistics",
    };
    format!(
        "Reused spec from {when}, similarity {:.2} ({kind}; written by {}).",
        hit.similarity,
        hit.entry.provenance()
    )
}

/// Generates again without the spec cache.
pub fn bypass_cache(state: AppState, card: Card) {
    card.bypass_cache.set_value(true);
    generate(state, card);
}

/// Problems with a spec as the user edits it: the compiler's messages, one per line.
pub fn check_spec(text: &str) -> Vec<String> {
    let spec = match shared::spec::Spec::from_json(text) {
        Ok(spec) => spec,
        Err(e) => return vec![e.to_string()],
    };
    match shared::plan::compile(&spec) {
        Ok(_) => Vec::new(),
        Err(problems) => problems
            .0
            .iter()
            .map(|p| {
                format!(
                    "{}: {} (expected {}; {})",
                    p.path, p.message, p.expected, p.hint
                )
            })
            .collect(),
    }
}

/// Generates with the reviewed (maybe edited) spec.
pub fn accept_review(card: Card) {
    let Some(review) = card.review.get_untracked() else {
        return;
    };
    let text = review.text.get_untracked();
    if !check_spec(&text).is_empty() {
        return;
    }
    let Ok(spec) = shared::spec::Spec::from_json(&text) else {
        return;
    };
    let mut request = review.request.get_value();
    if text != review.original.get_value() {
        request.spec_source.edited = true;
        card.cache_as
            .update_value(|c| *c = c.take().map(|_| request.spec_source));
    }
    request.spec = Some(spec);
    card.review.set(None);
    send_generate(card, request);
}

/// Drops the relay's spec without generating.
pub fn discard_review(card: Card) {
    card.review.set(None);
    card.cache_as.set_value(None);
    card.phase.set(Phase::Ready);
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
pub fn approve(state: AppState, card: Card) {
    card.llm_approved.set(true);
    card.approval_open.set(false);
    generate(state, card);
}

/// Stops a generation.
pub fn cancel(card: Card) {
    worker_bridge::send(Request::Cancel { id: card.id });
}

/// Generates every file that is ready.
pub fn generate_all(state: AppState) {
    for card in state.cards.get_untracked() {
        if card.phase.get_untracked() == Phase::Ready {
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
    let mut names = Vec::new();
    let blobs = js_sys::Array::new();
    let mut listed = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for card in &cards {
        let source = card.name.get_value();
        let entry = match (card.output.get_untracked(), card.error.get_untracked()) {
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

fn on_batch_event(state: AppState, event: Event, attachment: JsValue) {
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
    state.batch.set(batch);
}

fn on_event(state: AppState, event: Event, attachment: JsValue) {
    if event.file() == Some(BATCH) {
        return on_batch_event(state, event, attachment);
    }
    let Some(card) = event.file().and_then(|id| state.card(id)) else {
        return; // the worker's own events (the bridge handles them), or a removed file
    };
    match event {
        Event::Progress {
            stage, done, total, ..
        } => card.phase.set(Phase::Generating { stage, done, total }),
        Event::DemoMade { id } => {
            if let Ok(file) = attachment.dyn_into::<web_sys::File>() {
                card.size.set(file.size() as u64);
                worker_bridge::add_file(id, file);
            }
        }
        Event::Inspected { info, .. } => {
            if let Some(url) = card.metadata_url.get_untracked() {
                download::revoke(&url);
                card.metadata_url.set(None);
            }
            card.metadata_open.set(false);
            card.safe
                .set_value(serde_json::from_str(&info.safe_profile).ok().map(Arc::new));
            card.info.set(Some(Arc::from(info)));
            card.phase.set(Phase::Ready);
        }
        Event::Generated { result, .. } => {
            let made = attachment
                .dyn_into::<web_sys::Blob>()
                .map_err(|_| "the worker sent no file".to_string())
                .and_then(|blob| download::blob_url(&blob).map(|url| (blob, url)));
            match made {
                Ok((blob, url)) => {
                    if let Some(old) = card.output.get_untracked() {
                        old.urls().iter().for_each(|u| download::revoke(u));
                    }
                    // In its own task: the UI thread draws the result first.
                    let generated = result.clone();
                    set_timeout(
                        move || remember_spec(state, card, &generated),
                        std::time::Duration::ZERO,
                    );
                    let rows = result.rows;
                    card.output.set(Some(Arc::new(Output {
                        result: *result,
                        blob,
                        url,
                        report: None,
                    })));
                    card.phase.set(Phase::Generating {
                        stage: "scoring".into(),
                        done: rows,
                        total: rows,
                    });
                }
                Err(e) => {
                    card.error.set(Some(e));
                    card.phase.set(Phase::Ready);
                }
            }
        }
        Event::Scored { scored, .. } => {
            if let (Some(out), Some(scored)) = (card.output.get_untracked(), scored) {
                let files = js_sys::Array::from(&attachment);
                let url = |i: u32| {
                    files
                        .get(i)
                        .dyn_into::<web_sys::Blob>()
                        .ok()
                        .and_then(|b| download::blob_url(&b).ok())
                };
                let report = url(0).zip(url(1)).map(|(json_url, html_url)| Report {
                    scored: *scored,
                    json_url,
                    html_url,
                });
                card.output.set(Some(Arc::new(Output {
                    report,
                    ..(*out).clone()
                })));
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
        Event::Ready | Event::Crashed { .. } | Event::Bundled { .. } => {}
    }
}

/// Caches the spec a generation used, when it was not the cache's already.
fn remember_spec(state: AppState, card: Card, result: &crate::protocol::Generated) {
    let Some(source) = card.cache_as.get_value() else {
        return;
    };
    card.cache_as.set_value(None);
    let Some(safe) = card.safe.get_value() else {
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
async fn store(state: AppState, mut entry: cache::Entry) {
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
