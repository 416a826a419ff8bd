//! Excel workbooks (.xlsx via zip + XML, .xls via OLE) through calamine.
//!
//! A workbook is a small file that can describe an enormous one: a cell in A1 and one in
//! XFD1048576 make a sheet of 17 billion cells, a zip entry can inflate far past what
//! its directory declares, a shared-string table can declare a count it does not hold,
//! and an `.xls` can declare dimensions, or point many sheets at one stream. calamine
//! believes all of these and allocates before it reads, so every budget here is checked
//! before calamine sees the bytes or while cells stream past:
//!
//! - `.xlsx`: every zip entry is inflated once with a running total (what it really
//!   inflates to, not what it declares) against `max_decompressed_bytes`; the shared
//!   string table's declared count must fit its inflated size; cells are read one at a
//!   time (calamine's cell reader, never its dense `Range`) and kept sparse, with the
//!   extent (rows × columns from the first to the last cell) checked against
//!   `max_cells` at every cell.
//! - `.xls`: the compound-file container is opened by the `cfb` crate (which validates
//!   sector chains), the workbook stream is copied out, and its BIFF records are
//!   scanned for what calamine will allocate (the dimensions each sheet declares, the
//!   extent of its cells, once per sheet entry) before calamine parses a clean
//!   container holding only that stream.
//!
//! The table is then built column by column from the sparse cells.

use super::infer::Cell;
use super::{CellSource, IngestOptions, Limits, table_from_source};
use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, LogicalType, Table};
use crate::written;
use calamine::{Data, Reader};
use std::io::{Cursor, Read, Write};

pub(crate) fn read(bytes: &[u8], format: FileFormat, options: &IngestOptions) -> Result<Table> {
    let (sheet, sheet_names, cells, codes) = match format {
        FileFormat::Xls => {
            let (sheet, names, cells) = read_xls(bytes, options)?;
            (sheet, names, cells, Vec::new())
        }
        _ => read_xlsx(bytes, options)?,
    };
    let mut warnings = Vec::new();
    let errors = cells.errors;
    let (names, mut source) = cells.into_columns(&options.limits, &mut warnings)?;
    // Excel stores 12.5 % as 0.125: a percent column is read as the percent shown.
    source.percent = codes
        .iter()
        .map(|c| {
            c.as_deref()
                .and_then(written::from_excel_code)
                .is_some_and(|(_, _, percent)| percent)
        })
        .collect();
    if errors > 0 {
        warnings.push(format!(
            "{errors} cell(s) held Excel errors (#N/A, #DIV/0!...) and were read as empty"
        ));
    }
    let mut table = table_from_source(format, names, &source, options, warnings)?;
    shown_as(&mut table, &codes);
    table.sheet = Some(sheet);
    table.sheets = sheet_names;
    Ok(table)
}

fn malformed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Malformed, format!("{what}: {e}"))
        .with_hint("is the file truncated? open and save it again in Excel")
}

// ---------------------------------------------------------------- sparse cells

/// The non-empty cells of one sheet, with their extent checked against the budget as
/// they arrive.
struct SparseCells {
    /// (row, column, value), in the order read (row-major for both formats).
    cells: Vec<(u32, u32, Data)>,
    min_row: u32,
    max_row: u32,
    min_col: u32,
    max_col: u32,
    errors: usize,
    max_cells: u64,
}

impl SparseCells {
    fn new(limits: &Limits) -> Self {
        SparseCells {
            cells: Vec::new(),
            min_row: u32::MAX,
            max_row: 0,
            min_col: u32::MAX,
            max_col: 0,
            errors: 0,
            max_cells: limits.max_cells,
        }
    }

    fn extent(&self) -> (u64, u64) {
        if self.cells.is_empty() {
            return (0, 0);
        }
        (
            u64::from(self.max_row - self.min_row) + 1,
            u64::from(self.max_col - self.min_col) + 1,
        )
    }

    /// Adds a non-empty cell; fails as soon as the sheet's extent or cell count
    /// passes the budget, before anything dense exists.
    fn push(&mut self, row: u32, col: u32, value: Data) -> Result<()> {
        if matches!(value, Data::Empty) {
            return Ok(());
        }
        if matches!(value, Data::Error(_)) {
            self.errors += 1;
        }
        self.min_row = self.min_row.min(row);
        self.max_row = self.max_row.max(row);
        self.min_col = self.min_col.min(col);
        self.max_col = self.max_col.max(col);
        let (rows, cols) = self.extent();
        if rows.saturating_mul(cols) > self.max_cells || self.cells.len() as u64 >= self.max_cells {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "the sheet spans {rows} rows × {cols} columns (from its first to its last cell), over the limit of {} cells",
                    self.max_cells
                ),
            )
            .at_row(u64::from(row) + 1)
            .with_hint("delete the stray cells far from the data (or export the data range as CSV), or raise the cell limit"));
        }
        self.cells.push((row, col, value));
        Ok(())
    }

    /// The header (the first row of the extent) and the columns below it.
    fn into_columns(
        self,
        limits: &Limits,
        warnings: &mut Vec<String>,
    ) -> Result<(Vec<String>, SheetColumns)> {
        if self.cells.is_empty() {
            return Err(super::empty_error("the sheet"));
        }
        let (rows, cols) = self.extent();
        super::check_columns(cols as usize, limits)?;
        let width = cols as usize;
        let mut raw_names = vec![String::new(); width];
        let mut columns: Vec<Vec<(u32, Data)>> = (0..width).map(|_| Vec::new()).collect();
        for (row, col, value) in self.cells {
            let r = row - self.min_row;
            let c = (col - self.min_col) as usize;
            if r == 0 {
                raw_names[c] = value.to_string();
            } else {
                columns[c].push((r - 1, value));
            }
        }
        // Cells of one column arrive in row order; a writer that repeats a cell keeps
        // the last value, as calamine's own range does.
        for column in &mut columns {
            if !column.windows(2).all(|w| w[0].0 < w[1].0) {
                column.sort_by_key(|c| c.0);
                column.dedup_by(|later, earlier| {
                    let same = later.0 == earlier.0;
                    if same {
                        std::mem::swap(later, earlier);
                    }
                    same
                });
            }
        }
        let names = super::clean_names(raw_names, warnings);
        Ok((
            names,
            SheetColumns {
                rows: (rows - 1) as usize,
                columns,
                percent: Vec::new(),
            },
        ))
    }
}

/// A sheet's columns below the header, sparse.
struct SheetColumns {
    rows: usize,
    columns: Vec<Vec<(u32, Data)>>,
    /// Columns whose number format is a percent (missing: none).
    percent: Vec<bool>,
}

impl CellSource for SheetColumns {
    fn rows(&self) -> usize {
        self.rows
    }

    fn visit(&self, column: usize, f: &mut dyn FnMut(Cell<'_>)) {
        let percent = self.percent.get(column).copied().unwrap_or(false);
        let mut next = self.columns[column].iter().peekable();
        for row in 0..self.rows as u32 {
            match next.peek() {
                Some((r, value)) if *r == row => {
                    f(match cell(value) {
                        Cell::Float(x) if percent => Cell::Float(x * 100.0),
                        Cell::Int(i) if percent => Cell::Float(i as f64 * 100.0),
                        other => other,
                    });
                    next.next();
                }
                _ => f(Cell::Null),
            }
        }
    }
}

fn cell(value: &Data) -> Cell<'_> {
    match value {
        Data::Empty | Data::Error(_) => Cell::Null,
        Data::Int(v) => Cell::Int(*v),
        Data::Float(v) => Cell::Float(*v),
        Data::String(s) => Cell::Text(s),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => d.as_datetime().map_or(Cell::Null, Cell::DateTime),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s),
    }
}

/// The sheets to try in order: the one asked for (an error naming the others when it is
/// missing), else every sheet, the first non-empty one winning.
fn candidate_sheets(names: &[String], wanted: Option<&str>) -> Result<Vec<String>> {
    match wanted {
        Some(wanted) if !names.iter().any(|s| s == wanted) => Err(no_sheet(wanted, names)),
        Some(wanted) => Ok(vec![wanted.to_string()]),
        None => Ok(names.to_vec()),
    }
}

fn no_sheet(wanted: &str, names: &[String]) -> Error {
    Error::new(ErrorKind::NotFound, format!("no sheet named '{wanted}'"))
        .with_hint(format!("the sheets are: {}", names.join(", ")))
}

// ---------------------------------------------------------------- .xlsx

/// The workbook's number and date formats, put on the columns they show: a currency
/// or percent column keeps its format, a date column its pattern. (Percent cells were
/// already read as the percent shown: [`SheetColumns::percent`].)
fn shown_as(table: &mut Table, codes: &[Option<String>]) {
    for (info, code) in table.columns.iter_mut().zip(codes) {
        let Some(code) = code else { continue };
        if info.logical.is_numeric()
            && let Some((format, decimals, _)) = written::from_excel_code(code)
        {
            if info.logical == LogicalType::Float {
                info.decimals = Some(decimals);
            }
            if !format.is_plain() {
                info.written.number = Some(format);
            }
        } else if matches!(info.logical, LogicalType::Date | LogicalType::DateTime)
            && let Some(pattern) = written::excel_date_pattern(code)
        {
            let has_time =
                pattern.contains("%H") || pattern.contains("%-H") || pattern.contains("%I");
            if has_time == (info.logical == LogicalType::DateTime) {
                info.format = Some(pattern);
            }
        }
    }
}

/// Style ids of a sheet's first data rows, counted per column as the cells are read
/// (one pass over the sheet: the values and their styles come together).
#[derive(Default)]
struct StyleTally {
    first_row: Option<u32>,
    /// (sheet column, style id) → cells.
    counts: std::collections::HashMap<(u32, usize), u32>,
}

impl StyleTally {
    /// Rows below the header whose styles decide a column's format.
    const ROWS: u32 = 200;

    fn add(&mut self, row: u32, col: u32, style: usize) {
        let first = *self.first_row.get_or_insert(row);
        if row > first && row - first <= Self::ROWS {
            *self.counts.entry((col, style)).or_default() += 1;
        }
    }

    /// The format code most of each column's first data cells carry, per column of
    /// the extent (`None` for General).
    fn codes(&self, styles: &[calamine::Style], cells: &SparseCells) -> Vec<Option<String>> {
        if cells.cells.is_empty() {
            return Vec::new();
        }
        let code = |style: usize| {
            styles
                .get(style)
                .and_then(|s| s.number_format.as_ref())
                .map(|f| f.format_code.as_str())
                .filter(|c| !c.eq_ignore_ascii_case("general"))
        };
        (cells.min_col..=cells.max_col)
            .map(|col| {
                let mut tally: Vec<(&str, u32)> = Vec::new();
                for (&(_, style), &n) in self.counts.iter().filter(|((c, _), _)| *c == col) {
                    let Some(code) = code(style) else { continue };
                    match tally.iter_mut().find(|(c, _)| *c == code) {
                        Some((_, m)) => *m += n,
                        None => tally.push((code, n)),
                    }
                }
                // Ties go to the code that sorts first, so the answer does not
                // depend on the map's order.
                tally
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                    .map(|(c, _)| c.to_string())
            })
            .collect()
    }
}

type Sheet = (String, Vec<String>, SparseCells, Vec<Option<String>>);

fn read_xlsx(bytes: &[u8], options: &IngestOptions) -> Result<Sheet> {
    check_xlsx_container(bytes, &options.limits)?;
    let mut book = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|e| malformed("not a readable Excel workbook", e))?;
    let names = book.sheet_names();
    let candidates = candidate_sheets(&names, options.sheet.as_deref())?;
    for name in candidates {
        let mut reader = match book.worksheet_cells_reader(&name) {
            Ok(r) => r,
            // Chart sheets and the like hold no cells.
            Err(calamine::XlsxError::NotAWorksheet(_)) if options.sheet.is_none() => continue,
            Err(e) => return Err(malformed("could not read the sheet", e)),
        };
        let mut cells = SparseCells::new(&options.limits);
        let mut styles = StyleTally::default();
        while let Some((c, style)) = reader
            .next_cell_with_style_id()
            .map_err(|e| malformed("could not read the sheet", e))?
        {
            let (row, col) = c.get_position();
            let value: Data = c.get_value().clone().into();
            if !matches!(value, Data::Empty) {
                styles.add(row, col, style);
            }
            cells.push(row, col, value)?;
        }
        if !cells.cells.is_empty() || options.sheet.is_some() {
            let codes = styles.codes(reader.styles(), &cells);
            return Ok((name, names, cells, codes));
        }
    }
    Err(Error::new(
        ErrorKind::Empty,
        "every sheet of the workbook is empty",
    ))
}

/// Inflates every entry of the zip once, counting what it really inflates to (not what
/// its directory declares), and checks the shared-string table's declared count
/// against its size: calamine reserves that count up front.
fn check_xlsx_container(bytes: &[u8], limits: &Limits) -> Result<()> {
    let max = limits.max_decompressed_bytes;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| malformed("not a readable .xlsx (zip) file", e))?;
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 << 10];
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| malformed("broken entry in the .xlsx", e))?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let shared_strings = name.eq_ignore_ascii_case("xl/sharedStrings.xml");
        let mut head: Vec<u8> = Vec::new();
        let mut size: u64 = 0;
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(malformed(&format!("broken entry '{name}' in the .xlsx"), e)),
            };
            size += n as u64;
            total = total.saturating_add(n as u64);
            if total > max {
                return Err(Error::new(
                    ErrorKind::LimitExceeded,
                    format!(
                        "the workbook expands to more than {max} bytes ('{name}' alone to {size} bytes or more)"
                    ),
                )
                .with_hint("export the sheet as CSV, or raise the decompressed-size limit"));
            }
            if shared_strings && head.len() < 4096 {
                head.extend_from_slice(&buf[..n.min(4096 - head.len())]);
            }
        }
        if shared_strings {
            check_shared_string_count(&head, size)?;
        }
    }
    Ok(())
}

/// `<sst uniqueCount="N">`: calamine reserves N strings before reading one. Every
/// string takes at least `<si><t/></si>` (13 bytes), so a count the table's size cannot
/// hold is a lie.
fn check_shared_string_count(head: &[u8], size: u64) -> Result<()> {
    let text = String::from_utf8_lossy(head);
    let Some(start) = text.find("<sst") else {
        return Ok(());
    };
    let tag = &text[start..text[start..].find('>').map_or(text.len(), |e| start + e)];
    let Some(at) = tag.find("uniqueCount=") else {
        return Ok(());
    };
    let value: String = tag[at + "uniqueCount=".len()..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let declared: u128 = value.parse().unwrap_or(u128::MAX);
    if declared > u128::from(size / 13 + 1) {
        return Err(Error::new(
            ErrorKind::Malformed,
            format!(
                "the workbook's shared-string table declares {value} strings but holds at most {}",
                size / 13 + 1
            ),
        )
        .with_hint("open it and save it again in the program that made it"));
    }
    Ok(())
}

// ---------------------------------------------------------------- .xls

fn read_xls(bytes: &[u8], options: &IngestOptions) -> Result<(String, Vec<String>, SparseCells)> {
    let clean = sanitize_xls(bytes, &options.limits)?;
    let mut book = calamine::Xls::new(Cursor::new(clean))
        .map_err(|e| malformed("not a readable Excel workbook", e))?;
    let names = book.sheet_names();
    let candidates = candidate_sheets(&names, options.sheet.as_deref())?;
    for name in candidates {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| malformed("could not read the sheet", e))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut cells = SparseCells::new(&options.limits);
        for (r, c, value) in range.used_cells() {
            cells.push(r0 + r as u32, c0 + c as u32, value.clone())?;
        }
        if !cells.cells.is_empty() || options.sheet.is_some() {
            return Ok((name, names, cells));
        }
    }
    Err(Error::new(
        ErrorKind::Empty,
        "every sheet of the workbook is empty",
    ))
}

/// Copies the workbook stream out of the compound file (the `cfb` crate validates the
/// container; calamine's own reader follows sector chains as declared), checks what
/// calamine will allocate for it, and wraps it in a fresh container.
fn sanitize_xls(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    let not_xls = |e: std::io::Error| malformed("not a readable .xls workbook", e);
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(not_xls)?;
    let path = file
        .read_root_storage()
        .filter(|e| e.is_stream())
        .map(|e| e.path().to_path_buf())
        .find(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.eq_ignore_ascii_case("Workbook") || n.eq_ignore_ascii_case("Book")
            })
        })
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Malformed,
                "the .xls file holds no workbook stream",
            )
            .with_hint("open it and save it again in Excel")
        })?;
    let mut stream = file.open_stream(&path).map_err(not_xls)?;
    let max = limits.max_decompressed_bytes;
    let mut data = Vec::new();
    (&mut stream)
        .take(max.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(not_xls)?;
    if data.len() as u64 > max {
        return Err(too_large_xls(max, "its workbook stream alone"));
    }
    drop(stream);
    prescan_biff(&data, limits)?;
    // Version 3 (512-byte sectors), as Excel writes .xls: calamine finds no root
    // directory in the version 4 files `cfb` makes by default.
    let mut out = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
        .map_err(not_xls)?;
    out.create_stream("/Workbook")
        .and_then(|mut s| s.write_all(&data))
        .map_err(not_xls)?;
    out.flush().map_err(not_xls)?;
    Ok(out.into_inner().into_inner())
}

fn too_large_xls(max: u64, what: &str) -> Error {
    Error::new(
        ErrorKind::LimitExceeded,
        format!("the .xls workbook needs more than {max} bytes to read ({what})"),
    )
    .with_hint("save it as .xlsx or CSV, delete stray cells far from the data, or raise the decompressed-size limit")
}

fn u16_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// BIFF records of a stream from `pos`: (type, data). Stops at the first record that
/// runs past the end.
fn records(stream: &[u8], mut pos: usize) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16_at(stream, pos)? as u16;
        let len = u16_at(stream, pos + 2)? as usize;
        let data = stream.get(pos + 4..pos + 4 + len)?;
        pos += 4 + len;
        Some((typ, data))
    })
}

/// What calamine allocates for a workbook stream, estimated from its records before it
/// parses them: per sheet entry (several entries may point at one sheet), the cells its
/// DIMENSIONS record makes it reserve, the dense range between its first and last
/// cell, the same for formulas, and the shared strings.
fn prescan_biff(stream: &[u8], limits: &Limits) -> Result<()> {
    let cell_bytes = size_of::<calamine::Cell<Data>>() as u128;
    let data_bytes = size_of::<Data>() as u128;
    let string_bytes = size_of::<String>() as u128;
    let mut sheets = Vec::new();
    // Shared strings: at most one per 3 bytes of the table, each a String.
    let mut total: u128 = 0;
    let mut in_sst = false;
    for (typ, data) in records(stream, 0) {
        match typ {
            0x0085 => sheets.push(u32_at(data, 0).unwrap_or(u32::MAX) as usize),
            0x00FC => {
                in_sst = true;
                total += data.len() as u128 * (1 + string_bytes / 3);
            }
            0x003C if in_sst => total += data.len() as u128 * (1 + string_bytes / 3),
            0x000A => break,
            _ => in_sst = false,
        }
    }
    if sheets.len() > 4096 {
        return Err(too_large_xls(
            limits.max_decompressed_bytes,
            &format!("{} sheet entries", sheets.len()),
        ));
    }
    let mut cells_total: u128 = 0;
    for pos in sheets {
        if pos >= stream.len() {
            return Err(Error::new(
                ErrorKind::Malformed,
                "a sheet of the .xls workbook points past the end of its stream",
            )
            .with_hint("open it and save it again in Excel"));
        }
        let mut values = Extent::default();
        let mut formulas = Extent::default();
        let mut reserved: u128 = 0;
        let mut depth = 0usize;
        let mut seen_bof = false;
        for (typ, data) in records(stream, pos) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let at = |d: &[u8]| Some((u16_at(d, 0)?, u16_at(d, 2)?));
            match typ {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x0200 => reserved += declared_cells(data),
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                    if let Some((r, c)) = at(data) {
                        values.add(r, c);
                    }
                }
                0x0006 => {
                    if let Some((r, c)) = at(data) {
                        values.add(r, c);
                        formulas.add(r, c);
                    }
                }
                0x00BD => {
                    if let (Some((r, first)), Some(last)) = (
                        at(data),
                        data.len().checked_sub(2).and_then(|e| u16_at(data, e)),
                    ) {
                        values.add(r, first);
                        values.add(r, last.max(first));
                    }
                }
                0x000A => break,
                _ => {}
            }
        }
        cells_total += values.cells().max(reserved);
        total +=
            reserved * cell_bytes + values.cells() * data_bytes + formulas.cells() * string_bytes;
        if total > u128::from(limits.max_decompressed_bytes)
            || cells_total > u128::from(limits.max_cells)
        {
            return Err(too_large_xls(
                limits.max_decompressed_bytes,
                &format!(
                    "its sheets declare or span {cells_total} cells, over the limit of {} cells",
                    limits.max_cells
                ),
            ));
        }
    }
    Ok(())
}

/// The cells a DIMENSIONS record makes calamine reserve, computed as calamine does
/// (including its wrap-around when the last row is before the first).
fn declared_cells(d: &[u8]) -> u128 {
    let (rf, rl, cf, cl) = match d.len() {
        10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
        14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
        _ => return 0,
    };
    let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = (rf, rl, cf, cl) else {
        return 0;
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    if rl == 0 || cl == 0 {
        return 1;
    }
    let rows = ((rl - 1).wrapping_sub(rf) as usize).wrapping_add(1);
    let cols = ((cl - 1).wrapping_sub(cf) as usize).wrapping_add(1);
    (rows as u128) * (cols as u128)
}

/// The bounding box of cell positions.
#[derive(Default)]
struct Extent {
    bounds: Option<(u32, u32, u32, u32)>,
}

impl Extent {
    fn add(&mut self, r: u32, c: u32) {
        self.bounds = Some(match self.bounds {
            None => (r, r, c, c),
            Some((r0, r1, c0, c1)) => (r0.min(r), r1.max(r), c0.min(c), c1.max(c)),
        });
    }
    fn cells(&self) -> u128 {
        self.bounds.map_or(0, |(r0, r1, c0, c1)| {
            u128::from(r1 - r0 + 1) * u128::from(c1 - c0 + 1)
        })
    }
}
