//! Which mode the page can run in, said once at the top.

use crate::state::{AppState, Relay};
use leptos::prelude::*;

/// Template mode, LLM mode, or relay absent.
#[component]
pub fn RelayNotice(state: AppState) -> impl IntoView {
    move || {
        match state.relay.get() {
        Relay::Checking => view! { <p class="notice" role="status">"Checking the relay…"</p> }.into_any(),
        Relay::Up { llm: true, .. } => view! {
            <p class="notice llm" role="status" id="mode-notice">
                "LLM mode available: Azure OpenAI is configured on the relay. Only a SafeProfile you have seen and approved is ever sent."
            </p>
        }
        .into_any(),
        Relay::Up { llm: false, message } => view! {
            <p class="notice template" role="status" id="mode-notice">
                "Template mode: specs are built in this page. " {message}
            </p>
        }
        .into_any(),
        Relay::Down(why) => view! {
            <p class="notice offline" role="status" id="mode-notice">
                "Template mode (the relay is not reachable: " {why}
                "). Everything works offline: files are read, generated and scored in this page."
            </p>
        }
        .into_any(),
    }
    }
}
