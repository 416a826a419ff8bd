//! The page: the upload area, the defaults for every file, and a card per file.

use crate::actions;
use crate::components::{DropZone, FileCard, RelayNotice, SettingsForm};
use crate::state::AppState;
use leptos::prelude::*;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    actions::start(state);
    let llm = Signal::derive(move || state.llm_available());
    let has_files = move || state.cards.with(|c| !c.is_empty());
    view! {
        <header class="top">
            <h1>"BYOD Synthetic Data Generator"</h1>
            <p class="tagline">"Realistic synthetic data from your files. Rows never leave this page; only a privacy-checked profile may, and only if you approve it."</p>
        </header>
        <main>
            <RelayNotice state />
            <DropZone state />
            <Show when=has_files>
                <section class="defaults" aria-label="Settings for all files">
                    <details>
                        <summary>"Settings for all files"</summary>
                        <SettingsForm settings=state.defaults key="all".to_string() llm />
                        <div class="actions">
                            <button type="button" class="secondary apply-all" on:click=move |_| actions::apply_defaults_to_all(state)>
                                "Apply to all files"
                            </button>
                        </div>
                    </details>
                    <button type="button" class="primary generate-all" on:click=move |_| actions::generate_all(state)>
                        "Generate all"
                    </button>
                </section>
            </Show>
            <For
                each=move || state.cards.get()
                key=|card| card.id
                children=move |card| view! { <FileCard state card /> }
            />
        </main>
        <footer>
            <a href="/docs">"REST API"</a>
            " · Generated data is made by this page from metadata alone."
        </footer>
    }
}
