//! Parquet through the arrow reader: every codec we build (snappy, gzip, lz4, zstd,
//! brotli). Structs flatten to dotted names; lists and maps become their text;
//! decimals read as floats that keep their scale; timestamps with a zone read as UTC;
//! binary columns are refused with the column named.

use super::infer::Cell;
use super::{IngestOptions, table_from_cells};
use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, Table};
use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::{DataType, Int64Type, TimeUnit};
use chrono::DateTime;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::sync::Arc;

pub(crate) fn read(bytes: &[u8], options: &IngestOptions) -> Result<Table> {
    let malformed = |e: &dyn std::fmt::Display| {
        Error::new(
            ErrorKind::Malformed,
            format!("not a readable Parquet file: {e}"),
        )
        .with_hint("is the file truncated? write it again")
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
        .map_err(|e| malformed(&e))?;
    let rows = builder.metadata().file_metadata().num_rows().max(0) as u64;
    let fields = builder.schema().fields().len();
    super::check_columns(fields, &options.limits)?;
    super::check_cells(rows, fields, &options.limits)?;
    let schema = builder.schema().clone();
    let reader = builder
        .with_batch_size(65_536)
        .build()
        .map_err(|e| malformed(&e))?;
    let mut batches = Vec::new();
    for b in reader {
        batches.push(b.map_err(|e| malformed(&e))?);
    }
    let batch = arrow::compute::concat_batches(&schema, &batches).map_err(|e| malformed(&e))?;
    drop(batches);

    let mut leaves = Vec::new();
    let mut warnings = Vec::new();
    for (field, array) in schema.fields().iter().zip(batch.columns()) {
        flatten(
            field.name().clone(),
            array.clone(),
            &mut leaves,
            &mut warnings,
        )?;
    }
    super::check_columns(leaves.len(), &options.limits)?;
    let names: Vec<String> = leaves.iter().map(|l| l.name.clone()).collect();
    let columns: Vec<Vec<Cell<'_>>> = leaves.iter().map(|l| cells(&l.array)).collect();
    let names = super::clean_names(names, &mut warnings);
    let mut table = table_from_cells(FileFormat::Parquet, names, &columns, options, warnings)?;
    for (info, leaf) in table.columns.iter_mut().zip(&leaves) {
        if leaf.scale.is_some() && info.logical == crate::table::LogicalType::Float {
            info.decimals = leaf.scale;
        }
    }
    Ok(table)
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

fn cells(array: &ArrayRef) -> Vec<Cell<'_>> {
    use arrow::datatypes::{Float64Type, TimestampMicrosecondType};
    match array.data_type() {
        DataType::Boolean => present(array, |i| Cell::Bool(array.as_boolean().value(i))),
        DataType::Int64 => present(array, |i| {
            Cell::Int(array.as_primitive::<Int64Type>().value(i))
        }),
        DataType::Float64 => present(array, |i| {
            let v = array.as_primitive::<Float64Type>().value(i);
            if v.is_nan() {
                Cell::Null
            } else {
                Cell::Float(v)
            }
        }),
        DataType::Timestamp(_, _) => present(array, |i| {
            let us = array.as_primitive::<TimestampMicrosecondType>().value(i);
            DateTime::from_timestamp_micros(us)
                .map_or(Cell::Null, |d| Cell::DateTime(d.naive_utc()))
        }),
        DataType::Utf8 => present(array, |i| Cell::Text(array.as_string::<i32>().value(i))),
        // `flatten` leaves no other type; Null is all-null.
        _ => vec![Cell::Null; array.len()],
    }
}

/// `cell(i)` for every present row, `Null` for missing ones.
fn present<'a>(array: &'a ArrayRef, cell: impl Fn(usize) -> Cell<'a>) -> Vec<Cell<'a>> {
    (0..array.len())
        .map(|i| {
            if array.is_valid(i) {
                cell(i)
            } else {
                Cell::Null
            }
        })
        .collect()
}
