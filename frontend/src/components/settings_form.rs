//! Rows, match strictness, output format, seed and mode: the same form for one file and
//! for the defaults.

use crate::services::disk;
use crate::state::{FORMATS, Mode, OutputTo, Settings, random_seed};
use leptos::prelude::*;

/// A checkbox bound to a setting, with its label.
#[component]
fn Checkbox(
    id: String,
    class: &'static str,
    value: RwSignal<bool>,
    label: &'static str,
) -> impl IntoView {
    view! {
        <div class=format!("field {class}")>
            <input
                id=id.clone()
                class=class
                type="checkbox"
                prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}

/// Why a field's text is not accepted, shown under it as soon as it is typed.
#[component]
fn FieldError(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <small class="field-error" role="alert">{e}</small> })
    }
}

/// The settings form. `key` makes element ids unique on the page.
#[component]
pub fn SettingsForm(
    settings: Settings,
    key: String,
    #[prop(into)] llm: Signal<bool>,
) -> impl IntoView {
    let id = move |what: &str| format!("{key}-{what}");
    let rows_id = id("rows");
    let strict_id = id("strictness");
    let format_id = id("format");
    let seed_id = id("seed");
    let mode_name = id("mode");
    let hint_id = id("strictness-hint");
    let cache_id = id("cache");
    let source_id = id("as-source");
    let output_to_id = id("output-to");
    view! {
        <div class="settings">
            <div class="field">
                <label for=rows_id.clone()>"Number of rows"</label>
                <input
                    id=rows_id
                    class="rows"
                    type="text"
                    inputmode="numeric"
                    placeholder="same as original"
                    aria-invalid=move || settings.rows_error().is_some().to_string()
                    prop:value=move || settings.rows.get()
                    on:input=move |ev| settings.rows.set(event_target_value(&ev))
                />
                <FieldError error=Signal::derive(move || settings.rows_error()) />
            </div>
            <div class="field strictness">
                <label for=strict_id.clone()>
                    "Match Strictness: " <output>{move || format!("{} %", settings.strictness.get())}</output>
                </label>
                <div class="range-wrap">
                    <span class="band" title="recommended: 70–85 %"></span>
                    <input
                        id=strict_id
                        class="strictness"
                        type="range"
                        min="0"
                        max="100"
                        step="1"
                        aria-describedby=hint_id.clone()
                        prop:value=move || settings.strictness.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                                settings.strictness.set(v.min(100));
                            }
                        }
                    />
                </div>
                <small id=hint_id>"0 % loose, 100 % strict; 70–85 % recommended (marked)."</small>
            </div>
            <div class="field">
                <label for=format_id.clone()>"Output format"</label>
                <select
                    id=format_id
                    class="format"
                    on:change=move |ev| settings.format.set(event_target_value(&ev))
                >
                    {FORMATS
                        .iter()
                        .map(|(ext, label)| {
                            let ext = ext.to_string();
                            let selected = {
                                let ext = ext.clone();
                                move || settings.format.get() == ext
                            };
                            view! { <option value=ext selected=selected>{*label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=seed_id.clone()>"Seed"</label>
                <div class="seed-row">
                    <input
                        id=seed_id
                        class="seed"
                        type="text"
                        inputmode="numeric"
                        aria-invalid=move || settings.seed_error.get().is_some().to_string()
                        prop:value=move || settings.seed.get().to_string()
                        on:input=move |ev| {
                            match event_target_value(&ev).trim().parse::<u64>() {
                                Ok(v) => {
                                    settings.seed.set(v);
                                    settings.seed_error.set(None);
                                }
                                Err(_) => settings.seed_error.set(Some(
                                    "the seed is a whole number from 0 to 18446744073709551615".into(),
                                )),
                            }
                        }
                    />
                    <button
                        type="button"
                        class="secondary"
                        on:click=move |_| {
                            settings.seed.set(random_seed());
                            settings.seed_error.set(None);
                        }
                    >
                        "New seed"
                    </button>
                </div>
                <FieldError error=settings.seed_error />
            </div>
            <Checkbox
                id=source_id
                class="as-source"
                value=settings.as_source
                label=" Write numbers, yes/no and the delimiter as the file does"
            />
            <Checkbox id=cache_id class="use-cache" value=settings.use_cache label=" Reuse cached specs" />
            {disk::way().map(|way| {
                let choices = match way {
                    disk::Way::Picker => [
                        (OutputTo::Auto, "Automatic: a file, written as made, over 256 MB"),
                        (OutputTo::Link, "A download link when done"),
                        (OutputTo::File, "A file, written as the rows are made"),
                    ],
                    disk::Way::Stream => [
                        (OutputTo::Auto, "Automatic: a download, streamed as made, over 256 MB"),
                        (OutputTo::Link, "A download link when done"),
                        (OutputTo::File, "A download, streamed as the rows are made"),
                    ],
                };
                view! {
                    <div class="field">
                        <label for=output_to_id.clone()>"The output goes to"</label>
                        <select
                            id=output_to_id
                            class="output-to"
                            on:change=move |ev| settings.output_to.set(OutputTo::from_key(&event_target_value(&ev)))
                        >
                            {choices
                                .into_iter()
                                .map(|(to, label)| {
                                    view! {
                                        <option value=to.key() selected=move || settings.output_to.get() == to>
                                            {label}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                }
            })}
            <fieldset class="field mode">
                <legend>"Spec written by"</legend>
                <label>
                    <input
                        type="radio"
                        name=mode_name.clone()
                        value="template"
                        prop:checked=move || settings.mode.get() == Mode::Template
                        on:change=move |_| settings.mode.set(Mode::Template)
                    />
                    " Template (in this page)"
                </label>
                <label class:disabled=move || !llm.get()>
                    <input
                        type="radio"
                        name=mode_name
                        value="llm"
                        disabled=move || !llm.get()
                        prop:checked=move || settings.mode.get() == Mode::Llm
                        on:change=move |_| settings.mode.set(Mode::Llm)
                    />
                    " LLM (relay)"
                </label>
            </fieldset>
        </div>
    }
}
