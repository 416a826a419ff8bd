//! The page: the upload area, the defaults for every file, and a card per file.

use crate::actions;
use crate::components::{
    BatchOverview, CachePanel, DemoPicker, DropZone, FileCard, RelayNotice, SettingsForm,
};
use crate::state::{AppState, Batch, human_bytes};
use leptos::prelude::*;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    actions::start(state);
    let llm = Signal::derive(move || state.llm_available());
    let has_files = move || state.cards.with(|c| !c.is_empty());
    let has_outputs = move || {
        state
            .cards
            .with(|c| c.iter().any(|c| c.output.with(Option::is_some)))
    };
    view! {
        <header class="top">
            <h1>"BYOD Synthetic Data Generator"</h1>
            <p class="tagline">"Realistic synthetic data from your files. Rows never leave this page; only a privacy-checked profile may, and only if you approve it."</p>
        </header>
        <main>
            <RelayNotice state />
            <DropZone state />
            <DemoPicker state />
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
                    <button type="button" class="secondary download-all" disabled=move || !has_outputs()
                        on:click=move |_| actions::download_all(state)>
                        "Download all (ZIP)"
                    </button>
                    <BatchStatus state />
                    <BatchOverview state />
                </section>
            </Show>
            <For
                each=move || state.cards.get()
                key=|card| card.id
                children=move |card| view! { <FileCard state card /> }
            />
        </main>
        <CachePanel state />
        <footer>
            <a href="/docs">"REST API"</a>
            " · Generated data is made by this page from metadata alone."
        </footer>
    }
}

/// The batch ZIP: being made, ready to save, or why it failed.
#[component]
fn BatchStatus(state: AppState) -> impl IntoView {
    move || {
        match state.batch.get() {
        Batch::None => ().into_any(),
        Batch::Waiting { busy } => view! {
            <span class="small" role="status">
                {format!("Waiting for {busy} file(s) to finish generating and scoring, then zipping…")}
            </span>
        }
        .into_any(),
        Batch::Zipping { .. } => view! { <span class="small" role="status">"Zipping…"</span> }.into_any(),
        Batch::Ready { url, bytes, outputs, failed } => {
            let note = if failed > 0 {
                format!(" ({outputs} outputs; {failed} file(s) failed, see manifest.json)")
            } else {
                format!(" ({outputs} outputs and manifest.json)")
            };
            match url {
                Some(url) => view! {
                    <span role="status">
                        <a class="button primary batch-zip" href=url download="synthetic_batch.zip">
                            {format!("Save synthetic_batch.zip again, {}", human_bytes(bytes))}
                        </a>
                        <span class="small">{note}</span>
                    </span>
                }
                .into_any(),
                None => view! {
                    <span role="status" class="batch-streamed">
                        {format!("synthetic_batch.zip, {}, streamed to your downloads as made", human_bytes(bytes))}
                        <span class="small">{note}</span>
                    </span>
                }
                .into_any(),
            }
        }
        Batch::Failed(e) => view! { <span class="error" role="alert">{format!("The ZIP could not be made: {e}")}</span> }.into_any(),
    }
    }
}
