//! `byod profile` as a user runs it: JSON on stdout, exit 0; on bad input one line on
//! stderr and exit 1, never a panic.

use std::process::Command;

fn byod(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_byod"))
        .args(args)
        .output()
        .expect("runs")
}

fn dataset(f: &str) -> String {
    format!("{}/../../shared/datasets/{f}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn profile_prints_a_valid_safe_profile() {
    let out = byod(&["profile", &dataset("penguins.xlsx"), "--seed", "3"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = String::from_utf8(out.stdout).unwrap();
    let safe = shared::SafeProfile::from_json(&json).unwrap();
    assert_eq!(safe.row_count, 344);
    assert_eq!(safe.columns.len(), 8);
}

#[test]
fn full_and_withheld_views() {
    let out = byod(&[
        "profile",
        &dataset("airports.csv"),
        "--full",
        "--sample-size",
        "1000",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["row_count"], 3376);
    assert_eq!(v["sampled_rows"], 1000);
    let out = byod(&[
        "profile",
        &dataset("airports.csv"),
        "--withheld",
        "--seed",
        "1",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|w| w["column"] == "iata" && w["what"] == "all values"),
        "{v}"
    );
}

#[test]
fn sheet_option_reaches_excel() {
    let out = byod(&["profile", &dataset("penguins.xlsx"), "--sheet", "Missing"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no sheet named 'Missing'"), "{err}");
}

#[test]
fn bad_input_is_one_line_and_exit_1() {
    let dir = std::env::temp_dir().join(format!("byod-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", vec![], "empty"),
        (
            "garbage.csv",
            (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect(),
            "binary",
        ),
        (
            "data.csv",
            std::fs::read(dataset("penguins.parquet")).unwrap(),
            "named .csv",
        ),
        ("ragged.csv", b"a,b\n1,2\n1,2,3\n".to_vec(), "row 3"),
    ];
    for (name, bytes, expect) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = byod(&["profile", path.to_str().unwrap()]);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(expect), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let out = byod(&["profile", "/nonexistent/file.csv"]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(dir).ok();
}

/// Regression: `byod profile big.csv --full | head` printed "Broken pipe" and failed.
#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_byod"))
        .args(["profile", &dataset("diamonds.csv"), "--full"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is dropped here: the pipe closes while byod is still writing.
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
