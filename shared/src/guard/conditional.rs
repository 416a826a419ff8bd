//! Conditionals (a column's distribution within each value of a categorical column),
//! reduced to what may leave: named groups of at least max(k, [`MIN_GROUP_ROWS`])
//! rows; a numeric target's group quantiles clamped to the group's k-th values and
//! spaced k rows apart; a categorical target's cells of at least k rows, with
//! complementary suppression across groups and values.

use super::release::{round_share, round_sig, round_to, share_step, thin};
use super::suppress;
use crate::profile::{Conditional, ConditionalGroup, GroupTarget, ValueCount};
use crate::wire::{SafeColumn, SafeConditional, SafeGroup, ValueShare};

/// Smallest group described by a conditional: below this, per-group quantiles say
/// too much about the few rows in it.
pub const MIN_GROUP_ROWS: u64 = 20;

fn named(c: &SafeColumn, v: &str) -> bool {
    c.categories
        .as_ref()
        .is_some_and(|cats| cats.values.iter().any(|x| x.value == v))
}

/// `k` is the larger of the two columns' drawn k; `k_public` the public k_max that
/// decides how many quantiles a group gets; `marginal` the target's value counts over
/// the whole sample (what its released shares stand for).
pub(super) fn safe_conditional(
    d: &Conditional,
    k: u32,
    k_public: u32,
    by: &SafeColumn,
    target: &SafeColumn,
    marginal: &[ValueCount],
    sig: u32,
) -> Option<SafeConditional> {
    let min_rows = u64::from(k).max(MIN_GROUP_ROWS);
    let groups: Vec<&ConditionalGroup> = d
        .groups
        .iter()
        .filter(|g| g.rows >= min_rows && named(by, &g.value))
        .collect();
    let out: Vec<SafeGroup> = if groups
        .iter()
        .all(|g| matches!(g.target, GroupTarget::Numeric { .. }))
    {
        groups
            .iter()
            .filter_map(|g| numeric_group(g, k, k_public, sig))
            .collect()
    } else {
        categorical_groups(&groups, u64::from(k), k_public, target, marginal)
    };
    (out.len() >= 2).then(|| SafeConditional {
        target: d.target.clone(),
        by: d.by.clone(),
        strength: round_to(d.strength, 2),
        groups: out,
    })
}

fn numeric_group(g: &ConditionalGroup, k: u32, k_public: u32, sig: u32) -> Option<SafeGroup> {
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
    let clamped: Vec<f64> = quantiles.iter().map(|x| x.clamp(lo, hi)).collect();
    let q = thin(&clamped, g.rows, k_public);
    (q.len() >= 2).then(|| SafeGroup {
        value: g.value.clone(),
        quantiles: q.into_iter().map(|x| round_sig(x, sig)).collect(),
        values: Vec::new(),
    })
}

/// The groups × target values table, cells of at least k rows whose value the target
/// names, then complementary suppression over groups and values.
fn categorical_groups(
    groups: &[&ConditionalGroup],
    k: u64,
    k_public: u32,
    target: &SafeColumn,
    marginal: &[ValueCount],
) -> Vec<SafeGroup> {
    // Every target value any group holds, so each group's hidden part is complete.
    let mut values: Vec<&str> = Vec::new();
    for g in groups {
        if let GroupTarget::Categorical { counts } = &g.target {
            for c in counts {
                if !values.contains(&c.value.as_str()) {
                    values.push(&c.value);
                }
            }
        }
    }
    let cells: Vec<Vec<u64>> = groups
        .iter()
        .map(|g| {
            let GroupTarget::Categorical { counts } = &g.target else {
                return vec![0; values.len()];
            };
            values
                .iter()
                .map(|v| counts.iter().find(|c| c.value == *v).map_or(0, |c| c.count))
                .collect()
        })
        .collect();
    let mut released: Vec<Vec<bool>> = cells
        .iter()
        .map(|row| {
            row.iter()
                .zip(&values)
                .map(|(&c, v)| c >= k && named(target, v))
                .collect()
        })
        .collect();
    // What each value's released share holds beyond the described groups.
    let outside: Vec<u64> = values
        .iter()
        .enumerate()
        .map(|(j, v)| {
            let total = marginal
                .iter()
                .find(|m| m.value == *v)
                .map_or(0, |m| m.count);
            let inside: u64 = cells.iter().map(|row| row[j]).sum();
            total.saturating_sub(inside)
        })
        .collect();
    let kept = suppress::table(&cells, &mut released, &outside, k);
    groups
        .iter()
        .enumerate()
        .filter(|(i, _)| kept[*i])
        .filter_map(|(i, g)| {
            let step = share_step(g.rows, k_public);
            let shares: Vec<ValueShare<String>> = values
                .iter()
                .enumerate()
                .filter(|(j, _)| released[i][*j])
                .map(|(j, v)| ValueShare {
                    value: v.to_string(),
                    share: round_share(cells[i][j] as f64 / g.rows.max(1) as f64, step),
                })
                .collect();
            (!shares.is_empty()).then(|| SafeGroup {
                value: g.value.clone(),
                quantiles: Vec::new(),
                values: shares,
            })
        })
        .collect()
}
