//! Generating one file: the spec from the cache, the template or (after approval and
//! review) the LLM through the relay, then the worker makes the rows.

use super::spec_cache::store;
use crate::protocol::{GenerateRequest, Request};
use crate::services::{cache, relay, worker_bridge};
use crate::state::{AppState, Card, Mode, Phase, Review};
use leptos::prelude::*;
use shared::contract::{Provenance, SpecSource, Strictness};
use shared::export::OutputFormat;

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
