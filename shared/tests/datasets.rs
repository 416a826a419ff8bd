//! Every variant of every public dataset reads to the same table as its CSV: same
//! names, types, row count and values.

use crate::common;
use arrow::array::AsArray;
use common::*;
use shared::{ColumnKind, LogicalType};

#[test]
fn every_format_variant_reads_like_its_csv() {
    let mut files: Vec<String> = std::fs::read_dir(datasets())
        .expect("../shared/datasets exists")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| !n.ends_with(".csv") && !n.ends_with(".md"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 25,
        "expected the dataset variants, found {files:?}"
    );
    let mut checked = 0;
    for file in &files {
        let base = file.split('.').next().unwrap();
        let reference = read_dataset(&format!("{base}.csv"));
        let t = read_dataset(file);
        let names =
            |t: &shared::Table| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&t), names(&reference), "{file}: column names");
        for (a, b) in t.columns.iter().zip(&reference.columns) {
            assert_eq!(a.logical, b.logical, "{file}: type of {}", a.name);
            assert_eq!(a.null_count, b.null_count, "{file}: nulls of {}", a.name);
        }
        assert_eq!(t.total_rows, reference.total_rows, "{file}: rows");
        assert_eq!(
            t.batch.num_rows(),
            reference.batch.num_rows(),
            "{file}: rows kept"
        );
        for (c, info) in reference.columns.iter().enumerate() {
            let (x, y) = (t.batch.column(c), reference.batch.column(c));
            for row in 0..reference.batch.num_rows() {
                let (vx, vy) = (value(x.as_ref(), row), value(y.as_ref(), row));
                assert!(
                    same(&vx, &vy),
                    "{file}: row {row} column {}: {vx:?} != {vy:?}",
                    info.name
                );
            }
        }
        checked += 1;
    }
    println!("{checked} variants match their CSV");
}

fn col<'a>(t: &'a shared::Profile, name: &str) -> &'a shared::profile::ColumnProfile {
    t.columns
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn types_and_kinds_of_the_public_tables() {
    let weather = read_dataset("seattle_weather.csv");
    let date = &weather.columns[0];
    assert_eq!(
        (date.logical, date.format.as_deref()),
        (LogicalType::Date, Some("%Y-%m-%d"))
    );

    let flights = read_dataset("flights.csv");
    let th = flights
        .columns
        .iter()
        .find(|c| c.name == "time_hour")
        .unwrap();
    assert_eq!(
        (th.logical, th.format.as_deref()),
        (LogicalType::DateTime, Some("%Y-%m-%d %H:%M:%S"))
    );
    let ty = |t: &shared::Table, n: &str| t.columns.iter().find(|c| c.name == n).unwrap().logical;
    assert_eq!(
        ty(&flights, "dep_time"),
        LogicalType::Integer,
        "517.0 with gaps is an integer column"
    );
    assert_eq!(ty(&flights, "carrier"), LogicalType::Text);

    let diamonds = read_dataset("diamonds.csv");
    assert_eq!(ty(&diamonds, "price"), LogicalType::Integer);
    assert_eq!(ty(&diamonds, "carat"), LogicalType::Float);
    assert_eq!(
        diamonds
            .columns
            .iter()
            .find(|c| c.name == "carat")
            .unwrap()
            .decimals,
        Some(2)
    );

    let airports = shared::profile(&read_dataset("airports.csv"));
    let iata = col(&airports, "iata");
    assert_eq!(iata.kind, ColumnKind::Identifier);
    assert!(iata.unique);
    assert!(airports.candidate_keys.contains(&vec!["iata".to_string()]));
    // Names of things, not sentences: categories (named where k rows share one).
    assert_eq!(col(&airports, "name").kind, ColumnKind::Categorical);
    assert_eq!(col(&airports, "state").kind, ColumnKind::Categorical);

    let cars = shared::profile(&read_dataset("cars.csv"));
    let name = col(&cars, "Name");
    assert_eq!(name.kind, ColumnKind::Categorical);
    assert!(name.semantic.is_none(), "car names are no sentences");
    assert_eq!(col(&cars, "Year").logical, LogicalType::Date);
    assert_eq!(col(&cars, "Origin").kind, ColumnKind::Categorical);
}

#[test]
fn profile_statistics_on_a_real_table() {
    let p = shared::profile(&read_dataset("penguins.csv"));
    assert_eq!(p.row_count, 344);
    let mass = col(&p, "body_mass_g");
    assert_eq!(mass.null_count, 2);
    let n = mass.numeric.as_ref().unwrap();
    assert_eq!(n.quantiles.len(), 101);
    assert_eq!((n.min, n.max), (2700.0, 6300.0));
    assert!((n.mean - 4201.754).abs() < 0.01, "{}", n.mean);
    assert_eq!(n.histogram.counts.iter().sum::<u64>(), 342);
    let species = col(&p, "species");
    assert_eq!(species.top_values[0].value, "Adelie");
    assert_eq!(species.top_values[0].count, 152);
    // Flipper length and body mass are strongly related in penguins.
    let c = &p.correlations;
    let i = c
        .columns
        .iter()
        .position(|n| n == "flipper_length_mm")
        .unwrap();
    let j = c.columns.iter().position(|n| n == "body_mass_g").unwrap();
    assert!(c.matrix[i][j] > 0.8, "{}", c.matrix[i][j]);

    let w = shared::profile(&read_dataset("seattle_weather.csv"));
    let d = col(&w, "date");
    let dt = d.datetime.as_ref().unwrap();
    assert_eq!(dt.granularity, shared::profile::Granularity::Day);
    assert_eq!(dt.weekday_counts.iter().sum::<u64>(), 1461);
    // temp_min ≤ temp_max on every day.
    assert!(
        w.ordered_pairs
            .iter()
            .any(|p| p.low == "temp_min" && p.high == "temp_max"),
        "{:?}",
        w.ordered_pairs
    );
}

#[test]
fn merged_chunks_profile_like_the_whole_table() {
    let t = read_dataset("penguins.csv");
    let whole = shared::profile(&t);
    let mut builders = Vec::new();
    for (start, len) in [(0, 100), (100, 150), (250, 94)] {
        let mut b = shared::profile::ProfileBuilder::new(&t.columns);
        b.add_batch(&t.batch.slice(start, len));
        builders.push(b);
    }
    let mut merged = builders.remove(0);
    for b in builders {
        merged = merged.merge(b).unwrap();
    }
    assert_eq!(merged.finish(&t, &Default::default()), whole);
    // Builders of two different tables do not merge: an error, not a panic.
    let other = read_dataset("diamonds.csv");
    let mut a = shared::profile::ProfileBuilder::new(&t.columns);
    a.add_batch(&t.batch.slice(0, 10));
    let mut b = shared::profile::ProfileBuilder::new(&other.columns);
    b.add_batch(&other.batch.slice(0, 10));
    let e = a.merge(b).unwrap_err().to_string();
    assert!(e.contains("two different tables"), "{e}");
}

#[test]
fn sample_size_bounds_rows_but_counts_stay_exact() {
    let bytes = std::fs::read(datasets().join("diamonds.csv")).unwrap();
    let opts = shared::IngestOptions {
        sample_size: Some(5000),
        ..Default::default()
    };
    let t = shared::read(&bytes, "diamonds.csv", &opts).unwrap();
    assert_eq!(t.total_rows, 53_940);
    assert_eq!(t.batch.num_rows(), 5000);
    let p = shared::profile(&t);
    assert_eq!(p.row_count, 53_940);
    assert_eq!(p.sampled_rows, 5000);
}

#[test]
fn hhmm_columns_are_found_in_flights_and_made_as_valid_clock_times() {
    use shared::pipeline::{self, InspectOptions};
    use shared::vocabulary::NumberEncoding;
    let bytes = std::fs::read(datasets().join("flights.csv")).unwrap();
    let real =
        pipeline::inspect(bytes, "flights.csv", &InspectOptions::with_guard_seed(1)).unwrap();
    let encoded: Vec<&str> = real
        .safe
        .columns
        .iter()
        .filter(|c| {
            c.numeric
                .as_ref()
                .is_some_and(|n| n.encoding == Some(NumberEncoding::ClockHhmm))
        })
        .map(|c| c.name.as_str())
        .collect();
    // `hour`, `minute`, `air_time`, `distance` and `flight` are numbers, not times.
    assert_eq!(
        encoded,
        ["dep_time", "sched_dep_time", "arr_time", "sched_arr_time"]
    );
    let synthetic = synthesize(&real.safe, 50_000, 3);
    for name in encoded {
        let values = column(&synthetic, name).as_primitive::<arrow::datatypes::Int64Type>();
        let invalid: Vec<i64> = values
            .iter()
            .flatten()
            .filter(|v| !(0..=2400).contains(v) || v % 100 >= 60)
            .take(5)
            .collect();
        // Before: 15 % of these were no clock time (19:65, 6:76).
        assert!(invalid.is_empty(), "{name}: {invalid:?}");
    }
}

#[test]
fn no_other_dataset_column_is_taken_for_a_time_or_date_code() {
    for file in [
        "airports.csv",
        "cars.csv",
        "diamonds.csv",
        "iris.csv",
        "penguins.csv",
        "seattle_weather.csv",
    ] {
        let safe = shared::pipeline::inspect(
            std::fs::read(datasets().join(file)).unwrap(),
            file,
            &shared::pipeline::InspectOptions::with_guard_seed(1),
        )
        .unwrap()
        .safe;
        for c in &safe.columns {
            assert_eq!(
                c.numeric.as_ref().and_then(|n| n.encoding),
                None,
                "{file}: {}",
                c.name
            );
        }
    }
}

#[test]
fn flights_clock_and_route_relations_are_found_and_hold_on_every_synthetic_row() {
    use shared::pipeline::{self, InspectOptions};
    use shared::vocabulary::{NumberEncoding, Rule};
    let bytes = std::fs::read(datasets().join("flights.csv")).unwrap();
    let real =
        pipeline::inspect(bytes, "flights.csv", &InspectOptions::with_guard_seed(1)).unwrap();
    let s = |x: &str| x.to_string();
    for expected in [
        Rule::ClockParts {
            target: s("sched_dep_time"),
            hour: s("hour"),
            minute: s("minute"),
        },
        Rule::ClockSum {
            target: s("dep_time"),
            clock: s("sched_dep_time"),
            minutes: s("dep_delay"),
        },
        Rule::ClockSum {
            target: s("arr_time"),
            clock: s("sched_arr_time"),
            minutes: s("arr_delay"),
        },
        // BTV is reached from JFK and EWR: the destination alone does not fix it.
        Rule::DeterminedBy {
            target: s("distance"),
            by: s("dest"),
            second_by: Some(s("origin")),
        },
    ] {
        assert!(
            real.safe.rules.contains(&expected),
            "{expected:?} not found"
        );
    }
    // At the default strictness.
    let n = 30_000;
    let t = synthesize(&real.safe, n, 9);
    let ints = |name: &str| -> Vec<Option<i64>> {
        column(&t, name)
            .as_primitive::<arrow::datatypes::Int64Type>()
            .iter()
            .collect()
    };
    let minutes = |v: i64| NumberEncoding::ClockHhmm.to_line(v as f64) as i64;
    let (sched, hour, minute) = (ints("sched_dep_time"), ints("hour"), ints("minute"));
    let parts = (0..n as usize)
        .filter_map(|r| Some(sched[r]? == hour[r]? * 100 + minute[r]?))
        .collect::<Vec<_>>();
    assert!(parts.len() > 25_000 && parts.iter().all(|&ok| ok));
    for (later, earlier, gap) in [
        ("dep_time", "sched_dep_time", "dep_delay"),
        ("arr_time", "sched_arr_time", "arr_delay"),
    ] {
        let (l, e, g) = (ints(later), ints(earlier), ints(gap));
        let held: Vec<bool> = (0..n as usize)
            .filter_map(|r| Some((minutes(e[r]?) + g[r]? - minutes(l[r]?)).rem_euclid(1440) == 0))
            .collect();
        // Before: 0.6 % of departures and 0.3 % of arrivals.
        assert!(held.len() > 25_000 && held.iter().all(|&ok| ok), "{later}");
        // Missing where the real column is missing: one flight in forty was cancelled.
        let missing = l.iter().filter(|v| v.is_none()).count() as f64 / n as f64;
        assert!((0.01..0.05).contains(&missing), "{later}: {missing}");
    }
    // Every synthetic route flies one distance (before: 58 % of rows kept it).
    let text = |name: &str| -> Vec<Option<String>> {
        column(&t, name)
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    };
    let (origin, dest, distance) = (text("origin"), text("dest"), ints("distance"));
    let mut seen: std::collections::HashMap<(String, String), i64> = Default::default();
    for r in 0..n as usize {
        let (Some(o), Some(d), Some(km)) = (&origin[r], &dest[r], distance[r]) else {
            continue;
        };
        let first = *seen.entry((o.clone(), d.clone())).or_insert(km);
        assert_eq!(first, km, "{o}→{d}");
    }
    assert!(seen.len() > 150, "{} routes", seen.len());
    // The arrival delay follows the departure delay: Pearson's r 0.91 in the real
    // table, 0.42 when the copula joined them by rank.
    let offset = real
        .safe
        .offsets
        .iter()
        .find(|o| o.target == "arr_delay")
        .expect("the arrival delay follows the departure delay");
    assert_eq!(offset.from, "dep_delay");
    let as_f64 = |v: Vec<Option<i64>>| {
        v.into_iter()
            .map(|x| x.map(|x| x as f64))
            .collect::<Vec<_>>()
    };
    let r = pearson(&as_f64(ints("dep_delay")), &as_f64(ints("arr_delay")));
    assert!((0.87..0.97).contains(&r), "{r}");
}
