//! One column of the full profile → one column of the SafeProfile, under the
//! k-anonymity rules (no `--epsilon`): see the module doc of [`crate::guard`].

use super::release::{
    clamp_ends, enough_values, merge_bins, round_share, round_sig, round_to, round_value,
    share_step, thin, winsorised_moments,
};
use super::{GuardOptions, Withheld};
use crate::profile::{
    ColumnKind, ColumnProfile, DatetimeStats, Granularity, NumericStats, SemanticType, StringStats,
};
use crate::table::LogicalType;
use crate::vocabulary::NumberEncoding;
use crate::wire::*;
use chrono::{DateTime, Datelike, NaiveDate};

/// What every column's release needs.
pub(super) struct Release<'a> {
    pub options: &'a GuardOptions,
    /// This column's k (drawn per column).
    pub k: u32,
    pub withheld: &'a mut Vec<Withheld>,
}

impl Release<'_> {
    fn withhold(&mut self, column: &str, what: &str, why: String) {
        self.withheld.push(Withheld {
            column: column.to_string(),
            what: what.into(),
            why,
        });
    }

    /// The public k that decides counts of released points (quantiles, bins): never
    /// the drawn k, whose value those counts would give away.
    fn k_public(&self) -> u32 {
        self.options.k_max.max(self.options.k_min)
    }
}

/// The SafeColumn of a column: its type and shape facts, plus what its values may say.
pub(super) fn safe_column(c: &ColumnProfile, r: &mut Release<'_>) -> SafeColumn {
    let sensitive = super::is_sensitive(c);
    let mut out = super::shape_facts(c, sensitive, c.null_rate, c.distinct);
    if let Some(s) = &c.strings {
        out.text = Some(text(&c.name, s, r));
    }
    // Birth dates are personal, but their year-level distribution (ages) is needed and
    // identifies no one once the ends are clamped: they go on, coarsened, below. A
    // birth date the reader left as text is withheld like any personal text.
    let birth_date = c.logical.is_temporal()
        && c.semantic
            .is_some_and(|s| s.kind == SemanticType::DateOfBirth);
    if sensitive && !birth_date {
        let why = why_sensitive(c);
        r.withhold(&c.name, "all values", why);
        return out;
    }
    match c.logical {
        LogicalType::Integer | LogicalType::Float => {
            if let Some(n) = &c.numeric {
                out.numeric = numeric(&c.name, n, r);
            }
        }
        LogicalType::Date | LogicalType::DateTime | LogicalType::Time => {
            if let (Some(n), Some(d)) = (&c.numeric, &c.datetime) {
                out.datetime = datetime(c, n, d, birth_date, r);
            }
        }
        LogicalType::Boolean | LogicalType::Text => out.categories = Some(categories(c, r)),
        LogicalType::Null => {}
    }
    out
}

fn why_sensitive(c: &ColumnProfile) -> String {
    match c.semantic {
        Some(s) if s.kind == SemanticType::DateOfBirth => {
            "a date of birth written as text: its values would leave as names".into()
        }
        Some(s) if s.kind.is_pii() => {
            format!(
                "detected as {} ({:.0} % sure)",
                s.kind.label(),
                s.confidence.min(1.0) * 100.0
            )
        }
        _ if c.logical == LogicalType::Text && super::personal_date(&c.name) => {
            "a personal date written as text: its values would leave as names".into()
        }
        _ => match c.kind {
            ColumnKind::Identifier => "an identifier: its values identify rows".into(),
            _ => "free text: its values may name people".into(),
        },
    }
}

/// Lengths and shapes: the only description of sensitive text columns.
fn text(name: &str, s: &StringStats, r: &mut Release<'_>) -> SafeText {
    let k = r.k;
    let k_public = r.k_public();
    // Over every present value: `top_values` may hold only the most frequent ones.
    let total = s.values.max(1);
    let step = share_step(total, k_public);
    let shapes: Vec<ValueShare<String>> = s
        .shapes
        .iter()
        .filter(|v| v.count >= u64::from(k))
        .map(|v| ValueShare {
            value: crate::profile::shape(&v.value),
            share: round_share(v.count as f64 / total as f64, step),
        })
        .collect();
    if shapes.len() < s.shapes.len() {
        r.withhold(
            name,
            "rare value shapes",
            format!(
                "{} shape(s) occur fewer than {k} times",
                s.shapes.len() - shapes.len()
            ),
        );
    }
    // Length quantiles like any other: k rows apart, ends at the bulk.
    let enough = enough_values(s.values, k_public);
    let mut lq = if enough {
        thin(&s.length_quantiles, s.values, k_public)
    } else {
        Vec::new()
    };
    if lq.len() >= 3 {
        let n = lq.len();
        lq[0] = lq[1];
        lq[n - 1] = lq[n - 2];
    }
    SafeText {
        length_quantiles: lq.iter().map(|x| x.round()).collect(),
        mean_words: if enough {
            round_to(s.mean_words, 1)
        } else {
            0.0
        },
        shapes,
    }
}

fn too_few(name: &str, count: u64, r: &mut Release<'_>) {
    let k = r.k_public();
    r.withhold(
        name,
        "the distribution",
        format!(
            "{count} value(s): fewer than {} (2k), so any quantile, mean or bin would be one of a handful of rows",
            2 * k
        ),
    );
}

/// A numeric distribution: nothing below 2k values; otherwise ends at the k-th values,
/// quantiles k rows apart, moments winsorised at the ends, bins of at least k.
fn numeric(name: &str, n: &NumericStats, r: &mut Release<'_>) -> Option<SafeNumeric> {
    let (k, k_public, sig) = (r.k, r.k_public(), r.options.significant_digits);
    if !enough_values(n.count, k_public) {
        too_few(name, n.count, r);
        return None;
    }
    let rs = |x: f64| round_sig(x, sig);
    let personal = super::personal_date(name);
    let value = |x: f64| round_value(x, sig, n.encoding, personal);
    if personal && n.encoding == Some(NumberEncoding::DateYyyymmdd) {
        r.withhold(
            name,
            "exact dates",
            "dates describing a person are given only to the month".into(),
        );
    }
    let (lo, hi) = clamp_ends(n, k);
    let clamped: Vec<f64> = n.quantiles.iter().map(|x| x.clamp(lo, hi)).collect();
    let quantiles: Vec<f64> = thin(&clamped, n.count, k_public)
        .into_iter()
        .map(value)
        .collect();
    let (mean, std, skew) = winsorised_moments(n, lo, hi);
    let histogram = if (n.smallest.len() as u32) < k {
        crate::profile::Histogram::default()
    } else {
        let h = merge_bins(&n.histogram, k_public);
        crate::profile::Histogram {
            edges: h.edges.into_iter().map(rs).collect(),
            counts: h.counts,
        }
    };
    let step = share_step(n.count, k_public);
    let point_masses = n
        .modes
        .iter()
        .filter(|(v, c)| *c >= u64::from(k) && *v >= lo && *v <= hi)
        .map(|(v, c)| ValueShare {
            value: value(*v),
            share: round_share(*c as f64 / n.count as f64, step),
        })
        .collect();
    r.withhold(
        name,
        "minimum, maximum and the values beyond them",
        format!(
            "the ends are the {k}th smallest and largest values, the mean and spread are computed with the values beyond them moved to those ends, numbers rounded to {sig} significant digits"
        ),
    );
    Some(SafeNumeric {
        quantiles,
        mean: rs(mean),
        std: rs(std),
        skew: round_to(skew, 3),
        histogram,
        point_masses,
        integral: n.integral,
        encoding: n.encoding,
    })
}

/// The quantiles of an offset between two numbers (`target − from`), released as a
/// numeric column's are: nothing below 2k values, ends at the k-th values, k rows
/// apart, rounded.
pub(super) fn offset_quantiles(
    name: &str,
    n: &NumericStats,
    r: &mut Release<'_>,
) -> Option<Vec<f64>> {
    numeric(name, n, r).map(|s| s.quantiles)
}

/// Counts per weekday / month / hour as shares, or nothing when a non-empty cell holds
/// fewer than k rows (it would say when one person's date falls).
fn calendar_shares(counts: &[u64], k: u32) -> Option<Vec<f64>> {
    if counts.iter().any(|&c| c > 0 && c < u64::from(k)) {
        return None;
    }
    let t: u64 = counts.iter().sum::<u64>().max(1);
    let step = share_step(t, k);
    Some(
        counts
            .iter()
            .map(|&x| round_share(x as f64 / t as f64, step))
            .collect(),
    )
}

fn datetime(
    c: &ColumnProfile,
    n: &NumericStats,
    d: &DatetimeStats,
    birth_date: bool,
    r: &mut Release<'_>,
) -> Option<SafeDatetime> {
    let (k, k_public) = (r.k, r.k_public());
    if !enough_values(n.count, k_public) {
        too_few(&c.name, n.count, r);
        return None;
    }
    let coarsen = if birth_date {
        Some(Granularity::Year)
    } else if super::personal_date(&c.name) && c.logical != LogicalType::Time {
        Some(Granularity::Month)
    } else {
        None
    };
    let (lo, hi) = clamp_ends(n, k);
    let clamped: Vec<f64> = n.quantiles.iter().map(|x| x.clamp(lo, hi)).collect();
    let q = thin(&clamped, n.count, k_public);
    let fmt = |s: f64| fmt_temporal(s, c.logical, coarsen);
    let mut dropped = Vec::new();
    let mut shares = |what: &'static str, counts: &[u64]| {
        let s = calendar_shares(counts, k_public);
        if s.is_none() {
            dropped.push(what);
        }
        s
    };
    let (weekday_shares, month_shares, hour_shares) = if birth_date {
        (Vec::new(), Vec::new(), None)
    } else {
        (
            shares("weekday", &d.weekday_counts).unwrap_or_default(),
            shares("month", &d.month_counts).unwrap_or_default(),
            d.hour_counts.as_ref().and_then(|h| shares("hour", h)),
        )
    };
    let out = SafeDatetime {
        min: fmt(q[0]),
        max: fmt(q[q.len() - 1]),
        quantiles: q.iter().map(|&s| fmt(s)).collect(),
        granularity: match coarsen {
            Some(g) => g.max(d.granularity),
            None => d.granularity,
        },
        weekday_shares,
        month_shares,
        hour_shares,
        coarsened_to: coarsen,
    };
    r.withhold(
        &c.name,
        "earliest and latest values",
        format!("replaced by the {k}th earliest and latest"),
    );
    if let Some(g) = coarsen {
        r.withhold(
            &c.name,
            "exact dates",
            format!("dates describing a person are given only to the {:?}", g).to_lowercase(),
        );
    }
    if !dropped.is_empty() {
        r.withhold(
            &c.name,
            "calendar profile",
            format!(
                "the {} profile has a day, month or hour with fewer than {k_public} values",
                dropped.join(", ")
            ),
        );
    }
    Some(out)
}

/// Category values seen at least k times, in columns that are not high-cardinality.
/// Shares are rounded to a step worth at least k rows ([`share_step`]), so the rows
/// held back (the "other" share: the total less the named values) are known only to
/// within k rows, even when a single value was held back.
fn categories(c: &ColumnProfile, r: &mut Release<'_>) -> SafeCategories {
    let k = u64::from(r.k);
    let listed: u64 = c.top_values.iter().map(|v| v.count).sum();
    let present = c.strings.as_ref().map_or(listed, |s| s.values).max(listed);
    let high_card = c.distinct > r.options.max_categories
        || (c.distinct as f64 / present.max(1) as f64) > r.options.max_distinct_ratio;
    // Shares of the listed values (the most frequent `max_categories`): values beyond
    // the list are left out rather than made up as "other" in bulk, which keeps the
    // column's pairs closer (measured on flights' 4,000 tail numbers).
    let step = share_step(listed, r.k_public());
    let values: Vec<ValueShare<String>> = c
        .top_values
        .iter()
        .filter(|v| !high_card && v.count >= k)
        .map(|v| ValueShare {
            value: v.value.clone(),
            share: round_share(v.count as f64 / listed.max(1) as f64, step),
        })
        .filter(|v| v.share > 0.0)
        .collect();
    let hidden = (c.top_values.len() - values.len()) as u64 + c.other_distinct;
    if high_card {
        r.withhold(
            &c.name,
            "category values",
            format!(
                "{} distinct values: too many to name any without identifying rows",
                c.distinct
            ),
        );
    } else if hidden > 0 {
        r.withhold(
            &c.name,
            "rare category values",
            format!("{hidden} value(s) occur fewer than {k} times"),
        );
    }
    let named: f64 = values.iter().map(|v| v.share).sum();
    SafeCategories {
        values,
        // Nothing held back: nothing to share out (rounding need not add up to 1).
        other_share: if hidden == 0 {
            0.0
        } else {
            round_share((1.0 - named).max(0.0), step)
        },
        other_distinct: round_sig(hidden as f64, 2) as u64,
    }
}

/// Formats seconds (since 1970, or since midnight for times) as ISO text, truncated
/// to a coarser grain when asked.
pub(super) fn fmt_temporal(
    seconds: f64,
    logical: LogicalType,
    coarsen: Option<Granularity>,
) -> String {
    if logical == LogicalType::Time {
        let s = seconds.round() as i64;
        return format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
    }
    let Some(dt) = DateTime::from_timestamp_micros((seconds * 1e6).round() as i64) else {
        return String::new();
    };
    let dt = dt.naive_utc();
    let dt = match coarsen {
        Some(Granularity::Year) => NaiveDate::from_ymd_opt(dt.year(), 1, 1)
            .map_or(dt, |d| d.and_hms_opt(0, 0, 0).unwrap_or(dt)),
        Some(Granularity::Month) => NaiveDate::from_ymd_opt(dt.year(), dt.month(), 1)
            .map_or(dt, |d| d.and_hms_opt(0, 0, 0).unwrap_or(dt)),
        _ => dt,
    };
    if logical == LogicalType::Date || coarsen.is_some() {
        dt.format("%Y-%m-%d").to_string()
    } else {
        dt.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}
