//! The spec cache: what is stored (SafeProfiles and specs, never rows), how big, how
//! often reused, and clearing.

use crate::actions;
use crate::state::{AppState, human_bytes};
use leptos::prelude::*;

/// The cache panel.
#[component]
pub fn CachePanel(state: AppState) -> impl IntoView {
    let days = RwSignal::new("7".to_string());
    let total = move || {
        state
            .cache
            .with(|e| e.iter().map(|e| e.bytes()).sum::<u64>())
    };
    let summary = move || {
        let n = state.cache.with(Vec::len);
        format!(
            "Spec cache: {n} entr{}, {}",
            if n == 1 { "y" } else { "ies" },
            human_bytes(total())
        )
    };
    let clear_older = move |_| {
        let text = days.get_untracked();
        match text.trim().parse::<f64>() {
            Ok(d) if d >= 0.0 && d.is_finite() => actions::clear_cache(state, Some(d)),
            _ => state
                .cache_message
                .set(Some(format!("{text:?} is not a number of days"))),
        }
    };
    view! {
        <section class="cache-panel" aria-label="Spec cache">
            <details>
                <summary>{summary}</summary>
                <p class="small">
                    "Specs are kept in this browser (IndexedDB) with the SafeProfile they were made from, and reused for a file with the same structure and the same or nearly the same statistics. No row is stored."
                </p>
                {move || state.cache_message.get().map(|m| view! { <p class="notice small" role="status">{m}</p> })}
                <div class="table-wrap">
                <table class="cache-entries">
                    <thead>
                        <tr>
                            <th scope="col">"Saved"</th>
                            <th scope="col">"Columns"</th>
                            <th scope="col">"Rows"</th>
                            <th scope="col">"Strictness"</th>
                            <th scope="col">"Written by"</th>
                            <th scope="col">"Reused"</th>
                            <th scope="col">"Size"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || state.cache.get().into_iter().map(|e| {
                            let saved = crate::state::local_time(e.created_ms);
                            let columns: Vec<&str> = e.cached.safe_profile.columns.iter().map(|c| c.name.as_str()).collect();
                            let names = columns.join(", ");
                            view! {
                                <tr>
                                    <td>{saved}</td>
                                    <td title=names.clone()>{format!("{} ({})", columns.len(), crate::report::svg::cut(&names, 40))}</td>
                                    <td>{crate::state::grouped(e.cached.safe_profile.row_count)}</td>
                                    <td>{format!("{:.0} %", e.cached.strictness * 100.0)}</td>
                                    <td>{e.provenance().to_string()}</td>
                                    <td>{format!("{} ×", e.hits)}</td>
                                    <td>{human_bytes(e.bytes())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
                <div class="actions">
                    <button type="button" class="secondary clear-all" on:click=move |_| actions::clear_cache(state, None)>
                        "Clear all"
                    </button>
                    <label for="cache-days">"Clear entries older than "</label>
                    <input id="cache-days" class="cache-days" type="text" inputmode="decimal" size="4"
                        prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) />
                    " days "
                    <button type="button" class="secondary clear-older" on:click=clear_older>"Clear"</button>
                </div>
            </details>
        </section>
    }
}
