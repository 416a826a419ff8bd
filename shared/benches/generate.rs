//! Generation speed against SDV GaussianCopula, measured on this machine.
//!
//! - flights.csv end to end: read, profile, guard, template, compile, generate 336,776
//!   rows, write CSV (to memory);
//! - 1,000,000 rows from the diamonds spec written as CSV.
//!
//! One thread (as in a browser worker); `byod generate` also uses every core. When
//! `$BENCH_OUT/results/sdv_baseline.json` exists (run `sdv_baseline.py` first, in the
//! same session: the machines are noisy), the SDV figures and the ratios are printed.
//! Run with `cargo bench -p shared --bench generate`.

#![allow(clippy::disallowed_methods)] // a benchmark measures time

use shared::export::{ExportOptions, OutputFormat, to_bytes};
use std::time::Instant;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

fn spec_of(bytes: &[u8], name: &str) -> shared::spec::Spec {
    let table = shared::read(bytes, name, &Default::default()).expect("reads");
    let (safe, _) = shared::guard(&shared::profile(&table), &Default::default());
    shared::template::template(&safe, shared::template::DEFAULT_STRICTNESS)
}

fn main() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets");
    let flights = std::fs::read(dir.join("flights.csv")).expect("dataset present");
    let (flights_s, bytes) = best_of(3, || {
        let spec = spec_of(&flights, "flights.csv");
        let plan = shared::plan::compile(&spec).expect("compiles");
        let t = shared::generate::generate(&plan, 1, plan.default_rows, 0..plan.default_rows);
        to_bytes(&t, OutputFormat::Csv, &ExportOptions::default()).expect("writes")
    });
    println!(
        "flights.csv end to end (336,776 rows, {:.1} MB CSV out): {flights_s:.2} s",
        bytes.len() as f64 / 1e6
    );

    let diamonds = std::fs::read(dir.join("diamonds.csv")).expect("dataset present");
    let plan = shared::plan::compile(&spec_of(&diamonds, "diamonds.csv")).expect("compiles");
    let (million_s, bytes) = best_of(3, || {
        let mut out = Vec::new();
        let mut exporter = None;
        for start in (0..1_000_000u64).step_by(65_536) {
            let t = shared::generate::generate(
                &plan,
                1,
                1_000_000,
                start..(start + 65_536).min(1_000_000),
            );
            let e = exporter.get_or_insert_with(|| {
                shared::export::Exporter::new(
                    OutputFormat::Csv,
                    &t.columns,
                    t.batch.schema(),
                    ExportOptions::default(),
                    std::mem::take(&mut out),
                )
                .expect("opens")
            });
            e.write(&t).expect("writes");
        }
        exporter
            .expect("rows were written")
            .finish()
            .expect("finishes")
    });
    println!(
        "diamonds spec, 1,000,000 rows as CSV ({:.1} MB): {million_s:.2} s",
        bytes.len() as f64 / 1e6
    );

    let out = std::env::var("BENCH_OUT").unwrap_or_else(|_| "/tmp/byod-bench".into());
    let path = std::path::Path::new(&out).join("results/sdv_baseline.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!(
            "(no {}: run sdv_baseline.py for the ratios)",
            path.display()
        );
        return;
    };
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let gc = |name: &str| {
        v["runs"].as_array().and_then(|runs| {
            runs.iter()
                .find(|r| r["dataset"] == name && r["method"] == "sdv_gc")
                .map(|r| r["fit_s"].as_f64().unwrap_or(0.0) + r["sample_s"].as_f64().unwrap_or(0.0))
        })
    };
    if let Some(s) = gc("flights") {
        println!(
            "  SDV GaussianCopula fit+sample on flights: {s:.1} s → {:.0}× faster",
            s / flights_s
        );
    }
    let m = &v["million_row_sampling"];
    if let Some(s) = m["sample_1m_s"].as_f64() {
        let w = m["csv_write_s"].as_f64().unwrap_or(0.0);
        println!(
            "  SDV 1M-row sampling {s:.1} s (+{w:.1} s CSV) → {:.1}× faster ({:.1}× with its CSV write)",
            s / million_s,
            (s + w) / million_s
        );
    }
}
