//! A file on disk as the readers take it ([`crate::ingest::Source`]), for the native
//! callers (the CLI, the Python package): opened again for each pass, so a CSV, TSV or
//! Parquet file streams through instead of being read into memory.

use crate::error::{Error, ErrorKind, Result};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A path, with the length it had when opened.
#[derive(Debug, Clone)]
pub struct FileSource {
    path: PathBuf,
    len: u64,
}

impl FileSource {
    /// Checks that `path` is a readable file.
    pub fn new(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let unreadable = |why: String| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read {}: {why}", path.display()),
            )
            .with_hint("check the path")
        };
        let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
        if meta.is_dir() {
            return Err(unreadable("it is a folder, not a file".into()));
        }
        Ok(FileSource {
            path: path.to_path_buf(),
            len: meta.len(),
        })
    }

    /// The file's name, for format hints and messages.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

impl crate::ingest::Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(std::fs::File::open(&self.path)?))
    }
    fn open_at(&self, offset: u64) -> std::io::Result<Box<dyn Read + '_>> {
        let mut file = std::fs::File::open(&self.path)?;
        file.seek(SeekFrom::Start(offset))?;
        Ok(Box::new(file))
    }
}
