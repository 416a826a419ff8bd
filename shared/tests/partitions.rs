//! A table read in partitions (as Spark's executors read it: scan each, merge the scans
//! in order, sample each at its offset, join) equals the table read whole, and so does
//! its SafeProfile, byte for byte. Partitions are cut at random places, empty ones
//! included, and every scan travels as JSON as it does between machines.

use crate::common;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use shared::FileFormat;
use shared::ingest::batches::{self, Scan};
use shared::pipeline::{self, InspectOptions};
use std::sync::Arc;

/// The table's rows cut into `parts` partitions at random places (some may be empty).
fn partitions(batch: &RecordBatch, parts: usize, seed: u64) -> Vec<RecordBatch> {
    let mut next = common::xorshift(seed);
    let n = batch.num_rows() as u64;
    let mut cuts: Vec<u64> = (1..parts).map(|_| next(n + 1)).collect();
    cuts.sort_unstable();
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(n);
    bounds
        .windows(2)
        .map(|w| batch.slice(w[0] as usize, (w[1] - w[0]) as usize))
        .collect()
}

/// What the driver of `byod.spark.profile` does with the executors' work.
fn read_in_partitions(parts: &[RecordBatch], sample_size: Option<usize>) -> shared::Table {
    let options = shared::IngestOptions {
        sample_size,
        ..Default::default()
    };
    let schema = parts[0].schema();
    let scans: Vec<String> = parts
        .iter()
        .map(|p| {
            let mut scan = Scan::new(&schema, FileFormat::Parquet).unwrap();
            // Executors get batches of any size: feed each partition in small ones.
            for at in (0..p.num_rows()).step_by(1000) {
                scan.observe(&p.slice(at, 1000.min(p.num_rows() - at)))
                    .unwrap();
            }
            scan.to_json()
        })
        .collect();
    let rows: Vec<u64> = scans
        .iter()
        .map(|s| Scan::from_json(s).unwrap().rows())
        .collect();
    let merged = scans
        .iter()
        .map(|s| Scan::from_json(s).unwrap())
        .reduce(|a, b| a.merge(b).unwrap())
        .unwrap();
    let merged = Scan::from_json(&merged.to_json()).unwrap();
    let mut first = 0;
    let samples = parts
        .iter()
        .zip(&rows)
        .map(|(p, n)| {
            let mut sample = merged.sample(first, &options).unwrap();
            sample.observe(p).unwrap();
            first += n;
            sample.finish().unwrap()
        })
        .collect();
    merged.finish(samples, &options).unwrap()
}

fn parquet_batch(name: &str) -> RecordBatch {
    let file = std::fs::File::open(common::datasets().join(name)).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
}

fn safe_json(table: shared::Table) -> String {
    let inspected = pipeline::inspect_table(table, &InspectOptions::with_guard_seed(7)).unwrap();
    serde_json::to_string_pretty(&inspected.safe).unwrap()
}

fn assert_same(whole: &shared::Table, parted: &shared::Table, what: &str) {
    assert_eq!(whole.columns, parted.columns, "{what}: column facts");
    assert_eq!(whole.total_rows, parted.total_rows, "{what}: rows");
    assert_eq!(whole.batch, parted.batch, "{what}: sampled values");
    assert_eq!(whole.warnings, parted.warnings, "{what}: warnings");
}

#[test]
fn public_parquet_files_read_in_partitions_equal_the_file_read_whole() {
    for name in [
        "penguins.parquet",
        "flights.parquet",
        "airports.parquet",
        "seattle_weather.gzip.parquet",
        "cars.parquet",
    ] {
        let bytes = std::fs::read(common::datasets().join(name)).unwrap();
        let batch = parquet_batch(name);
        let splits: &[(usize, Option<usize>)] = if name == "flights.parquet" {
            // 336,776 rows: one split with every row, one sampled.
            &[(4, None), (16, Some(997))]
        } else {
            &[(1, None), (4, None), (7, Some(5_000)), (16, Some(97))]
        };
        for &(parts, sample_size) in splits {
            let options = shared::IngestOptions {
                sample_size,
                ..Default::default()
            };
            let whole = shared::read(&bytes, "", &options).unwrap();
            let parted = read_in_partitions(&partitions(&batch, parts, parts as u64), sample_size);
            let what = format!("{name} in {parts} partitions, sample {sample_size:?}");
            assert_same(&whole, &parted, &what);
            assert_eq!(safe_json(whole), safe_json(parted), "{what}: SafeProfile");
        }
    }
}

/// Text columns are where inference narrows value by value: a partition that rules a
/// type out must rule it out for the whole, and tallies of number formats must add up
/// in the order one pass sees them.
#[test]
fn text_inference_merges_as_one_pass_over_every_split() {
    let mut next = common::xorshift(11);
    let n = 600;
    let mut column = |make: &mut dyn FnMut(usize, u64) -> Option<String>| -> ArrayRef {
        Arc::new((0..n).map(|i| make(i, next(1000))).collect::<StringArray>())
    };
    let columns: Vec<(&str, ArrayRef)> = vec![
        // Numbers until one late word: text.
        (
            "late_word",
            column(&mut |i, _| {
                Some(if i == 517 {
                    "n/a?".into()
                } else {
                    i.to_string()
                })
            }),
        ),
        // Dollar amounts, some without the symbol; a few negatives in parentheses.
        (
            "price",
            column(&mut |i, r| {
                Some(match r % 7 {
                    0 => format!("{}.{:02}", 1000 + r, i % 100),
                    1 => format!("(${},{:03}.50)", 1 + r % 9, r),
                    _ => format!("${},{:03}.{:02}", 1 + r % 40, r, i % 100),
                })
            }),
        ),
        // German decimals with a rare ambiguous value: the column's mark decides it.
        (
            "menge",
            column(&mut |i, r| {
                Some(if i % 50 == 3 {
                    "1.234".into()
                } else {
                    format!("{},{}", r, i % 10)
                })
            }),
        ),
        // Yes/No with gaps written as N/A and empty.
        (
            "active",
            column(&mut |_, r| match r % 5 {
                0 => Some("N/A".into()),
                1 => None,
                2 => Some("No".into()),
                _ => Some("Yes".into()),
            }),
        ),
        // Dates in one format until a different one late.
        (
            "day",
            column(&mut |i, r| {
                Some(if i > 580 {
                    format!("2024-{:02}-{:02}", 1 + r % 12, 1 + r % 28)
                } else {
                    format!("{:02}/{:02}/2024", 1 + r % 12, 1 + r % 28)
                })
            }),
        ),
        // Integers with a leading zero in one partition: codes, text.
        (
            "zip",
            column(&mut |i, r| {
                Some(if i == 40 {
                    "02134".into()
                } else {
                    (10_000 + r).to_string()
                })
            }),
        ),
        // Percentages with a space before the sign.
        (
            "share",
            column(&mut |_, r| Some(format!("{},{} %", r % 100, r % 10))),
        ),
        // Always missing.
        ("empty", column(&mut |_, _| None)),
    ];
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, _)| Field::new(*name, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(
        schema.clone(),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap();
    let whole = batches::read(&schema, [batch.clone()], &Default::default()).unwrap();
    let decided: Vec<_> = whole
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.logical))
        .collect();
    // The table is hard enough: several types, formats and a late reversal.
    assert!(
        decided.len() == 8 && whole.warnings.iter().any(|w| w.starts_with("price:")),
        "{decided:?} {:?}",
        whole.warnings
    );
    for seed in 0..40 {
        let parts = 2 + (seed as usize % 9);
        let parted = read_in_partitions(&partitions(&batch, parts, seed + 100), None);
        assert_same(&whole, &parted, &format!("split {seed} into {parts}"));
    }
}

#[test]
fn a_scan_from_elsewhere_is_checked() {
    let schema = Schema::new(vec![Field::new("price", DataType::Utf8, true)]);
    let batch = RecordBatch::try_new(
        Arc::new(schema.clone()),
        vec![Arc::new(StringArray::from(vec!["$1,234.50", "$12.00"]))],
    )
    .unwrap();
    let mut scan = Scan::new(&schema, FileFormat::Parquet).unwrap();
    scan.observe(&batch).unwrap();
    let json = scan.to_json();
    assert!(json.contains("\"$\""), "{json}");
    // A symbol outside the closed list would become the output's format: refused.
    let planted = json.replace("\"$\"", "\"Mr Smith \"");
    let e = Scan::from_json(&planted).unwrap_err();
    assert!(e.to_string().contains("unknown number symbol"), "{e}");
    // Lists of different lengths, and garbage, are refused too.
    let e = Scan::from_json(&json.replace("\"price\"", "\"price\",\"extra\"")).unwrap_err();
    assert!(e.to_string().contains("differ in length"), "{e}");
    assert!(Scan::from_json("{}").is_err());
    // Scans of different tables do not merge.
    let other = Scan::new(
        &Schema::new(vec![Field::new("cost", DataType::Utf8, true)]),
        FileFormat::Parquet,
    )
    .unwrap();
    let e = scan.clone().merge(other).unwrap_err();
    assert!(e.to_string().contains("two different tables"), "{e}");
    // A batch of another shape is refused, not misread.
    let wide = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("a", DataType::Utf8, true),
            Field::new("b", DataType::Utf8, true),
        ])),
        vec![
            Arc::new(StringArray::from(vec!["1"])),
            Arc::new(StringArray::from(vec!["2"])),
        ],
    )
    .unwrap();
    assert!(scan.observe(&wide).is_err());
    // A scan of no rows has no sample; a partition sampled twice, or left out, is an
    // error, not a table with rows missing or repeated.
    let empty = Scan::new(&schema, FileFormat::Parquet).unwrap();
    assert!(empty.sample(0, &Default::default()).is_err());
    let options = shared::IngestOptions::default();
    let mut sample = scan.sample(0, &options).unwrap();
    sample.observe(&batch).unwrap();
    let part = sample.finish().unwrap();
    let e = scan
        .clone()
        .finish(vec![part.clone(), part.clone()], &options)
        .unwrap_err();
    assert!(e.to_string().contains("hold 4 rows, the sample 2"), "{e}");
    assert!(scan.clone().finish(vec![], &options).is_err());
    assert_eq!(scan.finish(vec![part], &options).unwrap().total_rows, 2);
    // Out-of-range figures from elsewhere are bounded, not obeyed.
    let wild = json.replace("\"decimals\":2", "\"decimals\":250");
    assert_ne!(wild, json);
    let table = Scan::from_json(&wild).unwrap();
    assert!(table.to_json().contains("\"decimals\":18"));
}

fn small_table(n: usize, sentinel_rows: &[usize]) -> RecordBatch {
    use arrow::array::{Float64Array, Int64Array};
    let ward: StringArray = (0..n)
        .map(|i| {
            Some(if sentinel_rows.contains(&i) {
                "Ward ＺＺ-ｓｅｎｔｉｎｅｌ 🦠".to_string()
            } else {
                ["A", "B", "C"][i % 3].to_string()
            })
        })
        .collect();
    let schema = Schema::new(vec![
        // Duplicate, empty and full-width names: cleaned the same way in every split.
        Field::new("id", DataType::Int64, true),
        Field::new("id", DataType::Float64, true),
        Field::new("", DataType::Utf8, true),
        Field::new("ｗａｒｄ", DataType::Utf8, true),
    ]);
    RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new((0..n as i64).map(Some).collect::<Int64Array>()),
            Arc::new(
                (0..n)
                    .map(|i| Some(36.5 + (i % 7) as f64 / 10.0))
                    .collect::<Float64Array>(),
            ),
            Arc::new(
                (0..n)
                    .map(|i| Some(format!("MRN-{:07}", 3_230_134 + i * 7)))
                    .collect::<StringArray>(),
            ),
            Arc::new(ward),
        ],
    )
    .unwrap()
}

/// Tiny tables (1..20 rows), cut into more partitions than some have rows, read and
/// guarded exactly as whole.
#[test]
fn tables_of_1_to_20_rows_read_in_partitions_as_whole() {
    for n in 1..=20 {
        let batch = small_table(n, &[]);
        let whole = batches::read(&batch.schema(), [batch.clone()], &Default::default()).unwrap();
        for parts in [2, 3, 7] {
            let parted = read_in_partitions(&partitions(&batch, parts, n as u64), None);
            let what = format!("{n} rows in {parts} partitions");
            assert_same(&whole, &parted, &what);
            assert_eq!(safe_json(whole.clone()), safe_json(parted), "{what}");
        }
    }
}

/// A value planted k − 1 = 4 times, one copy in each of 4 partitions (or all in one):
/// the guard counts it over the whole table, so no partition's share releases it.
#[test]
fn a_value_planted_k_minus_1_times_across_partitions_is_not_released() {
    let batch = small_table(400, &[5, 105, 205, 305]);
    let sentinel = "ｓｅｎｔｉｎｅｌ";
    for parts in [
        vec![
            batch.slice(0, 100),
            batch.slice(100, 100),
            batch.slice(200, 100),
            batch.slice(300, 100),
        ],
        partitions(&batch, 4, 9),
    ] {
        let parted = read_in_partitions(&parts, None);
        assert!(
            parted.batch.columns().iter().any(|c| {
                arrow::util::display::ArrayFormatter::try_new(c.as_ref(), &Default::default())
                    .map(|f| (0..c.len()).any(|i| f.value(i).to_string().contains(sentinel)))
                    .unwrap_or(false)
            }),
            "the sentinel is in the rows read"
        );
        let safe = safe_json(parted);
        assert!(!safe.contains(sentinel), "{safe}");
        assert!(!safe.contains("MRN-3230134"), "an identifier released");
    }
}

/// A scan whose row count lies (a billion rows for a table of 400) samples nothing that
/// joins: an error, not a table built on the lie.
#[test]
fn a_scan_that_lies_about_its_rows_is_refused() {
    let batch = small_table(400, &[]);
    let mut scan = Scan::new(&batch.schema(), FileFormat::Parquet).unwrap();
    scan.observe(&batch).unwrap();
    let json = scan.to_json();
    let lie = json.replace("\"rows\":400", "\"rows\":1000000000");
    assert_ne!(lie, json);
    let lying = Scan::from_json(&lie).unwrap();
    let options = shared::IngestOptions::default();
    let mut sample = lying.sample(0, &options).unwrap();
    sample.observe(&batch).unwrap();
    let e = lying
        .finish(vec![sample.finish().unwrap()], &options)
        .unwrap_err();
    assert!(e.to_string().contains("the sample 1000000"), "{e}");
}
