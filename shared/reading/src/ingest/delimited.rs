//! CSV and TSV: encoding, dialect (delimiter, header) and a two-pass read that streams.
//!
//! Pass one infers every column's type over all rows and counts them, and keeps the
//! fields of the first `sample_size` rows column by column. When the file has no more
//! rows than that (the usual case), typed Arrow columns are built from those fields;
//! otherwise the kept fields are dropped and pass two re-reads the file for an evenly
//! spread sample. Both passes read the [`Source`] from its first byte, decoding as they
//! go, so memory is bounded by `sample_size` rows whatever the file's size: a file
//! larger than memory reads.

use super::infer::{Cell, ColumnBuilder, Inference, Plain};
use super::source::{self, Bounded, RecordTooLong, Source, record_budget};
use super::{IngestOptions, infer};
use super::{Sampler, assemble, check_cells, check_columns, clean_names, column_info, empty_error};
use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, Table};
use crate::written::{Dialect, TextEncoding};
use std::io::Read;

/// The delimiters tried, as bytes.
const DELIMITERS: [u8; 4] = {
    let [a, b, c, d] = Dialect::DELIMITERS;
    [a as u8, b as u8, c as u8, d as u8]
};

/// Decoded bytes the dialect is judged from.
const HEAD_BYTES: usize = 64 * 1024;

/// What the csv reader buffers: large enough that a read is a few calls per megabyte.
const BUFFER_BYTES: usize = 256 * 1024;

/// Reads a CSV or TSV file whose first bytes are `raw` (at least its byte order mark,
/// if it has one). Without a byte order mark the file is read as UTF-8, and read again
/// as Windows-1252 from the start if a byte that is not UTF-8 turns up anywhere in it
/// (the whole file is then Latin-1, as it was when read in memory).
pub(crate) fn read(
    source: &dyn Source,
    raw: &[u8],
    format: FileFormat,
    options: &IngestOptions,
) -> Result<Table> {
    let text = match encoding_rs::Encoding::for_bom(raw) {
        Some((enc, bom)) if enc == encoding_rs::UTF_8 => Text {
            encoding: TextEncoding::Utf8,
            bom,
        },
        Some((enc, bom)) if enc == encoding_rs::UTF_16BE => Text {
            encoding: TextEncoding::Utf16be,
            bom,
        },
        Some((_, bom)) => Text {
            encoding: TextEncoding::Utf16le,
            bom,
        },
        None => Text {
            encoding: TextEncoding::Utf8,
            bom: 0,
        },
    };
    match read_as(source, &text, format, options) {
        Ok(table) => Ok(table),
        Err(Failure::Error(e)) => Err(e),
        Err(Failure::NotUtf8 { byte }) if text.bom > 0 => Err(Error::new(
            ErrorKind::Malformed,
            "invalid UTF-8 after a UTF-8 byte order mark",
        )
        .at_byte(text.bom as u64 + byte)
        .with_hint("save the file again as UTF-8")),
        Err(Failure::NotUtf8 { .. }) => {
            let latin = Text {
                encoding: TextEncoding::Windows1252,
                bom: 0,
            };
            read_as(source, &latin, format, options).map_err(Failure::into_error)
        }
    }
}

/// How the file's bytes become text.
#[derive(Debug)]
struct Text {
    encoding: TextEncoding,
    /// Bytes of the byte order mark (0 without one).
    bom: usize,
}

impl Text {
    /// The file as UTF-8 text from its first character (the byte order mark skipped).
    fn open<'a>(&self, source: &'a dyn Source) -> Result<Box<dyn Read + 'a>> {
        let encoding = match self.encoding {
            TextEncoding::Utf8 => {
                return source.open_at(self.bom as u64).map_err(source::read_error);
            }
            TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252,
            TextEncoding::Utf16le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16be => encoding_rs::UTF_16BE,
        };
        let raw = source::open(source)?;
        // Malformed sequences become U+FFFD, as `Encoding::decode` makes them.
        Ok(Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_sniffing(false)
                .strip_bom(true)
                .build(raw),
        ))
    }

    /// The first [`HEAD_BYTES`] of the text, and whether the text goes on past them.
    fn head(&self, source: &dyn Source) -> Result<(Vec<u8>, bool)> {
        let mut head = Vec::with_capacity(HEAD_BYTES + 1);
        self.open(source)?
            .take(HEAD_BYTES as u64 + 1)
            .read_to_end(&mut head)
            .map_err(source::read_error)?;
        let cut = head.len() > HEAD_BYTES;
        head.truncate(HEAD_BYTES);
        Ok((head, cut))
    }

    fn reader<'a>(
        &self,
        source: &'a dyn Source,
        delimiter: u8,
        max_field: usize,
    ) -> Result<csv::Reader<Bounded<Box<dyn Read + 'a>>>> {
        Ok(csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(BUFFER_BYTES)
            .from_reader(Bounded::new(
                self.open(source)?,
                record_budget(max_field) + BUFFER_BYTES as u64,
            )))
    }
}

/// Why one reading stopped: an error, or a byte that is not UTF-8 in a file read as
/// UTF-8 (then it is read again as Windows-1252).
#[derive(Debug)]
enum Failure {
    NotUtf8 {
        /// Where the record holding it starts in the text.
        byte: u64,
    },
    Error(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Error(e)
    }
}

impl Failure {
    fn into_error(self) -> Error {
        match self {
            Failure::Error(e) => e,
            // Windows-1252 decodes every byte, so this does not happen.
            Failure::NotUtf8 { byte } => Error::new(
                ErrorKind::Malformed,
                "the text is not in any encoding we read",
            )
            .at_byte(byte),
        }
    }
}

fn read_as(
    source: &dyn Source,
    text: &Text,
    format: FileFormat,
    options: &IngestOptions,
) -> Result<Table, Failure> {
    let mut warnings = Vec::new();
    match text.encoding {
        TextEncoding::Utf8 => {}
        TextEncoding::Windows1252 => {
            warnings.push("not valid UTF-8: decoded as Windows-1252 (Latin-1)".into())
        }
        TextEncoding::Utf16le => warnings.push("decoded as UTF-16LE".into()),
        TextEncoding::Utf16be => warnings.push("decoded as UTF-16BE".into()),
    }
    let (head, cut) = text.head(source)?;
    if text.encoding == TextEncoding::Utf8 {
        // A head that is not UTF-8 (not just cut inside a character) decides at once.
        if let Err(e) = std::str::from_utf8(&head)
            && e.error_len().is_some()
        {
            return Err(Failure::NotUtf8 {
                byte: e.valid_up_to() as u64,
            });
        }
    }
    let delimiter = sniff_delimiter(&head, cut, format == FileFormat::Tsv);
    let format = if delimiter == b'\t' {
        FileFormat::Tsv
    } else {
        FileFormat::Csv
    };
    let limits = &options.limits;
    let reader = || text.reader(source, delimiter, limits.max_field_bytes);

    // The first record, and whether it is a header.
    let mut rdr = reader()?;
    let mut record = csv::StringRecord::new();
    if !read_record(&mut rdr, &mut record, limits.max_field_bytes)? {
        return Err(Error::new(ErrorKind::Empty, "the file holds no rows")
            .with_hint("the file needs a header and at least one row of data")
            .into());
    }
    let first: Vec<String> = record.iter().map(str::to_string).collect();
    check_columns(first.len(), limits)?;
    let has_header = looks_like_header(reader()?, delimiter, &first);
    let names = if has_header {
        clean_names(first, &mut warnings)
    } else {
        warnings.push("no header row found; columns are named column_1, column_2, ...".into());
        (1..=first.len()).map(|i| format!("column_{i}")).collect()
    };
    let ncols = names.len();
    let decimal_comma = delimiter != b',';

    // Pass one: infer and count.
    let mut rdr = reader()?;
    let mut inference: Vec<Inference> = (0..ncols).map(|_| Inference::new(decimal_comma)).collect();
    let mut rows: u64 = 0;
    let mut short_rows: Vec<u64> = Vec::new();
    let mut short_count = 0u64;
    let mut skip = has_header;
    let sample_size = options.sample_size() as u64;
    let mut kept: Option<Vec<FieldColumn>> =
        Some((0..ncols).map(|_| FieldColumn::default()).collect());
    while read_record(&mut rdr, &mut record, limits.max_field_bytes)? {
        if skip {
            skip = false;
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        check_shape(&record, ncols, line)?;
        if rows == sample_size {
            kept = None;
        }
        if record.len() < ncols {
            short_count += 1;
            if short_rows.len() < 5 {
                short_rows.push(line);
            }
        }
        match kept.as_mut() {
            Some(columns) => {
                for (i, (c, inf)) in columns.iter_mut().zip(&mut inference).enumerate() {
                    c.push(record.get(i), inf.observe_plain(cell(&record, i)));
                }
            }
            None => {
                for (i, inf) in inference.iter_mut().enumerate() {
                    inf.observe(cell(&record, i));
                }
            }
        }
        rows += 1;
        if rows == RESERVE_AFTER_ROWS
            && let Some(columns) = kept.as_mut()
        {
            let read = record.position().map_or(0, |p| p.byte()).max(1);
            let expected = (source.len().saturating_mul(rows) / read).min(sample_size);
            for c in columns {
                c.reserve(expected as usize, ncols);
            }
        }
        if rows.is_multiple_of(source::ROWS_BETWEEN_REPORTS) {
            source.rows_read(rows);
        }
        // The budget is on the rows held (the kept fields, then the sample), checked
        // often enough that a wide file stops within a few rows; rows past the sample
        // are only counted, so a file of any length streams through.
        if rows <= sample_size && rows.is_multiple_of(64) {
            check_cells(rows, ncols, limits)?;
        }
    }
    source.rows_read(rows);
    check_cells(rows.min(sample_size), ncols, limits)?;
    if rows == 0 {
        return Err(empty_error("the file").into());
    }
    if short_count > 0 {
        warnings.push(format!(
            "{short_count} row(s) had fewer fields than the header and were padded with empty values (lines {})",
            short_rows.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
        ));
    }

    let decisions: Vec<_> = inference
        .iter()
        .zip(&names)
        .map(|(inf, n)| inf.decide(n))
        .collect();
    for (d, n) in decisions.iter().zip(&names) {
        if let Some(note) = &d.note {
            warnings.push(format!("{n}: {note}"));
        }
    }
    let dialect = Dialect {
        delimiter: char::from(delimiter),
        crlf: crlf(&head),
        encoding: text.encoding,
        bom: text.bom > 0,
        quote_all: quotes_every_text_field(&head, delimiter),
        no_header: !has_header,
    };
    let arrays = match kept {
        // Every row was kept: build from the fields, column by column.
        Some(columns) => columns
            .iter()
            .zip(&decisions)
            .map(|(c, d)| {
                if let Some(array) = c
                    .plain
                    .as_deref()
                    .and_then(|values| ColumnBuilder::plain_numbers(d, values))
                {
                    return array;
                }
                let mut b = ColumnBuilder::new(d, c.len());
                c.for_each(|f| b.push(f.map_or(Cell::Null, Cell::Text)));
                b.finish()
            })
            .collect(),
        None => pass_two(
            reader()?,
            &decisions,
            rows,
            options,
            has_header,
            &mut record,
            &|r| source.rows_read(r),
        )?,
    };
    let infos = names
        .into_iter()
        .zip(&decisions)
        .zip(&inference)
        .map(|((n, d), inf)| column_info(n, d, inf.nulls))
        .collect();
    let mut table = assemble(format, infos, arrays, rows, warnings)?;
    table.dialect = Some(dialect);
    Ok(table)
}

/// Re-reads the file and builds the evenly spread sample of `sample_size` rows.
fn pass_two<R: Read>(
    mut rdr: csv::Reader<Bounded<R>>,
    decisions: &[infer::Decision],
    rows: u64,
    options: &IngestOptions,
    has_header: bool,
    record: &mut csv::StringRecord,
    rows_read: &dyn Fn(u64),
) -> Result<Vec<arrow::array::ArrayRef>, Failure> {
    let sampler = Sampler::new(rows, options.sample_size());
    let mut builders: Vec<ColumnBuilder> = decisions
        .iter()
        .map(|d| ColumnBuilder::new(d, sampler.kept()))
        .collect();
    let mut row: u64 = 0;
    let mut skip = has_header;
    while read_record(&mut rdr, record, options.limits.max_field_bytes)? {
        if skip {
            skip = false;
            continue;
        }
        if sampler.keeps(row) {
            for (i, b) in builders.iter_mut().enumerate() {
                b.push(cell(record, i));
            }
        }
        row += 1;
        if row.is_multiple_of(source::ROWS_BETWEEN_REPORTS) {
            rows_read(row);
        }
    }
    rows_read(row);
    Ok(builders.into_iter().map(ColumnBuilder::finish).collect())
}

/// The fields of one column, kept in one buffer (an absent field is `None`).
#[derive(Debug)]
struct FieldColumn {
    text: String,
    /// End offset of each field in `text`; `u32::MAX` marks an absent field.
    ends: Vec<u32>,
    /// The numbers inference read from the fields (`NaN` for a missing one), while
    /// every field was a plain number or missing: a number column is then built from
    /// them instead of parsing its text a second time (a fifth of reading flights).
    plain: Option<Vec<f64>>,
}

impl Default for FieldColumn {
    fn default() -> Self {
        FieldColumn {
            text: String::new(),
            ends: Vec::new(),
            plain: Some(Vec::new()),
        }
    }
}

/// Rows read before the kept columns reserve room for the rows the file's length
/// promises: growing by doubling copied every kept byte about once more.
const RESERVE_AFTER_ROWS: u64 = 1024;
/// At most this much is reserved ahead, over all columns: a source may claim a length
/// it does not have.
const MAX_RESERVED_BYTES: usize = 256 << 20;

impl FieldColumn {
    /// Room for `rows` fields in all, estimated from the fields so far.
    fn reserve(&mut self, rows: usize, ncols: usize) {
        let so_far = self.ends.len().max(1);
        let per_field = self.text.len() / so_far + 12;
        let rows = rows.min(MAX_RESERVED_BYTES / ncols.max(1) / per_field);
        let more = rows.saturating_sub(self.ends.len());
        self.ends.reserve(more);
        if let Some(plain) = &mut self.plain {
            plain.reserve(more);
        }
        self.text.reserve(more * (self.text.len() / so_far));
    }

    fn push(&mut self, field: Option<&str>, read: Plain) {
        match field {
            Some(f) => {
                self.text.push_str(f);
                self.ends.push(self.text.len() as u32);
            }
            None => self.ends.push(u32::MAX),
        }
        if let Some(plain) = &mut self.plain {
            match read {
                Plain::Number(x) => plain.push(x),
                Plain::Missing => plain.push(f64::NAN),
                Plain::Other => self.plain = None,
            }
        }
    }
    fn len(&self) -> usize {
        self.ends.len()
    }
    fn for_each<'a>(&'a self, mut f: impl FnMut(Option<&'a str>)) {
        let mut start = 0usize;
        for &end in &self.ends {
            if end == u32::MAX {
                f(None);
            } else {
                f(Some(&self.text[start..end as usize]));
                start = end as usize;
            }
        }
    }
}

/// Whether the first line ends with CRLF.
fn crlf(head: &[u8]) -> bool {
    head.iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && head[i - 1] == b'\r')
}

/// Whether the exporter quoted every field of the first data lines that holds a
/// letter (some quote all fields; numbers then come quoted too, which we don't copy).
fn quotes_every_text_field(head: &[u8], delimiter: u8) -> bool {
    let head = &head[..head.len().min(16 * 1024)];
    let mut lines = head.split(|&b| b == b'\n').skip(1).take(20).peekable();
    let mut seen = 0;
    while let Some(line) = lines.next() {
        if lines.peek().is_none() {
            break; // possibly cut short
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        for field in line.split(|&b| b == delimiter) {
            if field.iter().any(u8::is_ascii_alphabetic) {
                if !(field.len() >= 2 && field[0] == b'"' && field[field.len() - 1] == b'"') {
                    return false;
                }
                seen += 1;
            }
        }
    }
    seen > 0
}

/// Picks the delimiter whose records have the most consistent field count (>1) over
/// the first 64 KiB (`cut`: the file goes on past them). Ties go to the extension's
/// choice, then to `,`.
fn sniff_delimiter(head: &[u8], cut: bool, tsv: bool) -> u8 {
    let mut best = (if tsv { b'\t' } else { b',' }, 0.0f64);
    let order: Vec<u8> = if tsv {
        std::iter::once(b'\t')
            .chain(DELIMITERS.into_iter().filter(|&d| d != b'\t'))
            .collect()
    } else {
        DELIMITERS.to_vec()
    };
    for d in order {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(head);
        let mut counts: Vec<usize> = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while counts.len() < 50 {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => counts.push(rec.len()),
                _ => break,
            }
        }
        // The last record of a cut head may be partial.
        if cut && counts.len() > 1 {
            counts.pop();
        }
        let Some(&first) = counts.first() else {
            continue;
        };
        if first < 2 {
            continue;
        }
        let consistent =
            counts.iter().filter(|&&c| c == first).count() as f64 / counts.len() as f64;
        let score = consistent * 1000.0 + first as f64;
        if score > best.1 + 1e-9 {
            best = (d, score);
        }
    }
    best.0
}

/// The first row is a header unless it looks like data: a column whose body is
/// numeric, temporal or boolean and whose first value parses the same way votes "data";
/// one whose first value does not parse votes "header". All-text tables: header when
/// the first row's values do not recur below.
fn looks_like_header(mut rdr: csv::Reader<impl Read>, delimiter: u8, first: &[String]) -> bool {
    let body: Vec<csv::StringRecord> = rdr
        .records()
        .skip(1)
        .take(100)
        .filter_map(|r| r.ok())
        .collect();
    if body.is_empty() {
        return true;
    }
    let mut votes = 0i32;
    let mut recurring = false;
    for (i, head) in first.iter().enumerate() {
        let mut inf = Inference::new(delimiter != b',');
        for r in &body {
            inf.observe(Cell::Text(r.get(i).unwrap_or("")));
        }
        let body_type = inf.decide("");
        if body_type.logical == crate::table::LogicalType::Text
            || body_type.logical == crate::table::LogicalType::Null
        {
            if body.iter().any(|r| r.get(i) == Some(head.as_str())) && !head.is_empty() {
                recurring = true;
            }
            continue;
        }
        let mut with_head = inf.clone();
        with_head.observe(Cell::Text(head));
        if infer::is_null_token(head) {
            continue;
        }
        if with_head.decide("") == body_type {
            votes -= 1;
        } else {
            votes += 1;
        }
    }
    if votes != 0 { votes > 0 } else { !recurring }
}

fn read_record<R: Read>(
    rdr: &mut csv::Reader<Bounded<R>>,
    record: &mut csv::StringRecord,
    max_field: usize,
) -> Result<bool, Failure> {
    // A StringRecord validates UTF-8 once per row, not once per field.
    let read = rdr.read_record(record);
    rdr.get_ref().record_ended();
    match read {
        Ok(more) => {
            if more
                && let Some((i, f)) = record.iter().enumerate().find(|(_, f)| f.len() > max_field)
            {
                let line = record.position().map_or(0, |p| p.line());
                return Err(Error::new(
                    ErrorKind::LimitExceeded,
                    format!(
                        "field {} is {} bytes, over the limit of {} bytes",
                        i + 1,
                        f.len(),
                        max_field
                    ),
                )
                .at_row(line)
                .with_hint("is a quote left open? otherwise raise the field-length limit")
                .into());
            }
            Ok(more)
        }
        Err(e) => {
            if let csv::ErrorKind::Utf8 { pos, .. } = e.kind() {
                return Err(Failure::NotUtf8 {
                    byte: pos.as_ref().map_or(0, csv::Position::byte),
                });
            }
            if let csv::ErrorKind::Io(io) = e.kind() {
                if let Some(too_long) = RecordTooLong::of(io) {
                    return Err(too_long
                        .at_byte(e.position().map_or(0, csv::Position::byte))
                        .with_hint("is a quote left open, or are the line ends missing? otherwise raise the field-length limit")
                        .into());
                }
                return Err(
                    source::read_error(std::io::Error::new(io.kind(), io.to_string())).into(),
                );
            }
            let mut err = Error::new(ErrorKind::Malformed, format!("unreadable CSV: {e}"));
            if let Some(p) = e.position() {
                err = err.at_row(p.line()).at_byte(p.byte());
            }
            Err(err.into())
        }
    }
}

/// Longer rows are an error unless the extra fields are empty (trailing delimiters).
fn check_shape(record: &csv::StringRecord, ncols: usize, line: u64) -> Result<()> {
    if record.len() > ncols && record.iter().skip(ncols).any(|f| !f.is_empty()) {
        let byte = record.position().map_or(0, |p| p.byte());
        return Err(Error::new(
            ErrorKind::Malformed,
            format!(
                "this row has {} fields but the header has {ncols}",
                record.len()
            ),
        )
        .at_row(line)
        .at_byte(byte)
        .with_hint("a field with the delimiter in it needs quotes; check that row"));
    }
    Ok(())
}

fn cell(record: &csv::StringRecord, i: usize) -> Cell<'_> {
    record.get(i).map_or(Cell::Null, Cell::Text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read;
    use crate::table::LogicalType;

    fn types(t: &Table) -> Vec<LogicalType> {
        t.columns.iter().map(|c| c.logical).collect()
    }

    #[test]
    fn semicolons_and_decimal_commas() {
        let t = read(
            b"a;b;c\n1,5;x;2020-01-01\n2,25;y;2020-01-02\n",
            "x.csv",
            &Default::default(),
        )
        .unwrap();
        assert_eq!(
            types(&t),
            [LogicalType::Float, LogicalType::Text, LogicalType::Date]
        );
    }

    #[test]
    fn headerless_numeric_file_gets_generated_names() {
        let t = read(b"1,2\n3,4\n5,6\n", "x.csv", &Default::default()).unwrap();
        assert_eq!(t.columns[0].name, "column_1");
        assert_eq!(t.total_rows, 3);
    }

    #[test]
    fn ragged_rows_are_padded_or_reported_with_their_line() {
        let t = read(b"a,b,c\n1,2,3\n4,5\n", "x.csv", &Default::default()).unwrap();
        assert_eq!(t.total_rows, 2);
        assert!(
            t.warnings.iter().any(|w| w.contains("lines 3")),
            "{:?}",
            t.warnings
        );
        let e = read(b"a,b\n1,2\n3,4,5\n", "x.csv", &Default::default()).unwrap_err();
        assert_eq!(e.row(), Some(3));
        assert!(
            e.to_string().contains("3 fields but the header has 2"),
            "{e}"
        );
    }

    #[test]
    fn quoted_newlines_and_latin1() {
        let t = read(
            b"name,note\n\"a\",\"line1\nline2\"\n\"b\",\"x\"\n",
            "x.csv",
            &Default::default(),
        )
        .unwrap();
        assert_eq!(t.total_rows, 2);
        let t = read(b"city\nZ\xfcrich\nK\xf6ln\n", "x.csv", &Default::default()).unwrap();
        let col = t
            .batch
            .column(0)
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .unwrap();
        assert_eq!(col.value(0), "Zürich");
    }
}
