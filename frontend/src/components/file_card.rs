//! One file: what it is, its profile, its settings, and what was made from it. Errors
//! stay on the card; other files carry on.

use crate::actions;
use crate::components::columns::ColumnTable;
use crate::components::metadata::{ApprovalPanel, MetadataPanel};
use crate::components::output::OutputPanel;
use crate::components::preview::PreviewTable;
use crate::components::settings_form::SettingsForm;
use crate::components::spec_review::SpecReview;
use crate::state::{AppState, Card, Life, Note, Progress, Step, grouped, human_bytes};
use leptos::prelude::*;

/// The card of one file.
#[component]
pub fn FileCard(state: AppState, card: Card) -> impl IntoView {
    let name = card.name.get_value();
    let key = format!("file-{}", card.id);
    let llm = Signal::derive(move || state.llm_available());
    let element_id = key.clone();
    let label = format!("File {name}");
    let remove_label = format!("Remove {name}");
    let data_file = name.clone();
    // Apart from `life`, so the panels are not drawn again on every progress event.
    let many = Memo::new(move |_| {
        state
            .cards
            .with(|c| c.len() >= crate::components::MANY_FILES)
    });
    let approving = Memo::new(move |_| {
        card.life
            .with(|l| matches!(l.step(), Some(Step::Approving { .. })))
    });
    let reviewing = Memo::new(move |_| {
        card.life.with(|l| match l.step() {
            Some(Step::Reviewing(review)) => Some(*review),
            _ => None,
        })
    });
    view! {
        <article class="card" id=element_id data-file=data_file aria-label=label>
            <header class="card-head">
                <h2>{name.clone()}</h2>
                <span class="meta">{move || human_bytes(card.size.get())}</span>
                {move || card.info.get().map(|i| {
                    let rows = format!("{} · {} rows · {} columns", i.format.extension().to_uppercase(), grouped(i.total_rows), i.columns.len());
                    view! { <span class="meta format">{rows}</span> }
                })}
                <SheetPicker card />
                <button type="button" class="link remove" on:click=move |_| actions::remove(state, card)
                    aria-label=remove_label>"Remove"</button>
            </header>
            <Status state card />
            <Unreadable card />
            <CardNote state card />
            {move || card.info.get().map(|info| {
                let sampled = (info.sampled_rows < info.total_rows).then(|| format!(
                    "Profiled from {} of {} rows, spread over the file. ", grouped(info.sampled_rows), grouped(info.total_rows)));
                view! {
                    <p class="meta">
                        {sampled}
                        {format!("Read and profiled in {:.2} s", info.millis / 1000.0)}
                        {(info.worker_memory > 0).then(|| format!(" (this page's worker: {} of memory).", human_bytes(info.worker_memory)))}
                        {(info.worker_memory == 0).then_some(".")}
                    </p>
                    {(!info.warnings.is_empty()).then(|| view! {
                        <ul class="warnings">{info.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
                    })}
                    <details class="profile">
                        <summary>"Preview and column profile"</summary>
                        <PreviewTable preview=info.preview.clone() caption="First rows of the file".to_string() />
                        <ColumnTable columns=info.columns.clone() />
                    </details>
                }
            })}
            <Show when=move || card.info.with(Option::is_some)>
                // In a big batch the cards' settings fold (the overview and "Settings
                // for all files" carry the batch); each opens with a click.
                <details class="card-settings" prop:open=move || !many.get()>
                    <summary>"Settings"</summary>
                    <SettingsForm settings=card.settings key=key.clone() llm />
                </details>
                <Actions state card />
            </Show>
            {move || approving.get().then(|| card.info.get().map(|info| view! { <ApprovalPanel state card info /> })).flatten()}
            {move || card.metadata_open.get().then(|| card.info.get().map(|info| view! { <MetadataPanel card info /> })).flatten()}
            {move || reviewing.get().map(|review| view! { <SpecReview card review /> })}
            {move || card.output.get().map(|output| view! { <OutputPanel output /> })}
        </article>
    }
}

/// The sheet picker of a workbook with more than one sheet.
#[component]
fn SheetPicker(card: Card) -> impl IntoView {
    let id = format!("file-{}-sheet", card.id);
    move || {
        let info = card.info.get()?;
        if info.sheets.len() < 2 {
            return None;
        }
        let current = info.sheet.clone().unwrap_or_default();
        Some(view! {
            <label class="sheet" for=id.clone()>"Sheet "</label>
            <select id=id.clone() class="sheet" on:change=move |ev| actions::choose_sheet(card, event_target_value(&ev))>
                {info.sheets.iter().map(|s| {
                    let selected = *s == current;
                    view! { <option value=s.clone() selected=selected>{s.clone()}</option> }
                }).collect_view()}
            </select>
        })
    }
}

/// Why the file could not be read.
#[component]
fn Unreadable(card: Card) -> impl IntoView {
    move || match card.life.get() {
        Life::Unreadable(why) => Some(view! { <p class="error" role="alert">{why}</p> }),
        Life::Reading | Life::Read { .. } => None,
    }
}

/// What the card says about its last action; a reused spec offers to bypass the cache.
#[component]
fn CardNote(state: AppState, card: Card) -> impl IntoView {
    move || {
        card.note.get().map(|note| match note {
            Note::Error(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Note::Notice(n) => view! { <p class="notice small" role="status">{n}</p> }.into_any(),
            Note::Reused(n) => view! {
                <p class="notice small cache-hit" role="status">
                    {n} " "
                    <button type="button" class="link bypass" disabled=move || card.busy()
                        on:click=move |_| actions::bypass_cache(state, card)>"Bypass the cache and make a new spec"</button>
                </p>
            }
            .into_any(),
        })
    }
}

/// Reading (with bytes, time left and Cancel for a large file), asking, generating
/// (with a progress bar and Cancel), or nothing.
#[component]
fn Status(state: AppState, card: Card) -> impl IntoView {
    move || {
        match card.life.get() {
        Life::Reading => view! { <Reading state card first=true /> }.into_any(),
        Life::Unreadable(_) => ().into_any(),
        Life::Read { step, .. } => match step {
            Step::Rereading => view! { <Reading state card first=false /> }.into_any(),
            Step::Looking => view! {
                <div class="status" role="status"><progress aria-label="Looking in the spec cache"></progress>" Looking in the spec cache…"</div>
            }
            .into_any(),
            Step::Asking => view! {
                <div class="status" role="status"><progress aria-label="Waiting for the relay"></progress>" Asking the relay for a spec…"</div>
            }
            .into_any(),
            Step::Generating(progress) => view! { <Generating card progress /> }.into_any(),
            Step::Idle | Step::Approving { .. } | Step::Reviewing(_) => ().into_any(),
        },
    }
    }
}

/// Reading a file: an open-ended bar until the worker reports a pass over a large
/// file, then its bytes and the time left, with Cancel while the file is first read.
#[component]
fn Reading(state: AppState, card: Card, first: bool) -> impl IntoView {
    move || match card.reading.get() {
        None => view! {
            <div class="status" role="status">
                <progress aria-label="Reading"></progress>
                " Reading and profiling in this page…"
            </div>
        }
        .into_any(),
        Some(p) => {
            let label = p.label(actions::now_ms());
            view! {
                <div class="status reading" role="status">
                    <progress class="read-progress" max=p.total.max(1) as f64 value=p.done as f64 aria-label="Reading progress"></progress>
                    <span class="progress-text">{label}</span>
                    {first.then(|| view! {
                        <button type="button" class="secondary cancel" on:click=move |_| actions::stop_reading(state, card)>"Cancel"</button>
                    })}
                </div>
            }
            .into_any()
        }
    }
}

/// The progress bar of a generation, with Cancel until scoring starts.
#[component]
fn Generating(card: Card, progress: Progress) -> impl IntoView {
    let Progress {
        stage, done, total, ..
    } = progress;
    let label = match stage.as_str() {
        "scoring" => "Scoring fidelity…".to_string(),
        _ if total > 0 => format!("Generating: {} of {} rows", grouped(done), grouped(total)),
        _ => "Generating…".to_string(),
    };
    let max = total.max(1) as f64;
    view! {
        <div class="status generating" role="status">
            <progress class="gen-progress" max=max value=done as f64 aria-label="Generation progress"></progress>
            <span class="progress-text">{label}</span>
            {(stage != "scoring").then(|| view! {
                <button type="button" class="secondary cancel" on:click=move |_| actions::cancel(card)>"Cancel"</button>
            })}
        </div>
    }
}

/// Generate and Extract Metadata Only.
#[component]
fn Actions(state: AppState, card: Card) -> impl IntoView {
    view! {
        <div class="actions">
            // While busy the button is aria-disabled, not disabled: a disabled button
            // drops its focus to the page's body.
            <button type="button" class="primary generate"
                disabled=move || card.settings.problem().is_some()
                aria-disabled=move || card.busy().to_string()
                on:click=move |_| actions::generate(state, card)>
                "Generate Synthetic Data"
            </button>
            <button type="button" class="secondary extract" aria-expanded=move || card.metadata_open.get().to_string()
                on:click=move |_| actions::toggle_metadata(card)>
                "Extract Metadata Only"
            </button>
        </div>
    }
}
