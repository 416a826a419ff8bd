//! Fixed, data-independent bins for numbers, dates and times of day.
//!
//! Differential privacy needs histograms whose bins do not depend on the data (a bin
//! edge at the true minimum would release it). These bins cover every value a column
//! can hold: numbers by sign, binary exponent and an eighth of the mantissa (about 9 %
//! relative width, from 2^-32 to 2^64), dates and datetimes by calendar month from 1900
//! to 2099 (earlier or later values fall in the end bins), times of day by five
//! minutes. The profile counts values per bin (sparse, exact); the guard adds noise to
//! every bin of the domain, empty ones included.

use crate::table::LogicalType;

/// Exponents covered by number bins: 2^MIN_EXP ..= 2^(MAX_EXP+1).
const MIN_EXP: i32 = -32;
const MAX_EXP: i32 = 63;
/// Sub-bins per power of two.
const SUB: i32 = 8;
/// Number bins on each side of zero.
const NUMBER_SIDE: i32 = (MAX_EXP - MIN_EXP + 1) * SUB;
/// Months from January 1900 to December 2099.
const MONTHS: i32 = 200 * 12;
/// Five-minute slots in a day.
const SLOTS: i32 = 24 * 12;

/// Which binning a column's values use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binning {
    /// Numbers: `-NUMBER_SIDE..=NUMBER_SIDE`, 0 for zero.
    Number,
    /// Dates and datetimes (seconds since 1970): month index 0..MONTHS.
    Month,
    /// Times of day (seconds since midnight): slot 0..SLOTS.
    Slot,
}

impl Binning {
    /// The binning of a logical type.
    pub(crate) fn of(logical: LogicalType) -> Binning {
        match logical {
            LogicalType::Date | LogicalType::DateTime => Binning::Month,
            LogicalType::Time => Binning::Slot,
            _ => Binning::Number,
        }
    }

    /// Every bin index of the domain, in value order.
    pub(crate) fn domain(self) -> std::ops::RangeInclusive<i32> {
        match self {
            Binning::Number => -NUMBER_SIDE..=NUMBER_SIDE,
            Binning::Month => 0..=MONTHS - 1,
            Binning::Slot => 0..=SLOTS - 1,
        }
    }

    /// The bin of a value (seconds for temporal columns).
    pub(crate) fn bin(self, x: f64) -> i32 {
        match self {
            Binning::Number => number_bin(x),
            Binning::Month => {
                let days = (x / 86_400.0).floor();
                let dt = chrono::DateTime::from_timestamp((days * 86_400.0) as i64, 0)
                    .map(|d| d.naive_utc());
                let month = dt.map_or(0, |d| {
                    use chrono::Datelike;
                    (d.year() - 1900) * 12 + d.month0() as i32
                });
                month.clamp(0, MONTHS - 1)
            }
            Binning::Slot => ((x / 300.0).floor() as i32).clamp(0, SLOTS - 1),
        }
    }

    /// The values a bin spans, `[low, high)` (seconds for temporal columns).
    pub(crate) fn span(self, bin: i32) -> (f64, f64) {
        match self {
            Binning::Number => number_span(bin),
            Binning::Month => {
                let start = |m: i32| {
                    chrono::NaiveDate::from_ymd_opt(1900 + m / 12, (m % 12) as u32 + 1, 1)
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .map_or(0.0, |d| d.and_utc().timestamp() as f64)
                };
                (start(bin), start(bin + 1))
            }
            Binning::Slot => (f64::from(bin) * 300.0, f64::from(bin + 1) * 300.0),
        }
    }
}

fn number_bin(x: f64) -> i32 {
    if x == 0.0 || !x.is_finite() {
        return 0;
    }
    let a = x.abs();
    let e = a.log2().floor() as i32;
    let (e, sub) = if e < MIN_EXP {
        (MIN_EXP, 0)
    } else if e > MAX_EXP {
        (MAX_EXP, SUB - 1)
    } else {
        let f = a / 2f64.powi(e) - 1.0;
        (e, ((f * f64::from(SUB)).floor() as i32).clamp(0, SUB - 1))
    };
    let i = 1 + (e - MIN_EXP) * SUB + sub;
    let i = i.min(NUMBER_SIDE);
    if x < 0.0 { -i } else { i }
}

fn number_span(bin: i32) -> (f64, f64) {
    if bin == 0 {
        return (0.0, 0.0);
    }
    let i = bin.abs() - 1;
    let e = MIN_EXP + i / SUB;
    let sub = i % SUB;
    let base = 2f64.powi(e);
    // The first bin on each side also holds every smaller magnitude.
    let lo = if i == 0 {
        0.0
    } else {
        base * (1.0 + f64::from(sub) / f64::from(SUB))
    };
    let hi = base * (1.0 + f64::from(sub + 1) / f64::from(SUB));
    if bin < 0 { (-hi, -lo) } else { (lo, hi) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_falls_inside_its_bin() {
        for x in [1.0, 1.5, -3.25, 1e-12, 12_345.678, -0.001, 1e18, 7.0] {
            let b = Binning::Number.bin(x);
            let (lo, hi) = Binning::Number.span(b);
            assert!(lo <= x && x <= hi, "{x} in bin {b} = [{lo}, {hi})");
            assert!(Binning::Number.domain().contains(&b));
        }
        assert_eq!(Binning::Number.bin(0.0), 0);
        assert!(Binning::Number.bin(2.0) > Binning::Number.bin(1.9));
    }

    #[test]
    fn months_and_slots_cover_their_values() {
        let t = 1_700_000_000.0; // 2023-11-14
        let b = Binning::Month.bin(t);
        let (lo, hi) = Binning::Month.span(b);
        assert!(lo <= t && t < hi);
        assert_eq!(Binning::Slot.bin(3600.0 + 299.0), 12);
    }
}
