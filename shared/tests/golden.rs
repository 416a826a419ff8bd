//! The SafeProfiles of a CSV and a Parquet file, and one evaluation report, are pinned in
//! `tests/golden/`; the wasm test (`tests/wasm.rs`) checks the same files, so native and
//! browser builds agree.
//! After an intended change, rewrite them with `BLESS=1 cargo test -p shared --test integration golden`.

use crate::common;

use common::assert_pinned;

fn check(file: &str) {
    let got =
        common::golden_safe_profile(&std::fs::read(common::datasets().join(file)).unwrap(), file);
    assert_pinned(&format!("tests/golden/{file}.safe.json"), &got);
}

#[test]
fn penguins_csv_safe_profile_is_pinned() {
    check("penguins.csv");
}

#[test]
fn seattle_weather_parquet_safe_profile_is_pinned() {
    check("seattle_weather.parquet");
}

/// The evaluation report of penguins against SDV's GaussianCopula output (with plots,
/// DCR subsampled to 200 rows so that the subsample and random baseline are exercised).
#[test]
fn penguins_evaluation_report_is_pinned() {
    let read = |p: &str| std::fs::read(common::datasets().join(p)).unwrap();
    let got = common::golden_report(
        &read("penguins.csv"),
        "penguins.csv",
        &read("../bench/sdv_out/sdv_gc/penguins.csv"),
        "penguins.csv",
    );
    assert_pinned("tests/golden/penguins.sdv_gc.report.json", &got);
}

#[test]
fn published_json_schema_is_current() {
    let got = serde_json::to_string_pretty(&shared::SafeProfile::json_schema()).unwrap() + "\n";
    assert_pinned("schema/safe-profile.schema.json", &got);
}
