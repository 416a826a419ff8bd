//! Conditionals (a column's distribution within each value of a categorical column),
//! reduced to what may leave: named groups of at least max(k, [`MIN_GROUP_ROWS`])
//! rows; a numeric target's group quantiles clamped to the group's k-th values and
//! spaced k rows apart; a categorical target's cells of at least k rows, shares
//! rounded to k-row steps.
//!
//! A functional dependency (strength at least [`DETERMINED`]: a tail number's carrier)
//! keeps groups of k rows: what such a group says is one value that at least k rows
//! share, as a released category does; its numeric groups are that one value, twice.
//! The pairs of a two-column key are the same: a pair of named values seen on at least
//! k rows, and the one number all of them share.

use super::release::{round_share, round_sig, round_to, share_step, thin};
use crate::profile::{Conditional, ConditionalGroup, DETERMINED, GroupTarget};
use crate::wire::{SafeColumn, SafeConditional, SafeGroup, SafePair, ValueShare};
use std::collections::HashSet;

/// Smallest group described by a conditional: below this, per-group quantiles say
/// too much about the few rows in it.
pub const MIN_GROUP_ROWS: u64 = 20;

/// The values of a column the guard names (a key column may name thousands).
fn names(c: &SafeColumn) -> HashSet<&str> {
    c.categories
        .iter()
        .flat_map(|cats| cats.values.iter().map(|x| x.value.as_str()))
        .collect()
}

/// The columns a conditional names, as released.
pub(super) struct Released<'c> {
    pub by: &'c SafeColumn,
    pub target: &'c SafeColumn,
    /// The second key column, when it is released (else the pairs go).
    pub second_by: Option<&'c SafeColumn>,
}

/// `k` is the largest of the columns' drawn k; `k_public` the public k_max that
/// decides how many quantiles a group gets.
pub(super) fn safe_conditional(
    d: &Conditional,
    k: u32,
    k_public: u32,
    released: &Released<'_>,
    sig: u32,
) -> Option<SafeConditional> {
    let Released { by, target, .. } = *released;
    let determined = d.strength >= DETERMINED;
    let min_rows = if determined {
        u64::from(k)
    } else {
        u64::from(k).max(MIN_GROUP_ROWS)
    };
    let by_names = names(by);
    let groups: Vec<&ConditionalGroup> = d
        .groups
        .iter()
        .filter(|g| g.rows >= min_rows && by_names.contains(g.value.as_str()))
        .collect();
    let out: Vec<SafeGroup> = if groups
        .iter()
        .all(|g| matches!(g.target, GroupTarget::Numeric { .. }))
    {
        groups
            .iter()
            .filter_map(|g| numeric_group(g, k, k_public, sig, determined))
            .collect()
    } else {
        categorical_groups(&groups, u64::from(k), k_public, target)
    };
    let pairs = released
        .second_by
        .map(|second| safe_pairs(d, u64::from(k), &by_names, &names(second), sig))
        .unwrap_or_default();
    (out.len() >= 2).then(|| SafeConditional {
        target: d.target.clone(),
        by: d.by.clone(),
        strength: round_to(d.strength, 2),
        groups: out,
        second_by: (!pairs.is_empty()).then(|| d.second_by.clone()).flatten(),
        pairs,
    })
}

/// The pairs of named values seen on at least k rows, with their one number.
fn safe_pairs(
    d: &Conditional,
    k: u64,
    by_names: &HashSet<&str>,
    second_names: &HashSet<&str>,
    sig: u32,
) -> Vec<SafePair> {
    d.pairs
        .iter()
        .filter(|p| {
            p.rows >= k
                && by_names.contains(p.value.as_str())
                && second_names.contains(p.second_value.as_str())
        })
        .map(|p| SafePair {
            value: p.value.clone(),
            second_value: p.second_value.clone(),
            target: round_sig(p.target, sig),
        })
        .collect()
}

fn numeric_group(
    g: &ConditionalGroup,
    k: u32,
    k_public: u32,
    sig: u32,
    determined: bool,
) -> Option<SafeGroup> {
    let GroupTarget::Numeric {
        quantiles,
        smallest,
        largest,
    } = &g.target
    else {
        return None;
    };
    let k = k as usize;
    let lo = *smallest.get(k - 1).or(smallest.last())?;
    let hi = *largest.get(k - 1).or(largest.last())?;
    let (lo, hi) = (lo.min(hi), hi.max(lo));
    // Every row of the group holds one value (its smallest is its largest).
    let constant = smallest.first().is_some_and(|s| Some(s) == largest.first());
    if constant {
        return Some(SafeGroup {
            value: g.value.clone(),
            quantiles: vec![round_sig(lo, sig); 2],
            values: Vec::new(),
        });
    }
    if determined && g.rows < MIN_GROUP_ROWS {
        // A small group of a dependency may say one value, not a spread.
        return None;
    }
    let clamped: Vec<f64> = quantiles.iter().map(|x| x.clamp(lo, hi)).collect();
    let q = thin(&clamped, g.rows, k_public);
    (q.len() >= 2).then(|| SafeGroup {
        value: g.value.clone(),
        quantiles: q.into_iter().map(|x| round_sig(x, sig)).collect(),
        values: Vec::new(),
    })
}

/// Per group, the target's named values seen at least k times in it, each share rounded
/// to a step worth k of the group's rows. The rounding is what keeps a withheld cell
/// underivable: every released cell, and every released total it could be subtracted
/// from, is known only to within k rows, so "HIV in ward C = HIV in all − HIV in the
/// other wards" is an interval that includes none (the ward-C test in
/// `tests/attacks.rs` runs that subtraction). Withdrawing extra released cells
/// (classic complementary suppression) was measured to cost flights' `origin` and
/// `dest` 3–7 % of their shape for no further protection, so it is not done.
fn categorical_groups(
    groups: &[&ConditionalGroup],
    k: u64,
    k_public: u32,
    target: &SafeColumn,
) -> Vec<SafeGroup> {
    let target_names = names(target);
    groups
        .iter()
        .filter_map(|g| {
            let GroupTarget::Categorical { counts } = &g.target else {
                return None;
            };
            let step = share_step(g.rows, k_public);
            let values: Vec<ValueShare<String>> = counts
                .iter()
                .filter(|c| c.count >= k && target_names.contains(c.value.as_str()))
                .map(|c| ValueShare {
                    value: c.value.clone(),
                    share: round_share(c.count as f64 / g.rows.max(1) as f64, step),
                })
                .filter(|v| v.share > 0.0)
                .collect();
            (!values.is_empty()).then(|| SafeGroup {
                value: g.value.clone(),
                quantiles: Vec::new(),
                values,
            })
        })
        .collect()
}
