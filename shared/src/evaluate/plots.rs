//! What the page draws, computed once here: per column, real against synthetic
//! histograms or category bars. Shares are of present values; missing values have their
//! own share.
//!
//! Two real sides: the full one (`byod evaluate`: every real label and the true range,
//! a local report like the full profile), and the released one ([`released_plot`]: only
//! what the SafeProfile releases, so the report can be shared like the SafeProfile).

use super::columns::{Column, Values};
use crate::table::LogicalType;
use crate::wire::SafeColumn;
use serde::{Deserialize, Serialize};

/// Bars of a histogram.
const HISTOGRAM_BINS: usize = 20;
/// Categories drawn; the rest are summed into `other`.
const TOP_CATEGORIES: usize = 20;

/// A column's distribution in both tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Plot {
    /// Equal-width bins over the real column's range. For datetime columns the edges
    /// are milliseconds since 1970 (JavaScript `Date` values).
    Histogram {
        /// `bins + 1` edges.
        edges: Vec<f64>,
        /// Share of present real values per bin.
        real: Vec<f64>,
        /// Share of present synthetic values per bin.
        synthetic: Vec<f64>,
        /// Share of synthetic values below the real minimum.
        synthetic_below: f64,
        /// Share of synthetic values above the real maximum.
        synthetic_above: f64,
        /// Share of real rows missing.
        real_missing: f64,
        /// Share of synthetic rows missing.
        synthetic_missing: f64,
        /// The axis spans the real 1st to 99th percentiles, not the whole range, and the
        /// end bars hold the values beyond them: a few extreme values would otherwise
        /// put nearly every row in one bar.
        #[serde(default)]
        clamped: bool,
    },
    /// The most frequent real categories.
    Bars {
        /// Category labels, most frequent in the real table first.
        labels: Vec<String>,
        /// Share of present real values per label.
        real: Vec<f64>,
        /// Share of present synthetic values per label.
        synthetic: Vec<f64>,
        /// Real share of every other category.
        real_other: f64,
        /// Synthetic share of every other category (including ones not in the real data).
        synthetic_other: f64,
        /// Share of real rows missing.
        real_missing: f64,
        /// Share of synthetic rows missing.
        synthetic_missing: f64,
    },
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// The plot of column `c` (real = table 0, synthetic = table 1).
pub(crate) fn plot(c: &Column) -> Plot {
    match &c.values {
        Values::Continuous(v) => {
            // Datetimes are held in ns; the page wants ms.
            let unit = if c.role == super::Role::Datetime {
                1e6
            } else {
                1.0
            };
            histogram(&v[0], &v[1], unit)
        }
        Values::Discrete(v) => bars(c, &v[0], &v[1]),
    }
}

/// The axis is clamped to the real 1st–99th percentiles when they span less than this
/// share of the real range.
const CLAMP_SPAN: f64 = 0.2;

fn histogram(r: &[f64], s: &[f64], unit: f64) -> Plot {
    let present = |v: &[f64]| v.iter().filter(|x| !x.is_nan()).count() as f64;
    let (rn, sn) = (present(r), present(s));
    let mut sorted: Vec<f64> = r.iter().copied().filter(|x| !x.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let (min, max) = match (sorted.first(), sorted.last()) {
        (Some(&a), Some(&b)) => (a, b),
        _ => (0.0, 1.0),
    };
    let at = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let (p1, p99) = if sorted.is_empty() {
        (min, max)
    } else {
        (at(0.01), at(0.99))
    };
    let clamped = p99 > p1 && p99 - p1 < CLAMP_SPAN * (max - min);
    let (mut lo, mut hi) = if clamped { (p1, p99) } else { (min, max) };
    if lo == hi {
        lo -= 0.5 * unit;
        hi += 0.5 * unit;
    }
    let width = (hi - lo) / HISTOGRAM_BINS as f64;
    // Values beyond a clamped axis go to the end bars.
    let bin = |x: f64| (((x - lo).max(0.0) / width) as usize).min(HISTOGRAM_BINS - 1);
    let mut real = [0.0; HISTOGRAM_BINS];
    for x in &sorted {
        real[bin(*x)] += 1.0;
    }
    let (mut synthetic, mut below, mut above) = ([0.0; HISTOGRAM_BINS], 0.0, 0.0);
    for &x in s.iter().filter(|x| !x.is_nan()) {
        if x < min {
            below += 1.0;
        } else if x > max {
            above += 1.0;
        } else {
            synthetic[bin(x)] += 1.0;
        }
    }
    Plot::Histogram {
        edges: (0..=HISTOGRAM_BINS)
            .map(|i| (lo + width * i as f64) / unit)
            .collect(),
        real: real.iter().map(|c| share(*c, rn)).collect(),
        synthetic: synthetic.iter().map(|c| share(*c, sn)).collect(),
        synthetic_below: share(below, sn),
        synthetic_above: share(above, sn),
        real_missing: share(r.len() as f64 - rn, r.len() as f64),
        synthetic_missing: share(s.len() as f64 - sn, s.len() as f64),
        clamped,
    }
}

fn bars(c: &Column, r: &[u32], s: &[u32]) -> Plot {
    let codes = c.dictionary.labels.len() + 1;
    let count = |v: &[u32]| {
        let mut n = vec![0.0; codes];
        for &x in v {
            n[x as usize] += 1.0;
        }
        n
    };
    let (rc, sc) = (count(r), count(s));
    let (rn, sn) = (r.len() as f64 - rc[0], s.len() as f64 - sc[0]);
    let mut order: Vec<usize> = (1..codes).filter(|&k| rc[k] > 0.0).collect();
    order.sort_by(|a, b| rc[*b].total_cmp(&rc[*a]).then(a.cmp(b)));
    order.truncate(TOP_CATEGORIES);
    let real: Vec<f64> = order.iter().map(|&k| share(rc[k], rn)).collect();
    let synthetic: Vec<f64> = order.iter().map(|&k| share(sc[k], sn)).collect();
    Plot::Bars {
        labels: order
            .iter()
            .map(|&k| c.dictionary.label(k as u32).to_string())
            .collect(),
        real_other: (1.0 - real.iter().sum::<f64>()).max(0.0) * f64::from(u8::from(rn > 0.0)),
        synthetic_other: (1.0 - synthetic.iter().sum::<f64>()).max(0.0)
            * f64::from(u8::from(sn > 0.0)),
        real,
        synthetic,
        real_missing: share(rc[0], r.len() as f64),
        synthetic_missing: share(sc[0], s.len() as f64),
    }
}

/// The plot of column `c` with its real side drawn from what the SafeProfile releases
/// of it: its named categories and their shares (the rest as "other"), or its
/// quantile function (bins between the released ends). None for a column whose values
/// were withheld, or whose distribution was.
pub(crate) fn released_plot(c: &Column, released: &SafeColumn) -> Option<Plot> {
    if released.sensitive {
        return None;
    }
    match &c.values {
        Values::Continuous(v) => {
            let unit = if c.role == super::Role::Datetime {
                1e6
            } else {
                1.0
            };
            let q = released_quantiles(released, c.logical)?;
            Some(histogram_from_quantiles(
                &q,
                &v[1],
                unit,
                released.null_rate,
            ))
        }
        Values::Discrete(v) => released_bars(c, released, &v[1]),
    }
}

/// The released quantile function in the unit the evaluator holds values in (numbers
/// as they are; dates and times in ns).
fn released_quantiles(c: &SafeColumn, logical: LogicalType) -> Option<Vec<f64>> {
    if let Some(n) = &c.numeric {
        return (n.quantiles.len() >= 2).then(|| n.quantiles.clone());
    }
    let d = c.datetime.as_ref()?;
    let to_ns = |iso: &String| {
        crate::datetime_text::parse_iso(iso, logical).map(|v| match logical {
            LogicalType::Date => v * 86_400e9,
            _ => v * 1e3,
        })
    };
    let q: Vec<f64> = d.quantiles.iter().filter_map(to_ns).collect();
    (q.len() >= 2 && q.len() == d.quantiles.len()).then_some(q)
}

/// The share of a piecewise-linear quantile function's mass below `x`.
fn cdf(q: &[f64], x: f64) -> f64 {
    let n = q.len() - 1;
    if x <= q[0] {
        return 0.0;
    }
    if x >= q[n] {
        return 1.0;
    }
    let i = q.partition_point(|v| *v <= x).clamp(1, n);
    let (a, b) = (q[i - 1], q[i]);
    let within = if b > a { (x - a) / (b - a) } else { 1.0 };
    ((i - 1) as f64 + within) / n as f64
}

fn histogram_from_quantiles(q: &[f64], s: &[f64], unit: f64, real_missing: f64) -> Plot {
    let (mut lo, mut hi) = (q[0], q[q.len() - 1]);
    if lo == hi {
        lo -= 0.5 * unit;
        hi += 0.5 * unit;
    }
    let width = (hi - lo) / HISTOGRAM_BINS as f64;
    let edges: Vec<f64> = (0..=HISTOGRAM_BINS)
        .map(|i| lo + width * i as f64)
        .collect();
    let real: Vec<f64> = edges
        .windows(2)
        .map(|e| cdf(q, e[1]) - cdf(q, e[0]))
        .collect();
    let sn = s.iter().filter(|x| !x.is_nan()).count() as f64;
    let bin = |x: f64| (((x - lo) / width) as usize).min(HISTOGRAM_BINS - 1);
    let (mut synthetic, mut below, mut above) = ([0.0; HISTOGRAM_BINS], 0.0, 0.0);
    for &x in s.iter().filter(|x| !x.is_nan()) {
        if x < lo {
            below += 1.0;
        } else if x > hi {
            above += 1.0;
        } else {
            synthetic[bin(x)] += 1.0;
        }
    }
    Plot::Histogram {
        edges: edges.iter().map(|e| e / unit).collect(),
        real,
        synthetic: synthetic.iter().map(|c| share(*c, sn)).collect(),
        synthetic_below: share(below, sn),
        synthetic_above: share(above, sn),
        real_missing,
        synthetic_missing: share(s.len() as f64 - sn, s.len() as f64),
        clamped: false,
    }
}

fn released_bars(c: &Column, released: &SafeColumn, s: &[u32]) -> Option<Plot> {
    // Labels and real shares: the named categories, or a number column's point masses.
    let (labels, real, real_other): (Vec<String>, Vec<f64>, f64) =
        if let Some(cats) = &released.categories {
            let named: Vec<_> = cats.values.iter().take(TOP_CATEGORIES).collect();
            let listed: f64 = named.iter().map(|v| v.share).sum();
            // The evaluator's boolean labels are Python's (`True`), the profile's JSON's.
            let label = |v: &str| match (c.logical, v) {
                (LogicalType::Boolean, "true") => "True".to_string(),
                (LogicalType::Boolean, "false") => "False".to_string(),
                _ => v.to_string(),
            };
            (
                named.iter().map(|v| label(&v.value)).collect(),
                named.iter().map(|v| v.share).collect(),
                (1.0 - listed).max(0.0),
            )
        } else {
            let n = released.numeric.as_ref()?;
            if n.point_masses.is_empty() {
                return None;
            }
            let listed: f64 = n.point_masses.iter().map(|m| m.share).sum();
            (
                n.point_masses
                    .iter()
                    .take(TOP_CATEGORIES)
                    .map(|m| {
                        let mut key = String::new();
                        super::columns::number_key(m.value, &mut key);
                        key
                    })
                    .collect(),
                n.point_masses
                    .iter()
                    .take(TOP_CATEGORIES)
                    .map(|m| m.share)
                    .collect(),
                (1.0 - listed).max(0.0),
            )
        };
    let codes = c.dictionary.labels.len() + 1;
    let mut sc = vec![0.0; codes];
    for &x in s {
        sc[x as usize] += 1.0;
    }
    let sn = s.len() as f64 - sc[0];
    let synthetic: Vec<f64> = labels
        .iter()
        .map(|l| {
            c.dictionary
                .labels
                .iter()
                .position(|x| x == l)
                .map_or(0.0, |k| share(sc[k + 1], sn))
        })
        .collect();
    Some(Plot::Bars {
        synthetic_other: (1.0 - synthetic.iter().sum::<f64>()).max(0.0)
            * f64::from(u8::from(sn > 0.0)),
        labels,
        real,
        synthetic,
        real_other,
        real_missing: released.null_rate,
        synthetic_missing: share(sc[0], s.len() as f64),
    })
}
