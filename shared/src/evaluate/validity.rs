//! Validity: the relations that hold on the real rows (the profile's exact rules and
//! ordered pairs), and the share of synthetic rows that keep each. SDMetrics' Quality
//! Report scores marginals and pairs; it does not notice a departure time that is not
//! its scheduled time plus its delay, which a person rejects at a glance.

use super::columns::{Cells, Column};
use crate::datetime_text::whole_years;
use crate::profile::Profile;
use crate::vocabulary::{NumberEncoding, Rule};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One relation, and the share of rows that keep it in each table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationHeld {
    /// The relation in plain words (`dep_time = sched_dep_time + dep_delay (clock)`).
    pub relation: String,
    /// Share of real rows (where its columns are present) that keep it.
    pub real: f64,
    /// Share of synthetic rows that keep it; `None` when no synthetic row has its
    /// columns.
    pub synthetic: Option<f64>,
}

/// Every relation found in the real table and how well the synthetic rows keep it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Validity {
    /// Per relation.
    pub relations: Vec<RelationHeld>,
    /// Mean over relations of the synthetic share over the real share (capped at 1);
    /// `None` when the real table has no relation.
    pub held: Option<f64>,
}

/// Datetimes are read in nanoseconds since 1970.
const NS_PER_DAY: f64 = 86_400e9;

/// Rows read per table: shares of a large table are exact enough from a spread sample.
const ROWS: usize = 200_000;

/// The relations of `profile` checked on tables 0 (real) and 1 (synthetic) of `cols`.
pub(crate) fn validity(cols: &[Column], profile: &Profile) -> Validity {
    let find = |name: &str| cols.iter().find(|c| c.name == name);
    let mut relations = Vec::new();
    for pair in &profile.ordered_pairs {
        if let (Some(low), Some(high)) = (find(&pair.low), find(&pair.high)) {
            relations.push(check(
                format!("{} ≤ {}", pair.low, pair.high),
                &[low, high],
                |v| v[0] <= v[1],
            ));
        }
    }
    for rule in &profile.rules {
        let held = match three_column(rule) {
            Some((relation, names, holds)) => {
                three(&find, names).map(|c| check(relation, &c, holds))
            }
            None => match rule {
                Rule::DeterminedBy {
                    target,
                    by,
                    second_by: None,
                } => find(by)
                    .zip(find(target))
                    .map(|(b, t)| determined(format!("{by} → {target}"), &[b], t)),
                Rule::DeterminedBy {
                    target,
                    by,
                    second_by: Some(second),
                } => match (find(by), find(second), find(target)) {
                    (Some(b), Some(s), Some(t)) => Some(determined(
                        format!("({by}, {second}) → {target}"),
                        &[b, s],
                        t,
                    )),
                    _ => None,
                },
                _ => None,
            },
        };
        relations.extend(held);
    }
    let shares: Vec<f64> = relations
        .iter()
        .filter(|r| r.real > 0.0)
        .map(|r| r.synthetic.map_or(0.0, |s| (s / r.real).min(1.0)))
        .collect();
    Validity {
        held: (!shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64),
        relations,
    }
}

/// A rule over three columns: its words, its columns (target first) and its test.
type ThreeColumn<'r> = (String, [&'r String; 3], fn([f64; 3]) -> bool);

fn three_column(rule: &Rule) -> Option<ThreeColumn<'_>> {
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
    }
    Some(match rule {
        Rule::Sum {
            target,
            left,
            right,
        } => (
            format!("{target} = {left} + {right}"),
            [target, left, right],
            |v| close(v[0], v[1] + v[2]),
        ),
        Rule::Difference {
            target,
            left,
            right,
        } => (
            format!("{target} = {left} − {right}"),
            [target, left, right],
            |v| close(v[0], v[1] - v[2]),
        ),
        Rule::Product {
            target,
            left,
            right,
        } => (
            format!("{target} = {left} × {right}"),
            [target, left, right],
            |v| close(v[0], v[1] * v[2]),
        ),
        Rule::ClockParts {
            target,
            hour,
            minute,
        } => (
            format!("{target} = {hour}·100 + {minute}"),
            [target, hour, minute],
            |v| v[0] == v[1] * 100.0 + v[2],
        ),
        Rule::ClockSum {
            target,
            clock,
            minutes: gap,
        } => (
            format!("{target} = {clock} + {gap} minutes (clock)"),
            [target, clock, gap],
            |v| {
                let m = |x: f64| NumberEncoding::ClockHhmm.to_line(x);
                (m(v[1]) + v[2] - m(v[0])).rem_euclid(1440.0) == 0.0
            },
        ),
        Rule::DaysBetween {
            target,
            later,
            earlier,
        } => (
            format!("{target} = days from {earlier} to {later}"),
            [target, later, earlier],
            |v| v[0] == ((v[1] - v[2]) / NS_PER_DAY).floor(),
        ),
        Rule::YearsBetween {
            target,
            later,
            earlier,
        } => (
            format!("{target} = years from {earlier} to {later}"),
            [target, later, earlier],
            |v| {
                let day = |ns: f64| (ns / NS_PER_DAY).floor() as i64;
                whole_years(day(v[2]), day(v[1])).is_some_and(|y| y as f64 == v[0])
            },
        ),
        Rule::DeterminedBy { .. } => return None,
    })
}

fn three<'c>(
    find: &impl Fn(&str) -> Option<&'c Column>,
    names: [&String; 3],
) -> Option<[&'c Column; 3]> {
    Some([find(names[0])?, find(names[1])?, find(names[2])?])
}

/// The share of rows of each table whose columns are present and keep `holds`.
fn check<const N: usize>(
    relation: String,
    columns: &[&Column; N],
    holds: impl Fn([f64; N]) -> bool,
) -> RelationHeld {
    let share = |t: usize| {
        let values: Vec<Vec<Option<f64>>> = columns.iter().map(|c| numbers(c, t)).collect();
        let rows = values.first().map_or(0, Vec::len);
        let (mut present, mut kept) = (0usize, 0usize);
        for r in spread(rows) {
            let mut v = [0.0; N];
            if values.iter().zip(&mut v).all(|(col, slot)| match col[r] {
                Some(x) => {
                    *slot = x;
                    true
                }
                None => false,
            }) {
                present += 1;
                kept += usize::from(holds(v));
            }
        }
        (present > 0).then(|| kept as f64 / present as f64)
    };
    RelationHeld {
        relation,
        real: share(0).unwrap_or(0.0),
        synthetic: share(1),
    }
}

/// `by → target` (`by` one or two columns): the share of rows whose target is the value
/// most often seen with their `by` value (pair of values) in the same table.
fn determined(relation: String, by: &[&Column], target: &Column) -> RelationHeld {
    let share = |t: usize| {
        // Each row's key: its `by` code, or the two codes side by side; 0 is missing.
        let codes: Vec<&[u32]> = by
            .iter()
            .map(|c| match c.values.table(t) {
                Cells::Discrete(b) => Some(b),
                Cells::Continuous(_) => None,
            })
            .collect::<Option<_>>()?;
        let b: Vec<u64> = match codes.as_slice() {
            [one] => one.iter().map(|&x| u64::from(x)).collect(),
            [first, second] => first
                .iter()
                .zip(second.iter())
                .map(|(&x, &y)| {
                    if x == 0 || y == 0 {
                        0
                    } else {
                        (u64::from(x) << 32) | u64::from(y)
                    }
                })
                .collect(),
            _ => return None,
        };
        // The target's value on row r as a key: its code, or a number's bits.
        let value: Box<dyn Fn(usize) -> Option<u64> + '_> = match target.values.table(t) {
            Cells::Discrete(v) => Box::new(move |r| (v[r] != 0).then(|| u64::from(v[r]))),
            Cells::Continuous(v) => Box::new(move |r| (!v[r].is_nan()).then(|| v[r].to_bits())),
        };
        let mut counts: HashMap<(u64, u64), usize> = HashMap::new();
        let mut present = 0usize;
        for r in spread(b.len()) {
            if let (true, Some(v)) = (b[r] != 0, value(r)) {
                *counts.entry((b[r], v)).or_default() += 1;
                present += 1;
            }
        }
        let mut best: HashMap<u64, usize> = HashMap::new();
        for (&(k, _), &n) in &counts {
            let slot = best.entry(k).or_default();
            *slot = (*slot).max(n);
        }
        (present > 0).then(|| best.values().sum::<usize>() as f64 / present as f64)
    };
    RelationHeld {
        relation,
        real: share(0).unwrap_or(0.0),
        synthetic: share(1),
    }
}

/// Table `t` of a column as numbers: continuous values as they are (datetimes in ns),
/// categories by their label when it is a number.
fn numbers(c: &Column, t: usize) -> Vec<Option<f64>> {
    match c.values.table(t) {
        Cells::Continuous(v) => v.iter().map(|x| (!x.is_nan()).then_some(*x)).collect(),
        Cells::Discrete(v) => v
            .iter()
            .map(|&code| {
                (code != 0)
                    .then(|| c.dictionary.label(code).parse::<f64>().ok())
                    .flatten()
            })
            .collect(),
    }
}

/// At most [`ROWS`] row indices spread evenly over `rows`.
fn spread(rows: usize) -> impl Iterator<Item = usize> {
    let step = rows.div_ceil(ROWS).max(1);
    (0..rows).step_by(step)
}
