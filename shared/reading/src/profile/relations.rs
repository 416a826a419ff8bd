//! Table-level structure: rank correlations, candidate keys, ordered pairs and exact
//! rules between columns (sums, differences, products, one column determining another).
//!
//! Work is bounded: everything runs on at most `relation_rows` rows spread evenly over
//! the sample; correlations and ordered pairs consider the first 128 eligible columns,
//! three-column rules the first 48 numeric ones (they cost m³), so a table with
//! thousands of columns still profiles in seconds.

use super::columns::ColumnValues;
use super::dependence::{Conditional, DETERMINED, NullGroup, conditionals, null_groups};
use super::stats::{pearson, rank_scores};
use super::{ColumnKind, ColumnProfile, NumberEncoding, ProfileOptions};
use crate::table::LogicalType;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A symmetric matrix of rank correlations over the listed columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Correlations {
    /// Columns, in matrix order.
    pub columns: Vec<String>,
    /// Row-major matrix, 1 on the diagonal.
    pub matrix: Vec<Vec<f64>>,
}

/// `low ≤ high` on every row where both are present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderedPair {
    /// The column that is never larger.
    pub low: String,
    /// The column that is never smaller.
    pub high: String,
}

pub use crate::vocabulary::Rule;

pub(crate) const MAX_PAIR_COLUMNS: usize = 128;
const MAX_RULE_COLUMNS: usize = 48;

pub(crate) struct Relations {
    pub correlations: Correlations,
    pub candidate_keys: Vec<Vec<String>>,
    pub ordered_pairs: Vec<OrderedPair>,
    pub rules: Vec<Rule>,
    pub null_groups: Vec<NullGroup>,
    pub conditionals: Vec<Conditional>,
    pub offsets: Vec<super::Offset>,
}

pub(crate) fn analyse(
    cols: &[ColumnProfile],
    values: &[ColumnValues<'_>],
    o: &ProfileOptions,
) -> Relations {
    let rows = values.iter().map(ColumnValues::len).max().unwrap_or(0);
    let keep: Vec<usize> = {
        let s = crate::ingest::Sampler::new(rows as u64, o.relation_rows);
        (0..rows).filter(|&i| s.keeps(i as u64)).collect()
    };

    let conditionals = conditionals(cols, values, &keep);
    // Encoded columns for correlation: numbers, temporal, booleans, categories (by
    // frequency rank, most frequent first; a category that determines another column
    // in that column's order, see [`key_rank`]).
    let mut names = Vec::new();
    let mut encoded: Vec<Vec<Option<f64>>> = Vec::new();
    for (c, v) in cols.iter().zip(values) {
        let usable = matches!(
            c.kind,
            ColumnKind::Numeric
                | ColumnKind::Datetime
                | ColumnKind::Boolean
                | ColumnKind::Categorical
        ) && c.distinct > 1;
        if !usable || names.len() >= MAX_PAIR_COLUMNS {
            continue;
        }
        let col: Vec<Option<f64>> = match v {
            ColumnValues::Number(x) => keep.iter().map(|&i| x[i]).collect(),
            ColumnValues::Bool(x) => keep
                .iter()
                .map(|&i| x[i].map(|b| f64::from(u8::from(b))))
                .collect(),
            ColumnValues::Text(x, _) => {
                let rank = key_rank(&c.name, cols, values, &conditionals)
                    .unwrap_or_else(|| frequency_rank(x));
                keep.iter()
                    .map(|&i| x[i].map(|id| f64::from(rank[id as usize])))
                    .collect()
            }
            ColumnValues::None => continue,
        };
        names.push(c.name.clone());
        encoded.push(rank_scores(&col));
    }
    let m = names.len();
    let mut matrix = vec![vec![0.0; m]; m];
    for i in 0..m {
        matrix[i][i] = 1.0;
        for j in i + 1..m {
            let r = pearson(&encoded[i], &encoded[j]).unwrap_or(0.0);
            // Spearman's ρ → the Gaussian copula's correlation (Pearson's identity
            // ρ = (6/π)·asin(r/2) inverted): what a copula generator needs, and on the
            // public datasets closer to the raw Pearson r that SDMetrics compares.
            let r = 2.0 * (std::f64::consts::PI * r / 6.0).sin();
            let r = (r * 1e6).round() / 1e6;
            matrix[i][j] = r;
            matrix[j][i] = r;
        }
    }

    let candidate_keys = cols
        .iter()
        .filter(|c| c.null_count == 0 && c.unique && c.logical != LogicalType::Float)
        .map(|c| vec![c.name.clone()])
        .collect();

    let rules = {
        let mut r = rules(cols, values, &keep);
        r.extend(clock_rules(cols, values, &keep));
        r.extend(calendar_rules(cols, values, &keep));
        r.extend(conditionals.iter().filter_map(|d| {
            Some(Rule::DeterminedBy {
                target: d.target.clone(),
                by: d.by.clone(),
                second_by: Some(d.second_by.clone()?),
            })
        }));
        r
    };
    let correlations = Correlations {
        columns: names,
        matrix,
    };
    Relations {
        offsets: super::offsets::offsets(cols, values, &keep, &rules, &correlations, o),
        correlations,
        candidate_keys,
        ordered_pairs: ordered_pairs(cols, values, &keep),
        rules,
        null_groups: null_groups(cols, values, &keep),
        conditionals,
    }
}

/// Rank of each category id by frequency (0 = most frequent), ties by id.
fn frequency_rank(ids: &[Option<u32>]) -> Vec<u32> {
    let n = ids
        .iter()
        .flatten()
        .map(|&i| i as usize + 1)
        .max()
        .unwrap_or(0);
    let mut counts = vec![0u64; n];
    for &i in ids.iter().flatten() {
        counts[i as usize] += 1;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    let mut rank = vec![0u32; n];
    for (r, &id) in order.iter().enumerate() {
        rank[id] = r as u32;
    }
    rank
}

/// The rank of each value of a category that determines a number, in the order of
/// that number: destinations by their distance. A generator that draws the category
/// from the copula in this order (the template orders its values the same way) and
/// then the number within its group keeps the number's correlations with the rest of
/// the table, which a frequency order would lose (distance and air time are 0.99
/// correlated).
fn key_rank(
    name: &str,
    cols: &[ColumnProfile],
    values: &[ColumnValues<'_>],
    conditionals: &[Conditional],
) -> Option<Vec<u32>> {
    use super::dependence::GroupTarget;
    // Each group's key: the median of the number in it.
    let median = |g: &super::dependence::ConditionalGroup| match &g.target {
        GroupTarget::Numeric { quantiles, .. } => quantiles.get(quantiles.len() / 2).copied(),
        GroupTarget::Categorical { .. } => None,
    };
    let d = conditionals
        .iter()
        .filter(|d| d.by == name && d.strength >= DETERMINED)
        .filter(|d| d.groups.first().is_some_and(|g| median(g).is_some()))
        .max_by(|a, b| a.strength.total_cmp(&b.strength))?;
    let by = cols.iter().position(|c| c.name == name)?;
    let ColumnValues::Text(by_ids, labels) = &values[by] else {
        return None;
    };
    let by_rank = frequency_rank(by_ids);
    let keys: HashMap<&str, f64> = d
        .groups
        .iter()
        .filter_map(|g| Some((g.value.as_str(), median(g)?)))
        .collect();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (keys.get(labels[a].as_str()), keys.get(labels[b].as_str()));
        let missing_last = ka.is_none().cmp(&kb.is_none());
        missing_last
            .then(ka.unwrap_or(&0.0).total_cmp(kb.unwrap_or(&0.0)))
            .then(by_rank.get(a).cmp(&by_rank.get(b)))
    });
    let mut rank = vec![0u32; labels.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id] = r as u32;
    }
    Some(rank)
}

fn numeric_cols<'a>(
    cols: &'a [ColumnProfile],
    values: &'a [ColumnValues<'a>],
) -> Vec<(&'a ColumnProfile, &'a [Option<f64>])> {
    cols.iter()
        .zip(values)
        .filter_map(|(c, v)| match v {
            ColumnValues::Number(x)
                if matches!(c.kind, ColumnKind::Numeric | ColumnKind::Datetime)
                    && c.distinct > 1 =>
            {
                Some((c, *x))
            }
            _ => None,
        })
        .take(MAX_PAIR_COLUMNS)
        .collect()
}

fn ordered_pairs(
    cols: &[ColumnProfile],
    values: &[ColumnValues<'_>],
    keep: &[usize],
) -> Vec<OrderedPair> {
    let nums = numeric_cols(cols, values);
    let mut out = Vec::new();
    for (a, av) in &nums {
        for (b, bv) in &nums {
            if a.name == b.name
                || a.logical.is_temporal() != b.logical.is_temporal()
                || (a.logical == LogicalType::Time) != (b.logical == LogicalType::Time)
            {
                continue;
            }
            let (Some(an), Some(bn)) = (&a.numeric, &b.numeric) else {
                continue;
            };
            // Ranges must overlap substantially, or the order says nothing the ranges
            // do not already say (day ≤ distance).
            let overlap = an.max.min(bn.max) - an.min.max(bn.min);
            let union = an.max.max(bn.max) - an.min.min(bn.min);
            if overlap <= 0.0 || overlap < 0.3 * union {
                continue;
            }
            let mut both = 0usize;
            let mut strict = false;
            let holds = keep.iter().all(|&i| match (av[i], bv[i]) {
                (Some(x), Some(y)) => {
                    both += 1;
                    strict |= x < y;
                    x <= y
                }
                _ => true,
            });
            if holds && strict && both >= 10 {
                out.push(OrderedPair {
                    low: a.name.clone(),
                    high: b.name.clone(),
                });
            }
        }
    }
    out
}

/// Clock-time relations among whole-number columns: a clock (HHMM) made of an hour and
/// a minute column, and a clock that is another plus a number of minutes, around the
/// clock (flights' `dep_time = sched_dep_time + dep_delay`). Exact on every kept row
/// where the columns are present, and on at least 10 of them.
fn clock_rules(cols: &[ColumnProfile], values: &[ColumnValues<'_>], keep: &[usize]) -> Vec<Rule> {
    let ints: Vec<(&ColumnProfile, &[Option<f64>])> = cols
        .iter()
        .zip(values)
        .filter_map(|(c, v)| match v {
            ColumnValues::Number(x) if c.logical == LogicalType::Integer && c.distinct > 1 => {
                Some((c, *x))
            }
            _ => None,
        })
        .take(MAX_RULE_COLUMNS)
        .collect();
    let is_clock = |c: &ColumnProfile| {
        c.numeric.as_ref().and_then(|n| n.encoding) == Some(NumberEncoding::ClockHhmm)
    };
    let holds = |f: &dyn Fn(usize) -> Option<bool>| {
        let mut n = 0usize;
        let all = keep.iter().all(|&i| match f(i) {
            Some(ok) => {
                n += 1;
                ok
            }
            None => true,
        });
        all && n >= 10
    };
    let minutes = |hhmm: f64| NumberEncoding::ClockHhmm.to_line(hhmm);
    let mut out = Vec::new();
    for (t, tv) in ints.iter().filter(|(c, _)| is_clock(c)) {
        'parts: for (h, hv) in &ints {
            for (m, mv) in &ints {
                if [&t.name, &h.name].contains(&&m.name) || t.name == h.name || is_clock(h) {
                    continue;
                }
                if holds(&|i| Some(tv[i]? == hv[i]? * 100.0 + mv[i]?)) {
                    out.push(Rule::ClockParts {
                        target: t.name.clone(),
                        hour: h.name.clone(),
                        minute: m.name.clone(),
                    });
                    break 'parts;
                }
            }
        }
        for (c, cv) in ints.iter().filter(|(c, _)| is_clock(c) && c.name != t.name) {
            for (m, mv) in ints.iter().filter(|(c, _)| !is_clock(c)) {
                let later = |i: usize| {
                    let gap = minutes(cv[i]?) + mv[i]? - minutes(tv[i]?);
                    Some(gap.rem_euclid(1440.0) == 0.0)
                };
                if holds(&later) {
                    out.push(Rule::ClockSum {
                        target: t.name.clone(),
                        clock: c.name.clone(),
                        minutes: m.name.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Whole numbers that count the days or years between two dates of the row: a length
/// of stay (discharge − admission), an age at admission (from the birth date). Exact on
/// at least 99 % of the kept rows where the three are present (a few data-entry slips
/// should not hide the rule), and on at least 10.
fn calendar_rules(
    cols: &[ColumnProfile],
    values: &[ColumnValues<'_>],
    keep: &[usize],
) -> Vec<Rule> {
    const DAY: f64 = 86_400.0;
    let pick = |want: fn(&ColumnProfile) -> bool| -> Vec<(&ColumnProfile, &[Option<f64>])> {
        cols.iter()
            .zip(values)
            .filter_map(|(c, v)| match v {
                ColumnValues::Number(x) if want(c) && c.distinct > 1 => Some((c, *x)),
                _ => None,
            })
            .take(MAX_RULE_COLUMNS)
            .collect()
    };
    let dates = pick(|c| matches!(c.logical, LogicalType::Date | LogicalType::DateTime));
    let counts = pick(|c| c.logical == LogicalType::Integer && c.kind == ColumnKind::Numeric);
    // Gives up at the first 1 % of rows that break it: most triples fail at once, so a
    // table of many dates and counts stays quick.
    let allowed = keep.len() / 100;
    let holds = |f: &dyn Fn(usize) -> Option<bool>| {
        let (mut n, mut broken) = (0usize, 0usize);
        for &i in keep {
            if let Some(kept) = f(i) {
                n += 1;
                broken += usize::from(!kept);
                if broken > allowed {
                    return false;
                }
            }
        }
        n >= 10 && broken as f64 <= 0.01 * n as f64
    };
    let mut out = Vec::new();
    for (t, tv) in &counts {
        'pairs: for (late, lv) in &dates {
            for (early, ev) in dates.iter().filter(|(e, _)| e.name != late.name) {
                let days = |i: usize| Some(tv[i]? == ((lv[i]? - ev[i]?) / DAY).floor());
                let day = |x: f64| (x / DAY).floor() as i64;
                let years = |i: usize| {
                    let y = crate::datetime_text::whole_years(day(ev[i]?), day(lv[i]?))?;
                    Some(tv[i]? == y as f64)
                };
                let (target, later, earlier) =
                    (t.name.clone(), late.name.clone(), early.name.clone());
                let rule = if holds(&days) {
                    Rule::DaysBetween {
                        target,
                        later,
                        earlier,
                    }
                } else if holds(&years) {
                    Rule::YearsBetween {
                        target,
                        later,
                        earlier,
                    }
                } else {
                    continue;
                };
                out.push(rule);
                break 'pairs;
            }
        }
    }
    out
}

fn rules(cols: &[ColumnProfile], values: &[ColumnValues<'_>], keep: &[usize]) -> Vec<Rule> {
    let nums: Vec<_> = numeric_cols(cols, values)
        .into_iter()
        .filter(|(c, _)| c.kind == ColumnKind::Numeric)
        .take(MAX_RULE_COLUMNS)
        .collect();
    let mut out = Vec::new();
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
    let check =
        |t: &[Option<f64>], l: &[Option<f64>], r: &[Option<f64>], f: &dyn Fn(f64, f64) -> f64| {
            let mut n = 0usize;
            let holds = keep.iter().all(|&i| match (t[i], l[i], r[i]) {
                (Some(t), Some(l), Some(r)) => {
                    n += 1;
                    close(t, f(l, r))
                }
                _ => true,
            });
            holds && n >= 10
        };
    for (ti, (t, tv)) in nums.iter().enumerate() {
        for (li, (l, lv)) in nums.iter().enumerate() {
            for (ri, (r, rv)) in nums.iter().enumerate() {
                if ti == li || ti == ri || li == ri {
                    continue;
                }
                if li < ri && check(tv, lv, rv, &|a, b| a + b) {
                    out.push(Rule::Sum {
                        target: t.name.clone(),
                        left: l.name.clone(),
                        right: r.name.clone(),
                    });
                } else if check(tv, lv, rv, &|a, b| a - b) {
                    out.push(Rule::Difference {
                        target: t.name.clone(),
                        left: l.name.clone(),
                        right: r.name.clone(),
                    });
                } else if li < ri && check(tv, lv, rv, &|a, b| a * b) {
                    out.push(Rule::Product {
                        target: t.name.clone(),
                        left: l.name.clone(),
                        right: r.name.clone(),
                    });
                }
            }
        }
    }
    // Category → category dependencies.
    let cats: Vec<(&ColumnProfile, &[Option<u32>])> = cols
        .iter()
        .zip(values)
        .filter_map(|(c, v)| match v {
            ColumnValues::Text(x, _) if c.kind == ColumnKind::Categorical && c.distinct > 1 => {
                Some((c, *x))
            }
            _ => None,
        })
        .take(MAX_PAIR_COLUMNS)
        .collect();
    // A category fixes another, or a number (a film's year, compared by its bits).
    enum Values<'v> {
        Ids(&'v [Option<u32>]),
        Numbers(&'v [Option<f64>]),
    }
    let targets: Vec<(&ColumnProfile, Values<'_>)> = cats
        .iter()
        .map(|(c, v)| (*c, Values::Ids(v)))
        .chain(nums.iter().map(|(c, v)| (*c, Values::Numbers(v))))
        .collect();
    for (by, bv) in &cats {
        for (t, tv) in &targets {
            if by.name == t.name
                || by.distinct <= t.distinct
                || by.distinct as usize * 2 > keep.len()
            {
                continue;
            }
            let share = match tv {
                Values::Ids(x) => super::dependence::modal_share(|i| x[i].map(u64::from), bv, keep),
                Values::Numbers(x) => {
                    super::dependence::modal_share(|i| x[i].map(f64::to_bits), bv, keep)
                }
            };
            if share.is_some_and(|s| s >= DETERMINED) {
                out.push(Rule::DeterminedBy {
                    target: t.name.clone(),
                    by: by.name.clone(),
                    second_by: None,
                });
            }
        }
    }
    out
}
