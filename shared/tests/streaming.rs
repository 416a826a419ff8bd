//! CSV, TSV, NDJSON and JSON arrays stream from a [`Source`]: read in pieces of any size, they give the table
//! the bytes in memory give; a file is never held whole, so neither its length nor its
//! row count is bounded by memory; and a source that lies about its length or fails
//! midway gets an error, not a misread.

use crate::common;

use shared::ingest::{Source, read_source};
use shared::written::TextEncoding;
use shared::{ErrorKind, IngestOptions, Limits, Table, read};
use std::io::Read;

/// Bytes handed out a few at a time (`step` per read, cycling through odd sizes), so
/// every record, quote, multi-byte character and UTF-16 code unit is split somewhere.
struct Pieces<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Source for Pieces<'_> {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(PieceReader {
            rest: self.bytes,
            step: self.step,
            turn: 0,
        }))
    }
}

struct PieceReader<'a> {
    rest: &'a [u8],
    step: usize,
    turn: usize,
}

impl Read for PieceReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.turn += 1;
        let n = (self.step + self.turn % 5)
            .min(buf.len())
            .min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

fn assert_same(a: &Table, b: &Table, what: &str) {
    assert_eq!(a.columns, b.columns, "{what}: columns");
    assert_eq!(a.total_rows, b.total_rows, "{what}: rows");
    assert_eq!(a.warnings, b.warnings, "{what}: warnings");
    assert_eq!(a.dialect, b.dialect, "{what}: dialect");
    assert_eq!(a.format, b.format, "{what}: format");
    assert!(a.batch == b.batch, "{what}: values differ");
}

/// `bytes` read in pieces of about `step` bytes equal them read in memory, with and
/// without a small sample (which makes a big file take pass two).
fn assert_reads_alike(bytes: &[u8], name: &str, step: usize) {
    for sample_size in [None, Some(97)] {
        let options = IngestOptions {
            sample_size,
            ..Default::default()
        };
        let whole = read(bytes, name, &options).unwrap();
        let streamed = read_source(&Pieces { bytes, step }, name, &options).unwrap();
        assert_same(
            &whole,
            &streamed,
            &format!("{name}, sample {sample_size:?}"),
        );
    }
}

/// Every dataset whose name ends in one of `extensions`, read in pieces (7 bytes, or
/// 64 KB for big files) with and without a small sample (which makes big files take
/// pass two), equals the same bytes read in memory. Returns how many were read.
fn every_dataset_reads_alike(extensions: &[&str]) -> usize {
    let mut seen = 0;
    for entry in std::fs::read_dir(common::datasets()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !extensions.iter().any(|e| name.ends_with(e)) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let step = if bytes.len() > 4 << 20 { 65_521 } else { 7 };
        assert_reads_alike(&bytes, &name, step);
        seen += 1;
    }
    seen
}

#[test]
fn every_delimited_dataset_reads_the_same_in_pieces_as_in_memory() {
    let seen = every_dataset_reads_alike(&[".csv", ".tsv"]);
    assert!(seen >= 8, "only {seen} delimited datasets");
}

#[test]
fn every_json_dataset_reads_the_same_element_by_element_as_in_memory() {
    let seen = every_dataset_reads_alike(&[".json", ".ndjson"]);
    assert!(seen >= 3, "only {seen} JSON datasets");
}

/// Arrays with nested objects, arrays as values, Unicode, a byte order mark, odd
/// whitespace and keys first seen late: read element by element in 3-byte pieces, with
/// and without pass two, they are the table the whole document gives.
#[test]
fn a_json_array_streams_to_the_table_read_in_memory() {
    // No records: no columns, the same error both ways.
    let empty = b" [ \n ] ";
    let whole = read(empty, "records.json", &Default::default()).unwrap_err();
    let streamed = read_source(&&empty[..], "records.json", &Default::default()).unwrap_err();
    assert_eq!(
        (streamed.kind(), streamed.to_string()),
        (whole.kind(), whole.to_string())
    );
    for n in [1usize, 2, 5, 97, 98, 300] {
        let mut text = String::from("\u{feff} \n[\n");
        for i in 0..n {
            if i > 0 {
                text.push_str(if i % 2 == 0 { ",\n" } else { " ,\t" });
            }
            text.push_str(&format!(
                "{{\"id\":{i},\"name\":\"Zoë {i} \\\"q\\\" ]\",\"where\":{{\"city\":\"Köln\",\"zip\":\"5067{}\"}},\"tags\":[{i},\"]\"]{}}}",
                i % 10,
                if i % 7 == 3 { ",\"late\":1.5" } else { "" }
            ));
        }
        text.push_str("\n]\n");
        assert_reads_alike(text.as_bytes(), "records.json", 3);
    }
    // Elements that are not objects: one `value` column, as in memory.
    assert_reads_alike(b"[1, \"a\", null, 2.5, [3], {}]", "values.json", 3);
    // Nested past serde_json's recursion limit: the error the whole document gives.
    let deep = format!("[{}1{}]", "[".repeat(200), "]".repeat(200));
    let whole = read(deep.as_bytes(), "deep.json", &Default::default()).unwrap_err();
    let e = read_source(&deep.as_bytes(), "deep.json", &Default::default()).unwrap_err();
    assert_eq!(
        (e.kind(), whole.kind()),
        (ErrorKind::LimitExceeded, ErrorKind::LimitExceeded)
    );
}

/// Broken arrays, streamed past the head: the error the whole document gives, naming
/// the record where the array breaks.
#[test]
fn a_broken_json_array_is_the_error_the_whole_document_gives() {
    let mut records = String::from("[");
    for i in 0..10_000 {
        records.push_str(&format!("{{\"id\":{i}}},"));
    }
    for (tail, record) in [
        // Inside a record: that record.
        ("{\"id\": oops}]", Some(10_001)),
        ("{\"id\":1", Some(10_001)),
        // A comma with no record after it: the record expected.
        ("]", Some(10_001)),
        // Between records (no comma, no end): the next record.
        ("{\"id\":1} {\"id\":2}]", Some(10_002)),
        ("{\"id\":1}", Some(10_002)),
        // After the array: no record.
        ("{\"id\":1}] trailing", None),
    ] {
        let text = format!("{records}{tail}");
        let whole = read(text.as_bytes(), "x.json", &Default::default()).unwrap_err();
        let e = read_source(
            &Pieces {
                bytes: text.as_bytes(),
                step: 4093,
            },
            "x.json",
            &Default::default(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), whole.kind(), "{tail}: {e} / {whole}");
        assert_eq!(e.kind(), ErrorKind::Malformed, "{tail}: {e}");
        assert_eq!(e.row(), record, "{tail}: {e}");
    }
}

#[test]
fn every_parquet_dataset_reads_the_same_a_row_group_at_a_time_as_in_memory() {
    let seen = every_dataset_reads_alike(&[".parquet"]);
    assert!(seen >= 6, "only {seen} Parquet datasets");
}

/// Many row groups, read through a source that is never held: the input limit is far
/// below the file, and the budget on one row group still refuses a larger one.
#[test]
fn a_parquet_file_of_many_row_groups_streams_within_a_small_input_limit() {
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("city", DataType::Utf8, true),
    ]));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(10_000))
        .build();
    let mut bytes = Vec::new();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(&mut bytes, schema.clone(), Some(props)).unwrap();
    for chunk in 0..20 {
        let ids = Int64Array::from_iter_values((0..10_000).map(|i| chunk * 10_000 + i));
        let cities = StringArray::from_iter(
            (0..10_000).map(|i| (i % 13 != 0).then(|| format!("city {}", i % 50))),
        );
        let batch = arrow::array::RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(ids), Arc::new(cities)],
        )
        .unwrap();
        writer.write(&batch).unwrap();
    }
    writer.close().unwrap();
    let whole = read(
        &bytes,
        "x.parquet",
        &IngestOptions {
            sample_size: Some(1_000),
            ..Default::default()
        },
    )
    .unwrap();
    let options = IngestOptions {
        sample_size: Some(1_000),
        limits: Limits {
            max_input_bytes: 64 << 10,
            max_cells: 2_000,
            max_decompressed_bytes: 1 << 20,
            ..Limits::default()
        },
        ..Default::default()
    };
    assert!(bytes.len() > 10 * (64 << 10), "{} bytes", bytes.len());
    let streamed = read_source(
        &Claims(bytes.len() as u64, bytes.clone()),
        "x.parquet",
        &options,
    )
    .unwrap();
    assert_same(&whole, &streamed, "20 row groups");
    assert_eq!(streamed.total_rows, 200_000);
    let tight = IngestOptions {
        limits: Limits {
            max_decompressed_bytes: 1_000,
            ..options.limits.clone()
        },
        ..options.clone()
    };
    let e = read_source(
        &Claims(bytes.len() as u64, bytes.clone()),
        "x.parquet",
        &tight,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    // A footer that claims more bytes than the file has, and a cut file.
    let mut lying = bytes.clone();
    let n = lying.len();
    lying[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = read_source(&Claims(n as u64, lying), "x.parquet", &options).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
    let cut = bytes[..n / 2].to_vec();
    let e = read_source(&Claims(cut.len() as u64, cut), "x.parquet", &options).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
}

/// Was (in memory) a whole-file UTF-8 check: one Latin-1 byte anywhere made the file
/// Windows-1252. Streaming meets that byte after the head; the file is read again from
/// the start as Windows-1252, so the result does not depend on where the byte is.
#[test]
fn a_latin1_byte_past_the_head_rereads_the_whole_file_as_windows_1252() {
    let mut text = b"city,n\nK\xf6ln,0\n".to_vec();
    for i in 1..20_000 {
        text.extend_from_slice(format!("Bonn,{i}\n").as_bytes());
    }
    text.extend_from_slice(b"Z\xfcrich,20000\n");
    assert!(text.len() > 128 * 1024, "the odd byte lies past the head");
    let t = read_source(
        &Pieces {
            bytes: &text,
            step: 4093,
        },
        "x.csv",
        &Default::default(),
    )
    .unwrap();
    assert_eq!(
        t.dialect.as_ref().unwrap().encoding,
        TextEncoding::Windows1252
    );
    assert!(
        t.warnings.iter().any(|w| w.contains("Windows-1252")),
        "{:?}",
        t.warnings
    );
    let cities = t
        .batch
        .column(0)
        .as_any()
        .downcast_ref::<arrow::array::StringArray>()
        .unwrap();
    assert_eq!(
        cities.value(0),
        "Köln",
        "the first row, read before the odd byte"
    );
    assert_eq!(cities.value(20_000), "Zürich");
    assert_eq!(t.total_rows, 20_001);
}

#[test]
fn utf16_split_between_its_bytes_reads_as_its_utf8_twin() {
    let utf8 = "name;amount\nMüller;1,5\nÆsir 🚀;2,25\n".repeat(500);
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in utf8.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let twin = read(utf8.as_bytes(), "x.csv", &Default::default()).unwrap();
    for step in [1, 2, 3] {
        let t = read_source(
            &Pieces {
                bytes: &utf16,
                step,
            },
            "x.csv",
            &Default::default(),
        )
        .unwrap();
        assert!(t.batch == twin.batch, "step {step}");
        assert_eq!(t.dialect.as_ref().unwrap().encoding, TextEncoding::Utf16le);
        assert!(t.dialect.as_ref().unwrap().bom);
    }
}

#[test]
fn invalid_utf8_after_a_utf8_byte_order_mark_is_an_error_with_its_place() {
    let mut text = b"\xEF\xBB\xBFa,b\n1,x\n".to_vec();
    text.extend_from_slice(b"2,\xff\n");
    let e = read_source(
        &Pieces {
            bytes: &text,
            step: 2,
        },
        "x.csv",
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed);
    assert!(
        e.to_string()
            .contains("invalid UTF-8 after a UTF-8 byte order mark"),
        "{e}"
    );
}

/// Rows made as they are read (`header`, then `row(i)` for each of `rows`): a file far
/// larger than the input limit (nothing holds it) with more cells than the cell limit
/// (only the sample is held).
struct Endless {
    header: &'static str,
    row: fn(u64) -> String,
    rows: u64,
    /// What the reader said of its progress ([`Source::rows_read`]).
    reports: std::cell::RefCell<Vec<u64>>,
}

impl Source for Endless {
    fn len(&self) -> u64 {
        // Claims more than it has: only the readers that hold a file may trust this.
        u64::MAX
    }
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        let row = self.row;
        let rows = (0..self.rows).flat_map(move |i| row(i).into_bytes());
        Ok(Box::new(
            self.header.as_bytes().chain(IterRead(Box::new(rows))),
        ))
    }
    fn rows_read(&self, rows: u64) {
        self.reports.borrow_mut().push(rows);
    }
}

/// `rows` rows of CSV: an id, a category, a number and a date.
fn endless_csv(rows: u64) -> Endless {
    Endless {
        header: "id,group,value,when\n",
        row: |i| {
            format!(
                "{i},g{},{}.{},2024-01-{:02}\n",
                i % 7,
                i % 1000,
                i % 10,
                1 + i % 28
            )
        },
        rows,
        reports: Default::default(),
    }
}

struct IterRead<'a>(Box<dyn Iterator<Item = u8> + 'a>);

impl Read for IterRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        for (slot, b) in buf.iter_mut().zip(&mut self.0) {
            *slot = b;
            n += 1;
        }
        Ok(n)
    }
}

/// A streamed file of `rows` rows whose first column is the row number: counted
/// exactly, typed as `types`, and sampled (1,000 rows) from all over the file.
fn assert_counted_and_spread(t: &Table, rows: u64, types: &[shared::LogicalType]) {
    assert_eq!(t.total_rows, rows);
    assert_eq!(t.batch.num_rows(), 1_000);
    assert_eq!(
        t.columns.iter().map(|c| c.logical).collect::<Vec<_>>(),
        types
    );
    let ids = t
        .batch
        .column(0)
        .as_any()
        .downcast_ref::<arrow::array::Int64Array>()
        .unwrap();
    assert!(ids.value(999) as u64 > rows - 1_000, "{}", ids.value(999));
}

#[test]
fn a_file_over_every_memory_limit_streams_through_with_exact_counts() {
    let rows = 300_000;
    let options = IngestOptions {
        sample_size: Some(1_000),
        limits: Limits {
            max_input_bytes: 1 << 20,
            max_cells: 4 * 1_000,
            ..Limits::default()
        },
        ..Default::default()
    };
    let file = endless_csv(rows);
    let t = read_source(&file, "big.csv", &options).unwrap();
    // Progress: every 65,536 rows and at the end, of both passes.
    let pass = [65_536, 131_072, 196_608, 262_144, 300_000];
    assert_eq!(*file.reports.borrow(), [pass, pass].concat());
    use shared::LogicalType::{Date, Float, Integer, Text};
    assert_counted_and_spread(&t, rows, &[Integer, Text, Float, Date]);
    // The cell budget still holds what is kept.
    let kept_too_many = IngestOptions {
        sample_size: Some(1_001),
        ..options
    };
    let e = read_source(&endless_csv(rows), "big.csv", &kept_too_many).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
}

/// A file whose length is whatever it claims.
struct Claims(u64, Vec<u8>);

impl Source for Claims {
    fn len(&self) -> u64 {
        self.0
    }
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self.1.as_slice()))
    }
}

#[test]
fn formats_read_whole_trust_no_length_the_source_gives() {
    let options = IngestOptions {
        limits: Limits {
            max_input_bytes: 10_000,
            ..Limits::default()
        },
        ..Default::default()
    };
    // One object (a JSON array streams): `{"a": [1, 1, ...]}`, read whole.
    let json = format!("{{\"a\":[{}]}}", vec!["1"; 5_000].join(",")).into_bytes();
    // Says it is huge: refused before a byte past the head is read.
    let e = read_source(&Claims(u64::MAX, json.clone()), "x.json", &options).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    // Says it is small and is not: cut at the limit, refused.
    let e = read_source(&Claims(10, json.clone()), "x.json", &options).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    assert!(e.to_string().contains("x.json"), "{e}");
    // Says it is large and is not: read as it is (nothing was reserved for the claim).
    let small = b"{\"a\":1,\"b\":2}".to_vec();
    let t = read_source(&Claims(9_999, small), "x.json", &options).unwrap();
    assert_eq!((t.total_rows, t.columns.len()), (1, 2));
    // A JSON array streams: whatever it claims, it is read as it is, past the limit.
    let array = format!("[{}]", vec!["{\"a\":1}"; 5_000].join(",")).into_bytes();
    for claim in [0, 10, u64::MAX] {
        let t = read_source(&Claims(claim, array.clone()), "x.json", &options).unwrap();
        assert_eq!(t.total_rows, 5_000, "claims {claim}");
    }
}

#[test]
fn a_source_that_fails_midway_is_an_io_error_naming_the_file() {
    struct Failing;
    impl Source for Failing {
        fn len(&self) -> u64 {
            1 << 30
        }
        fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
            let start = std::io::Cursor::new(b"a,b\n".repeat(100_000));
            let gone = std::io::Error::new(std::io::ErrorKind::NotFound, "the file was deleted");
            struct Broken(Option<std::io::Error>);
            impl Read for Broken {
                fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                    Err(self
                        .0
                        .take()
                        .unwrap_or_else(|| std::io::ErrorKind::Other.into()))
                }
            }
            Ok(Box::new(start.chain(Broken(Some(gone)))))
        }
    }
    let e = read_source(&Failing, "gone.csv", &Default::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.to_string().contains("gone.csv"), "{e}");
    assert!(e.to_string().contains("deleted"), "{e}");
}

/// `head`, then a gigabyte of `x`, counting every byte pulled.
struct Line {
    head: &'static [u8],
    pulled: std::cell::Cell<u64>,
}

struct Xs<'a>(&'a Line, usize);

impl Read for Xs<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.1 >= 1 << 30 {
            return Ok(0);
        }
        for (i, b) in buf.iter_mut().enumerate() {
            *b = self.0.head.get(self.1 + i).copied().unwrap_or(b'x');
        }
        self.1 += buf.len();
        self.0.pulled.set(self.0.pulled.get() + buf.len() as u64);
        Ok(buf.len())
    }
}

impl Source for Line {
    fn len(&self) -> u64 {
        1 << 30
    }
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(Xs(self, 0)))
    }
}

/// Fields of at most 1 MiB: a record stops at 8 MiB.
fn long_field_options() -> IngestOptions {
    IngestOptions {
        limits: Limits {
            max_field_bytes: 1 << 20,
            ..Limits::default()
        },
        ..Default::default()
    }
}

/// Was: the csv reader holds a whole record before returning it, so a quote left open
/// (or a file without line ends) grew one record with the file, a gigabyte of memory
/// for a gigabyte of file, before the field-length check saw it.
#[test]
fn a_record_that_never_ends_is_refused_after_a_bounded_read() {
    let source = Line {
        head: b"a,b\n1,\"",
        pulled: Default::default(),
    };
    let options = long_field_options();
    let e = read_source(&source, "open.csv", &options).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    assert!(e.to_string().contains("quote left open"), "{e}");
    // Each read that met it stopped within the budget (8 MiB and a buffer), not at the
    // end of the gigabyte.
    assert!(
        source.pulled.get() < 64 << 20,
        "{} bytes pulled",
        source.pulled.get()
    );
}

#[test]
fn ndjson_in_pieces_reads_as_in_memory_with_late_keys_nesting_and_a_bom() {
    let mut made = b"\xEF\xBB\xBF".to_vec();
    for i in 0..5_000u32 {
        let late = if i >= 4_000 {
            format!(",\"late\":{}", i % 7)
        } else {
            String::new()
        };
        let missing = if i % 11 == 0 {
            String::new()
        } else {
            format!(",\"name\":\"n{}\"", i % 40)
        };
        made.extend_from_slice(
            format!("{{\"id\":{i},\"nested\":{{\"a\":{}.5,\"b\":null}},\"tags\":[{i}]{missing}{late}}}\n", i % 13)
                .as_bytes(),
        );
    }
    let penguins = std::fs::read(common::datasets().join("penguins.ndjson")).unwrap();
    for (name, bytes) in [("made.ndjson", made), ("penguins.ndjson", penguins)] {
        assert_reads_alike(&bytes, name, 7);
    }
}

/// Records under the sample size but over what pass one keeps (64 MiB of leaves): the
/// kept records are dropped midway and the file read again, to the same table.
#[test]
fn ndjson_too_large_to_keep_reads_again_to_the_same_table() {
    let mut text = String::new();
    for i in 0..320_000u32 {
        text.push_str(&format!(
            "{{\"a\":{i},\"b\":{},\"c\":\"k{}\",\"d\":{}.25,\"e\":{},\"f\":{},\"g\":{},\"h\":{},\"i\":{},\"j\":{}}}\n",
            i % 3, i % 17, i % 100, i % 2 == 0, i % 5, i % 7, i % 11, i % 13, i % 19
        ));
    }
    let whole = read(text.as_bytes(), "wide.ndjson", &Default::default()).unwrap();
    let streamed = read_source(&text.as_bytes(), "wide.ndjson", &Default::default()).unwrap();
    assert_same(&whole, &streamed, "wide.ndjson");
    assert_eq!(streamed.total_rows, 320_000);
}

/// NDJSON and a JSON array far past the JSON size limit, the input limit and the cell
/// limit, made as they are read: both stream, with exact counts and a sample spread
/// over the file.
#[test]
fn json_records_over_every_memory_limit_stream_with_exact_counts() {
    let options = IngestOptions {
        sample_size: Some(1_000),
        limits: Limits {
            max_input_bytes: 1 << 20,
            max_json_bytes: 1 << 20,
            max_cells: 3 * 1_000,
            ..Limits::default()
        },
        ..Default::default()
    };
    let lines = Endless {
        header: "",
        row: |i| {
            format!(
                "{{\"id\":{i},\"group\":\"g{}\",\"value\":{}.5}}\n",
                i % 7,
                i % 1000
            )
        },
        rows: 200_000,
        reports: Default::default(),
    };
    let array = Endless {
        header: "[",
        row: |i| {
            format!(
                "{}{{\"id\":{i},\"group\":\"g{}\",\"value\":{}.5}}{}",
                if i == 0 { "" } else { "," },
                i % 7,
                i % 1000,
                if i == 199_999 { "]" } else { "" }
            )
        },
        rows: 200_000,
        reports: Default::default(),
    };
    use shared::FileFormat::{Json, Ndjson};
    use shared::LogicalType::{Float, Integer, Text};
    for (records, name, format) in [(lines, "big.ndjson", Ndjson), (array, "big.json", Json)] {
        let t = read_source(&records, name, &options).unwrap();
        assert_counted_and_spread(&t, 200_000, &[Integer, Text, Float]);
        assert_eq!(t.format, format, "{name}");
    }
}

#[test]
fn a_broken_ndjson_record_past_the_head_names_its_record() {
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("{{\"id\":{i}}}\n"));
    }
    text.push_str("{\"id\": oops}\n");
    let e = read_source(
        &Pieces {
            bytes: text.as_bytes(),
            step: 4093,
        },
        "x.ndjson",
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
    assert_eq!(e.row(), Some(10_001), "{e}");
}

/// The NDJSON twin of the record that never ends: one line a gigabyte long after two
/// short ones (so the head shows NDJSON and it streams); a JSON array whose first
/// record never ends (streamed too); and one object a gigabyte long (read whole:
/// refused by its length, before reading).
#[test]
fn an_ndjson_line_that_never_ends_is_refused_after_a_bounded_read() {
    let options = long_field_options();
    // NDJSON, and a JSON array (streamed too) whose first record never ends.
    let heads: [(&[u8], &str, u64); 2] = [
        (b"{\"a\":1}\n{\"a\":2}\n{\"a\":\"", "long.ndjson", 3),
        (b"[{\"a\":\"", "long.json", 1),
    ];
    for (head, name, row) in heads {
        let line = Line {
            head,
            pulled: Default::default(),
        };
        let e = read_source(&line, name, &options).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{name}: {e}");
        assert_eq!(e.row(), Some(row), "{name}: {e}");
        assert!(
            line.pulled.get() < 64 << 20,
            "{name}: {} bytes pulled",
            line.pulled.get()
        );
    }
    // One object is read whole: refused by its length, before reading.
    let document = Line {
        head: b"{\"a\":\"",
        pulled: Default::default(),
    };
    let e = read_source(&document, "long.json", &options).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    assert!(
        document.pulled.get() <= 64 << 10,
        "{} bytes pulled",
        document.pulled.get()
    );
}

/// Tables of 1..20 rows, CSV and NDJSON, with a name planted k_min − 1 times: read in
/// 3-byte pieces they are the tables read in memory, and the planted name reaches no
/// byte of the SafeProfile made from the stream.
#[test]
fn tiny_tables_with_a_planted_value_stream_as_they_read_in_memory() {
    let planted = "Zebulon Quackenbush";
    let k_min = shared::GuardOptions::default().k_min as usize;
    for n in 1..=20usize {
        let name = |i: usize| {
            if i < k_min - 1 {
                planted.to_string()
            } else {
                format!("Ann Lee {i}")
            }
        };
        let mut csv = String::from("name,age,city\n");
        let mut ndjson = String::new();
        for i in 0..n {
            csv.push_str(&format!("{},{},Köln\n", name(i), 20 + i));
            ndjson.push_str(&format!(
                "{{\"name\":\"{}\",\"age\":{},\"city\":\"Köln\"}}\n",
                name(i),
                20 + i
            ));
        }
        for (file, text) in [("tiny.csv", &csv), ("tiny.ndjson", &ndjson)] {
            let bytes = text.as_bytes();
            if file.ends_with("ndjson") && n < 2 {
                continue; // one record is a JSON document, read whole
            }
            assert_reads_alike(bytes, file, 3);
            let options = shared::pipeline::InspectOptions::with_guard_seed(9);
            let inspected = shared::pipeline::inspect_source(&bytes, file, &options).unwrap();
            let safe = serde_json::to_string(&inspected.safe).unwrap();
            assert!(
                !safe.contains(planted),
                "{file}, {n} rows: the planted name left"
            );
            // The page's first worker reads text files with its own entry point: the
            // same SafeProfile, so the same guard.
            let text = shared::pipeline::inspect_text_source(&bytes, file, &options).unwrap();
            assert_eq!(text.safe, inspected.safe, "{file}, {n} rows");
        }
        // The same records as a JSON array (streamed element by element), through the
        // text reader too.
        let records: Vec<String> = ndjson.lines().map(str::to_string).collect();
        let json = format!("[{}]", records.join(","));
        assert_reads_alike(json.as_bytes(), "tiny.json", 3);
        let options = shared::pipeline::InspectOptions::with_guard_seed(9);
        let whole =
            shared::pipeline::inspect_source(&json.as_bytes(), "tiny.json", &options).unwrap();
        let text =
            shared::pipeline::inspect_text_source(&json.as_bytes(), "tiny.json", &options).unwrap();
        assert_eq!(text.safe, whole.safe, "tiny.json, {n} rows");
        assert!(!serde_json::to_string(&text.safe).unwrap().contains(planted));
    }
}
