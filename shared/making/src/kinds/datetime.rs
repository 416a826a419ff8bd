//! `datetime`: dates, datetimes or times from empirical quantiles (written in ISO 8601
//! in the spec), truncated to the column's granularity and written in its format.

use super::{US_PER_DAY, interpolate};
use crate::datetime_text::{check_datetime_format, parse_iso};
use crate::plan::{Checker, MAX_LIST};
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
}

impl Datetime {
    /// Checks the type, the ISO quantiles and the output format.
    pub(crate) fn compile(
        c: &mut Checker,
        g: &str,
        quantiles: &[String],
        logical_type: &LogicalType,
        format: &String,
        granularity: &Step,
    ) -> Self {
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
        Datetime {
            quantiles: values,
            logical: *logical_type,
            format: format.clone(),
            step: *granularity,
        }
    }

    /// The value at probability `u`, in the column's unit.
    pub(crate) fn value(&self, u: f64) -> f64 {
        truncate(
            interpolate(&self.quantiles, u).floor(),
            self.logical,
            self.step,
        )
    }
}

/// Truncates days (dates) or µs (datetimes, times) to the step.
fn truncate(v: f64, logical: LogicalType, step: Step) -> f64 {
    let floor_to = |x: f64, unit: f64| (x / unit).floor() * unit;
    let month_or_year = |days: i64| -> i64 {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        let Some(d) = epoch.checked_add_signed(chrono::TimeDelta::days(days)) else {
            return days;
        };
        let first = match step {
            Step::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1),
            _ => NaiveDate::from_ymd_opt(d.year(), d.month(), 1),
        };
        first.map_or(days, |f| (f - epoch).num_days())
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
