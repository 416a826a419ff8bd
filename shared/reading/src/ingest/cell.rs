//! One cell read the way ingest reads a column, for callers above the wall that parse
//! text by the real column's rules: `evaluate` reads a synthetic CSV's cells with the
//! format the real column was read with, so both tables are compared as the same values.

use super::{datetime, infer};

const NS_PER_DAY: i64 = 86_400_000_000_000;

/// A number as ingest reads one (`1e3`, `-2.5`, and as people write them: `$1,234.56`,
/// `(149.68)`, `1.234,56 €`); NaN is not a value.
pub fn number(s: &str) -> Option<f64> {
    infer::text_number(s, false)
        .or_else(|| crate::written::read_number(s, true).map(|r| r.value))
        .filter(|x| !x.is_nan())
}

/// One of the datetime formats ingest recognises, found by its chrono pattern.
#[derive(Debug, Clone, Copy)]
pub struct KnownFormat(&'static datetime::DateFormat);

impl KnownFormat {
    /// The format with this pattern (`%m/%d/%Y`), if ingest knows it.
    pub fn by_pattern(pattern: &str) -> Option<Self> {
        datetime::by_pattern(pattern).map(KnownFormat)
    }
}

/// Text as nanoseconds since 1970 (dates at midnight, times since midnight): with
/// `format` first when given, else with the first format ingest knows that reads it.
pub fn time_ns(s: &str, format: Option<KnownFormat>) -> Option<f64> {
    let s = s.trim();
    let fmt = format
        .map(|f| f.0)
        .filter(|f| datetime::parse(f, s.as_bytes()).is_some())
        .or_else(|| datetime::first(datetime::surviving(datetime::all_formats(), s)))?;
    let v = datetime::parse(fmt, s.as_bytes())?;
    Some(match fmt.kind {
        datetime::TemporalKind::Date => (v * NS_PER_DAY) as f64,
        datetime::TemporalKind::DateTime | datetime::TemporalKind::Time => v
            .checked_mul(1000)
            .map_or(v as f64 * 1000.0, |ns| ns as f64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_ingest_reads_them() {
        assert_eq!(number(" 1e3"), Some(1000.0));
        assert_eq!(number("NaN"), None);
        assert_eq!(number("($1,234.50)"), Some(-1234.5));
        assert_eq!(number("12,5 %"), Some(12.5));
        let us = KnownFormat::by_pattern("%m/%d/%Y");
        assert!(us.is_some());
        assert_eq!(time_ns("01/02/1970", us), Some(NS_PER_DAY as f64));
        assert_eq!(time_ns("1970-01-02", None), Some(NS_PER_DAY as f64));
    }
}
