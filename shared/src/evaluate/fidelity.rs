//! The SDMetrics 0.32 Quality Report metrics, written out so they run in the browser.
//!
//! Each function follows the SDMetrics source it names, including its quirks, because
//! the point is that our figure and theirs mean the same thing:
//! - `KSComplement`: 1 − the two-sample Kolmogorov–Smirnov statistic, missing dropped.
//! - `TVComplement`: 1 − total variation distance of category shares, missing dropped;
//!   a synthetic-only category adds 1e-6 to the real counts, as `get_frequencies` does.
//! - `CorrelationSimilarity`: 1 − |r_real − r_synth| / 2 with Pearson's r over rows where
//!   both values are present; a constant column makes the pair unscorable.
//! - `ContingencySimilarity`: 1 − total variation distance of the joint shares, missing
//!   counted as a category. A continuous column in a mixed pair is cut into 10 equal
//!   bins over *each table's own* range (so bin 3 of the real data and bin 3 of the
//!   synthetic data need not cover the same values), and `np.digitize` puts the maximum
//!   and missing values together in an 11th bin.
//! - The pair filter: a pair counts towards Column Pair Trends only when the real
//!   |Pearson r| > 0.5 (continuous pairs) or Cramér's V > 0.3 (the others).
//!
//! - On tables over 50,000 rows, contingency is scored on a random 50,000-row sample of
//!   each table. SDMetrics draws it unseeded for every pair; we draw one seeded sample
//!   per table, so figures on such tables agree with SDMetrics' to within the noise
//!   of that sample, and are reproducible.

/// SDMetrics' `DEFAULT_REAL_CORRELATION_THRESHOLD`.
pub const CORRELATION_THRESHOLD: f64 = 0.5;
/// SDMetrics' `DEFAULT_REAL_ASSOCIATION_THRESHOLD`.
pub const ASSOCIATION_THRESHOLD: f64 = 0.3;
/// SDMetrics' `DEFAULT_NUM_ROWS_SUBSAMPLE` for contingency tables.
pub const CONTINGENCY_ROWS: usize = 50_000;
/// Bins of a continuous column in a mixed pair.
const BINS: usize = 10;

/// 1 − KS statistic over the present values; `None` when either side is empty.
pub(crate) fn ks_complement(real: &[f64], synthetic: &[f64]) -> Option<f64> {
    let mut a: Vec<f64> = real.iter().copied().filter(|x| !x.is_nan()).collect();
    let mut b: Vec<f64> = synthetic.iter().copied().filter(|x| !x.is_nan()).collect();
    if a.is_empty() || b.is_empty() {
        return None;
    }
    a.sort_unstable_by(f64::total_cmp);
    b.sort_unstable_by(f64::total_cmp);
    Some(1.0 - ks_statistic(&a, &b))
}

/// The largest gap between the two empirical CDFs (both slices sorted, non-empty).
fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        // Step both CDFs past the next value, ties on both sides together.
        let x = if a[i] <= b[j] { a[i] } else { b[j] };
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    d
}

/// 1 − TV distance of category shares over present codes; `None` when a side is empty.
pub(crate) fn tv_complement(real: &[u32], synthetic: &[u32], codes: usize) -> Option<f64> {
    let rc = counts(real, codes);
    let sc = counts(synthetic, codes);
    let synth_total: f64 = sc[1..].iter().sum();
    let mut real_counts = rc;
    if real_counts[1..].iter().sum::<f64>() == 0.0 || synth_total == 0.0 {
        return None;
    }
    for (r, s) in real_counts.iter_mut().zip(&sc).skip(1) {
        if *r == 0.0 && *s > 0.0 {
            *r += 1e-6;
        }
    }
    let real_total: f64 = real_counts[1..].iter().sum();
    let tv: f64 = real_counts
        .iter()
        .zip(&sc)
        .skip(1)
        .filter(|(r, _)| **r > 0.0)
        .map(|(r, s)| (s / synth_total - r / real_total).abs())
        .sum();
    Some(1.0 - 0.5 * tv)
}

fn counts(codes: &[u32], n: usize) -> Vec<f64> {
    let mut c = vec![0.0; n + 1];
    for &x in codes {
        c[x as usize] += 1.0;
    }
    c
}

/// Pearson's r over rows where both are present; `None` when undefined.
pub(crate) fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .collect();
    if pairs.len() < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(a, b) in &pairs {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Whether the present values are all one value (SDMetrics refuses such columns).
pub(crate) fn is_constant(x: &[f64]) -> bool {
    let mut present = x.iter().filter(|v| !v.is_nan());
    match present.next() {
        Some(first) => present.all(|v| v == first),
        None => false,
    }
}

/// `np.digitize(x, np.histogram_bin_edges(x.dropna(), 10))`: codes 1..=10 inside the
/// range, 11 for the maximum and for missing values.
pub(crate) fn digitize(x: &[f64]) -> Vec<u32> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in x.iter().filter(|v| !v.is_nan()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return vec![BINS as u32 + 1; x.len()];
    }
    if lo == hi {
        lo -= 0.5;
        hi += 0.5;
    }
    // np.linspace: start + i·step, the last edge exactly `hi`.
    let step = (hi - lo) / BINS as f64;
    let mut edges: Vec<f64> = (0..=BINS).map(|i| i as f64 * step + lo).collect();
    edges[BINS] = hi;
    x.iter()
        .map(|&v| {
            if v.is_nan() {
                BINS as u32 + 1
            } else {
                edges.partition_point(|e| *e <= v) as u32
            }
        })
        .collect()
}

/// Joint counts of two code columns: `(x << 32 | y, count)` sorted by key, so every
/// sum over cells runs in one order on every platform.
pub(crate) struct Joint {
    cells: Vec<(u64, f64)>,
    total: f64,
}

/// Dense counting up to this many cells; sorting keys beyond.
const DENSE_CELLS: usize = 1 << 22;

pub(crate) fn joint(a: &[u32], b: &[u32]) -> Joint {
    let wa = a.iter().max().map_or(0, |m| *m as usize + 1);
    let wb = b.iter().max().map_or(0, |m| *m as usize + 1);
    let key = |x: u64, y: u64| (x << 32) | y;
    let cells = if wa.saturating_mul(wb) <= DENSE_CELLS {
        let mut dense = vec![0u32; wa * wb];
        for (&x, &y) in a.iter().zip(b) {
            dense[x as usize * wb + y as usize] += 1;
        }
        dense
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| (key((i / wb) as u64, (i % wb) as u64), f64::from(*c)))
            .collect()
    } else {
        let mut keys: Vec<u64> = a
            .iter()
            .zip(b)
            .map(|(&x, &y)| key(u64::from(x), u64::from(y)))
            .collect();
        keys.sort_unstable();
        let mut cells: Vec<(u64, f64)> = Vec::new();
        for k in keys {
            match cells.last_mut() {
                Some((last, c)) if *last == k => *c += 1.0,
                _ => cells.push((k, 1.0)),
            }
        }
        cells
    };
    Joint {
        cells,
        total: a.len() as f64,
    }
}

/// 1 − TV distance of the joint shares; `None` when a table is empty.
pub(crate) fn contingency_similarity(real: &Joint, synthetic: &Joint) -> Option<f64> {
    if real.total == 0.0 || synthetic.total == 0.0 {
        return None;
    }
    let (r, s) = (&real.cells, &synthetic.cells);
    let (mut i, mut j, mut tv) = (0, 0, 0.0);
    loop {
        let (pr, ps) = match (r.get(i), s.get(j)) {
            (Some(a), Some(b)) if a.0 == b.0 => {
                i += 1;
                j += 1;
                (a.1, b.1)
            }
            (Some(a), Some(b)) if a.0 < b.0 => {
                i += 1;
                (a.1, 0.0)
            }
            (Some(a), None) => {
                i += 1;
                (a.1, 0.0)
            }
            (_, Some(b)) => {
                j += 1;
                (0.0, b.1)
            }
            (None, None) => break,
        };
        tv += (pr / real.total - ps / synthetic.total).abs();
    }
    Some(1.0 - tv / 2.0)
}

/// Cramér's V of a contingency table (scipy's `association`, no continuity
/// correction); `None` when a side has fewer than two categories.
pub(crate) fn cramers_v(j: &Joint) -> Option<f64> {
    let width = |f: fn(u64) -> u64| {
        j.cells
            .iter()
            .map(|c| f(c.0) as usize + 1)
            .max()
            .unwrap_or(0)
    };
    let mut rows = vec![0.0; width(|k| k >> 32)];
    let mut cols = vec![0.0; width(|k| k & 0xffff_ffff)];
    for &(k, c) in &j.cells {
        rows[(k >> 32) as usize] += c;
        cols[(k & 0xffff_ffff) as usize] += c;
    }
    let present = |v: &[f64]| v.iter().filter(|c| **c > 0.0).count();
    let dim = present(&rows).min(present(&cols));
    if dim < 2 || j.total == 0.0 {
        return None;
    }
    // χ² = Σ O²/E − n over every cell; the empty cells contribute nothing to Σ O²/E.
    let n = j.total;
    let mut sum = 0.0;
    for &(k, o) in &j.cells {
        let e = rows[(k >> 32) as usize] * cols[(k & 0xffff_ffff) as usize] / n;
        sum += o * o / e;
    }
    let chi2 = (sum - n).max(0.0);
    Some((chi2 / n / (dim - 1) as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ks_matches_scipy() {
        // scipy.stats.ks_2samp([1,2,3,4,5],[3,4,5,6,7,8]).statistic == 0.5
        let d = 1.0 - ks_complement(&[1., 2., 3., 4., 5.], &[3., 4., 5., 6., 7., 8.]).unwrap();
        assert!((d - 0.5).abs() < 1e-12, "{d}");
        assert_eq!(ks_complement(&[1.0, 2.0], &[1.0, 2.0]), Some(1.0));
        assert_eq!(ks_complement(&[f64::NAN], &[1.0]), None);
    }

    #[test]
    fn digitize_matches_numpy() {
        // np.digitize([0,1,5,9.99,10,nan], np.histogram_bin_edges([0,10],10))
        let b = digitize(&[0.0, 1.0, 5.0, 9.99, 10.0, f64::NAN]);
        assert_eq!(b, [1, 2, 6, 10, 11, 11]);
        assert_eq!(digitize(&[3.0, 3.0]), [6, 6]);
    }

    #[test]
    fn cramers_v_of_a_perfect_association_is_one() {
        let j = joint(&[1, 1, 2, 2], &[5, 5, 6, 6]);
        assert!((cramers_v(&j).unwrap() - 1.0).abs() < 1e-12);
        let j = joint(&[1, 1, 2, 2], &[5, 6, 5, 6]);
        assert!(cramers_v(&j).unwrap().abs() < 1e-12);
    }

    #[test]
    fn tv_regularises_synthetic_only_categories() {
        // real {a:2}, synthetic {a:1, b:1}: f_exp = [2/(2+1e-6), 1e-6/(2+1e-6)].
        let s = tv_complement(&[1, 1], &[1, 2], 2).unwrap();
        let fe: [f64; 2] = [2.0 / (2.0 + 1e-6), 1e-6 / (2.0 + 1e-6)];
        let want = 1.0 - 0.5 * ((0.5 - fe[0]).abs() + (0.5 - fe[1]).abs());
        assert!((s - want).abs() < 1e-15);
    }
}
