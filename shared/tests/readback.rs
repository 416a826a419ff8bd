//! Every output format reads back with the tools our users open it with: pandas
//! (`read_csv`, `read_json`), pyarrow (`read_parquet`) and openpyxl (`read_excel`).
//! The Python comes from `scripts/setup.sh` (`$BYOD_PYTHON`, default
//! `~/.cache/byod-py/bin/python`); without it this test fails and says how to get it.

use crate::common;

use shared::export::{ExportOptions, OutputFormat, to_bytes};
use std::process::Command;

// The script leaves by `os._exit` once its answer is flushed: pyarrow's C++ thread pool
// can abort the interpreter's teardown on a loaded machine ("terminate called without
// an active exception", once in a full test run, after the file was read), which is
// the reader's exit, not our file.
const READ: &str = r#"
import json, os, sys
import pandas as pd
path, fmt = sys.argv[1], sys.argv[2]
read = {
    "csv": lambda: pd.read_csv(path),
    "tsv": lambda: pd.read_csv(path, sep="\t"),
    "json": lambda: pd.read_json(path, orient="records"),
    "ndjson": lambda: pd.read_json(path, lines=True),
    "xlsx": lambda: pd.read_excel(path, engine="openpyxl"),
    "parquet": lambda: pd.read_parquet(path, engine="pyarrow"),
}[fmt]
df = read()
print(json.dumps({
    "rows": len(df),
    "columns": [str(c) for c in df.columns],
    "id_sum": int(df["id"].sum()),
    "visits_sum": int(df["visits"].sum()),
    "names": [str(x) for x in df["name"].head(3)],
    "phone_missing": int(df["phone"].isna().sum()),
}))
sys.stdout.flush()
os._exit(0)
"#;

fn python() -> String {
    std::env::var("BYOD_PYTHON").unwrap_or_else(|_| {
        format!(
            "{}/.cache/byod-py/bin/python",
            std::env::var("HOME").unwrap_or_default()
        )
    })
}

#[test]
fn pandas_pyarrow_and_openpyxl_read_every_format() {
    let spec = std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/every_kind.spec.json"),
    )
    .unwrap();
    let plan = shared::plan::compile(&shared::spec::Spec::from_json(&spec).unwrap()).unwrap();
    let table = shared::generate::generate(&plan, 1, 60, 0..60);
    let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let id_sum: i64 = (0..60).map(|i| 1000 + 7 * i).sum();
    let dir = std::env::temp_dir().join(format!("byod-readback-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let py = python();
    for format in OutputFormat::ALL {
        let path = dir.join(format!("out.{}", format.extension()));
        std::fs::write(
            &path,
            to_bytes(&table, format, &ExportOptions::default()).unwrap(),
        )
        .unwrap();
        let out = Command::new(&py)
            .args(["-c", READ, &path.display().to_string(), format.extension()])
            .output()
            .unwrap_or_else(|e| {
                panic!("{py}: {e}; run scripts/setup.sh or set BYOD_PYTHON to a Python with pandas, pyarrow and openpyxl")
            });
        assert!(
            out.status.success(),
            "{format:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(got["rows"], 60, "{format:?}");
        assert_eq!(got["columns"], serde_json::json!(names), "{format:?}");
        assert_eq!(got["id_sum"], id_sum, "{format:?}");
        let first_names: Vec<String> = (0..3)
            .map(|r| match common::value(table.batch.column(2), r) {
                common::V::Text(s) => s,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(got["names"], serde_json::json!(first_names), "{format:?}");
        let phone_missing = table.batch.column(4).null_count();
        assert_eq!(got["phone_missing"], phone_missing, "{format:?}");
        let visits: i64 = (0..60)
            .map(|r| match common::value(table.batch.column(16), r) {
                common::V::Int(v) => v,
                other => panic!("{other:?}"),
            })
            .sum();
        assert_eq!(got["visits_sum"], visits, "{format:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
