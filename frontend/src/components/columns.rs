//! The local column profile: kinds, missing values, personal-data flags.

use crate::protocol::ColumnSummary;
use leptos::prelude::*;

/// One row per column.
#[component]
pub fn ColumnTable(columns: Vec<ColumnSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Column profile">
            <table class="columns">
                <caption>"Column profile (stays in this page)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Column"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Missing"</th>
                        <th scope="col">"Distinct"</th>
                        <th scope="col">"Personal data"</th>
                    </tr>
                </thead>
                <tbody>
                    {columns
                        .into_iter()
                        .map(|c| {
                            let pii = c.pii;
                            let flag = match (&c.semantic, pii) {
                                (Some(s), true) => format!("⚠ {s}: withheld"),
                                (Some(s), false) => s.clone(),
                                (None, _) => String::new(),
                            };
                            view! {
                                <tr class:pii=pii>
                                    <th scope="row">{c.name}</th>
                                    <td>{c.logical}</td>
                                    <td>{c.kind}</td>
                                    <td>{format!("{:.1} %", c.null_rate * 100.0)}</td>
                                    <td>{crate::state::grouped(c.distinct)}</td>
                                    <td class="pii-flag">{flag}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
