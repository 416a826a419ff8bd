//! plan: `compile(spec)` checks a spec completely and turns it into a [`Plan`], the
//! only thing the generator runs.
//!
//! Every problem is collected (not just the first), each with the JSON path of the
//! offending field, what was expected and what to try, because the reader may be a
//! person fixing a spec by hand or the relay asking the LLM for a corrected one.
//! A correlation matrix that is not positive definite is not an error: it is shrunk
//! towards the identity until it is, and the plan says by how much.

mod given;

pub(crate) use given::{Given, GroupDraw, NO_ID, RowGroups};

use crate::datetime_text::parse_iso;
use crate::kinds::{Datetime, derived};
pub(crate) use crate::kinds::{Derived, Gen};
use crate::spec::{Bound, Constraint, Dialect, Generator, SPEC_VERSION, Spec, Weighted};
use serde::Serialize;
use std::fmt;

/// Most columns a spec may have.
pub const MAX_COLUMNS: usize = 4_096;
/// Most quantiles, values or shapes in one column.
pub const MAX_LIST: usize = 100_000;
/// Longest pattern shape, in characters.
pub const MAX_SHAPE_LEN: usize = 256;
/// Most columns in the copula: its Cholesky factor is m² numbers and m³/3 steps.
pub const MAX_COPULA_COLUMNS: usize = 1_024;
/// Most weights all `by` groups and fixed combinations of a spec may expand to
/// (groups × labels, first labels × second labels), checked before any is built: two
/// 100,000-label columns in one pair would otherwise ask for 10^10.
pub const MAX_GROUP_WEIGHTS: u64 = 10_000_000;

/// One problem in a spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// JSON path of the field (`$.columns[2].generator.quantiles`).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What was expected.
    pub expected: String,
    /// What to try.
    pub hint: String,
}

/// Every problem found in a spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the spec has {} problem(s):", self.0.len())?;
        for p in &self.0 {
            writeln!(
                f,
                "  {}: {} (expected {}; {})",
                p.path, p.message, p.expected, p.hint
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

impl From<Problems> for crate::error::Error {
    fn from(p: Problems) -> Self {
        let path = p.0.first().map(|x| x.path.clone()).unwrap_or_default();
        crate::error::Error::new(
            crate::error::ErrorKind::InvalidDocument,
            p.to_string().trim_end().to_string(),
        )
        .at_path(path)
    }
}

/// A checked spec, ready to generate from.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Rows when the caller does not say.
    pub default_rows: u64,
    pub(crate) columns: Vec<PlannedColumn>,
    /// Lower-triangular Cholesky factor of the (repaired) copula correlation.
    pub(crate) cholesky: Vec<Vec<f64>>,
    /// `(low, high)` column indices.
    pub(crate) ordered: Vec<(usize, usize)>,
    /// `(column, min, max)`, in the column's unit (days or µs for datetimes).
    pub(crate) ranges: Vec<(usize, f64, f64)>,
    /// Columns with a `by`, in an order where every `by` column comes first.
    pub(crate) given_order: Vec<usize>,
    /// Derived columns, in an order where every derived input comes first.
    pub(crate) derived_order: Vec<usize>,
    /// How many null groups there are.
    pub(crate) null_groups: usize,
    /// The spec's CSV/TSV dialect.
    pub dialect: Option<Dialect>,
    /// Repairs made while compiling.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct PlannedColumn {
    pub name: String,
    /// How values are written in text output.
    pub written: crate::written::Written,
    pub null_rate: f64,
    /// Index into the copula's normal vector, when the column is in the copula.
    pub copula_slot: Option<usize>,
    pub recipe: Gen,
    /// Drawn within the groups of another column.
    pub given: Option<Given>,
    /// Missing together with the other columns of this null group.
    pub null_group: Option<usize>,
}

/// Cumulative weights over choices, normalised to end at 1.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub cumulative: Vec<f64>,
}

impl Choice {
    pub(crate) fn new(weights: impl Iterator<Item = f64>) -> Self {
        let mut acc = 0.0;
        let mut cumulative: Vec<f64> = weights
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        if acc > 0.0 {
            cumulative.iter_mut().for_each(|c| *c /= acc);
        }
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        Choice { cumulative }
    }
    /// The normalised weights back.
    pub fn weights(&self) -> Vec<f64> {
        let mut prev = 0.0;
        self.cumulative
            .iter()
            .map(|&c| {
                let w = c - prev;
                prev = c;
                w
            })
            .collect()
    }
    /// The choice at probability `u` in [0, 1).
    pub fn pick(&self, u: f64) -> usize {
        self.cumulative
            .partition_point(|c| *c <= u)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

pub(crate) struct Checker {
    pub(crate) problems: Vec<Problem>,
    /// Weights the `by` groups and fixed combinations resolved so far expand to.
    pub(crate) group_weights: u64,
}

impl Checker {
    /// Books `n` more group weights; false (and a problem) past [`MAX_GROUP_WEIGHTS`].
    pub(crate) fn spend_group_weights(&mut self, path: String, n: u64, what: &str) -> bool {
        self.group_weights = self.group_weights.saturating_add(n);
        if self.group_weights > MAX_GROUP_WEIGHTS {
            self.fail(
                path,
                format!(
                    "{what} expand to {n} weights ({} in the spec so far)",
                    self.group_weights
                ),
                &format!("at most {MAX_GROUP_WEIGHTS} weights over all groups and combinations"),
                "group by a column with fewer values, or keep fewer values per group",
            );
            return false;
        }
        true
    }

    pub(crate) fn fail(
        &mut self,
        path: String,
        message: impl Into<String>,
        expected: &str,
        hint: &str,
    ) {
        self.problems.push(Problem {
            path,
            message: message.into(),
            expected: expected.to_string(),
            hint: hint.to_string(),
        });
    }

    pub(crate) fn weights<T>(&mut self, path: &str, items: &[Weighted<T>], allow_empty: bool) {
        if items.is_empty() && !allow_empty {
            self.fail(
                path.to_string(),
                "no values",
                "at least one value with a weight",
                "list the values to draw from",
            );
        }
        if items.len() > MAX_LIST {
            self.fail(
                path.to_string(),
                format!("{} values", items.len()),
                &format!("at most {MAX_LIST}"),
                "keep the most frequent values and put the rest in other_share",
            );
        }
        for (i, w) in items.iter().enumerate() {
            if !(w.weight.is_finite() && w.weight >= 0.0) {
                self.fail(
                    format!("{path}[{i}].weight"),
                    format!("weight {}", w.weight),
                    "a finite number ≥ 0",
                    "use shares or counts",
                );
            }
        }
        let total: f64 = items.iter().map(|w| w.weight).sum();
        if !items.is_empty() && total <= 0.0 {
            self.fail(
                path.to_string(),
                format!("the weights add up to {total}"),
                "a positive total weight",
                "give at least one value a weight above 0",
            );
        }
    }

    pub(crate) fn shapes(&mut self, path: &str, items: &[Weighted<String>]) {
        for (i, s) in items.iter().enumerate() {
            let n = s.value.chars().count();
            if n == 0 || n > MAX_SHAPE_LEN {
                self.fail(
                    format!("{path}[{i}].value"),
                    format!("a shape of {n} characters"),
                    &format!("1 to {MAX_SHAPE_LEN} characters"),
                    "use A for a capital, a for a small letter, 9 for a digit",
                );
            }
        }
    }
}

/// Checks a spec and compiles it into a plan, or lists every problem.
pub fn compile(spec: &Spec) -> Result<Plan, Problems> {
    let mut c = Checker {
        problems: Vec::new(),
        group_weights: 0,
    };
    if spec.version != SPEC_VERSION {
        c.fail(
            "$.version".into(),
            format!("version {}", spec.version),
            &SPEC_VERSION.to_string(),
            "write specs for this version",
        );
    }
    if spec.columns.is_empty() || spec.columns.len() > MAX_COLUMNS {
        c.fail(
            "$.columns".into(),
            format!("{} columns", spec.columns.len()),
            &format!("1 to {MAX_COLUMNS} columns"),
            "describe every output column once",
        );
    }
    let index_of = |name: &str| spec.columns.iter().position(|col| col.name == name);
    let mut columns = Vec::with_capacity(spec.columns.len());
    for (i, col) in spec.columns.iter().enumerate() {
        let path = format!("$.columns[{i}]");
        if col.name.trim().is_empty() {
            c.fail(
                format!("{path}.name"),
                "an empty name",
                "a column name",
                "name every column",
            );
        }
        if index_of(&col.name) != Some(i) {
            c.fail(
                format!("{path}.name"),
                format!("{:?} is used by an earlier column", col.name),
                "unique column names",
                "rename or remove the duplicate",
            );
        }
        if !(0.0..=1.0).contains(&col.null_rate) {
            c.fail(
                format!("{path}.null_rate"),
                format!("null_rate {}", col.null_rate),
                "a share in 0..=1",
                "0 means never missing",
            );
        }
        for problem in col.written.problems() {
            c.fail(
                format!("{path}.written"),
                problem,
                "symbols, words and tokens from the lists in the spec's schema",
                "leave `written` out to write values plainly",
            );
        }
        let g = format!("{path}.generator");
        let recipe = crate::kinds::compile(&mut c, &g, &col.generator);
        columns.push(PlannedColumn {
            written: col.written.clone(),
            name: col.name.clone(),
            null_rate: col.null_rate.clamp(0.0, 1.0),
            copula_slot: None,
            recipe,
            given: None,
            null_group: None,
        });
    }

    let derived_order = derived::order(&mut c, spec);
    for &i in &derived_order {
        if let Generator::Derived { derivation } = &spec.columns[i].generator {
            let path = format!("$.columns[{i}].generator.derivation");
            if let Some(d) = derived::resolve(&mut c, &path, derivation, spec, &columns) {
                columns[i].recipe = Gen::Derived(d);
            }
        }
    }

    let given_order = given::resolve(&mut c, spec, &mut columns);
    let null_groups = given::null_groups(&mut c, spec, &mut columns);

    let (cholesky, warnings) = copula(&mut c, spec, &mut columns);
    let (ordered, ranges) = constraints(&mut c, spec, &columns);
    if let Some(d) = &spec.dialect
        && !Dialect::DELIMITERS.contains(&d.delimiter)
    {
        c.fail(
            "$.dialect.delimiter".into(),
            format!("{:?}", d.delimiter),
            "one of , ; | or a tab",
            "leave `dialect` out for a comma",
        );
    }

    if !c.problems.is_empty() {
        return Err(Problems(c.problems));
    }
    Ok(Plan {
        default_rows: spec.default_rows,
        columns,
        cholesky,
        ordered,
        ranges,
        given_order,
        derived_order,
        null_groups,
        dialect: spec.dialect.clone(),
        warnings,
    })
}

/// The copula block: its columns (each once, each with an order or weights) and the
/// Cholesky factor of its correlation, repaired towards the identity when it is not
/// positive definite (said in the warnings).
fn copula(
    c: &mut Checker,
    spec: &Spec,
    columns: &mut [PlannedColumn],
) -> (Vec<Vec<f64>>, Vec<String>) {
    let index_of = |name: &str| spec.columns.iter().position(|col| col.name == name);
    let mut warnings = Vec::new();
    let mut cholesky = Vec::new();
    if let Some(cop) = &spec.copula
        && cop.columns.len() > MAX_COPULA_COLUMNS
    {
        c.fail(
            "$.copula.columns".into(),
            format!("{} columns", cop.columns.len()),
            &format!("at most {MAX_COPULA_COLUMNS} columns"),
            "keep the most correlated columns in the copula",
        );
    } else if let Some(cop) = &spec.copula {
        let m = cop.columns.len();
        for (k, name) in cop.columns.iter().enumerate() {
            let path = format!("$.copula.columns[{k}]");
            match index_of(name) {
                None => c.fail(
                    path,
                    format!("no column named {name:?}"),
                    "the name of a column in $.columns",
                    "check the spelling",
                ),
                Some(i) => {
                    let copulable = columns[i].recipe.in_copula();
                    if !copulable {
                        c.fail(
                            path,
                            format!("{name:?} is not numeric, datetime, categorical or boolean"),
                            "a column whose values have an order or weights",
                            "leave keys, patterns and made-up values out of the copula",
                        );
                    } else if columns[i].copula_slot.is_some() {
                        c.fail(
                            path,
                            format!("{name:?} is listed twice"),
                            "each column once",
                            "remove the duplicate",
                        );
                    } else {
                        columns[i].copula_slot = Some(k);
                    }
                }
            }
        }
        let square = cop.correlation.len() == m && cop.correlation.iter().all(|r| r.len() == m);
        if !square {
            c.fail(
                "$.copula.correlation".into(),
                "not a square matrix over the copula's columns".to_string(),
                &format!("{m} rows of {m} numbers"),
                "one row and one column per copula column, in the same order",
            );
        } else {
            for i in 0..m {
                for j in 0..m {
                    let v = cop.correlation[i][j];
                    let ok = v.is_finite()
                        && (-1.0..=1.0).contains(&v)
                        && (i != j || (v - 1.0).abs() < 1e-9)
                        && (v - cop.correlation[j][i]).abs() < 1e-9;
                    if !ok {
                        c.fail(
                            format!("$.copula.correlation[{i}][{j}]"),
                            format!("{v}"),
                            "a symmetric matrix of values in -1..=1 with 1 on the diagonal",
                            "mirror the matrix across its diagonal",
                        );
                    }
                }
            }
            if c.problems.is_empty() {
                let (l, shrink) = repaired_cholesky(&cop.correlation);
                // Released correlations are rounded, so a repair of a few percent is
                // expected and changes nothing a reader would see: say only more.
                if shrink >= NOTABLE_SHRINK {
                    warnings.push(format!(
                        "the correlations between columns did not fit together (as rounded or edited), so all of them were weakened by {:.0}% to make a consistent set",
                        shrink * 100.0
                    ));
                }
                cholesky = l;
            }
        }
    }
    (cholesky, warnings)
}

/// The constraints: ranges in each column's unit, ordered pairs of columns on one axis
/// (fixed combinations are resolved with the `by` groups, which they adjust).
#[allow(clippy::type_complexity)]
fn constraints(
    c: &mut Checker,
    spec: &Spec,
    columns: &[PlannedColumn],
) -> (Vec<(usize, usize)>, Vec<(usize, f64, f64)>) {
    let index_of = |name: &str| spec.columns.iter().position(|col| col.name == name);
    let mut ordered = Vec::new();
    let mut ranges = Vec::new();
    for (k, con) in spec.constraints.iter().enumerate() {
        match con {
            Constraint::Range { column, min, max } => {
                let path = format!("$.constraints[{k}]");
                if let Some(r) = range(c, &path, column, min, max, spec, columns) {
                    ranges.push(r);
                }
            }
            // Resolved with the `by`s, which it adjusts.
            Constraint::FixedCombinations { .. } => {}
            Constraint::Ordered { low, high } => {
                let path = format!("$.constraints[{k}]");
                match (index_of(low), index_of(high)) {
                    (Some(a), Some(b))
                        if a != b && same_axis(&columns[a].recipe, &columns[b].recipe) =>
                    {
                        ordered.push((a, b));
                    }
                    (Some(_), Some(_)) => c.fail(
                        path,
                        format!("{low:?} and {high:?} cannot be ordered"),
                        "two different numeric columns, or two datetime columns of one type",
                        "order columns that measure the same thing",
                    ),
                    _ => c.fail(
                        path,
                        format!("{low:?} or {high:?} is not a column"),
                        "names of columns in $.columns",
                        "check the spelling",
                    ),
                }
            }
        }
    }
    (ordered, ranges)
}

/// Resolves a range constraint into the column's unit.
fn range(
    c: &mut Checker,
    path: &str,
    column: &str,
    min: &Option<Bound>,
    max: &Option<Bound>,
    spec: &Spec,
    columns: &[PlannedColumn],
) -> Option<(usize, f64, f64)> {
    let Some(i) = spec.columns.iter().position(|col| col.name == column) else {
        c.fail(
            format!("{path}.column"),
            format!("no column named {column:?}"),
            "the name of a column in $.columns",
            "check the spelling",
        );
        return None;
    };
    let logical = match &columns[i].recipe {
        Gen::Numeric(_) | Gen::Derived(Derived::Arithmetic { .. }) => None,
        Gen::Datetime(Datetime { logical, .. })
        | Gen::Derived(Derived::DateOffset { logical, .. }) => Some(*logical),
        _ => {
            c.fail(
                format!("{path}.column"),
                format!("{column:?} is not numeric or datetime"),
                "a numeric or datetime column",
                "limit categories by listing only the allowed values",
            );
            return None;
        }
    };
    let mut value = |field: &str, b: &Option<Bound>, default: f64| -> Option<f64> {
        let v = match (b, logical) {
            (None, _) => Some(default),
            (Some(Bound::Number(x)), None) if x.is_finite() => Some(*x),
            (Some(Bound::Iso(s)), Some(l)) => parse_iso(s, l),
            _ => None,
        };
        if v.is_none() {
            c.fail(
                format!("{path}.{field}"),
                format!("{b:?} is not a bound for this column"),
                if logical.is_some() {
                    "an ISO 8601 value such as 2024-01-31"
                } else {
                    "a finite number"
                },
                "numbers bound numeric columns, ISO text bounds dates",
            );
        }
        v
    };
    let lo = value("min", min, f64::NEG_INFINITY);
    let hi = value("max", max, f64::INFINITY);
    let (lo, hi) = (lo?, hi?);
    if lo > hi {
        c.fail(
            path.to_string(),
            format!("min {lo} is above max {hi}"),
            "min ≤ max",
            "swap the bounds",
        );
        return None;
    }
    Some((i, lo, hi))
}

fn same_axis(a: &Gen, b: &Gen) -> bool {
    match (a, b) {
        (Gen::Numeric(_), Gen::Numeric(_)) => true,
        (
            Gen::Datetime(Datetime { logical: x, .. }),
            Gen::Datetime(Datetime { logical: y, .. }),
        ) => x == y,
        (
            Gen::Derived(Derived::DateOffset { logical: x, .. }),
            Gen::Datetime(Datetime { logical: y, .. }),
        )
        | (
            Gen::Datetime(Datetime { logical: y, .. }),
            Gen::Derived(Derived::DateOffset { logical: x, .. }),
        ) => x == y,
        _ => false,
    }
}

/// The repair of the copula's correlation worth a warning (rounding needs less).
const NOTABLE_SHRINK: f64 = 0.05;

/// Cholesky factor of `r`, shrinking `r` towards the identity (`(1 − λ)r + λI`) until
/// it is positive definite; returns the factor and λ.
fn repaired_cholesky(r: &[Vec<f64>]) -> (Vec<Vec<f64>>, f64) {
    let mut lambda = 0.0;
    loop {
        let m: Vec<Vec<f64>> = r
            .iter()
            .enumerate()
            .map(|(i, row)| {
                row.iter()
                    .enumerate()
                    .map(|(j, v)| (1.0 - lambda) * v + if i == j { lambda } else { 0.0 })
                    .collect()
            })
            .collect();
        if let Some(l) = cholesky(&m) {
            return (l, lambda);
        }
        lambda = if lambda == 0.0 {
            0.01
        } else {
            (lambda * 1.5).min(1.0)
        };
    }
}

fn cholesky(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = m[i][i] - s;
                if d <= 1e-10 {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (m[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_indefinite_matrix_is_repaired() {
        // Pairwise plausible, jointly impossible.
        let r = vec![
            vec![1.0, 0.9, -0.9],
            vec![0.9, 1.0, 0.9],
            vec![-0.9, 0.9, 1.0],
        ];
        let (l, lambda) = repaired_cholesky(&r);
        assert!(lambda > 0.0 && lambda < 1.0, "{lambda}");
        assert_eq!(l.len(), 3);
        let (_, none) = repaired_cholesky(&[vec![1.0, 0.5], vec![0.5, 1.0]]);
        assert_eq!(none, 0.0);
    }

    #[test]
    fn choices_follow_weights() {
        let c = Choice::new([1.0, 3.0].into_iter());
        assert_eq!(c.pick(0.0), 0);
        assert_eq!(c.pick(0.249), 0);
        assert_eq!(c.pick(0.25), 1);
        assert_eq!(c.pick(0.999), 1);
    }
}
