//! `evaluate` on inputs whose right answer is known: leaks of withheld values, copies,
//! overfitting, verbatim names, mismatched and unreadable columns.

use crate::common;

use common::pii;
use shared::evaluate::{EvaluateOptions, Plot, Report, Role};

fn table(csv: &[u8]) -> shared::Table {
    shared::read(csv, "t.csv", &Default::default()).unwrap()
}

fn evaluate(real: &shared::Table, synth: &shared::Table, options: &EvaluateOptions<'_>) -> Report {
    shared::evaluate(real, synth, options)
}

fn pii_table(rows: usize, seed: u64) -> pii::PiiTable {
    pii::generate(rows, seed)
}

fn col(t: &pii::PiiTable, name: &str) -> usize {
    t.names.iter().position(|n| *n == name).unwrap()
}

const SENTINEL: &str = "Zebulon Quagmire-Sentinel";

#[test]
fn a_planted_withheld_value_is_flagged_where_it_appears() {
    let mut real = pii_table(300, 1);
    let (name, notes, ssn) = (
        col(&real, "full_name"),
        col(&real, "notes"),
        col(&real, "ssn"),
    );
    real.rows[10][name] = SENTINEL.to_string();
    let real_ssn = real.rows[20][ssn].clone();
    let withheld = vec![SENTINEL.to_string(), real_ssn.clone(), "Ann".to_string()];

    // Another table of made-up people: none of the withheld values.
    let mut synth = pii_table(300, 2);
    let city = col(&synth, "city");
    synth.rows[3][city] = "Annapolis".to_string();
    let options = EvaluateOptions {
        withheld_values: &withheld,
        ..Default::default()
    };
    let clean = evaluate(
        &table(&real.to_csv(b',')),
        &table(&synth.to_csv(b',')),
        &options,
    );
    assert_eq!(clean.privacy.withheld.values_checked, 3);
    assert_eq!(
        clean.privacy.withheld.occurrences, 0,
        "{:?}",
        clean.privacy.withheld.leaks
    );

    // The sentinel inside free text and a real SSN in the SSN column.
    synth.rows[41][notes] = format!("Called {SENTINEL} about the refill.");
    synth.rows[17][ssn] = real_ssn;
    let leaky = evaluate(
        &table(&real.to_csv(b',')),
        &table(&synth.to_csv(b',')),
        &options,
    );
    let w = &leaky.privacy.withheld;
    assert_eq!(w.occurrences, 2);
    let found: Vec<(usize, &str, u64, u64)> = w
        .leaks
        .iter()
        .map(|l| (l.value_index, l.column.as_str(), l.cells, l.first_row))
        .collect();
    assert!(found.contains(&(0, "notes", 1, 41)), "{found:?}");
    assert!(found.contains(&(1, "ssn", 1, 17)), "{found:?}");
}

#[test]
fn a_copy_of_the_real_table_scores_perfect_fidelity_and_no_privacy() {
    let real = common::read_dataset("penguins.csv");
    let r = evaluate(&real, &real, &EvaluateOptions::default());
    let f = &r.fidelity;
    for v in [
        f.overall,
        f.column_shapes,
        f.column_pair_trends,
        f.column_pair_trends_all_pairs,
    ] {
        assert!((v.unwrap() - 1.0).abs() < 1e-12, "{f:?}");
    }
    assert_eq!(r.privacy.exact_copy_rate, 1.0);
    let dcr = r.privacy.dcr_baseline_protection.unwrap();
    assert_eq!(
        (dcr.score, dcr.median_dcr_synthetic, dcr.zero_dcr_share),
        (Some(0.0), 0.0, 1.0)
    );
}

#[test]
fn copying_the_training_rows_fails_the_overfitting_check_and_fresh_rows_pass() {
    let all = std::fs::read_to_string(common::datasets().join("seattle_weather.csv")).unwrap();
    let mut lines = all.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let half = |part: &[&str]| {
        let mut s = String::from(header);
        for r in part {
            s.push('\n');
            s.push_str(r);
        }
        table(s.as_bytes())
    };
    let (train, holdout) = (half(&rows[..730]), half(&rows[730..]));
    let options = EvaluateOptions {
        holdout: Some(&holdout),
        ..Default::default()
    };
    let copied = evaluate(&train, &train, &options);
    let o = copied.privacy.dcr_overfitting_protection.unwrap();
    assert_eq!((o.score, o.synthetic_share_closer_to_training), (0.0, 1.0));
    // Unseen real rows are, by construction, no closer to the training rows.
    let fresh = evaluate(&train, &holdout, &options);
    let o = fresh.privacy.dcr_overfitting_protection.unwrap();
    assert_eq!(o.score, 1.0, "{o:?}");
    assert_eq!(fresh.rows.holdout, Some(731));
}

/// The page measures distance to closest record in shares on its helper workers: the
/// work sent as bytes, each share measured there, the shares joined in order. That
/// must give the report of one whole evaluation, holdout and missing values included.
#[test]
fn distances_measured_in_shares_elsewhere_give_the_whole_report() {
    let real = common::read_dataset("penguins.csv");
    let holdout = common::read_dataset("iris.csv");
    let rows = real.batch.num_rows();
    let synthetic = shared::Table {
        batch: real.batch.slice(rows / 3, rows - rows / 3),
        ..real.clone()
    };
    for holdout in [None, Some(&real)] {
        let options = EvaluateOptions {
            holdout,
            dcr_rows: 200,
            seed: 9,
            ..Default::default()
        };
        let whole = evaluate(&real, &synthetic, &options);
        let mut handed = None;
        let mut apart = shared::evaluate::evaluate_apart(&real, &synthetic, &options, |w| {
            handed = Some(postcard::to_allocvec(&w).unwrap())
        });
        assert_eq!(apart.privacy.dcr_baseline_protection, None);
        let bytes = handed.expect("the work is handed off");
        let work: shared::evaluate::DcrWork = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(work.rows(), 200);
        let mut distances = work.measure(0..0);
        for share in [0..7, 7..150, 150..10_000] {
            let far = postcard::from_bytes::<shared::evaluate::DcrWork>(&bytes).unwrap();
            distances.append(far.measure(share));
        }
        assert_eq!(distances.len(), 200);
        work.complete(&mut apart, &distances);
        assert_eq!(
            serde_json::to_string(&apart).unwrap(),
            serde_json::to_string(&whole).unwrap()
        );
        assert_eq!(
            apart.privacy.dcr_overfitting_protection.is_some(),
            holdout.is_some()
        );
    }
    // Tiny tables, with shares of one row or none.
    for n in 1..=20 {
        let real = shared::Table {
            batch: real.batch.slice(0, n),
            ..real.clone()
        };
        let synthetic = shared::Table {
            batch: synthetic.batch.slice(0, n.div_ceil(2)),
            ..synthetic.clone()
        };
        let options = EvaluateOptions::default();
        let whole = evaluate(&real, &synthetic, &options);
        let mut handed = None;
        let mut apart =
            shared::evaluate::evaluate_apart(&real, &synthetic, &options, |w| handed = Some(w));
        let work = handed.expect("rows to compare");
        let mut distances = work.measure(0..0);
        let rows = work.rows();
        for share in [0..rows / 3, rows / 3..rows / 3, rows / 3..rows] {
            distances.append(work.measure(share));
        }
        work.complete(&mut apart, &distances);
        assert_eq!(
            serde_json::to_string(&apart).unwrap(),
            serde_json::to_string(&whole).unwrap(),
            "{n} rows"
        );
    }
    // Nothing to compare: nothing handed off, and no figure.
    let options = EvaluateOptions {
        dcr_rows: 0,
        ..Default::default()
    };
    let apart = shared::evaluate::evaluate_apart(&real, &holdout, &options, |_| panic!("no work"));
    assert_eq!(apart.privacy.dcr_baseline_protection, None);
}

#[test]
fn names_copied_verbatim_are_reported_even_where_sdmetrics_scores_them_as_categories() {
    let real = common::read_dataset("cars.csv");
    let path = common::datasets().join("../bench/sdv_out/sdv_gc/cars.csv");
    let sdv = table(&std::fs::read(path).unwrap());
    let r = evaluate(&real, &sdv, &EvaluateOptions::default());
    let name = r
        .privacy
        .verbatim
        .iter()
        .find(|v| v.column == "Name")
        .unwrap();
    // SDV samples car names from the real column: every one is a real car's name.
    assert_eq!(name.rate, 1.0, "{name:?}");
    assert_eq!(name.why, "names");
    assert_eq!(name.synthetic_values, 406);

    let real = common::read_dataset("airports.csv");
    let r = evaluate(&real, &real, &EvaluateOptions::default());
    let why: Vec<(&str, &str)> = r
        .privacy
        .verbatim
        .iter()
        .map(|v| (v.column.as_str(), v.why.as_str()))
        .collect();
    for expected in [
        ("iata", "id"),
        ("city", "city"),
        ("state", "administrative_unit"),
    ] {
        assert!(why.contains(&expected), "{why:?}");
    }
    let roles: Vec<Role> = r.columns.iter().map(|c| c.role).collect();
    assert_eq!(
        roles,
        [
            Role::Id,
            Role::Categorical,
            Role::Pii,
            Role::Pii,
            Role::Categorical,
            Role::Pii,
            Role::Pii
        ]
    );
}

#[test]
fn missing_extra_and_unreadable_synthetic_columns_are_reported() {
    let real = table(b"a,b,c\n1,x,2020-01-01\n2,y,2020-01-02\n3,x,2020-01-03\n");
    let synth = table(b"a,c,extra\n1,2020-01-01,5\nlots,someday,6\n3,01/03/2020,7\n");
    let r = evaluate(&real, &synth, &EvaluateOptions::default());
    assert_eq!(r.missing_columns, ["b"]);
    assert_eq!(r.extra_columns, ["extra"]);
    let unparsed: Vec<(&str, u64)> = r
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.unparsed_synthetic))
        .collect();
    // "lots" is no number; "someday" no date; 01/03/2020 is read in another format.
    assert_eq!(unparsed, [("a", 1), ("b", 0), ("c", 1)]);
    assert!(r.notes.iter().any(|n| n.contains("lacks 1 real column")));
    // b is all-missing in the synthetic table: no shape score, and the report says why.
    let b = &r.columns[1];
    assert_eq!((b.score, b.error.is_some()), (None, true));
}

#[test]
fn the_report_is_deterministic_and_round_trips_as_json() {
    let real = common::read_dataset("iris.csv");
    let path = common::datasets().join("../bench/sdv_out/sdv_gc/iris.csv");
    let synth = table(&std::fs::read(path).unwrap());
    let options = EvaluateOptions {
        dcr_rows: 100,
        ..Default::default()
    };
    let a = serde_json::to_string(&evaluate(&real, &synth, &options)).unwrap();
    let b = serde_json::to_string(&evaluate(&real, &synth, &options)).unwrap();
    assert_eq!(a, b);
    let back: Report = serde_json::from_str(&a).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), a);
    // Another seed draws other DCR rows.
    let other = EvaluateOptions {
        seed: 1,
        ..options.clone()
    };
    assert_ne!(
        a,
        serde_json::to_string(&evaluate(&real, &synth, &other)).unwrap()
    );
}

#[test]
fn plot_data_describes_both_tables() {
    let real = common::read_dataset("penguins.csv");
    let path = common::datasets().join("../bench/sdv_out/sdv_gc/penguins.csv");
    let synth = table(&std::fs::read(path).unwrap());
    let r = evaluate(&real, &synth, &EvaluateOptions::default());
    for c in &r.columns {
        match c.plot.as_ref().unwrap() {
            Plot::Histogram {
                edges,
                real,
                synthetic,
                synthetic_below,
                synthetic_above,
                ..
            } => {
                assert_eq!(edges.len(), real.len() + 1);
                assert!((real.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{}", c.name);
                let s: f64 = synthetic.iter().sum::<f64>() + synthetic_below + synthetic_above;
                assert!((s - 1.0).abs() < 1e-9, "{}", c.name);
            }
            Plot::Bars {
                labels,
                real,
                real_other,
                real_missing,
                ..
            } => {
                assert_eq!(labels.len(), real.len());
                assert!((real.iter().sum::<f64>() + real_other - 1.0).abs() < 1e-9);
                if c.name == "sex" {
                    // 11 of 344 penguins have no recorded sex.
                    assert!((real_missing - 11.0 / 344.0).abs() < 1e-12);
                }
            }
        }
    }
    let m = r.correlation.unwrap();
    assert_eq!(m.columns.len(), 8);
    let i = m
        .columns
        .iter()
        .position(|c| c == "flipper_length_mm")
        .unwrap();
    let j = m.columns.iter().position(|c| c == "body_mass_g").unwrap();
    // Flipper length and body mass: Pearson's r 0.871 in the real data.
    assert!((m.real[i][j].unwrap() - 0.871).abs() < 0.001);
    assert_eq!(m.real[i][j], m.real[j][i]);
}

/// One extreme value in a thousand: the chart's axis spans the real 1st–99th
/// percentiles and says so, so the bars show the column instead of 100 % in one bar.
#[test]
fn a_histogram_with_an_extreme_value_clamps_its_axis() {
    let mut csv = String::from("amount\n");
    for i in 0..1000 {
        csv += &format!("{}\n", if i == 500 { 1_000_000 } else { i % 100 });
    }
    let t = table(csv.as_bytes());
    let r = evaluate(&t, &t, &EvaluateOptions::default());
    let Some(Plot::Histogram {
        edges,
        real,
        clamped,
        ..
    }) = r.columns[0].plot.as_ref()
    else {
        panic!("{:?}", r.columns[0].plot)
    };
    assert!(*clamped, "the axis is not clamped");
    assert!(*edges.last().unwrap() < 1_000.0, "{edges:?}");
    let tallest = real.iter().fold(0.0f64, |m, x| m.max(*x));
    assert!(tallest < 0.2, "one bar holds {tallest}");
    assert!((real.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    // A column without extremes keeps its whole range.
    let mut plain = String::from("amount\n");
    for i in 0..1000 {
        plain += &format!("{}\n", i % 100);
    }
    let t = table(plain.as_bytes());
    let r = evaluate(&t, &t, &EvaluateOptions::default());
    assert!(matches!(
        r.columns[0].plot,
        Some(Plot::Histogram { clamped: false, .. })
    ));
}
