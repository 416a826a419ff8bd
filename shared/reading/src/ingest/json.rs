//! JSON (an array of records, or one record) and NDJSON (a record per line).
//!
//! Nested objects flatten to dotted column names (`address.city`); arrays are kept as
//! their JSON text. Columns appear in first-seen order; a record without a key has a
//! null there.
//!
//! Records are parsed one at a time (the array's elements stream through a serde
//! visitor) and flattened into compact sparse leaves at once, so memory follows the
//! values present, not records × keys: a first record with 4,096 keys followed by a
//! million empty ones stores 4,096 leaves, and the rows × columns budget refuses it
//! before any column is built.

use super::infer::{Cell, Inference};
use super::source::{self, Bounded, RecordTooLong, Source};
use super::{CellSource, IngestOptions, Limits, Sampler, table_from_source};
use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, Table};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

pub(crate) fn read(bytes: &[u8], format: FileFormat, options: &IngestOptions) -> Result<Table> {
    let max = options.limits.max_json_bytes;
    if bytes.len() as u64 > max {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "the JSON is {} bytes, over the JSON limit of {max} bytes",
                bytes.len()
            ),
        )
        .with_hint("export it as CSV or Parquet, or raise the JSON size limit"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut flat = Flattener::new(&options.limits);
    if format == FileFormat::Ndjson {
        for (i, v) in serde_json::Deserializer::from_slice(bytes)
            .into_iter::<Value>()
            .enumerate()
        {
            let v = v.map_err(|e| json_error(e, Some(i as u64 + 1)))?;
            flat.record(&v)?;
        }
    } else {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        if let Err(e) = (Records { flat: &mut flat }).deserialize(&mut de) {
            return Err(flat.failed.take().unwrap_or_else(|| json_error(e, None)));
        }
        de.end().map_err(|e| json_error(e, None))?;
    }
    if flat.names.is_empty() && flat.rows > 0 {
        return Err(no_fields());
    }
    let mut warnings = Vec::new();
    let names = super::clean_names(std::mem::take(&mut flat.names), &mut warnings);
    table_from_source(format, names, &flat, options, warnings)
}

/// NDJSON, or a JSON array of records, from a [`Source`], in two passes as CSV is read:
/// pass one infers every column over all records and keeps the first `sample_size`; a
/// longer file is read again for the evenly spread sample. Memory follows the records
/// kept, not the file. The table is the one [`read`] makes of the same bytes.
pub(crate) fn read_source(
    source: &dyn Source,
    format: FileFormat,
    options: &IngestOptions,
) -> Result<Table> {
    let limits = &options.limits;
    let sample = options.sample_size();
    let mut flat = Flattener::new(limits);
    // Records are kept while they may be all there is, and while they are small: a
    // record's leaves take 24 bytes each, several times the typed sample pass two
    // builds, so past `KEEP_BYTES` the file is read again instead.
    let mut keeping = true;
    let mut inference: Vec<Inference> = Vec::new();
    // Rows each column's inference has accounted for (a key is missing until seen).
    let mut seen: Vec<u64> = Vec::new();
    let mut rows = 0u64;
    each_record(source, format, limits, &mut |v| {
        keeping &= (rows as usize) < sample;
        let text_len = flat.text.len();
        flat.scratch = !keeping;
        flat.record_at(&v, flat.rows)?;
        inference.resize_with(flat.names.len(), || Inference::new(false));
        seen.resize(flat.names.len(), 0);
        for &c in &flat.touched {
            let (_, leaf) = flat.columns[c][flat.columns[c].len() - 1];
            inference[c].observe_nulls(rows - seen[c]);
            inference[c].observe(flat.cell(leaf));
            seen[c] = rows + 1;
        }
        if keeping {
            flat.rows += 1;
            super::check_cells(flat.rows as u64, flat.names.len(), limits)?;
            if flat.held_bytes() > KEEP_BYTES {
                keeping = false;
                flat.forget_rows();
            }
        } else {
            flat.forget_record(text_len);
        }
        rows += 1;
        if rows.is_multiple_of(source::ROWS_BETWEEN_REPORTS) {
            source.rows_read(rows);
        }
        Ok(())
    })?;
    source.rows_read(rows);
    for (inf, seen) in inference.iter_mut().zip(&seen) {
        inf.observe_nulls(rows - seen);
    }
    if flat.names.is_empty() && rows > 0 {
        return Err(no_fields());
    }
    let mut warnings = Vec::new();
    let names = super::clean_names(flat.names.clone(), &mut warnings);
    if keeping {
        return table_from_source(format, names, &flat, options, warnings);
    }
    // Pass two: the sample, spread over the file, typed as pass one decided.
    let sampler = Sampler::new(rows, sample);
    let mut one = Flattener::with_names(limits, &flat.names);
    drop(flat);
    one.scratch = true;
    let kept = (rows, sampler.kept());
    super::table_from_sample(format, names, &inference, kept, warnings, |builders| {
        let mut cells: Vec<Option<Leaf>> = vec![None; builders.len()];
        let mut i = 0u64;
        each_record(source, format, limits, &mut |v| {
            if sampler.keeps(i) {
                one.record_at(&v, 0)?;
                for &c in &one.touched {
                    cells[c] = one.columns[c].last().map(|&(_, leaf)| leaf);
                }
                for (builder, cell) in builders.iter_mut().zip(&mut cells) {
                    builder.push(cell.take().map_or(Cell::Null, |leaf| one.cell(leaf)));
                }
                one.forget_record(0);
            }
            i += 1;
            if i.is_multiple_of(source::ROWS_BETWEEN_REPORTS) {
                source.rows_read(i);
            }
            Ok(())
        })?;
        source.rows_read(rows);
        Ok(())
    })
}

/// What the records kept in pass one may take before the file is read again instead.
const KEEP_BYTES: usize = 64 << 20;

/// Calls `f` with each record of the source, in order: NDJSON's lines, or the elements
/// of a JSON array, parsed one at a time through a buffer (serde_json reads a byte at
/// a time) after a UTF-8 byte order mark. A record over the record budget stops them;
/// an error names its record.
fn each_record(
    source: &dyn Source,
    format: FileFormat,
    limits: &Limits,
    f: &mut dyn FnMut(Value) -> Result<()>,
) -> Result<()> {
    const BUFFER: usize = 256 * 1024;
    let bom = source::head(source, 3)? == b"\xEF\xBB\xBF";
    let bounded = Bounded::new(
        source::open(source)?,
        source::record_budget(limits.max_field_bytes) + BUFFER as u64,
    );
    let since_record = bounded.counter();
    let mut reader = std::io::BufReader::with_capacity(BUFFER, bounded);
    if bom {
        std::io::Read::read_exact(&mut reader, &mut [0; 3]).map_err(source::read_error)?;
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    if format == FileFormat::Ndjson {
        for (i, v) in de.into_iter::<Value>().enumerate() {
            let v = v.map_err(|e| json_error(e, Some(i as u64 + 1)))?;
            since_record.set(0);
            f(v).map_err(|e| e.at_row(i as u64 + 1))?;
        }
        return Ok(());
    }
    let mut elements = Elements {
        f,
        read: 0,
        failed: None,
        since_record: &since_record,
    };
    if let Err(e) = (&mut elements).deserialize(&mut de) {
        let record = elements.read + 1;
        return Err(elements
            .failed
            .take()
            .unwrap_or_else(|| json_error(e, Some(record))));
    }
    de.end().map_err(|e| json_error(e, None))
}

/// The elements of a JSON array handed to a function one at a time, so the array is
/// never held whole ([`Records`] does the same for a document in memory).
struct Elements<'f, 'c> {
    f: &'f mut dyn FnMut(Value) -> Result<()>,
    /// Elements handed over so far.
    read: u64,
    /// Our error, when the serde visitor had to stop with one.
    failed: Option<Error>,
    since_record: &'c std::rc::Rc<std::cell::Cell<u64>>,
}

impl<'de> DeserializeSeed<'de> for &mut Elements<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for &mut Elements<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            self.since_record.set(0);
            self.read += 1;
            if let Err(e) = (self.f)(v) {
                let e = e.at_row(self.read);
                let message = e.to_string();
                self.failed = Some(e);
                return Err(de::Error::custom(message));
            }
        }
        Ok(())
    }
}

fn no_fields() -> Error {
    Error::new(ErrorKind::Empty, "the JSON records have no fields")
        .with_hint("expected an array of objects like [{\"a\": 1}, ...]")
}

fn json_error(e: serde_json::Error, record: Option<u64>) -> Error {
    if e.is_io() {
        let io = std::io::Error::from(e);
        let err = RecordTooLong::of(&io).map_or_else(
            || source::read_error(io),
            |e| e.with_hint("is one record (an NDJSON line, an array element) far longer than the rest? otherwise raise the field-length limit"),
        );
        return match record {
            Some(r) => err.at_row(r),
            None => err,
        };
    }
    let msg = e.to_string();
    let (kind, hint) = if msg.contains("recursion limit") {
        (
            ErrorKind::LimitExceeded,
            "the JSON is nested too deeply; flatten it first",
        )
    } else if e.is_eof() {
        (
            ErrorKind::Malformed,
            "the JSON ends early: is the file truncated?",
        )
    } else {
        (
            ErrorKind::Malformed,
            "check the JSON syntax near that place",
        )
    };
    let mut err = Error::new(kind, format!("invalid JSON: {msg}")).with_hint(hint);
    if let Some(r) = record {
        err = err.at_row(r);
    }
    err
}

/// The top level of a JSON document: an array of records (streamed element by
/// element), one object (one record) or one scalar (one record with a `value`).
struct Records<'f> {
    flat: &'f mut Flattener,
}

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Records<'_> {
    fn one<E: de::Error>(self, v: Value) -> std::result::Result<(), E> {
        self.flat.record(&v).map_err(|e| self.flat.fail(e))
    }
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records, or one record")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            self.flat.record(&v).map_err(|e| self.flat.fail(e))?;
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<(), A::Error> {
        let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.one(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<(), E> {
        self.one(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<(), E> {
        self.one(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<(), E> {
        self.one(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<(), E> {
        self.one(Value::from(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<(), E> {
        self.one(Value::from(v))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        self.one(Value::Null)
    }
}

use serde::Deserialize as _;

/// One value of a record, stored compactly: text lives in one shared buffer.
#[derive(Debug, Clone, Copy)]
enum Leaf {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text { start: u32, end: u32 },
}

/// Flattened records: for every column, its (row, leaf) pairs in row order.
struct Flattener {
    index: HashMap<String, usize>,
    names: Vec<String>,
    columns: Vec<Vec<(u32, Leaf)>>,
    text: String,
    rows: usize,
    leaves: u64,
    limits: Limits,
    /// Our error, when the serde visitor had to stop with one.
    failed: Option<Error>,
    /// Columns given a value by the record being read.
    touched: Vec<usize>,
    /// The record being read will be forgotten (a streamed row that only counts): its
    /// values are not held, so only a new column counts against the budget.
    scratch: bool,
}

impl Flattener {
    fn new(limits: &Limits) -> Self {
        Flattener {
            index: HashMap::new(),
            names: Vec::new(),
            columns: Vec::new(),
            text: String::new(),
            rows: 0,
            leaves: 0,
            limits: limits.clone(),
            failed: None,
            touched: Vec::new(),
            scratch: false,
        }
    }

    /// A flattener whose first columns are `names`, in that order (pass two of a
    /// streamed file: the sample keeps the columns pass one found).
    fn with_names(limits: &Limits, names: &[String]) -> Self {
        let mut flat = Flattener::new(limits);
        for name in names {
            flat.index.insert(name.clone(), flat.names.len());
            flat.names.push(name.clone());
            flat.columns.push(Vec::new());
        }
        flat
    }

    fn fail<E: de::Error>(&mut self, e: Error) -> E {
        let message = e.to_string();
        self.failed = Some(e);
        E::custom(message)
    }

    fn record(&mut self, v: &Value) -> Result<()> {
        self.record_at(v, self.rows)?;
        self.rows += 1;
        super::check_cells(self.rows as u64, self.names.len(), &self.limits)
    }

    /// Flattens a record into row `row` (the rows after it are not yet counted).
    fn record_at(&mut self, v: &Value, row: usize) -> Result<()> {
        self.touched.clear();
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    self.field(k.clone(), v, row, 1)?;
                }
            }
            other => self.field("value".to_string(), other, row, 1)?,
        }
        Ok(())
    }

    /// Drops the record [`Flattener::record_at`] just read (its text began at
    /// `text_len`): a streamed row that only counts.
    fn forget_record(&mut self, text_len: usize) {
        for &c in &self.touched {
            self.columns[c].pop();
            self.leaves -= 1;
        }
        self.text.truncate(text_len);
    }

    /// Bytes the rows held take.
    fn held_bytes(&self) -> usize {
        self.text.len() + self.leaves as usize * size_of::<(u32, Leaf)>()
    }

    /// Drops every row held, keeping the columns found.
    fn forget_rows(&mut self) {
        self.columns.iter_mut().for_each(Vec::clear);
        self.text.clear();
        self.leaves = 0;
        self.rows = 0;
    }

    fn cell(&self, leaf: Leaf) -> Cell<'_> {
        match leaf {
            Leaf::Null => Cell::Null,
            Leaf::Bool(b) => Cell::Bool(b),
            Leaf::Int(i) => Cell::Int(i),
            Leaf::Float(x) => Cell::Float(x),
            Leaf::Text { start, end } => Cell::Text(&self.text[start as usize..end as usize]),
        }
    }

    fn field(&mut self, name: String, v: &Value, row: usize, depth: usize) -> Result<()> {
        if depth > self.limits.max_json_depth {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("nesting deeper than {} levels", self.limits.max_json_depth),
            )
            .at_row(row as u64 + 1)
            .at_column(name)
            .with_hint("flatten the JSON first, or raise the depth limit"));
        }
        match v {
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    self.field(format!("{name}.{k}"), v, row, depth + 1)?;
                }
                Ok(())
            }
            Value::Array(_) | Value::Object(_) => {
                let text = v.to_string();
                let leaf = self.text_leaf(&text)?;
                self.push(name, row, leaf)
            }
            Value::Null => self.push(name, row, Leaf::Null),
            Value::Bool(b) => self.push(name, row, Leaf::Bool(*b)),
            Value::Number(n) => {
                let leaf = match n.as_i64() {
                    Some(i) => Leaf::Int(i),
                    None => Leaf::Float(n.as_f64().unwrap_or(f64::NAN)),
                };
                self.push(name, row, leaf)
            }
            Value::String(s) => {
                let leaf = self.text_leaf(s)?;
                self.push(name, row, leaf)
            }
        }
    }

    fn text_leaf(&mut self, s: &str) -> Result<Leaf> {
        let start = self.text.len();
        let end = start + s.len();
        if end > u32::MAX as usize {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                "more than 4 GiB of text in the JSON",
            )
            .with_hint("export it as CSV or Parquet"));
        }
        self.text.push_str(s);
        Ok(Leaf::Text {
            start: start as u32,
            end: end as u32,
        })
    }

    fn push(&mut self, name: String, row: usize, leaf: Leaf) -> Result<()> {
        let col = match self.index.get(&name) {
            Some(&c) => c,
            None => {
                if self.names.len() >= self.limits.max_columns {
                    return Err(Error::new(
                        ErrorKind::LimitExceeded,
                        format!("more than {} columns", self.limits.max_columns),
                    )
                    .at_row(row as u64 + 1)
                    .with_hint("drop fields you do not need, or raise the column limit"));
                }
                // A new column widens every row held so far.
                let held = if self.scratch { row } else { row + 1 };
                super::check_cells(held as u64, self.names.len() + 1, &self.limits)?;
                let c = self.names.len();
                self.index.insert(name.clone(), c);
                self.names.push(name);
                self.columns.push(Vec::new());
                c
            }
        };
        self.leaves += 1;
        if self.leaves > self.limits.max_cells && !self.scratch {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("more than {} values in the JSON", self.limits.max_cells),
            )
            .at_row(row as u64 + 1)
            .with_hint("use a smaller file, or raise the cell limit"));
        }
        let cells = &mut self.columns[col];
        let row = row as u32;
        match cells.last_mut() {
            // The same flattened name twice in one record ({"a.b": 1, "a": {"b": 2}}):
            // the later value wins.
            Some(last) if last.0 == row => last.1 = leaf,
            _ => {
                cells.push((row, leaf));
                self.touched.push(col);
            }
        }
        Ok(())
    }
}

impl CellSource for Flattener {
    fn rows(&self) -> usize {
        self.rows
    }

    fn visit(&self, column: usize, f: &mut dyn FnMut(Cell<'_>)) {
        let mut next = self.columns[column].iter().peekable();
        for row in 0..self.rows as u32 {
            match next.peek() {
                Some(&&(r, leaf)) if r == row => {
                    f(self.cell(leaf));
                    next.next();
                }
                _ => f(Cell::Null),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::read;
    use crate::table::LogicalType;

    #[test]
    fn nested_objects_flatten_and_arrays_stay_json() {
        let t = read(
            br#"[{"id":1,"a":{"b":"x","c":{"d":2.5}},"tags":[1,2]},{"id":2,"a":{"b":"y"}}]"#,
            "x.json",
            &Default::default(),
        )
        .unwrap();
        let names: Vec<_> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "a.b", "a.c.d", "tags"]);
        assert_eq!(t.columns[2].logical, LogicalType::Float);
        assert_eq!(t.columns[2].null_count, 1);
        assert_eq!(t.columns[3].logical, LogicalType::Text);
    }

    #[test]
    fn deep_nesting_is_a_clear_error() {
        let mut s = String::new();
        for _ in 0..200_000 {
            s.push_str("{\"a\":");
        }
        s.push('1');
        for _ in 0..200_000 {
            s.push('}');
        }
        let e = read(s.as_bytes(), "x.json", &Default::default()).unwrap_err();
        assert!(e.to_string().contains("nested too deeply"), "{e}");
    }
}
