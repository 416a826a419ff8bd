//! Which mode the page can run in, said once at the top; and the access token of a
//! relay that needs one.

use crate::services::relay;
use crate::state::{AppState, Relay};
use leptos::prelude::*;

/// The access token field, for a relay that needs one (kept in this tab only).
#[component]
fn TokenField() -> impl IntoView {
    let saved = RwSignal::new(relay::token().is_some());
    view! {
        <p class="notice token">
            <label>
                "This relay needs an access token: "
                <input
                    type="password"
                    id="relay-token"
                    autocomplete="off"
                    placeholder=move || if saved.get() { "saved for this tab" } else { "RELAY_TOKEN" }
                    on:change=move |ev| {
                        relay::set_token(&event_target_value(&ev));
                        saved.set(relay::token().is_some());
                    }
                />
            </label>
        </p>
    }
}

/// Template mode, LLM mode, or relay absent.
#[component]
pub fn RelayNotice(state: AppState) -> impl IntoView {
    let token_required = move || {
        matches!(
            state.relay.get(),
            Relay::Up {
                token_required: true,
                ..
            }
        )
    };
    view! {
        {notice(state)}
        <Show when=token_required>
            <TokenField />
        </Show>
    }
}

fn notice(state: AppState) -> impl IntoView {
    move || {
        match state.relay.get() {
        Relay::Checking => view! { <p class="notice" role="status">"Checking the relay…"</p> }.into_any(),
        Relay::Up { llm: true, .. } => view! {
            <p class="notice llm" role="status" id="mode-notice">
                "LLM mode available: Azure OpenAI is configured on the relay. Only a SafeProfile you have seen and approved is ever sent."
            </p>
        }
        .into_any(),
        Relay::Up { llm: false, message, .. } => view! {
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
