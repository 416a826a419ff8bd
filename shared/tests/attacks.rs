//! The core under attack: one test per attack, each asserting that the attack fails.
//! Every input here is small and hand-made, the way an attacker (or the outside review
//! that found these) would make it. Regression tests: each failed on the guard, readers
//! and compiler before the fixes named in its comment.

#[path = "common/bombs.rs"]
mod bombs;
use crate::common;
use shared::{ErrorKind, GuardOptions, IngestOptions, Limits, SafeProfile};

fn read(bytes: &[u8], name: &str) -> shared::Result<shared::Table> {
    shared::read(bytes, name, &IngestOptions::default())
}

fn read_within(bytes: &[u8], name: &str, limits: Limits) -> shared::Result<shared::Table> {
    shared::read(
        bytes,
        name,
        &IngestOptions {
            limits,
            ..Default::default()
        },
    )
}

fn guard_csv(csv: &str, seed: u64) -> (SafeProfile, String) {
    let t = read(csv.as_bytes(), "t.csv").unwrap();
    let (safe, _) = shared::guard(
        &shared::profile(&t),
        &GuardOptions {
            seed,
            ..Default::default()
        },
    );
    let json = serde_json::to_string(&safe).unwrap();
    (safe, json)
}

fn limit_error(r: shared::Result<shared::Table>) -> String {
    let e = r.expect_err("the input should be refused");
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    e.to_string()
}

// ---------------------------------------------------------------- budgets

/// Was: calamine built the whole 2^34-cell range (`memory allocation of 549755813888
/// bytes failed`, the process gone).
#[test]
fn a_workbook_with_cells_in_a1_and_xfd1048576_is_refused_before_anything_is_allocated() {
    let bytes = bombs::xlsx_far_cells();
    assert!(bytes.len() < 2_000, "{} bytes", bytes.len());
    let msg = limit_error(read(&bytes, "far.xlsx"));
    assert!(msg.contains("1048576 rows × 16384 columns"), "{msg}");
}

#[test]
fn a_sheet_just_over_the_cell_budget_is_refused_and_one_at_it_reads() {
    let limits = |cells| Limits {
        max_cells: cells,
        ..Limits::default()
    };
    // 100 rows (a header and 99 data rows) × 10 columns = 1,000 cells.
    let t = read_within(&bombs::xlsx_extent(100, 10), "ok.xlsx", limits(1_000)).unwrap();
    assert_eq!((t.total_rows, t.columns.len()), (99, 10));
    limit_error(read_within(
        &bombs::xlsx_extent(101, 10),
        "over.xlsx",
        limits(1_000),
    ));
}

/// Was: the declared sizes of the zip directory were summed; the entry then inflated
/// in full.
#[test]
fn a_workbook_whose_zip_directory_understates_the_inflated_size_is_refused() {
    let bytes = bombs::xlsx_lying_size(3 << 20);
    assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
    let e = read_within(
        &bytes,
        "lying.xlsx",
        Limits {
            max_decompressed_bytes: 1 << 20,
            ..Limits::default()
        },
    )
    .unwrap_err();
    // Counted as it inflates: past the budget, or past what it declared (the zip
    // reader stops there), whichever comes first; never inflated in full.
    assert!(
        matches!(e.kind(), ErrorKind::LimitExceeded | ErrorKind::Malformed),
        "{e}"
    );
    assert!(e.to_string().contains("sheet1.xml"), "{e}");
}

/// Was: calamine reserved the declared hundred billion strings at open (an abort).
#[test]
fn a_shared_string_table_that_declares_more_strings_than_it_holds_is_refused() {
    let e = read(&bombs::xlsx_string_count_bomb(), "sst.xlsx").unwrap_err();
    assert!(
        e.to_string().contains("declares 100000000000 strings"),
        "{e}"
    );
}

/// Was: calamine reserved the DIMENSIONS record's rows × columns for the sheet.
#[test]
fn an_xls_declaring_billions_of_cells_is_refused() {
    let original = std::fs::read(common::datasets().join("penguins.xls")).unwrap();
    // Open the container, patch the sheet's DIMENSIONS (0x0200) to 4 billion rows ×
    // 256 columns, write it back.
    let mut file = cfb::CompoundFile::open(std::io::Cursor::new(original)).unwrap();
    let mut stream = Vec::new();
    std::io::Read::read_to_end(&mut file.open_stream("/Workbook").unwrap(), &mut stream).unwrap();
    let mut pos = 0;
    let mut patched = 0;
    while pos + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[pos], stream[pos + 1]]);
        let len = u16::from_le_bytes([stream[pos + 2], stream[pos + 3]]) as usize;
        if typ == 0x0200 && len >= 14 {
            stream[pos + 8..pos + 12].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes());
            stream[pos + 14..pos + 16].copy_from_slice(&256u16.to_le_bytes());
            patched += 1;
        }
        pos += 4 + len;
    }
    assert!(patched > 0, "the workbook has a DIMENSIONS record");
    let mut out =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))
            .unwrap();
    std::io::Write::write_all(&mut out.create_stream("/Workbook").unwrap(), &stream).unwrap();
    out.flush().unwrap();
    let bytes = out.into_inner().into_inner();
    let msg = limit_error(read(&bytes, "dims.xls"));
    assert!(msg.contains("declare or span"), "{msg}");
}

/// Was: the dense rows × columns grid (4,096 × 1,000,000 cells of 24 bytes) was built
/// before the cell limit ran.
#[test]
fn ndjson_with_4096_keys_then_a_million_empty_records_is_refused_early() {
    let bytes = bombs::ndjson_wide_then_empty(4096, 1_000_000);
    assert!(bytes.len() < 4 << 20);
    let msg = limit_error(read(&bytes, "wide.ndjson"));
    assert!(msg.contains("4096 columns"), "{msg}");
}

#[test]
fn json_just_over_the_cell_budget_is_refused_and_one_at_it_reads() {
    let limits = Limits {
        max_cells: 1_000,
        ..Limits::default()
    };
    let records = |n: usize| {
        let rows: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "{{{}}}",
                    (0..10)
                        .map(|k| format!("\"k{k}\":{i}"))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            })
            .collect();
        format!("[{}]", rows.join(",")).into_bytes()
    };
    assert_eq!(
        read_within(&records(100), "ok.json", limits.clone())
            .unwrap()
            .total_rows,
        100
    );
    limit_error(read_within(&records(101), "over.json", limits));
}

/// Was: the footer's row count was the only check; a dictionary page of a few bytes
/// expanded to any size.
#[test]
fn a_parquet_column_that_decodes_past_the_budget_is_refused() {
    // 20,000 rows of one 1 KiB value: a small file, 20 MB decoded.
    let bytes = bombs::parquet_dictionary_bomb(20_000, 1024);
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
    let msg = limit_error(read_within(
        &bytes,
        "dict.parquet",
        Limits {
            max_decompressed_bytes: 1 << 20,
            ..Limits::default()
        },
    ));
    assert!(msg.contains("decodes to more than"), "{msg}");
    // One 64 KiB value on 20,000 rows: a single batch would expand to half a gigabyte.
    let msg = limit_error(read(
        &bombs::parquet_dictionary_bomb(20_000, 64 << 10),
        "wide.parquet",
    ));
    assert!(msg.contains("dictionary is expanded"), "{msg}");
}

fn categorical(name: &str, labels: usize) -> serde_json::Value {
    let values: Vec<serde_json::Value> = (0..labels)
        .map(|i| serde_json::json!({"value": format!("{name}{i}"), "weight": 1.0}))
        .collect();
    serde_json::json!({"name": name, "generator": {"kind": "categorical", "values": values}})
}

fn compile(spec: serde_json::Value) -> Result<shared::plan::Plan, shared::plan::Problems> {
    let spec = shared::spec::Spec::from_json(&spec.to_string()).unwrap();
    shared::plan::compile(&spec)
}

/// Was: 10^10 flags allocated for two 100,000-label columns in one pair.
#[test]
fn a_fixed_combination_of_two_100000_label_columns_is_refused_before_it_is_built() {
    let spec = serde_json::json!({
        "version": 1, "default_rows": 10,
        "columns": [categorical("a", 100_000), categorical("b", 100_000)],
        "constraints": [{"kind": "fixed_combinations", "columns": ["a", "b"], "combinations": [["a0", "b0"]]}],
    });
    // Refused from the labels' counts: nothing of 10^10 is built (the test would take
    // minutes and 10 GB otherwise).
    let problems = compile(spec).unwrap_err();
    assert!(problems.to_string().contains("weights"), "{problems}");
}

#[test]
fn by_groups_times_labels_past_the_budget_are_refused() {
    let groups: Vec<serde_json::Value> = (0..200)
        .map(|g| serde_json::json!({"value": format!("g{g}"), "values": [{"value": "t0", "weight": 1.0}]}))
        .collect();
    let mut target = categorical("t", 100_000);
    target["generator"]["by"] = serde_json::json!({"column": "g", "groups": groups});
    let spec = serde_json::json!({
        "version": 1, "default_rows": 10, "columns": [categorical("g", 200), target],
    });
    let problems = compile(spec).unwrap_err();
    assert!(problems.to_string().contains("weights"), "{problems}");
}

#[test]
fn a_copula_over_more_columns_than_the_budget_is_refused() {
    let n = shared::plan::MAX_COPULA_COLUMNS + 1;
    let columns: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({"name": format!("c{i}"), "generator": {"kind": "numeric", "quantiles": [0.0, 1.0]}}))
        .collect();
    let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let identity: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    let spec = serde_json::json!({
        "version": 1, "default_rows": 10, "columns": columns,
        "copula": {"columns": names, "correlation": identity},
    });
    let problems = compile(spec).unwrap_err();
    assert!(
        problems.to_string().contains("$.copula.columns"),
        "{problems}"
    );
}

/// Was: compiled, then panicked in generate (`unreachable!("a name column is text")`).
#[test]
fn an_email_made_from_a_numeric_column_is_a_compile_problem_not_a_panic() {
    let spec = serde_json::json!({
        "version": 1, "default_rows": 10,
        "columns": [
            {"name": "n", "generator": {"kind": "numeric", "quantiles": [0.0, 1.0]}},
            {"name": "e", "generator": {"kind": "derived", "derivation": {"op": "email_from_name", "from": "n"}}},
        ],
    });
    let problems = compile(spec).unwrap_err();
    assert!(
        problems.to_string().contains("does not make text"),
        "{problems}"
    );
}

/// Was: `quantiles: []` passed validation and panicked in the template.
#[test]
fn a_safe_profile_with_broken_lists_is_refused_with_a_path() {
    let t = read(
        &std::fs::read(common::datasets().join("iris.csv")).unwrap(),
        "iris.csv",
    )
    .unwrap();
    let (safe, _) = shared::guard(&shared::profile(&t), &GuardOptions::default());
    let mut v = serde_json::to_value(&safe).unwrap();
    v["columns"][0]["numeric"]["quantiles"] = serde_json::json!([]);
    let e = SafeProfile::from_json(&v.to_string()).unwrap_err();
    assert!(
        e.to_string().contains("$.columns[0].numeric.quantiles"),
        "{e}"
    );
    let mut v = serde_json::to_value(&safe).unwrap();
    v["columns"][0]["numeric"]["histogram"]["edges"] = serde_json::json!([1.0]);
    assert!(SafeProfile::from_json(&v.to_string()).is_err());
    let mut v = serde_json::to_value(&safe).unwrap();
    v["columns"][4]["categories"]["values"][0]["share"] = serde_json::json!(7.5);
    assert!(SafeProfile::from_json(&v.to_string()).is_err());
}

// ---------------------------------------------------------------- the guard

/// Was: full-width digits survived in shapes, and 50 of 50 synthetic MRNs were real.
#[test]
fn identifiers_in_full_width_digits_leave_no_character_and_come_back_made_up() {
    let digits = ['０', '１', '２', '３', '４', '５', '６', '７', '８', '９'];
    let mut csv = String::from("mrn,ward\n");
    let mut real = Vec::new();
    for i in 0..400u64 {
        let n = 4_711_037 + i * 7919;
        let wide: String = n
            .to_string()
            .chars()
            .map(|c| digits[c as usize - '0' as usize])
            .collect();
        csv += &format!("{wide},{}\n", ["A", "B"][i as usize % 2]);
        real.push(wide);
    }
    let (safe, json) = guard_csv(&csv, 1);
    assert!(
        json.is_ascii() || !json.chars().any(|c| ('０'..='９').contains(&c)),
        "{json}"
    );
    let mrn = &safe.columns[0];
    assert!(mrn.sensitive && mrn.categories.is_none());
    let shapes: Vec<&str> = mrn
        .text
        .as_ref()
        .unwrap()
        .shapes
        .iter()
        .map(|s| s.value.as_str())
        .collect();
    assert_eq!(shapes, ["9999999"]);
    let spec = shared::template::template(&safe, 0.8);
    let out = common::generated_csv(&spec, 3, 500);
    let reproduced = real.iter().filter(|r| out.contains(r.as_str())).count();
    assert_eq!(reproduced, 0, "real MRNs in the synthetic output");
}

fn numeric_column(values: &[f64]) -> (SafeProfile, String) {
    let mut csv = String::from("salary\n");
    for v in values {
        csv += &format!("{v}\n");
    }
    guard_csv(&csv, 11)
}

fn figures(n: &shared::wire::SafeNumeric) -> Vec<f64> {
    let mut f = n.quantiles.clone();
    f.extend(&n.histogram.edges);
    f.push(n.mean);
    f.extend(n.point_masses.iter().map(|m| m.value));
    f
}

/// Was: q0/q50/q100 were the three salaries.
#[test]
fn a_column_of_fewer_than_2k_values_releases_no_figure_of_them() {
    for n in [1usize, 2, 3, 5, 9, 13] {
        let values: Vec<f64> = (0..n).map(|i| 41_000.0 + 1_337.0 * i as f64).collect();
        let (safe, json) = numeric_column(&values);
        assert!(safe.columns[0].numeric.is_none(), "{n} values: {json}");
        for v in &values {
            assert!(!json.contains(&format!("{v}")), "{n} values: {v} in {json}");
        }
        // The column still comes back, made up but still numbers.
        let out = common::generated_csv(&shared::template::template(&safe, 0.8), 1, 20);
        assert!(
            out.lines()
                .skip(1)
                .all(|l| l.is_empty() || l.parse::<f64>().is_ok()),
            "{out}"
        );
    }
}

/// Was: below ~19 values the histogram spanned the true minimum and maximum.
#[test]
fn no_released_figure_is_a_true_extreme_and_every_bin_holds_k_rows() {
    for n in [14usize, 19, 25, 60, 200] {
        let values: Vec<f64> = (0..n)
            .map(|i| 30_000.0 + 517.0 * ((i * 37) % n) as f64)
            .collect();
        let (min, max) = (30_000.0, 30_000.0 + 517.0 * (n - 1) as f64);
        let (safe, _) = numeric_column(&values);
        let num = safe.columns[0].numeric.as_ref().unwrap();
        for f in figures(num) {
            assert!(
                f > min && f < max,
                "{n} values: {f} is an extreme ({min}, {max})"
            );
        }
        for c in &num.histogram.counts {
            assert!(*c >= 7, "{n} values: a bin of {c} rows");
        }
    }
}

/// Was: 101 quantiles of ≤ 101 rows pinned every interior value.
#[test]
fn quantiles_are_spaced_k_rows_apart() {
    for n in [20usize, 60, 101, 300, 1_000] {
        let values: Vec<f64> = (0..n).map(|i| 100.0 + i as f64 * 3.0).collect();
        let (safe, _) = numeric_column(&values);
        let q = &safe.columns[0].numeric.as_ref().unwrap().quantiles;
        assert!(
            (q.len() - 1) * 7 < n,
            "{n} rows: {} quantiles are closer than 7 rows",
            q.len()
        );
    }
}

/// Was: `n·mean − Σ interior` recovered a clamped outlier within 1 %.
#[test]
fn an_outlier_cannot_be_recovered_from_the_moments() {
    let mut values: Vec<f64> = (0..40).map(|i| 38_000.0 + 1_000.0 * i as f64).collect();
    values.push(2_000_000.0);
    let (safe, _) = numeric_column(&values);
    let num = safe.columns[0].numeric.as_ref().unwrap();
    let n = values.len() as f64;
    // The attacker knows every other salary exactly.
    let others: f64 = values[..40].iter().sum();
    let recovered = n * num.mean - others;
    assert!(
        (recovered - 2_000_000.0).abs() > 1_000_000.0,
        "the outlier came back as {recovered}"
    );
    // ...and the spread does not give it away either.
    let var = num.std * num.std * (n - 1.0);
    let mean_others = others / 40.0;
    let var_others: f64 = values[..40].iter().map(|x| (x - mean_others).powi(2)).sum();
    let from_var = mean_others + ((var - var_others) * n / 40.0).max(0.0).sqrt();
    assert!((from_var - 2_000_000.0).abs() > 1_000_000.0, "{from_var}");
}

/// Groups of k..19 rows were never tested; groups of 20 rows got 21+ quantiles.
#[test]
fn groups_of_fewer_than_20_rows_are_not_described_and_small_groups_get_few_quantiles() {
    let mut csv = String::from("unit,stay\n");
    let sizes = [
        ("big", 400usize),
        ("twenty", 20),
        ("fifteen", 15),
        ("seven", 7),
    ];
    for (unit, n) in sizes {
        for i in 0..n {
            let base = match unit {
                "big" => 2.0,
                "twenty" => 40.0,
                "fifteen" => 80.0,
                _ => 120.0,
            };
            csv += &format!("{unit},{}\n", base + (i % 13) as f64 * 0.5);
        }
    }
    let (safe, json) = guard_csv(&csv, 5);
    let stay = safe
        .conditionals
        .iter()
        .find(|c| c.target == "stay")
        .expect("stay depends on unit");
    let groups: Vec<&str> = stay.groups.iter().map(|g| g.value.as_str()).collect();
    assert!(
        !groups.contains(&"fifteen") && !groups.contains(&"seven"),
        "{groups:?}"
    );
    for g in &stay.groups {
        if g.value == "twenty" {
            assert!(g.quantiles.len() <= 3, "{:?}", g.quantiles);
        }
    }
    for planted in ["86", "123"] {
        assert!(
            !stay.groups.iter().any(|g| g
                .quantiles
                .iter()
                .any(|q| q.to_string().starts_with(planted))),
            "{json}"
        );
    }
}

/// Was: `25/09/69`, `March 12, 1985` and `12-Mar-85` were not dates: the birth dates
/// left as named categories, exactly.
#[test]
fn birth_dates_written_as_text_are_read_as_dates_and_coarsened_or_withheld() {
    fn slashes(y: i32, m: u32, d: u32) -> String {
        format!("{d:02}/{m:02}/{:02}", y % 100)
    }
    fn words(y: i32, m: u32, d: u32) -> String {
        let names = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!("{} {d:02}, {y}", names[m as usize - 1])
    }
    fn short(y: i32, m: u32, d: u32) -> String {
        let names = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!("{d:02}-{}-{:02}", names[m as usize - 1], y % 100)
    }
    type Writer = fn(i32, u32, u32) -> String;
    let formats: [(&str, Writer); 3] = [
        ("%d/%m/%y", slashes),
        ("%B %d, %Y", words),
        ("%d-%b-%y", short),
    ];
    for (format, make) in formats {
        let mut csv = String::from("date_of_birth,ward\n");
        let mut exact = Vec::new();
        // Every birth date 6 times: a k-threshold on categories would name them.
        for i in 0..60 {
            let (y, m, d) = (
                1950 + i % 40,
                1 + (i as u32 * 5) % 12,
                1 + (i as u32 * 7) % 28,
            );
            let v = make(y, m, d);
            for _ in 0..6 {
                csv += &format!("\"{v}\",{}\n", ["A", "B"][i as usize % 2]);
            }
            exact.push(v);
        }
        let (safe, json) = guard_csv(&csv, 2);
        let dob = &safe.columns[0];
        assert_eq!(dob.format.as_deref(), Some(format), "{format}");
        assert!(dob.categories.is_none(), "{format}: {json}");
        let d = dob.datetime.as_ref().unwrap();
        assert_eq!(d.coarsened_to, Some(shared::profile::Granularity::Year));
        assert!(
            d.quantiles.iter().all(|q| q.ends_with("-01-01")),
            "{:?}",
            d.quantiles
        );
        for v in &exact {
            assert!(!json.contains(v.as_str()), "{format}: {v} left");
        }
    }
    // A birth date in no readable format stays text, and leaves no value.
    let mut csv = String::from("dob,ward\n");
    for i in 0..60 {
        for _ in 0..6 {
            csv += &format!("around {} (approx),{}\n", 1950 + i, ["A", "B"][i % 2]);
        }
    }
    let (safe, json) = guard_csv(&csv, 2);
    assert!(
        safe.columns[0].sensitive && safe.columns[0].categories.is_none(),
        "{json}"
    );
    assert!(!json.contains("around 1970"), "{json}");
}

/// Was: "4 of the 8 patients in ward C have HIV", by subtraction from a SafeProfile
/// that withheld ward C and every HIV cell. The attacker here knows the table's layout
/// (which wards and diagnoses exist) and propagates every released figure through the
/// row and column sums of the ward × diagnosis table, as interval arithmetic; the cell
/// (C, HIV) must stay open: possibly empty, and not one value.
#[test]
fn a_withheld_cell_cannot_be_derived_from_the_released_ones() {
    let mut csv = String::from("ward,diagnosis\n");
    let mut add = |ward: &str, diagnosis: &str, n: usize| {
        for _ in 0..n {
            csv += &format!("{ward},{diagnosis}\n");
        }
    };
    // Wards differ (so the profile describes one column by the other); every ward's
    // HIV cell is under k, and so is ward C (4 patients). HIV as a whole (10) is named.
    for (ward, flu, asthma) in [("A", 80, 20), ("B", 20, 80), ("D", 50, 50), ("E", 90, 10)] {
        add(ward, "flu", flu);
        add(ward, "asthma", asthma);
        add(ward, "HIV", 2);
    }
    add("C", "flu", 2);
    add("C", "HIV", 2);
    let (safe, json) = guard_csv(&csv, 9);
    assert!(
        !safe.conditionals.is_empty(),
        "one column is described by the other: the attacker has cells to subtract"
    );
    let wards = ["A", "B", "C", "D", "E"];
    let diagnoses = ["flu", "asthma", "HIV"];
    let n = safe.row_count as f64;
    let cats = |c: usize| safe.columns[c].categories.clone().unwrap();
    let (ward, diagnosis) = (cats(0), cats(1));
    assert!(
        ward.values.iter().all(|v| v.value != "C"),
        "ward C is withheld"
    );
    // A released share s of r rows stands for a count in r·(s ± step/2). The attacker
    // assumes the finest rounding the release allows: the guard's public step when the
    // share is a multiple of it, else the 4 decimals shares are written with.
    let around = |s: f64, rows: (f64, f64)| {
        let rule = shared_share_step((rows.0 + rows.1) / 2.0);
        let multiple = ((s / rule) - (s / rule).round()).abs() < 1e-6;
        let step = if multiple { rule } else { 0.0001 };
        (
            ((s - step / 2.0) * rows.0).max(0.0),
            (s + step / 2.0) * rows.1,
        )
    };
    let total = |cats: &shared::wire::SafeCategories, v: &str, names: &[&str]| {
        match cats.values.iter().find(|x| x.value == v) {
            Some(x) => around(x.share, (n, n)),
            // The one value not named holds whatever the named ones leave.
            None if names
                .iter()
                .filter(|x| !cats.values.iter().any(|y| y.value == **x))
                .count()
                == 1 =>
            {
                let named: f64 = cats.values.iter().map(|x| x.share).sum();
                around((1.0 - named).max(0.0), (n, n))
            }
            None => (0.0, n),
        }
    };
    let mut cell = vec![vec![(0.0f64, n); 3]; 5];
    for d in &safe.conditionals {
        let (by_ward, group_names, value_names) = if d.by == "ward" {
            (true, &wards[..], &diagnoses[..])
        } else {
            (false, &diagnoses[..], &wards[..])
        };
        for g in &d.groups {
            let rows = total(
                if by_ward { &ward } else { &diagnosis },
                &g.value,
                group_names,
            );
            for v in &g.values {
                let (gi, vi) = (
                    group_names.iter().position(|x| *x == g.value).unwrap(),
                    value_names.iter().position(|x| *x == v.value).unwrap(),
                );
                let (w, dg) = if by_ward { (gi, vi) } else { (vi, gi) };
                cell[w][dg] = around(v.share, rows);
            }
        }
    }
    let rows: Vec<(f64, f64)> = wards.iter().map(|w| total(&ward, w, &wards)).collect();
    let cols: Vec<(f64, f64)> = diagnoses
        .iter()
        .map(|d| total(&diagnosis, d, &diagnoses))
        .collect();
    for _ in 0..20 {
        for w in 0..5 {
            for d in 0..3 {
                let others_row: (f64, f64) = (0..3)
                    .filter(|&x| x != d)
                    .fold((0.0, 0.0), |a, x| (a.0 + cell[w][x].0, a.1 + cell[w][x].1));
                let others_col: (f64, f64) = (0..5)
                    .filter(|&x| x != w)
                    .fold((0.0, 0.0), |a, x| (a.0 + cell[x][d].0, a.1 + cell[x][d].1));
                let c = &mut cell[w][d];
                c.0 =
                    c.0.max(rows[w].0 - others_row.1)
                        .max(cols[d].0 - others_col.1)
                        .max(0.0);
                c.1 =
                    c.1.min(rows[w].1 - others_row.0)
                        .min(cols[d].1 - others_col.0);
            }
        }
    }
    // The attacker cannot show that anyone in ward C has HIV (the bounds include
    // none), nor narrow the count to one value.
    let (low, high) = cell[2][2];
    assert!(
        low < 0.5 && high - low >= 2.0,
        "HIV in ward C is pinned to {low:.1}..{high:.1} rows: {json}"
    );
}

/// The share step of the guard for a line of `rows` rows with k_max = 7 (at least the
/// 4 decimals shares are written with).
fn shared_share_step(rows: f64) -> f64 {
    let need = 7.0 / rows.max(1.0);
    let scale = 10f64.powi(1 - need.log10().floor() as i32);
    ((need * scale).ceil() / scale).max(0.0001)
}

/// Was: declared kinds and flags were trusted: an email column declared categorical
/// kept its values, exact birth dates passed, and declared counts were believed.
#[test]
fn recheck_rederives_what_a_client_declares() {
    let mut csv = String::from("contact,birth_date,ward\n");
    for i in 0..300 {
        csv += &format!(
            "person{}@mail-example.test,19{:02}-0{}-1{},{}\n",
            i % 5,
            50 + i % 40,
            1 + i % 9,
            i % 10,
            ["A", "B", "C"][i % 3]
        );
    }
    let (safe, _) = guard_csv(&csv, 4);
    let mut v = serde_json::to_value(&safe).unwrap();
    // A client that lies: the emails as a plain category, exact birth dates, a huge
    // row count, and a full-width shape.
    v["columns"][0]["kind"] = "categorical".into();
    v["columns"][0]["sensitive"] = false.into();
    v["columns"][0]["semantic_type"] = serde_json::Value::Null;
    v["columns"][0]["categories"] = serde_json::json!({
        "values": (0..5).map(|i| serde_json::json!({"value": format!("person{i}@mail-example.test"), "share": 0.2})).collect::<Vec<_>>(),
        "other_share": 0.0, "other_distinct": 0
    });
    v["columns"][0]["text"]["shapes"] = serde_json::json!([{"value": "４７１１", "share": 1.0}]);
    v["columns"][1]["semantic_type"] = serde_json::Value::Null;
    v["columns"][1]["sensitive"] = false.into();
    if let Some(d) = v["columns"][1]["datetime"].as_object_mut() {
        d.insert(
            "quantiles".into(),
            serde_json::json!(["1950-03-17", "1969-09-25", "1989-12-31"]),
        );
        d.insert("coarsened_to".into(), serde_json::Value::Null);
    }
    v["row_count"] = serde_json::json!(1_000_000_000_000_000u64);
    let sent = SafeProfile::from_json(&v.to_string()).unwrap();
    let (checked, withheld) = shared::guard::recheck(&sent, &GuardOptions::default());
    let json = serde_json::to_string(&checked).unwrap();
    assert!(!json.contains("mail-example.test"), "{json}");
    assert!(checked.columns[0].sensitive);
    assert!(!json.contains("４"), "{json}");
    let dob = checked.columns[1].datetime.as_ref().unwrap();
    assert!(
        dob.quantiles.iter().all(|q| q.ends_with("-01-01")),
        "{:?}",
        dob.quantiles
    );
    assert!(checked.row_count <= shared::guard::MAX_DECLARED_ROWS);
    assert!(!withheld.is_empty());
}

// ---------------------------------------------------------------- formulas

/// Was: date cells and the header row were written without formula neutralisation, and
/// a datetime format `=HYPERLINK(...)` reached the CSV.
#[test]
fn formulas_reach_no_cell_and_no_header() {
    let spec = serde_json::json!({
        "version": 1, "default_rows": 3,
        "columns": [{"name": "d", "generator": {"kind": "datetime", "quantiles": ["2020-01-01", "2020-12-31"],
            "logical_type": "date", "format": "=HYPERLINK(\"http://x.test\",\"%Y\")", "granularity": "day"}}],
    });
    let problems = compile(spec).unwrap_err();
    assert!(problems.to_string().contains("format"), "{problems}");
    let minus = serde_json::json!({
        "version": 1, "default_rows": 3,
        "columns": [{"name": "d", "generator": {"kind": "datetime", "quantiles": ["2020-01-01", "2020-12-31"],
            "logical_type": "date", "format": "-%Y-%m-%d", "granularity": "day"}}],
    });
    assert!(compile(minus).is_err());
    let spec = serde_json::json!({
        "version": 1, "default_rows": 5,
        "columns": [
            {"name": "=cmd|'/c calc'!A1", "generator": {"kind": "categorical", "values": [{"value": "@SUM(1)", "weight": 1.0}]}},
            {"name": "+d", "generator": {"kind": "datetime", "quantiles": ["2020-01-01", "2020-12-31"],
                "logical_type": "date", "format": "%Y-%m-%d", "granularity": "day"}},
            {"name": "-flag", "generator": {"kind": "boolean", "p_true": 0.5}},
        ],
    });
    let out = common::generated_csv(
        &shared::spec::Spec::from_json(&spec.to_string()).unwrap(),
        1,
        5,
    );
    for line in out.lines() {
        for cell in line.split(',') {
            let c = cell.trim_start_matches('"');
            assert!(
                !c.starts_with(['=', '+', '-', '@']),
                "a cell starts like a formula: {line}"
            );
        }
    }
}
