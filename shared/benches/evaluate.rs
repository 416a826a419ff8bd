//! Evaluation time on the largest public dataset: flights.csv (336,776 rows × 19
//! columns) against a synthetic table of the same size, made by shuffling each column
//! on its own (the "independent columns" baseline). Prints the seconds for the whole
//! report (fidelity, privacy with DCR on 5,000 rows, plots) and for each part.
//! Run with `cargo bench -p shared --bench evaluate [FILE]`.
//! Single-threaded, as in a browser worker.

#![allow(clippy::disallowed_methods)] // a benchmark measures time

use arrow::array::{ArrayRef, RecordBatch, UInt32Array};
use arrow::compute::take;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

fn shuffled_columns(table: &shared::Table, seed: u64) -> shared::Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rows = table.batch.num_rows() as u32;
    let columns: Vec<ArrayRef> = table
        .batch
        .columns()
        .iter()
        .map(|c| {
            let mut order: Vec<u32> = (0..rows).collect();
            order.shuffle(&mut rng);
            take(c.as_ref(), &UInt32Array::from(order), None).expect("in range")
        })
        .collect();
    shared::Table {
        batch: RecordBatch::try_new(table.batch.schema(), columns).expect("same schema"),
        ..table.clone()
    }
}

fn main() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets");
    let file = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "flights.csv".to_string());
    let bytes = std::fs::read(dir.join(&file)).expect("dataset present");
    let real = shared::read(&bytes, &file, &Default::default()).expect("reads");
    let synthetic = shuffled_columns(&real, 1);
    let profile = shared::profile(&real);
    println!(
        "{file}: {} rows × {} columns against a same-size synthetic table",
        real.batch.num_rows(),
        real.num_columns()
    );
    let runs = [
        ("full report (profile given)", true, Some(&profile), 5_000),
        ("full report (profile computed)", true, None, 5_000),
        ("without plots", false, Some(&profile), 5_000),
        ("without DCR", false, Some(&profile), 0),
    ];
    for (label, plots, real_profile, dcr_rows) in runs {
        let options = shared::EvaluateOptions {
            plots,
            real_profile,
            dcr_rows,
            ..Default::default()
        };
        let mut best = f64::MAX;
        let mut overall = None;
        for _ in 0..3 {
            let t = Instant::now();
            let report = shared::evaluate(&real, &synthetic, &options);
            best = best.min(t.elapsed().as_secs_f64());
            overall = report.fidelity.overall;
        }
        println!("  {label:32} {best:>7.2} s   (overall {overall:.4?})");
    }
}
