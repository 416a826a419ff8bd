//! What the page draws, computed once here: per column, real against synthetic
//! histograms or category bars. Shares are of present values; missing values have their
//! own share. The report that carries them holds real category labels, so, like the
//! full profile, it stays on the user's machine.

use super::columns::{Column, Values};
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
    match (&c.values[0], &c.values[1]) {
        (Values::Continuous(r), Values::Continuous(s)) => {
            // Datetimes are held in ns; the page wants ms.
            let unit = if c.role == super::Role::Datetime {
                1e6
            } else {
                1.0
            };
            histogram(r, s, unit)
        }
        (Values::Discrete(r), Values::Discrete(s)) => bars(c, r, s),
        _ => unreachable!("a column has one representation in every table"),
    }
}

fn histogram(r: &[f64], s: &[f64], unit: f64) -> Plot {
    let present = |v: &[f64]| v.iter().filter(|x| !x.is_nan()).count() as f64;
    let (rn, sn) = (present(r), present(s));
    let (mut lo, mut hi) = r
        .iter()
        .filter(|x| !x.is_nan())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
            (l.min(*x), h.max(*x))
        });
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    } else if lo == hi {
        lo -= 0.5 * unit;
        hi += 0.5 * unit;
    }
    let width = (hi - lo) / HISTOGRAM_BINS as f64;
    let bin = |x: f64| (((x - lo) / width) as usize).min(HISTOGRAM_BINS - 1);
    let mut real = [0.0; HISTOGRAM_BINS];
    for x in r.iter().filter(|x| !x.is_nan()) {
        real[bin(*x)] += 1.0;
    }
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
        edges: (0..=HISTOGRAM_BINS)
            .map(|i| (lo + width * i as f64) / unit)
            .collect(),
        real: real.iter().map(|c| share(*c, rn)).collect(),
        synthetic: synthetic.iter().map(|c| share(*c, sn)).collect(),
        synthetic_below: share(below, sn),
        synthetic_above: share(above, sn),
        real_missing: share(r.len() as f64 - rn, r.len() as f64),
        synthetic_missing: share(s.len() as f64 - sn, s.len() as f64),
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
