//! The SafeProfiles of a CSV and a Parquet file, and one evaluation report, are pinned in
//! `tests/golden/`; the wasm test (`tests/wasm.rs`) checks the same files, so native and
//! browser builds agree.
//! After an intended change, rewrite them with `BLESS=1 cargo test -p shared --test golden`.

mod common;

fn check(file: &str) {
    let golden = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/golden/{file}.safe.json"));
    let got =
        common::golden_safe_profile(&std::fs::read(common::datasets().join(file)).unwrap(), file);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert!(
        got == want,
        "{file}: SafeProfile differs from {} (BLESS=1 to accept)",
        golden.display()
    );
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
    let golden = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/penguins.sdv_gc.report.json");
    let read = |p: &str| std::fs::read(common::datasets().join(p)).unwrap();
    let got = common::golden_report(
        &read("penguins.csv"),
        "penguins.csv",
        &read("../bench/sdv_out/sdv_gc/penguins.csv"),
        "penguins.csv",
    );
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert!(
        got == want,
        "report differs from {} (BLESS=1 to accept)",
        golden.display()
    );
}

#[test]
fn published_json_schema_is_current() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("schema/safe-profile.schema.json");
    let got = serde_json::to_string_pretty(&shared::SafeProfile::json_schema()).unwrap() + "\n";
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        got == want,
        "{} is stale (BLESS=1 to regenerate)",
        path.display()
    );
}
