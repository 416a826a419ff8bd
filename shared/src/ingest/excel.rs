//! Excel workbooks (.xlsx via zip + XML, .xls via OLE) through calamine.
//!
//! An `.xlsx` is a zip archive: before calamine inflates anything, the declared sizes
//! of its entries are checked against `max_decompressed_bytes`, so a sheet that would
//! expand to gigabytes is refused at once.

use super::infer::Cell;
use super::{IngestOptions, table_from_cells};
use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, Table};
use calamine::{Data, Reader};
use std::io::Cursor;

pub(crate) fn read(bytes: &[u8], format: FileFormat, options: &IngestOptions) -> Result<Table> {
    if format == FileFormat::Xlsx {
        check_inflated_size(bytes, options.limits.max_decompressed_bytes)?;
    }
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        Error::new(
            ErrorKind::Malformed,
            format!("not a readable Excel workbook: {e}"),
        )
        .with_hint("is the file truncated? open and save it again in Excel")
    })?;
    let sheet_names = book.sheet_names();
    let (sheet, range) = match &options.sheet {
        Some(wanted) => {
            if !sheet_names.iter().any(|s| s == wanted) {
                return Err(
                    Error::new(ErrorKind::NotFound, format!("no sheet named '{wanted}'"))
                        .with_hint(format!("the sheets are: {}", sheet_names.join(", "))),
                );
            }
            let range = book.worksheet_range(wanted).map_err(sheet_error)?;
            (wanted.clone(), range)
        }
        None => {
            let mut found = None;
            for name in &sheet_names {
                let range = book.worksheet_range(name).map_err(sheet_error)?;
                if range.rows().any(|r| r.iter().any(|c| *c != Data::Empty)) {
                    found = Some((name.clone(), range));
                    break;
                }
            }
            found.ok_or_else(|| {
                Error::new(ErrorKind::Empty, "every sheet of the workbook is empty")
            })?
        }
    };
    let mut rows = range
        .rows()
        .skip_while(|r| r.iter().all(|c| *c == Data::Empty));
    let header = rows.next().ok_or_else(|| super::empty_error("the sheet"))?;
    let width = header.len();
    super::check_columns(width, &options.limits)?;
    let mut warnings = Vec::new();
    let raw_names: Vec<String> = header
        .iter()
        .map(|c| match c {
            Data::Empty => String::new(),
            other => other.to_string(),
        })
        .collect();
    let names = super::clean_names(raw_names, &mut warnings);
    let body: Vec<&[Data]> = rows.collect();
    super::check_cells(body.len() as u64, width, &options.limits)?;
    let mut columns: Vec<Vec<Cell<'_>>> = vec![Vec::with_capacity(body.len()); width];
    let mut errors = 0usize;
    for row in &body {
        for (i, col) in columns.iter_mut().enumerate() {
            let cell = match row.get(i) {
                None | Some(Data::Empty) => Cell::Null,
                Some(Data::Int(v)) => Cell::Int(*v),
                Some(Data::Float(v)) => Cell::Float(*v),
                Some(Data::String(s)) => Cell::Text(s),
                Some(Data::Bool(b)) => Cell::Bool(*b),
                Some(Data::DateTime(d)) => d.as_datetime().map_or(Cell::Null, Cell::DateTime),
                Some(Data::DateTimeIso(s)) | Some(Data::DurationIso(s)) => Cell::Text(s),
                Some(Data::Error(_)) => {
                    errors += 1;
                    Cell::Null
                }
            };
            col.push(cell);
        }
    }
    if errors > 0 {
        warnings.push(format!(
            "{errors} cell(s) held Excel errors (#N/A, #DIV/0!...) and were read as empty"
        ));
    }
    let mut table = table_from_cells(format, names, &columns, options, warnings)?;
    table.sheet = Some(sheet);
    table.sheets = sheet_names;
    Ok(table)
}

fn sheet_error(e: calamine::Error) -> Error {
    Error::new(
        ErrorKind::Malformed,
        format!("could not read the sheet: {e}"),
    )
    .with_hint("is the file truncated? open and save it again in Excel")
}

/// Refuses a zip whose entries declare more than `max` bytes in total once inflated.
fn check_inflated_size(bytes: &[u8], max: u64) -> Result<()> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        Error::new(
            ErrorKind::Malformed,
            format!("not a readable .xlsx (zip) file: {e}"),
        )
        .with_hint("is the file truncated? open and save it again in Excel")
    })?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| {
            Error::new(
                ErrorKind::Malformed,
                format!("broken entry in the .xlsx: {e}"),
            )
        })?;
        total = total.saturating_add(entry.size());
        if total > max {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "the workbook expands to more than {max} bytes ('{}' alone is {} bytes)",
                    entry.name().map(|n| n.to_string()).unwrap_or_default(),
                    entry.size()
                ),
            )
            .with_hint("export the sheet as CSV, or raise the decompressed-size limit"));
        }
    }
    Ok(())
}
