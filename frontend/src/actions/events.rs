//! How the worker's events land in the state of the file they are about.

use super::batch::on_batch_event;
use super::spec_cache::remember_spec;
use crate::protocol::{BATCH, Event};
use crate::services::{download, worker_bridge};
use crate::state::{AppState, Life, Note, Output, Progress, ReadFile, ReadProgress, Report, Step};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

pub(super) fn on_event(state: AppState, event: Event, attachment: JsValue) {
    if event.file() == Some(BATCH) {
        return on_batch_event(state, event, attachment);
    }
    let Some(card) = event.file().and_then(|id| state.card(id)) else {
        return; // the worker's own events (the bridge handles them), or a removed file
    };
    match event {
        Event::Progress {
            stage,
            done,
            total,
            rows,
            ..
        } if stage == "reading" || stage == "sampling" => {
            let now = now_ms();
            card.reading.update(|p| {
                *p = Some(ReadProgress::next(
                    p.as_ref(),
                    stage,
                    (done, total),
                    rows,
                    now,
                ));
            });
        }
        Event::Progress {
            stage, done, total, ..
        } => card.life.update(|life| {
            if let Life::Read {
                step: Step::Generating(p),
                ..
            } = life
            {
                (p.stage, p.done, p.total) = (stage, done, total);
            }
        }),
        Event::DemoMade { id } => {
            if let Ok(file) = attachment.dyn_into::<web_sys::File>() {
                card.size.set(file.size() as u64);
                worker_bridge::add_file(id, file);
            }
        }
        Event::Inspected { info, .. } => {
            card.reading.set(None);
            if let Some(url) = card.metadata_url.get_untracked() {
                download::revoke(&url);
                card.metadata_url.set(None);
            }
            card.metadata_open.set(false);
            let safe = serde_json::from_str(&info.safe_profile).ok().map(Arc::new);
            card.life.set(Life::Read {
                file: ReadFile {
                    info: Arc::from(info),
                    safe,
                },
                step: Step::Idle,
            });
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
                    let cache_as = card.life.with_untracked(|l| match l.step() {
                        Some(Step::Generating(p)) => p.cache_as,
                        _ => None,
                    });
                    // In its own task: the UI thread draws the result first.
                    let generated = result.clone();
                    set_timeout(
                        move || remember_spec(state, card, cache_as, &generated),
                        std::time::Duration::ZERO,
                    );
                    let rows = result.rows;
                    card.output.set(Some(Arc::new(Output {
                        result: *result,
                        blob,
                        url,
                        report: None,
                    })));
                    card.step(Step::Generating(Progress {
                        stage: "scoring".into(),
                        done: rows,
                        total: rows,
                        cache_as: None,
                    }));
                }
                Err(e) => {
                    card.say(Note::Error(e));
                    card.step(Step::Idle);
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
            card.step(Step::Idle);
            super::batch::on_file_done(state);
        }
        Event::Failed { message, .. } => {
            card.reading.set(None);
            card.life.update(|life| match life {
                Life::Read { step, .. } => {
                    *step = Step::Idle;
                    card.say(Note::Error(message));
                }
                Life::Reading | Life::Unreadable(_) => *life = Life::Unreadable(message),
            });
            super::batch::on_file_done(state);
        }
        Event::Cancelled { .. } => {
            card.say(Note::Notice("Generation cancelled.".into()));
            card.step(Step::Idle);
            super::batch::on_file_done(state);
        }
        Event::Ready
        | Event::Crashed { .. }
        | Event::Bundled { .. }
        | Event::NeedsFullWorker { .. }
        | Event::Rendered { .. }
        | Event::Measured { .. }
        | Event::HelpFailed { .. } => {}
    }
}

/// `performance.now()` on the UI thread, in ms.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
