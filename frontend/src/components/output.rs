//! A finished generation: the report (fidelity next to the strictness asked for, a chart
//! per column, heatmaps, privacy), a preview, and the downloads.

use crate::components::preview::PreviewTable;
use crate::protocol::Scored;
use crate::report;
use crate::state::{Output, grouped, human_bytes};
use leptos::prelude::*;
use std::sync::Arc;

/// Charts drawn in the page; a wider table's others are in the HTML report.
const MAX_CHARTS: usize = 60;

/// " on N workers" when more than one worker did the work.
fn on_workers(workers: usize) -> String {
    if workers > 1 {
        format!(" on {workers} workers")
    } else {
        String::new()
    }
}

/// The result panel.
#[component]
pub fn OutputPanel(output: Arc<Output>) -> impl IntoView {
    let r = &output.result;
    let scored = match (&output.report, r.scored_rows < r.rows) {
        (None, _) => String::new(),
        (Some(rep), true) => format!(
            "; the first {} rows scored in {:.2} s{}",
            grouped(r.scored_rows),
            rep.scored.millis / 1000.0,
            on_workers(rep.scored.workers)
        ),
        (Some(rep), false) => format!(
            "; scored in {:.2} s{}",
            rep.scored.millis / 1000.0,
            on_workers(rep.scored.workers)
        ),
    };
    let seconds = r.millis / 1000.0;
    let rate = if r.millis > 0.0 {
        format!(", {} rows/s", grouped((r.rows as f64 / seconds) as u64))
    } else {
        String::new()
    };
    let rate = format!("{rate}{}", on_workers(r.workers));
    let rate = match &r.saved_to {
        Some(file) => format!("{rate}, written to {file} as made"),
        None if r.streamed => format!("{rate}, streamed to your downloads as made"),
        None => rate,
    };
    let asked = format!("{:.0} %", r.strictness.get() * 100.0);
    let report = output.report.clone();
    let overall = report
        .as_ref()
        .and_then(|x| report::headline(&x.scored.report)[0].1);
    view! {
        <section class="output" aria-label="Synthetic data">
            <h3>"Synthetic data"</h3>
            <dl class="figures">
                <div>
                    <dt>"Fidelity"</dt>
                    <dd class="fidelity">
                        {if report.is_some() || r.rows == 0 { report::percent(overall) } else { "scoring…".into() }}
                    </dd>
                </div>
                <div>
                    <dt>"Match strictness (setting)"</dt>
                    <dd class="asked">{asked.clone()}</dd>
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
            <div class="actions downloads">
                {(!r.streamed).then(|| view! {
                    <a class="button primary download" href=output.url.clone() download=r.file_name.clone()>
                        {format!("Download {}", r.file_name)}
                    </a>
                })}
                {report.clone().map(|rep| {
                    let stem = r.file_name.rsplit_once('.').map_or(r.file_name.clone(), |(s, _)| s.to_string());
                    view! {
                        <a class="button secondary report-json" href=rep.json_url download=format!("{stem}.report.json")>"Report (JSON)"</a>
                        <a class="button secondary report-html" href=rep.html_url download=format!("{stem}.report.html")>"Report (HTML)"</a>
                    }
                })}
            </div>
            {report.map(|rep| view! { <ReportView scored=rep.scored asked /> })}
            <details class="spec-used">
                <summary>"The spec these rows were made from"</summary>
                <pre class="json" tabindex="0">{serde_json::to_string_pretty(&r.spec).unwrap_or_default()}</pre>
            </details>
            <PreviewTable preview=r.preview.clone() caption="First synthetic rows".to_string() />
        </section>
    }
}

/// Figures, charts and privacy of one report.
#[component]
fn ReportView(scored: Scored, asked: String) -> impl IntoView {
    let Scored {
        report,
        charts,
        heatmaps,
        ..
    } = scored;
    let figures = report::headline(&report)
        .into_iter()
        .map(|(label, value, hint)| {
            view! {
                <div class="figure">
                    <dt>{label}</dt>
                    <dd>{report::percent(value)}</dd>
                    <dd class="hint small">{hint}</dd>
                    <dd class="hint small">{format!("strictness set to {asked}")}</dd>
                </div>
            }
        })
        .collect_view();
    let replaced = report.imitated.replaced.clone();
    let privacy = report::privacy_rows(&report)
        .into_iter()
        .map(|(label, value, hint, fine)| {
            view! {
                <tr class:bad=!fine>
                    <th scope="row">{label}</th>
                    <td class="value">{value}</td>
                    <td class="small">{hint}</td>
                </tr>
            }
        })
        .collect_view();
    // Each chart goes in on a later frame of its own, after the figures: parsing and
    // laying out every SVG at once held the UI thread for ~60 ms on wide tables.
    let hidden = charts.len().saturating_sub(MAX_CHARTS);
    let charts: Vec<String> = charts.into_iter().take(MAX_CHARTS).collect();
    let drawn = RwSignal::new(0usize);
    let total = charts.len() + 1; // the heatmaps come last, together
    for i in 1..=total {
        set_timeout(
            move || drawn.set(i),
            std::time::Duration::from_millis(16 * i as u64),
        );
    }
    let charts = charts
        .into_iter()
        .enumerate()
        .map(|(i, chart)| {
            let html = move || {
                if drawn.get() > i {
                    chart.clone()
                } else {
                    String::new()
                }
            };
            view! { <div class="chart" inner_html=html></div> }
        })
        .collect_view();
    let heatmaps = move || {
        let [real, synthetic] = [heatmaps.first(), heatmaps.get(1)];
        let (real, synthetic) = (real?.clone(), synthetic?.clone());
        (drawn.get() >= total).then(|| {
            view! {
                <h4>"Associations between columns, real beside synthetic"</h4>
                <div class="heatmaps">
                    <div class="chart heatmap" inner_html=real></div>
                    <div class="chart heatmap" inner_html=synthetic></div>
                </div>
            }
        })
    };
    view! {
        <section class="report" aria-label="Fidelity and privacy report">
            <h4>"Fidelity"</h4>
            <dl class="figures report-figures">{figures}</dl>
            {(!replaced.is_empty()).then(|| view! {
                <details class="replaced small">
                    <summary>{format!("Replaced by design, not scored in the headline: {}", replaced.len())}</summary>
                    <ul>{replaced.into_iter().map(|r| view! { <li><strong>{r.column}</strong>": " {r.by}</li> }).collect_view()}</ul>
                </details>
            })}
            <h4>"Privacy"</h4>
            <table class="privacy">
                <tbody>{privacy}</tbody>
            </table>
            <details class="charts-box" open>
                <summary>"Columns, real against synthetic"</summary>
                <div class="charts">{charts}</div>
                {(hidden > 0).then(|| view! {
                    <p class="small">{format!("{hidden} more columns are charted in the HTML report.")}</p>
                })}
            </details>
            {heatmaps}
        </section>
    }
}
