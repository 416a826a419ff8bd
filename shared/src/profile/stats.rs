//! Small numeric helpers: quantiles, moments, histograms, normal scores, value shapes.
//!
//! Everything works on sorted slices so that the result does not depend on the order
//! in which chunks were merged.

use serde::{Deserialize, Serialize};

/// Equal-width bins over a range; values outside it fall into the end bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Histogram {
    /// Bin edges, one more than the counts.
    pub edges: Vec<f64>,
    /// Values per bin.
    pub counts: Vec<u64>,
}

/// The `q`-quantile (0..=1) of sorted values, linear interpolation (type 7).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// `points` evenly spaced quantiles from 0 to 1.
pub(crate) fn quantiles(sorted: &[f64], points: usize) -> Vec<f64> {
    (0..points)
        .map(|i| quantile(sorted, i as f64 / (points - 1).max(1) as f64))
        .collect()
}

/// `points` evenly spaced quantiles of values given as sorted (value, count) pairs:
/// the same as [`quantiles`] over the values repeated `count` times.
pub(crate) fn weighted_quantiles(sorted: &[(f64, u64)], points: usize) -> Vec<f64> {
    let n: u64 = sorted.iter().map(|p| p.1).sum();
    if n == 0 {
        return vec![f64::NAN; points];
    }
    // The value at 0-based position `i` of the expanded list.
    let at = |i: u64| -> f64 {
        let mut seen = 0u64;
        for &(v, c) in sorted {
            seen += c;
            if i < seen {
                return v;
            }
        }
        sorted[sorted.len() - 1].0
    };
    (0..points)
        .map(|k| {
            let h = (n - 1) as f64 * (k as f64 / (points - 1).max(1) as f64);
            let lo = h.floor() as u64;
            let (a, b) = (at(lo), at((lo + 1).min(n - 1)));
            a + (h - lo as f64) * (b - a)
        })
        .collect()
}

/// Mean, sample standard deviation and sample skewness.
pub(crate) fn moments(sorted: &[f64]) -> (f64, f64, f64) {
    let n = sorted.len() as f64;
    if sorted.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mean = sorted.iter().sum::<f64>() / n;
    let (m2, m3) = sorted.iter().fold((0.0, 0.0), |(m2, m3), &x| {
        let d = x - mean;
        (m2 + d * d, m3 + d * d * d)
    });
    let var = if n > 1.0 { m2 / (n - 1.0) } else { 0.0 };
    let std = var.sqrt();
    let skew = if m2 > 0.0 && n > 2.0 {
        let g1 = (m3 / n) / (m2 / n).powf(1.5);
        g1 * (n * (n - 1.0)).sqrt() / (n - 2.0)
    } else {
        0.0
    };
    (mean, std, skew)
}

/// A histogram of `bins` bins over [lo, hi].
pub(crate) fn histogram(sorted: &[f64], lo: f64, hi: f64, bins: usize) -> Histogram {
    if sorted.is_empty() {
        return Histogram {
            edges: vec![],
            counts: vec![],
        };
    }
    let bins = if hi > lo { bins.max(1) } else { 1 };
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let edges = (0..=bins)
        .map(|i| {
            if i == bins {
                hi.max(lo)
            } else {
                lo + width * i as f64
            }
        })
        .collect();
    let mut counts = vec![0u64; bins];
    for &x in sorted {
        let b = ((x - lo) / width).floor();
        let b = if b.is_nan() || b < 0.0 {
            0
        } else {
            (b as usize).min(bins - 1)
        };
        counts[b] += 1;
    }
    Histogram { edges, counts }
}

/// The inverse of the standard normal CDF (Acklam's rational approximation, relative
/// error < 1.2e-9). Hand-written: it is twenty lines, and a statistics crate for it
/// would pull a linear-algebra library into the wasm build.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let plow = 0.02425;
    if p < plow {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - plow {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// Normal scores (van der Waerden): Φ⁻¹(average rank / (n + 1)) of the present values.
pub(crate) fn normal_scores(values: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut idx: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_some()).collect();
    // Unstable is fine: ties get one average rank whatever their order.
    idx.sort_unstable_by(|&a, &b| {
        values[a]
            .unwrap_or(0.0)
            .total_cmp(&values[b].unwrap_or(0.0))
    });
    let n = idx.len() as f64;
    let mut out = vec![None; values.len()];
    let mut i = 0;
    while i < idx.len() {
        let v = values[idx[i]];
        let mut j = i;
        while j + 1 < idx.len() && values[idx[j + 1]] == v {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let s = normal_quantile(rank / (n + 1.0));
        for &k in &idx[i..=j] {
            out[k] = Some(s);
        }
        i = j + 1;
    }
    out
}

/// Pearson correlation over rows where both are present; None with < 3 such rows or
/// no variance.
pub(crate) fn pearson(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    let (mut n, mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        if let (Some(x), Some(y)) = (x, y) {
            n += 1.0;
            sa += x;
            sb += y;
            saa += x * x;
            sbb += y * y;
            sab += x * y;
        }
    }
    if n < 3.0 {
        return None;
    }
    let cov = sab - sa * sb / n;
    let va = saa - sa * sa / n;
    let vb = sbb - sb * sb / n;
    (va > 1e-12 && vb > 1e-12).then(|| (cov / (va * vb).sqrt()).clamp(-1.0, 1.0))
}

/// The character-class shape of a value: letters → `A`/`a`, digits → `9`, other
/// characters kept, capped at 24 characters (`…` marks a cut). `AB-1234` → `AA-9999`.
pub fn shape(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 24 {
            out.push('…');
            break;
        }
        out.push(if c.is_ascii_digit() {
            '9'
        } else if c.is_uppercase() {
            'A'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantiles(&v, 3), vec![1.0, 2.5, 4.0]);
    }

    #[test]
    fn weighted_quantiles_equal_expanded_ones() {
        let pairs = [(1.0, 3), (4.0, 1), (7.0, 2)];
        let expanded = [1.0, 1.0, 1.0, 4.0, 7.0, 7.0];
        assert_eq!(weighted_quantiles(&pairs, 11), quantiles(&expanded, 11));
    }

    #[test]
    fn normal_quantile_is_accurate() {
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!(normal_quantile(0.5).abs() < 1e-12);
    }

    #[test]
    fn shapes() {
        assert_eq!(shape("AB-1234"), "AA-9999");
        assert_eq!(shape("Jo Smith"), "Aa Aaaaa");
    }

    #[test]
    fn rank_correlation_of_monotone_data_is_one() {
        let a: Vec<_> = (0..50).map(|i| Some(i as f64)).collect();
        let b: Vec<_> = (0..50).map(|i| Some((i as f64).exp())).collect();
        let r = pearson(&normal_scores(&a), &normal_scores(&b)).unwrap();
        assert!((r - 1.0).abs() < 1e-12);
    }
}
