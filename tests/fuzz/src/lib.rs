//! What each fuzz target runs, as plain functions: `cargo fuzz` calls them with
//! libFuzzer's inputs, and the test command's smoke run (`tests/fuzz/smoke.sh`) and
//! the regression test (`shared/tests/fuzz_regressions.rs`) call the same code paths
//! on the saved corpora and crashes.
//!
//! Budgets are small so every input runs in milliseconds; a result is never checked
//! (an error is a fine answer), only that nothing panics, aborts or hangs.

use shared::{GuardOptions, IngestOptions, Limits};

/// Budgets small enough that one input never runs long.
pub fn limits() -> IngestOptions {
    IngestOptions {
        limits: Limits {
            max_input_bytes: 8 << 20,
            max_decompressed_bytes: 32 << 20,
            max_cells: 200_000,
            max_columns: 512,
            max_field_bytes: 1 << 20,
            max_json_depth: 64,
            max_json_bytes: 8 << 20,
        },
        sample_size: Some(5_000),
        sheet: None,
    }
}

/// bytes → table → profile → SafeProfile → spec → a few rows, as the page does; and
/// the same bytes through the streaming readers (CSV and TSV in pieces, Parquet a row
/// group at a time), which must not panic either.
pub fn read(bytes: &[u8], name: &str) {
    let _ = shared::ingest::read_source(&bytes, name, &limits());
    let Ok(table) = shared::read(bytes, name, &limits()) else {
        return;
    };
    let profile = shared::profile(&table);
    let (safe, _) = shared::guard(&profile, &GuardOptions::default());
    let json = serde_json::to_string(&safe).expect("a SafeProfile serialises");
    let again = shared::SafeProfile::from_json(&json).expect("the guard's output validates");
    make(&again);
}

/// SafeProfile → template → compile → a few rows, and the same through `recheck`.
pub fn make(safe: &shared::SafeProfile) {
    let (checked, _) = shared::guard::recheck(safe, &GuardOptions::default());
    for p in [safe, &checked] {
        let spec = shared::template::template(p, 0.8);
        if let Ok(plan) = shared::plan::compile(&spec) {
            rows(&plan);
        }
    }
}

fn rows(plan: &shared::plan::Plan) {
    let table = shared::generate::generate(plan, 1, 20, 0..20);
    let _ = shared::export::to_bytes(
        &table,
        shared::export::OutputFormat::Csv,
        &Default::default(),
    );
}

/// Spec JSON → compile → a few rows.
pub fn spec(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(spec) = shared::spec::Spec::from_json(text) else {
        return;
    };
    if let Ok(plan) = shared::plan::compile(&spec) {
        rows(&plan);
    }
}

/// SafeProfile JSON → validate → recheck → template → compile → a few rows.
pub fn safe_profile(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(p) = shared::SafeProfile::from_json(text) {
        make(&p);
    }
}

/// Crates whose panics `shared::read` contains (they become a "probably corrupt" error
/// natively; in the browser they end the worker, which the page reports and replaces).
/// `bytes` is there because parquet slices its pages with it (`Bytes::slice` out of
/// bounds on a page header that lies); the readers' own code does not slice `Bytes`.
const CONTAINED: [&str; 7] = [
    "/parquet-",
    "/arrow-",
    "/bytes-",
    "/calamine-",
    "/cfb-",
    "/zip-",
    "/quick-xml-",
];

/// libFuzzer's panic hook aborts on every panic, caught or not. A panic raised inside
/// one of the reader crates above is printed and let unwind to `shared::read`, which
/// turns it into an error; any other panic (ours) still aborts, and so does one that
/// escapes `shared::read` (libFuzzer's wrapper catches it and aborts).
pub fn let_the_readers_contain_their_crates_panics() {
    let abort_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let file = info.location().map(|l| l.file().replace('\\', "/"));
        match file {
            Some(f) if CONTAINED.iter().any(|c| f.contains(c)) => {
                eprintln!("contained panic in a reader crate: {info}");
            }
            _ => abort_hook(info),
        }
    }));
}
