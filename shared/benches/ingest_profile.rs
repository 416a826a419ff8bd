//! Parse + profile throughput on the public datasets (a bench binary that prints
//! figures; run with `cargo bench -p shared --bench ingest_profile`).
//! Single-threaded: the core runs on one thread, as in a browser worker.

#![allow(clippy::disallowed_methods)] // a benchmark measures time

use std::time::Instant;

fn main() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets");
    let files = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect::<Vec<_>>();
    let files = if files.is_empty() {
        vec![
            "flights.csv".to_string(),
            "flights.parquet".into(),
            "diamonds.csv".into(),
            "diamonds.xlsx".into(),
            "diamonds.json".into(),
        ]
    } else {
        files
    };
    println!(
        "{:<22} {:>10} {:>9} {:>9} {:>9} {:>10}",
        "file", "MB", "read s", "profile s", "guard s", "MB/s"
    );
    for f in files {
        let bytes = std::fs::read(dir.join(&f)).expect("dataset present");
        let mb = bytes.len() as f64 / 1e6;
        let mut best = (f64::MAX, f64::MAX, f64::MAX);
        for _ in 0..3 {
            let t0 = Instant::now();
            let table = shared::read(&bytes, &f, &Default::default()).expect("reads");
            let t1 = Instant::now();
            let p = shared::profile(&table);
            let t2 = Instant::now();
            let _ = shared::guard(&p, &Default::default());
            let t3 = Instant::now();
            let r = (
                (t1 - t0).as_secs_f64(),
                (t2 - t1).as_secs_f64(),
                (t3 - t2).as_secs_f64(),
            );
            if r.0 + r.1 < best.0 + best.1 {
                best = r;
            }
        }
        println!(
            "{:<22} {:>10.1} {:>9.3} {:>9.3} {:>9.4} {:>10.1}",
            f,
            mb,
            best.0,
            best.1,
            best.2,
            mb / (best.0 + best.1)
        );
    }
}
