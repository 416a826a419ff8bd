//! Numbers that follow other numbers (`arrival delay = departure delay + offset`):
//! found by the profile, released by the guard like a column's distribution, held by
//! the template's derived column, and made after the derived columns they read.

use crate::common;

use common::{numbers, pearson, safe_profile, xorshift};
use shared::plan::compile;
use shared::spec::{Derivation, Generator, Spec};

/// Departures mostly on time with a long tail of late ones; each arrival is its
/// departure plus between −40 and +20 minutes; `planted` rows gain 97 minutes instead
/// (an offset no k rows share, beyond every other).
fn delays_csv(rows: usize, planted: usize, seed: u64) -> Vec<u8> {
    let mut next = xorshift(seed);
    let mut out = String::from("carrier,dep_delay,arr_delay,seats\n");
    for r in 0..rows {
        let dep = if next(10) < 7 {
            next(21) as i64 - 10
        } else {
            // Roughly exponential: the sum of a geometric number of steps.
            let mut d = 0;
            while next(10) < 8 {
                d += next(60) as i64;
            }
            d
        };
        let gain = if r < planted {
            97
        } else {
            next(31) as i64 + next(31) as i64 - 40
        };
        let carrier = ["AA", "UA", "DL"][next(3) as usize];
        out += &format!("{carrier},{dep},{},{}\n", dep + gain, 100 + next(150));
    }
    out.into_bytes()
}

#[test]
fn an_arrival_delay_follows_its_departure_delay_into_the_tail() {
    let bytes = delays_csv(5_000, 0, 11);
    let safe = safe_profile(&bytes, "delays.csv");
    let offset = safe
        .offsets
        .iter()
        .find(|o| o.target == "arr_delay")
        .expect("the arrival delay follows the departure delay");
    assert_eq!(offset.from, "dep_delay");
    assert!(
        offset.quantiles.iter().all(|q| (-40.0..=20.0).contains(q)),
        "{:?}",
        offset.quantiles
    );
    // Nothing else follows anything: seats are drawn on their own.
    assert_eq!(safe.offsets.len(), 1, "{:?}", safe.offsets);

    let spec = shared::template::template(&safe, 0.8);
    let arr = spec.columns.iter().find(|c| c.name == "arr_delay").unwrap();
    assert!(
        matches!(&arr.generator, Generator::Derived { derivation: Derivation::AddOffset { from, .. } } if from == "dep_delay"),
        "{:?}",
        arr.generator
    );
    let rows = 20_000;
    let synthetic = shared::generate::generate(&compile(&spec).unwrap(), 3, rows, 0..rows);
    let real = shared::read(&bytes, "delays.csv", &Default::default()).unwrap();
    let (dep, arr) = (
        numbers(&synthetic, "dep_delay"),
        numbers(&synthetic, "arr_delay"),
    );
    let (r_real, r_synth) = (
        pearson(&numbers(&real, "dep_delay"), &numbers(&real, "arr_delay")),
        pearson(&dep, &arr),
    );
    assert!(r_real > 0.9, "{r_real}");
    assert!((r_real - r_synth).abs() < 0.03, "{r_real} → {r_synth}");
    // Every row's offset is inside the released range, in whole minutes.
    let (lo, hi) = (offset.quantiles[0], *offset.quantiles.last().unwrap());
    for (d, a) in dep.iter().zip(&arr) {
        let (d, a) = (d.unwrap(), a.unwrap());
        assert!(a.fract() == 0.0 && (lo..=hi).contains(&(a - d)), "{d} {a}");
    }
}

#[test]
fn small_tables_release_no_offset_a_few_rows_share() {
    // Offsets of 97 minutes on k − 1 rows, at every size from a handful of rows up.
    for rows in (1..=60).step_by(3).chain([100, 150, 400]) {
        for seed in [1, 2] {
            let bytes = delays_csv(rows, 4, seed);
            let t = shared::read(&bytes, "delays.csv", &Default::default()).unwrap();
            let profile = shared::profile(&t);
            let options = shared::GuardOptions {
                seed,
                ..Default::default()
            };
            let safe = shared::guard(&profile, &options).0;
            for o in &safe.offsets {
                assert!(
                    o.quantiles.iter().all(|q| (-40.0..=20.0).contains(q)),
                    "{rows} rows: {:?}",
                    o.quantiles
                );
            }
            // Below 2k rows the table says nothing of k rows; from 100 rows (the
            // least an offset is looked for on) the offset is released.
            if rows < 2 * options.k_max as usize {
                assert!(safe.offsets.is_empty(), "{rows} rows: {:?}", safe.offsets);
            }
            if rows >= 100 {
                assert_eq!(safe.offsets.len(), 1, "{rows} rows");
            }
            // The spec still makes rows.
            let spec = shared::template::template(&safe, 0.8);
            let plan = compile(&spec).unwrap();
            assert_eq!(
                shared::generate::generate(&plan, 1, 50, 0..50)
                    .batch
                    .num_rows(),
                50
            );
        }
    }
}

#[test]
fn an_outside_profile_keeps_only_offsets_between_released_numbers() {
    let mut safe = safe_profile(&delays_csv(2_000, 0, 5), "delays.csv");
    let good = safe.offsets[0].clone();
    let mut unsorted = good.clone();
    unsorted.quantiles.reverse();
    let mut infinite = good.clone();
    infinite.quantiles[0] = f64::NEG_INFINITY;
    let mut to_text = good.clone();
    to_text.target = "carrier".into();
    let mut nowhere = good.clone();
    nowhere.from = "no_such_column".into();
    let mut fine = good.clone();
    fine.quantiles = (0..=1000).map(|i| f64::from(i) / 1000.0 - 0.5).collect();
    safe.offsets = vec![unsorted, infinite, to_text, nowhere, fine];
    let options = shared::GuardOptions::default();
    let (checked, _) = shared::guard::recheck(&safe, &options);
    assert_eq!(checked.offsets.len(), 1, "{:?}", checked.offsets);
    // A document that lists one offset 20,000 times keeps it once: each column takes
    // part in one offset, as the profile makes them.
    safe.offsets = vec![good.clone(); 20_000];
    let (checked, _) = shared::guard::recheck(&safe, &options);
    assert_eq!(checked.offsets.len(), 1);
    // Re-thinned to k rows apart of 2,000 values.
    assert!(checked.offsets[0].quantiles.len() <= 2_000 / 5 + 1);
}

#[test]
fn derived_columns_read_derived_ones_and_never_themselves() {
    // `arr` reads `delay`, which is derived too and comes after it.
    let spec = Spec::from_json(
        r#"{"version": 1, "default_rows": 10, "columns": [
          {"name": "sched", "generator": {"kind": "numeric", "quantiles": [600, 2200], "integer": true, "encoding": "clock_hhmm"}},
          {"name": "arr", "generator": {"kind": "derived", "derivation": {"op": "clock_add", "clock": "sched", "minutes": "delay"}}},
          {"name": "dep", "generator": {"kind": "numeric", "quantiles": [-10, 0, 200], "integer": true}},
          {"name": "delay", "generator": {"kind": "derived", "derivation": {"op": "add_offset", "from": "dep", "offsets": [-30, 10]}}}
        ]}"#,
    )
    .unwrap();
    let rows = 2_000;
    let t = shared::generate::generate(&compile(&spec).unwrap(), 4, rows, 0..rows);
    let (sched, arr, dep, delay) = (
        numbers(&t, "sched"),
        numbers(&t, "arr"),
        numbers(&t, "dep"),
        numbers(&t, "delay"),
    );
    let minutes = |v: f64| (v / 100.0).floor() * 60.0 + v % 100.0;
    for r in 0..rows as usize {
        let (s, a, d, y) = (
            sched[r].unwrap(),
            arr[r].unwrap(),
            dep[r].unwrap(),
            delay[r].unwrap(),
        );
        assert!((-30.0..=10.0).contains(&(y - d)), "{d} {y}");
        assert_eq!(
            (minutes(s) + y - minutes(a)).rem_euclid(1440.0),
            0.0,
            "{s} {y} {a}"
        );
    }

    let problems = |json: &str| {
        compile(&Spec::from_json(json).unwrap())
            .unwrap_err()
            .to_string()
    };
    let circle = problems(
        r#"{"version": 1, "default_rows": 10, "columns": [
          {"name": "x", "generator": {"kind": "derived", "derivation": {"op": "add_offset", "from": "y", "offsets": [0, 1]}}},
          {"name": "y", "generator": {"kind": "derived", "derivation": {"op": "add_offset", "from": "x", "offsets": [0, 1]}}},
          {"name": "z", "generator": {"kind": "derived", "derivation": {"op": "add_offset", "from": "z", "offsets": [0, 1]}}},
          {"name": "w", "generator": {"kind": "derived", "derivation": {"op": "add_offset", "from": "x", "offsets": [0, 1]}}}
        ]}"#,
    );
    // `w` only reads the circle: it is not itself in one.
    assert!(!circle.contains("$.columns[3]"), "{circle}");
    for path in ["$.columns[0]", "$.columns[1]", "$.columns[2]"] {
        assert!(
            circle.contains(&format!("{path}.generator.derivation"))
                && circle.contains("derived from itself"),
            "{circle}"
        );
    }
    let bad = problems(
        r#"{"version": 1, "default_rows": 10, "columns": [
          {"name": "name", "generator": {"kind": "categorical", "values": [{"value": "a", "weight": 1}]}},
          {"name": "n", "generator": {"kind": "numeric", "quantiles": [0, 1]}},
          {"name": "o1", "generator": {"kind": "derived", "derivation": {"op": "add_offset", "from": "name", "offsets": [0, 1]}}},
          {"name": "o2", "generator": {"kind": "derived", "derivation": {"op": "add_offset", "from": "n", "offsets": [1, 0]}}},
          {"name": "o3", "generator": {"kind": "derived", "derivation": {"op": "add_offset", "from": "n", "offsets": [0]}}},
          {"name": "o4", "generator": {"kind": "derived", "derivation": {"op": "add_offset", "from": "missing", "offsets": [0, 1]}}}
        ]}"#,
    );
    for path in [
        "$.columns[2].generator.derivation.from",
        "$.columns[3].generator.derivation.offsets",
        "$.columns[4].generator.derivation.offsets",
        "$.columns[5].generator.derivation.from",
    ] {
        assert!(bad.contains(path), "{path} in {bad}");
    }
}
