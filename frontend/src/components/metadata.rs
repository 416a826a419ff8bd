//! "Extract Metadata Only": the SafeProfile exactly as it would be sent, what the guard
//! withheld and why, and the LLM approval that shows the same bytes.

use crate::actions;
use crate::protocol::FileInfo;
use crate::state::{AppState, Card};
use leptos::prelude::*;
use std::sync::Arc;

/// The SafeProfile panel with its download.
#[component]
pub fn MetadataPanel(card: Card, info: Arc<FileInfo>) -> impl IntoView {
    let stem = card
        .name
        .with_value(|n| n.rsplit_once('.').map_or(n.clone(), |(s, _)| s.to_string()));
    let download_name = format!("{stem}_safe_profile.json");
    let bytes = info.safe_profile.len();
    view! {
        <section class="metadata" aria-label="Metadata that may leave this page">
            <h3>"SafeProfile: the only metadata that may leave this page"</h3>
            <p>
                {format!("{} bytes of JSON. ", crate::state::grouped(bytes as u64))}
                {move || {
                    card.metadata_url
                        .get()
                        .map(|url| {
                            view! {
                                <a class="button secondary download-metadata" href=url download=download_name.clone()>
                                    "Download SafeProfile JSON"
                                </a>
                            }
                        })
                }}
            </p>
            <Withheld items=info.withheld.clone() />
            <details>
                <summary>"Show the JSON"</summary>
                <pre class="json" tabindex="0">{info.safe_profile.clone()}</pre>
            </details>
        </section>
    }
}

/// What the guard kept back.
#[component]
fn Withheld(items: Vec<shared::contract::Withheld>) -> impl IntoView {
    let count = items.len();
    let open = count > 0 && count <= 12;
    view! {
        <details class="withheld" open=open>
            <summary>{format!("Withheld by the privacy guard: {count}")}</summary>
            <ul>
                {items
                    .into_iter()
                    .map(|w| view! { <li><strong>{w.column}</strong>": " {w.what} " — " <em>{w.why}</em></li> })
                    .collect_view()}
            </ul>
        </details>
    }
}

/// Shown before the first LLM send of a file: the exact payload, and approve / cancel.
#[component]
pub fn ApprovalPanel(state: AppState, card: Card, info: Arc<FileInfo>) -> impl IntoView {
    view! {
        <section class="approval" role="dialog" aria-label="Approve sending metadata">
            <h3>"Send this SafeProfile to the relay?"</h3>
            <p>
                "LLM mode sends exactly the JSON below (and the strictness and row count) to the relay, which asks Azure OpenAI for a spec. No row of your file is sent."
            </p>
            <pre class="json payload" tabindex="0">{info.safe_profile.clone()}</pre>
            <div class="actions">
                <button type="button" class="primary approve" on:click=move |_| actions::approve(state, card)>
                    "Approve and send"
                </button>
                <button type="button" class="secondary" on:click=move |_| actions::decline(card)>
                    "Cancel"
                </button>
            </div>
        </section>
    }
}
