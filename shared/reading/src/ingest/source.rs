//! Where a file's bytes come from: bytes in memory, or a file the caller can open again
//! from its first byte (a path on disk, a browser `File` read in slices).
//!
//! CSV and TSV stream: both passes of [`super::delimited`] read the source from the
//! start, so memory depends on the columns and the sample, not on the file, and a file
//! larger than memory reads. The other formats need the whole file at once (a JSON
//! document, a zipped workbook, Parquet's footer-first layout): they are read into
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
