//! export: [`Table`] → bytes in CSV, TSV, JSON (array), NDJSON, XLSX or Parquet, and
//! several files → one ZIP ([`zip`]).
//!
//! An [`Exporter`] takes the table in pieces (`write` per generated block, `finish`
//! once), so text and Parquet output never hold more than one piece in memory.
//! Datetimes are written in their column's format (`%m/%d/%Y`, `epoch_ms`...),
//! integers stay integers, floats keep their decimal digits. Text that a spreadsheet
//! would run as a formula (`=`, `+`, `-`, `@`, tab or carriage return first) is
//! prefixed with `'` in CSV, TSV and XLSX unless `neutralize_formulas` is off.

use crate::datetime_text::FORMULA_TRIGGERS;
use crate::error::{Error, ErrorKind, Result};
use crate::table::{ColumnInfo, LogicalType, Table};
use crate::written::{Dialect, TextEncoding, write_fixed};
use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{
    DataType, Date32Type, Float64Type, Int64Type, Time64MicrosecondType, TimestampMicrosecondType,
};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::Write;

/// An output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    /// Comma-separated values.
    Csv,
    /// Tab-separated values.
    Tsv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// An Excel workbook.
    Xlsx,
    /// Apache Parquet (zstd).
    Parquet,
}

impl OutputFormat {
    /// Every format.
    pub const ALL: [OutputFormat; 6] = [
        OutputFormat::Csv,
        OutputFormat::Tsv,
        OutputFormat::Json,
        OutputFormat::Ndjson,
        OutputFormat::Xlsx,
        OutputFormat::Parquet,
    ];
    /// The format for a file name's extension (`excel` and `xlsx` both mean XLSX).
    pub fn from_extension(ext: &str) -> Option<OutputFormat> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "csv" => OutputFormat::Csv,
            "tsv" | "tab" => OutputFormat::Tsv,
            "json" => OutputFormat::Json,
            "ndjson" | "jsonl" => OutputFormat::Ndjson,
            "xlsx" | "excel" => OutputFormat::Xlsx,
            "parquet" => OutputFormat::Parquet,
            _ => return None,
        })
    }
    /// The usual extension.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Csv => "csv",
            OutputFormat::Tsv => "tsv",
            OutputFormat::Json => "json",
            OutputFormat::Ndjson => "ndjson",
            OutputFormat::Xlsx => "xlsx",
            OutputFormat::Parquet => "parquet",
        }
    }
    /// The HTTP content type.
    pub fn content_type(self) -> &'static str {
        match self {
            OutputFormat::Csv => "text/csv; charset=utf-8",
            OutputFormat::Tsv => "text/tab-separated-values; charset=utf-8",
            OutputFormat::Json => "application/json",
            OutputFormat::Ndjson => "application/x-ndjson",
            OutputFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            OutputFormat::Parquet => "application/vnd.apache.parquet",
        }
    }
}

/// The download name of a synthetic file made from `input`: `synthetic_<stem>.<ext>`,
/// with only safe characters.
///
/// ```
/// use shared_making::export::{OutputFormat, output_name};
/// assert_eq!(output_name("C:\\data\\my file.xlsx", OutputFormat::Csv), "synthetic_my_file.csv");
/// assert_eq!(output_name("iris (2).csv", OutputFormat::Csv), "synthetic_iris_2.csv");
/// assert_eq!(output_name("Übersicht.csv", OutputFormat::Csv), "synthetic_bersicht.csv");
/// ```
pub fn output_name(input: &str, format: OutputFormat) -> String {
    let base = input.rsplit(['/', '\\']).next().unwrap_or(input);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    // Other characters become one `_` per run, none at the end: `iris (2)` is `iris_2`.
    let mut safe = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            safe.push(c);
        } else if !safe.is_empty() && !safe.ends_with('_') {
            safe.push('_');
        }
    }
    let stem: String = safe.trim_end_matches('_').chars().take(80).collect();
    let stem = if stem.is_empty() {
        "data".to_string()
    } else {
        stem
    };
    format!("synthetic_{stem}.{}", format.extension())
}

/// Export settings.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Prefix formula-like text with `'` in CSV, TSV and XLSX.
    pub neutralize_formulas: bool,
    /// The CSV/TSV dialect (line ends, encoding, byte order mark, quoting, header, and
    /// the delimiter of CSV); `None` writes the standard one: `,` or tab, LF, UTF-8.
    /// TSV output always uses tabs, and CSV output a comma where the dialect says tab.
    pub dialect: Option<Dialect>,
    /// Write numbers, booleans and missing values plainly (`-1234.5`, `true`, an
    /// empty field) instead of the way each column says the input wrote them.
    pub plain_values: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            neutralize_formulas: true,
            dialect: None,
            plain_values: false,
        }
    }
}

/// What a user changes of the way the source was written (CLI flags, REST fields, the
/// page's setting); everything left `None` stays as the source had it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteChoice {
    /// Standard CSV or TSV (comma or tab, LF, UTF-8, no byte order mark) with plain
    /// numbers, `true`/`false` and empty missing values; the fields below still apply.
    pub plain: bool,
    /// The delimiter of CSV output.
    pub delimiter: Option<char>,
    /// CRLF (`true`) or LF line ends.
    pub crlf: Option<bool>,
    /// The text encoding.
    pub encoding: Option<TextEncoding>,
    /// A byte order mark.
    pub bom: Option<bool>,
}

impl ExportOptions {
    /// Options that write a spec's output as its source was written (`dialect` from
    /// the spec), with the user's changes.
    pub fn as_source(dialect: Option<&Dialect>, choice: &WriteChoice) -> Self {
        let mut d = if choice.plain {
            Dialect::default()
        } else {
            dialect.cloned().unwrap_or_default()
        };
        d.delimiter = choice.delimiter.unwrap_or(d.delimiter);
        d.crlf = choice.crlf.unwrap_or(d.crlf);
        d.encoding = choice.encoding.unwrap_or(d.encoding);
        d.bom = choice.bom.unwrap_or(d.bom);
        ExportOptions {
            dialect: Some(d),
            plain_values: choice.plain,
            ..ExportOptions::default()
        }
    }

    /// The dialect a CSV or TSV file is written in.
    fn text_dialect(&self, format: OutputFormat) -> Dialect {
        let mut d = self.dialect.clone().unwrap_or_default();
        d.delimiter = match (format, d.delimiter) {
            (OutputFormat::Tsv, _) => '\t',
            (_, '\t') => ',',
            (_, c) if Dialect::DELIMITERS.contains(&c) => c,
            _ => ',',
        };
        d
    }
}

/// Text in the dialect's encoding (rows are whole, so no character is ever split).
fn encode(text: Vec<u8>, encoding: TextEncoding) -> Vec<u8> {
    if encoding == TextEncoding::Utf8 {
        return text;
    }
    // Rendered text is UTF-8; the lossy branch only guards the type.
    let text = String::from_utf8(text)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    match encoding {
        TextEncoding::Utf8 => text.into_bytes(),
        TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252.encode(&text).0.into_owned(),
        // encoding_rs decodes UTF-16 but, per the WHATWG standard, does not encode it.
        TextEncoding::Utf16le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        TextEncoding::Utf16be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
    }
}

/// The byte order mark of an encoding.
fn bom(encoding: TextEncoding) -> &'static [u8] {
    match encoding {
        TextEncoding::Utf8 => b"\xEF\xBB\xBF",
        TextEncoding::Utf16le => b"\xFF\xFE",
        TextEncoding::Utf16be => b"\xFE\xFF",
        TextEncoding::Windows1252 => b"",
    }
}

fn io(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Malformed, format!("cannot write output: {e}"))
}

/// Writes a table, piece by piece, in one format.
pub struct Exporter<W: Write + Send> {
    format: OutputFormat,
    options: ExportOptions,
    columns: Vec<ColumnInfo>,
    state: State<W>,
    rows: u64,
}

enum State<W: Write + Send> {
    Text(W),
    #[cfg(feature = "excel")]
    Xlsx {
        out: W,
        workbook: Box<rust_xlsxwriter::Workbook>,
    },
    #[cfg(feature = "parquet")]
    Parquet(Box<parquet::arrow::ArrowWriter<W>>),
    Done,
}

impl<W: Write + Send> std::fmt::Debug for Exporter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exporter")
            .field("format", &self.format)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

/// Rows an XLSX sheet can hold (the header takes one).
const XLSX_MAX_ROWS: u64 = 1_048_575;

impl<W: Write + Send> Exporter<W> {
    /// Starts a file with these columns (the header is written now for CSV/TSV).
    pub fn new(
        format: OutputFormat,
        columns: &[ColumnInfo],
        schema: arrow::datatypes::SchemaRef,
        options: ExportOptions,
        mut out: W,
    ) -> Result<Self> {
        let state = match format {
            OutputFormat::Csv | OutputFormat::Tsv => {
                let d = options.text_dialect(format);
                if d.bom {
                    out.write_all(bom(d.encoding)).map_err(io)?;
                }
                if !d.no_header {
                    let mut line = Vec::new();
                    for (c, info) in columns.iter().enumerate() {
                        if c > 0 {
                            line.extend_from_slice(d.delimiter.to_string().as_bytes());
                        }
                        let name = header_name(info, &options);
                        write_field(
                            &mut line,
                            name.as_bytes(),
                            &d,
                            d.quote_all,
                            columns.len() == 1,
                        );
                    }
                    line.extend_from_slice(d.line_end());
                    out.write_all(&encode(line, d.encoding)).map_err(io)?;
                }
                State::Text(out)
            }
            OutputFormat::Json => {
                out.write_all(b"[").map_err(io)?;
                State::Text(out)
            }
            OutputFormat::Ndjson => State::Text(out),
            #[cfg(feature = "excel")]
            OutputFormat::Xlsx => {
                let mut workbook = rust_xlsxwriter::Workbook::new();
                // The writer stamps the clock's time into docProps/core.xml; a fixed date
                // keeps the output a function of spec and seed (two runs, one file).
                let fixed = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).map_err(io)?;
                workbook.set_properties(
                    &rust_xlsxwriter::DocProperties::new().set_creation_datetime(&fixed),
                );
                let sheet = workbook.add_worksheet();
                for (c, info) in columns.iter().enumerate() {
                    sheet
                        .write_string(0, c as u16, header_name(info, &options))
                        .map_err(io)?;
                }
                State::Xlsx {
                    out,
                    workbook: Box::new(workbook),
                }
            }
            #[cfg(feature = "parquet")]
            OutputFormat::Parquet => {
                let props = parquet::file::properties::WriterProperties::builder()
                    .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
                    .build();
                let writer =
                    parquet::arrow::ArrowWriter::try_new(out, schema, Some(props)).map_err(io)?;
                State::Parquet(Box::new(writer))
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!("this build cannot write {}", other.extension()),
                ));
            }
        };
        Ok(Exporter {
            format,
            options,
            columns: columns.to_vec(),
            state,
            rows: 0,
        })
    }

    /// Appends the rows of `table` (same columns as given to `new`).
    pub fn write(&mut self, table: &Table) -> Result<()> {
        let batch = &table.batch;
        let n = batch.num_rows();
        let neutralize = self.options.neutralize_formulas;
        match &mut self.state {
            State::Text(out) => {
                let bytes =
                    render_text(self.format, &self.columns, &self.options, table, self.rows)
                        .expect("text state holds a text format")?;
                out.write_all(&bytes).map_err(io)?;
            }
            #[cfg(feature = "excel")]
            State::Xlsx { workbook, .. } => {
                if self.rows + n as u64 > XLSX_MAX_ROWS {
                    return Err(Error::new(
                        ErrorKind::LimitExceeded,
                        format!("an Excel sheet holds at most {XLSX_MAX_ROWS} data rows"),
                    )
                    .with_hint("choose CSV or Parquet for more rows"));
                }
                let sheet = workbook.worksheet_from_index(0).map_err(io)?;
                let mut s = String::new();
                for (c, array) in batch.columns().iter().enumerate() {
                    let info = &self.columns[c];
                    let cell_format = xlsx::cell_format(info, self.options.plain_values);
                    let percent = !self.options.plain_values
                        && info.written.number.as_ref().is_some_and(|f| f.is_percent());
                    for r in 0..n {
                        if !array.is_valid(r) {
                            continue;
                        }
                        let row = (self.rows + r as u64 + 1) as u32;
                        let col = c as u16;
                        if let Some(serial) = xlsx::serial(array, r, info) {
                            let f = cell_format.as_ref().expect("temporal columns have one");
                            sheet
                                .write_number_with_format(row, col, serial, f)
                                .map_err(io)?;
                            continue;
                        }
                        match array.data_type() {
                            DataType::Int64 | DataType::Float64 => {
                                let v = match array.data_type() {
                                    DataType::Int64 => {
                                        array.as_primitive::<Int64Type>().value(r) as f64
                                    }
                                    _ => xlsx::rounded(
                                        array.as_primitive::<Float64Type>().value(r),
                                        info.decimals,
                                    ),
                                };
                                let v = if percent { v / 100.0 } else { v };
                                match &cell_format {
                                    Some(f) => sheet.write_number_with_format(row, col, v, f),
                                    None => sheet.write_number(row, col, v),
                                }
                                .map_err(io)?;
                            }
                            DataType::Boolean => {
                                sheet
                                    .write_boolean(row, col, array.as_boolean().value(r))
                                    .map_err(io)?;
                            }
                            _ => {
                                s.clear();
                                text_cell(array, r, info, &mut s);
                                if neutralize && written_as_text(info) {
                                    neutralize_formula(&mut s);
                                }
                                sheet.write_string(row, col, s.as_str()).map_err(io)?;
                            }
                        }
                    }
                }
            }
            #[cfg(feature = "parquet")]
            State::Parquet(w) => w.write(batch).map_err(io)?,
            State::Done => {
                return Err(Error::new(ErrorKind::Malformed, "the output is finished"));
            }
        }
        self.rows += n as u64;
        Ok(())
    }

    /// Appends rows already rendered by [`render_text`] (so rendering can run on other
    /// threads); `rows` is how many. Only for CSV, TSV, JSON and NDJSON.
    pub fn write_rendered(&mut self, bytes: &[u8], rows: u64) -> Result<()> {
        match &mut self.state {
            State::Text(out) => out.write_all(bytes).map_err(io)?,
            _ => {
                return Err(Error::new(
                    ErrorKind::UnsupportedFormat,
                    "only text formats take rendered rows",
                ));
            }
        }
        self.rows += rows;
        Ok(())
    }

    /// Ends the file and returns the writer.
    pub fn finish(mut self) -> Result<W> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Text(mut out) => {
                if self.format == OutputFormat::Json {
                    out.write_all(if self.rows > 0 { b"\n]\n" } else { b"]\n" })
                        .map_err(io)?;
                }
                out.flush().map_err(io)?;
                Ok(out)
            }
            #[cfg(feature = "excel")]
            State::Xlsx {
                mut out,
                mut workbook,
            } => {
                let bytes = workbook.save_to_buffer().map_err(io)?;
                out.write_all(&bytes).map_err(io)?;
                out.flush().map_err(io)?;
                Ok(out)
            }
            #[cfg(feature = "parquet")]
            State::Parquet(w) => w.into_inner().map_err(io),
            State::Done => Err(Error::new(ErrorKind::Malformed, "the output is finished")),
        }
    }
}

/// The rows of `table` as they appear in a CSV, TSV, JSON or NDJSON body, after
/// `rows_before` rows of the same file (JSON needs to know whether a comma comes first);
/// `None` for XLSX and Parquet, which are not written as text.
pub fn render_text(
    format: OutputFormat,
    columns: &[ColumnInfo],
    options: &ExportOptions,
    table: &Table,
    rows_before: u64,
) -> Option<Result<Vec<u8>>> {
    let batch = &table.batch;
    let n = batch.num_rows();
    let mut out = Vec::with_capacity(n * 16 * columns.len().max(1));
    match format {
        OutputFormat::Csv | OutputFormat::Tsv => {
            let d = options.text_dialect(format);
            let mut delimiter = [0u8; 4];
            let delimiter = d.delimiter.encode_utf8(&mut delimiter).as_bytes();
            let cells: Vec<Cells<'_>> = batch.columns().iter().map(Cells::new).collect();
            let shown: Vec<Shown<'_>> = columns
                .iter()
                .map(|c| Shown::of(c, options.plain_values))
                .collect();
            let mut cell = String::new();
            for r in 0..n {
                for (c, typed) in cells.iter().enumerate() {
                    if c > 0 {
                        out.extend_from_slice(delimiter);
                    }
                    cell.clear();
                    if !typed.is_valid(r) {
                        let token = shown[c].null.as_bytes();
                        write_field(&mut out, token, &d, false, cells.len() == 1);
                        continue;
                    }
                    if shown[c].is_plain()
                        && typed.write_number(r, &columns[c], &mut cell, &mut out)
                    {
                        continue; // digits, '.' and '-' never need quotes
                    }
                    if !shown[c].write(typed, r, &columns[c], &mut cell) {
                        text_cell(&batch.columns()[c], r, &columns[c], &mut cell);
                    }
                    let text = written_as_text(&columns[c]);
                    if options.neutralize_formulas && text {
                        neutralize_formula(&mut cell);
                    }
                    let quote = d.quote_all && text;
                    write_field(&mut out, cell.as_bytes(), &d, quote, cells.len() == 1);
                }
                out.extend_from_slice(d.line_end());
            }
            out = encode(out, d.encoding);
        }
        OutputFormat::Json | OutputFormat::Ndjson => {
            let json = format == OutputFormat::Json;
            let mut line = String::new();
            for r in 0..n {
                line.clear();
                if json && rows_before + r as u64 > 0 {
                    line.push(',');
                }
                if json {
                    line.push('\n');
                }
                json_row(batch.columns(), r, columns, &mut line);
                if !json {
                    line.push('\n');
                }
                out.extend_from_slice(line.as_bytes());
            }
        }
        OutputFormat::Xlsx | OutputFormat::Parquet => return None,
    }
    Some(Ok(out))
}

/// How a column's cells are shown in text output beyond their values: a number
/// format, boolean words, a missing-value token.
struct Shown<'a> {
    number: Option<&'a crate::written::NumberFormat>,
    booleans: Option<&'a [String; 2]>,
    null: &'a str,
}

impl<'a> Shown<'a> {
    fn of(info: &'a ColumnInfo, plain: bool) -> Self {
        let w = &info.written;
        if plain {
            return Shown {
                number: None,
                booleans: None,
                null: "",
            };
        }
        Shown {
            number: w.number.as_ref(),
            booleans: w.booleans.as_ref(),
            null: w.null.as_deref().unwrap_or(""),
        }
    }

    fn is_plain(&self) -> bool {
        self.number.is_none() && self.booleans.is_none()
    }

    /// Writes a present number or boolean as the column shows it; false when the
    /// column shows it plainly.
    fn write(&self, typed: &Cells<'_>, r: usize, info: &ColumnInfo, out: &mut String) -> bool {
        match (typed, self.number, self.booleans) {
            (Cells::Int(a), Some(f), _) => f.write(a.value(r) as f64, 0, out),
            (Cells::Float(a), Some(f), _) => f.write(a.value(r), info.decimals.unwrap_or(2), out),
            (Cells::Other(array), _, Some([t, f])) if array.data_type() == &DataType::Boolean => {
                out.push_str(if array.as_boolean().value(r) { t } else { f });
            }
            _ => return false,
        }
        true
    }
}

/// A column's array, downcast once per chunk instead of once per cell.
enum Cells<'a> {
    Int(&'a arrow::array::Int64Array),
    Float(&'a arrow::array::Float64Array),
    Other(&'a ArrayRef),
}

impl<'a> Cells<'a> {
    fn new(array: &'a ArrayRef) -> Self {
        match array.data_type() {
            DataType::Int64 => Cells::Int(array.as_primitive::<Int64Type>()),
            DataType::Float64 => Cells::Float(array.as_primitive::<Float64Type>()),
            _ => Cells::Other(array),
        }
    }

    /// Whether cell `r` holds a value; on the concrete array where there is one, so
    /// the check inlines in the hot loop.
    fn is_valid(&self, r: usize) -> bool {
        match self {
            Cells::Int(a) => a.is_valid(r),
            Cells::Float(a) => a.is_valid(r),
            Cells::Other(a) => a.is_valid(r),
        }
    }

    /// Writes a present integer or fixed-decimal number straight to `out`; false for
    /// anything else (written by [`text_cell`]).
    fn write_number(
        &self,
        r: usize,
        info: &ColumnInfo,
        scratch: &mut String,
        out: &mut Vec<u8>,
    ) -> bool {
        match self {
            Cells::Int(a) => {
                out.extend_from_slice(itoa::Buffer::new().format(a.value(r)).as_bytes());
                true
            }
            Cells::Float(a) if info.decimals.is_some() => {
                write_fixed(scratch, a.value(r), info.decimals.unwrap_or(0));
                out.extend_from_slice(scratch.as_bytes());
                true
            }
            _ => false,
        }
    }
}

/// One CSV field, quoted when it must be (RFC 4180, what the `csv` crate's default
/// `QuoteStyle::Necessary` does: a delimiter, quote or line break inside, or a lone
/// empty field, which would otherwise read as a blank line) or when the dialect quotes
/// every text field. Written by hand because this is the innermost loop of CSV output
/// and `csv::Writer` costs a state machine per field; `tests/generate.rs` reads every
/// format back with the `csv` reader.
fn write_field(out: &mut Vec<u8>, field: &[u8], d: &Dialect, always: bool, only_field: bool) {
    let delimiter = d.delimiter as u32;
    let quote = always
        || field
            .iter()
            .any(|&b| u32::from(b) == delimiter || b == b'"' || b == b'\n' || b == b'\r')
        || (only_field && field.is_empty());
    if !quote {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// OWASP's CSV-injection rule: text starting like a formula is prefixed with `'`.
fn neutralize_formula(s: &mut String) {
    if s.starts_with(FORMULA_TRIGGERS) {
        s.insert(0, '\'');
    }
}

/// Whether a column's cells are written as text (everything but numbers): those are
/// the cells a spreadsheet could read as a formula.
fn written_as_text(info: &ColumnInfo) -> bool {
    !matches!(info.logical, LogicalType::Integer | LogicalType::Float)
}

/// A header cell, neutralised like the cells below it.
fn header_name(info: &ColumnInfo, options: &ExportOptions) -> String {
    let mut name = info.name.clone();
    if options.neutralize_formulas {
        neutralize_formula(&mut name);
    }
    name
}

/// Rows `rows` of a table as text, each cell as the text formats write it (dates in
/// their column's format, fixed decimals); a missing value is an empty string. For
/// showing rows, not for files: no CSV quoting or formula neutralising.
pub fn text_rows(table: &Table, rows: std::ops::Range<usize>) -> Vec<Vec<String>> {
    let end = rows.end.min(table.batch.num_rows());
    (rows.start.min(end)..end)
        .map(|r| {
            table
                .columns
                .iter()
                .zip(table.batch.columns())
                .map(|(info, array)| {
                    let mut cell = String::new();
                    text_cell(array, r, info, &mut cell);
                    cell
                })
                .collect()
        })
        .collect()
}

/// Writes a cell as text in its column's format; nothing for a missing value.
pub fn text_cell(array: &ArrayRef, r: usize, info: &ColumnInfo, out: &mut String) {
    if !array.is_valid(r) {
        return;
    }
    let format = info.format.as_deref();
    let _ = match array.data_type() {
        DataType::Utf8 => {
            out.push_str(array.as_string::<i32>().value(r));
            Ok(())
        }
        DataType::Int64 => {
            out.push_str(itoa::Buffer::new().format(array.as_primitive::<Int64Type>().value(r)));
            Ok(())
        }
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(r);
            match info.decimals {
                Some(d) => {
                    write_fixed(out, v, d);
                    Ok(())
                }
                None => write!(out, "{v}"),
            }
        }
        DataType::Boolean => write!(out, "{}", array.as_boolean().value(r)),
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(r);
            let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|e| e.checked_add_signed(chrono::TimeDelta::days(i64::from(days))));
            match (date, format) {
                (_, Some("epoch_s")) => write!(out, "{}", i64::from(days) * 86_400),
                (_, Some("epoch_ms")) => write!(out, "{}", i64::from(days) * 86_400_000),
                (Some(d), Some(f)) => write!(out, "{}", d.format(f)),
                (Some(d), None) => write!(out, "{d}"),
                (None, _) => Ok(()),
            }
        }
        DataType::Timestamp(..) => {
            let us = array.as_primitive::<TimestampMicrosecondType>().value(r);
            match (chrono::DateTime::from_timestamp_micros(us), format) {
                (_, Some("epoch_s")) => write!(out, "{}", us.div_euclid(1_000_000)),
                (_, Some("epoch_ms")) => write!(out, "{}", us.div_euclid(1_000)),
                (Some(t), Some(f)) => write!(out, "{}", t.naive_utc().format(f)),
                (Some(t), None) => write!(out, "{}", t.naive_utc()),
                (None, _) => Ok(()),
            }
        }
        DataType::Time64(_) => {
            let us = array.as_primitive::<Time64MicrosecondType>().value(r);
            let t = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
                (us / 1_000_000) as u32,
                ((us % 1_000_000) * 1000) as u32,
            );
            match (t, format) {
                (Some(t), Some(f)) => write!(out, "{}", t.format(f)),
                (Some(t), None) => write!(out, "{t}"),
                (None, _) => Ok(()),
            }
        }
        _ => Ok(()),
    };
}

fn json_row(arrays: &[ArrayRef], r: usize, infos: &[ColumnInfo], out: &mut String) {
    let mut map = serde_json::Map::with_capacity(arrays.len());
    let mut s = String::new();
    for (array, info) in arrays.iter().zip(infos) {
        let v = if !array.is_valid(r) {
            serde_json::Value::Null
        } else {
            match array.data_type() {
                DataType::Int64 => array.as_primitive::<Int64Type>().value(r).into(),
                DataType::Float64 => {
                    let v = array.as_primitive::<Float64Type>().value(r);
                    serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into)
                }
                DataType::Boolean => array.as_boolean().value(r).into(),
                _ => {
                    s.clear();
                    text_cell(array, r, info, &mut s);
                    match info.format.as_deref() {
                        Some("epoch_s" | "epoch_ms") => s
                            .parse::<i64>()
                            .map_or_else(|_| s.clone().into(), Into::into),
                        _ => s.clone().into(),
                    }
                }
            }
        };
        map.insert(info.name.clone(), v);
    }
    out.push_str(&serde_json::Value::Object(map).to_string());
}

/// Excel cells: dates as date cells, numbers in their column's format.
#[cfg(feature = "excel")]
mod xlsx {
    use super::*;
    use rust_xlsxwriter::Format;

    /// Days from Excel's day 0 (1899-12-30, which absorbs Lotus' 1900 leap-year bug
    /// for every date from March 1900 on) to 1970-01-01.
    const EPOCH_SERIAL: f64 = 25_569.0;
    /// 1900-03-01: before it Excel's serials are not real days.
    const FIRST_DAY: f64 = -25_508.0;

    /// The Excel serial (days, fraction of a day) of a date, datetime or time cell;
    /// `None` for other cells, epoch-integer columns and days before March 1900, which
    /// stay text.
    pub(super) fn serial(array: &ArrayRef, r: usize, info: &ColumnInfo) -> Option<f64> {
        if matches!(info.format.as_deref(), Some("epoch_s" | "epoch_ms")) {
            return None;
        }
        let days = match array.data_type() {
            DataType::Date32 => f64::from(array.as_primitive::<Date32Type>().value(r)),
            DataType::Timestamp(..) => {
                array.as_primitive::<TimestampMicrosecondType>().value(r) as f64 / 86_400e6
            }
            DataType::Time64(_) => {
                return Some(
                    array.as_primitive::<Time64MicrosecondType>().value(r) as f64 / 86_400e6,
                );
            }
            _ => return None,
        };
        (days >= FIRST_DAY).then_some(days + EPOCH_SERIAL)
    }

    /// A value rounded to the column's decimals, as the text formats write it.
    pub(super) fn rounded(v: f64, decimals: Option<u8>) -> f64 {
        match decimals {
            Some(d) if v.is_finite() => {
                let p = 10f64.powi(i32::from(d.min(15)));
                let x = crate::math::round(v * p) / p;
                if x.is_finite() { x } else { v }
            }
            _ => v,
        }
    }

    /// The cell format of a column: its date pattern or number format as an Excel code.
    pub(super) fn cell_format(info: &ColumnInfo, plain: bool) -> Option<Format> {
        let code = match info.logical {
            LogicalType::Date | LogicalType::DateTime | LogicalType::Time => {
                let default = match info.logical {
                    LogicalType::Date => "%Y-%m-%d",
                    LogicalType::Time => "%H:%M:%S",
                    _ => "%Y-%m-%d %H:%M:%S",
                };
                excel_date_code(info.format.as_deref().unwrap_or(default))
            }
            LogicalType::Integer | LogicalType::Float if !plain => {
                let n = info.written.number.as_ref()?;
                n.excel_code(info.decimals.unwrap_or(0))
            }
            _ => return None,
        };
        Some(Format::new().set_num_format(code))
    }

    /// A chrono pattern (`%d.%m.%Y %H:%M`) as an Excel date code (`dd.mm.yyyy hh:mm`).
    pub(super) fn excel_date_code(pattern: &str) -> String {
        let mut out = String::new();
        let mut chars = pattern.chars().peekable();
        let twelve_hour = pattern.contains("%p") || pattern.contains("%P");
        while let Some(c) = chars.next() {
            if c != '%' {
                if c.is_ascii_alphanumeric() {
                    out.push('\\');
                }
                out.push(c);
                continue;
            }
            let mut spec = chars.next().unwrap_or('%');
            if spec == '-' {
                // No padding: one letter where Excel writes two.
                spec = chars.next().unwrap_or('%');
                if let Some(code) = match spec {
                    'm' | 'M' => Some("m"),
                    'd' | 'e' => Some("d"),
                    'H' | 'I' => Some("h"),
                    'S' => Some("s"),
                    _ => None,
                } {
                    out.push_str(code);
                    continue;
                }
            }
            if spec == '.' {
                spec = chars.next().unwrap_or('%');
                if spec == 'f' || spec.is_ascii_digit() {
                    // "%.f", "%.3f": fractions of a second.
                    if spec.is_ascii_digit() {
                        chars.next();
                    }
                    out.push_str(".000");
                    continue;
                }
            }
            out.push_str(match spec {
                'Y' => "yyyy",
                'y' => "yy",
                'm' => "mm",
                'd' => "dd",
                'e' => "d",
                'b' | 'h' => "mmm",
                'B' => "mmmm",
                'a' => "ddd",
                'A' => "dddd",
                'H' => "hh",
                'I' => "hh",
                'M' => "mm",
                'S' => "ss",
                'p' | 'P' => "AM/PM",
                'T' => "hh:mm:ss",
                'F' => "yyyy-mm-dd",
                'z' | 'Z' | ':' => "",
                _ => "",
            });
        }
        if twelve_hour && !out.contains("AM/PM") {
            out.push_str(" AM/PM");
        }
        out
    }
}

/// Writes a whole table to bytes.
pub fn to_bytes(table: &Table, format: OutputFormat, options: &ExportOptions) -> Result<Vec<u8>> {
    let mut e = Exporter::new(
        format,
        &table.columns,
        table.batch.schema(),
        options.clone(),
        Vec::new(),
    )?;
    e.write(table)?;
    e.finish()
}

/// Packs several output files into one ZIP (deflate), in the order given. Names are
/// reduced to their last path component and made unique (`a.csv`, `a_2.csv`), so no
/// entry can point outside the folder it is unpacked into.
#[cfg(feature = "excel")]
pub fn zip(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut names = EntryNames::default();
    for (name, bytes) in files {
        out.start_file(names.next(name), entry_options(bytes.len() as u64))
            .map_err(io)?;
        out.write_all(bytes).map_err(io)?;
    }
    Ok(out.finish().map_err(io)?.into_inner())
}

/// A ZIP written front to back into any writer, an entry at a time and each entry in
/// as many pieces as it comes in, so neither the entries nor the ZIP are ever held
/// whole: the page streams a batch's outputs from disk into a download this way. The
/// entries are [`zip`]'s (names reduced and made unique, deflate); sizes follow each
/// entry in a data descriptor, as a writer that cannot seek back must put them. The
/// writer may be drained between pieces (a shared buffer): the compressor holds it
/// while an entry is open.
#[cfg(feature = "excel")]
pub struct ZipStream<W: Write> {
    out: zip::ZipWriter<zip::write::StreamWriter<W>>,
    names: EntryNames,
}

#[cfg(feature = "excel")]
impl<W: Write> ZipStream<W> {
    /// A ZIP written into `out`.
    pub fn new(out: W) -> Self {
        ZipStream {
            out: zip::ZipWriter::new_stream(out),
            names: EntryNames::default(),
        }
    }

    /// Starts the next entry, of `bytes` bytes (4 GiB or more take ZIP64 fields); its
    /// name is reduced and made unique as [`zip`] does. Returns the name given.
    pub fn start(&mut self, name: &str, bytes: u64) -> Result<String> {
        let name = self.names.next(name);
        self.out
            .start_file(name.as_str(), entry_options(bytes))
            .map_err(io)?;
        Ok(name)
    }

    /// Appends to the entry started last.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes).map_err(io)
    }

    /// Writes the central directory; the ZIP is complete.
    pub fn finish(self) -> Result<W> {
        Ok(self.out.finish().map_err(io)?.into_inner())
    }
}

#[cfg(feature = "excel")]
impl<W: Write> std::fmt::Debug for ZipStream<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZipStream")
            .field("entries", &self.names.used.len())
            .finish()
    }
}

#[cfg(feature = "excel")]
fn entry_options(bytes: u64) -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(bytes >= u64::from(u32::MAX))
}

/// The names of a ZIP's entries: flat (the last path component, never `.` or `..`) and
/// unique.
#[cfg(feature = "excel")]
#[derive(Debug, Default)]
struct EntryNames {
    used: std::collections::HashSet<String>,
}

#[cfg(feature = "excel")]
impl EntryNames {
    fn next(&mut self, name: &str) -> String {
        let base = name
            .rsplit(['/', '\\'])
            .next()
            .filter(|b| !b.is_empty() && *b != "." && *b != "..")
            .unwrap_or("file");
        let mut unique = base.to_string();
        let mut n = 2;
        while !self.used.insert(unique.clone()) {
            unique = match base.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}_{n}.{ext}"),
                None => format!("{base}_{n}"),
            };
            n += 1;
        }
        unique
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "excel")]
    #[test]
    fn zip_entries_are_flat_and_unique() {
        let files = vec![
            ("../../etc/a.csv".to_string(), b"x\n1\n".to_vec()),
            ("a.csv".to_string(), b"x\n2\n".to_vec()),
            ("..".to_string(), b"y".to_vec()),
        ];
        let bytes = zip(&files).unwrap();
        let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut sorted: Vec<String> = archive
            .file_names()
            .map(|n| n.unwrap().into_owned())
            .collect();
        sorted.sort();
        assert_eq!(sorted, ["a.csv", "a_2.csv", "file"]);
        let mut second = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("a_2.csv").unwrap(), &mut second)
            .unwrap();
        assert_eq!(second, "x\n2\n");
    }

    /// A ZIP streamed in small pieces reads back with the entries whole, the same as
    /// [`zip`] makes of the same files; nothing was written out of order.
    #[cfg(feature = "excel")]
    #[test]
    fn a_streamed_zip_holds_the_entries_zip_holds() {
        let big: Vec<u8> = (0..300_000u32)
            .flat_map(|i| format!("{i},{}\n", i % 7).into_bytes())
            .collect();
        let files = vec![
            ("out/a.csv".to_string(), big.clone()),
            ("a.csv".to_string(), b"x\n2\n".to_vec()),
            ("manifest.json".to_string(), b"{}".to_vec()),
        ];
        /// A buffer drained between pieces, as the page drains its own.
        #[derive(Clone, Default)]
        struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.borrow_mut().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Shared::default();
        let mut stream = ZipStream::new(buffer.clone());
        let mut drained = Vec::new();
        let mut most = 0;
        for (name, bytes) in &files {
            stream.start(name, bytes.len() as u64).unwrap();
            for piece in bytes.chunks(7_919) {
                stream.write(piece).unwrap();
                most = most.max(buffer.0.borrow().len());
                drained.append(&mut buffer.0.borrow_mut());
            }
        }
        stream.finish().unwrap();
        drained.append(&mut buffer.0.borrow_mut());
        assert!(most < 200_000, "a piece left {most} bytes waiting");
        let read = |bytes: Vec<u8>| {
            let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            (0..archive.len())
                .map(|i| {
                    let mut entry = archive.by_index(i).unwrap();
                    let mut body = Vec::new();
                    std::io::Read::read_to_end(&mut entry, &mut body).unwrap();
                    (entry.name().unwrap().to_string(), body)
                })
                .collect::<Vec<_>>()
        };
        let streamed = read(drained);
        assert_eq!(streamed, read(zip(&files).unwrap()));
        assert_eq!(streamed[0].0, "a.csv");
        assert_eq!(streamed[1].0, "a_2.csv");
        assert_eq!(streamed[0].1, big);
    }

    #[test]
    fn formulas_are_neutralized() {
        for (input, want) in [
            ("=1+2", "'=1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("plain", "plain"),
        ] {
            let mut s = input.to_string();
            neutralize_formula(&mut s);
            assert_eq!(s, want);
        }
    }

    #[test]
    fn fixed_decimals_match_format() {
        for (x, d) in [
            (3.1, 2u8),
            (-0.5, 1),
            (2.675, 2),
            (1e20, 2),
            (0.0, 3),
            (-12.0, 0),
        ] {
            let mut s = String::new();
            write_fixed(&mut s, x, d);
            let want = format!(
                "{:.*}",
                usize::from(d),
                (x * 10f64.powi(i32::from(d))).round() / 10f64.powi(i32::from(d))
            );
            assert_eq!(s, want, "{x} {d}");
        }
    }
}
