//! Every input the fuzzers ever crashed on (`tests/fuzz/regressions/TARGET/`), and
//! every seed they start from, through the same code the fuzz targets run: none may
//! panic. A crash found by `tests/fuzz/run.sh` lands there and stays a test.

// The fuzz targets' own set-up (their panic hook) is not used here.
#[allow(dead_code)]
#[path = "../../tests/fuzz/src/lib.rs"]
mod byod_fuzz;
use crate::common;

fn run(target: &str, bytes: &[u8]) {
    match target {
        "read_csv" => {
            byod_fuzz::read(bytes, "f.csv");
            byod_fuzz::read(bytes, "f.tsv");
        }
        "read_json" => {
            byod_fuzz::read(bytes, "f.json");
            byod_fuzz::read(bytes, "f.ndjson");
        }
        "read_xlsx" => byod_fuzz::read(bytes, "f.xlsx"),
        "read_xls" => byod_fuzz::read(bytes, "f.xls"),
        "read_parquet" => byod_fuzz::read(bytes, "f.parquet"),
        "spec" => byod_fuzz::spec(bytes),
        "safe_profile" => byod_fuzz::safe_profile(bytes),
        other => panic!("no fuzz target named {other}"),
    }
}

#[test]
fn every_saved_fuzz_crash_and_seed_runs_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz/regressions");
    let mut inputs = 0;
    if let Ok(targets) = std::fs::read_dir(&root) {
        for target in targets.flatten() {
            let name = target.file_name().to_string_lossy().into_owned();
            for file in std::fs::read_dir(target.path()).unwrap().flatten() {
                run(&name, &std::fs::read(file.path()).unwrap());
                inputs += 1;
            }
        }
    }
    // The seeds: one file of each kind.
    let ds = common::datasets();
    for (target, file) in [
        ("read_csv", "iris.csv"),
        ("read_json", "penguins.ndjson"),
        ("read_xlsx", "iris.xlsx"),
        ("read_xls", "penguins.xls"),
        ("read_parquet", "penguins.parquet"),
    ] {
        run(target, &std::fs::read(ds.join(file)).unwrap());
        inputs += 1;
    }
    let spec = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/every_kind.spec.json"),
    )
    .unwrap();
    run("spec", &spec);
    run(
        "safe_profile",
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/golden/penguins.csv.safe.json"),
        )
        .unwrap(),
    );
    assert!(inputs >= 5, "no input ran");
}

/// Found by the fuzzing campaign: Parquet files on which the parquet crate (or `bytes`
/// and `arrow-buffer` under it) panics instead of returning an error: an RLE run length
/// written as a varint of more than 10 bytes (`Num of bytes exceed MAX_VLQ_BYTE_LEN`), a
/// dictionary-encoded page without its dictionary (`Decoder for dict should have been
/// set`), a validity bitmap shorter than its page says (`offset + len out of bounds`),
/// a page header that slices past its chunk (`range end out of bounds`). The reader
/// contains each: the file is reported as one that does not decode.
#[test]
fn parquet_files_the_parquet_crate_panics_on_are_reported_as_corrupt() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fuzz/regressions/read_parquet");
    for name in [
        "overlong-rle-varint",
        "dictionary-page-missing",
        "bitmap-offset-out-of-bounds",
        "bytes-slice-out-of-bounds",
    ] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let e = shared::read(&bytes, "f.parquet", &byod_fuzz::limits())
            .expect_err("the file does not decode");
        assert_eq!(e.kind(), shared::ErrorKind::Malformed, "{name}: {e}");
        assert!(e.message().contains("Parquet reader failed"), "{name}: {e}");
    }
}
