//! The SafeProfiles of a CSV and a Parquet file are pinned in `tests/golden/`; the wasm
//! test (`tests/wasm.rs`) checks the same files, so native and browser builds agree.
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
