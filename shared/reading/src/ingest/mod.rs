//! ingest: bytes (+ a file name) → a typed [`Table`].
//!
//! Owns format sniffing, dialect and encoding detection, flattening, type inference
//! ([`infer`]) and the input limits. It must not profile, judge privacy, or touch the
//! filesystem: callers hand it bytes.
//!
//! Large inputs: counts (rows, nulls) are exact over the whole file, while only
//! `sample_size` rows, spread evenly over the file, are kept in the table for
//! profiling. CSV, TSV, NDJSON and Parquet stream from a [`Source`] ([`read_source`]),
//! so their size is not bounded by memory.

pub mod batches;
pub mod cell;
mod datetime;
mod delimited;
#[cfg(feature = "excel")]
mod excel;
mod infer;
mod json;
#[cfg(feature = "parquet")]
mod parquet;
mod sniff;
mod source;

pub use sniff::detect_format;
pub use source::Source;

use crate::error::{Error, ErrorKind, Result};
use crate::table::{ColumnInfo, FileFormat, Table};
use arrow::array::RecordBatch;
use arrow::datatypes::{Field, Schema};
use infer::{Cell, ColumnBuilder, Decision, Inference};
use std::sync::Arc;

/// Input limits. Every default is chosen so that a file a browser tab can hold reads,
/// and anything larger fails early with a message naming the limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Bytes of a file read into memory (default 2 GiB): bytes handed to [`read`], and
    /// a JSON document or workbook read from a [`Source`].
    pub max_input_bytes: u64,
    /// Bytes after decompression of a zipped container such as `.xlsx` (default 1 GiB).
    /// Checked before anything is inflated.
    pub max_decompressed_bytes: u64,
    /// Rows × columns held in memory (default 200 million): every cell of a file read
    /// whole; the rows kept for profiling of a file that streams (CSV, TSV, NDJSON,
    /// Parquet from a [`Source`]), whose other rows are only counted.
    pub max_cells: u64,
    /// Columns (default 4,096).
    pub max_columns: usize,
    /// Bytes in one field (default 8 MiB).
    pub max_field_bytes: usize,
    /// JSON nesting depth (default 64).
    pub max_json_depth: usize,
    /// Bytes of JSON / NDJSON input read whole (default 512 MiB). Lower than
    /// `max_input_bytes` because a parsed JSON document takes several times its size in
    /// memory. NDJSON and JSON arrays from a [`Source`] stream and are not bounded by it.
    pub max_json_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 2 << 30,
            max_decompressed_bytes: 1 << 30,
            max_cells: 200_000_000,
            max_columns: 4096,
            max_field_bytes: 8 << 20,
            max_json_depth: 64,
            max_json_bytes: 512 << 20,
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestOptions {
    /// Limits on the input.
    pub limits: Limits,
    /// Rows kept for profiling (default: 1,000,000). Counts stay exact.
    pub sample_size: Option<usize>,
    /// The Excel sheet to read (default: the first non-empty one).
    pub sheet: Option<String>,
}

impl IngestOptions {
    fn sample_size(&self) -> usize {
        self.sample_size.unwrap_or(1_000_000).max(1)
    }
}

/// Reads `bytes` into a typed table. `name` is the file name (for format hints and
/// error messages; may be empty).
pub fn read(bytes: &[u8], name: &str, options: &IngestOptions) -> Result<Table> {
    read_bytes(bytes, name, options).map_err(|e| e.in_file(name))
}

/// Reads a file its owner can open again from the start (a path, a browser `File`):
/// CSV, TSV and NDJSON stream through in two passes and Parquet one row group at a
/// time, and none is held whole; JSON documents and workbooks are read into memory
/// within `max_input_bytes`, then as [`read`] reads them.
pub fn read_source(source: &dyn Source, name: &str, options: &IngestOptions) -> Result<Table> {
    read_streamed(source, name, options, &EVERY_FORMAT).map_err(|e| e.in_file(name))
}

/// [`read_source`] for text files only (CSV, TSV, JSON, NDJSON): a Parquet file or a
/// workbook is an [`ErrorKind::UnsupportedFormat`] error ([`binary_format`]). Code that
/// calls only this links no Parquet or Excel reader: the page's first worker, which
/// must be small to download, reads with it.
pub fn read_text_source(source: &dyn Source, name: &str, options: &IngestOptions) -> Result<Table> {
    read_streamed(source, name, options, &TEXT_ONLY).map_err(|e| e.in_file(name))
}

/// The error of [`read_text_source`] for a binary format.
pub fn binary_format(format: FileFormat) -> Error {
    Error::new(
        ErrorKind::UnsupportedFormat,
        format!(
            "{} files are read by the full reader",
            format.extension().to_uppercase()
        ),
    )
}

/// Whether an error is [`binary_format`]'s: the file is fine, and a reader with every
/// format reads it.
pub fn is_binary_format(e: &Error) -> bool {
    [FileFormat::Parquet, FileFormat::Xlsx, FileFormat::Xls]
        .into_iter()
        .any(|f| {
            e.kind() == ErrorKind::UnsupportedFormat && e.message() == binary_format(f).message()
        })
}

/// How the binary formats are read. Two sets: every reader this build has, or none.
/// Plain function pointers in two constants, so a program that reaches only
/// [`TEXT_ONLY`] leaves the Parquet and Excel readers out when it is linked.
struct BinaryReaders {
    /// Parquet from a source, a row group at a time.
    parquet: fn(&dyn Source, &IngestOptions) -> Result<Table>,
    /// A binary format given whole.
    whole: fn(&[u8], FileFormat, &IngestOptions) -> Result<Table>,
}

const EVERY_FORMAT: BinaryReaders = BinaryReaders {
    parquet: parquet_source,
    whole: binary_whole,
};

const TEXT_ONLY: BinaryReaders = BinaryReaders {
    parquet: |_, _| Err(binary_format(FileFormat::Parquet)),
    whole: |_, format, _| Err(binary_format(format)),
};

/// Bytes judged by [`read_source`] before it decides to stream: enough for every
/// content check but NDJSON's, which only formats read whole need (they are judged
/// again from all their bytes).
const SNIFF_BYTES: usize = 64 * 1024;

fn read_streamed(
    source: &dyn Source,
    name: &str,
    options: &IngestOptions,
    binary: &BinaryReaders,
) -> Result<Table> {
    let head = source::head(source, SNIFF_BYTES)?;
    // A head judged CSV or TSV is one; NDJSON shows two whole records in the head, a
    // JSON array its opening bracket, and Parquet announces itself in its first bytes.
    // The rest (and NDJSON whose first records are longer than the head) are judged
    // again from all their bytes.
    match detect_format(&head, name)? {
        format @ (FileFormat::Csv | FileFormat::Tsv) => {
            delimited::read(source, &head, format, options).map(|t| named(t, name))
        }
        format @ (FileFormat::Ndjson | FileFormat::Json)
            if format == FileFormat::Ndjson || sniff::is_json_array(&head) =>
        {
            json::read_source(source, format, options).map(|t| named(t, name))
        }
        FileFormat::Parquet => (binary.parquet)(source, options).map(|t| named(t, name)),
        other => {
            // A JSON document's own limit is checked before it is read, not after.
            let limits = &options.limits;
            let limit = match other {
                FileFormat::Json | FileFormat::Ndjson => {
                    limits.max_input_bytes.min(limits.max_json_bytes)
                }
                _ => limits.max_input_bytes,
            };
            read_whole(&source::whole(source, limit)?, name, options, binary)
        }
    }
}

fn read_bytes(bytes: &[u8], name: &str, options: &IngestOptions) -> Result<Table> {
    read_whole(bytes, name, options, &EVERY_FORMAT)
}

fn read_whole(
    bytes: &[u8],
    name: &str,
    options: &IngestOptions,
    binary: &BinaryReaders,
) -> Result<Table> {
    if bytes.len() as u64 > options.limits.max_input_bytes {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "the file is {} bytes, over the limit of {} bytes",
                bytes.len(),
                options.limits.max_input_bytes
            ),
        )
        .with_hint("split the file, or raise the input limit"));
    }
    let format = detect_format(bytes, name)?;
    match format {
        FileFormat::Csv | FileFormat::Tsv => delimited::read(&bytes, bytes, format, options),
        FileFormat::Json | FileFormat::Ndjson => json::read(bytes, format, options),
        binary_format => (binary.whole)(bytes, binary_format, options),
    }
    .map(|t| named(t, name))
}

#[cfg(feature = "parquet")]
fn parquet_source(source: &dyn Source, options: &IngestOptions) -> Result<Table> {
    contain_panics("Parquet", || parquet::read_source(source, options))
}

#[cfg(not(feature = "parquet"))]
fn parquet_source(source: &dyn Source, options: &IngestOptions) -> Result<Table> {
    binary_whole(
        &source::whole(source, options.limits.max_input_bytes)?,
        FileFormat::Parquet,
        options,
    )
}

fn binary_whole(bytes: &[u8], format: FileFormat, options: &IngestOptions) -> Result<Table> {
    let _ = (bytes, options);
    match format {
        #[cfg(feature = "excel")]
        FileFormat::Xlsx | FileFormat::Xls => {
            contain_panics("Excel", || excel::read(bytes, format, options))
        }
        #[cfg(feature = "parquet")]
        FileFormat::Parquet => contain_panics("Parquet", || parquet::read(bytes, options)),
        other => Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!("{other:?} support is not compiled into this build"),
        )),
    }
}

fn named(mut table: Table, name: &str) -> Table {
    table.source = name.to_string();
    table
}

/// The Excel and Parquet readers we build on can panic on corrupt files (seen with
/// calamine's `.xls` reader under the corruption test in `tests/hostile.rs`). Natively
/// such a panic becomes an error; in wasm32, where panics abort, the page's worker is
/// the boundary.
pub(crate) fn contain_panics<T>(what: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(Error::new(
            ErrorKind::Malformed,
            format!("the {what} reader failed on this file: it is probably corrupt"),
        )
        .with_hint("open it and save it again in the program that made it"))
    })
}

/// Row selection for a sample: keeps `sample` rows of `total`, evenly spread, so a
/// sorted file is not profiled from its head only. Deterministic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sampler {
    total: u64,
    sample: u64,
}

impl Sampler {
    pub fn new(total: u64, sample: usize) -> Self {
        Sampler {
            total,
            sample: (sample as u64).min(total),
        }
    }
    pub fn kept(&self) -> usize {
        self.sample as usize
    }
    pub fn keeps(&self, row: u64) -> bool {
        if self.sample >= self.total {
            return true;
        }
        // Row i is kept when floor((i+1)·s/n) steps up from floor(i·s/n).
        let a = (u128::from(row) * u128::from(self.sample)) / u128::from(self.total);
        let b = (u128::from(row + 1) * u128::from(self.sample)) / u128::from(self.total);
        b > a
    }
}

/// Makes header names usable: empty names become `column_N`, duplicates get `_2`, `_3`.
pub(crate) fn clean_names(raw: Vec<String>, warnings: &mut Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let mut seen = std::collections::HashSet::new();
    for (i, name) in raw.into_iter().enumerate() {
        let trimmed = name.trim().trim_start_matches('\u{feff}').to_string();
        let mut n = if trimmed.is_empty() {
            warnings.push(format!(
                "column {} has no name; called it column_{}",
                i + 1,
                i + 1
            ));
            format!("column_{}", i + 1)
        } else {
            trimmed
        };
        if seen.contains(&n) {
            let base = n.clone();
            let mut k = 2;
            while seen.contains(&format!("{base}_{k}")) {
                k += 1;
            }
            n = format!("{base}_{k}");
            warnings.push(format!("duplicate column name '{base}' renamed to '{n}'"));
        }
        seen.insert(n.clone());
        out.push(n);
    }
    out
}

pub(crate) fn check_columns(n: usize, limits: &Limits) -> Result<()> {
    if n > limits.max_columns {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!("{n} columns, over the limit of {}", limits.max_columns),
        )
        .with_hint("drop columns you do not need, or raise the column limit"));
    }
    Ok(())
}

pub(crate) fn check_cells(rows: u64, cols: usize, limits: &Limits) -> Result<()> {
    if rows.saturating_mul(cols as u64) > limits.max_cells {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "more than {} cells ({} columns × {} rows so far)",
                limits.max_cells, cols, rows
            ),
        )
        .at_row(rows)
        .with_hint("use a smaller file, or raise the cell limit"));
    }
    Ok(())
}

pub(crate) fn empty_error(what: &str) -> Error {
    Error::new(ErrorKind::Empty, format!("{what} has no data rows"))
        .with_hint("the file needs a header and at least one row of data")
}

/// A reader's cells in its own compact form (sparse JSON leaves, sparse Excel cells,
/// decoded Arrow arrays), visited one column at a time. Readers hand this to
/// [`table_from_source`] instead of a dense rows × columns grid of cells: that grid
/// (24 bytes a cell) is what a file with a few far-apart cells or thousands of sparse
/// keys turned into gigabytes before any limit ran.
pub(crate) trait CellSource {
    /// Rows, counting rows where this column has nothing.
    fn rows(&self) -> usize;
    /// Calls `f` with the cell of every row of `column`, in row order (`Cell::Null`
    /// where the column has nothing).
    fn visit(&self, column: usize, f: &mut dyn FnMut(Cell<'_>));
}

/// Builds a table from a reader's cells, checking the rows × columns budget before
/// any column is built.
pub(crate) fn table_from_source(
    format: FileFormat,
    names: Vec<String>,
    source: &dyn CellSource,
    options: &IngestOptions,
    mut warnings: Vec<String>,
) -> Result<Table> {
    let rows = source.rows();
    if names.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no columns found"));
    }
    if rows == 0 {
        return Err(empty_error("the file"));
    }
    check_columns(names.len(), &options.limits)?;
    check_cells(rows as u64, names.len(), &options.limits)?;
    let sampler = Sampler::new(rows as u64, options.sample_size());
    let mut infos = Vec::with_capacity(names.len());
    let mut arrays = Vec::with_capacity(names.len());
    for (i, name) in names.into_iter().enumerate() {
        let mut inference = Inference::new(false);
        source.visit(i, &mut |c| inference.observe(c));
        let (info, array) = typed_column(name, &inference, sampler.kept(), &mut warnings, |b| {
            let mut row = 0u64;
            source.visit(i, &mut |c| {
                if sampler.keeps(row) {
                    b.push(c);
                }
                row += 1;
            });
        });
        infos.push(info);
        arrays.push(array);
    }
    assemble(format, infos, arrays, rows as u64, warnings)
}

/// Builds a table from the inference a streaming reader made over all `total_rows`
/// rows and the `kept` rows of its sample, which `fill` pushes into the columns'
/// builders (one per name, typed as decided) as it reads them again.
pub(crate) fn table_from_sample(
    format: FileFormat,
    names: Vec<String>,
    inferences: &[Inference],
    (total_rows, kept): (u64, usize),
    mut warnings: Vec<String>,
    fill: impl FnOnce(&mut [ColumnBuilder]) -> Result<()>,
) -> Result<Table> {
    let decisions: Vec<Decision> = names
        .iter()
        .zip(inferences)
        .map(|(name, inference)| inference.decide(name))
        .collect();
    for (name, decision) in names.iter().zip(&decisions) {
        if let Some(note) = &decision.note {
            warnings.push(format!("{name}: {note}"));
        }
    }
    let mut builders: Vec<ColumnBuilder> = decisions
        .iter()
        .map(|d| ColumnBuilder::new(d, kept))
        .collect();
    fill(&mut builders)?;
    let infos = names
        .into_iter()
        .zip(&decisions)
        .zip(inferences)
        .map(|((name, d), inference)| column_info(name, d, inference.nulls))
        .collect();
    let arrays = builders.into_iter().map(ColumnBuilder::finish).collect();
    assemble(format, infos, arrays, total_rows, warnings)
}

/// One column: the type `inference` decides (its note a warning), built from the
/// cells `fill` pushes.
fn typed_column(
    name: String,
    inference: &Inference,
    rows: usize,
    warnings: &mut Vec<String>,
    fill: impl FnOnce(&mut ColumnBuilder),
) -> (ColumnInfo, arrow::array::ArrayRef) {
    let decision = inference.decide(&name);
    if let Some(note) = &decision.note {
        warnings.push(format!("{name}: {note}"));
    }
    let mut builder = ColumnBuilder::new(&decision, rows);
    fill(&mut builder);
    (
        column_info(name, &decision, inference.nulls),
        builder.finish(),
    )
}

pub(crate) fn column_info(name: String, d: &Decision, nulls: u64) -> ColumnInfo {
    ColumnInfo {
        name,
        logical: d.logical,
        format: d.format.clone(),
        decimals: d.decimals,
        null_count: nulls,
        written: d.written.clone(),
    }
}

pub(crate) fn assemble(
    format: FileFormat,
    mut columns: Vec<ColumnInfo>,
    mut arrays: Vec<arrow::array::ArrayRef>,
    total_rows: u64,
    warnings: Vec<String>,
) -> Result<Table> {
    for (info, array) in columns.iter_mut().zip(arrays.iter_mut()) {
        midnight_to_date(info, array);
    }
    let fields: Vec<Field> = columns
        .iter()
        .zip(&arrays)
        .map(|(c, a)| Field::new(&c.name, a.data_type().clone(), true))
        .collect();
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| {
        Error::new(
            ErrorKind::Malformed,
            format!("could not assemble the table: {e}"),
        )
    })?;
    Ok(Table {
        source: String::new(),
        format,
        sheet: None,
        sheets: Vec::new(),
        columns,
        batch,
        total_rows,
        warnings,
        dialect: None,
    })
}

/// A datetime column whose values are all at midnight (a timestamp in Parquet, a
/// `2012-01-01T00:00:00.000` string in JSON) is a date column. It keeps its input
/// format, so output is still written as the input was.
fn midnight_to_date(info: &mut ColumnInfo, array: &mut arrow::array::ArrayRef) {
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};
    if info.logical != crate::table::LogicalType::DateTime
        || info
            .format
            .as_deref()
            .is_some_and(|f| f.starts_with("epoch"))
        || *array.data_type() != DataType::Timestamp(TimeUnit::Microsecond, None)
    {
        return;
    }
    let ts = array.as_primitive::<TimestampMicrosecondType>();
    if ts.null_count() == ts.len()
        || ts
            .iter()
            .flatten()
            .any(|v| v.rem_euclid(86_400_000_000) != 0)
    {
        return;
    }
    let dates: arrow::array::Date32Array = ts
        .iter()
        .map(|v| v.map(|v| v.div_euclid(86_400_000_000) as i32))
        .collect();
    *array = Arc::new(dates);
    info.logical = crate::table::LogicalType::Date;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampler_spreads_evenly_and_keeps_exactly_n() {
        let s = Sampler::new(10, 3);
        let kept: Vec<u64> = (0..10).filter(|&i| s.keeps(i)).collect();
        assert_eq!(kept.len(), 3);
        assert!(kept[2] >= 6, "{kept:?}");
        let all = Sampler::new(5, 100);
        assert!((0..5).all(|i| all.keeps(i)));
    }

    #[test]
    fn names_are_made_unique_and_non_empty() {
        let mut w = Vec::new();
        let names = clean_names(
            vec!["a".into(), "".into(), "a".into(), "a_2".into()],
            &mut w,
        );
        assert_eq!(names, ["a", "column_2", "a_2", "a_2_2"]);
        assert_eq!(w.len(), 3);
    }

    #[cfg(feature = "excel")]
    #[test]
    fn a_workbook_lists_every_sheet_in_order_and_other_formats_none() {
        let mut book = rust_xlsxwriter::Workbook::new();
        for name in ["Visits", "Patients", "Empty"] {
            let sheet = book.add_worksheet().set_name(name).unwrap();
            sheet.write_string(0, 0, "id").unwrap();
            sheet.write_number(1, 0, 1.0).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let options = IngestOptions::default();
        let table = read(&bytes, "book.xlsx", &options).unwrap();
        assert_eq!(table.sheets, ["Visits", "Patients", "Empty"]);
        assert!(
            read(b"a,b\n1,2\n", "x.csv", &options)
                .unwrap()
                .sheets
                .is_empty()
        );
        let err = read(&bytes[..bytes.len() / 2], "cut.xlsx", &options).unwrap_err();
        assert!(err.to_string().contains("cut.xlsx"), "{err}");
    }
}
