//! The downloadable report: one HTML file with its styles and SVG charts inline, so it
//! opens anywhere, offline, and shows what the page showed.

use super::svg::{self, esc};
use shared::Report;
use std::fmt::Write;

/// What the report is about, beside the figures.
#[derive(Debug, Clone)]
pub struct About<'a> {
    /// The source file's name.
    pub file: &'a str,
    /// The synthetic file's name.
    pub output: &'a str,
    /// Strictness asked, 0..=1.
    pub strictness: f64,
    /// The seed.
    pub seed: u64,
    /// Who wrote the spec.
    pub spec_source: &'a str,
    /// The spec (JSON).
    pub spec: &'a str,
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;color:#1b2430;max-width:1100px;margin:2em auto;padding:0 1em}\
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}table{border-collapse:collapse}\
td,th{padding:.3em .8em;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}\
.bad{color:#b42318;font-weight:600}.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1em}\
.charts svg{width:100%;height:auto;border:1px solid #e5e7eb;border-radius:6px;background:#fff}\
pre{background:#f6f7f9;padding:1em;overflow:auto;max-height:30em}";

/// The report as a complete HTML document.
pub fn document(r: &Report, about: &About<'_>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Synthetic data report: {}</title><style>{STYLE}</style></head><body>",
        esc(about.file)
    );
    let _ = write!(
        out,
        "<h1>Synthetic data report: {}</h1><p>{} synthetic rows in <b>{}</b> against {} real rows. Match strictness asked: {:.0} %. Seed {}. Spec: {}.</p>",
        esc(about.file),
        r.rows.synthetic,
        esc(about.output),
        r.rows.real,
        about.strictness * 100.0,
        about.seed,
        esc(about.spec_source)
    );
    out.push_str(if r.real_side == "released" {
        "<p class=\"real-side\">The real side of every chart and matrix here is what the SafeProfile releases (named categories, quantiles between the k-th smallest and largest values, rounded correlations): no value the privacy guard withheld, no true extreme. This report can be shared like the SafeProfile.</p>"
    } else {
        "<p class=\"real-side bad\">This report was drawn from the real rows and holds real values: keep it on this machine like the original file.</p>"
    });
    out.push_str("<h2>Fidelity</h2><table>");
    for (label, value, hint) in super::headline(r) {
        let _ = write!(
            out,
            "<tr><th>{label}</th><td>{}</td><td>{}</td></tr>",
            super::percent(value),
            esc(&hint)
        );
    }
    let _ = write!(
        out,
        "<tr><th>Asked for</th><td>{:.0} %</td><td>match strictness</td></tr></table>",
        about.strictness * 100.0
    );
    out.push_str("<h2>Privacy</h2><table>");
    for (label, value, hint, fine) in super::privacy_rows(r) {
        let class = if fine { "" } else { " class=\"bad\"" };
        let _ = write!(
            out,
            "<tr><th>{label}</th><td{class}>{}</td><td>{}</td></tr>",
            esc(&value),
            esc(&hint)
        );
    }
    out.push_str("</table>");
    if !r.notes.is_empty() {
        out.push_str("<ul>");
        for n in &r.notes {
            let _ = write!(out, "<li>{}</li>", esc(n));
        }
        out.push_str("</ul>");
    }
    out.push_str("<h2>Columns, real against synthetic</h2><div class=\"charts\">");
    for c in &r.columns {
        if let Some(chart) = svg::column_chart(c) {
            out.push_str(&chart);
        }
    }
    out.push_str("</div>");
    if let Some(m) = &super::heatmap_matrices(r) {
        out.push_str("<h2>Associations between columns</h2><div class=\"charts\">");
        out.push_str(&svg::heatmap(m, "real"));
        out.push_str(&svg::heatmap(m, "synthetic"));
        out.push_str("</div>");
    }
    let _ = write!(
        out,
        "<h2>The spec</h2><details><summary>Show the spec the rows were made from</summary><pre>{}</pre></details>",
        esc(about.spec)
    );
    out.push_str("<p>Made by the BYOD synthetic data generator on this device. The charts show category labels from the real file: keep this report where the file may be.</p></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_self_contained_and_holds_every_chart() {
        let r = crate::report::tests::report();
        let about = About {
            file: "penguins.csv",
            output: "synthetic_penguins.csv",
            strictness: 0.8,
            seed: 3,
            spec_source: "template",
            spec: "{\"version\": 1}",
        };
        let html = document(&r, &about);
        assert!(html.starts_with("<!doctype html>") && html.ends_with("</html>"));
        // Nothing to fetch: no scripts, no external styles, images or fonts.
        for bad in ["<script", "src=", "<link", "url(", "@import"] {
            assert!(!html.contains(bad), "{bad}");
        }
        let charts = r.columns.iter().filter(|c| c.plot.is_some()).count() + 2;
        assert_eq!(html.matches("<svg").count(), charts);
        assert!(html.contains(&format!("{:.1} %", r.fidelity.overall.unwrap() * 100.0)));
        assert!(html.contains("{&quot;version&quot;: 1}"));
    }
}
