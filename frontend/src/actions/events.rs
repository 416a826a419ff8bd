//! How the worker's events land in the state of the file they are about.

use super::batch::on_batch_event;
use super::spec_cache::remember_spec;
use crate::protocol::{BATCH, Event};
use crate::services::{download, worker_bridge};
use crate::state::{AppState, Output, Phase, Report};
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
