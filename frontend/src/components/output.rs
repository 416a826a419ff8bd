//! A finished generation: fidelity measured next to the strictness asked for, a preview,
//! and the download.

use crate::components::preview::PreviewTable;
use crate::state::{Output, grouped, human_bytes};
use leptos::prelude::*;
use std::sync::Arc;

fn percent(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{:.1} %", v * 100.0))
}

/// The result panel.
#[component]
pub fn OutputPanel(output: Arc<Output>) -> impl IntoView {
    let r = &output.result;
    let scored = if r.scored_rows < r.rows {
        format!(" (first {} rows scored)", grouped(r.scored_rows))
    } else {
        String::new()
    };
    let seconds = r.millis / 1000.0;
    let rate = if r.millis > 0.0 {
        format!(", {} rows/s", grouped((r.rows as f64 / seconds) as u64))
    } else {
        String::new()
    };
    view! {
        <section class="output" aria-label="Synthetic data">
            <h3>"Synthetic data"</h3>
            <dl class="figures">
                <div>
                    <dt>"Fidelity (SDMetrics quality)"</dt>
                    <dd class="fidelity">{percent(r.fidelity)}</dd>
                </div>
                <div>
                    <dt>"Match strictness asked"</dt>
                    <dd class="asked">{format!("{:.0} %", r.strictness * 100.0)}</dd>
                </div>
                <div>
                    <dt>"Column shapes"</dt>
                    <dd>{percent(r.column_shapes)}</dd>
                </div>
                <div>
                    <dt>"Pair trends"</dt>
                    <dd>{percent(r.column_pair_trends)}</dd>
                </div>
            </dl>
            <p class="made">
                {format!(
                    "{} rows, {}, in {:.2} s{rate}{scored}. Seed {}. Spec: {}.",
                    grouped(r.rows),
                    human_bytes(r.bytes),
                    seconds,
                    r.seed,
                    r.spec_source
                )}
            </p>
            {(!r.warnings.is_empty())
                .then(|| view! { <ul class="warnings">{r.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul> })}
            <a class="button primary download" href=output.url.clone() download=r.file_name.clone()>
                {format!("Download {}", r.file_name)}
            </a>
            <PreviewTable preview=r.preview.clone() caption="First synthetic rows".to_string() />
        </section>
    }
}
