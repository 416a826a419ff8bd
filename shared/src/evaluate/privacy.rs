//! Privacy figures: how much of the real table the synthetic one gives back.
//!
//! - Exact copies: synthetic rows equal to some real row, over every column and over
//!   the statistical columns only, beside the real table's own duplicate rate (a table
//!   with many identical rows cannot avoid "copies" of them).
//! - Verbatim copies per identifier, free-text and PII column: the share of synthetic
//!   values that occur in the real column. SDMetrics does not look at these columns,
//!   and SDV reproduces free text such as names verbatim.
//! - Distance to closest record, as SDMetrics' `DCRBaselineProtection` and
//!   `DCROverfittingProtection` define it, is measured apart (see [`super::dcr`]); the
//!   samplers and medians it shares with the rest are here.
//! - Withheld values: values the guard kept back must not appear in any synthetic cell.

use super::columns::{Cells, Column, row_hashes};
use super::{Leak, WithheldCheck};
use crate::Table;
use aho_corasick::AhoCorasick;
use arrow::array::Array;
use rand::{SeedableRng, seq::index};
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
    fn medians_and_quantiles_are_pandas_like() {
        assert_eq!(median(&[3.0, 1.0, 2.0, 4.0]), Some(2.5));
        assert_eq!(quantile(&[0.0, 10.0], 0.05), Some(0.5));
    }
}
