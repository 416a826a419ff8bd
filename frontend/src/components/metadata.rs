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

/// Shown before the first LLM send of a file: a plain summary, then exactly the message
/// Azure OpenAI will read (made by the function the relay sends with, from the SafeProfile
/// re-guarded as the relay re-guards it), and approve / cancel. Focus moves into it when
/// it appears; Escape cancels.
#[component]
pub fn ApprovalPanel(state: AppState, card: Card, info: Arc<FileInfo>) -> impl IntoView {
    let view_of = Memo::new(move |_| {
        let strictness = f64::from(card.settings.strictness.get()) / 100.0;
        azure_view(&info.safe_profile, strictness, info.withheld.len())
    });
    let approve_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = approve_button.get() {
            let _ = button.focus();
        }
    });
    let cancel = move || {
        actions::decline(card);
        actions::focus_generate(card);
    };
    view! {
        <section class="approval" role="dialog" aria-label="Approve sending metadata"
            on:keydown=move |ev| if ev.key() == "Escape" { ev.prevent_default(); cancel(); }>
            <h3>"Send this metadata to Azure OpenAI?"</h3>
            {move || match view_of.get() {
                Ok((summary, _)) => view! { <p class="summary">{summary}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            }}
            <p class="small">
                "The relay sends Azure OpenAI exactly the message below, with fixed instructions and the spec's JSON Schema. No row of your file is sent. The relay itself receives the SafeProfile (Extract Metadata Only shows it) to check it again and to write a template spec if the LLM fails."
            </p>
            <pre class="json payload" tabindex="0">{move || view_of.get().map(|(_, json)| json).unwrap_or_default()}</pre>
            <div class="actions">
                <button type="button" class="primary approve" node_ref=approve_button
                    disabled=move || view_of.with(Result::is_err)
                    on:click=move |_| actions::approve(state, card)>
                    "Approve and send"
                </button>
                <button type="button" class="secondary decline" on:click=move |_| cancel()>
                    "Cancel"
                </button>
            </div>
        </section>
    }
}

/// A one-line summary and the pretty JSON of what Azure OpenAI reads for this
/// SafeProfile (`shared::contract::llm_message` of the re-guarded profile).
fn azure_view(
    safe_profile: &str,
    strictness: f64,
    withheld: usize,
) -> Result<(String, String), String> {
    let shown: shared::SafeProfile = serde_json::from_str(safe_profile)
        .map_err(|e| format!("the SafeProfile does not read: {e}"))?;
    // What the relay's own guard would still take out counts as withheld too.
    let (guarded, rechecked) = shared::pipeline::reguard(&shown).map_err(|e| e.to_string())?;
    let strictness = shared::contract::Strictness::new(strictness).map_err(|e| e.to_string())?;
    let message = shared::contract::llm_message(&guarded, strictness, "en");
    let seen = shared::contract::llm_view(&guarded);
    let json = serde_json::to_string_pretty(&message).map_err(|e| e.to_string())?;
    Ok((summary(&seen, withheld + rechecked.len()), json))
}

/// "7 columns, 5 withheld by the privacy guard, no values from the 3 personal-data
/// columns; 12 category values from 2 other columns."
fn summary(seen: &shared::SafeProfile, withheld: usize) -> String {
    let with_values =
        |c: &&shared::wire::SafeColumn| c.categories.as_ref().map_or(0, |v| v.values.len());
    let (personal, other): (Vec<_>, Vec<_>) = seen.columns.iter().partition(|c| c.sensitive);
    let leaking = personal.iter().filter(|c| with_values(c) > 0).count();
    let personal = match (personal.len(), leaking) {
        (0, _) => "no personal-data column found".to_string(),
        (p, 0) => format!("no values from the {p} personal-data columns"),
        (p, l) => format!("values from {l} of the {p} personal-data columns"),
    };
    let valued: Vec<usize> = other.iter().map(with_values).filter(|&n| n > 0).collect();
    format!(
        "{} columns, {withheld} withheld by the privacy guard, {personal}; {} category values from {} other columns.",
        seen.columns.len(),
        valued.iter().sum::<usize>(),
        valued.len(),
    )
}
