//! `datetime`: dates, datetimes or times from empirical quantiles (written in ISO 8601
//! in the spec), truncated to the column's granularity and written in its format. A
//! column released only to a coarser period (a birth year) is drawn inside its period.

use super::{US_PER_DAY, interpolate};
use crate::datetime_text::{EPOCH, check_datetime_format, parse_iso};
use crate::plan::{Checker, Choice, MAX_LIST};
use crate::spec::Step;
use crate::table::LogicalType;
use chrono::{Datelike, NaiveDate};

/// A datetime column, compiled. Quantiles are in the unit of `logical`: days (dates)
/// or µs (datetimes, times).
#[derive(Debug, Clone)]
pub(crate) struct Datetime {
    pub quantiles: Vec<f64>,
    pub logical: LogicalType,
    pub format: String,
    pub step: Step,
    /// The period each value is drawn inside (the grain it was released at).
    pub within: Option<Step>,
    /// Inside the period: each weekday's chance to keep a day drawn on it (Monday
    /// first; its weight over the largest), or empty for evenly.
    pub weekdays: Vec<f64>,
    /// Inside the period: the hours of day by weight, or `None` for evenly.
    pub hours: Option<Choice>,
}

impl Datetime {
    /// Checks the type, the ISO quantiles and the output format.
    pub(crate) fn compile(
        c: &mut Checker,
        g: &str,
        quantiles: &[String],
        logical_type: &LogicalType,
        format: &String,
        (granularity, within): (Step, Option<Step>),
        (weekday_weights, hour_weights): (&[f64], &[f64]),
    ) -> Self {
        for (field, w, n) in [
            ("weekday_weights", weekday_weights, 7),
            ("hour_weights", hour_weights, 24),
        ] {
            let usable =
                w.iter().all(|x| x.is_finite() && *x >= 0.0) && w.iter().sum::<f64>() > 0.0;
            if !w.is_empty() && (w.len() != n || !usable) {
                c.fail(
                    format!("{g}.{field}"),
                    format!("{} weights", w.len()),
                    &format!("{n} shares, not negative, not all 0"),
                    "leave it out to spread values evenly",
                );
            }
        }
        if !logical_type.is_temporal() {
            c.fail(
                format!("{g}.logical_type"),
                format!("{logical_type:?}"),
                "date, date_time or time",
                "use numeric for numbers",
            );
        }
        let parsed: Vec<Option<f64>> = quantiles
            .iter()
            .map(|q| parse_iso(q, *logical_type))
            .collect();
        if let Some(k) = parsed.iter().position(Option::is_none) {
            c.fail(
                format!("{g}.quantiles[{k}]"),
                format!("{:?} is not an ISO 8601 value", quantiles[k]),
                "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or HH:MM:SS",
                "write quantiles in ISO 8601 whatever the output format",
            );
        }
        if quantiles.len() < 2 || quantiles.len() > MAX_LIST {
            c.fail(
                format!("{g}.quantiles"),
                format!("{} quantiles", quantiles.len()),
                &format!("2 to {MAX_LIST} values"),
                "give at least the earliest and the latest value",
            );
        }
        let values: Vec<f64> = parsed.into_iter().flatten().collect();
        if let Some(k) = values.windows(2).position(|w| w[1] < w[0]) {
            c.fail(
                format!("{g}.quantiles[{}]", k + 1),
                "earlier than the value before it",
                "non-decreasing values",
                "sort the quantiles",
            );
        }
        if check_datetime_format(format).is_err() {
            c.fail(
                format!("{g}.format"),
                format!("{format:?} is not a usable format"),
                "a chrono pattern such as %Y-%m-%d, or epoch_s / epoch_ms",
                "see https://docs.rs/chrono/latest/chrono/format/strftime",
            );
        }
        if let Some(period) = within
            && (period <= granularity || *logical_type == LogicalType::Time)
        {
            c.fail(
                format!("{g}.within"),
                format!("{period:?} around values of {granularity:?}"),
                "a period coarser than the granularity (day, month or year), for dates",
                "leave `within` out unless the quantiles were coarsened",
            );
        }
        Datetime {
            quantiles: values,
            logical: *logical_type,
            format: format.clone(),
            step: granularity,
            within,
            weekdays: {
                let top = weekday_weights.iter().fold(0.0f64, |m, w| m.max(*w));
                if top > 0.0 && weekday_weights.len() == 7 {
                    weekday_weights.iter().map(|w| w / top).collect()
                } else {
                    Vec::new()
                }
            },
            hours: (hour_weights.len() == 24).then(|| Choice::new(hour_weights.iter().copied())),
        }
    }

    /// The value at probability `u` for output row `row`, in the column's unit.
    pub(crate) fn value(&self, u: f64, row: u64) -> f64 {
        let v = interpolate(&self.quantiles, u).floor();
        let Some(period) = self.within else {
            return truncate(v, self.logical, self.step);
        };
        // Where in its period the value falls: a second uniform made from the first
        // and the row, so the column needs no random stream of its own and stays the
        // same for the same seed.
        let (start, end) = period_bounds(v, self.logical, period);
        let seed = u.to_bits() ^ row.rotate_left(32);
        if self.weekdays.is_empty() && self.hours.is_none() {
            let at = start + (end - start) * unit_hash(seed);
            return truncate(at.min(end - 1.0), self.logical, self.step);
        }
        truncate(self.inside(start, end, seed), self.logical, self.step)
    }

    /// A value in `start..end` whose day follows the weekday weights and whose time
    /// follows the hour weights. Days by rejection (a few draws: weekday profiles are
    /// rarely far from even, and after 16 the last day stands), hours by their
    /// cumulative weights.
    fn inside(&self, start: f64, end: f64, seed: u64) -> f64 {
        let day_unit = if self.logical == LogicalType::Date {
            1.0
        } else {
            US_PER_DAY
        };
        let days = ((end - start) / day_unit).floor().max(1.0);
        let mut day = 0.0;
        for k in 0..16u64 {
            day = (days * unit_hash(seed ^ k.wrapping_mul(0xA24B_AED4_963E_E407))).floor();
            let since_epoch = ((start / day_unit) + day).floor() as i64;
            // 1970-01-01 was a Thursday: Monday first, it is weekday 3.
            let weekday = (since_epoch + 3).rem_euclid(7) as usize;
            let keep = unit_hash(seed.rotate_left(17) ^ k);
            if self
                .weekdays
                .get(weekday)
                .is_none_or(|&chance| keep < chance)
            {
                break;
            }
        }
        let at = start + day * day_unit;
        if self.logical == LogicalType::Date {
            return at;
        }
        let in_day = unit_hash(seed.rotate_left(41));
        let time = match &self.hours {
            Some(hours) => (hours.pick(in_day) as f64 + unit_hash(seed.rotate_left(7))) * 3_600e6,
            None => in_day * US_PER_DAY,
        };
        (at + time).min(end - 1.0)
    }
}

/// A uniform number in [0, 1) from 64 bits (SplitMix64's finaliser).
fn unit_hash(x: u64) -> f64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The start and the end (exclusive) of the period holding `v`, in its unit.
fn period_bounds(v: f64, logical: LogicalType, period: Step) -> (f64, f64) {
    let start = truncate(v, logical, period);
    let unit = if logical == LogicalType::Date {
        1.0
    } else {
        US_PER_DAY
    };
    let days = |d: f64| d * unit;
    let end = match period {
        Step::Year | Step::Month => {
            let first = chrono::TimeDelta::try_days((start / unit) as i64)
                .and_then(|d| EPOCH.checked_add_signed(d));
            let next = first.and_then(|d| match period {
                Step::Year => NaiveDate::from_ymd_opt(d.year() + 1, 1, 1),
                _ => d.checked_add_months(chrono::Months::new(1)),
            });
            match next {
                Some(n) => days((n - EPOCH).num_days() as f64),
                None => start + days(1.0),
            }
        }
        Step::Day => start + days(1.0),
        Step::Hour => start + 3_600e6,
        Step::Minute => start + 60e6,
        Step::Second => start + 1e6,
        Step::Microsecond => start + 1.0,
    };
    (start, end)
}

/// Truncates days (dates) or µs (datetimes, times) to the step.
fn truncate(v: f64, logical: LogicalType, step: Step) -> f64 {
    let floor_to = |x: f64, unit: f64| (x / unit).floor() * unit;
    let month_or_year = |days: i64| -> i64 {
        let Some(d) = chrono::TimeDelta::try_days(days).and_then(|t| EPOCH.checked_add_signed(t))
        else {
            return days;
        };
        let first = match step {
            Step::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1),
            _ => NaiveDate::from_ymd_opt(d.year(), d.month(), 1),
        };
        first.map_or(days, |f| (f - EPOCH).num_days())
    };
    match (logical, step) {
        (LogicalType::Date, Step::Month | Step::Year) => month_or_year(v as i64) as f64,
        (LogicalType::Date, _) => v,
        (_, Step::Microsecond) => v,
        (_, Step::Second) => floor_to(v, 1e6),
        (_, Step::Minute) => floor_to(v, 60e6),
        (_, Step::Hour) => floor_to(v, 3_600e6),
        (LogicalType::Time, _) => floor_to(v, 3_600e6),
        (_, Step::Day) => floor_to(v, US_PER_DAY),
        (_, Step::Month | Step::Year) => {
            month_or_year((v / US_PER_DAY).floor() as i64) as f64 * US_PER_DAY
        }
    }
}
