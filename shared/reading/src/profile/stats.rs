//! Small numeric helpers: quantiles, moments, histograms, rank scores, value shapes.
//!
//! Everything works on sorted slices so that the result does not depend on the order
//! in which chunks were merged.

pub use crate::vocabulary::Histogram;

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

/// A column's values in sorted order, held as runs of equal values (value, count):
/// what a sorted column's statistics read, without the sorted column. Columns of
/// repeated values (years, codes, delays) are counted in a hash map instead of
/// sorted, which took a tenth of profiling flights.
#[derive(Debug, Clone, Default)]
pub(crate) struct Runs {
    runs: Vec<(f64, u64)>,
    /// Values up to and including each run.
    ends: Vec<u64>,
}

impl Runs {
    /// The runs of these values (no NaN). Equal values are one run, `-0.0` and `0.0`
    /// included, under the value that sorts first.
    pub(crate) fn of(values: &[f64]) -> Runs {
        // Counting pays while values repeat; past this many distinct ones, sorting
        // is cheaper than the map.
        let most = (values.len() / 8).max(1024);
        let mut counts: super::HashMap<u64, u64> = super::HashMap::default();
        let mut runs: Vec<(f64, u64)> = Vec::new();
        for &x in values {
            *counts.entry(x.to_bits()).or_default() += 1;
            if counts.len() > most {
                let mut sorted = values.to_vec();
                sorted.sort_unstable_by(f64::total_cmp);
                return Runs::from_sorted(sorted.into_iter().map(|x| (x, 1)));
            }
        }
        runs.extend(
            counts
                .into_iter()
                .map(|(bits, c)| (f64::from_bits(bits), c)),
        );
        runs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        Runs::from_sorted(runs.into_iter())
    }

    /// From (value, count) pairs in sorted order, merging equal neighbours.
    fn from_sorted(pairs: impl Iterator<Item = (f64, u64)>) -> Runs {
        let mut runs: Vec<(f64, u64)> = Vec::new();
        for (x, n) in pairs {
            match runs.last_mut() {
                Some((v, c)) if *v == x => *c += n,
                _ => runs.push((x, n)),
            }
        }
        let mut total = 0;
        let ends = runs
            .iter()
            .map(|r| {
                total += r.1;
                total
            })
            .collect();
        Runs { runs, ends }
    }

    /// The runs, in sorted order.
    pub(crate) fn runs(&self) -> &[(f64, u64)] {
        &self.runs
    }

    /// How many values.
    pub(crate) fn len(&self) -> usize {
        self.ends.last().map_or(0, |&n| n as usize)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The value at position `i` of the sorted values.
    pub(crate) fn at(&self, i: usize) -> f64 {
        let r = self.ends.partition_point(|&end| end <= i as u64);
        self.runs[r.min(self.runs.len() - 1)].0
    }

    /// The sorted values, one by one.
    pub(crate) fn values(&self) -> impl Iterator<Item = f64> + Clone + '_ {
        self.runs
            .iter()
            .flat_map(|&(x, n)| std::iter::repeat_n(x, n as usize))
    }

    /// The `q`-quantile, as [`quantile`] of the sorted values gives it.
    pub(crate) fn quantile(&self, q: f64) -> f64 {
        let n = self.len();
        if n == 0 {
            return f64::NAN;
        }
        let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
        let lo = h.floor() as usize;
        let (a, b) = (self.at(lo), self.at((lo + 1).min(n - 1)));
        a + (h - lo as f64) * (b - a)
    }

    /// `points` evenly spaced quantiles from 0 to 1, as [`quantiles`] gives them.
    pub(crate) fn quantiles(&self, points: usize) -> Vec<f64> {
        (0..points)
            .map(|i| self.quantile(i as f64 / (points - 1).max(1) as f64))
            .collect()
    }
}

/// Mean, sample standard deviation and sample skewness of values given one by one
/// (sorted, so the sums do not depend on the order chunks were merged in).
pub(crate) fn moments(values: impl Iterator<Item = f64> + Clone) -> (f64, f64, f64) {
    // -0.0 as `Iterator::sum` starts: the same bits for the same values.
    let (mut count, mut sum) = (0usize, -0.0f64);
    for x in values.clone() {
        count += 1;
        sum += x;
    }
    if count == 0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let n = count as f64;
    let mean = sum / n;
    let (m2, m3) = values.fold((0.0, 0.0), |(m2, m3), x| {
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

/// A histogram of `bins` bins over [lo, hi], of values given as (value, count) runs.
pub(crate) fn histogram(runs: &[(f64, u64)], lo: f64, hi: f64, bins: usize) -> Histogram {
    if runs.is_empty() {
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
    for &(x, n) in runs {
        let b = ((x - lo) / width).floor();
        let b = if b.is_nan() || b < 0.0 {
            0
        } else {
            (b as usize).min(bins - 1)
        };
        counts[b] += n;
    }
    Histogram { edges, counts }
}

/// Rank scores: average rank / (n + 1) of the present values (Pearson's r of these is
/// Spearman's ρ).
pub(crate) fn rank_scores(values: &[Option<f64>]) -> Vec<Option<f64>> {
    // Most columns repeat their values (and a category's ranks always do): each
    // distinct value gets its score once, from counts, instead of sorting the rows.
    // `+ 0.0` makes -0.0 and 0.0 one value, as `==` does.
    let key = |x: f64| (x + 0.0).to_bits();
    let present = values.iter().flatten().count();
    let most = (present / 8).max(1024);
    let mut counts: super::HashMap<u64, u64> = super::HashMap::default();
    for &x in values.iter().flatten() {
        *counts.entry(key(x)).or_default() += 1;
        if counts.len() > most {
            return rank_scores_by_sorting(values);
        }
    }
    let mut distinct: Vec<(f64, u64)> = counts
        .into_iter()
        .map(|(bits, c)| (f64::from_bits(bits), c))
        .collect();
    distinct.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let n = present as f64;
    let mut scores: super::HashMap<u64, f64> = super::HashMap::default();
    let mut i = 0usize;
    for (x, c) in distinct {
        let j = i + c as usize - 1;
        let rank = (i + j) as f64 / 2.0 + 1.0;
        scores.insert(key(x), rank / (n + 1.0));
        i = j + 1;
    }
    values.iter().map(|x| x.map(|x| scores[&key(x)])).collect()
}

/// [`rank_scores`] of a column of mostly distinct values.
fn rank_scores_by_sorting(values: &[Option<f64>]) -> Vec<Option<f64>> {
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
        let s = rank / (n + 1.0);
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

/// Characters a shape keeps as they are: ASCII punctuation that structures codes and
/// addresses. Everything else maps to a class.
const SHAPE_SYMBOLS: &str = "-_.,:;/\\@#+()[]'&%*=!?$~|<>";

/// The character-class shape of a value over a closed alphabet: any letter → `A`
/// (upper case) or `a` (any other), any digit of any script → `9`, white space → a
/// space, the ASCII symbols of [`SHAPE_SYMBOLS`] as themselves, anything else → `_`;
/// capped at 24 characters (`…` marks a cut). `AB-1234` → `AA-9999`, and a full-width
/// `４７１１０３７` → `9999999`: no character of a value survives unless it is one of a
/// fixed few. Idempotent, so a shape received from elsewhere is re-shaped safely.
pub fn shape(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 24 {
            out.push('…');
            break;
        }
        out.push(shape_char(c));
    }
    out
}

fn shape_char(c: char) -> char {
    if c.is_numeric() {
        '9'
    } else if c.is_uppercase() {
        'A'
    } else if c.is_alphabetic() {
        'a'
    } else if c.is_whitespace() {
        ' '
    } else if c == '…' || (c.is_ascii() && SHAPE_SYMBOLS.contains(c)) {
        c
    } else {
        '_'
    }
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
    fn shapes() {
        assert_eq!(shape("AB-1234"), "AA-9999");
        assert_eq!(shape("Jo Smith"), "Aa Aaaaa");
    }

    #[test]
    fn shapes_keep_no_character_outside_the_closed_alphabet() {
        // Full-width digits (Japanese exports), Arabic-Indic digits, CJK, symbols.
        assert_eq!(shape("４７１１０３７"), "9999999");
        assert_eq!(shape("٤٥٦-ab"), "999-aa");
        assert_eq!(shape("東京 €5"), "aa _9");
        for s in ["４７１１０３７", "Ünïcødé ✓ 1²", "\u{200b}x\u{fe0f}"] {
            let sh = shape(s);
            assert!(
                sh.chars()
                    .all(|c| "Aa9 _…".contains(c) || SHAPE_SYMBOLS.contains(c)),
                "{s:?} → {sh:?}"
            );
            assert_eq!(shape(&sh), sh, "idempotent");
        }
    }

    /// Columns of few values take the counting paths, columns of many the sorting
    /// ones; both must give what sorting every value gives.
    fn columns_of_few_and_many_values() -> Vec<Vec<f64>> {
        let few: Vec<f64> = (0..5000)
            .map(|i| f64::from((i * 7919) % 13) - 6.0)
            .collect();
        let many: Vec<f64> = (0..5000)
            .map(|i| f64::from((i * 7919) % 4999) / 7.0)
            .collect();
        let zeros = vec![0.0, -0.0, 1.5, 0.0, -0.0, -2.0, 1.5];
        vec![few, many, zeros, vec![3.0], vec![]]
    }

    #[test]
    fn runs_read_as_the_sorted_values() {
        for values in columns_of_few_and_many_values() {
            let mut sorted = values.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            let runs = Runs::of(&values);
            assert_eq!(runs.len(), sorted.len());
            let expanded: Vec<f64> = runs.values().collect();
            assert!(expanded.iter().zip(&sorted).all(|(a, b)| a == b));
            for (i, x) in sorted.iter().enumerate() {
                assert_eq!(runs.at(i), *x);
            }
            if !sorted.is_empty() {
                assert_eq!(runs.quantiles(101), quantiles(&sorted, 101));
                let (m, s, k) = moments(sorted.iter().copied());
                assert_eq!(moments(runs.values()), (m, s, k));
                let mut distinct = sorted.clone();
                distinct.dedup();
                assert_eq!(runs.runs().len(), distinct.len());
            }
        }
    }

    #[test]
    fn rank_scores_by_counting_equal_those_by_sorting() {
        for values in columns_of_few_and_many_values() {
            let mut column: Vec<Option<f64>> = values.into_iter().map(Some).collect();
            column.insert(column.len() / 2, None);
            assert_eq!(rank_scores(&column), rank_scores_by_sorting(&column));
        }
    }

    #[test]
    fn rank_correlation_of_monotone_data_is_one() {
        let a: Vec<_> = (0..50).map(|i| Some(i as f64)).collect();
        let b: Vec<_> = (0..50).map(|i| Some((i as f64).exp())).collect();
        let r = pearson(&rank_scores(&a), &rank_scores(&b)).unwrap();
        assert!((r - 1.0).abs() < 1e-12);
    }
}
