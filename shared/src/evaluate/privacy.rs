//! Privacy figures: how much of the real table the synthetic one gives back.
//!
//! - Exact copies: synthetic rows equal to some real row, over every column and over
//!   the statistical columns only, beside the real table's own duplicate rate (a table
//!   with many identical rows cannot avoid "copies" of them).
//! - Verbatim copies per identifier, free-text and PII column: the share of synthetic
//!   values that occur in the real column. SDMetrics does not look at these columns,
//!   and SDV reproduces free text such as names verbatim.
//! - Distance to closest record, as SDMetrics' `DCRBaselineProtection` and
//!   `DCROverfittingProtection` define it (see [`dcr`]).
//! - Withheld values: values the guard kept back must not appear in any synthetic cell.

use super::columns::{Cells, Column, row_hashes};
use super::{Leak, WithheldCheck};
use crate::Table;
use aho_corasick::AhoCorasick;
use arrow::array::Array;
use rand::{RngExt, SeedableRng, seq::index};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// Share of `synthetic` rows whose hash is among `real`'s; and `real`'s own duplicate share.
pub(crate) fn copy_rates(real: &[u128], synthetic: &[u128]) -> (f64, f64, f64) {
    let mut seen: HashSet<u128, foldhash::fast::FixedState> = HashSet::default();
    let mut real_dups = 0usize;
    for h in real {
        if !seen.insert(*h) {
            real_dups += 1;
        }
    }
    let copies = synthetic.iter().filter(|h| seen.contains(h)).count();
    let mut own: HashSet<u128, foldhash::fast::FixedState> = HashSet::default();
    let synth_dups = synthetic.iter().filter(|h| !own.insert(**h)).count();
    (
        share(copies, synthetic.len()),
        share(real_dups, real.len()),
        share(synth_dups, synthetic.len()),
    )
}

pub(crate) fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Row hashes of table `t` over the chosen columns.
pub(crate) fn hashes(columns: &[&Column], t: usize) -> Vec<u128> {
    let values: Vec<Cells<'_>> = columns.iter().map(|c| c.values.table(t)).collect();
    row_hashes(&values)
}

/// Share of present synthetic values (table 1) that occur in the real column.
pub(crate) fn verbatim_rate(c: &Column) -> Option<VerbatimRates> {
    let (Cells::Discrete(r), Cells::Discrete(s)) = (c.values.table(0), c.values.table(1)) else {
        return None;
    };
    // How often each real value occurs: a copy of a value one real row holds can point
    // at that row; a copy of a value many rows share (a state, a common surname, a
    // value of the generator's own pools) cannot.
    let mut real_counts = vec![0u32; c.dictionary.real_codes as usize + 1];
    for &code in r.iter().filter(|&&x| x != 0) {
        if let Some(n) = real_counts.get_mut(code as usize) {
            *n = n.saturating_add(1);
        }
    }
    let (mut present, mut copied, mut unique) = (0usize, 0usize, 0usize);
    for &code in s.iter().filter(|&&x| x != 0) {
        present += 1;
        if let Some(&n) = real_counts.get(code as usize) {
            copied += 1;
            unique += usize::from(n == 1);
        }
    }
    (present > 0).then(|| VerbatimRates {
        any: share(copied, present),
        unique: share(unique, present),
        present: present as u64,
    })
}

/// What [`verbatim_rate`] measures.
pub(crate) struct VerbatimRates {
    /// Share of present synthetic values found in the real column.
    pub any: f64,
    /// Share of present synthetic values found exactly once in the real column.
    pub unique: f64,
    /// Present synthetic values.
    pub present: u64,
}

/// One column prepared for distances: values scaled by the reference range, or codes.
enum DcrColumn<'a> {
    /// Values divided by the reference range (NaN = missing); `constant` when the
    /// range is 0, so any difference counts fully.
    Scaled {
        reference: Vec<f64>,
        constant: bool,
        range: f64,
    },
    Codes(&'a [u32]),
}

/// Distances from each `rows` row to its closest `reference` row, averaged over
/// columns, as `sdmetrics...dcr_utils.calculate_dcr` computes them: per column a
/// continuous distance is |a − b| / range(reference) capped at 1 (range 0: 0 if equal,
/// else 1), a category distance 0 if equal else 1, and missing matches only missing.
///
/// `data[c]` gives column `c` of the rows to measure, `reference[c]` of the reference.
pub(crate) fn dcr(data: &[Sample<'_>], reference: &[Sample<'_>]) -> Vec<f64> {
    let cols = data.len();
    if cols == 0 {
        return Vec::new();
    }
    let n = data[0].len();
    let m = reference[0].len();
    let prepared: Vec<DcrColumn<'_>> = reference
        .iter()
        .map(|r| match r {
            Sample::Continuous(v) => {
                let (lo, hi) = v
                    .iter()
                    .filter(|x| !x.is_nan())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
                        (l.min(*x), h.max(*x))
                    });
                let range = if lo <= hi { hi - lo } else { f64::NAN };
                let constant = range == 0.0;
                let scale = if constant || range.is_nan() {
                    1.0
                } else {
                    range
                };
                DcrColumn::Scaled {
                    reference: v.iter().map(|x| x / scale).collect(),
                    constant,
                    range: scale,
                }
            }
            Sample::Discrete(v) => DcrColumn::Codes(v),
        })
        .collect();
    let mut total = vec![0.0f64; m];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        total.iter_mut().for_each(|t| *t = 0.0);
        for (col, prep) in data.iter().zip(&prepared) {
            match (col, prep) {
                (
                    Sample::Continuous(x),
                    DcrColumn::Scaled {
                        reference,
                        constant,
                        range,
                    },
                ) => {
                    let x = x[i] / range;
                    if x.is_nan() {
                        for (t, y) in total.iter_mut().zip(reference) {
                            *t += f64::from(u8::from(!y.is_nan()));
                        }
                    } else if *constant {
                        for (t, y) in total.iter_mut().zip(reference) {
                            *t += f64::from(u8::from(*y != x));
                        }
                    } else {
                        // f64::min returns the other operand for NaN: a missing
                        // reference value is at distance 1.
                        for (t, y) in total.iter_mut().zip(reference) {
                            *t += (x - y).abs().min(1.0);
                        }
                    }
                }
                (Sample::Discrete(x), DcrColumn::Codes(reference)) => {
                    let x = x[i];
                    for (t, y) in total.iter_mut().zip(reference.iter()) {
                        *t += f64::from(u8::from(*y != x));
                    }
                }
                // Samples taken from one column share its representation
                // (`columns::Values`); a pairing of two kinds would compare
                // nothing alike, so it counts as differing everywhere.
                (Sample::Continuous(_), DcrColumn::Codes(_))
                | (Sample::Discrete(_), DcrColumn::Scaled { .. }) => {
                    total.iter_mut().for_each(|t| *t += 1.0);
                }
            }
        }
        let closest = total.iter().copied().fold(f64::INFINITY, f64::min);
        out.push(closest / cols as f64);
    }
    out
}

/// One column of a row subset, owned.
#[derive(Debug, Clone)]
pub(crate) enum Sample<'a> {
    Continuous(Vec<f64>),
    Discrete(std::borrow::Cow<'a, [u32]>),
}

impl Sample<'_> {
    pub(crate) fn len(&self) -> usize {
        match self {
            Sample::Continuous(v) => v.len(),
            Sample::Discrete(v) => v.len(),
        }
    }
}

/// At most `max` row indices of `rows`, drawn without replacement (all of them, in
/// order, when there are no more than `max`).
pub(crate) fn subsample(rows: usize, max: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    if rows <= max {
        return (0..rows).collect();
    }
    let mut picked = index::sample(rng, rows, max).into_vec();
    picked.sort_unstable();
    picked
}

/// The chosen rows of table `t` over the DCR columns.
pub(crate) fn take<'a>(columns: &[&'a Column], t: usize, rows: &[usize]) -> Vec<Sample<'a>> {
    columns
        .iter()
        .map(|c| match c.values.table(t) {
            Cells::Continuous(v) => Sample::Continuous(rows.iter().map(|&r| v[r]).collect()),
            Cells::Discrete(v) => Sample::Discrete(rows.iter().map(|&r| v[r]).collect()),
        })
        .collect()
}

/// SDMetrics' random baseline: per column, uniform draws over the reference's range
/// (whole numbers for integer columns without missing values, as pandas' int64 dtype),
/// uniform choices among its categories, and missing values at its missing rate.
pub(crate) fn random_like(
    reference: &[Sample<'_>],
    integer: &[bool],
    n: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Sample<'static>> {
    reference
        .iter()
        .zip(integer)
        .map(|(col, &int)| {
            let rows = col.len().max(1) as f64;
            match col {
                Sample::Continuous(v) => {
                    let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    let missing = (v.len() - present.len()) as f64 / rows;
                    let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let int = int && missing == 0.0;
                    let values = (0..n)
                        .map(|_| {
                            let x = if present.is_empty() {
                                f64::NAN
                            } else if int {
                                rng.random_range(lo as i64..=hi as i64) as f64
                            } else if lo < hi {
                                rng.random_range(lo..hi)
                            } else {
                                lo
                            };
                            if rng.random::<f64>() < missing {
                                f64::NAN
                            } else {
                                x
                            }
                        })
                        .collect();
                    Sample::Continuous(values)
                }
                Sample::Discrete(v) => {
                    let mut cats: Vec<u32> = v.iter().copied().filter(|c| *c != 0).collect();
                    let missing = (v.len() - cats.len()) as f64 / rows;
                    cats.sort_unstable();
                    cats.dedup();
                    let values: Vec<u32> = (0..n)
                        .map(|_| {
                            let x = if cats.is_empty() {
                                0
                            } else {
                                cats[rng.random_range(0..cats.len())]
                            };
                            if rng.random::<f64>() < missing { 0 } else { x }
                        })
                        .collect();
                    Sample::Discrete(values.into())
                }
            }
        })
        .collect()
}

/// The median, as pandas computes it (mean of the middle two for an even count).
pub(crate) fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    let m = s.len() / 2;
    Some(if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    })
}

/// A quantile with linear interpolation (pandas' default).
pub(crate) fn quantile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    let pos = q * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(s[lo] + (s[hi] - s[lo]) * (pos - lo as f64))
}

/// A seeded generator for one purpose, so each draw is independent of the others.
pub(crate) fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

/// Finds withheld values in the synthetic table's cells (as text; numbers and dates
/// as written by `Display`/ISO). A value matches where it stands as a whole word:
/// `Ann` is found in `Ann Lee` but not in `Annapolis`.
pub(crate) fn find_withheld(table: &Table, values: &[String]) -> WithheldCheck {
    let needles: Vec<(usize, &str)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (i, v.trim()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let mut check = WithheldCheck {
        values_checked: needles.len(),
        occurrences: 0,
        leaks: Vec::new(),
    };
    if needles.is_empty() {
        return check;
    }
    let Ok(matcher) = AhoCorasick::new(needles.iter().map(|(_, v)| v)) else {
        return check;
    };
    let mut text = String::new();
    for (info, array) in table.columns.iter().zip(table.batch.columns()) {
        // Cells as the export writes them (dates in their column's format): what a
        // reader of the synthetic file would see.
        // Per needle: cells and first row in this column.
        let mut found: Vec<Option<(u64, u64)>> = vec![None; needles.len()];
        for row in 0..array.len() {
            if !array.is_valid(row) {
                continue;
            }
            text.clear();
            crate::export::text_cell(array, row, info, &mut text);
            let mut seen_in_cell: Vec<usize> = Vec::new();
            for m in matcher.find_overlapping_iter(text.as_str()) {
                let k = m.pattern().as_usize();
                if !seen_in_cell.contains(&k) && whole_word(&text, m.start(), m.end()) {
                    seen_in_cell.push(k);
                    let slot = found[k].get_or_insert((0, row as u64));
                    slot.0 += 1;
                }
            }
            check.occurrences += u64::from(!seen_in_cell.is_empty());
        }
        for (k, f) in found.iter().enumerate() {
            if let Some((cells, first_row)) = f {
                check.leaks.push(Leak {
                    value_index: needles[k].0,
                    column: info.name.clone(),
                    cells: *cells,
                    first_row: *first_row,
                });
            }
        }
    }
    check
}

fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let first = text[start..end].chars().next();
    let last = text[start..end].chars().next_back();
    let joins = |edge: Option<char>, outside: Option<char>| {
        edge.is_some_and(char::is_alphanumeric) && outside.is_some_and(char::is_alphanumeric)
    };
    !joins(first, before) && !joins(last, after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dcr_follows_the_sdmetrics_definition() {
        // Two columns: numeric (reference range 10) and categorical.
        let reference = vec![
            Sample::Continuous(vec![0.0, 10.0, f64::NAN]),
            Sample::Discrete(vec![1u32, 2, 0].into()),
        ];
        let data = vec![
            Sample::Continuous(vec![1.0, f64::NAN, 10.0]),
            Sample::Discrete(vec![1u32, 0, 3].into()),
        ];
        let d = dcr(&data, &reference);
        // Row 0: to ref 0 → (0.1 + 0)/2 = 0.05.
        assert!((d[0] - 0.05).abs() < 1e-12);
        // Row 1 (NaN, missing): to ref 2 (NaN, missing) → 0.
        assert_eq!(d[1], 0.0);
        // Row 2 (10, new category): to ref 1 → (0 + 1)/2.
        assert!((d[2] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn medians_and_quantiles_are_pandas_like() {
        assert_eq!(median(&[3.0, 1.0, 2.0, 4.0]), Some(2.5));
        assert_eq!(quantile(&[0.0, 10.0], 0.05), Some(0.5));
    }
}
