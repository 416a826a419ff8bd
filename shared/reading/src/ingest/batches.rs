//! batches: Arrow record batches → [`Table`], in partitions that merge in order.
//!
//! The Parquet reader decodes a file into batches and reads them here, and so do the
//! callers that already hold Arrow data in memory: the Python package (a
//! `pyarrow.Table`, a pandas or polars DataFrame) and Spark's executors, one partition
//! each. Reading takes two passes, as every reader does:
//!
//! 1. [`Scan`] infers each column's type from every row. Scans of partitions merge in
//!    partition order into the decision one scan of all rows makes
//!    ([`Inference::merge`]), and travel as JSON between machines.
//! 2. [`Sample`] builds the typed columns of the rows kept for profiling. A partition
//!    that knows where its first row falls in the whole keeps exactly the rows one pass
//!    keeps (the sampler is a function of the row's position), so the parts joined in
//!    order are the single pass's table, value for value.
//!
//! Structs flatten to dotted names; lists and maps become their text; decimals read as
//! floats that keep their scale; timestamps with a zone read as UTC; binary columns
//! are refused with the column named.

use super::infer::{Cell, ColumnBuilder, Decision, Inference};
use super::{IngestOptions, Sampler};
use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, LogicalType, Table};
use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Int64Type, Schema, TimeUnit};
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Most bytes one batch of one dictionary column may expand to.
const MAX_MATERIALISED_BATCH: u64 = 256 << 20;

/// One batch's columns as the readers take them: nested columns flattened, every type
/// cast to the few the cells are read from.
#[derive(Debug)]
pub struct Leaves {
    leaves: Vec<Leaf>,
}

#[derive(Debug)]
struct Leaf {
    name: String,
    array: ArrayRef,
    scale: Option<u8>,
}

impl Leaves {
    /// Flattens a batch (dictionary columns are sized before they are expanded).
    pub fn of(batch: &RecordBatch) -> Result<Leaves> {
        Self::with_warnings(batch, &mut Vec::new())
    }

    fn with_warnings(batch: &RecordBatch, warnings: &mut Vec<String>) -> Result<Leaves> {
        let mut leaves = Vec::with_capacity(batch.num_columns());
        for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
            flatten(field.name().clone(), array.clone(), &mut leaves, warnings)?;
        }
        Ok(Leaves { leaves })
    }

    /// Bytes the flattened arrays hold.
    pub fn memory_size(&self) -> usize {
        self.leaves
            .iter()
            .map(|l| l.array.get_array_memory_size())
            .sum()
    }

    pub(crate) fn rows(&self) -> usize {
        self.leaves.first().map_or(0, |l| l.array.len())
    }

    /// A batch of another shape is refused, not misread.
    fn check_width(&self, columns: usize) -> Result<()> {
        if self.leaves.len() == columns {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::InvalidDocument,
            format!(
                "a batch has {} columns once flattened, the table {columns}",
                self.leaves.len()
            ),
        )
        .with_hint("every partition must have the table's schema"))
    }
}

/// Pass one over a table's rows, or over one partition's: each column's inference,
/// and the column names and facts the schema gives.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scan {
    format: FileFormat,
    /// Column names, made unique and non-empty.
    names: Vec<String>,
    /// Decimal columns' scales (the digits the output keeps).
    scales: Vec<Option<u8>>,
    /// What the reader noticed about the schema (renamed headers, lists read as text).
    warnings: Vec<String>,
    columns: Vec<Inference>,
    rows: u64,
}

impl Scan {
    /// An empty scan of a table with this schema; `format` is what the table will say it
    /// was read from (Arrow data in memory reads as Parquet does, and says so).
    pub fn new(schema: &Schema, format: FileFormat) -> Result<Scan> {
        let mut warnings = Vec::new();
        let empty = RecordBatch::new_empty(Arc::new(schema.clone()));
        let leaves = Leaves::with_warnings(&empty, &mut warnings)?;
        let scales = leaves.leaves.iter().map(|l| l.scale).collect();
        let names = leaves.leaves.into_iter().map(|l| l.name).collect();
        let names = super::clean_names(names, &mut warnings);
        if names.is_empty() {
            return Err(Error::new(ErrorKind::Empty, "no columns found"));
        }
        Ok(Scan {
            format,
            columns: names.iter().map(|_| Inference::new(false)).collect(),
            names,
            scales,
            warnings,
            rows: 0,
        })
    }

    /// Columns, once flattened.
    pub fn columns(&self) -> usize {
        self.names.len()
    }

    /// Rows seen.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Reads a batch of rows (after the rows already seen).
    pub fn observe(&mut self, batch: &RecordBatch) -> Result<()> {
        self.observe_leaves(&Leaves::of(batch)?)
    }

    pub(crate) fn observe_leaves(&mut self, leaves: &Leaves) -> Result<()> {
        leaves.check_width(self.names.len())?;
        for (inference, leaf) in self.columns.iter_mut().zip(&leaves.leaves) {
            cells(&leaf.array, &mut |c| inference.observe(c));
        }
        self.rows += leaves.rows() as u64;
        Ok(())
    }

    /// Folds in the scan of the rows after these (the next partition's).
    pub fn merge(mut self, later: Scan) -> Result<Scan> {
        if later.names != self.names || later.format != self.format {
            return Err(Error::new(
                ErrorKind::InvalidDocument,
                format!(
                    "cannot merge the scans of two different tables: columns {:?} and {:?}",
                    self.names, later.names
                ),
            ));
        }
        for (a, b) in self.columns.iter_mut().zip(later.columns) {
            a.merge(b);
        }
        self.rows += later.rows;
        Ok(self)
    }

    /// The scan as JSON, to send from an executor to the driver. It holds counts and
    /// flags (no value is kept), but the names are the table's own.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a scan always serialises")
    }

    /// A scan sent by [`Scan::to_json`].
    pub fn from_json(text: &str) -> Result<Scan> {
        let mut scan: Scan = serde_json::from_str(text).map_err(|e| {
            Error::new(
                ErrorKind::InvalidDocument,
                format!("not a partition scan: {e}"),
            )
        })?;
        if scan.columns.len() != scan.names.len() || scan.scales.len() != scan.names.len() {
            return Err(Error::new(
                ErrorKind::InvalidDocument,
                "not a partition scan: its lists differ in length",
            ));
        }
        scan.columns.iter_mut().for_each(Inference::clamp_to_known);
        Ok(scan)
    }

    fn decisions(&self) -> Vec<Decision> {
        self.names
            .iter()
            .zip(&self.columns)
            .map(|(name, inference)| inference.decide(name))
            .collect()
    }

    /// Pass two over the partition whose first row is row `first_row` of the whole
    /// table, once this scan has seen every partition.
    pub fn sample(&self, first_row: u64, options: &IngestOptions) -> Result<Sample> {
        if self.rows == 0 {
            return Err(super::empty_error("the table"));
        }
        let sampler = Sampler::new(self.rows, options.sample_size());
        Ok(Sample {
            builders: self
                .decisions()
                .iter()
                .map(|d| ColumnBuilder::new(d, 0))
                .collect(),
            names: self.names.clone(),
            sampler,
            row: first_row,
        })
    }

    /// The table: these column facts and the partitions' samples (made with the same
    /// `options`) joined in order.
    pub fn finish(self, parts: Vec<RecordBatch>, options: &IngestOptions) -> Result<Table> {
        if self.rows == 0 {
            return Err(super::empty_error("the file"));
        }
        let mut warnings = self.warnings;
        let mut infos = Vec::with_capacity(self.names.len());
        let mut arrays = Vec::with_capacity(self.names.len());
        for (i, ((name, inference), scale)) in self
            .names
            .into_iter()
            .zip(&self.columns)
            .zip(self.scales)
            .enumerate()
        {
            let decision = inference.decide(&name);
            if let Some(note) = &decision.note {
                warnings.push(format!("{name}: {note}"));
            }
            let pieces: Vec<&dyn Array> = parts.iter().map(|p| p.column(i).as_ref()).collect();
            let array = arrow::compute::concat(&pieces).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidDocument,
                    format!("the partitions' samples do not join: {e}"),
                )
                .at_column(name.clone())
            })?;
            let mut info = super::column_info(name, &decision, inference.nulls);
            if scale.is_some() && info.logical == LogicalType::Float {
                info.decimals = scale;
            }
            infos.push(info);
            arrays.push(array);
        }
        // Every partition sampled once, at its own offset, gives exactly the sample.
        let want = Sampler::new(self.rows, options.sample_size()).kept();
        let got = arrays.first().map_or(0, |a| a.len());
        if got != want {
            return Err(Error::new(
                ErrorKind::InvalidDocument,
                format!("the partitions' samples hold {got} rows, the sample {want}"),
            )
            .with_hint("sample every partition once, with the merged scan and its first row"));
        }
        super::assemble(self.format, infos, arrays, self.rows, warnings)
    }
}

/// Pass two over one partition: the typed columns of its rows that the sample keeps.
#[derive(Debug)]
pub struct Sample {
    builders: Vec<ColumnBuilder>,
    names: Vec<String>,
    sampler: Sampler,
    /// The next row's position in the whole table.
    row: u64,
}

impl Sample {
    /// Reads a batch of rows (after the rows already seen).
    pub fn observe(&mut self, batch: &RecordBatch) -> Result<()> {
        self.push_leaves(&Leaves::of(batch)?)
    }

    pub(crate) fn push_leaves(&mut self, leaves: &Leaves) -> Result<()> {
        leaves.check_width(self.builders.len())?;
        let first = self.row;
        for (builder, leaf) in self.builders.iter_mut().zip(&leaves.leaves) {
            let mut row = first;
            cells(&leaf.array, &mut |c| {
                if self.sampler.keeps(row) {
                    builder.push(c);
                }
                row += 1;
            });
        }
        self.row += leaves.rows() as u64;
        Ok(())
    }

    /// The kept rows, typed (a batch with no rows when the sample keeps none of them).
    pub fn finish(self) -> Result<RecordBatch> {
        let arrays: Vec<ArrayRef> = self
            .builders
            .into_iter()
            .map(ColumnBuilder::finish)
            .collect();
        let fields: Vec<Field> = self
            .names
            .iter()
            .zip(&arrays)
            .map(|(name, a)| Field::new(name, a.data_type().clone(), true))
            .collect();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| {
            Error::new(
                ErrorKind::Malformed,
                format!("could not assemble the sample: {e}"),
            )
        })
    }
}

/// Reads Arrow data held in memory: one partition, scanned and sampled, as the Parquet
/// reader reads its decoded batches. The table says it was read from Parquet.
pub fn read(
    schema: &Schema,
    batches: impl IntoIterator<Item = RecordBatch>,
    options: &IngestOptions,
) -> Result<Table> {
    // Arrow's kernels can panic on malformed arrays handed over from outside.
    super::contain_panics("Arrow", || read_unguarded(schema, batches, options))
}

fn read_unguarded(
    schema: &Schema,
    batches: impl IntoIterator<Item = RecordBatch>,
    options: &IngestOptions,
) -> Result<Table> {
    let mut scan = Scan::new(schema, FileFormat::Parquet)?;
    super::check_columns(scan.columns(), &options.limits)?;
    let mut flat = Vec::new();
    for batch in batches {
        let leaves = Leaves::of(&batch)?;
        drop(batch);
        scan.observe_leaves(&leaves)?;
        flat.push(leaves);
    }
    finish_whole(scan, flat, options)
}

/// Pass two over a whole table held as flattened batches, once `scan` has seen them.
pub(crate) fn finish_whole(
    scan: Scan,
    flat: Vec<Leaves>,
    options: &IngestOptions,
) -> Result<Table> {
    let mut sample = scan.sample(0, options)?;
    for leaves in &flat {
        sample.push_leaves(leaves)?;
    }
    drop(flat);
    let part = sample.finish()?;
    scan.finish(vec![part], options)
}

/// What a dictionary array takes once every key is replaced by its value: the sum of
/// the values' lengths over the keys for text and binary, rows × width otherwise.
fn materialised_size(array: &dyn Array) -> u64 {
    let Some(dict) = array.as_any_dictionary_opt() else {
        return array.get_array_memory_size() as u64;
    };
    // An empty dictionary (the schema's empty batch) has nothing to expand, and arrow
    // asserts on normalising the keys of one.
    if dict.values().is_empty() {
        return 0;
    }
    let keys = dict.normalized_keys();
    let values = dict.values();
    let length = |i: usize| -> u64 {
        match values.data_type() {
            DataType::Utf8 => values.as_string::<i32>().value_length(i) as u64,
            DataType::LargeUtf8 => values.as_string::<i64>().value_length(i) as u64,
            DataType::Binary => values.as_binary::<i32>().value_length(i) as u64,
            DataType::LargeBinary => values.as_binary::<i64>().value_length(i) as u64,
            _ => 16,
        }
    };
    keys.iter()
        .map(|&k| if k < values.len() { length(k) + 4 } else { 4 })
        .fold(0u64, u64::saturating_add)
}

fn flatten(
    name: String,
    array: ArrayRef,
    out: &mut Vec<Leaf>,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let cast = |a: &ArrayRef, to: &DataType| {
        arrow::compute::cast(a, to).map_err(|e| {
            Error::new(
                ErrorKind::Malformed,
                format!("cannot read this column: {e}"),
            )
            .at_column(name.clone())
        })
    };
    let leaf = |array, scale| Leaf {
        name: name.clone(),
        array,
        scale,
    };
    match array.data_type().clone() {
        DataType::Struct(_) => {
            let s = array.as_struct();
            for (f, child) in s.fields().iter().zip(s.columns()) {
                flatten(format!("{name}.{}", f.name()), child.clone(), out, warnings)?;
            }
        }
        DataType::Dictionary(_, value) => {
            // Materialising repeats each value per row: a page of a few bytes can hold
            // one long value and millions of keys. Sized before it is built.
            let size = materialised_size(array.as_ref());
            if size > MAX_MATERIALISED_BATCH {
                return Err(Error::new(
                    ErrorKind::LimitExceeded,
                    format!(
                        "a batch of this column would take {size} bytes once its dictionary is expanded"
                    ),
                )
                .at_column(name.clone())
                .with_hint("store the column without such long repeated values"));
            }
            let a = cast(&array, &value)?;
            flatten(name, a, out, warnings)?;
        }
        DataType::Decimal32(_, s)
        | DataType::Decimal64(_, s)
        | DataType::Decimal128(_, s)
        | DataType::Decimal256(_, s) => {
            out.push(leaf(
                cast(&array, &DataType::Float64)?,
                Some(s.clamp(0, 18) as u8),
            ));
        }
        DataType::Float16 | DataType::Float32 => {
            out.push(leaf(cast(&array, &DataType::Float64)?, None))
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => {
            out.push(leaf(cast(&array, &DataType::Int64)?, None));
        }
        DataType::UInt64 => out.push(leaf(cast(&array, &DataType::Float64)?, None)),
        DataType::Date32 | DataType::Date64 => {
            out.push(leaf(
                cast(&array, &DataType::Timestamp(TimeUnit::Microsecond, None))?,
                None,
            ));
        }
        DataType::Timestamp(_, tz) => {
            if tz.is_some() {
                warnings.push(format!(
                    "column '{name}': timestamps with a time zone are read as UTC"
                ));
            }
            out.push(leaf(
                cast(&array, &DataType::Timestamp(TimeUnit::Microsecond, None))?,
                None,
            ));
        }
        DataType::Time32(_) | DataType::Time64(_) | DataType::LargeUtf8 | DataType::Utf8View => {
            out.push(leaf(cast(&array, &DataType::Utf8)?, None));
        }
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::FixedSizeList(..)
        | DataType::Map(..)
        | DataType::ListView(_) => {
            let fmt =
                arrow::util::display::ArrayFormatter::try_new(array.as_ref(), &Default::default())
                    .map_err(|e| {
                        Error::new(ErrorKind::Malformed, e.to_string()).at_column(name.clone())
                    })?;
            let text: StringArray = (0..array.len())
                .map(|i| array.is_valid(i).then(|| fmt.value(i).to_string()))
                .collect();
            warnings.push(format!("column '{name}' holds lists; read as text"));
            out.push(leaf(Arc::new(text), None));
        }
        DataType::Null
        | DataType::Boolean
        | DataType::Int64
        | DataType::Float64
        | DataType::Utf8 => {
            out.push(leaf(array, None));
        }
        other => {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!("columns of type {other} are not supported"),
            )
            .at_column(name)
            .with_hint("drop the column or convert it to text before exporting"));
        }
    }
    Ok(())
}

fn cells(array: &ArrayRef, f: &mut dyn FnMut(Cell<'_>)) {
    use arrow::datatypes::{Float64Type, TimestampMicrosecondType};
    let n = array.len();
    let present = |i: usize| array.is_valid(i);
    match array.data_type() {
        DataType::Boolean => {
            let a = array.as_boolean();
            (0..n).for_each(|i| {
                f(if present(i) {
                    Cell::Bool(a.value(i))
                } else {
                    Cell::Null
                })
            });
        }
        DataType::Int64 => {
            let a = array.as_primitive::<Int64Type>();
            (0..n).for_each(|i| {
                f(if present(i) {
                    Cell::Int(a.value(i))
                } else {
                    Cell::Null
                })
            });
        }
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            (0..n).for_each(|i| {
                let v = a.value(i);
                f(if present(i) && !v.is_nan() {
                    Cell::Float(v)
                } else {
                    Cell::Null
                })
            });
        }
        DataType::Timestamp(_, _) => {
            let a = array.as_primitive::<TimestampMicrosecondType>();
            (0..n).for_each(|i| {
                f(if present(i) {
                    DateTime::from_timestamp_micros(a.value(i))
                        .map_or(Cell::Null, |d| Cell::DateTime(d.naive_utc()))
                } else {
                    Cell::Null
                })
            });
        }
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            (0..n).for_each(|i| {
                f(if present(i) {
                    Cell::Text(a.value(i))
                } else {
                    Cell::Null
                })
            });
        }
        // `flatten` leaves no other type; Null is all-null.
        _ => (0..n).for_each(|_| f(Cell::Null)),
    }
}
