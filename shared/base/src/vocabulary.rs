//! The words both sides of the privacy wall share: what a column is, its time
//! resolution, a histogram, an exact relation, a personal-data type. Plain data with
//! no reading code, so that `wire` and the making side (template, spec, generate) can
//! name them without reaching into `profile`, which re-exports them for the reading
//! side.

use crate::datetime_text::EPOCH;
use serde::{Deserialize, Serialize};

/// A conditional this strong is a functional dependency: the `by` value fixes the
/// target (η² for a number; for a category, the share of rows holding their group's
/// most frequent value). The profile finds them, the guard keeps their small groups,
/// the template orders the `by` column's values by them.
pub const DETERMINED: f64 = 0.95;

/// Bins over a range (equal-width as profiled; the guard may merge neighbours); values
/// outside it fall into the end bins.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Histogram {
    /// Bin edges, one more than the counts.
    pub edges: Vec<f64>,
    /// Values per bin.
    pub counts: Vec<u64>,
}

/// A relation that held on every complete row (on nearly every row where its doc says).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// `target = left + right`.
    Sum {
        /// The derived column.
        target: String,
        /// First operand.
        left: String,
        /// Second operand.
        right: String,
    },
    /// `target = left − right`.
    Difference {
        /// The derived column.
        target: String,
        /// Minuend.
        left: String,
        /// Subtrahend.
        right: String,
    },
    /// `target = left × right`.
    Product {
        /// The derived column.
        target: String,
        /// First factor.
        left: String,
        /// Second factor.
        right: String,
    },
    /// `target` is a clock time written HHMM whose hours are `hour` and minutes
    /// `minute` (`target = hour·100 + minute`).
    ClockParts {
        /// The clock column.
        target: String,
        /// Its hours.
        hour: String,
        /// Its minutes.
        minute: String,
    },
    /// `target` is the clock time `minutes` after `clock`, around the clock (both
    /// written HHMM): a departure and its scheduled time and delay.
    ClockSum {
        /// The later clock column.
        target: String,
        /// The earlier clock column.
        clock: String,
        /// Minutes between them (may be negative).
        minutes: String,
    },
    /// `target` is the number of whole days from `earlier` to `later` (two dates or
    /// datetimes): a length of stay.
    DaysBetween {
        /// The number of days.
        target: String,
        /// The later date.
        later: String,
        /// The earlier date.
        earlier: String,
    },
    /// `target` is the number of whole years from `earlier` to `later`: an age at
    /// admission from a birth date.
    YearsBetween {
        /// The number of years.
        target: String,
        /// The later date.
        later: String,
        /// The earlier date (a birth date).
        earlier: String,
    },
    /// Each value of `by` (each pair of values of `by` and `second_by`, when given)
    /// comes with one value of `target` (on at least [`DETERMINED`] of the rows: a few
    /// tail numbers changed carrier).
    DeterminedBy {
        /// The dependent column.
        target: String,
        /// The determining column.
        by: String,
        /// A second determining column: the pair fixes `target`, `by` alone does not
        /// (a flight's origin and destination its distance).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        second_by: Option<String>,
    },
}

impl Rule {
    /// The columns the rule names.
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Rule::Sum {
                target,
                left,
                right,
            }
            | Rule::Difference {
                target,
                left,
                right,
            }
            | Rule::Product {
                target,
                left,
                right,
            } => {
                vec![target, left, right]
            }
            Rule::ClockParts {
                target,
                hour,
                minute,
            } => vec![target, hour, minute],
            Rule::ClockSum {
                target,
                clock,
                minutes,
            } => vec![target, clock, minutes],
            Rule::DaysBetween {
                target,
                later,
                earlier,
            }
            | Rule::YearsBetween {
                target,
                later,
                earlier,
            } => vec![target, later, earlier],
            Rule::DeterminedBy {
                target,
                by,
                second_by,
            } => [target, by]
                .into_iter()
                .chain(second_by)
                .map(String::as_str)
                .collect(),
        }
    }
}

/// What a column is, for synthesis.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Numbers with a distribution.
    Numeric,
    /// A limited set of repeated values.
    Categorical,
    /// true/false.
    Boolean,
    /// Dates, datetimes, times.
    Datetime,
    /// Free text: mostly distinct, several words (notes, names of things).
    Text,
    /// Keys and codes: (nearly) unique, one token (IDs, emails, SSNs).
    Identifier,
}

/// Time resolution of a temporal column.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Sub-second values.
    Subsecond,
    /// Whole seconds.
    Second,
    /// Whole minutes.
    Minute,
    /// Whole hours.
    Hour,
    /// Whole days.
    Day,
    /// First days of months.
    Month,
    /// First days of years.
    Year,
}

/// What whole numbers stand for when every value of a column is one: the generator
/// then makes valid values of that kind, written the same way.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NumberEncoding {
    /// A clock time as hours·100 + minutes (`1435` is 14:35, `2400` midnight at the
    /// end of a day).
    ClockHhmm,
    /// A date as year·10000 + month·100 + day (`20240131`).
    DateYyyymmdd,
    /// A duration as hours·100 + minutes, past 24 hours (`3730` is 37 h 30 min): time
    /// worked, time on a ward.
    DurationHhmm,
}

impl NumberEncoding {
    /// What every value of a sorted column of whole numbers stands for, if anything.
    /// Thirty distinct values at least: by chance alone, a column of that many codes
    /// passes a test below with a probability under 10⁻⁶.
    pub fn detect(sorted: &[f64], distinct: u64) -> Option<NumberEncoding> {
        let (lo, hi) = (*sorted.first()?, *sorted.last()?);
        if distinct < 30 || sorted.iter().any(|x| x.fract() != 0.0) {
            return None;
        }
        let all = |f: fn(i64) -> bool| sorted.iter().all(|&x| f(x as i64));
        if lo >= 0.0 && (100.0..=2400.0).contains(&hi) && all(|x| x % 100 < 60) {
            return Some(NumberEncoding::ClockHhmm);
        }
        // 1000-01-01 to 9999-12-31.
        if lo >= 10_000_101.0 && hi <= 99_991_231.0 && all(|x| yyyymmdd_days(x).is_some()) {
            return Some(NumberEncoding::DateYyyymmdd);
        }
        // Past a day: clocks stop at 2400. Amounts in steps of 50 or 100 have all
        // their last two digits below 60 too, but only one or two of them: real
        // minutes take a dozen values at least. A column whose hundreds are below 60
        // as well could as well be HHMMSS, and is left as numbers.
        let minutes: std::collections::BTreeSet<i64> =
            sorted.iter().map(|&x| x as i64 % 100).collect();
        let hhmmss = hi >= 10_000.0 && all(|x| (x / 100) % 100 < 60);
        if lo >= 0.0
            && hi > 2400.0
            && hi < 1e15
            && minutes.len() >= 12
            && minutes.iter().all(|&m| m < 60)
            && !hhmmss
        {
            return Some(NumberEncoding::DurationHhmm);
        }
        None
    }

    /// The value as a position on a line where the encoding's order and distances
    /// are real ones: minutes since midnight, days since 1970.
    pub fn to_line(self, x: f64) -> f64 {
        match self {
            // In floating point: a number from outside (a hostile spec) may be far beyond
            // any clock, and integer arithmetic would overflow.
            NumberEncoding::ClockHhmm | NumberEncoding::DurationHhmm => {
                let v = x.round();
                (v / 100.0).trunc() * 60.0 + v % 100.0
            }
            // A code that is no date (a hand-written spec's `20221165`) is taken at
            // the nearest real day of its month.
            NumberEncoding::DateYyyymmdd => {
                let v = x.round() as i64;
                let (y, m, d) = (v / 10_000, ((v / 100) % 100).clamp(1, 12), v % 100);
                (1..=d.clamp(1, 31))
                    .rev()
                    .find_map(|d| yyyymmdd_days(y * 10_000 + m * 100 + d))
                    .map_or(0.0, |days| days as f64)
            }
        }
    }

    /// The encoded value at a position of [`NumberEncoding::to_line`] (rounded down to
    /// a whole minute or day).
    pub fn from_line(self, p: f64) -> f64 {
        let p = p.floor();
        match self {
            NumberEncoding::ClockHhmm | NumberEncoding::DurationHhmm => {
                (p / 60.0).floor() * 100.0 + p.rem_euclid(60.0)
            }
            NumberEncoding::DateYyyymmdd => chrono::TimeDelta::try_days(p as i64)
                .and_then(|d| EPOCH.checked_add_signed(d))
                .map_or(p, |d| {
                    use chrono::Datelike;
                    f64::from(d.year() * 10_000 + d.month() as i32 * 100 + d.day() as i32)
                }),
        }
    }

    /// Plain words for the encoding, for people to read.
    pub fn label(self) -> &'static str {
        match self {
            NumberEncoding::ClockHhmm => "clock times written as HHMM",
            NumberEncoding::DateYyyymmdd => "dates written as YYYYMMDD",
            NumberEncoding::DurationHhmm => "durations written as hours and minutes (HHMM)",
        }
    }
}

/// Days since 1970 of a YYYYMMDD number that is a real date.
fn yyyymmdd_days(v: i64) -> Option<i64> {
    let (y, m, d) = (v / 10_000, (v / 100) % 100, v % 100);
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::try_from(y).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(d).ok()?,
    )?;
    Some((date - EPOCH).num_days())
}

/// What a column holds, when that is personal or identifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SemanticType {
    /// A full person name.
    PersonName,
    /// A given name.
    FirstName,
    /// A family name.
    LastName,
    /// An email address.
    Email,
    /// A phone or fax number.
    Phone,
    /// A street address.
    StreetAddress,
    /// A city or town.
    City,
    /// A ZIP or postal code.
    PostalCode,
    /// A US Social Security number.
    Ssn,
    /// A payment card number.
    CreditCard,
    /// An international bank account number.
    Iban,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A web address.
    Url,
    /// A UUID / GUID.
    Uuid,
    /// A medical record or patient number.
    MedicalRecordNumber,
    /// An account, member, policy or licence number.
    AccountNumber,
    /// A date of birth.
    DateOfBirth,
    /// Free text: sentences (notes, descriptions, reviews).
    FreeText,
    /// The name of a company or organisation (`Acme Corp`, `Globex GmbH`): not
    /// personal, but made up where a value is rare.
    Organization,
}

impl SemanticType {
    /// Whether values of this type identify or describe a person (HIPAA / GDPR).
    pub fn is_pii(self) -> bool {
        !matches!(self, SemanticType::FreeText | SemanticType::Organization)
    }

    /// Whether one value alone names a person (an email, a card number), as against
    /// values many people share (a first name, a city, a postal code), which identify
    /// only together with others.
    pub fn identifies_alone(self) -> bool {
        use SemanticType::*;
        match self {
            PersonName | Email | Phone | StreetAddress | Ssn | CreditCard | Iban | IpAddress
            | Url | Uuid | MedicalRecordNumber | AccountNumber => true,
            FirstName | LastName | City | PostalCode | DateOfBirth | FreeText | Organization => {
                false
            }
        }
    }

    /// Plain words for the type, for people to read.
    pub fn label(self) -> &'static str {
        use SemanticType::*;
        match self {
            PersonName => "a person's name",
            FirstName => "a first name",
            LastName => "a last name",
            Email => "an email address",
            Phone => "a phone number",
            StreetAddress => "a street address",
            City => "a city",
            PostalCode => "a postal code",
            Ssn => "a social security number",
            CreditCard => "a card number",
            Iban => "a bank account (IBAN)",
            IpAddress => "an IP address",
            Url => "a web address",
            Uuid => "a device or record UUID",
            MedicalRecordNumber => "a medical record number",
            AccountNumber => "an account or member number",
            DateOfBirth => "a date of birth",
            FreeText => "free text",
            Organization => "a company name",
        }
    }
}

/// Finer before coarser, in declaration order.
impl PartialOrd for Granularity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Granularity {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_and_dates_are_told_from_codes_that_only_look_alike() {
        let clock: Vec<f64> = (0..=23)
            .flat_map(|h| [h * 100 + 5, h * 100 + 47])
            .map(f64::from)
            .collect();
        assert_eq!(
            NumberEncoding::detect(&clock, clock.len() as u64),
            Some(NumberEncoding::ClockHhmm)
        );
        // 17:75 is no time; 30 minutes of one hour never reach 100.
        let mut counts = clock.clone();
        counts.push(1775.0);
        assert_eq!(NumberEncoding::detect(&counts, counts.len() as u64), None);
        let minutes: Vec<f64> = (0..60).map(f64::from).collect();
        assert_eq!(NumberEncoding::detect(&minutes, 60), None);
        // Too few distinct values to tell.
        assert_eq!(NumberEncoding::detect(&clock[..20], 20), None);
        let dates: Vec<f64> = (1..=28)
            .flat_map(|d| [20230100 + d, 20240200 + d])
            .map(f64::from)
            .collect();
        assert_eq!(
            NumberEncoding::detect(&dates, dates.len() as u64),
            Some(NumberEncoding::DateYyyymmdd)
        );
        let mut bad = dates.clone();
        bad.push(20230231.0); // 31 February
        assert_eq!(NumberEncoding::detect(&bad, bad.len() as u64), None);
    }

    #[test]
    fn durations_past_a_day_are_told_from_amounts_and_from_hhmmss() {
        // Shifts of 0 h 07 to 71 h 53, written HHMM.
        let hhmm = |minutes: i64| ((minutes / 60) * 100 + minutes % 60) as f64;
        let worked: Vec<f64> = (0..40).map(|i| hhmm(7 + i * 107)).collect();
        let detect = |v: &[f64]| NumberEncoding::detect(v, v.len() as u64);
        assert_eq!(detect(&worked), Some(NumberEncoding::DurationHhmm));
        // Under a day, the same values are clock times.
        let short: Vec<f64> = (0..40).map(|i| hhmm(7 + i * 35)).collect();
        assert_eq!(detect(&short), Some(NumberEncoding::ClockHhmm));
        // Salaries in steps of 50 or 100: two "minute" values only.
        let salaries: Vec<f64> = (0..40).map(|i| f64::from(30_000 + i * 1_150)).collect();
        assert_eq!(detect(&salaries), None);
        // Any value with 60..99 in its last two digits is no duration.
        let mut amounts = worked.clone();
        amounts.push(4_175.0);
        assert_eq!(detect(&amounts), None);
        // Seconds too (HHMMSS): hours and minutes read alike, so no guess.
        let hhmmss: Vec<f64> = (0..40)
            .map(|i| f64::from(10_000 * (i % 30) + 100 * ((i * 7) % 60) + (i * 13) % 60))
            .collect();
        assert_eq!(detect(&hhmmss), None);
    }

    #[test]
    fn the_line_keeps_order_and_every_point_on_it_writes_back_valid() {
        let e = NumberEncoding::ClockHhmm;
        assert_eq!(e.to_line(1259.0), 779.0);
        assert_eq!(e.to_line(1301.0), 781.0);
        assert_eq!(e.from_line(780.0), 1300.0);
        assert_eq!(e.from_line(1440.0), 2400.0);
        for p in 0..=1440 {
            let v = e.from_line(f64::from(p)) as i64;
            assert!(v % 100 < 60 && (0..=2400).contains(&v), "{v}");
            assert_eq!(e.to_line(v as f64), f64::from(p));
        }
        let d = NumberEncoding::DateYyyymmdd;
        assert_eq!(d.to_line(19700102.0), 1.0);
        assert_eq!(d.from_line(d.to_line(20240229.0) + 1.0), 20240301.0);
        // Codes that are no dates are read at the nearest day of their month.
        assert_eq!(d.from_line(d.to_line(20230231.0)), 20230228.0);
        assert_eq!(d.from_line(d.to_line(20220000.0)), 20220101.0);
        let h = NumberEncoding::DurationHhmm;
        assert_eq!(h.to_line(3730.0), 37.0 * 60.0 + 30.0);
        assert_eq!(h.from_line(h.to_line(3759.0) + 1.0), 3800.0);
        for p in (0..100_000).step_by(7) {
            let v = h.from_line(f64::from(p)) as i64;
            assert!(v % 100 < 60 && v >= 0, "{v}");
            assert_eq!(h.to_line(v as f64), f64::from(p));
        }
    }
}

#[cfg(test)]
mod hostile {
    use super::NumberEncoding;

    #[test]
    fn absurd_numbers_on_either_line_give_numbers_not_panics() {
        for e in [
            NumberEncoding::ClockHhmm,
            NumberEncoding::DateYyyymmdd,
            NumberEncoding::DurationHhmm,
        ] {
            for x in [1e300, -1e300, 9.3e18, -9.3e18, f64::MAX, f64::MIN, 0.0] {
                let _ = e.from_line(x);
                let _ = e.to_line(x);
            }
        }
    }
}
