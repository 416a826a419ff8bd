//! One click per demo dataset: made-up rows from a spec in `public/demo/`, made in this
//! page by the same engine that makes synthetic data.

use crate::actions::{self, DEMOS};
use crate::state::AppState;
use leptos::prelude::*;

/// The demo buttons.
#[component]
pub fn DemoPicker(state: AppState) -> impl IntoView {
    view! {
        <section class="demos" aria-label="Demo datasets">
            <span class="small">"Or try a demo dataset (made-up data, no real people): "</span>
            {DEMOS
                .iter()
                .map(|(stem, label)| {
                    let stem: &'static str = stem;
                    view! {
                        <button type="button" class="secondary demo" data-demo=stem on:click=move |_| actions::add_demo(state, stem)>
                            {*label}
                        </button>
                    }
                })
                .collect_view()}
        </section>
    }
}
