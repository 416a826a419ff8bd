//! Where a file's bytes come from: bytes in memory, or a file the caller can open again
//! from its first byte (a path on disk, a browser `File` read in slices).
//!
//! CSV, TSV, NDJSON and JSON arrays stream: both passes read the source from the
//! start, and Parquet reads its footer, then one row group at a time, so memory depends
//! on the columns and the sample, not on the file, and a file larger than memory reads.
//! A JSON document that is one object and a zipped workbook need the whole file at once: they are read into
//! memory, after the source's length has passed the input limit, and never past it.
//! The reading side still never touches a file system: the caller implements
//! [`Source`] (the CLI over `std::fs::File`, the page's worker over `Blob.slice`).

use crate::error::{Error, ErrorKind, Result};
use std::io::Read;

/// A file that can be read from its first byte as often as a reader needs.
pub trait Source {
    /// Bytes in the file, as its owner reports them. Only compared with limits before
    /// reading: a source that reports too few bytes is cut at the limit, not trusted.
    fn len(&self) -> u64;

    /// Whether the file is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A reader from the first byte.
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>>;

    /// Told, every [`ROWS_BETWEEN_REPORTS`] rows of a pass over the file and at its end,
    /// how many rows that pass has read: for progress (the page shows it; nothing
    /// depends on it).
    fn rows_read(&self, _rows: u64) {}

    /// A reader from byte `offset` (Parquet reads its footer, then one row group at a
    /// time). The default reads and drops the bytes before it; sources that can seek
    /// do better.
    fn open_at(&self, offset: u64) -> std::io::Result<Box<dyn Read + '_>> {
        let mut reader = self.open()?;
        std::io::copy(&mut (&mut reader).take(offset), &mut std::io::sink())?;
        Ok(reader)
    }
}

impl Source for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(*self))
    }
    fn open_at(&self, offset: u64) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self.get(offset as usize..).unwrap_or_default()))
    }
}

impl Source for Vec<u8> {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self.as_slice()))
    }
    fn open_at(&self, offset: u64) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self.get(offset as usize..).unwrap_or_default()))
    }
}

/// How often a reader reports its rows ([`Source::rows_read`]).
pub const ROWS_BETWEEN_REPORTS: u64 = 1 << 16;

/// The first `n` bytes (fewer when the file is shorter).
pub(crate) fn head(source: &dyn Source, n: usize) -> Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n.min(source.len().min(usize::MAX as u64) as usize));
    open(source)?
        .take(n as u64)
        .read_to_end(&mut head)
        .map_err(read_error)?;
    Ok(head)
}

/// The whole file, for the readers that need it at once: refused before anything is
/// read when the source says it is over `limit`, and cut off with the same error when
/// it turns out longer than it said.
pub(crate) fn whole(source: &dyn Source, limit: u64) -> Result<Vec<u8>> {
    let over = |bytes: u64| {
        Error::new(
            ErrorKind::LimitExceeded,
            format!("the file is {bytes} bytes, over the limit of {limit} bytes"),
        )
        .with_hint("split the file, or raise the input limit")
    };
    if source.len() > limit {
        return Err(over(source.len()));
    }
    // Reserved up to what a read at once fills soon anyway: a source may claim more
    // than it holds, and the reservation would be made before that shows.
    let mut bytes = Vec::with_capacity(source.len().min(64 << 20) as usize);
    open(source)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > limit {
        return Err(over(bytes.len() as u64));
    }
    Ok(bytes)
}

pub(crate) fn open(source: &dyn Source) -> Result<Box<dyn Read + '_>> {
    source.open().map_err(read_error)
}

/// `len` bytes from `offset`; fewer only where the file ends first.
pub(crate) fn range(source: &dyn Source, offset: u64, len: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(len.min(64 << 20) as usize);
    source
        .open_at(offset)
        .map_err(read_error)?
        .take(len)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    Ok(bytes)
}

/// An I/O failure while reading (a file moved or deleted meanwhile, a browser that
/// revoked access): not the file's fault, so not `Malformed`.
pub(crate) fn read_error(e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("the file could not be read: {e}"))
        .with_hint("was it moved, changed or deleted while it was being read?")
}

/// Bytes one record (a CSV row, an NDJSON line) may take: eight maximal fields, 64 MiB
/// by default.
pub(crate) fn record_budget(max_field: usize) -> u64 {
    (max_field as u64).saturating_mul(8)
}

/// Text as a record reader pulls it, counting the bytes since the last record ended.
/// The csv and JSON readers hold a whole record before they return it, so a quote left
/// open, a file without line ends or one enormous NDJSON line would grow one record
/// with the file; past `limit` bytes without a record, reading stops with
/// [`RecordTooLong`]. The reader's owner calls [`Bounded::record_ended`] after each.
pub(crate) struct Bounded<R> {
    inner: R,
    since_record: std::rc::Rc<std::cell::Cell<u64>>,
    limit: u64,
}

impl<R> Bounded<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        Bounded {
            inner,
            since_record: Default::default(),
            limit,
        }
    }

    pub(crate) fn record_ended(&self) {
        self.since_record.set(0);
    }

    /// The count, for a owner that cannot reach the reader once it is handed on.
    pub(crate) fn counter(&self) -> std::rc::Rc<std::cell::Cell<u64>> {
        self.since_record.clone()
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.since_record.get() > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                RecordTooLong(self.limit),
            ));
        }
        let n = self.inner.read(buf)?;
        self.since_record.set(self.since_record.get() + n as u64);
        Ok(n)
    }
}

/// One record longer than the budget (its bytes).
#[derive(Debug)]
pub(crate) struct RecordTooLong(u64);

impl RecordTooLong {
    /// The limit error, when `io` is this.
    pub(crate) fn of(io: &std::io::Error) -> Option<Error> {
        let too_long = io.get_ref()?.downcast_ref::<RecordTooLong>()?;
        Some(Error::new(ErrorKind::LimitExceeded, too_long.to_string()))
    }
}

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a record runs on past {} bytes", self.0)
    }
}

impl std::error::Error for RecordTooLong {}
