//! The release under `--epsilon`: every figure from noisy counts (see [`super::noise`]
//! for the accounting), nothing exact.
//!
//! - row and null counts, distinct counts: Laplace counts;
//! - numbers, dates and times: a noisy histogram over fixed bins that do not depend on
//!   the data ([`crate::profile::bins`]), bins below the noise floor dropped; quantiles,
//!   mean, spread, skew and the released histogram are computed from it (post-
//!   processing, free);
//! - categories and text shapes: a stability histogram (noisy counts of the values
//!   present, named only above a threshold set by δ), the only (ε, δ) part;
//! - booleans and calendar profiles (weekday, month, hour): noisy counts over their
//!   fixed domains;
//! - text lengths: a noisy histogram over 0..=256 characters.
//!
//! What is treated as schema and not protected: column names, types, decimals, which
//! columns are personal or unique. Rules, ordered pairs, conditionals, null groups and
//! candidate keys are not released under ε.

use super::column::fmt_temporal;
use super::noise::Noise;
use super::release::{round_sig, round_to};
use super::{GuardOptions, Withheld};
use crate::profile::bins::Binning;
use crate::profile::{ColumnProfile, Granularity, Histogram, NumericStats, SemanticType};
use crate::table::LogicalType;
use crate::wire::*;

/// A noisy bin: the values it spans and its noisy count.
#[derive(Debug, Clone, Copy)]
struct Bin {
    lo: f64,
    hi: f64,
    count: f64,
}

/// Everything a column's release under ε needs.
pub(super) struct DpRelease<'a> {
    pub options: &'a GuardOptions,
    pub k: u32,
    pub noise: &'a mut Noise,
    pub withheld: &'a mut Vec<Withheld>,
    /// The noisy row count (post-processing may use it freely).
    pub rows: f64,
}

/// The queries [`safe_column`] will answer for this column (the budget is split over
/// exactly these, so none of ε is reserved for figures a column does not have).
pub(super) fn column_queries(c: &ColumnProfile) -> usize {
    let mut q = 2; // null count, distinct count
    if c.strings.is_some() {
        q += 2; // lengths, shapes
    }
    let birth_date = c.logical.is_temporal()
        && c.semantic
            .is_some_and(|s| s.kind == SemanticType::DateOfBirth);
    if super::is_sensitive(c) && !birth_date {
        return q;
    }
    q + match c.logical {
        LogicalType::Integer | LogicalType::Float => usize::from(c.numeric.is_some()),
        LogicalType::Date | LogicalType::DateTime | LogicalType::Time => {
            let calendar = match (&c.datetime, birth_date) {
                (Some(d), false) => {
                    usize::from(!d.weekday_counts.is_empty())
                        + usize::from(!d.month_counts.is_empty())
                        + usize::from(d.hour_counts.is_some())
                }
                _ => 0,
            };
            usize::from(c.numeric.is_some()) * (1 + calendar)
        }
        LogicalType::Boolean | LogicalType::Text => 1,
        LogicalType::Null => 0,
    }
}

/// Whether a column can take part in correlations under ε (an upper bound: its
/// release may still come out empty).
pub(super) fn correlatable(c: &ColumnProfile) -> bool {
    !super::is_sensitive(c) && c.logical != LogicalType::Null
}

pub(super) fn safe_column(c: &ColumnProfile, r: &mut DpRelease<'_>) -> SafeColumn {
    let sensitive = super::is_sensitive(c);
    let nulls = r.noise.count(c.null_count) as f64;
    let distinct = r.noise.count(c.distinct);
    let null_rate = (nulls / r.rows.max(1.0)).clamp(0.0, 1.0);
    let mut out = super::shape_facts(c, sensitive, null_rate, distinct);
    let present = (r.rows - nulls).max(0.0);
    if let Some(s) = &c.strings {
        out.text = Some(text(s, r));
    }
    let birth_date = c.logical.is_temporal()
        && c.semantic
            .is_some_and(|s| s.kind == SemanticType::DateOfBirth);
    if sensitive && !birth_date {
        r.withheld.push(Withheld {
            column: c.name.clone(),
            what: "all values".into(),
            why: "a personal or identifying column".into(),
        });
        return out;
    }
    match c.logical {
        LogicalType::Integer | LogicalType::Float => {
            out.numeric = c.numeric.as_ref().and_then(|n| numeric(n, r));
        }
        LogicalType::Date | LogicalType::DateTime | LogicalType::Time => {
            out.datetime = c
                .numeric
                .as_ref()
                .and_then(|n| datetime(c, n, birth_date, r));
        }
        LogicalType::Boolean => out.categories = Some(booleans(c, present, r)),
        LogicalType::Text => out.categories = Some(categories(c, present, r)),
        LogicalType::Null => {}
    }
    out
}

/// Noisy counts over the whole fixed domain (empty bins too), then every bin below
/// the noise floor dropped: with the floor at scale·ln(domain), about one empty bin in
/// the whole domain survives by chance.
fn noisy_bins(fine: &[(i32, u64)], binning: Binning, noise: &mut Noise) -> Vec<Bin> {
    let domain = binning.domain();
    let start = *domain.start();
    let size = (domain.end() - start + 1) as usize;
    let mut dense = vec![0u64; size];
    for &(b, c) in fine {
        if let Some(slot) = dense.get_mut((b - start) as usize) {
            *slot += c;
        }
    }
    let noisy = noise.counts(&dense);
    let floor = noise.scale() * (size as f64).ln();
    noisy
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > floor)
        .map(|(i, &count)| {
            let (lo, hi) = binning.span(start + i as i32);
            Bin { lo, hi, count }
        })
        .collect()
}

/// `points` evenly spaced quantiles of the binned distribution (linear inside a bin).
fn quantiles(bins: &[Bin], points: usize) -> Vec<f64> {
    let total: f64 = bins.iter().map(|b| b.count).sum();
    (0..points)
        .map(|i| {
            let target = total * i as f64 / (points - 1).max(1) as f64;
            let mut seen = 0.0;
            for b in bins {
                if seen + b.count >= target {
                    let f = if b.count > 0.0 {
                        ((target - seen) / b.count).clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    return b.lo + f * (b.hi - b.lo);
                }
                seen += b.count;
            }
            bins.last().map_or(0.0, |b| b.hi)
        })
        .collect()
}

fn moments(bins: &[Bin]) -> (f64, f64, f64) {
    let n: f64 = bins.iter().map(|b| b.count).sum();
    let mid = |b: &Bin| (b.lo + b.hi) / 2.0;
    let mean = bins.iter().map(|b| mid(b) * b.count).sum::<f64>() / n;
    let m2: f64 = bins.iter().map(|b| (mid(b) - mean).powi(2) * b.count).sum();
    let m3: f64 = bins.iter().map(|b| (mid(b) - mean).powi(3) * b.count).sum();
    let std = (m2 / (n - 1.0).max(1.0)).sqrt();
    let skew = if m2 > 0.0 {
        (m3 / n) / (m2 / n).powf(1.5)
    } else {
        0.0
    };
    (mean, std, skew)
}

/// 20 equal-width bins between the ends, each noisy bin's mass spread over its span.
fn histogram(bins: &[Bin], lo: f64, hi: f64) -> Histogram {
    if hi <= lo {
        return Histogram::default();
    }
    let n = 20;
    let width = (hi - lo) / n as f64;
    let mut counts = vec![0.0; n];
    for b in bins {
        let (a, z) = (b.lo.max(lo), b.hi.min(hi));
        if b.hi <= b.lo {
            let i = (((b.lo - lo) / width) as usize).min(n - 1);
            counts[i] += b.count;
            continue;
        }
        for (i, slot) in counts.iter_mut().enumerate() {
            let (s, e) = (lo + width * i as f64, lo + width * (i + 1) as f64);
            let overlap = (e.min(z) - s.max(a)).max(0.0);
            *slot += b.count * overlap / (b.hi - b.lo);
        }
    }
    Histogram {
        edges: (0..=n).map(|i| lo + width * i as f64).collect(),
        counts: counts.into_iter().map(|c| c.round() as u64).collect(),
    }
}

fn numeric(n: &NumericStats, r: &mut DpRelease<'_>) -> Option<SafeNumeric> {
    let sig = r.options.significant_digits;
    let bins = noisy_bins(&n.fine, Binning::Number, r.noise);
    if bins.iter().map(|b| b.count).sum::<f64>() < 2.0 {
        return None;
    }
    let q = quantiles(&bins, 101);
    let (mean, std, skew) = moments(&bins);
    let rs = |x: f64| round_sig(x, sig);
    let h = histogram(&bins, q[0], q[100]);
    Some(SafeNumeric {
        quantiles: q.iter().map(|&x| rs(x)).collect(),
        mean: rs(mean),
        std: rs(std),
        skew: round_to(skew, 3),
        histogram: Histogram {
            edges: h.edges.into_iter().map(rs).collect(),
            counts: h.counts,
        },
        point_masses: Vec::new(),
        integral: n.integral,
        encoding: n.encoding,
    })
}

fn shares(noisy: &[f64]) -> Vec<f64> {
    let t: f64 = noisy.iter().sum::<f64>().max(1.0);
    noisy.iter().map(|&x| round_to(x / t, 4)).collect()
}

fn datetime(
    c: &ColumnProfile,
    n: &NumericStats,
    birth_date: bool,
    r: &mut DpRelease<'_>,
) -> Option<SafeDatetime> {
    let d = c.datetime.as_ref()?;
    let binning = Binning::of(c.logical);
    let bins = noisy_bins(&n.fine, binning, r.noise);
    if bins.iter().map(|b| b.count).sum::<f64>() < 2.0 {
        return None;
    }
    let coarsen = if birth_date {
        Some(Granularity::Year)
    } else if super::personal_date(&c.name) && c.logical != LogicalType::Time {
        Some(Granularity::Month)
    } else {
        None
    };
    let q = quantiles(&bins, 101);
    let fmt = |s: f64| fmt_temporal(s, c.logical, coarsen);
    let calendar = |noise: &mut Noise, counts: &[u64]| shares(&noise.counts(counts));
    let (weekday_shares, month_shares, hour_shares) = if birth_date {
        (Vec::new(), Vec::new(), None)
    } else {
        (
            if d.weekday_counts.is_empty() {
                Vec::new()
            } else {
                calendar(r.noise, &d.weekday_counts)
            },
            if d.month_counts.is_empty() {
                Vec::new()
            } else {
                calendar(r.noise, &d.month_counts)
            },
            d.hour_counts.as_ref().map(|h| calendar(r.noise, h)),
        )
    };
    // Month bins say nothing finer than a month: dates come back at day grain, as the
    // template draws within the period.
    let granularity = match (coarsen, c.logical) {
        (Some(g), _) => g,
        (None, LogicalType::Time) => Granularity::Minute,
        (None, _) => d.granularity.max(Granularity::Day).min(Granularity::Day),
    };
    Some(SafeDatetime {
        min: fmt(q[0]),
        max: fmt(q[100]),
        quantiles: q.iter().map(|&s| fmt(s)).collect(),
        granularity,
        weekday_shares,
        month_shares,
        hour_shares,
        coarsened_to: coarsen,
    })
}

fn booleans(c: &ColumnProfile, present: f64, r: &mut DpRelease<'_>) -> SafeCategories {
    let count = |v: &str| {
        c.top_values
            .iter()
            .find(|x| x.value == v)
            .map_or(0, |x| x.count)
    };
    let noisy = r.noise.counts(&[count("true"), count("false")]);
    let total = noisy.iter().sum::<f64>().max(present).max(1.0);
    SafeCategories {
        values: ["true", "false"]
            .iter()
            .zip(&noisy)
            .map(|(v, &n)| ValueShare {
                value: v.to_string(),
                share: round_to(n / total, 4),
            })
            .collect(),
        other_share: 0.0,
        other_distinct: 0,
    }
}

/// A stability histogram: noisy counts of the values present, a value named only when
/// its noisy count passes the threshold (and k).
fn categories(c: &ColumnProfile, present: f64, r: &mut DpRelease<'_>) -> SafeCategories {
    let counts: Vec<u64> = c.top_values.iter().map(|v| v.count).collect();
    let threshold = r.noise.threshold().max(f64::from(r.k));
    let noisy = r.noise.counts(&counts);
    let high_card = c.distinct > r.options.max_categories;
    let total = present.max(1.0);
    let values: Vec<ValueShare<String>> = c
        .top_values
        .iter()
        .zip(&noisy)
        .filter(|(_, n)| !high_card && **n >= threshold)
        .map(|(v, &n)| ValueShare {
            value: v.value.clone(),
            share: round_to((n / total).min(1.0), 4),
        })
        .collect();
    let named: f64 = values.iter().map(|v| v.share).sum();
    let hidden = c.top_values.len() - values.len();
    r.withheld.push(Withheld {
        column: c.name.clone(),
        what: "category values below the noise threshold".into(),
        why: format!(
            "{hidden} value(s): under ε a value is named only when its noisy count passes {threshold:.0}"
        ),
    });
    SafeCategories {
        values,
        other_share: round_to((1.0 - named).clamp(0.0, 1.0), 4),
        other_distinct: 0,
    }
}

fn text(s: &crate::profile::StringStats, r: &mut DpRelease<'_>) -> SafeText {
    // Lengths: noisy counts over 0..=256 characters.
    let mut dense = vec![0u64; 257];
    for &(l, c) in &s.length_counts {
        dense[(l as usize).min(256)] += c;
    }
    let noisy = r.noise.counts(&dense);
    let floor = r.noise.scale() * 257f64.ln();
    let bins: Vec<Bin> = noisy
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > floor)
        .map(|(l, &count)| Bin {
            lo: l as f64,
            hi: l as f64,
            count,
        })
        .collect();
    let length_quantiles = if bins.is_empty() {
        Vec::new()
    } else {
        quantiles(&bins, 11).iter().map(|x| x.round()).collect()
    };
    // Shapes: a stability histogram like categories.
    let threshold = r.noise.threshold().max(f64::from(r.k));
    let counts: Vec<u64> = s.shapes.iter().map(|v| v.count).collect();
    let noisy = r.noise.counts(&counts);
    let total: f64 = noisy.iter().sum::<f64>().max(1.0);
    let shapes = s
        .shapes
        .iter()
        .zip(&noisy)
        .filter(|(_, n)| **n >= threshold)
        .map(|(v, &n)| ValueShare {
            value: crate::profile::shape(&v.value),
            share: round_to(n / total, 4),
        })
        .collect();
    SafeText {
        length_quantiles,
        mean_words: 0.0,
        shapes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_bins_interpolate_within_them() {
        let bins = [
            Bin {
                lo: 0.0,
                hi: 10.0,
                count: 50.0,
            },
            Bin {
                lo: 10.0,
                hi: 20.0,
                count: 50.0,
            },
        ];
        let q = quantiles(&bins, 5);
        assert_eq!(q, vec![0.0, 5.0, 10.0, 15.0, 20.0]);
    }
}
