//! profile: table → full local profile.
//!
//! The profile holds real values (top categories, extremes) and must never leave the
//! machine; [`crate::guard`] reduces it to the SafeProfile. Statistics come from
//! mergeable accumulators ([`ProfileBuilder`]): chunks and workers each add their rows
//! and the builders merge in chunk order, and every statistic is computed from sorted
//! or counted data at the end, so the result does not depend on how rows were split.

pub(crate) mod bins;
mod columns;
mod dependence;
mod offsets;
mod relations;
pub mod semantic;
mod stats;

pub use crate::vocabulary::{ColumnKind, Granularity, NumberEncoding};
pub use dependence::{
    Conditional, ConditionalGroup, DETERMINED, GroupTarget, MAX_BY_VALUES, MAX_KEY_VALUES,
    NullGroup,
};
pub use offsets::Offset;
pub use relations::{Correlations, OrderedPair, Rule};
pub use semantic::{Semantic, SemanticType};
pub use stats::{Histogram, shape};

use crate::error::{Error, ErrorKind, Result};
use crate::table::{ColumnInfo, FileFormat, LogicalType, Table};
use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{
    DataType, Date32Type, Float64Type, Int64Type, Time64MicrosecondType, TimestampMicrosecondType,
};
use chrono::{DateTime, Datelike, Timelike};
use serde::Serialize;
/// A hash map with a fast, fixed-seed hasher: profiling hashes every text value, and
/// SipHash's DoS resistance buys nothing on a local file.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// Knobs of profiling.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileOptions {
    /// Quantile points, evenly spaced from 0 to 1 (default 101: every percentile).
    pub quantile_points: usize,
    /// Histogram bins (default 20).
    pub histogram_bins: usize,
    /// Category values listed at most (default 5,000; the rest are counted).
    pub max_categories: usize,
    /// Values at each end kept as `smallest` / `largest` (default 10); the histogram
    /// spans the range between the ends' last values, so no single extreme sets it.
    pub tail: usize,
    /// Rows used for correlations and rules (default 50,000, spread evenly).
    pub relation_rows: usize,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            quantile_points: 101,
            histogram_bins: 20,
            max_categories: 5000,
            tail: 10,
            relation_rows: 50_000,
        }
    }
}

/// A value and how often it occurs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueCount {
    /// The value, as text.
    pub value: String,
    /// Occurrences in the sample.
    pub count: u64,
}

/// Distribution of a numeric or temporal column (temporal in seconds since 1970, or
/// since midnight for times).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericStats {
    /// Values these figures are over (present, finite).
    pub count: u64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub std: f64,
    /// Sample skewness.
    pub skew: f64,
    /// Evenly spaced quantiles from 0 to 1.
    pub quantiles: Vec<f64>,
    /// Histogram between the `tail`-th smallest and largest values; empty when there
    /// are fewer than 2 × `tail` values (its edges would be the true extremes).
    pub histogram: Histogram,
    /// The `tail` smallest values, ascending.
    pub smallest: Vec<f64>,
    /// The `tail` largest values, ascending.
    pub largest: Vec<f64>,
    /// Values that repeat, most frequent first (point masses such as zeros).
    pub modes: Vec<(f64, u64)>,
    /// Every value is a whole number.
    pub integral: bool,
    /// What the numbers stand for, when every one is a clock time or a date.
    pub encoding: Option<NumberEncoding>,
    /// Exact counts over fixed, data-independent bins (`bins::Binning` of the column's
    /// type), non-empty bins only, in bin order: what differential privacy noises.
    pub fine: Vec<(i32, u64)>,
}

/// Calendar structure of a temporal column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatetimeStats {
    /// The coarsest unit every value is a whole multiple of.
    pub granularity: Granularity,
    /// Values per weekday, Monday first.
    pub weekday_counts: Vec<u64>,
    /// Values per month, January first.
    pub month_counts: Vec<u64>,
    /// Values per hour of day (datetimes and times).
    pub hour_counts: Option<Vec<u64>>,
}

/// Lengths and shapes of text values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StringStats {
    /// Shortest value, in characters.
    pub min_len: u64,
    /// Longest value, in characters.
    pub max_len: u64,
    /// Mean length.
    pub mean_len: f64,
    /// Length quantiles at 0, 0.1, ..., 1.
    pub length_quantiles: Vec<f64>,
    /// Mean words per value.
    pub mean_words: f64,
    /// Character-class shapes, most frequent first (at most 20).
    pub shapes: Vec<ValueCount>,
    /// Distinct shapes.
    pub distinct_shapes: u64,
    /// Values these figures are over (the present values profiled): the denominator
    /// of a shape's share.
    pub values: u64,
    /// Values per length in characters (lengths over 256 count as 256), non-empty
    /// lengths only: what differential privacy noises.
    pub length_counts: Vec<(u32, u64)>,
}

/// Everything known about one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// Inferred type.
    pub logical: LogicalType,
    /// What the column is.
    pub kind: ColumnKind,
    /// Personal or identifying content, if detected.
    pub semantic: Option<Semantic>,
    /// Datetime format of the input.
    pub format: Option<String>,
    /// Decimal digits of the input.
    pub decimals: Option<u8>,
    /// How numbers, booleans and missing values were written.
    pub written: crate::written::Written,
    /// Missing values over the whole file.
    pub null_count: u64,
    /// `null_count / rows`.
    pub null_rate: f64,
    /// Distinct values in the sample.
    pub distinct: u64,
    /// Every present value in the sample is distinct.
    pub unique: bool,
    /// Numbers and temporal values.
    pub numeric: Option<NumericStats>,
    /// Temporal calendar structure.
    pub datetime: Option<DatetimeStats>,
    /// Text (and boolean) values with counts, most frequent first.
    pub top_values: Vec<ValueCount>,
    /// Distinct values not listed in `top_values`.
    pub other_distinct: u64,
    /// Text lengths and shapes.
    pub strings: Option<StringStats>,
}

/// The full local profile of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// Source format.
    pub format: FileFormat,
    /// Rows in the whole file.
    pub row_count: u64,
    /// Rows profiled.
    pub sampled_rows: u64,
    /// Columns in order.
    pub columns: Vec<ColumnProfile>,
    /// Gaussian-copula correlations, from Spearman's ρ as 2·sin(πρ/6).
    pub correlations: Correlations,
    /// Columns whose values are unique and never missing.
    pub candidate_keys: Vec<Vec<String>>,
    /// Column pairs with `low ≤ high` on every row.
    pub ordered_pairs: Vec<OrderedPair>,
    /// Exact relations between columns.
    pub rules: Vec<Rule>,
    /// Columns missing on the same rows.
    pub null_groups: Vec<NullGroup>,
    /// Columns whose distribution depends on a categorical column's value.
    pub conditionals: Vec<Conditional>,
    /// Numbers that follow other numbers (`target = from + offset`).
    pub offsets: Vec<Offset>,
    /// A delimited source's dialect.
    pub dialect: Option<crate::written::Dialect>,
}

/// Profiles a table with the default options.
pub fn profile(table: &Table) -> Profile {
    profile_with(table, &ProfileOptions::default())
}

/// Profiles a table.
pub fn profile_with(table: &Table, options: &ProfileOptions) -> Profile {
    let mut b = ProfileBuilder::new(&table.columns);
    b.add_batch(&table.batch);
    b.finish(table, options)
}

/// One column's values, row-aligned, as an accumulator.
#[derive(Debug, Clone)]
enum Values {
    /// Numbers, or temporal values in seconds.
    Number(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Text {
        ids: Vec<Option<u32>>,
        dict: Vec<String>,
        index: HashMap<String, u32>,
    },
    Null(usize),
}

impl Values {
    /// What the column holds, for messages.
    fn kind(&self) -> &'static str {
        match self {
            Values::Number(_) => "numbers",
            Values::Bool(_) => "true/false values",
            Values::Text { .. } => "text",
            Values::Null(_) => "no values",
        }
    }

    fn len(&self) -> usize {
        match self {
            Values::Number(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Text { ids, .. } => ids.len(),
            Values::Null(n) => *n,
        }
    }
}

/// Mergeable profiling state: add batches, merge builders of other chunks in order,
/// then finish.
#[derive(Debug, Clone)]
pub struct ProfileBuilder {
    columns: Vec<Values>,
}

impl ProfileBuilder {
    /// An empty builder for these columns.
    pub fn new(columns: &[ColumnInfo]) -> Self {
        ProfileBuilder {
            columns: columns
                .iter()
                .map(|c| match c.logical {
                    LogicalType::Null => Values::Null(0),
                    LogicalType::Boolean => Values::Bool(Vec::new()),
                    LogicalType::Text => Values::Text {
                        ids: Vec::new(),
                        dict: Vec::new(),
                        index: HashMap::default(),
                    },
                    _ => Values::Number(Vec::new()),
                })
                .collect(),
        }
    }

    /// Adds the rows of a batch with the table's schema.
    pub fn add_batch(&mut self, batch: &RecordBatch) {
        for (acc, array) in self.columns.iter_mut().zip(batch.columns()) {
            add_array(acc, array);
        }
    }

    /// Appends another chunk's state (rows after this builder's rows). Both must come
    /// from [`ProfileBuilder::new`] with the same columns; builders of different tables
    /// are an error, and the builder is consumed so no half-merged state survives it.
    pub fn merge(mut self, other: ProfileBuilder) -> Result<ProfileBuilder> {
        let mismatch = |what: String| {
            Error::new(
                ErrorKind::InvalidDocument,
                format!("cannot merge the profiles of two different tables: {what}"),
            )
        };
        if self.columns.len() != other.columns.len() {
            return Err(mismatch(format!(
                "{} columns against {}",
                self.columns.len(),
                other.columns.len()
            )));
        }
        for (i, (a, b)) in self.columns.iter_mut().zip(other.columns).enumerate() {
            match (a, b) {
                (Values::Number(a), Values::Number(b)) => a.extend(b),
                (Values::Bool(a), Values::Bool(b)) => a.extend(b),
                (Values::Null(a), Values::Null(b)) => *a += b,
                (
                    Values::Text { ids, dict, index },
                    Values::Text {
                        ids: bids,
                        dict: bdict,
                        ..
                    },
                ) => {
                    let remap: Vec<u32> =
                        bdict.into_iter().map(|s| intern(dict, index, s)).collect();
                    ids.extend(bids.into_iter().map(|id| id.map(|i| remap[i as usize])));
                }
                (a, b) => {
                    return Err(mismatch(format!(
                        "column {} holds {} in one and {} in the other",
                        i + 1,
                        a.kind(),
                        b.kind()
                    )));
                }
            }
        }
        Ok(self)
    }

    /// Computes the profile. `table` gives the column facts and exact row count.
    pub fn finish(self, table: &Table, options: &ProfileOptions) -> Profile {
        let sampled = self.columns.first().map_or(0, Values::len) as u64;
        let mut columns = Vec::with_capacity(self.columns.len());
        for (info, values) in table.columns.iter().zip(&self.columns) {
            columns.push(column_profile(info, values, table.total_rows, options));
        }
        let rel = relations::analyse(&columns, &self.columns_view(), options);
        Profile {
            format: table.format,
            row_count: table.total_rows,
            sampled_rows: sampled,
            columns,
            correlations: rel.correlations,
            candidate_keys: rel.candidate_keys,
            ordered_pairs: rel.ordered_pairs,
            rules: rel.rules,
            null_groups: rel.null_groups,
            conditionals: rel.conditionals,
            offsets: rel.offsets,
            dialect: table.dialect.clone(),
        }
    }

    fn columns_view(&self) -> Vec<columns::ColumnValues<'_>> {
        self.columns
            .iter()
            .map(|v| match v {
                Values::Number(x) => columns::ColumnValues::Number(x),
                Values::Bool(x) => columns::ColumnValues::Bool(x),
                Values::Text { ids, dict, .. } => columns::ColumnValues::Text(ids, dict),
                Values::Null(_) => columns::ColumnValues::None,
            })
            .collect()
    }
}

fn intern(dict: &mut Vec<String>, index: &mut HashMap<String, u32>, s: String) -> u32 {
    if let Some(&i) = index.get(&s) {
        return i;
    }
    let i = dict.len() as u32;
    index.insert(s.clone(), i);
    dict.push(s);
    i
}

fn add_array(acc: &mut Values, array: &ArrayRef) {
    let n = array.len();
    let valid = |i: usize| array.is_valid(i);
    match acc {
        Values::Null(c) => *c += n,
        Values::Bool(v) => {
            let a = array.as_boolean();
            v.extend((0..n).map(|i| valid(i).then(|| a.value(i))));
        }
        Values::Text { ids, dict, index } => {
            let a = array.as_string::<i32>();
            ids.reserve(n);
            for i in 0..n {
                ids.push(valid(i).then(|| {
                    let s = a.value(i);
                    match index.get(s) {
                        Some(&id) => id,
                        None => intern(dict, index, s.to_string()),
                    }
                }));
            }
        }
        Values::Number(v) => {
            v.reserve(n);
            match array.data_type() {
                DataType::Int64 => {
                    let a = array.as_primitive::<Int64Type>();
                    extend_numbers(v, a, |x| x as f64);
                }
                DataType::Float64 => {
                    let a = array.as_primitive::<Float64Type>();
                    let start = v.len();
                    extend_numbers(v, a, |x| x);
                    for x in &mut v[start..] {
                        *x = x.filter(|x| x.is_finite());
                    }
                }
                DataType::Date32 => {
                    let a = array.as_primitive::<Date32Type>();
                    extend_numbers(v, a, |d| f64::from(d) * 86_400.0);
                }
                DataType::Timestamp(..) => {
                    let a = array.as_primitive::<TimestampMicrosecondType>();
                    extend_numbers(v, a, |us| us as f64 / 1e6);
                }
                DataType::Time64(_) => {
                    let a = array.as_primitive::<Time64MicrosecondType>();
                    extend_numbers(v, a, |us| us as f64 / 1e6);
                }
                _ => v.extend(std::iter::repeat_n(None, n)),
            }
        }
    }
}

/// Appends a primitive array's values as numbers, reading its null mask directly (a
/// call through `dyn Array` per value was most of the time it took).
fn extend_numbers<T: arrow::datatypes::ArrowPrimitiveType>(
    v: &mut Vec<Option<f64>>,
    a: &arrow::array::PrimitiveArray<T>,
    to_f64: impl Fn(T::Native) -> f64,
) {
    match a.nulls() {
        None => v.extend(a.values().iter().map(|&x| Some(to_f64(x)))),
        Some(nulls) => v.extend(
            a.values()
                .iter()
                .zip(nulls.iter())
                .map(|(&x, valid)| valid.then(|| to_f64(x))),
        ),
    }
}

fn top_counts(counts: &[(String, u64)], max: usize) -> (Vec<ValueCount>, u64) {
    let mut sorted: Vec<&(String, u64)> = counts.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let listed = sorted
        .iter()
        .take(max)
        .map(|(v, c)| ValueCount {
            value: v.clone(),
            count: *c,
        })
        .collect();
    (listed, sorted.len().saturating_sub(max) as u64)
}

fn column_profile(
    info: &ColumnInfo,
    values: &Values,
    total_rows: u64,
    o: &ProfileOptions,
) -> ColumnProfile {
    let mut p = ColumnProfile {
        name: info.name.clone(),
        logical: info.logical,
        kind: ColumnKind::Categorical,
        semantic: None,
        format: info.format.clone(),
        decimals: info.decimals,
        written: info.written.clone(),
        null_count: info.null_count,
        null_rate: if total_rows > 0 {
            info.null_count as f64 / total_rows as f64
        } else {
            0.0
        },
        distinct: 0,
        unique: false,
        numeric: None,
        datetime: None,
        top_values: Vec::new(),
        other_distinct: 0,
        strings: None,
    };
    let mut sample_text: Vec<String> = Vec::new();
    let mut mean_words = 0.0;
    let present;
    match values {
        Values::Null(_) => {
            present = 0;
        }
        Values::Bool(v) => {
            let t = v.iter().filter(|x| **x == Some(true)).count() as u64;
            let f = v.iter().filter(|x| **x == Some(false)).count() as u64;
            present = t + f;
            p.distinct = u64::from(t > 0) + u64::from(f > 0);
            p.top_values = [("true", t), ("false", f)]
                .into_iter()
                .filter(|(_, c)| *c > 0)
                .map(|(v, c)| ValueCount {
                    value: v.into(),
                    count: c,
                })
                .collect();
            p.top_values.sort_by_key(|v| std::cmp::Reverse(v.count));
        }
        Values::Number(v) => {
            let present_values: Vec<f64> = v.iter().flatten().copied().collect();
            // Most columns repeat their values (years, codes, delays): what depends
            // only on a value is computed once per run of equal values.
            let runs = stats::Runs::of(&present_values);
            drop(present_values);
            present = runs.len() as u64;
            let distinct = runs.runs().len() as u64;
            let mut stats = numeric_stats(&runs, bins::Binning::of(info.logical), o);
            p.distinct = distinct;
            if let Some(s) = &mut stats
                && info.logical == LogicalType::Integer
            {
                let values: Vec<f64> = runs.runs().iter().map(|r| r.0).collect();
                s.encoding = NumberEncoding::detect(&values, distinct);
            }
            if info.logical.is_temporal() {
                p.datetime = Some(datetime_stats(runs.runs(), info.logical));
            } else {
                // Distinct values spread over the range, as text, for PII checks.
                let step = (runs.runs().len() / 300).max(1);
                sample_text = runs
                    .runs()
                    .iter()
                    .step_by(step)
                    .map(|(x, _)| format!("{x}"))
                    .collect();
            }
            p.numeric = stats;
        }
        Values::Text { ids, dict, .. } => {
            let mut counts = vec![0u64; dict.len()];
            for id in ids.iter().flatten() {
                counts[*id as usize] += 1;
            }
            present = counts.iter().sum();
            let pairs: Vec<(String, u64)> = dict
                .iter()
                .cloned()
                .zip(counts.iter().copied())
                .filter(|(_, c)| *c > 0)
                .collect();
            p.distinct = pairs.len() as u64;
            let (top, other) = top_counts(&pairs, o.max_categories);
            p.top_values = top;
            p.other_distinct = other;
            let strings = string_stats(&pairs);
            mean_words = strings.mean_words;
            p.strings = Some(strings);
            // A spread sample of distinct values, in sorted order so it is deterministic.
            let mut distinct: Vec<&str> = pairs.iter().map(|(s, _)| s.as_str()).collect();
            distinct.sort_unstable();
            let step = (distinct.len() / 500).max(1);
            sample_text = distinct
                .iter()
                .step_by(step)
                .map(|s| s.to_string())
                .collect();
        }
    }
    p.unique = present > 1 && p.distinct == present;
    let distinct_ratio = if present > 0 {
        p.distinct as f64 / present as f64
    } else {
        0.0
    };
    let refs: Vec<&str> = sample_text.iter().map(String::as_str).collect();
    p.semantic = semantic::detect(&semantic::Evidence {
        name: &info.name,
        logical: info.logical,
        values: &refs,
        distinct_ratio,
        mean_words,
    });
    p.kind = kind_of(&p, distinct_ratio, present);
    if p.kind == ColumnKind::Text && p.semantic.is_none() {
        p.semantic = Some(Semantic {
            kind: SemanticType::FreeText,
            confidence: 0.6,
        });
    }
    p
}

fn kind_of(p: &ColumnProfile, distinct_ratio: f64, present: u64) -> ColumnKind {
    use SemanticType::*;
    let sem = p.semantic.map(|s| s.kind);
    match p.logical {
        LogicalType::Boolean => ColumnKind::Boolean,
        LogicalType::Date | LogicalType::DateTime | LogicalType::Time => ColumnKind::Datetime,
        LogicalType::Null => ColumnKind::Categorical,
        LogicalType::Integer | LogicalType::Float => {
            let id_name = {
                let n = p.name.to_ascii_lowercase();
                n == "id"
                    || n.ends_with("_id")
                    || n.ends_with(" id")
                    || n.ends_with("number")
                    || n.ends_with("_no")
            };
            if matches!(
                sem,
                Some(Ssn | CreditCard | Phone | MedicalRecordNumber | AccountNumber | Iban)
            ) || (id_name && p.unique && p.logical == LogicalType::Integer)
            {
                ColumnKind::Identifier
            } else {
                ColumnKind::Numeric
            }
        }
        LogicalType::Text => {
            let mean_words = p.strings.as_ref().map_or(0.0, |s| s.mean_words);
            match sem {
                Some(
                    Email | Phone | Ssn | CreditCard | Iban | IpAddress | Url | Uuid
                    | MedicalRecordNumber | AccountNumber | PostalCode,
                ) => {
                    if sem == Some(PostalCode) && distinct_ratio < 0.5 {
                        ColumnKind::Categorical
                    } else {
                        ColumnKind::Identifier
                    }
                }
                Some(PersonName | StreetAddress | FreeText) => ColumnKind::Text,
                Some(FirstName | LastName | City) => {
                    if distinct_ratio >= 0.5 {
                        ColumnKind::Text
                    } else {
                        ColumnKind::Categorical
                    }
                }
                _ if present >= 20 && distinct_ratio >= 0.95 && mean_words < 1.5 => {
                    ColumnKind::Identifier
                }
                // Names of things (products, companies, airports), even mostly
                // distinct, are categories: named where k rows share one, made up from
                // their shapes elsewhere. Sentences were caught as FreeText above.
                _ => ColumnKind::Categorical,
            }
        }
    }
}

fn numeric_stats(
    runs: &stats::Runs,
    binning: bins::Binning,
    o: &ProfileOptions,
) -> Option<NumericStats> {
    if runs.is_empty() {
        return None;
    }
    let n = runs.len();
    let (mean, std, skew) = stats::moments(runs.values());
    let t = o.tail.min(n);
    // The histogram spans the tail-th values, never the extremes: with fewer than
    // 2 × tail values there is no such span, and no histogram.
    let span = (o.tail > 0 && n >= 2 * o.tail).then(|| (runs.at(o.tail - 1), runs.at(n - o.tail)));
    let mut modes: Vec<(f64, u64)> = runs
        .runs()
        .iter()
        .copied()
        .filter(|(_, c)| *c > 1)
        .collect();
    modes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.total_cmp(&b.0)));
    modes.truncate(20);
    Some(NumericStats {
        count: n as u64,
        min: runs.at(0),
        max: runs.at(n - 1),
        mean,
        std,
        skew,
        quantiles: runs.quantiles(o.quantile_points),
        histogram: span.map_or_else(Histogram::default, |(lo, hi)| {
            stats::histogram(runs.runs(), lo, hi, o.histogram_bins)
        }),
        smallest: runs.values().take(t).collect(),
        largest: runs.values().skip(n - t).collect(),
        modes,
        integral: runs.runs().iter().all(|(x, _)| x.fract() == 0.0),
        encoding: None,
        fine: fine_bins(runs.runs(), binning),
    })
}

/// Counts per fixed bin; the runs are sorted, so bins come in order.
fn fine_bins(runs: &[(f64, u64)], binning: bins::Binning) -> Vec<(i32, u64)> {
    let mut out: Vec<(i32, u64)> = Vec::new();
    for &(x, n) in runs {
        let b = binning.bin(x);
        match out.last_mut() {
            Some((last, c)) if *last == b => *c += n,
            _ => out.push((b, n)),
        }
    }
    out
}

/// Calendar profiles of temporal values given as runs of (seconds, count).
fn datetime_stats(runs: &[(f64, u64)], logical: LogicalType) -> DatetimeStats {
    let mut weekday = vec![0u64; 7];
    let mut month = vec![0u64; 12];
    let mut hour = vec![0u64; 24];
    let mut gran = Granularity::Year;
    for &(s, n) in runs {
        let micros = (s * 1e6).round() as i64;
        let g = if logical == LogicalType::Time {
            let secs = micros / 1_000_000;
            hour[((secs / 3600) % 24) as usize] += n;
            if micros % 1_000_000 != 0 {
                Granularity::Subsecond
            } else if secs % 60 != 0 {
                Granularity::Second
            } else if secs % 3600 != 0 {
                Granularity::Minute
            } else {
                Granularity::Hour
            }
        } else {
            let Some(dt) = DateTime::from_timestamp_micros(micros) else {
                continue;
            };
            let dt = dt.naive_utc();
            weekday[dt.weekday().num_days_from_monday() as usize] += n;
            month[dt.month0() as usize] += n;
            hour[dt.hour() as usize] += n;
            if micros % 1_000_000 != 0 {
                Granularity::Subsecond
            } else if dt.second() != 0 {
                Granularity::Second
            } else if dt.minute() != 0 {
                Granularity::Minute
            } else if dt.hour() != 0 {
                Granularity::Hour
            } else if dt.day() != 1 {
                Granularity::Day
            } else if dt.month() != 1 {
                Granularity::Month
            } else {
                Granularity::Year
            }
        };
        gran = gran.min(g);
    }
    let timed = logical != LogicalType::Date;
    DatetimeStats {
        granularity: gran,
        weekday_counts: if logical == LogicalType::Time {
            vec![]
        } else {
            weekday
        },
        month_counts: if logical == LogicalType::Time {
            vec![]
        } else {
            month
        },
        hour_counts: timed.then_some(hour),
    }
}

fn string_stats(pairs: &[(String, u64)]) -> StringStats {
    // (length, count) pairs: quantiles weighted by count, without one entry per row.
    let mut lens: Vec<(f64, u64)> = Vec::with_capacity(pairs.len());
    let mut total = 0u64;
    let mut words = 0.0;
    let mut shapes: HashMap<String, u64> = HashMap::default();
    for (s, c) in pairs {
        lens.push((s.chars().count() as f64, *c));
        total += c;
        words += s.split_whitespace().count() as f64 * *c as f64;
        *shapes.entry(shape(s)).or_default() += c;
    }
    lens.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut length_counts: Vec<(u32, u64)> = Vec::new();
    for &(l, c) in &lens {
        let l = (l as u32).min(256);
        match length_counts.last_mut() {
            Some((last, n)) if *last == l => *n += c,
            _ => length_counts.push((l, c)),
        }
    }
    let shape_pairs: Vec<(String, u64)> = shapes.into_iter().collect();
    let (top, other) = top_counts(&shape_pairs, 20);
    StringStats {
        min_len: lens.first().map_or(0, |l| l.0 as u64),
        max_len: lens.last().map_or(0, |l| l.0 as u64),
        mean_len: lens.iter().map(|(l, c)| l * *c as f64).sum::<f64>() / total.max(1) as f64,
        length_quantiles: stats::weighted_quantiles(&lens, 11),
        mean_words: words / total.max(1) as f64,
        distinct_shapes: top.len() as u64 + other,
        shapes: top,
        values: total,
        length_counts,
    }
}
