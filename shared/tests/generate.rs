//! spec → plan → generate → export, on real profiles: the schema is pinned, bad specs
//! get every problem with its path, output is deterministic by row range, every format
//! reads back, sentinels never come out, and more strictness never measures lower.

use crate::common;

use common::{assert_pinned, column, pii, safe_profile};
use shared::export::{ExportOptions, OutputFormat, to_bytes};
use shared::plan::compile;
use shared::spec::Spec;

fn dataset_spec(file: &str, strictness: f64) -> Spec {
    let bytes = std::fs::read(common::datasets().join(file)).unwrap();
    shared::template::template(&safe_profile(&bytes, file), strictness)
}

fn csv(t: &shared::Table) -> Vec<u8> {
    to_bytes(t, OutputFormat::Csv, &ExportOptions::default()).unwrap()
}

#[test]
fn published_spec_schema_is_current() {
    let got = serde_json::to_string_pretty(&Spec::json_schema()).unwrap() + "\n";
    assert_pinned("schema/spec.schema.json", &got);
}

#[test]
fn a_bad_spec_gets_every_problem_with_its_path() {
    let json = std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad.spec.json"),
    )
    .unwrap();
    let spec = Spec::from_json(&json).unwrap();
    let problems = compile(&spec).unwrap_err();
    assert_pinned("tests/fixtures/bad.spec.errors.txt", &problems.to_string());
    let paths: Vec<&str> = problems.0.iter().map(|p| p.path.as_str()).collect();
    for want in [
        "$.version",
        "$.columns[1].name",
        "$.columns[0].generator.quantiles[2]",
        "$.columns[2].generator.values[0].weight",
        "$.copula.columns[1]",
        "$.constraints[0]",
    ] {
        assert!(paths.contains(&want), "{want} missing from {paths:?}");
    }
    // Unknown fields are refused before compiling.
    let err =
        Spec::from_json(r#"{"version":1,"default_rows":1,"columns":[],"colour":1}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field `colour`"), "{err}");
}

#[test]
fn any_row_range_equals_the_same_rows_of_a_full_run() {
    let plan = compile(&dataset_spec("penguins.csv", 0.8)).unwrap();
    let full = shared::generate::generate(&plan, 7, 10_000, 0..10_000);
    let part = shared::generate::generate(&plan, 7, 10_000, 4_000..9_000);
    let head = |t: &shared::Table, from: usize, len: usize| {
        let mut t = t.clone();
        t.batch = t.batch.slice(from, len);
        csv(&t)
    };
    assert_eq!(head(&full, 4_000, 5_000), head(&part, 0, 5_000));
    let other_seed = shared::generate::generate(&plan, 8, 10_000, 4_000..9_000);
    assert_ne!(head(&other_seed, 0, 5_000), head(&part, 0, 5_000));
}

#[test]
fn generated_rows_are_pinned() {
    assert_pinned(
        "tests/golden/penguins.generated.csv",
        &common::golden_generated(
            &std::fs::read(common::datasets().join("penguins.csv")).unwrap(),
            "penguins.csv",
        ),
    );
}

/// Every generator kind (made-up names, shapes, UUIDs, derived values, 12-hour and
/// epoch formats); the wasm test checks the same bytes in the browser.
#[test]
fn every_kind_is_pinned() {
    let spec = std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/every_kind.spec.json"),
    )
    .unwrap();
    assert_pinned(
        "tests/golden/every_kind.generated.csv",
        &common::golden_every_kind(&spec),
    );
}

#[test]
fn every_format_reads_back_to_the_same_table() {
    let mut spec = dataset_spec("seattle_weather.csv", 0.8);
    spec.columns.push(shared::spec::ColumnSpec {
        name: "formula".into(),
        null_rate: 0.1,
        written: Default::default(),
        generator: shared::spec::Generator::Pattern {
            shapes: vec![shared::spec::Weighted {
                value: "=A9+9".into(),
                weight: 1.0,
            }],
        },
    });
    let plan = compile(&spec).unwrap();
    let table = shared::generate::generate(&plan, 3, 500, 0..500);
    for format in OutputFormat::ALL {
        let bytes = to_bytes(&table, format, &ExportOptions::default()).unwrap();
        let name = format!("out.{}", format.extension());
        let back = shared::read(&bytes, &name, &Default::default()).unwrap();
        assert_eq!(back.batch.num_rows(), 500, "{name}");
        let names: Vec<&str> = back.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "date",
                "precipitation",
                "temp_max",
                "temp_min",
                "wind",
                "weather",
                "formula"
            ]
        );
        for (c, info) in table.columns.iter().enumerate() {
            let got = back.batch.column(c);
            let want = table.batch.column(c);
            for r in 0..500 {
                let (g, w) = (common::value(got, r), common::value(want, r));
                let neutralized = info.name == "formula"
                    && matches!(
                        format,
                        OutputFormat::Csv | OutputFormat::Tsv | OutputFormat::Xlsx
                    );
                match (&g, &w) {
                    (common::V::Text(g), common::V::Text(w)) if neutralized => {
                        assert_eq!(g, &format!("'{w}"), "{name} {}", info.name)
                    }
                    // Dates read back as dates from text formats; Parquet keeps the type.
                    (common::V::Date(_), common::V::Date(_)) | (_, _) => {
                        assert!(
                            common::same(&g, &w),
                            "{name} {} row {r}: {g:?} vs {w:?}",
                            info.name
                        )
                    }
                }
            }
        }
    }
}

#[test]
fn planted_sentinels_never_reach_the_synthetic_file() {
    let mut table = pii::generate(400, 11);
    let sentinels = [
        "Quixotic Zanzibar-Sentinel",
        "987-65-4329",
        "sentinel.leak@example.org",
    ];
    let col = |t: &pii::PiiTable, n: &str| t.names.iter().position(|x| *x == n).unwrap();
    let (name, ssn, email) = (
        col(&table, "full_name"),
        col(&table, "ssn"),
        col(&table, "email"),
    );
    // Repeated enough to pass any k: a category guard alone would let them through.
    for r in 0..40 {
        table.rows[r * 10][name] = sentinels[0].to_string();
        table.rows[r * 10 + 1][ssn] = sentinels[1].to_string();
        table.rows[r * 10 + 2][email] = sentinels[2].to_string();
    }
    let spec = shared::template::template(&safe_profile(&table.to_csv(b','), "p.csv"), 0.8);
    let spec_json = serde_json::to_string(&spec).unwrap();
    let plan = compile(&spec).unwrap();
    let synthetic = shared::generate::generate(&plan, 5, 400, 0..400);
    for s in sentinels {
        assert!(!spec_json.contains(s), "{s} in the spec");
    }
    for format in OutputFormat::ALL {
        let bytes = to_bytes(&synthetic, format, &ExportOptions::default()).unwrap();
        // Compressed formats are read back and scanned as values.
        let back = shared::read(
            &bytes,
            &format!("s.{}", format.extension()),
            &Default::default(),
        )
        .unwrap();
        let text = String::from_utf8_lossy(&csv(&back)).into_owned();
        for s in sentinels {
            assert!(!text.contains(s), "{s} in {format:?} output");
        }
    }
}

#[test]
fn more_strictness_never_measures_lower() {
    for file in [
        "iris.csv",
        "penguins.csv",
        "seattle_weather.csv",
        "cars.csv",
    ] {
        let real = common::read_dataset(file);
        let mut last = 0.0;
        for strictness in [0.3, 0.8, 0.95] {
            let plan = compile(&dataset_spec(file, strictness)).unwrap();
            let synth = shared::generate::generate(
                &plan,
                1,
                real.batch.num_rows() as u64,
                0..real.batch.num_rows() as u64,
            );
            let options = shared::EvaluateOptions {
                plots: false,
                dcr_rows: 0,
                ..Default::default()
            };
            let overall = shared::evaluate(&real, &synth, &options)
                .fidelity
                .overall
                .unwrap();
            eprintln!("{file} strictness {strictness}: overall {overall:.4}");
            // 0.8 and 0.95 differ in a few template choices only, so their figures can
            // swap by a seed's noise (cars: 0.74926 and 0.74920); a step down beyond
            // NOISE is a loss, and 0.3 → 0.8 gains 0.09 to 0.17 on these tables.
            const NOISE: f64 = 1e-3;
            assert!(
                overall >= last - NOISE,
                "{file}: {overall} at {strictness} < {last}"
            );
            last = overall;
        }
    }
}

/// Each column of each block has its own generator, seeded from (seed, block,
/// column): two columns with the same distribution and no correlation in the spec
/// must come out unrelated and different, at the seeds' edges too.
#[test]
fn columns_draw_from_streams_of_their_own() {
    let spec = Spec::from_json(
        r#"{
        "version": 1, "default_rows": 50000,
        "columns": [
          {"name": "a", "generator": {"kind": "numeric", "quantiles": [0, 1], "decimals": 9}},
          {"name": "b", "generator": {"kind": "numeric", "quantiles": [0, 1], "decimals": 9}}
        ]
      }"#,
    )
    .unwrap();
    let plan = compile(&spec).unwrap();
    for seed in [0, 1, u64::MAX] {
        let t = shared::generate::generate(&plan, seed, 50_000, 0..50_000);
        let (a, b) = (common::numbers(&t, "a"), common::numbers(&t, "b"));
        let r = common::pearson(&a, &b);
        assert!(r.abs() < 0.02, "seed {seed}: a and b correlate, r = {r}");
        let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
        assert_eq!(
            same, 0,
            "seed {seed}: {same} rows draw the same value twice"
        );
        // Blocks differ too: the second block is not the first again.
        assert_ne!(a[..4096], a[4096..8192], "seed {seed}: a block repeats");
    }
}

#[test]
fn derived_columns_hold_row_by_row() {
    let spec = Spec::from_json(
        r#"{
        "version": 1, "default_rows": 5000,
        "columns": [
          {"name": "a", "null_rate": 0.1, "generator": {"kind": "numeric", "quantiles": [0, 10, 100], "decimals": 1}},
          {"name": "b", "generator": {"kind": "numeric", "quantiles": [1, 2], "integer": true}},
          {"name": "total", "generator": {"kind": "derived", "derivation": {"op": "add", "left": "a", "right": "b"}}},
          {"name": "start", "generator": {"kind": "datetime", "quantiles": ["2024-01-01", "2024-12-31"],
             "logical_type": "date", "format": "%d/%m/%Y", "granularity": "day"}},
          {"name": "end", "generator": {"kind": "derived", "derivation": {"op": "date_offset", "from": "start", "offset_days": [0, 3, 30]}}},
          {"name": "name", "generator": {"kind": "semantic", "semantic": "full_name"}},
          {"name": "email", "generator": {"kind": "derived", "derivation": {"op": "email_from_name", "from": "name"}}}
        ],
        "constraints": [{"kind": "ordered", "low": "start", "high": "end"}]
      }"#,
    )
    .unwrap();
    let plan = compile(&spec).unwrap();
    let t = shared::generate::generate(&plan, 3, 5000, 0..5000);
    let (a, b, total) = (column(&t, "a"), column(&t, "b"), column(&t, "total"));
    let (start, end) = (column(&t, "start"), column(&t, "end"));
    let (name, email) = (column(&t, "name"), column(&t, "email"));
    let mut nulls = 0;
    for r in 0..5000 {
        match (
            common::value(a, r),
            common::value(b, r),
            common::value(total, r),
        ) {
            (common::V::Float(x), common::V::Int(y), common::V::Float(z)) => {
                assert!((x + y as f64 - z).abs() < 1e-9, "row {r}: {x} + {y} != {z}")
            }
            (common::V::Null, _, common::V::Null) => nulls += 1,
            other => panic!("row {r}: {other:?}"),
        }
        let (common::V::Date(s), common::V::Date(e)) =
            (common::value(start, r), common::value(end, r))
        else {
            panic!("dates expected")
        };
        assert!((0..=30).contains(&(e - s)), "row {r}: {s} → {e}");
        let (common::V::Text(n), common::V::Text(m)) =
            (common::value(name, r), common::value(email, r))
        else {
            panic!("text expected")
        };
        let first = n.split_whitespace().next().unwrap().to_ascii_lowercase();
        let first: String = first
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(
            m.starts_with(&first) && m.ends_with("@example.com"),
            "{n} → {m}"
        );
    }
    // The null rate is stratified: exactly 10 % of each block.
    assert!((495..=505).contains(&nulls), "{nulls}");
    // Derived dates keep their source's output format.
    let csv = String::from_utf8(csv(&t)).unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.split(',').nth(4).unwrap().matches('/').count() == 2,
        "{row}"
    );
}

#[test]
fn the_template_derives_emails_and_strict_rules() {
    let table = pii::generate(300, 4);
    let spec = shared::template::template(&safe_profile(&table.to_csv(b','), "p.csv"), 0.8);
    let email = spec.columns.iter().find(|c| c.name == "email").unwrap();
    assert!(
        matches!(&email.generator, shared::spec::Generator::Derived { derivation: shared::spec::Derivation::EmailFromName { from } } if from == "full_name"),
        "{email:?}"
    );

    let mut orders = String::from("price,qty,total\n");
    for i in 0..300u64 {
        let (p, q) = (5 + (i * 37) % 90, 1 + (i * 11) % 7);
        orders.push_str(&format!("{p},{q},{}\n", p * q));
    }
    let safe = safe_profile(orders.as_bytes(), "orders.csv");
    assert!(
        !safe.rules.is_empty(),
        "the profile finds total = price × qty"
    );
    let loose_total = shared::template::template(&safe, 0.8);
    assert!(matches!(
        loose_total.columns[2].generator,
        shared::spec::Generator::Numeric { .. }
    ));
    let strict = shared::template::template(&safe, 0.95);
    let plan = compile(&strict).unwrap();
    let t = shared::generate::generate(&plan, 1, 300, 0..300);
    for r in 0..300 {
        let vals: Vec<common::V> = (0..3)
            .map(|c| common::value(t.batch.column(c), r))
            .collect();
        let [common::V::Int(p), common::V::Int(q), common::V::Int(total)] = vals.as_slice() else {
            panic!("integers expected: {vals:?}")
        };
        assert_eq!(p * q, *total);
    }
}

#[test]
fn clock_derivations_need_a_clock_and_wrap_around_midnight() {
    let spec = |clock_encoding: &str| {
        Spec::from_json(&format!(
            r#"{{
            "version": 1, "default_rows": 2000,
            "columns": [
              {{"name": "sched", "generator": {{"kind": "numeric", "quantiles": [2200, 2359], "integer": true{clock_encoding}}}}},
              {{"name": "delay", "generator": {{"kind": "numeric", "quantiles": [-30, 180], "integer": true}}}},
              {{"name": "actual", "generator": {{"kind": "derived", "derivation": {{"op": "clock_add", "clock": "sched", "minutes": "delay"}}}}}},
              {{"name": "hour", "generator": {{"kind": "derived", "derivation": {{"op": "hour_of", "from": "sched"}}}}}},
              {{"name": "minute", "generator": {{"kind": "derived", "derivation": {{"op": "minute_of", "from": "sched"}}}}}}
            ]
          }}"#
        ))
        .unwrap()
    };
    let problems = compile(&spec("")).unwrap_err().to_string();
    assert!(
        problems.contains("$.columns[2].generator.derivation.clock")
            && problems.contains("clock_hhmm"),
        "{problems}"
    );
    let plan = compile(&spec(r#", "encoding": "clock_hhmm""#)).unwrap();
    let t = shared::generate::generate(&plan, 4, 2000, 0..2000);
    let mut wrapped = 0;
    for r in 0..2000 {
        let int = |name: &str| match common::value(column(&t, name), r) {
            common::V::Int(v) => v,
            other => panic!("{name} row {r}: {other:?}"),
        };
        let (sched, delay, actual) = (int("sched"), int("delay"), int("actual"));
        assert!(sched % 100 < 60 && actual % 100 < 60 && (0..2400).contains(&actual));
        let m = |v: i64| v / 100 * 60 + v % 100;
        assert_eq!(
            (m(sched) + delay - m(actual)).rem_euclid(1440),
            0,
            "row {r}"
        );
        assert_eq!(int("hour") * 100 + int("minute"), sched);
        wrapped += usize::from(actual < 600);
    }
    // Late evening plus up to three hours: some land after midnight.
    assert!(wrapped > 100, "{wrapped}");
}

#[test]
fn only_a_notable_repair_of_the_copula_is_a_warning() {
    let spec = |rho: f64| {
        Spec::from_json(&format!(
            r#"{{
            "version": 1, "default_rows": 100,
            "columns": [
              {{"name": "a", "generator": {{"kind": "numeric", "quantiles": [0, 1]}}}},
              {{"name": "b", "generator": {{"kind": "numeric", "quantiles": [0, 1]}}}},
              {{"name": "c", "generator": {{"kind": "numeric", "quantiles": [0, 1]}}}}
            ],
            "copula": {{"columns": ["a", "b", "c"], "correlation": [[1, {rho}, {rho}], [{rho}, 1, -{rho}], [{rho}, -{rho}, 1]]}}
          }}"#
        ))
        .unwrap()
    };
    // ρ = 0.5 is singular and 0.51 just not positive definite: repairs of a few percent,
    // as rounded correlations need. 0.9 is far from any consistent set.
    assert!(compile(&spec(0.5)).unwrap().warnings.is_empty());
    assert!(compile(&spec(0.51)).unwrap().warnings.is_empty());
    let warned = compile(&spec(0.9)).unwrap().warnings;
    assert!(
        warned.len() == 1 && warned[0].contains("weakened by"),
        "{warned:?}"
    );
}

/// Was: the XLSX writer stamped the clock's time (to the second) into the workbook,
/// so the same spec and seed gave different bytes a second apart.
#[test]
fn a_workbook_is_the_same_bytes_a_second_later() {
    let csv = b"ward,age\nA,34\nB,51\nA,29\nC,62\nB,45\nA,38\n";
    let table = common::synthesize(&safe_profile(csv, "w.csv"), 50, 3);
    let first = to_bytes(&table, OutputFormat::Xlsx, &ExportOptions::default()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = to_bytes(&table, OutputFormat::Xlsx, &ExportOptions::default()).unwrap();
    assert!(first == second, "two writes of one table differ");
}
