//! Type inference: a small lattice over the values of one column.
//!
//! Every source (CSV text, JSON values, Excel cells, Parquet strings) feeds [`Cell`]s
//! into an [`Inference`], which narrows what the column can be:
//!
//! ```text
//!            null
//!          /  |   \
//!      bool  int   date / datetime / time (one exact format)
//!             |
//!           float
//!    everything ──▶ text
//! ```
//!
//! Promotions: `int + float → float`; a float column whose values are all integral
//! (`181.0`, what pandas writes for an int column with gaps) → int; any mix across
//! branches (number + date, bool + number, native datetime + text) → text. Numbers with
//! a leading zero (`02134`) are codes, not numbers → text, so ZIP codes and IDs keep
//! their zeros. Null tokens (empty, `NA`, `N/A`, `null`, `NaN`, `None`...) are nulls in
//! every column. A datetime column keeps the first format (in priority order) that
//! parsed every value, so output can be written exactly the same way.

use super::datetime::{self, TemporalKind};
use crate::table::LogicalType;
use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, NullArray,
    StringBuilder, Time64MicrosecondBuilder, TimestampMicrosecondBuilder,
};
use chrono::{NaiveDateTime, Timelike};
use std::sync::Arc;

/// One value as a source hands it over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'a str),
    /// A typed date-time (Excel date cell, Parquet timestamp); `Date` when midnight-only.
    DateTime(NaiveDateTime),
}

/// Missing-value spellings (pandas' defaults, less `-nan` and friends).
pub(crate) fn is_null_token(s: &str) -> bool {
    // Hot path: called for every field. Nothing longer than 4 bytes is a token, and a
    // field that starts with a digit never is.
    let b = s.as_bytes();
    if b.len() > 4 && !b[0].is_ascii_whitespace() && !b[b.len() - 1].is_ascii_whitespace() {
        return false;
    }
    if b.first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    matches!(
        s.trim(),
        "" | "NA"
            | "N/A"
            | "n/a"
            | "na"
            | "NaN"
            | "nan"
            | "NAN"
            | "null"
            | "NULL"
            | "Null"
            | "None"
            | "none"
            | "#N/A"
            | "<NA>"
            | "NaT"
    )
}

fn bool_token(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" => Some(false),
        _ => None,
    }
}

/// A number read from text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    Int(i64),
    /// The value and its decimal digits as written.
    Float(f64, u8),
}

/// Parses a number the way people write them in data files; `decimal_comma` allows
/// `1,5` (only offered when the delimiter is not a comma).
pub(crate) fn parse_number(s: &str, decimal_comma: bool) -> Option<Number> {
    let t = if s.as_bytes().first().is_some_and(u8::is_ascii_whitespace)
        || s.as_bytes().last().is_some_and(u8::is_ascii_whitespace)
    {
        s.trim()
    } else {
        s
    };
    let b = t.as_bytes();
    if b.is_empty() || b.len() > 64 {
        return None;
    }
    let digits_start = usize::from(b[0] == b'-' || b[0] == b'+');
    let body = &b[digits_start..];
    if body.is_empty() || !(body[0].is_ascii_digit() || body[0] == b'.') {
        return None; // rejects "inf", "nan", "e5", "-"
    }
    // A leading zero followed by a digit is a code (ZIP, ID), not a number.
    if body.len() > 1 && body[0] == b'0' && body[1].is_ascii_digit() {
        return None;
    }
    if let Some(n) = plain_decimal(b[0] == b'-', body) {
        return Some(n);
    }
    if body.iter().all(u8::is_ascii_digit) {
        return t.parse::<i64>().ok().map(Number::Int).or_else(|| {
            // Too long for i64: a float if it is numeric at all.
            t.parse::<f64>().ok().map(|f| Number::Float(f, 0))
        });
    }
    let owned;
    let t = if decimal_comma && t.contains(',') {
        if t.contains('.') || t.matches(',').count() != 1 {
            return None;
        }
        owned = t.replace(',', ".");
        owned.as_str()
    } else {
        t
    };
    if !t
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    let f = t.parse::<f64>().ok()?;
    if !f.is_finite() {
        return None;
    }
    let decimals = match (t.find('.'), t.find(['e', 'E'])) {
        (Some(dot), None) => (t.len() - dot - 1).min(18) as u8,
        (Some(dot), Some(e)) if e > dot => (e - dot - 1).min(18) as u8,
        _ => 0,
    };
    Some(Number::Float(f, decimals))
}

/// The common case, `123` or `-12.345` with at most 15 significant digits, parsed in
/// one pass. Exact: a mantissa below 2^53 divided by a power of ten up to 10^22 is
/// correctly rounded (Clinger's fast path), so this agrees with `str::parse::<f64>`.
/// Everything else returns None and takes the general path.
fn plain_decimal(negative: bool, body: &[u8]) -> Option<Number> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut decimals: Option<usize> = None;
    for &c in body {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                digits += 1;
                if digits > 15 {
                    return None;
                }
                if let Some(d) = decimals.as_mut() {
                    *d += 1;
                }
            }
            b'.' if decimals.is_none() => decimals = Some(0),
            _ => return None,
        }
    }
    match decimals {
        None if digits > 0 => {
            let v = mantissa as i64;
            Some(Number::Int(if negative { -v } else { v }))
        }
        Some(d) if d > 0 && digits > d => {
            let v = mantissa as f64 / POW10[d];
            Some(Number::Float(if negative { -v } else { v }, d as u8))
        }
        _ => None,
    }
}

/// Decimal digits of a float as its shortest round-trip representation writes it.
pub(crate) fn float_decimals(f: f64) -> u8 {
    if f.fract() == 0.0 || !f.is_finite() {
        return 0;
    }
    let s = f.to_string();
    match s.find('.') {
        Some(dot) if !s.contains('e') => (s.len() - dot - 1).min(18) as u8,
        _ => 6,
    }
}

/// What one column can still be, narrowed value by value. Merging two is the same as
/// observing both value streams (so chunks can be inferred apart).
#[derive(Debug, Clone)]
pub(crate) struct Inference {
    pub nulls: u64,
    pub values: u64,
    decimal_comma_allowed: bool,
    /// Text values seen (not null tokens).
    texts: u64,
    native_bools: u64,
    native_numbers: u64,
    native_datetimes: u64,
    native_dt_with_time: bool,
    /// Every text value so far is a bool token.
    text_bool: bool,
    /// Every text value so far is a number.
    text_number: bool,
    /// Formats that parsed every text value so far.
    date_mask: u64,
    /// No branch but text is left: stop checking.
    settled_text: bool,
    all_integral: bool,
    saw_float: bool,
    decimals: u8,
    used_decimal_comma: bool,
    pub int_min: i64,
    pub int_max: i64,
}

/// The decided type of a column with how to read its values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub logical: LogicalType,
    pub format: Option<String>,
    pub decimals: Option<u8>,
    pub decimal_comma: bool,
    /// Epoch integers read as datetimes: µs per unit.
    pub epoch_unit_us: Option<i64>,
}

impl Inference {
    pub fn new(decimal_comma_allowed: bool) -> Self {
        Inference {
            nulls: 0,
            values: 0,
            decimal_comma_allowed,
            texts: 0,
            native_bools: 0,
            native_numbers: 0,
            native_datetimes: 0,
            native_dt_with_time: false,
            text_bool: true,
            text_number: true,
            date_mask: datetime::all_formats(),
            settled_text: false,
            all_integral: true,
            saw_float: false,
            decimals: 0,
            used_decimal_comma: false,
            int_min: i64::MAX,
            int_max: i64::MIN,
        }
    }

    fn note_int(&mut self, i: i64) {
        self.int_min = self.int_min.min(i);
        self.int_max = self.int_max.max(i);
    }

    fn note_float(&mut self, f: f64, decimals: u8) {
        self.saw_float = true;
        if f.fract() != 0.0 || f.abs() >= 9.0e15 {
            self.all_integral = false;
        } else {
            self.note_int(f as i64);
        }
        self.decimals = self.decimals.max(decimals);
    }

    pub fn observe(&mut self, cell: Cell<'_>) {
        match cell {
            Cell::Null => self.nulls += 1,
            Cell::Text(s) if is_null_token(s) => self.nulls += 1,
            Cell::Text(s) => {
                self.values += 1;
                self.texts += 1;
                if !self.settled_text {
                    self.observe_text(s);
                }
            }
            Cell::Bool(_) => {
                self.values += 1;
                self.native_bools += 1;
            }
            Cell::Int(i) => {
                self.values += 1;
                self.native_numbers += 1;
                self.note_int(i);
            }
            Cell::Float(f) => {
                self.values += 1;
                self.native_numbers += 1;
                if f.is_finite() {
                    self.note_float(f, float_decimals(f));
                } else {
                    self.all_integral = false;
                    self.saw_float = true;
                }
            }
            Cell::DateTime(dt) => {
                self.values += 1;
                self.native_datetimes += 1;
                if dt.time().num_seconds_from_midnight() != 0 || dt.time().nanosecond() != 0 {
                    self.native_dt_with_time = true;
                }
            }
        }
    }

    fn observe_text(&mut self, s: &str) {
        if self.text_bool && bool_token(s).is_none() {
            self.text_bool = false;
        }
        if self.text_number {
            match parse_number(s, self.decimal_comma_allowed) {
                Some(Number::Int(i)) => self.note_int(i),
                Some(Number::Float(f, d)) => {
                    if s.contains(',') {
                        self.used_decimal_comma = true;
                    }
                    self.note_float(f, d);
                }
                None => self.text_number = false,
            }
        }
        if self.date_mask != 0 {
            self.date_mask = datetime::surviving(self.date_mask, s.trim());
        }
        if !self.text_bool && !self.text_number && self.date_mask == 0 {
            self.settled_text = true;
        }
    }

    /// Decides the column's type. `name` lets integer columns named like timestamps
    /// (`created_at`, `epoch`, `ts`) whose values are in the epoch range read as datetimes.
    pub fn decide(&self, name: &str) -> Decision {
        let mut d = Decision {
            logical: LogicalType::Text,
            format: None,
            decimals: None,
            decimal_comma: false,
            epoch_unit_us: None,
        };
        if self.values == 0 {
            d.logical = LogicalType::Null;
            return d;
        }
        let natives = [
            self.native_bools,
            self.native_numbers,
            self.native_datetimes,
        ]
        .iter()
        .filter(|&&n| n > 0)
        .count();
        if natives > 1 {
            return d;
        }
        let texts = self.texts > 0;
        if self.native_bools > 0 || (texts && self.text_bool && natives == 0) {
            if !texts || self.text_bool {
                d.logical = LogicalType::Boolean;
            }
            return d;
        }
        if self.native_numbers > 0 || (texts && self.text_number && natives == 0) {
            if texts && !self.text_number {
                return d;
            }
            if self.all_integral {
                d.logical = LogicalType::Integer;
                if let Some(unit) = epoch_unit(name, self.int_min, self.int_max) {
                    d.logical = LogicalType::DateTime;
                    d.format = Some(
                        if unit == 1_000_000 {
                            "epoch_s"
                        } else {
                            "epoch_ms"
                        }
                        .into(),
                    );
                    d.epoch_unit_us = Some(unit);
                }
            } else {
                d.logical = LogicalType::Float;
                d.decimals = Some(self.decimals);
                d.decimal_comma = self.used_decimal_comma;
            }
            return d;
        }
        if self.native_datetimes > 0 {
            if !texts {
                if self.native_dt_with_time {
                    d.logical = LogicalType::DateTime;
                    d.format = Some("%Y-%m-%d %H:%M:%S".into());
                } else {
                    d.logical = LogicalType::Date;
                    d.format = Some("%Y-%m-%d".into());
                }
            }
            return d;
        }
        if let Some(f) = datetime::first(self.date_mask) {
            d.logical = match f.kind {
                TemporalKind::Date => LogicalType::Date,
                TemporalKind::DateTime => LogicalType::DateTime,
                TemporalKind::Time => LogicalType::Time,
            };
            d.format = Some(f.pattern.to_string());
        }
        d
    }
}

/// µs per unit when an integer column is really epoch time, judged by name and range.
fn epoch_unit(name: &str, min: i64, max: i64) -> Option<i64> {
    let n = name.to_ascii_lowercase();
    let hinted = n.contains("epoch")
        || n.contains("timestamp")
        || n.ends_with("_at")
        || n.ends_with("_ts")
        || n == "ts"
        || n.ends_with("_time_s")
        || n.ends_with("_ms");
    if !hinted || min > max {
        return None;
    }
    // 2000-01-01 .. 2100-01-01
    const LO: i64 = 946_684_800;
    const HI: i64 = 4_102_444_800;
    if min >= LO && max <= HI {
        Some(1_000_000)
    } else if min >= LO * 1000 && max <= HI * 1000 {
        Some(1000)
    } else {
        None
    }
}

/// Builds the Arrow array of a decided column from the same cells.
#[derive(Debug)]
pub(crate) enum ColumnBuilder {
    Null(usize),
    Bool(BooleanBuilder),
    Int(Int64Builder),
    Float(Float64Builder, bool),
    Date(Date32Builder, Option<&'static datetime::DateFormat>),
    DateTime(
        TimestampMicrosecondBuilder,
        Option<&'static datetime::DateFormat>,
        Option<i64>,
    ),
    Time(
        Time64MicrosecondBuilder,
        Option<&'static datetime::DateFormat>,
    ),
    Text(StringBuilder),
}

impl ColumnBuilder {
    pub fn new(d: &Decision, capacity: usize) -> Self {
        let fmt = d.format.as_deref().and_then(datetime::by_pattern);
        match d.logical {
            LogicalType::Null => ColumnBuilder::Null(0),
            LogicalType::Boolean => ColumnBuilder::Bool(BooleanBuilder::with_capacity(capacity)),
            LogicalType::Integer => ColumnBuilder::Int(Int64Builder::with_capacity(capacity)),
            LogicalType::Float => {
                ColumnBuilder::Float(Float64Builder::with_capacity(capacity), d.decimal_comma)
            }
            LogicalType::Date => ColumnBuilder::Date(Date32Builder::with_capacity(capacity), fmt),
            LogicalType::DateTime => ColumnBuilder::DateTime(
                TimestampMicrosecondBuilder::with_capacity(capacity),
                fmt,
                d.epoch_unit_us,
            ),
            LogicalType::Time => {
                ColumnBuilder::Time(Time64MicrosecondBuilder::with_capacity(capacity), fmt)
            }
            LogicalType::Text => {
                ColumnBuilder::Text(StringBuilder::with_capacity(capacity, 16 * capacity))
            }
        }
    }

    pub fn push(&mut self, cell: Cell<'_>) {
        let cell = match cell {
            Cell::Text(s) if is_null_token(s) => Cell::Null,
            c => c,
        };
        match self {
            ColumnBuilder::Null(n) => *n += 1,
            ColumnBuilder::Bool(b) => b.append_option(match cell {
                Cell::Bool(v) => Some(v),
                Cell::Text(s) => bool_token(s),
                _ => None,
            }),
            ColumnBuilder::Int(b) => b.append_option(match cell {
                Cell::Int(i) => Some(i),
                Cell::Float(f) => Some(f as i64),
                Cell::Text(s) => match parse_number(s, false) {
                    Some(Number::Int(i)) => Some(i),
                    Some(Number::Float(f, _)) => Some(f as i64),
                    None => None,
                },
                _ => None,
            }),
            ColumnBuilder::Float(b, comma) => b.append_option(match cell {
                Cell::Int(i) => Some(i as f64),
                Cell::Float(f) => Some(f),
                Cell::Text(s) => match parse_number(s, *comma) {
                    Some(Number::Int(i)) => Some(i as f64),
                    Some(Number::Float(f, _)) => Some(f),
                    None => None,
                },
                _ => None,
            }),
            ColumnBuilder::Date(b, fmt) => b.append_option(match cell {
                Cell::Text(s) => fmt
                    .and_then(|f| datetime::parse(f, s.trim().as_bytes()))
                    .map(|d| d as i32),
                Cell::DateTime(dt) => Some(
                    dt.date()
                        .signed_duration_since(datetime::epoch_date())
                        .num_days() as i32,
                ),
                _ => None,
            }),
            ColumnBuilder::DateTime(b, fmt, epoch) => b.append_option(match cell {
                Cell::Text(s) => match epoch {
                    Some(unit) => match parse_number(s, false) {
                        Some(Number::Int(i)) => i.checked_mul(*unit),
                        _ => None,
                    },
                    None => fmt.and_then(|f| datetime::parse(f, s.trim().as_bytes())),
                },
                Cell::Int(i) => epoch.and_then(|unit| i.checked_mul(unit)),
                Cell::Float(f) => epoch.map(|unit| f as i64 * unit),
                Cell::DateTime(dt) => Some(dt.and_utc().timestamp_micros()),
                _ => None,
            }),
            ColumnBuilder::Time(b, fmt) => b.append_option(match cell {
                Cell::Text(s) => fmt.and_then(|f| datetime::parse(f, s.trim().as_bytes())),
                Cell::DateTime(dt) => Some(
                    i64::from(dt.time().num_seconds_from_midnight()) * 1_000_000
                        + i64::from(dt.time().nanosecond() / 1000),
                ),
                _ => None,
            }),
            ColumnBuilder::Text(b) => match cell {
                Cell::Null => b.append_null(),
                Cell::Text(s) => b.append_value(s),
                Cell::Bool(v) => b.append_value(if v { "true" } else { "false" }),
                Cell::Int(i) => b.append_value(i.to_string()),
                Cell::Float(f) => b.append_value(f.to_string()),
                Cell::DateTime(dt) => b.append_value(dt.format("%Y-%m-%d %H:%M:%S").to_string()),
            },
        }
    }

    pub fn finish(self) -> ArrayRef {
        match self {
            ColumnBuilder::Null(n) => Arc::new(NullArray::new(n)),
            ColumnBuilder::Bool(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Int(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Float(mut b, _) => Arc::new(b.finish()),
            ColumnBuilder::Date(mut b, _) => Arc::new(b.finish()),
            ColumnBuilder::DateTime(mut b, fmt, _) => {
                let utc = fmt.is_some_and(|f| f.pattern.contains('z') || f.pattern.ends_with('Z'));
                let a = b.finish();
                Arc::new(if utc { a.with_timezone("UTC") } else { a })
            }
            ColumnBuilder::Time(mut b, _) => Arc::new(b.finish()),
            ColumnBuilder::Text(mut b) => Arc::new(b.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(values: &[&str]) -> Decision {
        let mut inf = Inference::new(false);
        for v in values {
            inf.observe(Cell::Text(v));
        }
        inf.decide("x")
    }

    #[test]
    fn lattice_promotions() {
        assert_eq!(decide(&["1", "2", ""]).logical, LogicalType::Integer);
        assert_eq!(decide(&["1", "2.5"]).logical, LogicalType::Float);
        assert_eq!(
            decide(&["181.0", "NA", "186.0"]).logical,
            LogicalType::Integer
        );
        assert_eq!(decide(&["true", "False"]).logical, LogicalType::Boolean);
        assert_eq!(decide(&["1", "true"]).logical, LogicalType::Text);
        assert_eq!(decide(&["02134", "10001"]).logical, LogicalType::Text);
        assert_eq!(decide(&["2020-01-01", "1"]).logical, LogicalType::Text);
        assert_eq!(decide(&["NA", ""]).logical, LogicalType::Null);
        assert_eq!(decide(&["inf", "nan"]).logical, LogicalType::Text);
        let d = decide(&["3.10", "2.5"]);
        assert_eq!((d.logical, d.decimals), (LogicalType::Float, Some(2)));
    }

    #[test]
    fn fast_number_path_agrees_with_the_standard_parser() {
        let cases = [
            "0",
            "7",
            "-7",
            "123456789012345",
            "0.1",
            "0.3",
            "-12.345",
            "517.0",
            "3.10",
            "99999999999999.9",
            "1.7976931348623157",
            "2.2250738585072014",
            "4.35",
            "0.000001",
        ];
        for s in cases {
            let want = if s.contains('.') {
                Number::Float(
                    s.parse().unwrap(),
                    (s.len() - s.find('.').unwrap() - 1) as u8,
                )
            } else {
                Number::Int(s.parse().unwrap())
            };
            assert_eq!(parse_number(s, false), Some(want), "{s}");
        }
        // Not plain: left to the general path, same answers as before.
        assert_eq!(parse_number("1e3", false), Some(Number::Float(1000.0, 0)));
        assert_eq!(
            parse_number("1234567890123456789", false),
            Some(Number::Int(1234567890123456789))
        );
        assert_eq!(parse_number(".5", false), Some(Number::Float(0.5, 1)));
        assert_eq!(parse_number("5.", false), Some(Number::Float(5.0, 0)));
        assert_eq!(parse_number("1.2.3", false), None);
    }

    #[test]
    fn decimal_comma_only_when_allowed() {
        let mut inf = Inference::new(true);
        for v in ["1,5", "2,25"] {
            inf.observe(Cell::Text(v));
        }
        let d = inf.decide("x");
        assert_eq!(d.logical, LogicalType::Float);
        assert!(d.decimal_comma);
        assert_eq!(decide(&["1,5"]).logical, LogicalType::Text);
    }

    #[test]
    fn epoch_integers_by_name_and_range() {
        let mut inf = Inference::new(false);
        for v in ["1700000000", "1700003600"] {
            inf.observe(Cell::Text(v));
        }
        let d = inf.decide("created_at");
        assert_eq!(d.logical, LogicalType::DateTime);
        assert_eq!(d.format.as_deref(), Some("epoch_s"));
        assert_eq!(inf.decide("amount").logical, LogicalType::Integer);
    }

    #[test]
    fn ambiguous_day_month_resolved_by_values() {
        assert_eq!(
            decide(&["01/02/2020", "03/04/2020"]).format.as_deref(),
            Some("%m/%d/%Y")
        );
        assert_eq!(
            decide(&["01/02/2020", "25/04/2020"]).format.as_deref(),
            Some("%d/%m/%Y")
        );
    }
}
