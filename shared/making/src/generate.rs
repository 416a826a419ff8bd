//! generate: (plan, seed, row range) → synthetic [`Table`].
//!
//! Determinism is structural. Rows are made in blocks of [`BLOCK_ROWS`] (the last block
//! of the table may be shorter); every block draws from its own generators, one per
//! column (and one for the copula), each seeded from (seed, block, column). So a
//! row's values depend only on the seed, the total row count, its block and the plan:
//! any row range can be made alone and equals the same rows of a full run, and browser workers, threads or cluster partitions that split the rows
//! agree byte for byte. All maths that is not exact IEEE arithmetic goes through
//! `libm`, so native and WebAssembly builds give the same bits.
//!
//! `generate` sees only the plan: it imports neither `ingest` nor `profile`.

use crate::math::normal_quantile;
use crate::plan::{Gen, Given, GroupDraw, NO_ID, Plan, RowGroups};
use crate::table::{ColumnInfo, FileFormat, LogicalType, Table};
use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    Time64MicrosecondArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

/// Rows per block: the unit of determinism (and of parallel work).
pub const BLOCK_ROWS: u64 = 4_096;

/// Text borrows category labels from the plan: a categorical cell costs no allocation.
pub(crate) enum Values<'p> {
    Number(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Text(Vec<Option<Cow<'p, str>>>),
}

/// An empty value vector of the representation the recipe's output type needs.
fn empty_values<'p>(recipe: &Gen, capacity: usize) -> Values<'p> {
    match recipe.output().0 {
        LogicalType::Boolean => Values::Bool(Vec::with_capacity(capacity)),
        LogicalType::Text => Values::Text(Vec::with_capacity(capacity)),
        _ => Values::Number(Vec::with_capacity(capacity)),
    }
}

/// The generator every draw comes from: xoshiro256++, 64-bit arithmetic only, so the
/// same bits natively and in WebAssembly. It replaced ChaCha8, whose keystream has SIMD
/// code on x86 but none for WebAssembly: there it was a fifth of the page's time to
/// make rows, against a twentieth natively. Nothing here needs a cipher's
/// unpredictability (the seed is the user's, and shown); the guard's noise keeps
/// ChaCha8.
pub(crate) type Rng = Xoshiro256PlusPlus;

/// SplitMix64: a well-mixed key per (seed, block).
fn mix(seed: u64, block: u64) -> u64 {
    let mut z = seed ^ block.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Stream `stream` of a block: its own seed, two SplitMix64 rounds from (seed, block,
/// stream), which `seed_from_u64` expands into xoshiro's 256-bit state with SplitMix64
/// again, the seeding its authors recommend.
fn stream(seed: u64, block: u64, stream: u64) -> Rng {
    Rng::seed_from_u64(mix(mix(seed, block), stream))
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
        let (v, id) = {
            let groups = plan.columns[c].given.as_ref().map(|g| g.row_groups(&ids));
            block_ctx.column(c, groups.as_ref())
        };
        out[c] = v;
        ids[c] = id;
    }
    for &c in &plan.derived_order {
        let col = &plan.columns[c];
        if let Gen::Derived(d) = &col.recipe {
            let mut rng = stream(seed, block, c as u64 + 1);
            let u = stratify(&permutation(rows, &mut rng), &mut rng);
            let nulls = match col.null_group {
                Some(g) => group_nulls[g].clone(),
                None if col.null_rate > 0.0 => stratify(&permutation(rows, &mut rng), &mut rng),
                None => vec![1.0; rows],
            };
            out[c] = crate::kinds::derived::draw(d, &out, &u, &nulls, col.null_rate);
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
    /// column with a `by` gets each row's group ([`Given::row_groups`]).
    fn column(&self, c: usize, row_groups: Option<&RowGroups<'_>>) -> (Values<'p>, Vec<u32>) {
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
        let group = match (&col.given, row_groups) {
            (Some(given), Some(row_groups)) => {
                let group = regroup(given, &row_groups.groups, &mut u, &mut rng);
                for (u, &pinned) in u.iter_mut().zip(&row_groups.pinned) {
                    if !pinned.is_nan() {
                        *u = pinned;
                    }
                }
                group
            }
            _ => Vec::new(),
        };
        let draw = |r: usize| {
            let given = col.given.as_ref()?;
            match *group.get(r)? {
                NO_ID => given.rest.as_ref(),
                g => given.groups.get(g as usize)?.as_ref(),
            }
        };
        let mut values = empty_values(&col.recipe, rows);
        let mut ids = Vec::new();
        for r in 0..rows {
            let null = nulls[r] < col.null_rate;
            let u = u[r];
            let row = self.block * BLOCK_ROWS + r as u64;
            match (&col.recipe, &mut values) {
                (Gen::Boolean(b), Values::Bool(v)) => v.push((!null).then_some(b.value(u))),
                (recipe, Values::Number(v)) => {
                    let x = match (draw(r), recipe) {
                        (Some(GroupDraw::Quantiles(q)), Gen::Numeric(n)) => n.value_in(q, u),
                        _ => recipe.number(u, row).unwrap_or(f64::NAN),
                    };
                    v.push((!null).then_some(x));
                }
                (Gen::Categorical(cat), Values::Text(v)) => {
                    let i = match draw(r) {
                        Some(GroupDraw::Weights(ch)) => ch.pick(u),
                        _ => cat.choice.pick(u),
                    };
                    let (x, id) = match cat.labels.get(i) {
                        Some(l) => (Cow::Borrowed(l.as_str()), i as u32),
                        // Draw even for nulls so the stream stays aligned row by row.
                        None => (Cow::Owned(cat.other_value(&mut rng)), NO_ID),
                    };
                    ids.push(if null { NO_ID } else { id });
                    v.push((!null).then_some(x));
                }
                (recipe, Values::Text(v)) => {
                    let x = recipe.text(u, &mut rng).unwrap_or_default();
                    v.push((!null).then_some(Cow::Owned(x)));
                }
                (_, Values::Bool(v)) => v.push(None),
            }
        }
        (values, ids)
    }
}

/// Re-draws `u` within each group of the `by` column: the rows of one group keep their
/// order (so copula trends hold inside the group) and get stratified draws over the
/// whole (0, 1), so the group's own distribution is followed exactly. Returns each
/// row's group ([`Given::row_groups`]), or [`NO_ID`] where the rest draw applies.
fn regroup(given: &Given, row_groups: &[u32], u: &mut [f64], rng: &mut Rng) -> Vec<u32> {
    let groups = given.groups.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups];
    let mut group = vec![NO_ID; u.len()];
    for (r, &id) in row_groups.iter().enumerate() {
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
fn permutation(n: usize, rng: &mut Rng) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i as u32) as usize;
        p.swap(i, j);
    }
    p
}

/// One uniform draw inside each slice `[rank/n, (rank+1)/n)`.
fn stratify(ranks: &[usize], rng: &mut Rng) -> Vec<f64> {
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
fn open_unit(rng: &mut Rng) -> f64 {
    (rng.random::<u64>() >> 11) as f64 * (1.0 / (1u64 << 53) as f64) + 0.5 / (1u64 << 53) as f64
}

/// The value at probability `u` of a quantile function (evenly spaced probabilities).
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
        let (logical, format, decimals) = col.recipe.output();
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
            written: col.written.clone(),
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
        dialect: plan.dialect.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_ranks_equal_a_full_sort() {
        let mut rng = Rng::seed_from_u64(5);
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
