//! `evaluate` agrees with SDMetrics 0.32: for every (real, synthetic) pair whose
//! SDMetrics figures `../shared/bench/sdv_out/scores.json` records (measured with
//! `../shared/bench/score.sh`), our overall, column shapes and both pair-trend figures
//! are within 0.01, and we score the same columns and pairs.

use crate::common;

use serde_json::Value;
use std::path::PathBuf;

fn shared_dir() -> PathBuf {
    common::datasets().join("..")
}

fn read(path: &PathBuf) -> shared::Table {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy();
    shared::read(&bytes, &name, &Default::default()).unwrap_or_else(|e| panic!("{e}"))
}

const TOLERANCE: f64 = 0.01;

#[test]
fn evaluate_matches_sdmetrics_on_every_recorded_pair() {
    let scores_path = shared_dir().join("bench/sdv_out/scores.json");
    let scores: Value = serde_json::from_slice(&std::fs::read(&scores_path).unwrap()).unwrap();
    let pairs = scores["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 15, "scores.json records 15 pairs");
    let mut failures = Vec::new();
    let mut worst = 0.0f64;
    for pair in pairs {
        let real_path = shared_dir().join(pair["real"].as_str().unwrap());
        let synth_path = shared_dir().join(pair["synthetic"].as_str().unwrap());
        let real = read(&real_path);
        let synth = read(&synth_path);
        let options = shared::EvaluateOptions {
            plots: false,
            dcr_rows: 5000,
            ..Default::default()
        };
        let report = shared::evaluate(&real, &synth, &options);
        let q = &pair["score"]["quality"];
        let f = &report.fidelity;
        let label = pair["synthetic"].as_str().unwrap();
        for (name, ours, theirs) in [
            ("overall", f.overall, &q["overall"]),
            ("column_shapes", f.column_shapes, &q["column_shapes"]),
            (
                "column_pair_trends",
                f.column_pair_trends,
                &q["column_pair_trends"],
            ),
            (
                "column_pair_trends_all_pairs",
                f.column_pair_trends_all_pairs,
                &q["column_pair_trends_all_pairs"],
            ),
        ] {
            let theirs = theirs.as_f64().unwrap();
            let ours = ours.unwrap_or(f64::NAN);
            let gap = (ours - theirs).abs();
            worst = worst.max(gap);
            eprintln!("{label:40} {name:30} ours {ours:.6} sdmetrics {theirs:.6} gap {gap:.6}");
            // Below 50,000 rows SDMetrics does not subsample: the figures are the same
            // to score.py's 6 decimals. Above, its unseeded subsample adds noise.
            let tolerance = if real.batch.num_rows() <= 50_000 {
                2e-6
            } else {
                TOLERANCE
            };
            if gap.is_nan() || gap > tolerance {
                failures.push(format!("{label} {name}: ours {ours} vs SDMetrics {theirs}"));
            }
        }
        // Privacy: same definitions on every row, so the same figures. DCR medians
        // agree exactly when neither table is subsampled (≤ 5,000 rows); the random
        // baseline is random, so its figure is compared in the summary only.
        let p = &pair["score"]["privacy"];
        let ours = &report.privacy;
        let dcr = ours.dcr_baseline_protection.as_ref().unwrap();
        let mut exact = vec![
            (
                "exact_copy_rate",
                ours.exact_copy_rate,
                &p["exact_copy_rate"],
            ),
            (
                "exact_copy_rate_stat_cols",
                ours.exact_copy_rate_stat_cols,
                &p["exact_copy_rate_stat_cols"],
            ),
            (
                "real_self_dup_rate_stat_cols",
                ours.real_self_dup_rate_stat_cols,
                &p["real_self_dup_rate_stat_cols"],
            ),
            (
                "synth_self_dup_rate_stat_cols",
                ours.synth_self_dup_rate_stat_cols,
                &p["synth_self_dup_rate_stat_cols"],
            ),
        ];
        if !dcr.subsampled {
            exact.push((
                "median_dcr_synthetic",
                dcr.median_dcr_synthetic,
                &p["dcr_baseline_protection"]["median_dcr_synthetic"],
            ));
        }
        for (name, ours, theirs) in exact {
            let theirs = theirs.as_f64().unwrap();
            // score.py rounds to 6 decimals.
            if (ours - theirs).abs() > 1e-6 {
                failures.push(format!("{label} {name}: ours {ours} vs score.py {theirs}"));
            }
        }
        for (name, ours, theirs) in [
            ("n_shape_columns", f.shape_columns, &q["n_shape_columns"]),
            ("n_pairs", f.pairs, &q["n_pairs"]),
            (
                "n_pairs_meeting_threshold",
                f.pairs_meeting_threshold,
                &q["n_pairs_meeting_threshold"],
            ),
        ] {
            if ours as u64 != theirs.as_u64().unwrap() {
                failures.push(format!("{label} {name}: ours {ours} vs SDMetrics {theirs}"));
            }
        }
    }
    eprintln!("largest gap: {worst:.6}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
