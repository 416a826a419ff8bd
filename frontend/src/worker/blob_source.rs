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
/// A read that gets past this many bytes is one of the passes over the file.
const PASS_BYTES: u64 = 8 << 20;

/// How far a pass over the file is: `(pass, bytes done, bytes in all, rows read)`, pass
/// 0 the first (reading) and 1 the second (sampling a large file); rows as the reader
/// last said (every 65,536).
pub type OnProgress<'a> = &'a dyn Fn(u32, u64, u64, u64);

/// A `File` (or any `Blob`) read from its first byte as often as a reader asks.
pub struct BlobSource<'a> {
    blob: &'a Blob,
    reader: FileReaderSync,
    on_progress: OnProgress<'a>,
    /// Passes started (reads that went past [`PASS_BYTES`]).
    passes: Cell<u32>,
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
            passes: Cell::new(0),
            rows: Cell::new(0),
        })
    }
}

impl Source for BlobSource<'_> {
    fn len(&self) -> u64 {
        self.blob.size() as u64
    }

    fn rows_read(&self, rows: u64) {
        self.rows.set(rows);
    }

    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(BlobReader {
            source: self,
            offset: 0,
            slice: FIRST_SLICE,
            buffer: Vec::new(),
            at: 0,
            pass: None,
        }))
    }
}

struct BlobReader<'s, 'a> {
    source: &'s BlobSource<'a>,
    /// Bytes of the file taken into `buffer` so far.
    offset: u64,
    /// The next slice's length.
    slice: u64,
    buffer: Vec<u8>,
    /// Bytes of `buffer` already read.
    at: usize,
    /// Which pass this read is, once it is one.
    pass: Option<u32>,
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
        if self.pass.is_none() && self.offset > PASS_BYTES {
            let pass = self.source.passes.get();
            self.source.passes.set(pass + 1);
            self.source.rows.set(0);
            self.pass = Some(pass);
        }
        if let Some(pass) = self.pass {
            (self.source.on_progress)(pass, self.offset, size, self.source.rows.get());
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
