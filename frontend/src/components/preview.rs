//! A few rows as a table.

use crate::protocol::Preview;
use leptos::prelude::*;

/// Rows under a caption, scrolling sideways when wide.
#[component]
pub fn PreviewTable(preview: Preview, caption: String) -> impl IntoView {
    let label = caption.clone();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="preview">
                <caption>{caption}</caption>
                <thead>
                    <tr>{preview.header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr>
                </thead>
                <tbody>
                    {preview
                        .rows
                        .into_iter()
                        .map(|row| {
                            view! {
                                <tr>
                                    {row
                                        .into_iter()
                                        .map(|cell| {
                                            if cell.is_empty() {
                                                view! { <td class="null">"∅"</td> }.into_any()
                                            } else {
                                                view! { <td>{cell}</td> }.into_any()
                                            }
                                        })
                                        .collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
