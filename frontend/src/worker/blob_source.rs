//! The dropped `File` as the core's readers take it ([`shared::pipeline::Source`]): read in
//! slices with `FileReaderSync` (a worker may block), so a CSV or TSV file streams
//! through wasm memory a slice at a time and is never held whole. Each long read
//! reports its progress to the page.

use shared::pipeline::Source;
use std::cell::Cell;
use std::io::Read;
use wasm_bindgen::JsCast;
use web_sys::{Blob, FileReaderSync};

/// The first slice of each read: readers that only look at the head (format, dialect,
/// header) stop after it.
const FIRST_SLICE: u64 = 64 * 1024;
/// The largest slice: each doubles up to this, a few per second at full speed.
const MAX_SLICE: u64 = 4 << 20;
/// Files over this size report their progress.
const PASS_BYTES: u64 = 8 << 20;

/// How far a pass over the file is: `(pass, bytes done, bytes in all, rows read)`, pass
/// 0 the first (reading) and 1 the second (sampling a large file); rows as the reader
/// last said (every 65,536, counted from each pass's start: a count that drops starts
/// the next pass). Bytes done is the file offset reached, so a Parquet row group read
/// from the middle of the file reports where it is.
pub type OnProgress<'a> = &'a dyn Fn(u32, u64, u64, u64);

/// A `File` (or any `Blob`) read from its first byte as often as a reader asks.
pub struct BlobSource<'a> {
    blob: &'a Blob,
    reader: FileReaderSync,
    on_progress: OnProgress<'a>,
    /// The pass under way (0, then 1 once the reader's row count starts again).
    pass: Cell<u32>,
    /// Rows the reader has read in this pass, as it last said.
    rows: Cell<u64>,
}

impl std::fmt::Debug for BlobSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobSource")
            .field("size", &self.blob.size())
            .finish_non_exhaustive()
    }
}

impl<'a> BlobSource<'a> {
    /// Fails only where the browser has no `FileReaderSync` (not in a worker).
    pub fn new(blob: &'a Blob, on_progress: OnProgress<'a>) -> Result<Self, String> {
        let reader = FileReaderSync::new().map_err(|e| format!("{e:?}"))?;
        Ok(BlobSource {
            blob,
            reader,
            on_progress,
            pass: Cell::new(0),
            rows: Cell::new(0),
        })
    }
}

impl Source for BlobSource<'_> {
    fn len(&self) -> u64 {
        self.blob.size() as u64
    }

    fn rows_read(&self, rows: u64) {
        if rows < self.rows.get() {
            self.pass.set(self.pass.get() + 1);
        }
        self.rows.set(rows);
    }

    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        self.open_at(0)
    }

    fn open_at(&self, offset: u64) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(BlobReader {
            source: self,
            start: offset,
            offset,
            slice: FIRST_SLICE,
            buffer: Vec::new(),
            at: 0,
        }))
    }
}

struct BlobReader<'s, 'a> {
    source: &'s BlobSource<'a>,
    /// Where in the file this read began.
    start: u64,
    /// Where in the file the next slice begins.
    offset: u64,
    /// The next slice's length.
    slice: u64,
    buffer: Vec<u8>,
    /// Bytes of `buffer` already read.
    at: usize,
}

impl BlobReader<'_, '_> {
    fn fill(&mut self) -> std::io::Result<()> {
        let size = self.source.len();
        let end = (self.offset + self.slice).min(size);
        let part = self
            .source
            .blob
            .slice_with_f64_and_f64(self.offset as f64, end as f64)
            .and_then(|part| self.source.reader.read_as_array_buffer(&part))
            .map_err(|e| {
                let why = e
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .unwrap_or_else(|| format!("{e:?}"));
                std::io::Error::other(format!("the browser could not read the file ({why})"))
            })?;
        let bytes = js_sys::Uint8Array::new(&part);
        self.buffer.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut self.buffer);
        self.at = 0;
        self.offset += self.buffer.len() as u64;
        self.slice = (self.slice * 2).min(MAX_SLICE);
        // Reads that stop at their first slice (the format, the dialect, the header, a
        // Parquet footer) say nothing; a pass over a large file does, slice by slice.
        if size > PASS_BYTES && self.offset - self.start > FIRST_SLICE {
            let source = self.source;
            (source.on_progress)(source.pass.get(), self.offset, size, source.rows.get());
        }
        Ok(())
    }
}

impl Read for BlobReader<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buffer.len() {
            if self.offset >= self.source.len() {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = out.len().min(self.buffer.len() - self.at);
        out[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
