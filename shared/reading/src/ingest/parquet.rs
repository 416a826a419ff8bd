//! Parquet through the arrow reader: every codec we build (snappy, gzip, lz4, zstd,
//! brotli). Structs flatten to dotted names; lists and maps become their text;
//! decimals read as floats that keep their scale; timestamps with a zone read as UTC;
//! binary columns are refused with the column named.
//!
//! The footer's row count is a claim, not a budget: it is checked against the cell
//! limit before reading, and then every decoded batch is counted (its rows against the
//! cell limit, its memory against `max_decompressed_bytes`), because a page of a few
//! bytes can run-length-decode to billions of values whatever the footer says.

//!
//! Decoded batches go through [`super::batches`], the reader of Arrow data that
//! Python and Spark hand over in memory, so a Parquet file and the same rows passed as
//! Arrow read alike.

use super::IngestOptions;
use super::batches::{Leaves, Scan};
use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, Table};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// Rows decoded at a time: the unit of the decoded-size check.
const BATCH_ROWS: usize = 8_192;

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
    let mut scan = Scan::new(builder.schema(), FileFormat::Parquet)?;
    super::check_columns(scan.columns(), limits)?;
    let reader = builder
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| malformed(&e))?;
    let mut batches: Vec<Leaves> = Vec::new();
    let mut decoded: u64 = 0;
    let mut read_rows: u64 = 0;
    for b in reader {
        let b = b.map_err(|e| malformed(&e))?;
        read_rows += b.num_rows() as u64;
        super::check_cells(read_rows, fields, limits)?;
        let leaves = Leaves::of(&b)?;
        drop(b);
        // Counted as flattened: a dictionary column is small as read and full-size once
        // its values are materialised.
        decoded = decoded.saturating_add(leaves.memory_size() as u64);
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
        scan.observe_leaves(&leaves)?;
        batches.push(leaves);
    }
    super::batches::finish_whole(scan, batches, options)
}
