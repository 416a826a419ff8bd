//! The relay's spec, shown before anything is generated: the user reads it, may edit
//! it, and sees the compiler's messages as they type.

use crate::actions;
use crate::state::{Card, Review};
use leptos::prelude::*;

/// The spec editor with live validation.
#[component]
pub fn SpecReview(card: Card, review: Review) -> impl IntoView {
    let problems = Memo::new(move |_| actions::check_spec(&review.text.get()));
    let id = format!("file-{}-spec", card.id);
    let source = review.request.with_value(|r| r.spec_source.to_string());
    view! {
        <section class="review" aria-label="Review the spec">
            <h3>"The spec from the relay"</h3>
            <p class="small">
                {format!("Written by {source}. It holds no row of your file, only what the SafeProfile said. Edit it if you like; it is checked as you type.")}
            </p>
            <label for=id.clone() class="visually-hidden">"Spec (JSON)"</label>
            <textarea
                id=id
                class="json spec-editor"
                spellcheck="false"
                rows="18"
                prop:value=move || review.text.get()
                on:input=move |ev| review.text.set(event_target_value(&ev))
            ></textarea>
            {move || {
                let p = problems.get();
                if p.is_empty() {
                    view! { <p class="valid small" role="status">"The spec is valid."</p> }.into_any()
                } else {
                    view! {
                        <ul class="problems" role="alert">
                            {p.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
            <div class="actions">
                <button type="button" class="primary use-spec" disabled=move || !problems.get().is_empty()
                    on:click=move |_| actions::accept_review(card)>
                    "Generate with this spec"
                </button>
                <button type="button" class="secondary" on:click=move |_| actions::discard_review(card)>
                    "Discard"
                </button>
            </div>
        </section>
    }
}
