//! The one pipeline under attack: what the CLI, the relay and the page run, end to end,
//! on tables too small to release much, with planted values and non-ASCII text.

use crate::common;

use shared::export::{ExportOptions, OutputFormat};
use shared::pipeline::{self, InspectOptions, Scoring, Synthesis};

/// A value planted k_min − 1 times, and a unique one in full-width digits: neither may
/// reach the SafeProfile, the re-guarded SafeProfile or a synthetic byte.
const PLANTED: &str = "Zyxwvut Sentinelsson";
const UNIQUE: &str = "ＩＤ－７７３４９１";

fn table(n: usize) -> String {
    let mut csv = String::from("name,ward,age,admitted,note\n");
    for r in 0..n {
        let name = if r < 4 {
            PLANTED.to_string()
        } else {
            format!("Ärzte Ünal {r}")
        };
        let ward = ["A", "B", "C"][r % 3];
        let note = if r == n / 2 {
            UNIQUE.to_string()
        } else {
            format!("überwiesen {r}")
        };
        csv += &format!(
            "{name},{ward},{},2024-0{}-1{},{note}\n",
            30 + r * 3 % 47,
            1 + r % 9,
            r % 10
        );
    }
    csv
}

#[test]
fn tiny_tables_go_through_every_step_without_a_panic_or_a_planted_value() {
    for n in 1..=20 {
        for seed in [1, 2, 3] {
            let csv = table(n);
            let real = pipeline::inspect(
                csv.as_bytes(),
                "tiny.csv",
                &InspectOptions::with_guard_seed(seed),
            )
            .unwrap_or_else(|e| panic!("n={n}: {e}"));
            // The reading side saw the planted values; only the guard stands between.
            let local = serde_json::to_string(&real.profile).unwrap();
            assert!(local.contains(PLANTED) && local.contains(UNIQUE), "n={n}");
            let (again, _) = pipeline::reguard(&real.safe).unwrap();
            for released in [&real.safe, &again] {
                let json = serde_json::to_string(released).unwrap();
                for planted in [PLANTED, UNIQUE, "Sentinelsson", "７７３４９１"] {
                    assert!(!json.contains(planted), "n={n}: {planted} released");
                }
            }
            let spec = pipeline::template_spec(&again, Default::default());
            let synthesis = Synthesis::new(spec, Some(50), seed).unwrap();
            let mut exporter = synthesis
                .exporter(OutputFormat::Csv, ExportOptions::default(), Vec::new())
                .unwrap();
            let mut first = None;
            for range in synthesis.ranges() {
                let chunk = synthesis
                    .render_kept(range, OutputFormat::Csv, &ExportOptions::default())
                    .unwrap();
                chunk.write_to(&mut exporter).unwrap();
                first.get_or_insert(chunk.into_table().unwrap());
            }
            let bytes = exporter.finish().unwrap();
            let text = String::from_utf8(bytes).unwrap();
            assert_eq!(text.lines().count(), 51, "n={n}");
            for planted in [PLANTED, UNIQUE, "Sentinelsson", "７７３４９１"] {
                assert!(!text.contains(planted), "n={n}: {planted} in the output");
            }
            let report = pipeline::score(&real, &first.unwrap(), seed, Scoring::Full);
            assert_eq!(report.privacy.withheld.occurrences, 0, "n={n}");
        }
    }
}

/// Patients with day-exact birth dates and minute-exact admissions: the guard releases
/// birth dates only to the year and admissions only to the month.
fn patients(n: usize) -> String {
    let mut csv = String::from("patient_id,date_of_birth,admission_time,ward\n");
    let mut next = common::xorshift(0x2545_F491_4F6C_DD1D);
    for r in 0..n {
        let birth = chrono::NaiveDate::from_ymd_opt(1940, 1, 1).unwrap()
            + chrono::TimeDelta::days(next(365 * 65) as i64);
        let admitted = chrono::NaiveDate::from_ymd_opt(2023, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + chrono::TimeDelta::minutes(next(365 * 24 * 60) as i64);
        csv += &format!(
            "P{r:05},{birth},{},{}\n",
            admitted.format("%Y-%m-%d %H:%M"),
            ["A", "B", "C"][r % 3]
        );
    }
    csv
}

#[test]
fn dates_released_to_a_year_or_month_are_made_as_days_inside_it() {
    use arrow::array::AsArray;
    use arrow::datatypes::{Date32Type, TimestampMicrosecondType};
    use chrono::{Datelike, Timelike};
    let real = pipeline::inspect(
        patients(3000).as_bytes(),
        "patients.csv",
        &InspectOptions::with_guard_seed(7),
    )
    .unwrap();
    let released = |name: &str| {
        let c = real.safe.columns.iter().find(|c| c.name == name).unwrap();
        c.datetime.clone().unwrap()
    };
    let (birth, admitted) = (released("date_of_birth"), released("admission_time"));
    assert_eq!(
        birth.coarsened_to,
        Some(shared::vocabulary::Granularity::Year)
    );
    assert_eq!(
        admitted.coarsened_to,
        Some(shared::vocabulary::Granularity::Month)
    );
    assert!(birth.quantiles.iter().all(|q| q.ends_with("-01-01")));
    let synthetic = common::synthesize(&real.safe, 3000, 11);
    let column = |name: &str| common::column(&synthetic, name).clone();
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let births: Vec<chrono::NaiveDate> = column("date_of_birth")
        .as_primitive::<Date32Type>()
        .iter()
        .flatten()
        .map(|d| epoch + chrono::TimeDelta::days(d.into()))
        .collect();
    let distinct: std::collections::HashSet<_> = births.iter().collect();
    let new_years = births.iter().filter(|d| d.ordinal() == 1).count();
    // Before: every birth date was 1 January (one value per year, about 65).
    assert!(
        distinct.len() > 1500,
        "{} distinct birth dates",
        distinct.len()
    );
    assert!(new_years * 50 < births.len(), "{new_years} on 1 January");
    let year = |q: &str| q[..4].parse::<i32>().unwrap();
    let (lo, hi) = (year(&birth.min), year(&birth.max));
    assert!(births.iter().all(|d| (lo..=hi).contains(&d.year())));
    let admissions: Vec<chrono::NaiveDateTime> = column("admission_time")
        .as_primitive::<TimestampMicrosecondType>()
        .iter()
        .flatten()
        .map(|us| {
            chrono::DateTime::from_timestamp_micros(us)
                .unwrap()
                .naive_utc()
        })
        .collect();
    let midnight = admissions
        .iter()
        .filter(|t| t.hour() == 0 && t.minute() == 0)
        .count();
    let firsts = admissions.iter().filter(|t| t.day() == 1).count();
    // Before: every admission was midnight on the 1st of a month.
    assert!(midnight * 50 < admissions.len(), "{midnight} at midnight");
    assert!(firsts * 10 < admissions.len(), "{firsts} on the 1st");
    assert!(admissions.iter().all(|t| t.second() == 0));
}

#[test]
fn dates_written_as_yyyymmdd_numbers_come_back_as_real_dates() {
    use arrow::array::AsArray;
    let mut csv = String::from("order,day_code,amount\n");
    let start = chrono::NaiveDate::from_ymd_opt(2022, 11, 20).unwrap();
    for r in 0..2000u32 {
        let d = start + chrono::TimeDelta::days(i64::from(r * 7919 % 500));
        csv += &format!("{r},{},{}\n", d.format("%Y%m%d"), r % 97);
    }
    let real = pipeline::inspect(
        csv.as_bytes(),
        "orders.csv",
        &InspectOptions::with_guard_seed(2),
    )
    .unwrap();
    let synthetic = common::synthesize(&real.safe, 5000, 5);
    let codes =
        common::column(&synthetic, "day_code").as_primitive::<arrow::datatypes::Int64Type>();
    for v in codes.iter().flatten() {
        let text = v.to_string();
        let date = chrono::NaiveDate::parse_from_str(&text, "%Y%m%d");
        // Interpolating the numbers 20221130 and 20221201 gives 20221165.
        assert!(date.is_ok(), "{v} is no date");
    }
}

/// Time on a ward written HHMM past a day (`3730` is 37 h 30): the profile says so, and
/// every synthetic value is hours and minutes, spread like the real ones in minutes.
#[test]
fn durations_written_as_hhmm_come_back_as_hours_and_minutes() {
    use arrow::array::AsArray;
    use shared::vocabulary::NumberEncoding;
    let mut csv = String::from("stay,ward_time\n");
    for r in 0..3000u64 {
        let minutes = 20 + (r * 7919) % 5000;
        csv += &format!("{r},{}\n", minutes / 60 * 100 + minutes % 60);
    }
    let real = pipeline::inspect(
        csv.as_bytes(),
        "stays.csv",
        &InspectOptions::with_guard_seed(3),
    )
    .unwrap();
    let column = real
        .safe
        .columns
        .iter()
        .find(|c| c.name == "ward_time")
        .unwrap();
    assert_eq!(
        column.numeric.as_ref().unwrap().encoding,
        Some(NumberEncoding::DurationHhmm)
    );
    let synthetic = common::synthesize(&real.safe, 20_000, 5);
    let minutes: Vec<i64> = common::column(&synthetic, "ward_time")
        .as_primitive::<arrow::datatypes::Int64Type>()
        .iter()
        .flatten()
        .map(|v| {
            // Interpolating 1259 and 1301 as numbers gives 1280.
            assert!(v >= 0 && v % 100 < 60, "{v} is no duration");
            v / 100 * 60 + v % 100
        })
        .collect();
    assert_eq!(minutes.len(), 20_000);
    // Spread evenly over 20..5020 minutes, as the real stays are.
    let share_below = |m: i64| minutes.iter().filter(|&&x| x < m).count() as f64 / 20_000.0;
    for (m, want) in [(1270, 0.25), (2520, 0.5), (3770, 0.75)] {
        assert!(
            (share_below(m) - want).abs() < 0.03,
            "{m}: {}",
            share_below(m)
        );
    }
}

#[test]
fn a_personal_date_written_as_yyyymmdd_is_released_only_to_its_month() {
    let mut csv = String::from("patient,admission_day,ward\n");
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    for r in 0..1500u32 {
        let d = start + chrono::TimeDelta::days(i64::from(r * 7919 % 365));
        csv += &format!(
            "{r},{},{}\n",
            d.format("%Y%m%d"),
            ["A", "B"][r as usize % 2]
        );
    }
    for seed in [1, 2] {
        let real = pipeline::inspect(
            csv.as_bytes(),
            "admissions.csv",
            &InspectOptions::with_guard_seed(seed),
        )
        .unwrap();
        let (again, _) = pipeline::reguard(&real.safe).unwrap();
        for released in [&real.safe, &again] {
            let c = released
                .columns
                .iter()
                .find(|c| c.name == "admission_day")
                .unwrap();
            let n = c.numeric.as_ref().expect("a distribution is released");
            let values = n
                .quantiles
                .iter()
                .chain(n.point_masses.iter().map(|m| &m.value));
            for &v in values {
                assert_eq!(v as i64 % 100, 1, "{v} names a day");
            }
        }
    }
}

#[test]
fn validity_reports_the_share_of_rows_that_keep_each_real_relation() {
    // price + tax = total, start ≤ end, and an HHMM clock with its hour and minute, on
    // every real row.
    let rows = |broken_every: usize| {
        let mut csv = String::from("price,tax,total,start,end,at,hour,minute\n");
        for r in 0..600usize {
            let (price, tax) = (10 + r % 37, r % 7);
            let (h, m) = (r % 24, (r * 7) % 60);
            let broken = broken_every > 0 && r % broken_every == 0;
            let total = price + tax + usize::from(broken);
            let at = h * 100 + m + usize::from(broken);
            let (start, end) = (r % 50, r % 50 + r % 9);
            let (start, end) = if broken {
                (end + 1, start)
            } else {
                (start, end)
            };
            csv += &format!("{price},{tax},{total},{start},{end},{at},{h},{m}\n");
        }
        csv
    };
    let real = pipeline::inspect(
        rows(0).as_bytes(),
        "real.csv",
        &InspectOptions::with_guard_seed(1),
    )
    .unwrap();
    let synthetic = shared::read(rows(2).as_bytes(), "synthetic.csv", &Default::default()).unwrap();
    let report = pipeline::score(&real, &synthetic, 1, Scoring::Full);
    let v = &report.validity;
    let find = |needle: &str| {
        v.relations
            .iter()
            .find(|r| r.relation.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not among {:?}", v.relations))
    };
    for needle in [
        "total = price + tax",
        "start ≤ end",
        "at = hour·100 + minute",
    ] {
        let held = find(needle);
        assert_eq!(held.real, 1.0, "{needle}");
        // Every second synthetic row breaks it.
        let s = held.synthetic.unwrap();
        assert!((s - 0.5).abs() < 0.01, "{needle}: {s}");
    }
    let mean = v.held.unwrap();
    assert!(mean < 0.6, "{mean}");
    let same = pipeline::score(&real, &real.table, 1, Scoring::Full).validity;
    assert_eq!(same.held, Some(1.0));
}

#[test]
fn verbatim_copies_alarm_only_for_values_one_real_row_holds() {
    let table = |copy_every: usize| {
        let mut csv = String::from("email,city,visits\n");
        for r in 0..400usize {
            let email = if copy_every > 0 && r % copy_every == 0 {
                format!("patient{r}@mail.example")
            } else if copy_every > 0 {
                format!("made.up{r}@example.com")
            } else {
                format!("patient{r}@mail.example")
            };
            let city = ["Boston", "Denver", "Austin", "Seattle"][r % 4];
            csv += &format!("{email},{city},{}\n", r % 13);
        }
        csv
    };
    let real = pipeline::inspect(
        table(0).as_bytes(),
        "real.csv",
        &InspectOptions::with_guard_seed(1),
    )
    .unwrap();
    let synthetic =
        shared::read(table(5).as_bytes(), "synthetic.csv", &Default::default()).unwrap();
    let report = pipeline::score(&real, &synthetic, 1, Scoring::Full);
    let find = |name: &str| {
        report
            .privacy
            .verbatim
            .iter()
            .find(|v| v.column == name)
            .unwrap_or_else(|| panic!("{name} not checked: {:?}", report.privacy.verbatim))
    };
    let (email, city) = (find("email"), find("city"));
    // Every city is a real city, and none points at anyone.
    assert_eq!(city.rate, 1.0);
    assert_eq!(city.unique_rate, 0.0);
    assert!(!city.alarming());
    // One synthetic email in five is a real patient's.
    assert!((email.unique_rate - 0.2).abs() < 1e-9, "{email:?}");
    assert!(email.alarming());
    // The headline leaves out what is replaced by design and says by what.
    let replaced: Vec<&str> = report
        .imitated
        .replaced
        .iter()
        .map(|r| r.column.as_str())
        .collect();
    assert_eq!(replaced, ["email", "city"]);
    assert!(report.imitated.replaced[0].by.contains("email"));
    let imitated = report.imitated.fidelity.as_ref().unwrap();
    assert_eq!(imitated.shape_columns, 1, "{imitated:?}");
    assert_eq!(
        imitated.column_shapes,
        Some(1.0),
        "visits are the same rows"
    );
}

#[test]
fn encoded_columns_survive_tiny_tables_and_hostile_documents() {
    // Tiny tables with a clock, a personal YYYYMMDD date and a relation among them.
    for n in 1..=40usize {
        let mut csv = String::from("sched,delay,actual,admission_day\n");
        for r in 0..n {
            let sched = (r % 24) * 100 + (r * 7) % 60;
            let delay = (r * 13) % 90;
            let m = (sched / 100 * 60 + sched % 100 + delay) % 1440;
            let day = 20230101 + (r % 12) * 100 + r % 28;
            csv += &format!("{sched},{delay},{},{day}\n", m / 60 * 100 + m % 60);
        }
        for seed in [1, 2] {
            let real = pipeline::inspect(
                csv.as_bytes(),
                "t.csv",
                &InspectOptions::with_guard_seed(seed),
            )
            .unwrap_or_else(|e| panic!("n={n}: {e}"));
            let (again, _) = pipeline::reguard(&real.safe).unwrap();
            if let Some(n) = again
                .columns
                .iter()
                .find(|c| c.name == "admission_day")
                .and_then(|c| c.numeric.as_ref())
            {
                // No day leaves: the month's first (encoded), or none (too few values
                // to tell the encoding: plain rounding keeps the year only).
                assert!(
                    n.quantiles.iter().all(|&v| matches!(v as i64 % 100, 0 | 1)),
                    "{n:?}"
                );
            }
            let spec = pipeline::template_spec(&again, Default::default());
            let synthesis = Synthesis::new(spec, Some(30), seed).unwrap();
            let t = synthesis.make(0..30);
            pipeline::score(&real, &t, seed, Scoring::Full);
        }
    }
    // A SafeProfile from outside claiming clock and date encodings over absurd numbers,
    // and a spec doing the same: errors or values, never a panic or an overflow.
    let real = pipeline::inspect(
        "a,b\n1,x\n2,y\n".as_bytes(),
        "t.csv",
        &InspectOptions::with_guard_seed(1),
    )
    .unwrap();
    let mut doc = serde_json::to_value(&real.safe).unwrap();
    doc["columns"][0]["numeric"] = serde_json::json!({
        "quantiles": [-1e300, 0.0, 9.2e18, 1e300], "mean": 1.0, "std": 1.0, "skew": 0.0,
        "histogram": {"edges": [], "counts": []},
        "point_masses": [{"value": 1e300, "share": 0.5}], "integral": true, "encoding": "clock_hhmm"
    });
    for encoding in ["clock_hhmm", "date_yyyymmdd", "duration_hhmm"] {
        doc["columns"][0]["numeric"]["encoding"] = encoding.into();
        let hostile: shared::SafeProfile = serde_json::from_value(doc.clone()).unwrap();
        let _ = pipeline::reguard(&hostile);
        let spec = shared::spec::Spec::from_json(&format!(
            r#"{{"version": 1, "default_rows": 50, "columns": [
              {{"name": "c", "generator": {{"kind": "numeric", "quantiles": [-1e300, 9.2e18, 1e300],
                "integer": true, "encoding": "{encoding}", "point_masses": [{{"value": 1e300, "weight": 0.2}}]}}}},
              {{"name": "m", "generator": {{"kind": "numeric", "quantiles": [-1e300, 1e300], "integer": true}}}}
            ]}}"#
        ))
        .unwrap();
        if let Ok(s) = Synthesis::new(spec, Some(50), 1) {
            s.make(0..50);
        }
    }
    let clock = shared::spec::Spec::from_json(
        r#"{"version": 1, "default_rows": 50, "columns": [
          {"name": "c", "generator": {"kind": "numeric", "quantiles": [-1e300, 1e300], "integer": true, "encoding": "clock_hhmm"}},
          {"name": "m", "generator": {"kind": "numeric", "quantiles": [-1e300, 1e300], "integer": true}},
          {"name": "later", "generator": {"kind": "derived", "derivation": {"op": "clock_add", "clock": "c", "minutes": "m"}}},
          {"name": "h", "generator": {"kind": "derived", "derivation": {"op": "hour_of", "from": "c"}}}
        ]}"#,
    )
    .unwrap();
    Synthesis::new(clock, Some(50), 1).unwrap().make(0..50);
}

/// Stays: a birth date, an admission, a discharge some days later, the length of stay
/// in days and the age at admission, as a hospital export has them.
fn stays(n: usize) -> String {
    let mut csv = String::from(
        "patient_id,date_of_birth,admission_time,discharge_time,length_of_stay_days,age,ward\n",
    );
    let mut next = common::xorshift(0x9E37_79B9_7F4A_7C15);
    for r in 0..n {
        let birth = chrono::NaiveDate::from_ymd_opt(1935, 1, 1).unwrap()
            + chrono::TimeDelta::days(next(365 * 70) as i64);
        let admitted = chrono::NaiveDate::from_ymd_opt(2023, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + chrono::TimeDelta::minutes(next(365 * 24 * 60) as i64);
        let stay_minutes = (next(20) * next(20) + 1) as i64 * 60 * 24 / 3 + next(1440) as i64;
        let discharged = admitted + chrono::TimeDelta::minutes(stay_minutes);
        let days = (discharged - admitted).num_days();
        let age = shared::datetime_text::whole_years(
            (birth - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days(),
            (admitted.date() - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days(),
        )
        .unwrap();
        csv += &format!(
            "P{r:05},{birth},{},{},{days},{age},{}\n",
            admitted.format("%Y-%m-%d %H:%M"),
            discharged.format("%Y-%m-%d %H:%M"),
            ["A", "B", "C"][r % 3]
        );
    }
    csv
}

/// The length of stay is the days from admission to discharge, the age the years from
/// birth to admission, on every real row: the profile finds both (the guard lets them
/// through though the dates are personal, as they name no value), and every synthetic
/// row keeps them. Before, ages were off by 31 years on average.
#[test]
fn stays_and_ages_agree_with_their_dates() {
    let csv = stays(3000);
    let real = pipeline::inspect(
        csv.as_bytes(),
        "stays.csv",
        &InspectOptions::with_guard_seed(5),
    )
    .unwrap();
    let found = |want: fn(&shared::vocabulary::Rule) -> bool| real.safe.rules.iter().any(want);
    assert!(
        found(
            |r| matches!(r, shared::vocabulary::Rule::DaysBetween { target, .. } if target == "length_of_stay_days")
        ),
        "{:?}",
        real.safe.rules
    );
    assert!(
        found(
            |r| matches!(r, shared::vocabulary::Rule::YearsBetween { target, .. } if target == "age")
        ),
        "{:?}",
        real.safe.rules
    );
    let synthetic = common::synthesize(&real.safe, 3000, 4);
    let table = shared::read(csv.as_bytes(), "stays.csv", &Default::default()).unwrap();
    let report = common::scored(&table, &synthetic);
    for relation in [
        "length_of_stay_days = days from admission_time to discharge_time",
        "age = years from date_of_birth to admission_time",
    ] {
        let (real, synthetic) = common::held(&report, relation);
        println!("{relation}: real {real} synthetic {synthetic}");
        assert!(
            real == 1.0 && synthetic >= 0.98,
            "{relation}: {real} → {synthetic}"
        );
    }
}

/// Admissions on weekdays only, between 08:00 and 17:59: released to the month, they
/// come back inside their month on the weekdays and hours the profile released.
#[test]
fn days_made_inside_a_month_follow_the_released_weekdays_and_hours() {
    use arrow::array::AsArray;
    use arrow::datatypes::TimestampMicrosecondType;
    use chrono::{Datelike, Timelike};
    let mut csv = String::from("patient_id,admission_time,ward\n");
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
    let mut r = 0u64;
    while r < 3000 {
        let day = start + chrono::TimeDelta::days((r * 7919 % 360) as i64);
        if day.weekday().num_days_from_monday() < 5 {
            let at = day.and_hms_opt(8 + (r * 31 % 10) as u32, (r * 17 % 60) as u32, 0);
            csv += &format!(
                "P{r:05},{},{}\n",
                at.unwrap().format("%Y-%m-%d %H:%M"),
                ["A", "B"][r as usize % 2]
            );
        }
        r += 1;
    }
    let real = pipeline::inspect(
        csv.as_bytes(),
        "admissions.csv",
        &InspectOptions::with_guard_seed(3),
    )
    .unwrap();
    let synthetic = common::synthesize(&real.safe, 3000, 9);
    let times: Vec<chrono::NaiveDateTime> = common::column(&synthetic, "admission_time")
        .as_primitive::<TimestampMicrosecondType>()
        .iter()
        .flatten()
        .map(|us| {
            chrono::DateTime::from_timestamp_micros(us)
                .unwrap()
                .naive_utc()
        })
        .collect();
    let weekend = times
        .iter()
        .filter(|t| t.weekday().num_days_from_monday() >= 5)
        .count();
    let off_hours = times
        .iter()
        .filter(|t| !(8..18).contains(&t.hour()))
        .count();
    // Evenly spread, 2 days in 7 would be weekends (857 of 3000) and 14 hours in 24 off.
    assert!(weekend * 100 < times.len(), "{weekend} at weekends");
    assert!(
        off_hours * 100 < times.len(),
        "{off_hours} outside 08:00–17:59"
    );
}
