//! The fidelity and privacy report as people read it: SVG charts and a self-contained
//! HTML file, drawn from [`shared::Report`] alone.
//!
//! Everything here is a pure function from the report to text (SVG or HTML), so the
//! page and the downloaded file show the same drawings, and the tests run natively.
//! Every label comes from the user's file (column names, category values), so every
//! label is escaped.

pub mod html;
pub mod svg;

use shared::Report;

/// Percent with one decimal, or "n/a".
pub fn percent(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{:.1} %", v * 100.0))
}

/// The headline figures, in the order shown: (label, measured, hint).
pub fn headline(r: &Report) -> Vec<(&'static str, Option<f64>, String)> {
    let f = &r.fidelity;
    // Over the columns the synthetic data imitates, when some are replaced by design
    // (names, emails, keys score near 0 as categories whatever is made).
    let overall = match &r.imitated.fidelity {
        Some(i) if !r.imitated.replaced.is_empty() => (
            i.overall,
            format!(
                "over the {} columns the synthetic data imitates; {} replaced by design are listed below. SDMetrics over every column: {}",
                i.shape_columns,
                r.imitated.replaced.len(),
                percent(f.overall)
            ),
        ),
        _ => (
            f.overall,
            "SDMetrics Quality Report: mean of column shapes and pair trends".into(),
        ),
    };
    vec![
        ("Overall fidelity", overall.0, overall.1),
        (
            "Column shapes",
            f.column_shapes,
            format!("over {} columns", f.shape_columns),
        ),
        (
            "Column pair trends",
            f.column_pair_trends,
            format!(
                "over the {} of {} pairs SDMetrics counts",
                f.pairs_meeting_threshold, f.pairs
            ),
        ),
        (
            "Validity",
            r.validity.held,
            if r.validity.relations.is_empty() {
                "no relation holds on every real row".into()
            } else {
                format!(
                    "relations of the real rows kept by the synthetic rows, over {}",
                    r.validity.relations.len()
                )
            },
        ),
    ]
}

/// The association matrices to draw: without the columns replaced by design (names,
/// keys, notes), whose made-up values would fill the heatmap with near-zero rows and
/// say nothing about the data.
pub fn heatmap_matrices(r: &Report) -> Option<shared::evaluate::CorrelationMatrices> {
    let m = r.correlation.as_ref()?;
    let keep: Vec<usize> = (0..m.columns.len())
        .filter(|&i| !r.imitated.replaced.iter().any(|x| x.column == m.columns[i]))
        .collect();
    if keep.len() < 2 {
        return None;
    }
    let pick = |rows: &[Vec<Option<f64>>]| -> Vec<Vec<Option<f64>>> {
        keep.iter()
            .map(|&i| keep.iter().map(|&j| rows[i][j]).collect())
            .collect()
    };
    Some(shared::evaluate::CorrelationMatrices {
        columns: keep.iter().map(|&i| m.columns[i].clone()).collect(),
        real: pick(&m.real),
        synthetic: pick(&m.synthetic),
    })
}

/// The privacy figures: (label, value, explanation, fine?). `fine` is false for what a
/// reader must look at (a withheld value found, copies beyond the table's own repeats).
pub fn privacy_rows(r: &Report) -> Vec<(&'static str, String, String, bool)> {
    let p = &r.privacy;
    let mut rows = vec![
        (
            "Exact copies of real rows",
            percent(Some(p.exact_copy_rate)),
            format!(
                "over every column; {} over the scored columns, where the real table repeats {} of its own rows",
                percent(Some(p.exact_copy_rate_stat_cols)),
                percent(Some(p.real_self_dup_rate_stat_cols))
            ),
            p.exact_copy_rate_stat_cols <= p.real_self_dup_rate_stat_cols + 0.01,
        ),
        (
            "Withheld values found",
            p.withheld.occurrences.to_string(),
            format!(
                "cells holding any of the {} real values the guard withheld (must be 0)",
                p.withheld.values_checked
            ),
            p.withheld.occurrences == 0,
        ),
    ];
    if let Some(d) = &p.dcr_baseline_protection {
        rows.push((
            "Distance to closest record",
            d.score.map_or("n/a".into(), |s| format!("{s:.3}")),
            format!(
                "median distance of a synthetic row to its closest real row {:.4}, of a random row {:.4} (1 = as far as random; {} rows)",
                d.median_dcr_synthetic, d.median_dcr_random_baseline, d.rows_synthetic
            ),
            d.zero_dcr_share <= p.real_self_dup_rate_stat_cols + 0.01,
        ));
    }
    for v in &p.verbatim {
        rows.push((
            "Verbatim copies",
            percent(Some(v.rate)),
            format!(
                "of {} synthetic values in {} ({}) also occur in the real column; {} are values only one real row holds",
                v.synthetic_values,
                v.column,
                v.why,
                percent(Some(v.unique_rate))
            ),
            !v.alarming(),
        ));
    }
    rows
}

#[cfg(test)]
pub(crate) mod tests {
    /// A real report: penguins against a template-made synthetic table.
    pub fn report() -> shared::Report {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/datasets/penguins.csv"
        );
        let bytes = std::fs::read(path).unwrap();
        let options = shared::pipeline::InspectOptions::with_guard_seed(0);
        let real = shared::pipeline::inspect(bytes, "penguins.csv", &options).unwrap();
        let spec = shared::pipeline::template_spec(&real.safe, shared::Strictness::DEFAULT);
        let synthetic = shared::pipeline::Synthesis::new(spec, Some(344), 3)
            .unwrap()
            .make(0..344);
        shared::evaluate(&real.table, &synthetic, &Default::default())
    }

    #[test]
    fn heatmaps_leave_out_columns_replaced_by_design() {
        let mut r = report();
        let all = r.correlation.clone().unwrap();
        assert_eq!(super::heatmap_matrices(&r).as_ref(), Some(&all));
        r.imitated.replaced.push(shared::evaluate::Replaced {
            column: "island".into(),
            by: "a city, made up".into(),
        });
        let m = super::heatmap_matrices(&r).unwrap();
        assert_eq!(m.columns.len(), all.columns.len() - 1);
        assert!(!m.columns.contains(&"island".to_string()));
        assert!(m.real.iter().all(|row| row.len() == m.columns.len()));
        let (a, b) = (&m.columns[0], &m.columns[1]);
        let at = |name: &str| all.columns.iter().position(|c| c == name).unwrap();
        assert_eq!(m.real[0][1], all.real[at(a)][at(b)]);
    }

    #[test]
    fn figures_and_privacy_rows_read_from_the_report() {
        let r = report();
        let head = super::headline(&r);
        assert_eq!(head[0].1, r.fidelity.overall);
        assert!(head[2].2.contains(&r.fidelity.pairs.to_string()));
        let privacy = super::privacy_rows(&r);
        let withheld = privacy
            .iter()
            .find(|p| p.0 == "Withheld values found")
            .unwrap();
        assert_eq!((withheld.1.as_str(), withheld.3), ("0", true));
        assert!(privacy.iter().any(|p| p.0 == "Distance to closest record"));
    }
}
