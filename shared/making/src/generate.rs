//! generate: (plan, seed, row range) → synthetic [`Table`].
//!
//! Determinism is structural. Rows are made in blocks of [`BLOCK_ROWS`] (the last block
//! of the table may be shorter); every block draws from its own ChaCha8 generators,
//! keyed by (seed, block) with one stream per column (and one for the copula). So a
//! row's values depend only on the seed, the total row count, its block and the plan:
//! any row range can be made alone and equals the same rows of a full run, and browser workers, threads or cluster partitions that split the rows
//! agree byte for byte. All maths that is not exact IEEE arithmetic goes through
//! `libm`, so native and WebAssembly builds give the same bits.
//!
//! `generate` sees only the plan: it imports neither `ingest` nor `profile`.

use crate::math::{normal_quantile, round};
use crate::plan::{Choice, Derived, Gen, Given, GroupDraw, Plan};
use crate::spec::{Fake, Step};
use crate::table::{ColumnInfo, FileFormat, LogicalType, Table};
use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    Time64MicrosecondArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use chrono::{Datelike, NaiveDate};
use fake::Fake as _;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

/// Rows per block: the unit of determinism (and of parallel work).
pub const BLOCK_ROWS: u64 = 4_096;

/// Exact powers of ten for rounding (`powi` is not guaranteed bit-identical everywhere).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];
const US_PER_DAY: f64 = 86_400e6;

/// Values of one column while a block is made.
/// Text borrows category labels from the plan: a categorical cell costs no allocation.
enum Values<'p> {
    Number(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Text(Vec<Option<Cow<'p, str>>>),
}

/// What a recipe writes: its logical type, datetime format and decimal digits. The one
/// place that decides a column's output type; values and arrays follow from it.
pub(crate) fn output(recipe: &Gen) -> (LogicalType, Option<&str>, Option<u8>) {
    match recipe {
        Gen::Numeric { integer: true, .. }
        | Gen::Sequence { .. }
        | Gen::Derived(Derived::Arithmetic { integer: true, .. }) => {
            (LogicalType::Integer, None, None)
        }
        Gen::Numeric { decimals, .. } | Gen::Derived(Derived::Arithmetic { decimals, .. }) => {
            (LogicalType::Float, None, Some(*decimals))
        }
        Gen::Datetime {
            logical, format, ..
        }
        | Gen::Derived(Derived::DateOffset {
            logical, format, ..
        }) => (*logical, Some(format), None),
        Gen::Boolean { .. } => (LogicalType::Boolean, None, None),
        _ => (LogicalType::Text, None, None),
    }
}

/// An empty value vector of the representation the recipe's output type needs.
fn empty_values<'p>(recipe: &Gen, capacity: usize) -> Values<'p> {
    match output(recipe).0 {
        LogicalType::Boolean => Values::Bool(Vec::with_capacity(capacity)),
        LogicalType::Text => Values::Text(Vec::with_capacity(capacity)),
        _ => Values::Number(Vec::with_capacity(capacity)),
    }
}

/// SplitMix64: a well-mixed key per (seed, block).
fn mix(seed: u64, block: u64) -> u64 {
    let mut z = seed ^ block.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn stream(seed: u64, block: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(mix(seed, block));
    r.set_stream(stream);
    r
}

/// Makes rows `rows` (0-based, end exclusive) of a `total`-row table from the plan
/// with this seed. The total fixes the blocks (the last one may be shorter), so a
/// range is always a slice of the same full table.
pub fn generate(plan: &Plan, seed: u64, total: u64, rows: Range<u64>) -> Table {
    let rows = rows.start.min(total)..rows.end.min(total);
    let n = rows.end.saturating_sub(rows.start) as usize;
    let mut columns: Vec<Values<'_>> = plan
        .columns
        .iter()
        .map(|c| empty_values(&c.recipe, n))
        .collect();
    if n > 0 {
        let first = rows.start / BLOCK_ROWS;
        let last = (rows.end - 1) / BLOCK_ROWS;
        for block in first..=last {
            let start = block * BLOCK_ROWS;
            let len = (total - start).min(BLOCK_ROWS);
            let mut made = make_block(plan, seed, block, len as usize);
            for &(low, high) in &plan.ordered {
                order(&mut made, low, high);
            }
            for &(c, lo, hi) in &plan.ranges {
                if let Values::Number(v) = &mut made[c] {
                    v.iter_mut().flatten().for_each(|x| *x = x.clamp(lo, hi));
                }
            }
            let from = (rows.start.max(start) - start) as usize;
            let to = (rows.end.min(start + len) - start) as usize;
            for (out, mut vals) in columns.iter_mut().zip(made) {
                match (out, &mut vals) {
                    (Values::Number(o), Values::Number(v)) => o.extend(v.drain(from..to)),
                    (Values::Bool(o), Values::Bool(v)) => o.extend(v.drain(from..to)),
                    (Values::Text(o), Values::Text(v)) => o.extend(v.drain(from..to)),
                    _ => unreachable!("a column keeps its representation"),
                }
            }
        }
    }
    to_table(plan, columns, n as u64)
}

/// Stream of null group `g` (above every column's stream).
const NULL_GROUP_STREAM: u64 = 1 << 32;
/// Category id of a row with no named category (missing, or an "other" value).
const NO_ID: u32 = u32::MAX;

fn make_block(plan: &Plan, seed: u64, block: u64, rows: usize) -> Vec<Values<'_>> {
    let m = plan.cholesky.len();
    // Copula: z = L·e, e standard normal from stream 0. Only the ranks of z within the
    // block are used (stratified draws follow them), and Φ keeps ranks, so Φ(z) itself
    // is never computed.
    let mut copula_z = vec![0.0; rows * m];
    if m > 0 {
        let mut rng = stream(seed, block, 0);
        let mut e = vec![0.0; m];
        for r in 0..rows {
            for x in e.iter_mut() {
                *x = normal_quantile(open_unit(&mut rng));
            }
            for i in 0..m {
                let z: f64 = (0..=i).map(|k| plan.cholesky[i][k] * e[k]).sum();
                copula_z[r * m + i] = z;
            }
        }
    }
    // One null draw per row and group, shared by its columns: each column is missing
    // where the draw is below its own rate, so the groups' missing rows nest.
    let group_nulls: Vec<Vec<f64>> = (0..plan.null_groups)
        .map(|g| {
            let mut rng = stream(seed, block, NULL_GROUP_STREAM + g as u64);
            stratify(&permutation(rows, &mut rng), &mut rng)
        })
        .collect();
    let block_ctx = BlockCtx {
        plan,
        seed,
        block,
        rows,
        copula_z: &copula_z,
        group_nulls: &group_nulls,
    };
    let mut out: Vec<Values<'_>> = Vec::with_capacity(plan.columns.len());
    let mut ids: Vec<Vec<u32>> = Vec::with_capacity(plan.columns.len());
    for (c, col) in plan.columns.iter().enumerate() {
        if matches!(col.recipe, Gen::Derived(_)) || col.given.is_some() {
            // Made below, once their inputs exist.
            out.push(empty_values(&col.recipe, 0));
            ids.push(Vec::new());
        } else {
            let (v, id) = block_ctx.column(c, None);
            out.push(v);
            ids.push(id);
        }
    }
    for &c in &plan.given_order {
        let by = plan.columns[c].given.as_ref().map(|g| g.by);
        let (v, id) = block_ctx.column(c, by.map(|b| ids[b].as_slice()));
        out[c] = v;
        ids[c] = id;
    }
    for (c, col) in plan.columns.iter().enumerate() {
        if let Gen::Derived(d) = &col.recipe {
            let mut rng = stream(seed, block, c as u64 + 1);
            let u = stratify(&permutation(rows, &mut rng), &mut rng);
            let nulls = match col.null_group {
                Some(g) => group_nulls[g].clone(),
                None if col.null_rate > 0.0 => stratify(&permutation(rows, &mut rng), &mut rng),
                None => vec![1.0; rows],
            };
            out[c] = derive(d, &out, &u, &nulls, col.null_rate);
        }
    }
    out
}

/// What every column of one block is made from.
struct BlockCtx<'p, 'b> {
    plan: &'p Plan,
    seed: u64,
    block: u64,
    rows: usize,
    copula_z: &'b [f64],
    group_nulls: &'b [Vec<f64>],
}

impl<'p> BlockCtx<'p, '_> {
    /// Makes column `c`, and the label id of each row for categorical columns. A
    /// column with a `by` gets the ids of its `by` column.
    fn column(&self, c: usize, by_ids: Option<&[u32]>) -> (Values<'p>, Vec<u32>) {
        let (plan, rows) = (self.plan, self.rows);
        let col = &plan.columns[c];
        let m = plan.cholesky.len();
        let mut rng = stream(self.seed, self.block, c as u64 + 1);
        // Stratified draws: each of the block's `rows` equal slices of (0, 1) gets
        // exactly one value, so marginals and null rates hold within a block instead
        // of only on average. Copula columns keep the copula's ranks.
        let mut u = match col.copula_slot {
            Some(k) => {
                let ranks = ranks((0..rows).map(|r| self.copula_z[r * m + k]), sigmoid);
                stratify(&ranks, &mut rng)
            }
            None => stratify(&permutation(rows, &mut rng), &mut rng),
        };
        let own_nulls;
        let nulls = match col.null_group {
            Some(g) => &self.group_nulls[g],
            // A column that is never missing draws nothing for it.
            None if col.null_rate > 0.0 => {
                own_nulls = stratify(&permutation(rows, &mut rng), &mut rng);
                &own_nulls
            }
            None => {
                own_nulls = vec![1.0; rows];
                &own_nulls
            }
        };
        let group = match (&col.given, by_ids) {
            (Some(given), Some(by_ids)) => regroup(given, by_ids, &mut u, &mut rng),
            _ => Vec::new(),
        };
        let draw = |r: usize| {
            let g = *group.get(r)?;
            col.given.as_ref()?.groups.get(g as usize)?.as_ref()
        };
        let mut values = empty_values(&col.recipe, rows);
        let mut ids = Vec::new();
        for r in 0..rows {
            let null = nulls[r] < col.null_rate;
            let u = u[r];
            let row = self.block * BLOCK_ROWS + r as u64;
            match (&col.recipe, &mut values) {
                (Gen::Boolean { p_true }, Values::Bool(v)) => {
                    v.push((!null).then_some(u >= 1.0 - p_true))
                }
                (_, Values::Number(v)) => {
                    let x = match draw(r) {
                        Some(GroupDraw::Quantiles(q)) => value_in_group(&col.recipe, q, u),
                        _ => value_number(&col.recipe, u, row),
                    };
                    v.push((!null).then_some(x));
                }
                (
                    Gen::Categorical {
                        labels,
                        choice,
                        shapes,
                        ..
                    },
                    Values::Text(v),
                ) => {
                    let i = match draw(r) {
                        Some(GroupDraw::Weights(ch)) => ch.pick(u),
                        _ => choice.pick(u),
                    };
                    let (x, id) = match labels.get(i) {
                        Some(l) => (Cow::Borrowed(l.as_str()), i as u32),
                        // Draw even for nulls so the stream stays aligned row by row.
                        None => (Cow::Owned(other_value(shapes.as_ref(), &mut rng)), NO_ID),
                    };
                    ids.push(if null { NO_ID } else { id });
                    v.push((!null).then_some(x));
                }
                (_, Values::Text(v)) => {
                    let x = value_text(&col.recipe, u, &mut rng);
                    v.push((!null).then_some(Cow::Owned(x)));
                }
                _ => unreachable!("empty_values matches the recipe"),
            }
        }
        (values, ids)
    }
}

/// Re-draws `u` within each group of the `by` column: the rows of one group keep their
/// order (so copula trends hold inside the group) and get stratified draws over the
/// whole (0, 1), so the group's own distribution is followed exactly. Returns each
/// row's group (the `by` label id), or [`NO_ID`] where the column's own recipe applies.
fn regroup(given: &Given, by_ids: &[u32], u: &mut [f64], rng: &mut ChaCha8Rng) -> Vec<u32> {
    let groups = given.groups.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups];
    let mut group = vec![NO_ID; u.len()];
    for (r, &id) in by_ids.iter().enumerate() {
        if given.groups.get(id as usize).is_some_and(Option::is_some) {
            members[id as usize].push(r);
            group[r] = id;
        }
    }
    for rows in members.iter().filter(|m| !m.is_empty()) {
        let within = stratify(&ranks(rows.iter().map(|&r| u[r]), |x| x), rng);
        for (&r, x) in rows.iter().zip(within) {
            u[r] = x;
        }
    }
    group
}

/// A numeric column's value from its group's quantiles, stepped and rounded like the
/// column.
fn value_in_group(recipe: &Gen, quantiles: &[f64], u: f64) -> f64 {
    let Gen::Numeric {
        decimals,
        integer,
        stepped,
        ..
    } = recipe
    else {
        unreachable!("compile gives quantile groups only to numeric columns")
    };
    let x = if *stepped {
        nearest(quantiles, u)
    } else {
        interpolate(quantiles, u)
    };
    if *integer {
        round(x)
    } else {
        round_to(x, *decimals)
    }
}

/// Computes a derived column from the block's generated columns.
fn derive<'p>(
    d: &Derived,
    cols: &[Values<'p>],
    u: &[f64],
    nulls: &[f64],
    null_rate: f64,
) -> Values<'p> {
    let numbers = |i: usize| match &cols[i] {
        Values::Number(v) => v.as_slice(),
        _ => unreachable!("compile checked the input is numeric"),
    };
    let missing = |r: usize| nulls[r] < null_rate;
    match d {
        Derived::Arithmetic {
            op,
            left,
            right,
            decimals,
            integer,
        } => {
            let (a, b) = (numbers(*left), numbers(*right));
            Values::Number(
                (0..u.len())
                    .map(|r| {
                        let (x, y) = (a[r]?, b[r]?);
                        if missing(r) {
                            return None;
                        }
                        let v = match op {
                            '+' => x + y,
                            '-' => x - y,
                            _ => x * y,
                        };
                        Some(if *integer {
                            round(v)
                        } else {
                            round_to(v, *decimals)
                        })
                    })
                    .collect(),
            )
        }
        Derived::DateOffset {
            from,
            offset_days,
            logical,
            ..
        } => {
            let base = numbers(*from);
            let unit = if *logical == LogicalType::Date {
                1.0
            } else {
                US_PER_DAY
            };
            Values::Number(
                (0..u.len())
                    .map(|r| {
                        let x = base[r]?;
                        (!missing(r)).then(|| (x + interpolate(offset_days, u[r]) * unit).floor())
                    })
                    .collect(),
            )
        }
        Derived::EmailFromName { from } => {
            let Values::Text(names) = &cols[*from] else {
                unreachable!("a name column is text")
            };
            Values::Text(
                (0..u.len())
                    .map(|r| {
                        let name = names[r].as_deref()?;
                        (!missing(r)).then(|| Cow::Owned(email_from(name)))
                    })
                    .collect(),
            )
        }
    }
}

/// `Ada O'Neil-Smith` → `ada.oneil-smith@example.com` (a reserved domain: RFC 2606).
fn email_from(name: &str) -> String {
    let local: Vec<String> = name
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let local = if local.is_empty() {
        "user".to_string()
    } else {
        local.join(".")
    };
    format!("{local}@example.com")
}

/// A cheap increasing map of a standard normal onto (0, 1), close enough to Φ that
/// [`ranks`]' buckets stay small; rational, so the same bits everywhere.
fn sigmoid(z: f64) -> f64 {
    let t = 0.8 * z;
    0.5 + 0.5 * t / (1.0 + t.abs())
}

/// 0-based ranks of values (ties by position). A counting sort on ⌊key(v)·n⌋ first,
/// `key` an increasing map into [0, 1]: sorting each (tiny) bucket by (value,
/// position) then gives the same order as sorting everything, in linear time.
fn ranks(values: impl Iterator<Item = f64>, key: impl Fn(f64) -> f64) -> Vec<usize> {
    let v: Vec<f64> = values.collect();
    let n = v.len();
    let key = |x: f64| ((key(x).clamp(0.0, 1.0) * n as f64) as usize).min(n.saturating_sub(1));
    let mut start = vec![0usize; n + 1];
    for &x in &v {
        start[key(x) + 1] += 1;
    }
    for b in 0..n {
        start[b + 1] += start[b];
    }
    let mut order = vec![0usize; n];
    let mut fill = start.clone();
    for (i, &x) in v.iter().enumerate() {
        let b = key(x);
        order[fill[b]] = i;
        fill[b] += 1;
    }
    for b in 0..n {
        let bucket = &mut order[start[b]..start[b + 1]];
        if bucket.len() > 1 {
            bucket.sort_unstable_by(|&a, &c| v[a].total_cmp(&v[c]).then(a.cmp(&c)));
        }
    }
    let mut rank = vec![0; n];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    rank
}

/// A random order of `0..n` (Fisher–Yates with 32-bit draws, the same on every platform).
fn permutation(n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i as u32) as usize;
        p.swap(i, j);
    }
    p
}

/// One uniform draw inside each slice `[rank/n, (rank+1)/n)`.
fn stratify(ranks: &[usize], rng: &mut ChaCha8Rng) -> Vec<f64> {
    let n = ranks.len() as f64;
    ranks
        .iter()
        .map(|&r| (r as f64 + rng.random::<f64>()) / n)
        .collect()
}

/// Swaps `low` and `high` values on rows where they are out of order.
fn order(cols: &mut [Values<'_>], low: usize, high: usize) {
    let (a, b) = if low < high {
        let (x, y) = cols.split_at_mut(high);
        (&mut x[low], &mut y[0])
    } else {
        let (x, y) = cols.split_at_mut(low);
        (&mut y[0], &mut x[high])
    };
    if let (Values::Number(a), Values::Number(b)) = (a, b) {
        for (x, y) in a.iter_mut().zip(b.iter_mut()) {
            if let (Some(p), Some(q)) = (x.as_mut(), y.as_mut())
                && *p > *q
            {
                std::mem::swap(p, q);
            }
        }
    }
}

/// A uniform draw in (0, 1): never exactly 0, so its normal quantile is finite.
fn open_unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.random::<u64>() >> 11) as f64 * (1.0 / (1u64 << 53) as f64) + 0.5 / (1u64 << 53) as f64
}

/// The value at probability `u` of a quantile function (evenly spaced probabilities).
fn interpolate(quantiles: &[f64], u: f64) -> f64 {
    let pos = u.clamp(0.0, 1.0) * (quantiles.len() - 1) as f64;
    let i = (pos as usize).min(quantiles.len() - 2);
    let t = pos - i as f64;
    quantiles[i] + (quantiles[i + 1] - quantiles[i]) * t
}

/// The quantile nearest to probability `u` (a step-function inverse CDF).
fn nearest(quantiles: &[f64], u: f64) -> f64 {
    let pos = u.clamp(0.0, 1.0) * (quantiles.len() - 1) as f64;
    quantiles[(round(pos) as usize).min(quantiles.len() - 1)]
}

fn round_to(x: f64, decimals: u8) -> f64 {
    let p = POW10[usize::from(decimals.min(15))];
    round(x * p) / p
}

fn value_number(recipe: &Gen, u: f64, row: u64) -> f64 {
    match recipe {
        Gen::Numeric {
            quantiles,
            masses,
            mass_choice,
            decimals,
            integer,
            stepped,
        } => {
            let inverse = |u: f64| {
                if *stepped {
                    nearest(quantiles, u)
                } else {
                    interpolate(quantiles, u)
                }
            };
            let x = match mass_choice {
                Some((choice, mass)) if u < *mass => masses[choice.pick(u / mass)],
                Some((_, mass)) => inverse((u - mass) / (1.0 - mass)),
                None => inverse(u),
            };
            if *integer {
                round(x)
            } else {
                round_to(x, *decimals)
            }
        }
        Gen::Datetime {
            quantiles,
            logical,
            step,
            ..
        } => truncate(interpolate(quantiles, u).floor(), *logical, *step),
        Gen::Sequence { start, step } => (*start as f64) + (*step as f64) * row as f64,
        _ => unreachable!("only numeric generators make numbers"),
    }
}

/// Truncates days (dates) or µs (datetimes, times) to the step.
fn truncate(v: f64, logical: LogicalType, step: Step) -> f64 {
    let floor_to = |x: f64, unit: f64| (x / unit).floor() * unit;
    let month_or_year = |days: i64| -> i64 {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        let Some(d) = epoch.checked_add_signed(chrono::TimeDelta::days(days)) else {
            return days;
        };
        let first = match step {
            Step::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1),
            _ => NaiveDate::from_ymd_opt(d.year(), d.month(), 1),
        };
        first.map_or(days, |f| (f - epoch).num_days())
    };
    match (logical, step) {
        (LogicalType::Date, Step::Month | Step::Year) => month_or_year(v as i64) as f64,
        (LogicalType::Date, _) => v,
        (_, Step::Microsecond) => v,
        (_, Step::Second) => floor_to(v, 1e6),
        (_, Step::Minute) => floor_to(v, 60e6),
        (_, Step::Hour) => floor_to(v, 3_600e6),
        (LogicalType::Time, _) => floor_to(v, 3_600e6),
        (_, Step::Day) => floor_to(v, US_PER_DAY),
        (_, Step::Month | Step::Year) => {
            month_or_year((v / US_PER_DAY).floor() as i64) as f64 * US_PER_DAY
        }
    }
}

fn from_shape(shape: &[char], rng: &mut ChaCha8Rng) -> String {
    shape
        .iter()
        .map(|&c| match c {
            'A' => char::from(b'A' + rng.random_range(0..26u8)),
            'a' => char::from(b'a' + rng.random_range(0..26u8)),
            '9' => char::from(b'0' + rng.random_range(0..10u8)),
            other => other,
        })
        .collect()
}

/// A category value that is not named: made from the column's shapes.
fn other_value(shapes: Option<&(Vec<Vec<char>>, Choice)>, rng: &mut ChaCha8Rng) -> String {
    match shapes {
        Some((shapes, pick)) => {
            let s = &shapes[pick.pick(rng.random::<f64>())];
            from_shape(s, rng)
        }
        None => String::new(),
    }
}

fn value_text(recipe: &Gen, u: f64, rng: &mut ChaCha8Rng) -> String {
    match recipe {
        Gen::Pattern { shapes, choice } => from_shape(&shapes[choice.pick(u)], rng),
        Gen::Semantic(kind) => fake_value(*kind, rng),
        Gen::Uuid => {
            let mut b: [u8; 16] = rng.random();
            b[6] = (b[6] & 0x0f) | 0x40;
            b[8] = (b[8] & 0x3f) | 0x80;
            let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
            format!(
                "{}-{}-{}-{}-{}",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..32]
            )
        }
        _ => unreachable!("only text generators make text"),
    }
}

fn fake_value(kind: Fake, rng: &mut ChaCha8Rng) -> String {
    use fake::faker::address::en::{BuildingNumber, CityName, StreetName, StreetSuffix};
    use fake::faker::company::en::CompanyName;
    use fake::faker::internet::en::{IPv4, SafeEmail};
    use fake::faker::lorem::en::{Sentence, Word};
    use fake::faker::name::en::{FirstName, LastName, Name};
    use fake::faker::phone_number::en::PhoneNumber;
    match kind {
        Fake::FullName => Name().fake_with_rng(rng),
        Fake::FirstName => FirstName().fake_with_rng(rng),
        Fake::LastName => LastName().fake_with_rng(rng),
        Fake::Email => SafeEmail().fake_with_rng(rng),
        Fake::Phone => PhoneNumber().fake_with_rng(rng),
        Fake::StreetAddress => format!(
            "{} {} {}",
            BuildingNumber().fake_with_rng::<String, _>(rng),
            StreetName().fake_with_rng::<String, _>(rng),
            StreetSuffix().fake_with_rng::<String, _>(rng)
        ),
        Fake::City => CityName().fake_with_rng(rng),
        // fake's en ZipCode mixes 3- to 5-digit forms; US ZIP codes have five digits.
        Fake::PostalCode => from_shape(&['9'; 5], rng),
        Fake::Company => CompanyName().fake_with_rng(rng),
        Fake::Sentence => Sentence(3..9).fake_with_rng(rng),
        Fake::Ipv4 => IPv4().fake_with_rng(rng),
        Fake::Url => format!(
            "https://www.example.com/{}",
            Word().fake_with_rng::<String, _>(rng)
        ),
        Fake::CreditCard => card_number(rng),
        Fake::Iban => iban(rng),
    }
}

/// `4xxx xxxx xxxx xxxx` with a Luhn check digit (fake has no seeded, checksummed
/// card generator in the format we want).
fn card_number(rng: &mut ChaCha8Rng) -> String {
    let mut digits: Vec<u32> = vec![4];
    digits.extend((0..14).map(|_| rng.random_range(0..10u32)));
    // Luhn: double every second digit from the right, counting the check digit as 1st.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2 == 0, d * 2) {
            (true, x) if x > 9 => x - 9,
            (true, x) => x,
            (false, _) => d,
        })
        .sum();
    digits.push((10 - sum % 10) % 10);
    let s: String = digits
        .iter()
        .filter_map(|d| char::from_digit(*d, 10))
        .collect();
    format!("{} {} {} {}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

/// `GB` + check digits + a four-letter bank code + 14 digits, valid under ISO 13616.
fn iban(rng: &mut ChaCha8Rng) -> String {
    let bank: String = (0..4)
        .map(|_| char::from(b'A' + rng.random_range(0..26u8)))
        .collect();
    let account: String = (0..14)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    // Check digits: 98 − (BBAN + "GB00" as digits, A = 10 … Z = 35) mod 97.
    let rem = format!("{bank}{account}GB00").chars().fold(0u64, |r, c| {
        let v = c.to_digit(36).map_or(0, u64::from);
        if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        }
    });
    format!("GB{:02}{bank}{account}", 98 - rem)
}

/// Days (dates) or µs (datetimes, times) as the Arrow array of their type.
fn temporal_array(logical: LogicalType, v: &[Option<f64>]) -> ArrayRef {
    match logical {
        LogicalType::Date => Arc::new(Date32Array::from_iter(
            v.iter().map(|x| x.map(|d| d as i32)),
        )),
        LogicalType::Time => Arc::new(Time64MicrosecondArray::from_iter(
            v.iter().map(|x| x.map(|t| t as i64)),
        )),
        _ => Arc::new(TimestampMicrosecondArray::from_iter(
            v.iter().map(|x| x.map(|t| t as i64)),
        )),
    }
}

fn to_table(plan: &Plan, columns: Vec<Values<'_>>, rows: u64) -> Table {
    let mut infos = Vec::with_capacity(columns.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
    let mut fields = Vec::with_capacity(columns.len());
    for (col, values) in plan.columns.iter().zip(columns) {
        let (logical, format, decimals) = output(&col.recipe);
        let array: ArrayRef = match (logical, values) {
            (LogicalType::Integer, Values::Number(v)) => {
                Arc::new(Int64Array::from_iter(v.iter().map(|x| x.map(|x| x as i64))))
            }
            (LogicalType::Float, Values::Number(v)) => Arc::new(Float64Array::from(v)),
            (l, Values::Number(v)) => temporal_array(l, &v),
            (_, Values::Bool(v)) => Arc::new(BooleanArray::from(v)),
            (_, Values::Text(v)) => {
                Arc::new(StringArray::from_iter(v.iter().map(Option::as_deref)))
            }
        };
        let format = format.map(str::to_string);
        let data_type = match logical {
            LogicalType::DateTime => DataType::Timestamp(TimeUnit::Microsecond, None),
            _ => array.data_type().clone(),
        };
        fields.push(Field::new(&col.name, data_type, true));
        infos.push(ColumnInfo {
            name: col.name.clone(),
            logical,
            format,
            decimals,
            null_count: array.null_count() as u64,
        });
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let options = arrow::array::RecordBatchOptions::new().with_row_count(Some(rows as usize));
    let batch = RecordBatch::try_new_with_options(schema, arrays, &options)
        .expect("arrays match the schema they were built with");
    Table {
        source: String::new(),
        format: FileFormat::Csv,
        sheet: None,
        sheets: Vec::new(),
        columns: infos,
        batch,
        total_rows: rows,
        warnings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_ranks_equal_a_full_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut v: Vec<f64> = (0..5000).map(|_| rng.random::<f64>()).collect();
        v[10] = v[20]; // a tie: broken by position
        v[30] = 1.0;
        v[31] = 0.0;
        let got = ranks(v.iter().copied(), |x| x);
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
        let mut want = vec![0; v.len()];
        for (r, &i) in order.iter().enumerate() {
            want[i] = r;
        }
        assert_eq!(got, want);
    }
}
