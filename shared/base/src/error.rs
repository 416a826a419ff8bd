//! The one error type of the core library.
//!
//! Every error says what went wrong, where (file, row, column, byte, JSON path, as far
//! as known) and what the user can do about it. Callers print it with `Display`; the
//! relay maps [`ErrorKind`] to an HTTP status.

use std::fmt;

/// What kind of failure this is. Decides the exit code in the CLI and the status in the relay.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The bytes are in no format we read (binary garbage, an unknown container).
    UnsupportedFormat,
    /// The content is one format and the file name says another.
    FormatMismatch,
    /// The file is of a known format but broken (truncated, ragged, invalid syntax).
    Malformed,
    /// The file has no data rows or no columns.
    Empty,
    /// A configured limit (bytes, cells, columns, field length, nesting) was exceeded.
    LimitExceeded,
    /// The requested sheet or column does not exist.
    NotFound,
    /// A SafeProfile or other wire document failed validation.
    InvalidDocument,
    /// The file could not be read at all (moved, deleted or revoked while reading): not
    /// the content's fault.
    Io,
}

/// An error with its location and a hint on what to do. Boxed, so `Result`s stay one
/// pointer wide on the hot paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Error(Box<Inner>);

#[derive(Debug, Clone, PartialEq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    file: Option<String>,
    row: Option<u64>,
    column: Option<String>,
    byte: Option<u64>,
    path: Option<String>,
    hint: Option<String>,
}

/// The core library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a message saying what went wrong.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            file: None,
            row: None,
            column: None,
            byte: None,
            path: None,
            hint: None,
        }))
    }

    /// Names the file (only set when not already set, so inner code can be more precise).
    pub fn in_file(mut self, file: &str) -> Self {
        if self.0.file.is_none() && !file.is_empty() {
            self.0.file = Some(file.to_string());
        }
        self
    }
    /// The 1-based row (for CSV: the line) where the problem is.
    pub fn at_row(mut self, row: u64) -> Self {
        self.0.row = Some(row);
        self
    }
    /// The column, by name.
    pub fn at_column(mut self, column: impl Into<String>) -> Self {
        self.0.column = Some(column.into());
        self
    }
    /// The byte offset into the input.
    pub fn at_byte(mut self, byte: u64) -> Self {
        self.0.byte = Some(byte);
        self
    }
    /// A JSON path (`$.columns[3].kind`).
    pub fn at_path(mut self, path: impl Into<String>) -> Self {
        self.0.path = Some(path.into());
        self
    }
    /// What the user can try.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.0.hint = Some(hint.into());
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }
    /// What went wrong, without location or hint.
    pub fn message(&self) -> &str {
        &self.0.message
    }
    /// The 1-based row, if known.
    pub fn row(&self) -> Option<u64> {
        self.0.row
    }
    /// The column name, if known.
    pub fn column(&self) -> Option<&str> {
        self.0.column.as_deref()
    }
    /// The byte offset, if known.
    pub fn byte(&self) -> Option<u64> {
        self.0.byte
    }
    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.0.hint.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.0.file {
            write!(f, "{file}: ")?;
        }
        let mut place = Vec::new();
        if let Some(row) = self.0.row {
            place.push(format!("row {row}"));
        }
        if let Some(column) = &self.0.column {
            place.push(format!("column '{column}'"));
        }
        if let Some(byte) = self.0.byte {
            place.push(format!("byte {byte}"));
        }
        if let Some(path) = &self.0.path {
            place.push(format!("at {path}"));
        }
        if !place.is_empty() {
            write!(f, "{}: ", place.join(", "))?;
        }
        write!(f, "{}", self.0.message)?;
        if let Some(hint) = &self.0.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_place_and_hint() {
        let e = Error::new(ErrorKind::Malformed, "expected 3 fields, found 5")
            .at_row(12)
            .at_byte(340)
            .with_hint("check the delimiter")
            .in_file("a.csv");
        assert_eq!(
            e.to_string(),
            "a.csv: row 12, byte 340: expected 3 fields, found 5 (check the delimiter)"
        );
    }
}
