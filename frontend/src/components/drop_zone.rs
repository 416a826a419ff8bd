//! The upload area: drop files on it, or press it (mouse or keyboard) to browse.

use crate::actions;
use crate::state::AppState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What the file picker offers.
const ACCEPT: &str = ".csv,.tsv,.tab,.txt,.json,.ndjson,.jsonl,.xlsx,.xls,.parquet";

/// Drag and drop, or browse; several files at once.
#[component]
pub fn DropZone(state: AppState) -> impl IntoView {
    let (over, set_over) = signal(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        set_over.set(false);
        if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
            actions::add_files(state, files);
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(files) = input.files() {
            actions::add_files(state, files);
        }
        input.set_value(""); // the same file can be chosen again
    };
    view! {
        <label
            class="drop-zone"
            class:over=over
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                set_over.set(true);
            }
            on:dragleave=move |_| set_over.set(false)
            on:drop=on_drop
        >
            <input
                id="file-input"
                class="visually-hidden"
                type="file"
                multiple
                accept=ACCEPT
                on:change=on_change
            />
            <span class="drop-title">"Drop data files here, or press to browse"</span>
            <span class="drop-formats">
                "CSV, TSV, JSON, NDJSON, Excel (.xlsx, .xls), Parquet. Files are read in this page: no row leaves your machine."
            </span>
        </label>
    }
}
