//! Dependence beyond the copula, end to end: the profile finds per-category
//! distributions and columns missing together, the guard vets them, the template turns
//! them into `by` groups and null groups, and generated rows obey `by` groups, fixed
//! combinations, ranges and null groups on every row.

use crate::common;

use common::{V, safe_profile, value};
use shared::plan::compile;
use shared::spec::{Generator, Spec};
use std::collections::HashSet;

fn column(t: &shared::Table, name: &str) -> Vec<V> {
    let a = common::column(t, name);
    (0..t.batch.num_rows()).map(|r| value(a, r)).collect()
}

fn number(v: &V) -> Option<f64> {
    match v {
        V::Float(x) => Some(*x),
        V::Int(x) => Some(*x as f64),
        _ => None,
    }
}

#[test]
fn generated_rows_obey_groups_combinations_ranges_and_null_groups() {
    let spec = Spec::from_json(
        r#"{
        "version": 1, "default_rows": 20000,
        "columns": [
          {"name": "kind", "generator": {"kind": "categorical",
             "values": [{"value": "small", "weight": 3}, {"value": "large", "weight": 1}]}},
          {"name": "size", "generator": {"kind": "numeric", "quantiles": [0, 100], "decimals": 2,
             "by": {"column": "kind", "groups": [
               {"value": "small", "quantiles": [0, 1, 2]},
               {"value": "large", "quantiles": [50, 60, 100]}]}}},
          {"name": "colour", "generator": {"kind": "categorical",
             "values": [{"value": "red", "weight": 1}, {"value": "blue", "weight": 1}, {"value": "green", "weight": 1}],
             "by": {"column": "kind", "groups": [
               {"value": "small", "values": [{"value": "red", "weight": 1}, {"value": "blue", "weight": 1}]}]}}},
          {"name": "city", "generator": {"kind": "categorical",
             "values": [{"value": "Oslo", "weight": 1}, {"value": "Lima", "weight": 1}, {"value": "Pune", "weight": 1}]}},
          {"name": "country", "generator": {"kind": "categorical",
             "values": [{"value": "Norway", "weight": 1}, {"value": "Peru", "weight": 1}, {"value": "India", "weight": 1}]}},
          {"name": "dep", "null_rate": 0.3, "generator": {"kind": "numeric", "quantiles": [0, 10]}},
          {"name": "arr", "null_rate": 0.2, "generator": {"kind": "numeric", "quantiles": [0, 10]}}
        ],
        "copula": {"columns": ["kind", "size", "dep"], "correlation": [[1, 0.5, 0.3], [0.5, 1, 0.2], [0.3, 0.2, 1]]},
        "null_groups": [{"columns": ["dep", "arr"]}],
        "constraints": [
          {"kind": "range", "column": "size", "min": 0.5, "max": 90},
          {"kind": "fixed_combinations", "columns": ["city", "country"],
           "combinations": [["Oslo", "Norway"], ["Lima", "Peru"], ["Pune", "India"]]}
        ]
      }"#,
    )
    .unwrap();
    let plan = compile(&spec).unwrap();
    let rows = 20_000;
    let t = shared::generate::generate(&plan, 11, rows, 0..rows);
    let (kind, size, colour) = (column(&t, "kind"), column(&t, "size"), column(&t, "colour"));
    let (city, country) = (column(&t, "city"), column(&t, "country"));
    let (dep, arr) = (column(&t, "dep"), column(&t, "arr"));
    let mut small = Vec::new();
    let mut colours_large = HashSet::new();
    for r in 0..rows as usize {
        let x = number(&size[r]).unwrap();
        assert!(
            (0.5..=90.0).contains(&x),
            "row {r}: size {x} outside the range"
        );
        match (&kind[r], &colour[r]) {
            (V::Text(k), V::Text(c)) if k == "small" => {
                assert!(x <= 2.0, "row {r}: a small one of size {x}");
                assert!(c == "red" || c == "blue", "row {r}: small and {c}");
                small.push(x);
            }
            (V::Text(k), V::Text(c)) if k == "large" => {
                assert!(x >= 50.0, "row {r}: a large one of size {x}");
                colours_large.insert(c.clone());
            }
            other => panic!("row {r}: {other:?}"),
        }
        let pair = match (&city[r], &country[r]) {
            (V::Text(a), V::Text(b)) => (a.as_str(), b.as_str()),
            other => panic!("row {r}: {other:?}"),
        };
        assert!(
            [("Oslo", "Norway"), ("Lima", "Peru"), ("Pune", "India")].contains(&pair),
            "row {r}: {pair:?} is not an allowed combination"
        );
        // Nested: arr (20 %) is missing only where dep (30 %) is.
        if arr[r] == V::Null {
            assert_eq!(dep[r], V::Null, "row {r}: arr missing without dep");
        }
    }
    // The group's own distribution is followed, not squeezed by the copula: its median
    // is the group's median (1), within sampling error.
    small.sort_by(f64::total_cmp);
    let median = small[small.len() / 2];
    assert!(
        (median - 1.0).abs() < 0.05,
        "median of small sizes {median}"
    );
    // Unlisted groups use the column's own weights.
    assert_eq!(colours_large.len(), 3, "{colours_large:?}");
    let missing = |v: &[V]| v.iter().filter(|x| **x == V::Null).count();
    // Stratified per block: the rates hold to a row or two per block.
    assert!(missing(&dep).abs_diff(6_000) <= 5, "{}", missing(&dep));
    assert!(missing(&arr).abs_diff(4_000) <= 5, "{}", missing(&arr));
    // Any row range still equals the same rows of the full run.
    let part = shared::generate::generate(&plan, 11, rows, 5_000..9_000);
    assert_eq!(column(&part, "size"), size[5_000..9_000].to_vec());
    assert_eq!(column(&part, "arr"), arr[5_000..9_000].to_vec());
}

#[test]
fn the_template_groups_penguin_measurements_by_species() {
    let bytes = std::fs::read(common::datasets().join("penguins.csv")).unwrap();
    let profile = safe_profile(&bytes, "penguins.csv");
    let bill = profile
        .conditionals
        .iter()
        .find(|c| c.target == "bill_length_mm")
        .expect("a conditional for bill length");
    assert_eq!(bill.by, "species");
    let mut species: Vec<&str> = bill.groups.iter().map(|g| g.value.as_str()).collect();
    species.sort();
    assert_eq!(species, ["Adelie", "Chinstrap", "Gentoo"]);
    let spec = shared::template::template(&profile, 0.8);
    let col = spec.columns.iter().find(|c| c.name == "bill_length_mm");
    let Some(Generator::Numeric { by: Some(by), .. }) = col.map(|c| &c.generator) else {
        panic!("bill length is not grouped: {col:?}")
    };
    assert_eq!(by.column, "species");
    // Loose mode keeps marginals independent.
    let loose = shared::template::template(&profile, 0.3);
    assert!(loose.columns.iter().all(|c| !matches!(
        c.generator,
        Generator::Numeric { by: Some(_), .. } | Generator::Categorical { by: Some(_), .. }
    )));
    // Adelie bills are shorter than Gentoo ones in the generated rows too.
    let plan = compile(&spec).unwrap();
    let t = shared::generate::generate(&plan, 1, 3000, 0..3000);
    let (sp, bl) = (column(&t, "species"), column(&t, "bill_length_mm"));
    let mean = |name: &str| {
        let v: Vec<f64> = (0..3000)
            .filter(|&r| sp[r] == V::Text(name.into()))
            .filter_map(|r| number(&bl[r]))
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let (adelie, gentoo) = (mean("Adelie"), mean("Gentoo"));
    assert!(
        (37.0..40.5).contains(&adelie) && (46.0..49.0).contains(&gentoo),
        "Adelie {adelie}, Gentoo {gentoo}"
    );
}

/// A table where `status` decides `score`, one status value is rare, and two columns
/// go missing together on 40 rows.
fn grouped_csv() -> Vec<u8> {
    let mut s = String::from("status,score,left_at,reason\n");
    for i in 0..400 {
        let status = match i % 10 {
            0..=4 => "open",
            5..=8 => "closed",
            _ if i < 30 => "Zyxwvut",
            _ => "closed",
        };
        let score = match status {
            "open" => 10 + i % 7,
            "closed" => 100 + i % 9,
            _ => 5_000 + i,
        };
        let (left, reason) = if i % 10 == 3 {
            (String::new(), String::new())
        } else {
            (
                format!("{}", i % 13),
                ["moved", "price", "service"][i % 3].to_string(),
            )
        };
        s += &format!("{status},{score},{left},{reason}\n");
    }
    s.into_bytes()
}

#[test]
fn the_guard_keeps_groups_of_named_values_and_enough_rows_only() {
    let profile = safe_profile(&grouped_csv(), "grouped.csv");
    let score = profile
        .conditionals
        .iter()
        .find(|c| c.target == "score")
        .expect("score depends on status");
    let groups: Vec<&str> = score.groups.iter().map(|g| g.value.as_str()).collect();
    // "Zyxwvut" occurs 3 times: not a named category, so no group and no quantiles
    // that would reveal its scores.
    assert_eq!(groups, ["open", "closed"]);
    let json = serde_json::to_string(&profile).unwrap();
    assert!(!json.contains("Zyxwvut"), "a rare value left the machine");
    // The rare group's scores are 5009, 5019 and 5029: present in the input (the full
    // profile holds them), absent from what may leave.
    let t = shared::read(&grouped_csv(), "grouped.csv", &Default::default()).unwrap();
    let full = serde_json::to_string(&shared::profile(&t)).unwrap();
    assert!(full.contains("5019"), "the planted scores are in the input");
    for planted in ["5009", "5019", "5029"] {
        assert!(
            !json.contains(planted),
            "a rare group's score {planted} left the machine"
        );
    }
    for g in &score.groups {
        let (lo, hi) = (g.quantiles[0], *g.quantiles.last().unwrap());
        assert!(lo < hi && (lo >= 10.0 && hi <= 108.0), "{g:?}");
    }
    let groups: Vec<&Vec<String>> = profile.null_groups.iter().map(|g| &g.columns).collect();
    assert_eq!(groups, [&vec!["left_at".to_string(), "reason".to_string()]]);
    // ...and the generated rows keep them missing together.
    let spec = shared::template::template(&profile, 0.8);
    let plan = compile(&spec).unwrap();
    let t = shared::generate::generate(&plan, 2, 4000, 0..4000);
    let (left, reason) = (column(&t, "left_at"), column(&t, "reason"));
    let apart = (0..4000)
        .filter(|&r| (left[r] == V::Null) != (reason[r] == V::Null))
        .count();
    let together = (0..4000).filter(|&r| left[r] == V::Null).count();
    assert!(
        apart == 0 && together == 400,
        "{apart} apart, {together} missing"
    );
}

#[test]
fn template_rows_stay_within_the_spec() {
    for file in ["penguins.csv", "diamonds.csv", "seattle_weather.csv"] {
        let bytes = std::fs::read(common::datasets().join(file)).unwrap();
        let spec = shared::template::template(&safe_profile(&bytes, file), 0.8);
        let plan = compile(&spec).unwrap();
        let t = shared::generate::generate(&plan, 5, 20_000, 0..20_000);
        for c in &spec.columns {
            let values = column(&t, &c.name);
            match &c.generator {
                Generator::Numeric {
                    quantiles,
                    point_masses,
                    by,
                    ..
                } => {
                    let ends = quantiles
                        .iter()
                        .chain(point_masses.iter().map(|m| &m.value))
                        .chain(
                            by.iter()
                                .flat_map(|b| b.groups.iter().flat_map(|g| &g.quantiles)),
                        );
                    let lo = ends.clone().copied().fold(f64::INFINITY, f64::min);
                    let hi = ends.copied().fold(f64::NEG_INFINITY, f64::max);
                    for x in values.iter().filter_map(number) {
                        assert!(x >= lo - 0.5 && x <= hi + 0.5, "{file} {}: {x}", c.name);
                    }
                }
                Generator::Categorical {
                    values: named,
                    other_share,
                    ..
                } if *other_share == 0.0 => {
                    for v in &values {
                        if let V::Text(s) = v {
                            assert!(named.iter().any(|n| &n.value == s), "{file}: {s}");
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// A ratings table: each of 240 titles has one year and one genre list, rated 40 to 60
/// times. Deterministic (a small LCG), so the figures are the same on every run.
fn ratings_csv() -> Vec<u8> {
    let genres = [
        "Drama",
        "Comedy",
        "Drama|Romance",
        "Action|Thriller",
        "Horror",
        "Animation|Family",
        "Documentary",
        "Crime|Drama",
        "Sci-Fi",
        "Comedy|Romance",
        "Western",
        "Musical",
    ];
    let mut seed = 7u64;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut s = String::from("user_id,title,year,genres,rating\n");
    for t in 0..240u64 {
        let year = 1950 + next(70);
        let genre = genres[next(genres.len() as u64) as usize];
        let title = format!("Film {t:03} of {year}s");
        let quality = next(4) as f64 * 0.5 + 2.0;
        for _ in 0..40 + next(21) {
            let rating = (quality + next(5) as f64 * 0.5 - 1.0).clamp(0.5, 5.0);
            s += &format!("{},{title},{year},{genre},{rating}\n", next(500));
        }
    }
    s.into_bytes()
}

/// Title → year and title → genres hold on every real row: the profile finds both, the
/// template draws each title within its genre list and each year from its title, and
/// every synthetic row keeps them; the SDMetrics figure clears the issue's 0.85.
#[test]
fn a_title_keeps_its_year_and_genres() {
    let bytes = ratings_csv();
    let profile = safe_profile(&bytes, "ratings.csv");
    let find = |target: &str| profile.conditionals.iter().find(|c| c.target == target);
    let year = find("year").expect("year depends on the title");
    let title = find("title").expect("titles are drawn within their genres");
    assert_eq!((year.by.as_str(), title.by.as_str()), ("title", "genres"));
    // A constant group is one value, twice: compact for 240 titles.
    assert!(
        year.groups
            .iter()
            .all(|g| g.quantiles.len() == 2 && g.quantiles[0] == g.quantiles[1])
    );
    assert!(
        year.groups.len() >= 200,
        "{} titles with a year",
        year.groups.len()
    );
    let spec = shared::template::template(&profile, 0.8);
    let plan = compile(&spec).unwrap();
    let rows = 12_000;
    let synthetic = shared::generate::generate(&plan, 3, rows, 0..rows);
    let real = shared::read(&bytes, "ratings.csv", &Default::default()).unwrap();
    let report = common::scored(&real, &synthetic);
    let held = |relation: &str| common::held(&report, relation);
    for relation in ["title → year", "title → genres"] {
        let (real, synthetic) = held(relation);
        assert!(
            real >= 0.999 && synthetic >= 0.98 * real,
            "{relation}: {real} → {synthetic}"
        );
    }
    let overall = report.fidelity.overall.unwrap();
    println!(
        "ratings: quality {overall:.4}, title → year {:?}, title → genres {:?}",
        held("title → year"),
        held("title → genres")
    );
    assert!(overall >= 0.85, "SDMetrics quality {overall}");
}

/// A title rated fewer than k times (k is 5 to 7) is not named, so its group, and the
/// year only it has, stay home, though a dependency keeps groups of k rows.
#[test]
fn a_rare_key_and_its_value_stay_home() {
    let mut bytes = ratings_csv();
    for user in 0..4 {
        bytes.extend_from_slice(format!("{user},Secret Film,1901,Drama,4.5\n").as_bytes());
    }
    let profile = safe_profile(&bytes, "ratings.csv");
    assert!(
        profile
            .conditionals
            .iter()
            .any(|c| c.target == "year" && c.by == "title"),
        "the dependency is still found"
    );
    let json = serde_json::to_string(&profile).unwrap();
    for planted in ["Secret Film", "1901"] {
        assert!(!json.contains(planted), "{planted} left the machine");
    }
}

/// Spearman's ρ of two equally long columns (ties by position: enough here).
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let rank = |v: &[f64]| {
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        let mut r = vec![0.0; v.len()];
        for (k, &i) in order.iter().enumerate() {
            r[i] = k as f64;
        }
        r
    };
    let (ra, rb) = (rank(a), rank(b));
    let n = a.len() as f64;
    let mean = (n - 1.0) / 2.0;
    let cov: f64 = ra
        .iter()
        .zip(&rb)
        .map(|(x, y)| (x - mean) * (y - mean))
        .sum();
    let var: f64 = ra.iter().map(|x| (x - mean).powi(2)).sum();
    cov / var
}

/// Point masses that cover part of a column (departures on the hour) are made at their
/// share exactly, and sit at their place in the column's order: a copula partner keeps
/// its rank correlation. Drawing "a mass when u < share" instead puts 20:00 and 06:00
/// at the same low u and breaks it.
#[test]
fn partial_point_masses_keep_their_share_and_the_copula() {
    let spec = Spec::from_json(
        r#"{
        "version": 1, "default_rows": 20000,
        "columns": [
          {"name": "departs", "generator": {"kind": "numeric", "integer": true,
             "encoding": "clock_hhmm",
             "quantiles": [500, 700, 900, 1100, 1300, 1500, 1700, 1900, 2100, 2300],
             "point_masses": [{"value": 2000, "weight": 0.1}, {"value": 600, "weight": 0.2}]}},
          {"name": "arrives", "generator": {"kind": "numeric", "quantiles": [0, 1000], "decimals": 1}}
        ],
        "copula": {"columns": ["departs", "arrives"], "correlation": [[1, 0.9], [0.9, 1]]}
      }"#,
    )
    .unwrap();
    let plan = compile(&spec).unwrap();
    let rows = 20_000;
    let t = shared::generate::generate(&plan, 4, rows, 0..rows);
    let departs: Vec<f64> = column(&t, "departs").iter().filter_map(number).collect();
    let arrives: Vec<f64> = column(&t, "arrives").iter().filter_map(number).collect();
    let share = |v: f64| departs.iter().filter(|&&x| x == v).count() as f64 / rows as f64;
    assert!((share(600.0) - 0.2).abs() < 0.01, "06:00 {}", share(600.0));
    assert!(
        (share(2000.0) - 0.1).abs() < 0.01,
        "20:00 {}",
        share(2000.0)
    );
    assert!(
        departs
            .iter()
            .all(|&x| x % 100.0 < 60.0 && (500.0..=2300.0).contains(&x)),
        "not a clock time"
    );
    let rho = spearman(&departs, &arrives);
    assert!(rho > 0.8, "rank correlation {rho}");
}

/// Routes: each (origin, destination) pair has one distance, and most destinations are
/// reached from two or three origins at different distances, so the destination alone
/// does not fix it. Air time follows the distance. `secret_pairs` extra rows fly a
/// pair seen nowhere else, at a distance no other route has.
fn routes_csv(secret_pairs: u64) -> Vec<u8> {
    let mut next = common::xorshift(17);
    let origins = ["EWR", "JFK", "LGA"];
    let mut s = String::from("origin,dest,distance,air_time\n");
    for d in 0..40u64 {
        let dest = format!("D{d:02}");
        for (o, origin) in origins.iter().enumerate() {
            // Destinations 30..40 are reached from one origin only.
            if d >= 30 && o > 0 {
                continue;
            }
            let distance = 200 + d * 60 + o as u64 * 17;
            for _ in 0..30 + next(40) {
                let air = distance as f64 / 8.0 + next(30) as f64;
                s += &format!("{origin},{dest},{distance},{air}\n");
            }
        }
    }
    for _ in 0..secret_pairs {
        s += "LGA,D35,7777,900\n";
    }
    s.into_bytes()
}

/// A distance is fixed by origin and destination together: the profile finds the pair
/// (and the rule), the guard releases the pairs, the template lists them, and every
/// synthetic route keeps one distance.
#[test]
fn a_route_keeps_its_distance() {
    use shared::vocabulary::Rule;
    let bytes = routes_csv(0);
    let profile = safe_profile(&bytes, "routes.csv");
    let distance = profile
        .conditionals
        .iter()
        .find(|c| c.target == "distance")
        .expect("distance depends on the destination");
    assert_eq!(
        (distance.by.as_str(), distance.second_by.as_deref()),
        ("dest", Some("origin"))
    );
    assert_eq!(distance.pairs.len(), 30 * 3 + 10, "every route is named");
    let jfk = distance
        .pairs
        .iter()
        .find(|p| p.value == "D07" && p.second_value == "JFK")
        .unwrap();
    assert_eq!(jfk.target, (200 + 7 * 60 + 17) as f64);
    assert!(profile.rules.contains(&Rule::DeterminedBy {
        target: "distance".into(),
        by: "dest".into(),
        second_by: Some("origin".into()),
    }));
    let spec = shared::template::template(&profile, 0.8);
    let by = spec
        .columns
        .iter()
        .find_map(|c| match &c.generator {
            Generator::Numeric { by: Some(b), .. } if c.name == "distance" => Some(b),
            _ => None,
        })
        .expect("distance is drawn by destination");
    assert_eq!(by.second_column.as_deref(), Some("origin"));
    assert_eq!(by.pairs.len(), distance.pairs.len());

    let plan = compile(&spec).unwrap();
    let rows = 20_000;
    let synthetic = shared::generate::generate(&plan, 5, rows, 0..rows);
    let real = shared::read(&bytes, "routes.csv", &Default::default()).unwrap();
    let report = common::scored(&real, &synthetic);
    let (real_share, synthetic_share) = common::held(&report, "(dest, origin) → distance");
    assert!(
        real_share == 1.0 && synthetic_share >= 0.98,
        "{real_share} → {synthetic_share}"
    );
    // Every synthetic row of a named route has that route's distance.
    let (o, d, km) = (
        column(&synthetic, "origin"),
        column(&synthetic, "dest"),
        column(&synthetic, "distance"),
    );
    let named: std::collections::HashMap<(String, String), f64> = distance
        .pairs
        .iter()
        .map(|p| ((p.second_value.clone(), p.value.clone()), p.target))
        .collect();
    let mut checked = 0;
    for r in 0..rows as usize {
        if let (V::Text(o), V::Text(d), Some(x)) = (&o[r], &d[r], number(&km[r]))
            && let Some(&want) = named.get(&(o.clone(), d.clone()))
        {
            assert_eq!(x, want, "{o}→{d}");
            checked += 1;
        }
    }
    assert!(
        checked > rows as usize * 9 / 10,
        "{checked} rows on named routes"
    );
    println!(
        "routes: (dest, origin) → distance {real_share} → {synthetic_share}, quality {:.4}",
        report.fidelity.overall.unwrap()
    );
}

/// A route flown fewer than k times is not named, and its distance, which no other row
/// has, stays home; so does the pair when the second column is withheld.
#[test]
fn a_rare_route_and_its_distance_stay_home() {
    let bytes = routes_csv(3);
    let profile = safe_profile(&bytes, "routes.csv");
    let distance = profile
        .conditionals
        .iter()
        .find(|c| c.target == "distance")
        .unwrap();
    assert_eq!(distance.second_by.as_deref(), Some("origin"));
    assert!(
        !distance
            .pairs
            .iter()
            .any(|p| p.value == "D35" && p.second_value == "LGA")
    );
    let json = serde_json::to_string(&profile).unwrap();
    assert!(!json.contains("7777"), "the rare route's distance left");
}

/// A hand-written (or LLM-written) two-column key that cannot hold is a problem at its
/// path, never a panic; listed pairs must be pairs of values the two columns make.
#[test]
fn a_two_column_key_that_cannot_hold_is_a_problem_at_its_path() {
    let spec = |second: &str, pairs: &str| {
        Spec::from_json(&format!(
            r#"{{"version": 1, "default_rows": 100, "columns": [
              {{"name": "origin", "generator": {{"kind": "categorical",
                 "values": [{{"value": "JFK", "weight": 1}}, {{"value": "EWR", "weight": 1}}]}}}},
              {{"name": "dest", "generator": {{"kind": "categorical",
                 "values": [{{"value": "BTV", "weight": 1}}, {{"value": "SFO", "weight": 1}}]}}}},
              {{"name": "seats", "generator": {{"kind": "numeric", "quantiles": [50, 300]}}}},
              {{"name": "distance", "generator": {{"kind": "numeric", "quantiles": [100, 3000],
                 "by": {{"column": "dest", "groups": [
                   {{"value": "BTV", "quantiles": [260, 270]}},
                   {{"value": "SFO", "quantiles": [2560, 2570]}}]{second}, "pairs": [{pairs}]}}}}}}
            ]}}"#
        ))
        .unwrap()
    };
    let fine = r#"{"value": "BTV", "second_value": "JFK", "quantiles": [266, 266]},
                  {"value": "SFO", "second_value": "EWR", "quantiles": [2565, 2565]}"#;
    assert!(compile(&spec(r#", "second_column": "origin""#, fine)).is_ok());
    for (second, pairs, path) in [
        ("", fine, "$.columns[3].generator.by.pairs"),
        (
            r#", "second_column": "gate""#,
            fine,
            "$.columns[3].generator.by.second_column",
        ),
        (
            r#", "second_column": "dest""#,
            fine,
            "$.columns[3].generator.by.second_column",
        ),
        (
            r#", "second_column": "seats""#,
            fine,
            "$.columns[3].generator.by.second_column",
        ),
        (
            r#", "second_column": "origin""#,
            r#"{"value": "BTV", "second_value": "LGA", "quantiles": [1, 1]}"#,
            "$.columns[3].generator.by.pairs[0]",
        ),
        (
            r#", "second_column": "origin""#,
            r#"{"value": "BTV", "second_value": "JFK", "quantiles": [9, 1]}"#,
            "$.columns[3].generator.by.pairs[0].quantiles",
        ),
    ] {
        let problems = compile(&spec(second, pairs)).unwrap_err();
        assert!(
            problems.0.iter().any(|p| p.path == path),
            "{second} {pairs}: {problems}"
        );
    }
}

/// Small tables of routes (1 to 120 rows; the first six routes flown 4 times, k − 1 for
/// the smallest k, the rest 12 times): no pair the guard releases was seen on fewer than
/// 5 rows, pairs are released once a destination has 20 rows (a group the guard
/// describes), and the template's spec makes rows; nothing panics.
#[test]
fn tiny_route_tables_release_no_pair_under_k() {
    let mut released = 0;
    for n in 1..=120usize {
        let mut csv = String::from("origin,dest,distance\n");
        let mut rows_of: std::collections::HashMap<(String, String), usize> = Default::default();
        for r in 0..n {
            let route = if r < 24 { r / 4 } else { 6 + (r - 24) / 12 };
            let (origin, dest) = (["JFK", "EWR"][route % 2], format!("D{}", route / 2));
            csv += &format!("{origin},{dest},{}\n", 1000 + route * 37);
            *rows_of.entry((dest, origin.to_string())).or_default() += 1;
        }
        for seed in [1, 2] {
            let real = shared::pipeline::inspect(
                csv.as_bytes(),
                "routes.csv",
                &shared::pipeline::InspectOptions::with_guard_seed(seed),
            )
            .unwrap_or_else(|e| panic!("n={n}: {e}"));
            for d in &real.safe.conditionals {
                for p in &d.pairs {
                    let rows = rows_of[&(p.value.clone(), p.second_value.clone())];
                    assert!(rows >= 5, "n={n}: {p:?} released from {rows} rows");
                    released += 1;
                }
            }
            let spec = shared::pipeline::template_spec(&real.safe, Default::default());
            let plan = compile(&spec).unwrap_or_else(|e| panic!("n={n}: {e}"));
            shared::generate::generate(&plan, seed, 30, 0..30);
        }
    }
    assert!(released > 0, "no pair was ever released");
}
