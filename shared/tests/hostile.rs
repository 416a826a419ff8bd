//! Hostile input: a clear error or a correct result, never a panic, hang or unbounded
//! memory. The tests build the files themselves.

use crate::common;

use common::V;
use shared::{ErrorKind, IngestOptions, LogicalType};
use std::io::Write;

fn read(bytes: &[u8], name: &str) -> shared::Result<shared::Table> {
    shared::read(bytes, name, &IngestOptions::default())
}

fn err(bytes: &[u8], name: &str) -> shared::Error {
    match read(bytes, name) {
        Ok(t) => panic!("{name}: expected an error, read {} rows", t.total_rows),
        Err(e) => {
            println!("{name}: {e}");
            e
        }
    }
}

#[test]
fn empty_and_header_only() {
    assert_eq!(err(b"", "e.csv").kind(), ErrorKind::Empty);
    assert_eq!(err(b"a,b,c\n", "h.csv").kind(), ErrorKind::Empty);
    assert_eq!(err(b"[]", "e.json").kind(), ErrorKind::Empty);
}

#[test]
fn binary_garbage_and_wrong_extensions() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_eq!(
        err(&garbage, "data.csv").kind(),
        ErrorKind::UnsupportedFormat
    );
    let e = err(b"PAR1\x15\x04\x15\x10garbage", "data.csv");
    assert_eq!(e.kind(), ErrorKind::FormatMismatch);
    assert!(
        e.to_string().contains("data.csv") && e.to_string().contains("Parquet"),
        "{e}"
    );
    let e = err(b"a,b\n1,2\n", "book.xlsx");
    assert_eq!(e.kind(), ErrorKind::FormatMismatch);
}

#[test]
fn truncated_xlsx_and_parquet() {
    let ds = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets");
    for f in ["penguins.xlsx", "penguins.parquet", "penguins.zstd.parquet"] {
        let bytes = std::fs::read(ds.join(f)).unwrap();
        for cut in [bytes.len() / 2, bytes.len() - 10, 100] {
            let e = err(&bytes[..cut], f);
            assert!(
                matches!(e.kind(), ErrorKind::Malformed),
                "{f} cut at {cut}: {e}"
            );
            assert!(e.hint().is_some());
        }
    }
}

#[test]
fn ragged_rows_name_their_line() {
    let e = err(b"a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n", "r.csv");
    assert_eq!(e.row(), Some(4));
    assert!(e.to_string().contains("r.csv: row 4"), "{e}");
}

#[test]
fn a_30_mb_single_field_is_refused_by_the_field_limit_and_read_when_raised() {
    let mut s = b"id,blob\n1,\"".to_vec();
    s.extend(std::iter::repeat_n(b'x', 30 << 20));
    s.extend_from_slice(b"\"\n");
    let e = err(&s, "big.csv");
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert_eq!(e.row(), Some(2));
    let mut opts = IngestOptions::default();
    opts.limits.max_field_bytes = 64 << 20;
    let t = shared::read(&s, "big.csv", &opts).unwrap();
    assert_eq!(t.total_rows, 1);
}

#[test]
fn two_thousand_columns() {
    let header: Vec<String> = (0..2000).map(|i| format!("c{i}")).collect();
    let mut s = header.join(",");
    for r in 0..20 {
        s.push('\n');
        s.push_str(
            &(0..2000)
                .map(|i| (i * r).to_string())
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    let t = read(s.as_bytes(), "wide.csv").unwrap();
    assert_eq!(t.num_columns(), 2000);
    let p = shared::profile(&t);
    assert_eq!(p.columns.len(), 2000);
    let mut opts = IngestOptions::default();
    opts.limits.max_columns = 1000;
    assert_eq!(
        shared::read(s.as_bytes(), "wide.csv", &opts)
            .unwrap_err()
            .kind(),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn deep_json_nesting() {
    let mut s = "[".repeat(200_000);
    s.push_str(&"]".repeat(200_000));
    let e = err(s.as_bytes(), "deep.json");
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    // Within serde's recursion limit but past ours.
    let mut s = String::from("[");
    s.push_str(&"{\"a\":".repeat(100));
    s.push('1');
    s.push_str(&"}".repeat(100));
    s.push(']');
    let mut opts = IngestOptions::default();
    opts.limits.max_json_depth = 50;
    assert_eq!(
        shared::read(s.as_bytes(), "d.json", &opts)
            .unwrap_err()
            .kind(),
        ErrorKind::LimitExceeded
    );
    // JSON parses to several times its size: it has its own, lower size limit.
    let mut opts = IngestOptions::default();
    opts.limits.max_json_bytes = 100;
    let e = shared::read(s.as_bytes(), "d.json", &opts).unwrap_err();
    assert!(e.to_string().contains("JSON limit"), "{e}");
}

/// A zip-bomb workbook: one sheet that inflates to 1.5 GB. It must be refused from the
/// zip directory, before anything is inflated.
#[test]
#[allow(clippy::disallowed_methods)] // timing the refusal
fn xlsx_whose_sheet_expands_to_1_5_gb() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .large_file(true);
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
        z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let row = b"<row><c t=\"n\"><v>1</v></c><c t=\"n\"><v>2</v></c></row>".repeat(1 << 14);
        let mut written = 0u64;
        while written < 1_500_000_000 {
            z.write_all(&row).unwrap();
            written += row.len() as u64;
        }
        z.finish().unwrap();
    }
    let bytes = buf.into_inner();
    println!("bomb: {} bytes compressed", bytes.len());
    let start = std::time::Instant::now();
    let e = err(&bytes, "bomb.xlsx");
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert!(start.elapsed().as_secs() < 5, "refused early");
}

#[test]
fn semicolons_with_decimal_commas() {
    let t = read(
        "name;price;qty\nA;1,50;3\nB;2,75;4\nC;10,00;5\n".as_bytes(),
        "de.csv",
    )
    .unwrap();
    let types: Vec<_> = t.columns.iter().map(|c| c.logical).collect();
    assert_eq!(
        types,
        [LogicalType::Text, LogicalType::Float, LogicalType::Integer]
    );
    assert_eq!(common::value(t.batch.column(1).as_ref(), 1), V::Float(2.75));
}

#[test]
fn latin1_and_utf8_bom() {
    let t = read(
        b"nom;ville\nRen\xe9;K\xf6ln\nJos\xe9;M\xfcnchen\n",
        "fr.csv",
    )
    .unwrap();
    assert_eq!(
        common::value(t.batch.column(1).as_ref(), 0),
        V::Text("Köln".into())
    );
    assert!(t.warnings.iter().any(|w| w.contains("Windows-1252")));
    let t = read(b"\xef\xbb\xbfid,x\n1,2\n", "bom.csv").unwrap();
    assert_eq!(t.columns[0].name, "id");
}

#[test]
fn duplicate_and_empty_headers() {
    let t = read(b"a,,a,b\n1,2,3,4\n5,6,7,8\n", "dup.csv").unwrap();
    let names: Vec<_> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "column_2", "a_2", "b"]);
    assert_eq!(t.warnings.len(), 2);
}

#[test]
fn missing_sheet_lists_the_sheets() {
    let ds = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets");
    let bytes = std::fs::read(ds.join("penguins.xlsx")).unwrap();
    let opts = IngestOptions {
        sheet: Some("Nope".into()),
        ..Default::default()
    };
    let e = shared::read(&bytes, "penguins.xlsx", &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.hint().unwrap().contains("sheets are"), "{e}");
}

/// Seeded random corruption (byte flips, truncation, splices) of real files in every
/// format: each read ends in a table or an error, and profiling what reads never panics.
#[test]
fn corrupted_real_files_never_panic() {
    use rand::{RngExt, SeedableRng};
    let ds = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
    let (mut ok, mut failed) = (0, 0);
    for f in [
        "penguins.csv",
        "penguins.json",
        "penguins.ndjson",
        "penguins.xlsx",
        "penguins.xls",
        "penguins.parquet",
        "penguins.zstd.parquet",
    ] {
        let original = std::fs::read(ds.join(f)).unwrap();
        for _ in 0..60 {
            let mut bytes = original.clone();
            match rng.random_range(0..3) {
                0 => {
                    for _ in 0..rng.random_range(1..20) {
                        let i = rng.random_range(0..bytes.len());
                        bytes[i] = rng.random_range(0..=255u8);
                    }
                }
                1 => bytes.truncate(rng.random_range(1..bytes.len())),
                _ => {
                    let i = rng.random_range(0..bytes.len());
                    let j = rng.random_range(i..bytes.len());
                    bytes.drain(i..j);
                }
            }
            match shared::read(&bytes, f, &IngestOptions::default()) {
                Ok(t) => {
                    let p = shared::profile(&t);
                    let _ = shared::guard(&p, &Default::default());
                    ok += 1;
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    failed += 1;
                }
            }
        }
    }
    println!("corrupted inputs: {ok} read, {failed} refused with an error");
}

/// Parquet with nested, decimal, zoned-timestamp and list columns reads (structs
/// flattened, lists as text, decimals as numbers with their scale, zoned timestamps in
/// UTC); a binary column is refused naming the column.
#[test]
fn parquet_nested_decimal_zoned_and_binary_columns() {
    use arrow::array::{
        Array, ArrayRef, BinaryArray, Decimal128Array, Int32Array, ListArray, RecordBatch,
        StringArray, StructArray, TimestampMillisecondArray,
    };
    use arrow::datatypes::{DataType, Field, Int32Type, Schema};
    use std::sync::Arc;

    fn write(batch: &RecordBatch) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
        w.write(batch).unwrap();
        w.close().unwrap();
        out
    }
    let n = 6;
    let address = StructArray::from(vec![
        (
            Arc::new(Field::new("city", DataType::Utf8, true)),
            Arc::new(StringArray::from(vec![
                "Oslo", "Lima", "Oslo", "Pune", "Lima", "Oslo",
            ])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("floor", DataType::Int32, true)),
            Arc::new(Int32Array::from(vec![1, 2, 3, 4, 5, 6])) as ArrayRef,
        ),
    ]);
    let price = Decimal128Array::from(vec![1999i128, 250, 1000, 5, 123_456, 42])
        .with_precision_and_scale(10, 2)
        .unwrap();
    let at = TimestampMillisecondArray::from(vec![
        0i64, 3_600_000, 7_200_000, 10_800_000, 14_400_000, 18_000_000,
    ])
    .with_timezone("+02:00");
    let tags = ListArray::from_iter_primitive::<Int32Type, _, _>(
        (0..n).map(|i| Some(vec![Some(i as i32), Some(1)])),
    );
    let schema = Schema::new(vec![
        Field::new("address", address.data_type().clone(), true),
        Field::new("price", price.data_type().clone(), true),
        Field::new("at", at.data_type().clone(), true),
        Field::new("tags", tags.data_type().clone(), true),
    ]);
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(address),
            Arc::new(price),
            Arc::new(at),
            Arc::new(tags),
        ],
    )
    .unwrap();
    let t = read(&write(&batch), "nested.parquet").unwrap();
    let cols: Vec<(&str, LogicalType)> = t
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.logical))
        .collect();
    assert_eq!(
        cols,
        [
            ("address.city", LogicalType::Text),
            ("address.floor", LogicalType::Integer),
            ("price", LogicalType::Float),
            ("at", LogicalType::DateTime),
            ("tags", LogicalType::Text),
        ]
    );
    assert_eq!(t.columns[2].decimals, Some(2));
    assert_eq!(
        common::value(t.batch.column(2).as_ref(), 0),
        V::Float(19.99)
    );
    assert!(
        t.warnings.iter().any(|w| w.contains("UTC")),
        "{:?}",
        t.warnings
    );
    assert!(
        t.warnings.iter().any(|w| w.contains("lists")),
        "{:?}",
        t.warnings
    );

    let blob = BinaryArray::from(vec![&b"\x00\x01"[..]; n]);
    let schema = Schema::new(vec![Field::new("photo", DataType::Binary, true)]);
    let batch = RecordBatch::try_new(Arc::new(schema), vec![Arc::new(blob)]).unwrap();
    let e = err(&write(&batch), "photos.parquet");
    assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
    assert_eq!(e.column(), Some("photo"));
}
