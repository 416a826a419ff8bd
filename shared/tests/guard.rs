//! Adversarial guard tests: planted sentinels must not reach the SafeProfile, in any
//! input format; and for random tables no value of a sensitive column leaves.

use crate::common;
use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use proptest::prelude::*;
use std::sync::Arc;

const SENTINEL_NAME: &str = "Zebulon Quixotefeather";
const SENTINEL_SSN: &str = "219-09-9999";
const SENTINEL_EMAIL: &str = "zq.sentinel@unique-example.org";
const SENTINEL_CATEGORY: &str = "Xenomorph Syndrome";
const SENTINEL_NOTE: &str = "patient mentioned Quixotefeather farm";
const SENTINEL_NUMBER: &str = "987654.321";
const SENTINELS: &[&str] = &[
    SENTINEL_NAME,
    "Quixotefeather",
    SENTINEL_SSN,
    SENTINEL_EMAIL,
    SENTINEL_CATEGORY,
    "Xenomorph",
    SENTINEL_NUMBER,
    "987654",
    "9.87654",
];

const HEADER: [&str; 7] = [
    "patient_name",
    "ssn",
    "email",
    "diagnosis",
    "notes",
    "amount",
    "visit_date",
];

/// 240 rows with one planted row of sentinels and a rare category seen k_min − 1 = 4
/// times (any k the guard may draw hides it; a value planted once proves nothing).
fn rows() -> Vec<[String; 7]> {
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(3);
    let t = common::pii::generate(240, 11);
    let diagnoses = ["Hypertension", "Diabetes", "Asthma", "Migraine"];
    let mut out: Vec<[String; 7]> = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            [
                r[0].clone(),
                common::pii::ssn(&mut rng, true),
                r[3].clone(),
                diagnoses[i % 4].to_string(),
                r[19].clone(),
                format!("{:.2}", 50.0 + (i * 37 % 100) as f64),
                format!("2023-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
            ]
        })
        .collect();
    out[17] = [
        SENTINEL_NAME.into(),
        SENTINEL_SSN.into(),
        SENTINEL_EMAIL.into(),
        SENTINEL_CATEGORY.into(),
        SENTINEL_NOTE.into(),
        SENTINEL_NUMBER.into(),
        "2023-05-05".into(),
    ];
    for r in [90, 130, 170] {
        out[r][3] = SENTINEL_CATEGORY.into();
    }
    out
}

fn csv(delim: u8) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delim)
        .from_writer(Vec::new());
    w.write_record(HEADER).unwrap();
    for r in rows() {
        w.write_record(&r).unwrap();
    }
    w.into_inner().unwrap()
}

fn json_records() -> Vec<serde_json::Value> {
    rows()
        .into_iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            for (k, v) in HEADER.iter().zip(r) {
                let v = if *k == "amount" {
                    serde_json::json!(v.parse::<f64>().unwrap())
                } else {
                    serde_json::json!(v)
                };
                m.insert(k.to_string(), v);
            }
            serde_json::Value::Object(m)
        })
        .collect()
}

fn xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows().iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if c == 5 {
                sheet
                    .write_number(r as u32 + 1, c as u16, v.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn parquet() -> Vec<u8> {
    let rows = rows();
    let fields: Vec<Field> = HEADER
        .iter()
        .map(|h| {
            Field::new(
                *h,
                if *h == "amount" {
                    DataType::Float64
                } else {
                    DataType::Utf8
                },
                true,
            )
        })
        .collect();
    let arrays: Vec<ArrayRef> = (0..7)
        .map(|c| -> ArrayRef {
            if c == 5 {
                Arc::new(arrow::array::Float64Array::from(
                    rows.iter()
                        .map(|r| r[c].parse::<f64>().unwrap())
                        .collect::<Vec<_>>(),
                ))
            } else {
                Arc::new(StringArray::from(
                    rows.iter().map(|r| r[c].clone()).collect::<Vec<_>>(),
                ))
            }
        })
        .collect();
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

fn safe_json(bytes: &[u8], name: &str, seed: u64) -> String {
    let t = shared::read(bytes, name, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let p = shared::profile(&t);
    let (safe, _) = shared::guard(
        &p,
        &shared::GuardOptions {
            seed,
            ..Default::default()
        },
    );
    serde_json::to_string(&safe).unwrap()
}

#[test]
fn no_sentinel_reaches_the_safe_profile_in_any_format() {
    let json = serde_json::to_vec(&json_records()).unwrap();
    let ndjson: Vec<u8> = json_records()
        .iter()
        .flat_map(|r| format!("{r}\n").into_bytes())
        .collect();
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("visits.csv", csv(b',')),
        ("visits.tsv", csv(b'\t')),
        ("visits.json", json),
        ("visits.ndjson", ndjson),
        ("visits.xlsx", xlsx()),
        ("visits.parquet", parquet()),
    ];
    for (name, bytes) in &inputs {
        // Sanity: the sentinels are really in the input, and in the full local profile.
        let t = shared::read(bytes, name, &Default::default()).unwrap();
        let full = serde_json::to_string(&shared::profile(&t)).unwrap();
        assert!(
            full.contains(SENTINEL_CATEGORY),
            "{name}: the full profile should see the rare category"
        );
        for seed in 0..5 {
            let out = safe_json(bytes, name, seed);
            for s in SENTINELS {
                assert!(
                    !out.contains(s),
                    "{name} (seed {seed}): sentinel {s:?} leaked into the SafeProfile"
                );
            }
            let safe = shared::SafeProfile::from_json(&out).unwrap();
            let amount = safe.columns.iter().find(|c| c.name == "amount").unwrap();
            let q = &amount.numeric.as_ref().unwrap().quantiles;
            assert!(
                q.iter().all(|&x| x < 1000.0),
                "{name}: extreme value in quantiles {q:?}"
            );
            let diag = safe.columns.iter().find(|c| c.name == "diagnosis").unwrap();
            assert_eq!(
                diag.categories.as_ref().unwrap().values.len(),
                4,
                "{name}: common categories stay"
            );
            for sensitive in ["patient_name", "ssn", "email", "notes"] {
                let c = safe.columns.iter().find(|c| c.name == sensitive).unwrap();
                assert!(
                    c.sensitive && c.categories.is_none() && c.numeric.is_none(),
                    "{name}: {sensitive} must leave no values"
                );
            }
        }
    }
}

#[test]
fn k_is_drawn_per_column_from_the_seed_and_the_safe_profile_does_not_tell_it() {
    let bytes = csv(b',');
    let a = safe_json(&bytes, "v.csv", 42);
    let b = safe_json(&bytes, "v.csv", 42);
    assert_eq!(a, b, "same explicit seed, same SafeProfile");
    // A value seen 6 times is named when the drawn k is 5 or 6, not when it is 7 (in a
    // table large enough that shares are rounded to 1/10,000, i.e. 7 rows).
    let mut table = String::from("group\n");
    for i in 0..70_000 {
        table += ["north\n", "south\n", "east\n"][i % 3];
    }
    table += &"sextet\n".repeat(6);
    let outcomes: std::collections::BTreeSet<bool> = (0..40)
        .map(|seed| {
            let p = shared::SafeProfile::from_json(&safe_json(table.as_bytes(), "g.csv", seed))
                .unwrap();
            assert_eq!(
                (p.privacy.k_min, p.privacy.k_max),
                (5, 7),
                "the summary gives the range, not the draws"
            );
            p.columns[0]
                .categories
                .as_ref()
                .unwrap()
                .values
                .iter()
                .any(|v| v.value == "sextet")
        })
        .collect();
    assert_eq!(outcomes.len(), 2, "k should vary with the seed");
}

#[test]
fn safe_profile_rejects_unknown_fields_and_versions() {
    let out = safe_json(&csv(b','), "v.csv", 1);
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["columns"][0]["top_values"] = serde_json::json!(["Zebulon"]);
    let e = shared::SafeProfile::from_json(&v.to_string()).unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["version"] = serde_json::json!(99);
    assert!(shared::SafeProfile::from_json(&v.to_string()).is_err());
}

#[test]
fn differential_privacy_noises_every_figure_and_accounts_for_epsilon() {
    let t = common::read_dataset("diamonds.csv");
    let p = shared::profile(&t);
    let guard = |epsilon| {
        shared::guard(
            &p,
            &shared::GuardOptions {
                seed: 5,
                epsilon,
                ..Default::default()
            },
        )
        .0
    };
    let (noisy, plain) = (guard(Some(1.0)), guard(None));
    assert_eq!(noisy.privacy.epsilon, Some(1.0));
    let spent = noisy.privacy.epsilon_spent.unwrap();
    assert!(spent > 0.0 && spent <= 1.0 + 1e-9, "spent {spent}");
    assert_eq!(noisy.privacy.delta, Some(shared::guard::DELTA));
    assert_ne!(noisy.row_count, plain.row_count, "the row count is noised");
    let price = |s: &shared::SafeProfile| {
        s.columns
            .iter()
            .find(|c| c.name == "price")
            .and_then(|c| c.numeric.clone())
            .unwrap()
    };
    let (a, b) = (price(&noisy), price(&plain));
    assert_ne!(a.quantiles, b.quantiles, "quantiles come from noisy bins");
    assert_ne!(a.mean, b.mean);
    // ...and still describe the column: the median within 15 % of the exact one.
    let median = |n: &shared::wire::SafeNumeric| n.quantiles[n.quantiles.len() / 2];
    assert!(
        (median(&a) - median(&b)).abs() / median(&b) < 0.15,
        "{} vs {}",
        median(&a),
        median(&b)
    );
    // Nothing that is not made private under ε is released.
    assert!(noisy.rules.is_empty() && noisy.conditionals.is_empty());
    assert!(noisy.ordered_pairs.is_empty() && noisy.null_groups.is_empty());
    // Noise comes from the seed: another seed, other figures.
    let other = shared::guard(
        &p,
        &shared::GuardOptions {
            seed: 6,
            epsilon: Some(1.0),
            ..Default::default()
        },
    )
    .0;
    assert_ne!(other.row_count, noisy.row_count);
}

fn token() -> impl Strategy<Value = String> {
    "[A-Z][a-z]{3,8}[0-9]{3}[a-z]{2}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]
    /// Random tables: no value of a PII, identifier or free-text column appears in the
    /// SafeProfile.
    #[test]
    fn sensitive_values_never_leave(
        ids in proptest::collection::hash_set(token(), 30..80),
        seed in any::<u64>(),
    ) {
        let ids: Vec<String> = ids.into_iter().collect();
        let n = ids.len();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["customer_id", "email", "full_name", "comment", "amount", "tier"]).unwrap();
        for (i, id) in ids.iter().enumerate() {
            let email = format!("{}@mail{}.example.com", id.to_lowercase(), i % 3);
            let name = format!("{} Smith", &ids[(i + 1) % n]);
            let comment = format!("called about {} and {} twice", ids[(i + 2) % n], ids[(i + 3) % n]);
            w.write_record([id.as_str(), &email, &name, &comment, &format!("{}", 10 + i % 40), ["gold", "silver"][i % 2]]).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let out = safe_json(&bytes, "customers.csv", seed);
        for id in &ids {
            prop_assert!(!out.contains(id.as_str()), "{} leaked", id);
            prop_assert!(!out.contains(&id.to_lowercase()), "{} leaked", id);
        }
    }
}

#[test]
fn birth_dates_leave_only_as_years_and_personal_dates_as_months() {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["date_of_birth", "admission_date", "ward"])
        .unwrap();
    for i in 0..200 {
        let dob = if i == 7 {
            "1931-07-14".to_string()
        } else {
            format!("19{}-{:02}-{:02}", 40 + i % 50, 1 + i % 12, 1 + i % 27)
        };
        w.write_record([
            dob,
            format!("2023-{:02}-{:02}", 1 + i % 12, 2 + i % 26),
            ["A", "B"][i % 2].to_string(),
        ])
        .unwrap();
    }
    let out = safe_json(&w.into_inner().unwrap(), "adm.csv", 9);
    assert!(!out.contains("1931"), "the earliest birth date leaked");
    let safe = shared::SafeProfile::from_json(&out).unwrap();
    let dob = safe
        .columns
        .iter()
        .find(|c| c.name == "date_of_birth")
        .unwrap();
    assert!(dob.sensitive);
    let dt = dob
        .datetime
        .as_ref()
        .expect("a year-level distribution of birth dates");
    assert_eq!(dt.coarsened_to, Some(shared::profile::Granularity::Year));
    assert!(
        dt.quantiles.iter().all(|q| q.ends_with("-01-01")),
        "{:?}",
        dt.quantiles
    );
    assert!(dt.weekday_shares.is_empty());
    let adm = safe
        .columns
        .iter()
        .find(|c| c.name == "admission_date")
        .unwrap();
    assert!(
        adm.datetime
            .as_ref()
            .unwrap()
            .quantiles
            .iter()
            .all(|q| q.ends_with("-01"))
    );
}
