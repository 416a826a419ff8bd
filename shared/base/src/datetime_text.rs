//! Datetime text both sides of the wall agree on: the ISO forms a spec writes its
//! ranges in, and the output formats export may write. The guard checks a format before
//! it releases one and the compiler checks it before it accepts one, with this one rule.

use crate::error::{Error, ErrorKind, Result};
use crate::table::LogicalType;
use chrono::format::{Item, StrftimeItems};

/// 1970-01-01: day 0 of every day count in the core.
pub const EPOCH: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

/// First characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Checks that a datetime output format can be written: a chrono pattern that does not
/// start like a spreadsheet formula (`=HYPERLINK(...)`) and holds no control character.
pub fn check_datetime_format(format: &str) -> Result<()> {
    if format == "epoch_s" || format == "epoch_ms" {
        return Ok(());
    }
    if format.starts_with(FORMULA_TRIGGERS) || format.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorKind::InvalidDocument,
            format!("{format:?} would write cells that start like a formula"),
        ));
    }
    if format.is_empty() || StrftimeItems::new(format).any(|i| matches!(i, Item::Error)) {
        return Err(Error::new(
            ErrorKind::InvalidDocument,
            format!("{format:?} is not a chrono format"),
        ));
    }
    Ok(())
}

/// Parses an ISO value of a datetime spec into days (dates) or µs (datetimes, times).
pub fn parse_iso(s: &str, logical: LogicalType) -> Option<f64> {
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
    let s = s.trim();
    let epoch = EPOCH;
    match logical {
        LogicalType::Date => {
            let d = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
            Some((d - epoch).num_days() as f64)
        }
        LogicalType::DateTime => {
            let t = [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), f).ok())
            .or_else(|| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            })?;
            Some(t.and_utc().timestamp_micros() as f64)
        }
        LogicalType::Time => {
            let t = NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
                .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
                .ok()?;
            Some(f64::from(t.num_seconds_from_midnight()) * 1e6 + f64::from(t.nanosecond() / 1000))
        }
        _ => None,
    }
}

/// Whole years from one day to another (days since 1970): an age on a date, one less
/// before the birthday. `None` outside chrono's calendar.
pub fn whole_years(from: i64, to: i64) -> Option<i64> {
    use chrono::Datelike;
    let day = |d: i64| EPOCH.checked_add_signed(chrono::TimeDelta::try_days(d)?);
    let (a, b) = (day(from)?, day(to)?);
    let before_birthday = (b.month(), b.day()) < (a.month(), a.day());
    Some(i64::from(b.year() - a.year()) - i64::from(before_birthday))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_formats_are_checked() {
        assert!(check_datetime_format("%Y-%m-%d").is_ok());
        assert!(check_datetime_format("epoch_ms").is_ok());
        assert!(check_datetime_format("%Q").is_err());
        assert!(check_datetime_format("").is_err());
    }

    #[test]
    fn iso_values_parse_to_days_and_microseconds() {
        assert_eq!(parse_iso("1970-01-02", LogicalType::Date), Some(1.0));
        assert_eq!(
            parse_iso("1970-01-01T00:00:01Z", LogicalType::DateTime),
            Some(1e6)
        );
        assert_eq!(parse_iso("00:01", LogicalType::Time), Some(60e6));
        assert_eq!(parse_iso("soon", LogicalType::Date), None);
    }
}
