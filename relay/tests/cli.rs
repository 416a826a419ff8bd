//! `byod profile` and `byod evaluate` as a user runs them: output on stdout, exit 0; on
//! bad input one line on stderr and exit 1, never a panic.

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

fn sdv_output(f: &str) -> String {
    format!(
        "{}/../../shared/bench/sdv_out/sdv_gc/{f}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn evaluate_prints_a_summary_and_the_full_report_as_json() {
    let real = dataset("penguins.csv");
    let synth = sdv_output("penguins.csv");
    let out = byod(&["evaluate", &real, &synth]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // SDMetrics 0.32 gives this pair an overall score of 0.831232 (scores.json).
    assert!(text.contains("Overall                83.1%"), "{text}");
    assert!(text.contains("over the 17 of 28 pairs"), "{text}");
    assert!(text.contains("DCR baseline protection"), "{text}");

    let out = byod(&["evaluate", &real, &synth, "--json", "--holdout", &real]);
    assert!(out.status.success());
    let report: shared::Report = serde_json::from_slice(&out.stdout).unwrap();
    assert!((report.fidelity.overall.unwrap() - 0.831232).abs() < 1e-6);
    assert_eq!(report.rows.holdout, Some(344));
    assert!(report.privacy.dcr_overfitting_protection.is_some());
    assert!(report.columns.iter().all(|c| c.plot.is_some()));
}

#[test]
fn evaluate_flags_withheld_values_and_can_fail_on_them() {
    let dir = std::env::temp_dir().join(format!("byod-cli-evaluate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let real = dir.join("real.csv");
    let synth = dir.join("synth.csv");
    let values = dir.join("withheld.txt");
    std::fs::write(&real, "name,age\nAda Sentinel,30\nBob,41\nCy,52\nDee,63\n").unwrap();
    std::fs::write(
        &synth,
        "name,age\nEve,33\nAda Sentinel,40\nFay,50\nGus,61\n",
    )
    .unwrap();
    std::fs::write(&values, "Ada Sentinel\n\n").unwrap();
    let args = |extra: &[&str]| {
        let mut a = vec![
            "evaluate".to_string(),
            real.display().to_string(),
            synth.display().to_string(),
            "--withheld-values".to_string(),
            values.display().to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |a: Vec<String>| {
        Command::new(env!("CARGO_BIN_EXE_byod"))
            .args(a)
            .output()
            .unwrap()
    };
    let out = run(args(&[]));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("LEAK: \"Ada Sentinel\" in column name (1 cells, first at row 2)"),
        "{text}"
    );
    let out = run(args(&["--fail-on-leak"]));
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn evaluate_reports_a_bad_file_in_one_line() {
    let out = byod(&[
        "evaluate",
        &dataset("penguins.csv"),
        "/nonexistent/synth.csv",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/synth.csv"), "{err}");
}

#[test]
fn spec_then_generate_makes_a_file_that_reads_back() {
    let dir = std::env::temp_dir().join(format!("byod-cli-generate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("spec.json");
    let out = byod(&[
        "spec",
        &dataset("seattle_weather.csv"),
        "--seed",
        "1",
        "-o",
        &spec.display().to_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed = shared::spec::Spec::from_json(&std::fs::read_to_string(&spec).unwrap()).unwrap();
    assert_eq!(parsed.default_rows, 1461);

    for (ext, rows) in [("parquet", "3000"), ("xlsx", "100"), ("ndjson", "10")] {
        let path = dir.join(format!("out.{ext}"));
        let out = byod(&[
            "generate",
            "--spec",
            &spec.display().to_string(),
            "-n",
            rows,
            "--seed",
            "9",
            "-o",
            &path.display().to_string(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&path).unwrap();
        let t = shared::read(&bytes, &format!("out.{ext}"), &Default::default()).unwrap();
        assert_eq!(t.total_rows.to_string(), rows, "{ext}");
        assert_eq!(t.columns[0].logical, shared::LogicalType::Date, "{ext}");
    }
    // From a file, CSV on stdout, the original row count, the seed said on stderr.
    let out = byod(&["generate", &dataset("iris.csv")]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 151);
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .starts_with("byod: seed ")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_broken_spec_lists_its_problems() {
    let spec = format!(
        "{}/../shared/tests/fixtures/bad.spec.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = byod(&["generate", "--spec", &spec, "--seed", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("the spec has 14 problem(s)"), "{err}");
    assert!(
        err.contains("$.copula.columns[1]: no column named \"missing\""),
        "{err}"
    );
}

#[test]
fn parts_made_apart_join_into_the_single_runs_bytes() {
    let dir = std::env::temp_dir().join(format!("byod-parts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A German export (BOM, `;`, CRLF): the header and BOM belong to part 1 only.
    let mut csv = String::from("\u{FEFF}Kunde;Preis;Bezahlt\r\n");
    for r in 0..400 {
        csv += &format!(
            "{};{},{:02} €;{}\r\n",
            ["Acme AG", "Hooli GmbH"][r % 2],
            10 + r % 90,
            r % 100,
            ["Ja", "Nein"][r % 2]
        );
    }
    let input = dir.join("umsatz.csv");
    std::fs::write(&input, csv).unwrap();
    let input = input.to_str().unwrap();
    let spec = dir.join("spec.json");
    let out = byod(&[
        "spec",
        input,
        "--guard-seed",
        "2",
        "-o",
        spec.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spec = spec.to_str().unwrap();
    for (format, parts) in [("csv", 3u64), ("ndjson", 4), ("tsv", 1)] {
        let run = |part: Option<String>| {
            let mut args = vec![
                "generate", "--spec", spec, "-n", "70000", "--seed", "5", "--format", format,
            ];
            if let Some(p) = &part {
                args.extend(["--part", p.as_str()]);
            }
            let out = byod(&args);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let whole = run(None);
        let joined: Vec<u8> = (1..=parts)
            .flat_map(|k| run(Some(format!("{k}/{parts}"))))
            .collect();
        assert!(
            joined == whole,
            "{format}: {parts} parts differ from the single run"
        );
        if format == "csv" {
            assert!(whole.starts_with("\u{FEFF}Kunde;Preis".as_bytes()));
        }
    }
    // Parquet parts are whole files: read in order, they hold the single run's rows.
    let parquet = |part: &str, path: &std::path::Path| {
        let mut args = vec![
            "generate", "--spec", spec, "-n", "70000", "--seed", "5", "-o",
        ];
        let path = path.to_str().unwrap();
        args.push(path);
        if !part.is_empty() {
            args.extend(["--part", part]);
        }
        let out = byod(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        shared::read(&std::fs::read(path).unwrap(), path, &Default::default()).unwrap()
    };
    let whole = parquet("", &dir.join("whole.parquet"));
    let mut at = 0;
    for k in 1..=3 {
        let part = parquet(&format!("{k}/3"), &dir.join(format!("part-{k}.parquet")));
        let rows = part.batch.num_rows();
        assert!(rows > 20000, "part {k} has {rows} rows");
        assert_eq!(part.batch, whole.batch.slice(at, rows), "part {k}/3");
        at += rows;
    }
    assert_eq!(at, 70000);
    // The source's way, changed one part at a time from the command line.
    let out = byod(&[
        "generate",
        "--spec",
        spec,
        "-n",
        "10",
        "--seed",
        "5",
        "--line-ends",
        "lf",
        "--encoding",
        "utf-16le",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.starts_with(&[0xFF, 0xFE, b'K', 0]));
    assert!(
        !out.stdout.windows(4).any(|w| w == [b'\r', 0, b'\n', 0]),
        "LF only"
    );
    for (bad, why) in [("0/3", "K/P"), ("4/3", "K/P"), ("x", "K/P")] {
        let out = byod(&["generate", "--spec", spec, "--part", bad]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains(why));
    }
    let out = byod(&[
        "generate",
        "--spec",
        spec,
        "--part",
        "1/2",
        "--format",
        "xlsx",
        "-o",
        "/dev/null",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("CSV, TSV or NDJSON"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not xlsx"));
    std::fs::remove_dir_all(&dir).unwrap();
}
