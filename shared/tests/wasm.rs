//! In headless Chromium (wasm-bindgen-test): reading a CSV and a Parquet file gives the
//! same SafeProfile as natively, and evaluating a pair the same report (the golden files
//! `tests/golden.rs` pins).
#![cfg(target_arch = "wasm32")]

mod common;

use common::golden_safe_profile as safe_profile;
use wasm_bindgen_test::*;
wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn csv_safe_profile_matches_native() {
    let got = safe_profile(
        include_bytes!("../../../shared/datasets/penguins.csv"),
        "penguins.csv",
    );
    assert_eq!(got, include_str!("golden/penguins.csv.safe.json"));
}

/// Evaluation (fidelity, DCR with its seeded subsample and random baseline, plots) gives
/// byte-for-byte the report the native build pins.
#[wasm_bindgen_test]
fn evaluation_report_matches_native() {
    let got = common::golden_report(
        include_bytes!("../../../shared/datasets/penguins.csv"),
        "penguins.csv",
        include_bytes!("../../../shared/bench/sdv_out/sdv_gc/penguins.csv"),
        "penguins.csv",
    );
    assert_eq!(got, include_str!("golden/penguins.sdv_gc.report.json"));
}

/// The same spec and seed give the same rows in the browser as natively.
#[wasm_bindgen_test]
fn generated_rows_match_native() {
    let got = common::golden_generated(
        include_bytes!("../../../shared/datasets/penguins.csv"),
        "penguins.csv",
    );
    assert_eq!(got, include_str!("golden/penguins.generated.csv"));
}

/// Every generator kind, made-up values included, gives the same bytes as natively.
#[wasm_bindgen_test]
fn every_generator_kind_matches_native() {
    let got = common::golden_every_kind(include_str!("fixtures/every_kind.spec.json"));
    assert_eq!(got, include_str!("golden/every_kind.generated.csv"));
}

#[wasm_bindgen_test]
fn parquet_safe_profile_matches_native() {
    let got = safe_profile(
        include_bytes!("../../../shared/datasets/seattle_weather.parquet"),
        "seattle_weather.parquet",
    );
    assert_eq!(
        got,
        include_str!("golden/seattle_weather.parquet.safe.json")
    );
}

#[wasm_bindgen_test]
fn every_codec_reads_in_the_browser() {
    for (bytes, name) in [
        (
            &include_bytes!("../../../shared/datasets/penguins.zstd.parquet")[..],
            "p.zstd.parquet",
        ),
        (
            &include_bytes!("../../../shared/datasets/penguins.gzip.parquet")[..],
            "p.gzip.parquet",
        ),
        (
            &include_bytes!("../../../shared/datasets/penguins.xlsx")[..],
            "p.xlsx",
        ),
        (
            &include_bytes!("../../../shared/datasets/penguins.xls")[..],
            "p.xls",
        ),
    ] {
        let t = shared::read(bytes, name, &Default::default()).unwrap();
        assert_eq!(t.total_rows, 344, "{name}");
    }
}
