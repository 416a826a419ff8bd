//! The local column profile: kinds, missing values, personal-data flags.

use leptos::prelude::*;
use shared::ColumnSummary;

/// One row per column; the personal-data flag second, so a phone's width shows it.
#[component]
pub fn ColumnTable(columns: Vec<ColumnSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Column profile">
            <table class="columns">
                <caption>"Column profile (stays in this page)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Column"</th>
                        <th scope="col">"Personal data"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Missing"</th>
                        <th scope="col">"Distinct"</th>
                    </tr>
                </thead>
                <tbody>
                    {columns
                        .into_iter()
                        .map(|c| {
                            let pii = c.sensitive;
                            let flag = match (c.semantic_type.map(|s| wire_name(&s)), pii) {
                                (Some(s), true) => format!("⚠ {s}: withheld"),
                                (Some(s), false) => s,
                                (None, _) => String::new(),
                            };
                            view! {
                                <tr class:pii=pii>
                                    <th scope="row">{c.name}</th>
                                    <td class="pii-flag">{flag}</td>
                                    <td>{wire_name(&c.logical_type)}</td>
                                    <td>{wire_name(&c.kind)}</td>
                                    <td>{format!("{:.1} %", c.null_rate * 100.0)}</td>
                                    <td>{c.distinct.map(crate::state::grouped).unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A value-free enum's name as the SafeProfile writes it (`person_name`), so the table
/// and the JSON beside it use the same words.
fn wire_name(v: &impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
