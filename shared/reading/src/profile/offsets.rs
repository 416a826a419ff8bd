//! Numbers that follow other numbers: `target = from + offset`, where the offset is
//! (nearly) independent of `from` and spreads far less than `target`. A flight's
//! arrival delay is its departure delay plus the minutes made up or lost in the air:
//! Pearson's r is 0.91 between the two, but their rank correlation is only 0.63, and a
//! Gaussian copula given that rank correlation makes an r of 0.42, because what ties
//! the two is a sum, strongest in the long tail of late departures, which a copula
//! cannot carry. Drawing the offset and adding it keeps the tail together. Only pairs
//! whose Pearson's r the copula would miss are described.
//!
//! What is described is the offset's distribution, an aggregate like any column's:
//! the guard releases it under the same rules as a numeric column (ends at the k-th
//! values, quantiles k rows apart, rounded).

use super::columns::ColumnValues;
use super::relations::Correlations;
use super::stats::Runs;
use super::{ColumnKind, ColumnProfile, NumericStats, ProfileOptions, bins};
use crate::vocabulary::Rule;
use serde::Serialize;

/// Pearson's r must exceed the copula's correlation (from ranks) by this much: below
/// it the copula already carries the pair (diamonds' x and y, 0.97 and 0.998), and the
/// offset's clamped ends would only tighten it.
const MIN_GAIN_OVER_COPULA: f64 = 0.1;
/// The offset must explain this much: its variance at most this share of the target's.
const MAX_OFFSET_VARIANCE_SHARE: f64 = 0.25;
/// ...and be this close to independent of `from` (|Pearson's r|).
const MAX_OFFSET_CORRELATION: f64 = 0.2;
/// Rows with both values needed to say anything.
const MIN_ROWS: usize = 100;
/// Columns considered (pairs cost m²).
const MAX_COLUMNS: usize = 48;

/// `target` is `from` plus an offset drawn from `offsets`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offset {
    /// The number that follows.
    pub target: String,
    /// The number it follows.
    pub from: String,
    /// `target − from` on the sampled rows with both.
    pub offsets: NumericStats,
}

/// The offsets of the table, from the sampled rows `keep`; each column takes part in
/// at most one (the strongest first), and a pair an exact rule already joins is left
/// to the rule.
pub(crate) fn offsets(
    cols: &[ColumnProfile],
    values: &[ColumnValues<'_>],
    keep: &[usize],
    rules: &[Rule],
    correlations: &Correlations,
    o: &ProfileOptions,
) -> Vec<Offset> {
    // The copula's correlation of a pair; 0 for columns it does not hold.
    let copula = |a: &str, b: &str| {
        let at = |n: &str| correlations.columns.iter().position(|c| c == n);
        match (at(a), at(b)) {
            (Some(i), Some(j)) => correlations.matrix[i][j],
            _ => 0.0,
        }
    };
    // Plain numbers only: clocks and dates written as numbers add on their own line.
    let nums: Vec<(usize, &[Option<f64>])> = cols
        .iter()
        .zip(values)
        .enumerate()
        .filter_map(|(i, (c, v))| match v {
            ColumnValues::Number(x)
                if c.kind == ColumnKind::Numeric
                    && c.distinct > 1
                    && !c.unique
                    && c.numeric.as_ref().is_some_and(|n| n.encoding.is_none()) =>
            {
                Some((i, *x))
            }
            _ => None,
        })
        .take(MAX_COLUMNS)
        .collect();
    let joined = |a: &str, b: &str| {
        rules.iter().any(|r| {
            let names = r.columns();
            names.contains(&a) && names.contains(&b)
        })
    };
    let integral = |i: usize| cols[i].numeric.as_ref().is_some_and(|n| n.integral);
    let mut found: Vec<(f64, usize, usize)> = Vec::new();
    for (x, &(a, av)) in nums.iter().enumerate() {
        for &(b, bv) in &nums[x + 1..] {
            if integral(a) != integral(b) || joined(&cols[a].name, &cols[b].name) {
                continue;
            }
            if let Some((r, from_is_a)) = follows(av, bv, keep)
                && r >= copula(&cols[a].name, &cols[b].name) + MIN_GAIN_OVER_COPULA
            {
                let (from, target) = if from_is_a { (a, b) } else { (b, a) };
                found.push((r, target, from));
            }
        }
    }
    found.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut used = vec![false; cols.len()];
    let mut out = Vec::new();
    for (_, target, from) in found {
        if used[target] || used[from] {
            continue;
        }
        let (ColumnValues::Number(t), ColumnValues::Number(f)) = (&values[target], &values[from])
        else {
            continue;
        };
        let mut diffs: Vec<f64> = keep
            .iter()
            .filter_map(|&i| Some(t[i]? - f[i]?))
            .filter(|d| d.is_finite())
            .collect();
        diffs.sort_by(f64::total_cmp);
        let Some(stats) = super::numeric_stats(&Runs::of(&diffs), bins::Binning::Number, o) else {
            continue;
        };
        used[target] = true;
        used[from] = true;
        out.push(Offset {
            target: cols[target].name.clone(),
            from: cols[from].name.clone(),
            offsets: stats,
        });
    }
    out
}

/// Whether one of two columns follows the other: Pearson's r of the pair, and whether
/// `a` is the one followed (the one of smaller variance: a sum of independent parts
/// spreads more than either).
fn follows(a: &[Option<f64>], b: &[Option<f64>], keep: &[usize]) -> Option<(f64, bool)> {
    let pairs = || keep.iter().filter_map(|&i| Some((a[i]?, b[i]?)));
    let n = pairs().count();
    if n < MIN_ROWS {
        return None;
    }
    let nf = n as f64;
    let (ma, mb) = pairs().fold((0.0, 0.0), |(x, y), (p, q)| (x + p / nf, y + q / nf));
    let (mut vaa, mut vbb, mut vab) = (0.0, 0.0, 0.0);
    for (p, q) in pairs() {
        let (da, db) = (p - ma, q - mb);
        vaa += da * da;
        vbb += db * db;
        vab += da * db;
    }
    if !(vaa > 0.0 && vbb > 0.0 && vab > 0.0) {
        return None;
    }
    let from_is_a = vaa <= vbb;
    let (vf, vt) = if from_is_a { (vaa, vbb) } else { (vbb, vaa) };
    // The offset d = target − from: its variance and its covariance with `from`.
    let vd = vt + vf - 2.0 * vab;
    let cov_fd = vab - vf;
    let r_fd = if vd > 0.0 {
        cov_fd / (vf * vd).sqrt()
    } else {
        0.0
    };
    let explains = vd <= MAX_OFFSET_VARIANCE_SHARE * vt;
    let independent = r_fd.abs() <= MAX_OFFSET_CORRELATION;
    (explains && independent).then(|| (vab / (vaa * vbb).sqrt(), from_is_a))
}
