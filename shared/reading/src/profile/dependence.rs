//! Dependence a copula cannot carry: columns that go missing together, and the
//! distribution of a column within each value of a categorical one.
//!
//! A Gaussian copula joins columns through one correlation per pair, which holds
//! monotone trends only. Penguin species → bill length is three clusters in an order no
//! single correlation describes, and flights' cancelled rows miss five columns at once
//! where independent null draws would scatter them. Both are described here as
//! aggregates (quantiles and counts per category; which columns share missing rows), for
//! the guard to vet like any other statistic.
//!
//! A third kind is a functional dependency: each flight's tail number has one carrier,
//! each destination (almost) one distance, each film title one year. The `by` column may
//! then have many values (up to [`MAX_KEY_VALUES`]), and each group is nearly one value
//! of the target, so the groups stay small ([`DETERMINED`]).
//!
//! A number may be fixed by two categories together and by neither alone: a flight's
//! distance by its origin and destination (JFK→BTV is always 266 miles, and BTV is
//! reached from two airports). Such a conditional keeps its one-column groups and adds
//! the pairs ([`Conditional::second_by`], [`Conditional::pairs`]).
//!
//! Work is bounded like the rest of `relations`: the same `relation_rows` sample, `by`
//! columns with at most [`MAX_BY_VALUES`] values (or [`MAX_KEY_VALUES`] for a
//! dependency), at most one conditional per column, and a second column looked for only
//! beside a numeric target's chosen `by`.

use super::HashMap;
use super::columns::ColumnValues;
use super::stats::quantiles;
use super::{ColumnKind, ColumnProfile, ValueCount};
use serde::Serialize;

/// A `by` column may have at most this many values.
pub const MAX_BY_VALUES: u64 = 50;
/// A `by` column that determines its target may have at most this many values.
pub const MAX_KEY_VALUES: u64 = 10_000;
pub use crate::vocabulary::DETERMINED;
/// A dependency's groups must hold this many sampled rows on average, or a column of
/// near-unique values would "determine" everything.
const MIN_KEY_GROUP_ROWS: u64 = 5;
/// A categorical target may have at most this many values.
const MAX_TARGET_VALUES: u64 = 500;
/// Quantile points per group: finer for larger groups, as for whole columns.
fn group_quantiles(rows: usize) -> usize {
    match rows {
        0..500 => 21,
        500..2000 => 51,
        _ => 101,
    }
}
/// Smallest and largest values kept per group, for the guard's k-th-value clamp.
const GROUP_TAIL: usize = 10;
/// A numeric conditional is kept when the category explains at least this share of the
/// column's variance (η²).
const MIN_ETA_SQUARED: f64 = 0.1;
/// A categorical conditional is kept when Cramér's V reaches this.
const MIN_CRAMERS_V: f64 = 0.2;
/// Two columns share a null group when at least this share of the rarer one's missing
/// rows are missing in the other too.
const MIN_NULL_OVERLAP: f64 = 0.9;
/// ...and at least this many rows are missing in both.
const MIN_NULL_ROWS: usize = 10;

/// Columns that are missing on (nearly) the same rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NullGroup {
    /// The columns, in table order.
    pub columns: Vec<String>,
    /// Profiled rows on which all of them are missing.
    pub rows: u64,
}

/// A column's distribution within each value of a categorical column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conditional {
    /// The column described.
    pub target: String,
    /// The categorical column it depends on.
    pub by: String,
    /// How strongly: η² for a numeric target, Cramér's V for a categorical one.
    pub strength: f64,
    /// One entry per value of `by` (on the sampled rows where both are present).
    pub groups: Vec<ConditionalGroup>,
    /// A second categorical column that fixes a numeric target together with `by`
    /// where `by` alone does not (on at least [`DETERMINED`] of the rows).
    pub second_by: Option<String>,
    /// With `second_by`: each pair of values on which the target is one number, counted
    /// on every row.
    pub pairs: Vec<PairValue>,
}

/// The one value a numeric target takes on the rows with a pair of key values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairValue {
    /// The value of `by`.
    pub value: String,
    /// The value of `second_by`.
    pub second_value: String,
    /// Rows with the pair.
    pub rows: u64,
    /// The target's value on each of them.
    pub target: f64,
}

/// The target's distribution on the rows with one value of `by`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionalGroup {
    /// The value of `by`.
    pub value: String,
    /// Rows in the group.
    pub rows: u64,
    /// What the target looks like there.
    pub target: GroupTarget,
}

/// A numeric target's quantiles or a categorical target's counts within one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupTarget {
    /// Numbers.
    Numeric {
        /// Evenly spaced quantiles (21 to 101 of them, by group size).
        quantiles: Vec<f64>,
        /// Smallest values, ascending.
        smallest: Vec<f64>,
        /// Largest values, descending.
        largest: Vec<f64>,
    },
    /// Categories: counts of each target value, most frequent first.
    Categorical {
        /// Value counts.
        counts: Vec<ValueCount>,
    },
}

/// Groups of columns that share missing rows, from the sampled rows `keep`.
pub(crate) fn null_groups(
    cols: &[ColumnProfile],
    values: &[ColumnValues<'_>],
    keep: &[usize],
) -> Vec<NullGroup> {
    let masks: Vec<(usize, Vec<bool>)> = values
        .iter()
        .enumerate()
        .filter(|(c, _)| cols[*c].null_count > 0)
        .filter_map(|(c, v)| {
            let mask: Vec<bool> = keep.iter().map(|&i| v.is_missing(i)).collect();
            (mask.iter().filter(|&&m| m).count() >= MIN_NULL_ROWS).then_some((c, mask))
        })
        .take(super::relations::MAX_PAIR_COLUMNS)
        .collect();
    // Union-find over the columns whose missing rows nest.
    let mut parent: Vec<usize> = (0..masks.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for a in 0..masks.len() {
        for b in a + 1..masks.len() {
            let (ma, mb) = (&masks[a].1, &masks[b].1);
            let both = ma.iter().zip(mb).filter(|(x, y)| **x && **y).count();
            let fewer = ma
                .iter()
                .filter(|&&m| m)
                .count()
                .min(mb.iter().filter(|&&m| m).count());
            if both >= MIN_NULL_ROWS && both as f64 >= MIN_NULL_OVERLAP * fewer as f64 {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut out = Vec::new();
    for r in 0..masks.len() {
        let members: Vec<usize> = (0..masks.len())
            .filter(|&i| root(&mut parent, i) == r)
            .collect();
        if members.len() < 2 {
            continue;
        }
        let all = (0..keep.len())
            .filter(|&row| members.iter().all(|&i| masks[i].1[row]))
            .count();
        out.push(NullGroup {
            columns: members
                .iter()
                .map(|&i| cols[masks[i].0].name.clone())
                .collect(),
            rows: all as u64,
        });
    }
    out
}

/// For each numeric or categorical column, the categorical column that explains it
/// best, when it explains enough; no column is both a target and (directly or through
/// others) its own `by`.
pub(crate) fn conditionals(
    cols: &[ColumnProfile],
    values: &[ColumnValues<'_>],
    keep: &[usize],
) -> Vec<Conditional> {
    let bys: Vec<usize> = (0..cols.len())
        .filter(|&c| {
            cols[c].kind == ColumnKind::Categorical
                && (2..=MAX_KEY_VALUES).contains(&cols[c].distinct)
                && matches!(values[c], ColumnValues::Text(..))
        })
        .take(super::relations::MAX_PAIR_COLUMNS)
        .collect();
    // Every candidate edge (strength, target, by), strongest first.
    let mut edges: Vec<(f64, usize, usize)> = Vec::new();
    // The edges are measured on the sampled rows, gathered once: each of the many
    // (target, by) pairs then reads them in order.
    let gathered: Vec<_> = values.iter().map(|v| v.gather(keep)).collect();
    let sampled: Vec<ColumnValues<'_>> = gathered.iter().map(|g| g.view()).collect();
    let every: Vec<usize> = (0..keep.len()).collect();
    for t in 0..cols.len() {
        for &b in &bys {
            if b == t {
                continue;
            }
            if cols[b].distinct <= MAX_BY_VALUES {
                if let Some(s) = association(&sampled[t], &sampled[b], &cols[t], &every) {
                    edges.push((s, t, b));
                }
                continue;
            }
            // A key fixes a category of a few values (a tail number its carrier): the
            // key is drawn within the category's groups, not the other way round, so
            // the category keeps its own mix and trends and each key still comes with
            // one value of it. A key fixing a number (a destination its distance) is
            // the number's `by`. Other pairs are not worth measuring.
            let few = cols[t].kind == ColumnKind::Categorical
                && cols[t].distinct <= MAX_BY_VALUES
                && bys.contains(&t);
            if !few && cols[t].kind != ColumnKind::Numeric {
                continue;
            }
            if let Some(s) = dependency(&sampled[t], &sampled[b], &cols[t], &every) {
                edges.push(if few { (s, b, t) } else { (s, t, b) });
            }
        }
    }
    edges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    // Greedy: strongest first, one `by` per target, no cycles.
    let mut by_of: Vec<Option<usize>> = vec![None; cols.len()];
    let reaches = |by_of: &[Option<usize>], from: usize, to: usize| {
        let mut at = Some(from);
        let mut steps = 0;
        while let Some(c) = at {
            if c == to {
                return true;
            }
            at = by_of[c];
            steps += 1;
            if steps > cols.len() {
                return true;
            }
        }
        false
    };
    let is_key = |c: usize| cols[c].distinct > MAX_BY_VALUES;
    let mut chosen = Vec::new();
    for (s, t, b) in edges {
        if by_of[t].is_some() || reaches(&by_of, b, t) {
            continue;
        }
        by_of[t] = Some(b);
        chosen.push((s, t, b));
    }
    chosen.sort_by_key(|&(_, t, _)| t);
    // A dependency's groups are counted on every row: spread over thousands of keys,
    // the sample leaves most of them with fewer than k rows.
    let rows = values.iter().map(ColumnValues::len).max().unwrap_or(0);
    chosen
        .into_iter()
        .map(|(strength, t, b)| {
            let second = second_key(t, b, cols, &sampled, &bys);
            Conditional {
                target: cols[t].name.clone(),
                by: cols[b].name.clone(),
                strength: (strength * 1e4).round() / 1e4,
                groups: if is_key(t) || is_key(b) {
                    groups(&values[t], &values[b], 0..rows)
                } else {
                    groups(&values[t], &values[b], keep.iter().copied())
                },
                second_by: second.map(|s| cols[s].name.clone()),
                pairs: second.map_or_else(Vec::new, |s| pairs(&values[t], &values[b], &values[s])),
            }
        })
        .collect()
}

/// Most distinct pairs of values a two-column key may have.
const MAX_PAIR_KEYS: usize = MAX_KEY_VALUES as usize;

/// The categorical column that, with `by`, fixes the numeric target `t` where `by`
/// alone does not: the pair's modal share (on the sampled rows) reaches [`DETERMINED`],
/// and explains nine tenths of what the target's own most frequent value leaves (so a
/// column that is nearly constant is not "fixed" by chance). The strongest such column,
/// or none.
fn second_key(
    t: usize,
    b: usize,
    cols: &[ColumnProfile],
    sampled: &[ColumnValues<'_>],
    bys: &[usize],
) -> Option<usize> {
    let (ColumnValues::Number(x), ColumnValues::Text(by, _)) = (&sampled[t], &sampled[b]) else {
        return None;
    };
    if cols[t].kind != ColumnKind::Numeric || cols[t].distinct <= 1 {
        return None;
    }
    let every: Vec<usize> = (0..x.len()).collect();
    let value = |i: usize| x[i].map(f64::to_bits);
    if modal_share(value, by, &every).is_some_and(|s| s >= DETERMINED) {
        return None;
    }
    // The target's most frequent value's share: what a key must improve on.
    let base = {
        let mut counts: HashMap<u64, u64> = HashMap::default();
        for v in x.iter().flatten() {
            *counts.entry(v.to_bits()).or_default() += 1;
        }
        let present: u64 = counts.values().sum();
        counts
            .values()
            .max()
            .map_or(1.0, |&m| m as f64 / present.max(1) as f64)
    };
    // Most columns are far from fixing the target with `by`: a thousand rows say so
    // before the pairs of every row are numbered.
    let screen: Vec<usize> = (0..x.len()).step_by((x.len() / 1_000).max(1)).collect();
    let mut best: Option<(f64, usize)> = None;
    for &s in bys.iter().filter(|&&s| s != b && s != t) {
        let ColumnValues::Text(second, _) = &sampled[s] else {
            continue;
        };
        // Each listed row's pair, numbered as they first appear, and how many there are.
        let pairs_of = |rows: &[usize]| {
            let mut ids: HashMap<(u32, u32), u32> = HashMap::default();
            let pair: Vec<Option<u32>> = rows
                .iter()
                .map(|&i| {
                    let key = (by[i]?, second[i]?);
                    let next = ids.len() as u32;
                    Some(*ids.entry(key).or_insert(next))
                })
                .collect();
            (pair, ids.len())
        };
        let (pair, _) = pairs_of(&screen);
        let positions: Vec<usize> = (0..screen.len()).collect();
        if modal_share(|j| value(screen[j]), &pair, &positions)
            .is_none_or(|share| share < DETERMINED - 0.1)
        {
            continue;
        }
        let (pair, distinct) = pairs_of(&every);
        let present = pair.iter().flatten().count() as u64;
        if distinct > MAX_PAIR_KEYS || present < MIN_KEY_GROUP_ROWS * distinct as u64 {
            continue;
        }
        let Some(share) = modal_share(value, &pair, &every) else {
            continue;
        };
        let explained = (share - base) / (1.0 - base).max(f64::EPSILON);
        if share >= DETERMINED && explained >= 0.9 && best.is_none_or(|(s, _)| share > s) {
            best = Some((share, s));
        }
    }
    best.map(|(_, s)| s)
}

/// Each pair of (`by`, `second`) values on whose rows (every row) the numeric `target`
/// is one value, with that value and the pair's row count.
fn pairs(
    target: &ColumnValues<'_>,
    by: &ColumnValues<'_>,
    second: &ColumnValues<'_>,
) -> Vec<PairValue> {
    let (
        ColumnValues::Number(x),
        ColumnValues::Text(by, by_labels),
        ColumnValues::Text(second, second_labels),
    ) = (target, by, second)
    else {
        return Vec::new();
    };
    // Per pair: rows, the first value, and whether every row had it.
    let mut seen: HashMap<(u32, u32), (u64, f64, bool)> = HashMap::default();
    for ((v, a), c) in x.iter().zip(by.iter()).zip(second.iter()) {
        let (Some(v), Some(a), Some(c)) = (*v, *a, *c) else {
            continue;
        };
        let slot = seen.entry((a, c)).or_insert((0, v, true));
        slot.0 += 1;
        slot.2 &= slot.1.to_bits() == v.to_bits();
    }
    let mut out: Vec<PairValue> = seen
        .into_iter()
        .filter(|(_, (_, _, one))| *one)
        .map(|((a, c), (rows, v, _))| PairValue {
            value: by_labels[a as usize].clone(),
            second_value: second_labels[c as usize].clone(),
            rows,
            target: v,
        })
        .collect();
    out.sort_by(|p, q| {
        p.value
            .cmp(&q.value)
            .then_with(|| p.second_value.cmp(&q.second_value))
    });
    out
}

/// How strongly a few-valued category `by` shapes `target`, when enough to keep.
fn association(
    target: &ColumnValues<'_>,
    by: &ColumnValues<'_>,
    t: &ColumnProfile,
    keep: &[usize],
) -> Option<f64> {
    match (target, by, t.kind) {
        (ColumnValues::Number(x), ColumnValues::Text(by, _), ColumnKind::Numeric)
            if t.distinct > 1 =>
        {
            eta_squared(x, by, keep).filter(|&e| e >= MIN_ETA_SQUARED)
        }
        (ColumnValues::Text(x, _), ColumnValues::Text(by, _), ColumnKind::Categorical)
            if (2..=MAX_TARGET_VALUES).contains(&t.distinct) =>
        {
            cramers_v(x, by, keep).filter(|&v| v >= MIN_CRAMERS_V)
        }
        _ => None,
    }
}

/// How nearly a many-valued category `by` fixes `target`, when at least [`DETERMINED`]:
/// η² for a number; for a category the share of rows holding their group's most
/// frequent value. Cramér's V would not do here: with thousands of small groups it is
/// large by chance.
fn dependency(
    target: &ColumnValues<'_>,
    by: &ColumnValues<'_>,
    t: &ColumnProfile,
    keep: &[usize],
) -> Option<f64> {
    let ColumnValues::Text(by, labels) = by else {
        return None;
    };
    let rows = keep.iter().filter(|&&i| by[i].is_some()).count() as u64;
    if rows < MIN_KEY_GROUP_ROWS * labels.len() as u64 {
        return None;
    }
    let strength = match (target, t.kind) {
        (ColumnValues::Number(x), ColumnKind::Numeric) if t.distinct > 1 => {
            eta_squared(x, by, keep)?
        }
        (ColumnValues::Text(x, _), ColumnKind::Categorical)
            if (2..=MAX_TARGET_VALUES).contains(&t.distinct) =>
        {
            modal_share(|i| x[i].map(u64::from), by, keep)?
        }
        _ => return None,
    };
    (strength >= DETERMINED).then_some(strength)
}

/// Share of rows (where both are present) whose `x` is the most frequent one of their
/// `by` group; `x` gives a row's value as a key (a category id, a number's bits).
pub(super) fn modal_share(
    x: impl Fn(usize) -> Option<u64>,
    by: &[Option<u32>],
    keep: &[usize],
) -> Option<f64> {
    // Most pairs are far from a dependency: a thousand rows say so for a fiftieth of
    // the work (a tail number's month, flights' 18 × 4 pairs).
    const SCREEN: usize = 1_000;
    if keep.len() > 2 * SCREEN {
        let step = keep.len() / SCREEN;
        let screen: Vec<usize> = keep.iter().step_by(step).copied().collect();
        if modal_counts(&x, by, &screen).is_some_and(|s| s < DETERMINED - 0.1) {
            return None;
        }
    }
    modal_counts(&x, by, keep)
}

fn modal_counts(
    x: &impl Fn(usize) -> Option<u64>,
    by: &[Option<u32>],
    keep: &[usize],
) -> Option<f64> {
    let mut counts: HashMap<(u32, u64), u64> = HashMap::default();
    let mut rows = 0u64;
    for &i in keep {
        if let (Some(v), Some(b)) = (x(i), by[i]) {
            *counts.entry((b, v)).or_default() += 1;
            rows += 1;
        }
    }
    let mut best: HashMap<u32, u64> = HashMap::default();
    for (&(b, _), &n) in &counts {
        let slot = best.entry(b).or_default();
        *slot = (*slot).max(n);
    }
    (rows >= 20).then(|| best.values().sum::<u64>() as f64 / rows as f64)
}

fn groups(
    target: &ColumnValues<'_>,
    by: &ColumnValues<'_>,
    rows: impl Iterator<Item = usize>,
) -> Vec<ConditionalGroup> {
    let ColumnValues::Text(by, by_labels) = by else {
        return Vec::new();
    };
    // Rows of each group, found in one pass: a key column may have thousands of groups.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); by_labels.len()];
    for i in rows {
        if let Some(g) = by[i] {
            members[g as usize].push(i);
        }
    }
    let mut out = Vec::new();
    for (label, rows) in by_labels.iter().zip(&members) {
        let rows = rows.iter().copied();
        let (n, target) = match target {
            ColumnValues::Number(x) => {
                let mut v: Vec<f64> = rows.filter_map(|i| x[i]).collect();
                v.sort_by(f64::total_cmp);
                let n = v.len();
                let largest = v[n.saturating_sub(GROUP_TAIL)..].iter().rev().copied();
                (
                    n as u64,
                    GroupTarget::Numeric {
                        quantiles: quantiles(&v, group_quantiles(n)),
                        smallest: v[..n.min(GROUP_TAIL)].to_vec(),
                        largest: largest.collect(),
                    },
                )
            }
            ColumnValues::Text(x, labels) => {
                let mut counts = vec![0u64; labels.len()];
                for id in rows.filter_map(|i| x[i]) {
                    counts[id as usize] += 1;
                }
                let mut counts: Vec<ValueCount> = counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(|(id, &count)| ValueCount {
                        value: labels[id].clone(),
                        count,
                    })
                    .collect();
                counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
                (
                    counts.iter().map(|c| c.count).sum(),
                    GroupTarget::Categorical { counts },
                )
            }
            _ => continue,
        };
        if n > 0 {
            out.push(ConditionalGroup {
                value: label.clone(),
                rows: n,
                target,
            });
        }
    }
    out
}

/// Share of a number's variance explained by a category (η², the correlation ratio).
fn eta_squared(x: &[Option<f64>], by: &[Option<u32>], keep: &[usize]) -> Option<f64> {
    let pairs = || keep.iter().filter_map(|&i| Some((x[i]?, by[i]?)));
    let (mut sum, mut count) = (Vec::<f64>::new(), Vec::<u64>::new());
    // -0.0 as `Iterator::sum` starts.
    let (mut n, mut all) = (0usize, -0.0f64);
    for (v, g) in pairs() {
        let g = g as usize;
        if g >= sum.len() {
            sum.resize(g + 1, 0.0);
            count.resize(g + 1, 0);
        }
        sum[g] += v;
        count[g] += 1;
        n += 1;
        all += v;
    }
    if n < 20 {
        return None;
    }
    let mean = all / n as f64;
    let total: f64 = pairs().map(|(v, _)| (v - mean).powi(2)).sum();
    let between: f64 = (0..sum.len())
        .filter(|&g| count[g] > 0)
        .map(|g| count[g] as f64 * (sum[g] / count[g] as f64 - mean).powi(2))
        .sum();
    (total > 0.0).then(|| between / total)
}

/// Cramér's V of two categorical columns (bias-uncorrected, like scipy's default).
fn cramers_v(x: &[Option<u32>], by: &[Option<u32>], keep: &[usize]) -> Option<f64> {
    let pairs: Vec<(u32, u32)> = keep.iter().filter_map(|&i| Some((x[i]?, by[i]?))).collect();
    if pairs.len() < 20 {
        return None;
    }
    let rows = pairs.iter().map(|p| p.0 as usize + 1).max().unwrap_or(0);
    let cols = pairs.iter().map(|p| p.1 as usize + 1).max().unwrap_or(0);
    let mut table = vec![0u64; rows * cols];
    let (mut rs, mut cs) = (vec![0u64; rows], vec![0u64; cols]);
    for &(a, b) in &pairs {
        table[a as usize * cols + b as usize] += 1;
        rs[a as usize] += 1;
        cs[b as usize] += 1;
    }
    let n = pairs.len() as f64;
    let mut chi2 = 0.0;
    for a in (0..rows).filter(|&a| rs[a] > 0) {
        for b in (0..cols).filter(|&b| cs[b] > 0) {
            let expected = rs[a] as f64 * cs[b] as f64 / n;
            chi2 += (table[a * cols + b] as f64 - expected).powi(2) / expected;
        }
    }
    let r = rs.iter().filter(|&&c| c > 0).count();
    let c = cs.iter().filter(|&&c| c > 0).count();
    let dof = r.min(c).saturating_sub(1);
    (dof > 0).then(|| (chi2 / (n * dof as f64)).sqrt())
}
