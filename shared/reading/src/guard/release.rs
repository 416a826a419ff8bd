//! How a numeric distribution is released so that no figure is pinned by fewer than k
//! rows: ends clamped to the k-th values, quantiles spaced at least k rows apart,
//! moments winsorised at the released ends, histogram bins of at least k rows.
//!
//! Each rule answers an attack that worked on the earlier guard: three salaries came
//! back as q0/q50/q100; 101 quantiles of 60 rows pinned every interior value; a hidden
//! 2,000,000 salary was `n·mean − Σ interior` away from the released mean; bins of one
//! row named one row's range.

use crate::profile::{Histogram, NumericStats};
use crate::vocabulary::NumberEncoding;

/// Rounds to `digits` significant digits. Never returns a non-finite number (JSON has
/// none): what cannot be rounded (subnormals, infinities) becomes 0.
/// A released value of a column, rounded to `digits` significant digits: on the line of
/// real minutes or days when the numbers encode times or dates, so `20221130` becomes a
/// date near it and not `20220000`. A personal date (an admission) written as YYYYMMDD
/// is given only to its month, as the same date in a date column would be.
pub(crate) fn round_value(
    x: f64,
    digits: u32,
    encoding: Option<NumberEncoding>,
    personal_date: bool,
) -> f64 {
    match encoding {
        Some(NumberEncoding::DateYyyymmdd) if personal_date => {
            let v = NumberEncoding::DateYyyymmdd.from_line(NumberEncoding::DateYyyymmdd.to_line(x));
            (v / 100.0).floor() * 100.0 + 1.0
        }
        Some(e) => e.from_line(round_sig(e.to_line(x), digits)),
        None => round_sig(x, digits),
    }
}

pub(crate) fn round_sig(x: f64, digits: u32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return 0.0;
    }
    let mag = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits as i32 - 1 - mag);
    let r = (x * scale).round() / scale;
    if r.is_finite() { r } else { 0.0 }
}

/// Rounds to `decimals` decimal places (0 for non-finite input).
pub(crate) fn round_to(x: f64, decimals: i32) -> f64 {
    let s = 10f64.powi(decimals);
    let r = (x * s).round() / s;
    if r.is_finite() { r } else { 0.0 }
}

/// The step shares are rounded to for a line of `rows` rows: k/rows rounded up to two
/// significant digits (at least 0.0001, the precision of a share). Each released share
/// then stands for a count known only to within k rows, so what a line holds back (the
/// total less the named values) cannot be derived to fewer than k rows either, however
/// few values were held back.
pub(crate) fn share_step(rows: u64, k: u32) -> f64 {
    let need = f64::from(k) / rows.max(1) as f64;
    if need >= 1.0 {
        return 1.0;
    }
    let scale = 10f64.powi(1 - need.log10().floor() as i32);
    ((need * scale).ceil() / scale).max(0.0001)
}

/// A share rounded to `step` (and to 4 decimals, so no float noise is released).
pub(crate) fn round_share(x: f64, step: f64) -> f64 {
    round_to(((x.clamp(0.0, 1.0) / step).round() * step).min(1.0), 4)
}

/// The fewest values a distribution needs before any figure of it is released: with
/// fewer than 2k, the k-th smallest and k-th largest values cross, and every figure is
/// one of a handful of rows.
pub(crate) fn enough_values(count: u64, k_max: u32) -> bool {
    count >= 2 * u64::from(k_max)
}

/// Evenly spaced quantiles (`q[i]` at probability i/(L−1)) thinned so that the released
/// points are at least `k` rows apart: the largest number of intervals m that divides
/// L−1 with m ≤ (rows−1)/k. Empty when not even the two ends qualify.
///
/// `k` here is the public `k_max`, never a column's drawn k: the number of quantiles
/// must not tell an attacker which k was drawn.
pub(crate) fn thin<T: Clone>(q: &[T], rows: u64, k: u32) -> Vec<T> {
    if q.len() < 2 {
        return Vec::new();
    }
    let intervals = q.len() - 1;
    let most = (rows.saturating_sub(1) / u64::from(k.max(1))).min(intervals as u64) as usize;
    match (1..=most).rev().find(|m| intervals.is_multiple_of(*m)) {
        Some(m) => q.iter().step_by(intervals / m).cloned().collect(),
        None => Vec::new(),
    }
}

/// The k-th smallest and k-th largest values (the released ends), ordered.
pub(crate) fn clamp_ends(n: &NumericStats, k: u32) -> (f64, f64) {
    let k = k.max(1) as usize;
    let lo = n
        .smallest
        .get(k - 1)
        .or(n.smallest.last())
        .copied()
        .unwrap_or(n.min);
    let hi = n
        .largest
        .len()
        .checked_sub(k)
        .and_then(|i| n.largest.get(i))
        .or(n.largest.first())
        .copied()
        .unwrap_or(n.max);
    if lo <= hi { (lo, hi) } else { (hi, lo) }
}

/// Mean, standard deviation and skewness of the values with everything below `lo`
/// raised to `lo` and everything above `hi` lowered to `hi` (winsorised at the
/// released ends), computed from the profile's exact moments and its tails: the k−1
/// values beyond each end are among the `tail` smallest and largest the profile keeps.
pub(crate) fn winsorised_moments(n: &NumericStats, lo: f64, hi: f64) -> (f64, f64, f64) {
    let count = n.count as f64;
    if n.count < 2 {
        return (n.mean, 0.0, 0.0);
    }
    // Central moment sums about the old mean, back from mean/std/skew.
    let m2 = n.std * n.std * (count - 1.0);
    let m3 = if n.count > 2 && m2 > 0.0 {
        let g1 = n.skew * (count - 2.0) / (count * (count - 1.0)).sqrt();
        g1 * count * (m2 / count).powf(1.5)
    } else {
        0.0
    };
    // The values that move, and where to: those beyond the ends are among the tails
    // (lo is the k-th smallest, and the profile keeps `tail` ≥ k of them). A value
    // cannot be both below lo and above hi, so overlapping tails count nothing twice.
    let mut moved: Vec<(f64, f64)> = n
        .smallest
        .iter()
        .filter(|&&x| x < lo)
        .map(|&x| (x, lo))
        .collect();
    moved.extend(n.largest.iter().filter(|&&x| x > hi).map(|&x| (x, hi)));
    let shift: f64 = moved.iter().map(|(x, to)| to - x).sum();
    let mean = n.mean + shift / count;
    let d = n.mean - mean;
    // Σ(x − mean')² and Σ(x − mean')³ over the original values, then swap the moved ones.
    let mut s2 = m2 + count * d * d;
    let mut s3 = m3 + 3.0 * d * m2 + count * d * d * d;
    for (x, to) in moved {
        let (a, b) = (x - mean, to - mean);
        s2 += b * b - a * a;
        s3 += b * b * b - a * a * a;
    }
    let s2 = s2.max(0.0);
    let std = (s2 / (count - 1.0)).sqrt();
    let skew = if n.count > 2 && s2 > 0.0 {
        let g1 = (s3 / count) / (s2 / count).powf(1.5);
        g1 * (count * (count - 1.0)).sqrt() / (count - 2.0)
    } else {
        0.0
    };
    (mean, std, skew)
}

/// Merges neighbouring bins until every bin holds at least `k` rows (a short last run
/// joins the bin before it). Empty when all bins together hold fewer than `k`.
pub(crate) fn merge_bins(h: &Histogram, k: u32) -> Histogram {
    let k = u64::from(k);
    if h.counts.is_empty() || h.edges.len() != h.counts.len() + 1 {
        return Histogram::default();
    }
    if h.counts.iter().sum::<u64>() < k {
        return Histogram::default();
    }
    let mut edges = vec![h.edges[0]];
    let mut counts: Vec<u64> = Vec::new();
    let mut run = 0u64;
    for (i, &c) in h.counts.iter().enumerate() {
        run += c;
        if run >= k {
            counts.push(run);
            edges.push(h.edges[i + 1]);
            run = 0;
        }
    }
    if run > 0 {
        // What is left is fewer than k rows: it joins the last full bin.
        if let Some(last) = counts.last_mut() {
            *last += run;
            if let Some(e) = edges.last_mut() {
                *e = h.edges[h.edges.len() - 1];
            }
        }
    }
    Histogram { edges, counts }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(values: &[f64], tail: usize) -> NumericStats {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let m2: f64 = v.iter().map(|x| (x - mean).powi(2)).sum();
        let m3: f64 = v.iter().map(|x| (x - mean).powi(3)).sum();
        let std = (m2 / (n - 1.0)).sqrt();
        let g1 = (m3 / n) / (m2 / n).powf(1.5);
        let skew = g1 * (n * (n - 1.0)).sqrt() / (n - 2.0);
        let t = tail.min(v.len());
        NumericStats {
            count: v.len() as u64,
            min: v[0],
            max: v[v.len() - 1],
            mean,
            std,
            skew,
            quantiles: vec![],
            histogram: Histogram::default(),
            smallest: v[..t].to_vec(),
            largest: v[v.len() - t..].to_vec(),
            modes: vec![],
            integral: false,
            encoding: None,
            fine: vec![],
        }
    }

    #[test]
    fn winsorised_moments_equal_the_moments_of_the_clamped_values() {
        let mut values: Vec<f64> = (1..=40).map(|i| f64::from(i * 1000)).collect();
        values.push(2_000_000.0); // the outlier an attacker wants back
        values.push(-500_000.0);
        let n = stats(&values, 10);
        let (lo, hi) = clamp_ends(&n, 5);
        let clamped: Vec<f64> = values.iter().map(|x| x.clamp(lo, hi)).collect();
        let direct = stats(&clamped, 10);
        let (mean, std, skew) = winsorised_moments(&n, lo, hi);
        assert!((mean - direct.mean).abs() < 1e-6, "{mean} {}", direct.mean);
        assert!((std - direct.std).abs() < 1e-6, "{std} {}", direct.std);
        assert!((skew - direct.skew).abs() < 1e-6, "{skew} {}", direct.skew);
    }

    #[test]
    fn quantiles_are_thinned_to_k_rows_apart() {
        let q: Vec<usize> = (0..101).collect();
        // 101 rows, k 7: at most 14 intervals; the largest divisor of 100 below is 10.
        assert_eq!(thin(&q, 101, 7).len(), 11);
        assert_eq!(thin(&q, 20, 7).len(), 3);
        assert_eq!(thin(&q, 10, 7).len(), 2);
        assert!(thin(&q, 7, 7).is_empty());
        assert_eq!(thin(&q, 1_000_000, 7).len(), 101);
        let q21: Vec<usize> = (0..21).collect();
        assert_eq!(thin(&q21, 20, 7), vec![0, 10, 20]);
    }

    #[test]
    fn share_steps_are_worth_k_rows() {
        assert_eq!(share_step(1_000_000, 7), 0.0001);
        assert_eq!(share_step(3_000, 7), 0.0024);
        assert_eq!(share_step(344, 7), 0.021);
        assert_eq!(share_step(20, 7), 0.35);
        assert_eq!(share_step(3, 7), 1.0);
        for rows in [20u64, 150, 344, 3_000, 70_000] {
            assert!(share_step(rows, 7) * rows as f64 >= 7.0 - 1e-9, "{rows}");
        }
        assert_eq!(round_share(0.3333, 0.05), 0.35);
        assert_eq!(round_share(0.12345, 0.0001), 0.1235);
    }

    #[test]
    fn bins_below_k_merge() {
        let h = Histogram {
            edges: vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            counts: vec![1, 9, 2, 2, 1],
        };
        let m = merge_bins(&h, 5);
        assert_eq!(m.counts, vec![10, 5]);
        assert_eq!(m.edges, vec![0.0, 2.0, 5.0]);
        assert!(m.counts.iter().all(|&c| c >= 5));
        assert!(
            merge_bins(
                &Histogram {
                    edges: vec![0.0, 1.0],
                    counts: vec![3]
                },
                5
            )
            .counts
            .is_empty()
        );
    }
}
