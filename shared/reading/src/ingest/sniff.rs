//! Format detection from content, checked against the file name's extension.

use crate::error::{Error, ErrorKind, Result};
use crate::table::FileFormat;

/// The format of `bytes`, judged by content. When the extension names a different
/// family (Parquet bytes in `data.csv`), that is an error: the user should know.
pub fn detect_format(bytes: &[u8], name: &str) -> Result<FileFormat> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let by_ext = match ext.as_str() {
        "csv" | "txt" => Some(FileFormat::Csv),
        "tsv" | "tab" => Some(FileFormat::Tsv),
        "json" => Some(FileFormat::Json),
        "ndjson" | "jsonl" => Some(FileFormat::Ndjson),
        "xlsx" | "xlsm" => Some(FileFormat::Xlsx),
        "xls" => Some(FileFormat::Xls),
        "parquet" | "pq" => Some(FileFormat::Parquet),
        _ => None,
    };
    let content = by_content(bytes)?;
    let content = match (content, by_ext) {
        // Within the text family the extension decides the flavour; the dialect
        // sniffer still checks the delimiter.
        (FileFormat::Csv, Some(FileFormat::Tsv)) => FileFormat::Tsv,
        (FileFormat::Json, Some(FileFormat::Ndjson))
        | (FileFormat::Ndjson, Some(FileFormat::Json)) => content,
        (c, _) => c,
    };
    if let Some(e) = by_ext
        && family(e) != family(content)
    {
        return Err(Error::new(
            ErrorKind::FormatMismatch,
            format!(
                "the content is {} but the file is named .{ext}",
                describe(content)
            ),
        )
        .with_hint(format!(
            "rename it to .{} or export it again as {}",
            content.extension(),
            describe(e)
        )));
    }
    Ok(content)
}

fn family(f: FileFormat) -> u8 {
    match f {
        FileFormat::Csv | FileFormat::Tsv => 0,
        FileFormat::Json | FileFormat::Ndjson => 1,
        FileFormat::Xlsx | FileFormat::Xls => 2,
        FileFormat::Parquet => 3,
    }
}

fn describe(f: FileFormat) -> &'static str {
    match f {
        FileFormat::Csv => "CSV text",
        FileFormat::Tsv => "TSV text",
        FileFormat::Json => "JSON",
        FileFormat::Ndjson => "NDJSON",
        FileFormat::Xlsx => "an Excel .xlsx workbook",
        FileFormat::Xls => "an Excel 97-2003 .xls workbook",
        FileFormat::Parquet => "Parquet",
    }
}

fn by_content(bytes: &[u8]) -> Result<FileFormat> {
    if bytes.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "the file is empty")
            .with_hint("choose a file with a header and at least one row"));
    }
    if bytes.starts_with(b"PAR1") {
        return Ok(FileFormat::Parquet);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Ok(FileFormat::Xlsx);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(FileFormat::Xls);
    }
    // UTF-16 text is recognised by its BOM and decoded later.
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    let head = &bytes[..bytes.len().min(8192)];
    if !utf16 && looks_binary(head) {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            "the content is binary data, not a table we can read",
        )
        .with_hint("supported: CSV, TSV, JSON, NDJSON, Excel (.xlsx, .xls) and Parquet"));
    }
    Ok(match first_byte(head) {
        Some(b'[') => FileFormat::Json,
        Some(b'{') => {
            if is_ndjson(bytes) {
                FileFormat::Ndjson
            } else {
                FileFormat::Json
            }
        }
        _ => FileFormat::Csv,
    })
}

/// A JSON document that opens an array: its records stream one element at a time.
pub(crate) fn is_json_array(head: &[u8]) -> bool {
    first_byte(head) == Some(&b'[')
}

/// The first byte after a UTF-8 byte order mark and whitespace.
fn first_byte(head: &[u8]) -> Option<&u8> {
    head.strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(head)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
}

/// NUL bytes or many control characters mean binary (text files have neither).
fn looks_binary(head: &[u8]) -> bool {
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    control * 20 > head.len()
}

/// Two JSON objects on separate lines at the top level (after a UTF-8 byte order
/// mark: was not, so NDJSON saved with one read as a broken JSON document).
fn is_ndjson(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut it = serde_json::Deserializer::from_slice(bytes).into_iter::<serde::de::IgnoredAny>();
    matches!((it.next(), it.next()), (Some(Ok(_)), Some(Ok(_))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_beats_extension_and_mismatch_is_an_error() {
        assert_eq!(
            detect_format(b"a,b\n1,2\n", "x.csv").unwrap(),
            FileFormat::Csv
        );
        assert_eq!(
            detect_format(b"a\tb\n1\t2\n", "x.tsv").unwrap(),
            FileFormat::Tsv
        );
        assert_eq!(
            detect_format(b"{\"a\":1}\n{\"a\":2}\n", "x").unwrap(),
            FileFormat::Ndjson
        );
        let e = detect_format(b"PAR1\0\0\0", "data.csv").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::FormatMismatch);
        assert!(e.to_string().contains("Parquet"), "{e}");
        let e = detect_format(b"a,b\n1,2\n", "book.xlsx").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::FormatMismatch);
        let e = detect_format(&[0u8, 159, 146, 150, 1, 2, 3], "x.csv").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
    }
}
