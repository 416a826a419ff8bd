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
use super::source::{self, Source};
use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, Table};
use bytes::Buf;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::file::metadata::ParquetMetaDataReader;
use parquet::file::reader::{ChunkReader, Length};
use std::sync::Arc;

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

/// Most bytes of Parquet metadata (the footer) read before it is parsed.
const MAX_FOOTER_BYTES: u64 = 64 << 20;

/// Reads a Parquet file from a [`Source`] one row group at a time, in two passes as
/// the in-memory reader does (its scan, then its sample), so neither the file nor its
/// decoded rows are held: memory is one row group's compressed bytes, one decoded batch
/// and the sample. The table is the one [`read`] makes of the same bytes.
///
/// Budgets: the footer is sized before it is read; a row group's compressed bytes are
/// checked against `max_decompressed_bytes` before they are read, each decoded batch
/// too, and all decoding together against that limit or 100 times the file's size,
/// whichever is more (a page of a few bytes can run-length-decode to billions of
/// values whatever the footer claims; a real file inflates 2–20 times).
pub(crate) fn read_source(source: &dyn Source, options: &IngestOptions) -> Result<Table> {
    let limits = &options.limits;
    let file = RowGroups::open(source)?;
    let fields = file.metadata.schema().fields().len();
    super::check_columns(fields, limits)?;
    let mut scan = Scan::new(file.metadata.schema(), FileFormat::Parquet)?;
    super::check_columns(scan.columns(), limits)?;
    let budget = limits
        .max_decompressed_bytes
        .max(source.len().saturating_mul(100));
    let mut decoded = 0u64;
    for group in 0..file.groups() {
        file.decode(source, group, limits, &mut decoded, budget, &mut |leaves| {
            scan.observe_leaves(leaves)
        })?;
        source.rows_read(scan.rows());
    }
    super::check_cells(
        scan.rows().min(options.sample_size() as u64),
        scan.columns(),
        limits,
    )?;
    let mut sample = scan.sample(0, options)?;
    let mut decoded = 0u64;
    let mut read = 0u64;
    for group in 0..file.groups() {
        file.decode(source, group, limits, &mut decoded, budget, &mut |leaves| {
            read += leaves.rows() as u64;
            sample.push_leaves(leaves)
        })?;
        source.rows_read(read);
    }
    let part = sample.finish()?;
    scan.finish(vec![part], options)
}

fn malformed(e: &dyn std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Malformed,
        format!("not a readable Parquet file: {e}"),
    )
    .with_hint("is the file truncated? write it again")
}

/// A Parquet file's footer, and the row groups it describes.
struct RowGroups {
    metadata: ArrowReaderMetadata,
    /// The file's length and its footer (the last bytes).
    len: u64,
    footer: (u64, bytes::Bytes),
}

impl RowGroups {
    fn open(source: &dyn Source) -> Result<RowGroups> {
        let len = source.len();
        if len < 12 {
            return Err(malformed(&"the file is too short to be Parquet"));
        }
        let tail = source::range(source, len - 8, 8)?;
        if tail.len() != 8 || &tail[4..] != b"PAR1" {
            return Err(malformed(&"the file does not end with Parquet's footer"));
        }
        let footer_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
        if footer_len + 8 > len - 4 {
            return Err(malformed(&"the footer claims more bytes than the file has"));
        }
        if footer_len > MAX_FOOTER_BYTES {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("the Parquet footer is {footer_len} bytes, over the limit of {MAX_FOOTER_BYTES}"),
            )
            .with_hint("a footer this large describes an unusual file; write it with fewer row groups or columns"));
        }
        let start = len - 8 - footer_len;
        let footer = bytes::Bytes::from(source::range(source, start, footer_len + 8)?);
        let chunks = Chunks {
            len,
            parts: vec![(start, footer.clone())],
        };
        let parsed = ParquetMetaDataReader::new()
            .parse_and_finish(&chunks)
            .map_err(|e| malformed(&e))?;
        let metadata =
            ArrowReaderMetadata::try_new(Arc::new(parsed), ArrowReaderOptions::default())
                .map_err(|e| malformed(&e))?;
        Ok(RowGroups {
            metadata,
            len,
            footer: (start, footer),
        })
    }

    fn groups(&self) -> usize {
        self.metadata.metadata().num_row_groups()
    }

    /// Reads row group `group`'s bytes (checked against the limit first) and hands its
    /// decoded batches, flattened, to `each`.
    fn decode(
        &self,
        source: &dyn Source,
        group: usize,
        limits: &super::Limits,
        decoded: &mut u64,
        budget: u64,
        each: &mut dyn FnMut(&Leaves) -> Result<()>,
    ) -> Result<()> {
        let meta = self.metadata.metadata().row_group(group);
        let mut span: Option<(u64, u64)> = None;
        for column in meta.columns() {
            let start = column
                .dictionary_page_offset()
                .unwrap_or_else(|| column.data_page_offset());
            let (Ok(start), Ok(size)) = (
                u64::try_from(start),
                u64::try_from(column.compressed_size()),
            ) else {
                return Err(malformed(&"a column chunk has a negative offset or size"));
            };
            let end = start.saturating_add(size);
            if end > self.len {
                return Err(malformed(&"a column chunk lies past the end of the file"));
            }
            span = Some(span.map_or((start, end), |(a, b)| (a.min(start), b.max(end))));
        }
        let Some((start, end)) = span else {
            return Ok(());
        };
        if end - start > limits.max_decompressed_bytes {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "row group {} is {} bytes, over the limit of {} bytes",
                    group + 1,
                    end - start,
                    limits.max_decompressed_bytes
                ),
            )
            .with_hint(
                "write the file with smaller row groups, or raise the decompressed-size limit",
            ));
        }
        let bytes = bytes::Bytes::from(source::range(source, start, end - start)?);
        let chunks = Chunks {
            len: self.len,
            parts: vec![(start, bytes), self.footer.clone()],
        };
        let reader =
            ParquetRecordBatchReaderBuilder::new_with_metadata(chunks, self.metadata.clone())
                .with_row_groups(vec![group])
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| malformed(&e))?;
        for batch in reader {
            let batch = batch.map_err(|e| malformed(&e))?;
            let leaves = Leaves::of(&batch)?;
            drop(batch);
            let size = leaves.memory_size() as u64;
            *decoded = decoded.saturating_add(size);
            if size > limits.max_decompressed_bytes || *decoded > budget {
                return Err(Error::new(
                    ErrorKind::LimitExceeded,
                    format!(
                        "the Parquet file decodes to more than {} bytes",
                        size.max(budget)
                    ),
                )
                .with_hint(
                    "read a sample of it (sample_size), or raise the decompressed-size limit",
                ));
            }
            each(&leaves)?;
        }
        Ok(())
    }
}

/// Byte ranges of a file held for the Parquet reader: the footer and one row group.
/// A read outside them is an error (the metadata pointed elsewhere than it said).
struct Chunks {
    len: u64,
    parts: Vec<(u64, bytes::Bytes)>,
}

impl Chunks {
    fn find(&self, start: u64, length: u64) -> parquet::errors::Result<bytes::Bytes> {
        self.parts
            .iter()
            .find_map(|(at, bytes)| {
                let from = start.checked_sub(*at)?;
                let to = from.checked_add(length)?;
                (to <= bytes.len() as u64).then(|| bytes.slice(from as usize..to as usize))
            })
            .ok_or_else(|| {
                parquet::errors::ParquetError::General(format!(
                    "{length} bytes at {start} lie outside the row group read"
                ))
            })
    }
}

impl Length for Chunks {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Chunks {
    type T = bytes::buf::Reader<bytes::Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        // To the end of the part that holds `start`.
        let part = self
            .parts
            .iter()
            .find(|(at, bytes)| start >= *at && start - at <= bytes.len() as u64)
            .ok_or_else(|| {
                parquet::errors::ParquetError::General(format!(
                    "byte {start} lies outside the row group read"
                ))
            })?;
        Ok(part.1.slice((start - part.0) as usize..).reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        self.find(start, length as u64)
    }
}
