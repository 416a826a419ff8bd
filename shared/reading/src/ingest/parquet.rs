//! Parquet through the arrow reader: every codec we build (snappy, gzip, lz4, zstd,
//! brotli). Structs flatten to dotted names; lists and maps become their text;
//! decimals read as floats that keep their scale; timestamps with a zone read as UTC;
//! binary columns are refused with the column named.
//!
//! The footer's row count is a claim, not a budget: it is checked against the cell
//! limit before reading, and then every decoded batch is counted (its rows against the
//! cell limit, its memory against `max_decompressed_bytes`), because a page of a few
//! bytes can run-length-decode to billions of values whatever the footer says.

use super::infer::Cell;
use super::{CellSource, IngestOptions, table_from_source};
use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, Table};
use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::{DataType, Int64Type, TimeUnit};
use chrono::DateTime;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::sync::Arc;

/// Rows decoded at a time: the unit of the decoded-size check.
const BATCH_ROWS: usize = 8_192;
/// Most bytes one batch of one dictionary column may expand to.
const MAX_MATERIALISED_BATCH: u64 = 256 << 20;

/// What a dictionary array takes once every key is replaced by its value: the sum of
/// the values' lengths over the keys for text and binary, rows × width otherwise.
fn materialised_size(array: &dyn Array) -> u64 {
    let Some(dict) = array.as_any_dictionary_opt() else {
        return array.get_array_memory_size() as u64;
    };
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

pub(crate) fn read(bytes: &[u8], options: &IngestOptions) -> Result<Table> {
    let malformed = |e: &dyn std::fmt::Display| {
        Error::new(
            ErrorKind::Malformed,
            format!("not a readable Parquet file: {e}"),
        )
        .with_hint("is the file truncated? write it again")
    };
    let limits = &options.limits;
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
        .map_err(|e| malformed(&e))?;
    let rows: u64 = builder
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows().max(0) as u64)
        .fold(0u64, u64::saturating_add);
    let fields = builder.schema().fields().len();
    super::check_columns(fields, limits)?;
    super::check_cells(rows, fields, limits)?;
    let schema = builder.schema().clone();
    let reader = builder
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| malformed(&e))?;
    let mut batches: Vec<Vec<Leaf>> = Vec::new();
    let mut warnings = Vec::new();
    let mut decoded: u64 = 0;
    let mut read_rows: u64 = 0;
    for b in reader {
        let b = b.map_err(|e| malformed(&e))?;
        read_rows += b.num_rows() as u64;
        super::check_cells(read_rows, fields, limits)?;
        let mut leaves = Vec::new();
        let mut batch_warnings = Vec::new();
        for (field, array) in schema.fields().iter().zip(b.columns()) {
            flatten(
                field.name().clone(),
                array.clone(),
                &mut leaves,
                &mut batch_warnings,
            )?;
        }
        drop(b);
        // Counted as flattened: a dictionary column is small as read and full-size once
        // its values are materialised.
        let size: usize = leaves.iter().map(|l| l.array.get_array_memory_size()).sum();
        decoded = decoded.saturating_add(size as u64);
        if decoded > limits.max_decompressed_bytes {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "the Parquet file decodes to more than {} bytes",
                    limits.max_decompressed_bytes
                ),
            )
            .at_row(read_rows)
            .with_hint("read a sample of it (sample_size), or raise the decompressed-size limit"));
        }
        if batches.is_empty() {
            warnings = batch_warnings;
        }
        super::check_columns(leaves.len(), limits)?;
        batches.push(leaves);
    }
    let Some(first) = batches.first() else {
        return Err(super::empty_error("the file"));
    };
    let names: Vec<String> = first.iter().map(|l| l.name.clone()).collect();
    let scales: Vec<Option<u8>> = first.iter().map(|l| l.scale).collect();
    let names = super::clean_names(names, &mut warnings);
    let source = Batches { batches };
    let mut table = table_from_source(FileFormat::Parquet, names, &source, options, warnings)?;
    for (info, scale) in table.columns.iter_mut().zip(scales) {
        if scale.is_some() && info.logical == crate::table::LogicalType::Float {
            info.decimals = scale;
        }
    }
    Ok(table)
}

/// The decoded batches, each flattened to the same leaves.
struct Batches {
    batches: Vec<Vec<Leaf>>,
}

impl CellSource for Batches {
    fn rows(&self) -> usize {
        self.batches
            .iter()
            .map(|b| b.first().map_or(0, |l| l.array.len()))
            .sum()
    }

    fn visit(&self, column: usize, f: &mut dyn FnMut(Cell<'_>)) {
        for batch in &self.batches {
            if let Some(leaf) = batch.get(column) {
                cells(&leaf.array, f);
            }
        }
    }
}

struct Leaf {
    name: String,
    array: ArrayRef,
    scale: Option<u8>,
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
                format!("Parquet columns of type {other} are not supported"),
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
