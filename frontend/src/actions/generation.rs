//! Generating one file: the spec from the cache, the template or (after approval and
//! review) the LLM through the relay, then the worker makes the rows.

use super::spec_cache::store;
use crate::protocol::{GenerateRequest, Request};
use crate::services::{cache, disk, relay, worker_bridge};
use crate::state::{AppState, Card, MAX_ROWS, Mode, Note, Progress, Review, Step, estimated_bytes};
use leptos::prelude::*;
use shared::contract::{Provenance, SpecSource, Strictness};
use shared::export::OutputFormat;

/// Generates with the card's settings: a cached spec when there is one, else the
/// template here or (after the user approves the payload) the LLM through the relay.
pub fn generate(state: AppState, card: Card) {
    generate_with(state, card, false);
}

/// Generates again without the spec cache.
pub fn bypass_cache(state: AppState, card: Card) {
    generate_with(state, card, true);
}

fn generate_with(state: AppState, card: Card, bypass: bool) {
    // Generate stays focusable while busy (aria-disabled, so focus never falls to the
    // page's body); a press then does nothing.
    if card.busy_untracked() {
        return;
    }
    let Some(file) = card.life.with_untracked(|l| l.file().cloned()) else {
        return;
    };
    let settings = card.settings;
    let rows = match settings.rows_wanted() {
        Ok(r) => r,
        Err(e) => return card.say(Note::Error(e)),
    };
    if let Some(e) = settings.seed_error.get_untracked() {
        return card.say(Note::Error(e));
    }
    card.note.set(None);
    // The form's slider and select only offer valid values; a wrong one is still a
    // message, never a panic.
    let strictness = match Strictness::new(f64::from(settings.strictness.get_untracked()) / 100.0) {
        Ok(s) => s,
        Err(e) => return card.say(Note::Error(e.to_string())),
    };
    let Some(format) = OutputFormat::from_extension(&settings.format.get_untracked()) else {
        return card.say(Note::Error(format!(
            "unknown output format {:?}",
            settings.format.get_untracked()
        )));
    };
    // A large output goes to a file written as it is made: the picker is asked now,
    // in the press itself (it needs the user's gesture), and answered before sending.
    let text = matches!(
        format,
        OutputFormat::Csv | OutputFormat::Tsv | OutputFormat::Json | OutputFormat::Ndjson
    );
    let total = rows.unwrap_or(file.info.total_rows);
    let estimated = estimated_bytes(total, card.size.get_untracked(), file.info.total_rows);
    let to_file =
        text && disk::available() && settings.output_to.get_untracked().to_file(total, estimated);
    if !to_file && total > MAX_ROWS {
        return card.say(Note::Error(format!(
            "{total} rows is over this page's limit of {MAX_ROWS} for a download link; choose a file written as it is made, or use the command line"
        )));
    }
    let destination = to_file
        .then(|| {
            let name = shared::export::output_name(&card.name.get_value(), format);
            disk::Destination::choose(&name, format.content_type())
        })
        .flatten();
    DESTINATIONS.with_borrow_mut(|d| match destination {
        Some(destination) => d.insert(card.id, destination),
        None => d.remove(&card.id),
    });
    let template = Provenance::new(SpecSource::Template);
    let mut request = GenerateRequest {
        id: card.id,
        sheet: file.info.sheet.clone(),
        rows,
        strictness,
        seed: settings.seed.get_untracked(),
        format,
        spec: None,
        spec_source: template,
        plain: !settings.as_source.get_untracked(),
        released: file.safe.as_deref().cloned().map(Box::new),
    };
    let use_cache = settings.use_cache.get_untracked() && !bypass;
    let mode = settings.mode.get_untracked();
    card.step(Step::Looking);
    leptos::task::spawn_local(async move {
        let hit = match &file.safe {
            Some(safe) if use_cache => look_up(state, safe, request.strictness).await,
            _ => None,
        };
        if let (Some(hit), Some(safe)) = (hit, &file.safe) {
            // The cached spec, sized for this file.
            let mut spec = hit.entry.cached.spec.clone();
            spec.default_rows = safe.row_count;
            request.spec = Some(spec);
            request.spec_source = Provenance {
                reused: true,
                ..hit.entry.provenance()
            };
            card.say(Note::Reused(cache_note(&hit)));
            let mut entry = hit.entry;
            entry.hits += 1;
            entry.used_ms = js_sys::Date::now();
            send_generate(card, request, None);
            return store(state, entry).await;
        }
        if mode == Mode::Template {
            return send_generate(card, request, use_cache.then_some(template));
        }
        if !card.llm_approved.get_untracked() {
            // The bypass, if asked for, waits for the approval.
            return card.step(Step::Approving { bypass });
        }
        card.step(Step::Asking);
        match relay::spec(&file.info.safe_profile, request.strictness, rows, use_cache).await {
            Ok(answer) if answer.source.is_llm() => {
                let source = Provenance::new(answer.source);
                request.spec_source = source;
                let text = serde_json::to_string_pretty(&answer.spec).unwrap_or_default();
                card.step(Step::Reviewing(Review {
                    text: RwSignal::new(text.clone()),
                    original: StoredValue::new(text),
                    request: StoredValue::new(request),
                    cache: use_cache,
                }));
            }
            Ok(answer) => {
                // The relay fell back to its template: say why, and use the spec it wrote.
                card.say(Note::Notice(format!(
                    "LLM mode fell back to the relay's template: {}",
                    answer.reason
                )));
                request.spec = Some(answer.spec);
                request.spec_source = Provenance {
                    by_relay: true,
                    ..Provenance::new(SpecSource::Template)
                };
                send_generate(card, request, None);
            }
            Err(e) => {
                card.say(Note::Notice(format!(
                    "LLM mode failed, so this page's template wrote the spec: {e}"
                )));
                send_generate(card, request, None);
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

/// A problem with a spec as the user edits it, and where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecProblem {
    /// The message, starting with its line and column when known.
    pub message: String,
    /// 1-based line and column in the edited text.
    pub at: Option<(usize, usize)>,
}

/// Problems with a spec as the user edits it: a JSON error where serde stopped, or the
/// compiler's problems where their JSON paths are in the text.
pub fn check_spec(text: &str) -> Vec<SpecProblem> {
    let placed = |at: Option<(usize, usize)>, message: String| SpecProblem {
        message: match at {
            Some((line, column)) => format!("Line {line}, column {column}: {message}"),
            None => message,
        },
        at,
    };
    let spec = match shared::spec::Spec::from_json(text) {
        Ok(spec) => spec,
        Err(e) => {
            let message = e.to_string();
            return vec![placed(serde_place(&message), message)];
        }
    };
    match shared::plan::compile(&spec) {
        Ok(_) => Vec::new(),
        Err(problems) => problems
            .0
            .iter()
            .map(|p| {
                placed(
                    crate::json_place::locate(text, &p.path),
                    format!(
                        "{}: {} (expected {}; {})",
                        p.path, p.message, p.expected, p.hint
                    ),
                )
            })
            .collect(),
    }
}

/// The "at line L column C" serde_json puts in its messages.
fn serde_place(message: &str) -> Option<(usize, usize)> {
    let rest = &message[message.rfind(" at line ")? + " at line ".len()..];
    let (line, rest) = rest.split_once(" column ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.parse().ok()?, column.parse().ok()?))
}

/// Generates with the reviewed (maybe edited) spec.
pub fn accept_review(card: Card) {
    let Some(Step::Reviewing(review)) = card.life.with_untracked(|l| l.step().cloned()) else {
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
    request.spec_source.edited = text != review.original.get_value();
    request.spec = Some(spec);
    let cache_as = review.cache.then_some(request.spec_source);
    send_generate(card, request, cache_as);
    focus_generate(card);
}

/// Drops the relay's spec without generating.
pub fn discard_review(card: Card) {
    card.step(Step::Idle);
    focus_generate(card);
}

/// Puts focus on the card's Generate button once the page has redrawn: after a panel
/// that held focus closes, focus would otherwise fall to the page's body.
pub fn focus_generate(card: Card) {
    request_animation_frame(move || {
        let button = document()
            .query_selector(&format!("#file-{} button.generate", card.id))
            .ok()
            .flatten()
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
        if let Some(button) = button {
            let _ = button.focus();
        }
    });
}

/// Sends the request to the worker; `cache_as` is who wrote the spec, to cache it once
/// generated (`None`: do not).
fn send_generate(card: Card, request: GenerateRequest, cache_as: Option<Provenance>) {
    card.step(Step::Generating(Progress {
        stage: "starting".into(),
        done: 0,
        total: request.rows.unwrap_or(0),
        cache_as,
    }));
    let Some(destination) = DESTINATIONS.with_borrow_mut(|d| d.remove(&card.id)) else {
        return worker_bridge::send(Request::Generate(request));
    };
    leptos::task::spawn_local(async move {
        match destination.open().await {
            Ok(target) => worker_bridge::send_saving(Request::Generate(request), target),
            Err(why) => {
                card.say(Note::Notice(format!("Not generated: {why}.")));
                card.step(Step::Idle);
            }
        }
    });
}

thread_local! {
    /// Where each card's next output is written as it is made (the picker's answer to
    /// come, or a streamed download to open).
    static DESTINATIONS: std::cell::RefCell<std::collections::HashMap<crate::protocol::FileId, disk::Destination>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The user approved sending this file's SafeProfile.
pub fn approve(state: AppState, card: Card) {
    let bypass = card
        .life
        .with_untracked(|l| matches!(l.step(), Some(Step::Approving { bypass: true })));
    card.llm_approved.set(true);
    generate_with(state, card, bypass);
    focus_generate(card);
}

/// Closes the approval panel without sending anything.
pub fn decline(card: Card) {
    if card
        .life
        .with_untracked(|l| matches!(l.step(), Some(Step::Approving { .. })))
    {
        card.step(Step::Idle);
    }
}

/// Stops a generation.
pub fn cancel(card: Card) {
    worker_bridge::send(Request::Cancel { id: card.id });
}

/// Stops reading a file (the worker is replaced: see [`worker_bridge::stop_reading`]);
/// the card says so and keeps the file's name, to be removed or dropped again.
pub fn stop_reading(state: AppState, card: Card) {
    if worker_bridge::stop_reading(card.id) {
        card.reading.set(None);
        card.life.set(crate::state::Life::Unreadable(
            "Reading stopped. Remove the file, or add it again to read it.".into(),
        ));
        super::batch::on_file_done(state);
    }
}
