//! A batch at a glance: one line per file (name, rows, status, fidelity), above the
//! cards, so many files read as a table instead of a page of full cards.

use crate::report;
use crate::state::{AppState, Card, Life, Step, grouped};
use leptos::prelude::*;

/// Files from which the overview shows, and from which each card's settings start
/// folded (a batch of 24 is 24 settings blocks otherwise).
pub const MANY_FILES: usize = 4;

/// The overview table of every card.
#[component]
pub fn BatchOverview(state: AppState) -> impl IntoView {
    view! {
        <Show when=move || state.cards.with(|c| c.len() >= MANY_FILES)>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Batch overview">
                <table class="overview">
                    <caption>{move || format!("{} files", state.cards.with(Vec::len))}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"File"</th>
                            <th scope="col">"Rows"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Fidelity"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || state.cards.get()
                            key=|card| card.id
                            children=move |card| view! { <OverviewRow card /> }
                        />
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// One file's line; its name links to its card.
#[component]
fn OverviewRow(card: Card) -> impl IntoView {
    let name = card.name.get_value();
    let label = name.clone();
    let href = format!("#file-{}", card.id);
    let rows = move || {
        card.info
            .get()
            .map(|i| grouped(i.total_rows))
            .unwrap_or_default()
    };
    let fidelity = move || {
        card.output.with(|o| {
            o.as_ref()
                .and_then(|o| o.report.as_ref())
                .map(|r| report::percent(report::headline(&r.scored.report)[0].1))
                .unwrap_or_default()
        })
    };
    view! {
        <tr data-file=name>
            <th scope="row"><a href=href>{label}</a></th>
            <td class="rows">{rows}</td>
            <td class="status">{move || status(card)}</td>
            <td class="fidelity">{fidelity}</td>
        </tr>
    }
}

/// What the file is doing, in a few words.
fn status(card: Card) -> String {
    let life = card.life.get();
    match &life {
        Life::Reading => "reading…".into(),
        Life::Unreadable(_) => "cannot be read".into(),
        Life::Read { step, .. } => match step {
            Step::Rereading => "reading…".into(),
            Step::Looking | Step::Asking => "getting a spec…".into(),
            Step::Approving { .. } => "waiting for your approval".into(),
            Step::Reviewing(_) => "spec to review".into(),
            Step::Generating(p) if p.stage == "scoring" => "scoring…".into(),
            Step::Generating(p) if p.total > 0 => format!(
                "generating, {:.0} %",
                p.done as f64 * 100.0 / p.total as f64
            ),
            Step::Generating(_) => "generating…".into(),
            Step::Idle => match (card.output.with(Option::is_some), card.problem()) {
                (_, Some(_)) => "failed (see its card)".into(),
                (true, None) => "generated".into(),
                (false, None) => "ready".into(),
            },
        },
    }
}
