//! SVG charts: a column's real-against-synthetic histogram or category bars, and an
//! association heatmap. Fixed sizes in a `viewBox`, so they scale with the page; text
//! never overflows (long labels are cut with an ellipsis, the full text in a tooltip).

use shared::evaluate::{ColumnReport, CorrelationMatrices, Plot, Role};
use std::fmt::Write;

/// The colour of real data.
pub const REAL: &str = "#2563a8";
/// The colour of synthetic data.
pub const SYNTHETIC: &str = "#e07b00";

const WIDTH: f64 = 360.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 40.0;
/// Categories drawn per chart (the rest are summed in "other").
const MAX_BARS: usize = 12;
/// Columns a heatmap shows (the first ones); wider tables would draw unreadable cells.
pub const MAX_HEATMAP_COLUMNS: usize = 40;

/// Escapes text for SVG and HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{head}…")
    }
}

/// A number for an axis: few digits, thousands as k/M.
pub fn axis_number(x: f64) -> String {
    let a = x.abs();
    if a >= 1e9 {
        format!("{:.3}G", x / 1e9)
    } else if a >= 1e6 {
        format!("{:.3}M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else if a >= 100.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
    .replace(".000", "")
}

/// A date from JavaScript milliseconds.
fn axis_date(ms: f64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map_or_else(|| axis_number(ms), |d| d.format("%Y-%m-%d").to_string())
}

fn share_label(x: f64) -> String {
    if x >= 0.1 {
        format!("{:.0} %", x * 100.0)
    } else {
        format!("{:.1} %", x * 100.0)
    }
}

fn open(out: &mut String, height: f64, title: &str, subtitle: &str) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" style="max-width:{}px" role="img" aria-label="{}" font-family="system-ui, sans-serif" font-size="11"><title>{}</title><text x="4" y="14" font-size="13" font-weight="600" fill="#1b2430">{}</text><text x="4" y="29" fill="#55606e">{}</text>"##,
        WIDTH * 1.5,
        esc(&format!("{title}: {subtitle}")),
        esc(title),
        esc(&cut(title, 44)),
        esc(&cut(subtitle, 32)),
    );
}

fn legend(out: &mut String, y: f64) {
    let x = WIDTH - RIGHT - 150.0;
    let _ = write!(
        out,
        r##"<rect x="{x}" y="{}" width="10" height="10" fill="{REAL}"/><text x="{}" y="{y}" fill="#1b2430">real</text><rect x="{}" y="{}" width="10" height="10" fill="{SYNTHETIC}"/><text x="{}" y="{y}" fill="#1b2430">synthetic</text>"##,
        y - 9.0,
        x + 14.0,
        x + 56.0,
        y - 9.0,
        x + 70.0,
    );
}

fn subtitle(c: &ColumnReport) -> String {
    let role = serde_json::to_value(c.role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    match (&c.metric, c.score) {
        (Some(m), Some(s)) => format!("{role} · {m} {s:.3}"),
        _ => format!("{role} · not scored"),
    }
}

/// The chart of one column, or `None` when the report has no plot for it.
pub fn column_chart(c: &ColumnReport) -> Option<String> {
    match c.plot.as_ref()? {
        Plot::Histogram {
            edges,
            real,
            synthetic,
            synthetic_below,
            synthetic_above,
            real_missing,
            synthetic_missing,
            clamped,
        } => Some(histogram(
            c,
            edges,
            real,
            synthetic,
            synthetic_below + synthetic_above,
            (*real_missing, *synthetic_missing),
            *clamped,
        )),
        Plot::Bars {
            labels,
            real,
            synthetic,
            real_other,
            synthetic_other,
            real_missing,
            synthetic_missing,
        } => Some(bars(
            c,
            labels,
            real,
            synthetic,
            (*real_other, *synthetic_other),
            (*real_missing, *synthetic_missing),
        )),
    }
}

fn histogram(
    c: &ColumnReport,
    edges: &[f64],
    real: &[f64],
    synthetic: &[f64],
    outside: f64,
    missing: (f64, f64),
    clamped: bool,
) -> String {
    let height = 200.0;
    let bottom = height - 34.0;
    let plot_w = WIDTH - LEFT - RIGHT;
    let top = real
        .iter()
        .chain(synthetic)
        .fold(0.0f64, |m, x| m.max(*x))
        .max(1e-9);
    let mut out = String::new();
    open(&mut out, height, &c.name, &subtitle(c));
    legend(&mut out, 29.0);
    // Axes and the top share.
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#8a94a3"/><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#8a94a3"/><text x="{}" y="{}" text-anchor="end" fill="#55606e">{}</text><text x="{}" y="{bottom}" text-anchor="end" fill="#55606e">0</text>"##,
        WIDTH - RIGHT,
        LEFT - 4.0,
        TOP + 8.0,
        share_label(top),
        LEFT - 4.0,
    );
    let n = real.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = (slot / 2.0 - 0.5).max(0.5);
    for (i, (r, s)) in real.iter().zip(synthetic).enumerate() {
        let x = LEFT + slot * i as f64 + 0.5;
        for (k, (v, colour)) in [(r, REAL), (s, SYNTHETIC)].into_iter().enumerate() {
            let h = (bottom - TOP) * v / top;
            let _ = write!(
                out,
                r##"<rect x="{:.1}" y="{:.1}" width="{bar:.1}" height="{h:.1}" fill="{colour}"><title>{}</title></rect>"##,
                x + bar * k as f64,
                bottom - h,
                esc(&format!(
                    "{} {}–{}: {}",
                    if k == 0 { "real" } else { "synthetic" },
                    axis_number(edges.get(i).copied().unwrap_or(0.0)),
                    axis_number(edges.get(i + 1).copied().unwrap_or(0.0)),
                    share_label(*v)
                )),
            );
        }
    }
    let label = |x: f64| {
        if c.role == Role::Datetime {
            axis_date(x)
        } else {
            axis_number(x)
        }
    };
    let (lo, hi) = (
        edges.first().copied().unwrap_or(0.0),
        edges.last().copied().unwrap_or(0.0),
    );
    let _ = write!(
        out,
        r##"<text x="{LEFT}" y="{}" fill="#55606e">{}</text><text x="{}" y="{}" text-anchor="end" fill="#55606e">{}</text>"##,
        bottom + 13.0,
        esc(&label(lo)),
        WIDTH - RIGHT,
        bottom + 13.0,
        esc(&label(hi)),
    );
    let mut notes = vec![format!(
        "missing {} real, {} synthetic",
        share_label(missing.0),
        share_label(missing.1)
    )];
    if outside > 0.0 {
        notes.push(format!(
            "{} synthetic outside the real range",
            share_label(outside)
        ));
    }
    if clamped {
        notes.push("axis: real 1st–99th percentile, end bars hold the rest".into());
    }
    let _ = write!(
        out,
        r##"<text x="{LEFT}" y="{}" fill="#55606e">{}</text></svg>"##,
        height - 4.0,
        esc(&notes.join(" · "))
    );
    out
}

fn bars(
    c: &ColumnReport,
    labels: &[String],
    real: &[f64],
    synthetic: &[f64],
    other: (f64, f64),
    missing: (f64, f64),
) -> String {
    // Rows: the top categories, then "other" (the rest plus those beyond MAX_BARS),
    // then "missing".
    let shown = labels.len().min(MAX_BARS);
    let mut rows: Vec<(String, f64, f64, bool)> = (0..shown)
        .map(|i| (labels[i].clone(), real[i], synthetic[i], false))
        .collect();
    let rest = |v: &[f64]| v.iter().skip(shown).sum::<f64>();
    let (ro, so) = (other.0 + rest(real), other.1 + rest(synthetic));
    if ro > 0.0005 || so > 0.0005 {
        rows.push(("(other)".into(), ro, so, true));
    }
    if missing.0 > 0.0005 || missing.1 > 0.0005 {
        rows.push(("(missing)".into(), missing.0, missing.1, true));
    }
    let row_h = 20.0;
    let height = TOP + row_h * rows.len() as f64 + 8.0;
    let label_w = 110.0;
    let plot_x = 4.0 + label_w + 4.0;
    let plot_w = WIDTH - plot_x - RIGHT - 44.0;
    let top = rows
        .iter()
        .fold(0.0f64, |m, r| m.max(r.1).max(r.2))
        .max(1e-9);
    let mut out = String::new();
    open(&mut out, height, &c.name, &subtitle(c));
    legend(&mut out, 29.0);
    for (i, (label, r, s, muted)) in rows.iter().enumerate() {
        let y = TOP + row_h * i as f64;
        let fill = if *muted { "#55606e" } else { "#1b2430" };
        let _ = write!(
            out,
            r##"<text x="{}" y="{:.1}" text-anchor="end" fill="{fill}"><title>{}</title>{}</text>"##,
            4.0 + label_w,
            y + 13.0,
            esc(label),
            esc(&cut(label, 16)),
        );
        for (k, (v, colour)) in [(r, REAL), (s, SYNTHETIC)].into_iter().enumerate() {
            let w = plot_w * v / top;
            let _ = write!(
                out,
                r##"<rect x="{plot_x}" y="{:.1}" width="{w:.1}" height="8" fill="{colour}"><title>{}</title></rect>"##,
                y + 2.0 + 9.0 * k as f64,
                esc(&format!(
                    "{} {label}: {}",
                    if k == 0 { "real" } else { "synthetic" },
                    share_label(*v)
                )),
            );
        }
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" fill="#55606e">{}</text>"##,
            plot_x + plot_w * r.max(*s) / top + 4.0,
            y + 13.0,
            share_label(*r),
        );
    }
    out.push_str("</svg>");
    out
}

/// A colour for an association: blue for positive, red for negative, white for 0.
fn heat(v: Option<f64>) -> String {
    match v {
        None => "#e5e7eb".into(),
        Some(v) => {
            let v = v.clamp(-1.0, 1.0);
            let (r, g, b) = if v >= 0.0 {
                (37, 99, 168)
            } else {
                (192, 57, 43)
            };
            let t = v.abs();
            let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * t).round() as u8;
            format!("#{:02x}{:02x}{:02x}", mix(r), mix(g), mix(b))
        }
    }
}

/// One heatmap: `which` is "real" or "synthetic".
pub fn heatmap(m: &CorrelationMatrices, which: &str) -> String {
    let values = if which == "real" {
        &m.real
    } else {
        &m.synthetic
    };
    let n = m.columns.len().clamp(1, MAX_HEATMAP_COLUMNS);
    let label_w = 96.0;
    let cell = ((WIDTH - label_w - RIGHT) / n as f64).clamp(6.0, 28.0);
    let grid = cell * n as f64;
    let height = TOP + label_w + grid + 24.0;
    // Room on the right for the last column's slanted label.
    let width = label_w + grid + RIGHT + 40.0;
    let show_labels = cell >= 9.0;
    let mut out = String::new();
    let title = if m.columns.len() > n {
        format!(
            "Associations, {which} (first {n} of {} columns)",
            m.columns.len()
        )
    } else {
        format!("Associations, {which}")
    };
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" style="max-width:{:.0}px" role="img" aria-label="{}" font-family="system-ui, sans-serif" font-size="{}"><title>{}</title><text x="4" y="14" font-size="13" font-weight="600" fill="#1b2430">{}</text><text x="4" y="29" font-size="11" fill="#55606e">Pearson r (numbers) or Cramér's V</text>"##,
        width * 1.5,
        esc(&title),
        (cell * 0.8).clamp(7.0, 11.0),
        esc(&title),
        esc(&title),
    );
    let x0 = label_w;
    let y0 = TOP + label_w;
    for (i, name) in m.columns.iter().take(n).enumerate() {
        if show_labels {
            let short = esc(&cut(name, 14));
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#1b2430">{short}</text><text transform="translate({:.1},{:.1}) rotate(-60)" fill="#1b2430">{short}</text>"##,
                x0 - 3.0,
                y0 + cell * i as f64 + cell * 0.7,
                x0 + cell * i as f64 + cell * 0.6,
                y0 - 3.0,
            );
        }
        for j in 0..n {
            let v = values.get(i).and_then(|row| row.get(j)).copied().flatten();
            let _ = write!(
                out,
                r##"<rect x="{:.1}" y="{:.1}" width="{cell:.1}" height="{cell:.1}" fill="{}" stroke="#fff" stroke-width="0.5"><title>{}</title></rect>"##,
                x0 + cell * j as f64,
                y0 + cell * i as f64,
                heat(v),
                esc(&format!(
                    "{} × {}: {}",
                    name,
                    m.columns[j],
                    v.map_or("n/a".into(), |v| format!("{v:.2}"))
                )),
            );
        }
    }
    let _ = write!(
        out,
        r##"<text x="4" y="{:.1}" font-size="10" fill="#55606e">blue: positive · red: negative</text></svg>"##,
        height - 6.0
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_a_real_report_draws_and_labels_are_escaped() {
        let r = crate::report::tests::report();
        for c in &r.columns {
            let svg = column_chart(c).unwrap();
            assert!(
                svg.starts_with("<svg") && svg.ends_with("</svg>"),
                "{}",
                c.name
            );
            assert!(svg.contains(&esc(&c.name)), "{}", c.name);
            assert!(
                !svg.contains("NaN") && !svg.contains("inf"),
                "{}: {svg}",
                c.name
            );
        }
        let m = r.correlation.as_ref().unwrap();
        let real = heatmap(m, "real");
        assert_eq!(real.matches("<rect").count(), m.columns.len().pow(2));
        // A wide table: the first columns only, and the title says so.
        let wide = CorrelationMatrices {
            columns: (0..100).map(|i| format!("c{i}")).collect(),
            real: vec![vec![Some(0.5); 100]; 100],
            synthetic: vec![vec![None; 100]; 100],
        };
        let svg = heatmap(&wide, "real");
        assert_eq!(svg.matches("<rect").count(), MAX_HEATMAP_COLUMNS.pow(2));
        assert!(svg.contains("first 40 of 100 columns"));
        // A hostile label is text, not markup.
        let mut c = r.columns[0].clone();
        c.name = "<script>alert(1)</script>".into();
        let svg = column_chart(&c).unwrap();
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn axis_text_is_short() {
        assert_eq!(axis_number(1234.0), "1234");
        assert_eq!(axis_number(45_000.0), "45.0k");
        assert_eq!(axis_number(2_500_000.0), "2.500M");
        assert_eq!(axis_number(0.25), "0.250");
        assert_eq!(cut("abcdefghij", 5), "abcd…");
        assert_eq!(axis_date(0.0), "1970-01-01");
        assert_eq!(heat(Some(0.0)), "#ffffff");
        assert_eq!(heat(Some(1.0)), "#2563a8");
    }
}
