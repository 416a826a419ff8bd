//! plan: `compile(spec)` checks a spec completely and turns it into a [`Plan`], the
//! only thing the generator runs.
//!
//! Every problem is collected (not just the first), each with the JSON path of the
//! offending field, what was expected and what to try, because the reader may be a
//! person fixing a spec by hand or the relay asking the LLM for a corrected one.
//! A correlation matrix that is not positive definite is not an error: it is shrunk
//! towards the identity until it is, and the plan says by how much.

mod given;

pub(crate) use given::{Given, GroupDraw};

use crate::datetime_text::parse_iso;
use crate::spec::{
    Bound, Constraint, Derivation, Fake, Generator, SPEC_VERSION, Spec, Step, Weighted,
};
use crate::table::LogicalType;
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
    /// How many null groups there are.
    pub(crate) null_groups: usize,
    /// Repairs made while compiling.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct PlannedColumn {
    pub name: String,
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
    fn new(weights: impl Iterator<Item = f64>) -> Self {
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

#[derive(Debug, Clone)]
pub(crate) enum Gen {
    Categorical {
        labels: Vec<String>,
        /// Over the labels, then "other" last when `other_share` > 0.
        choice: Choice,
        has_other: bool,
        shapes: Option<(Vec<Vec<char>>, Choice)>,
    },
    Numeric {
        quantiles: Vec<f64>,
        masses: Vec<f64>,
        mass_choice: Option<(Choice, f64)>,
        decimals: u8,
        integer: bool,
        stepped: bool,
    },
    Boolean {
        p_true: f64,
    },
    /// Quantiles in the unit of `logical`: days (dates) or µs (datetimes, times).
    Datetime {
        quantiles: Vec<f64>,
        logical: LogicalType,
        format: String,
        step: Step,
    },
    Pattern {
        shapes: Vec<Vec<char>>,
        choice: Choice,
    },
    Semantic(Fake),
    Sequence {
        start: i64,
        step: i64,
    },
    Uuid,
    Derived(Derived),
}

/// A derived column with its inputs resolved to column indices.
#[derive(Debug, Clone)]
pub(crate) enum Derived {
    /// `op` is `+`, `-` or `*`; the result is rounded like the inputs.
    Arithmetic {
        op: char,
        left: usize,
        right: usize,
        decimals: u8,
        integer: bool,
    },
    /// Offsets in days; the result has the `from` column's type and format.
    DateOffset {
        from: usize,
        offset_days: Vec<f64>,
        logical: LogicalType,
        format: String,
    },
    EmailFromName {
        from: usize,
    },
}

struct Checker {
    problems: Vec<Problem>,
    /// Weights the `by` groups and fixed combinations resolved so far expand to.
    group_weights: u64,
}

impl Checker {
    /// Books `n` more group weights; false (and a problem) past [`MAX_GROUP_WEIGHTS`].
    fn spend_group_weights(&mut self, path: String, n: u64, what: &str) -> bool {
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

    fn fail(&mut self, path: String, message: impl Into<String>, expected: &str, hint: &str) {
        self.problems.push(Problem {
            path,
            message: message.into(),
            expected: expected.to_string(),
            hint: hint.to_string(),
        });
    }

    fn weights<T>(&mut self, path: &str, items: &[Weighted<T>], allow_empty: bool) {
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

    fn shapes(&mut self, path: &str, items: &[Weighted<String>]) {
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

fn shape_chars(items: &[Weighted<String>]) -> (Vec<Vec<char>>, Choice) {
    (
        items.iter().map(|s| s.value.chars().collect()).collect(),
        Choice::new(items.iter().map(|s| s.weight)),
    )
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
        let g = format!("{path}.generator");
        let recipe = match &col.generator {
            Generator::Categorical {
                values,
                other_share,
                other_shapes,
                by: _,
            } => {
                c.weights(&format!("{g}.values"), values, *other_share > 0.0);
                c.shapes(&format!("{g}.other_shapes"), other_shapes);
                if !(0.0..=1.0).contains(other_share) {
                    c.fail(
                        format!("{g}.other_share"),
                        format!("other_share {other_share}"),
                        "a share in 0..=1",
                        "0 means only the listed values",
                    );
                }
                if *other_share > 0.0 && other_shapes.is_empty() {
                    c.fail(
                        format!("{g}.other_shapes"),
                        "other_share > 0 but no shapes to make other values from",
                        "at least one shape",
                        "add shapes such as \"Aaaa\" or set other_share to 0",
                    );
                }
                let named: f64 = values.iter().map(|v| v.weight).sum();
                let has_other = *other_share > 0.0;
                let weights = values
                    .iter()
                    .map(|v| {
                        if named > 0.0 {
                            v.weight / named * (1.0 - other_share)
                        } else {
                            0.0
                        }
                    })
                    .chain(has_other.then_some(*other_share));
                Gen::Categorical {
                    labels: values.iter().map(|v| v.value.clone()).collect(),
                    choice: Choice::new(weights),
                    has_other,
                    shapes: (!other_shapes.is_empty()).then(|| shape_chars(other_shapes)),
                }
            }
            Generator::Numeric {
                quantiles,
                point_masses,
                decimals,
                integer,
                stepped,
                by: _,
            } => {
                if quantiles.len() < 2 || quantiles.len() > MAX_LIST {
                    c.fail(
                        format!("{g}.quantiles"),
                        format!("{} quantiles", quantiles.len()),
                        &format!("2 to {MAX_LIST} values"),
                        "give at least the minimum and the maximum",
                    );
                }
                if let Some(k) = quantiles.iter().position(|q| !q.is_finite()) {
                    c.fail(
                        format!("{g}.quantiles[{k}]"),
                        "not a finite number",
                        "finite numbers",
                        "remove infinities and NaN",
                    );
                }
                if let Some(k) = quantiles.windows(2).position(|w| w[1] < w[0]) {
                    c.fail(
                        format!("{g}.quantiles[{}]", k + 1),
                        format!("{} after {}", quantiles[k + 1], quantiles[k]),
                        "non-decreasing values",
                        "sort the quantiles",
                    );
                }
                c.weights(&format!("{g}.point_masses"), point_masses, true);
                let mass: f64 = point_masses.iter().map(|m| m.weight).sum();
                if mass > 1.0 + 1e-9 {
                    c.fail(
                        format!("{g}.point_masses"),
                        format!("shares sum to {mass}"),
                        "shares summing to at most 1",
                        "point mass weights are shares of rows",
                    );
                }
                if *decimals > 15 {
                    c.fail(
                        format!("{g}.decimals"),
                        format!("{decimals} decimals"),
                        "0 to 15",
                        "doubles hold about 15 significant digits",
                    );
                }
                Gen::Numeric {
                    quantiles: quantiles.clone(),
                    masses: point_masses.iter().map(|m| m.value).collect(),
                    mass_choice: (mass > 0.0).then(|| {
                        (
                            Choice::new(point_masses.iter().map(|m| m.weight)),
                            mass.min(1.0),
                        )
                    }),
                    decimals: *decimals,
                    integer: *integer,
                    stepped: *stepped,
                }
            }
            Generator::Boolean { p_true } => {
                if !(0.0..=1.0).contains(p_true) {
                    c.fail(
                        format!("{g}.p_true"),
                        format!("p_true {p_true}"),
                        "a share in 0..=1",
                        "the share of rows that are true",
                    );
                }
                Gen::Boolean { p_true: *p_true }
            }
            Generator::Datetime {
                quantiles,
                logical_type,
                format,
                granularity,
            } => {
                if !logical_type.is_temporal() {
                    c.fail(
                        format!("{g}.logical_type"),
                        format!("{logical_type:?}"),
                        "date, date_time or time",
                        "use numeric for numbers",
                    );
                }
                let parsed: Vec<Option<f64>> = quantiles
                    .iter()
                    .map(|q| parse_iso(q, *logical_type))
                    .collect();
                if let Some(k) = parsed.iter().position(Option::is_none) {
                    c.fail(
                        format!("{g}.quantiles[{k}]"),
                        format!("{:?} is not an ISO 8601 value", quantiles[k]),
                        "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or HH:MM:SS",
                        "write quantiles in ISO 8601 whatever the output format",
                    );
                }
                if quantiles.len() < 2 || quantiles.len() > MAX_LIST {
                    c.fail(
                        format!("{g}.quantiles"),
                        format!("{} quantiles", quantiles.len()),
                        &format!("2 to {MAX_LIST} values"),
                        "give at least the earliest and the latest value",
                    );
                }
                let values: Vec<f64> = parsed.into_iter().flatten().collect();
                if let Some(k) = values.windows(2).position(|w| w[1] < w[0]) {
                    c.fail(
                        format!("{g}.quantiles[{}]", k + 1),
                        "earlier than the value before it",
                        "non-decreasing values",
                        "sort the quantiles",
                    );
                }
                if crate::datetime_text::check_datetime_format(format).is_err() {
                    c.fail(
                        format!("{g}.format"),
                        format!("{format:?} is not a usable format"),
                        "a chrono pattern such as %Y-%m-%d, or epoch_s / epoch_ms",
                        "see https://docs.rs/chrono/latest/chrono/format/strftime",
                    );
                }
                Gen::Datetime {
                    quantiles: values,
                    logical: *logical_type,
                    format: format.clone(),
                    step: *granularity,
                }
            }
            Generator::Pattern { shapes } => {
                c.weights(&format!("{g}.shapes"), shapes, false);
                c.shapes(&format!("{g}.shapes"), shapes);
                let (shapes, choice) = shape_chars(shapes);
                Gen::Pattern { shapes, choice }
            }
            Generator::Semantic { semantic } => Gen::Semantic(*semantic),
            Generator::Sequence { start, step } => {
                if *step == 0 {
                    c.fail(
                        format!("{g}.step"),
                        "step 0",
                        "a non-zero step",
                        "use 1 for 1, 2, 3, ...",
                    );
                }
                Gen::Sequence {
                    start: *start,
                    step: *step,
                }
            }
            Generator::Uuid => Gen::Uuid,
            // Resolved below, once every column is known.
            Generator::Derived { .. } => Gen::Uuid,
        };
        columns.push(PlannedColumn {
            name: col.name.clone(),
            null_rate: col.null_rate.clamp(0.0, 1.0),
            copula_slot: None,
            recipe,
            given: None,
            null_group: None,
        });
    }

    for (i, col) in spec.columns.iter().enumerate() {
        if let Generator::Derived { derivation } = &col.generator {
            let path = format!("$.columns[{i}].generator.derivation");
            if let Some(d) = derive(&mut c, &path, derivation, spec, &columns) {
                columns[i].recipe = Gen::Derived(d);
            }
        }
    }

    let given_order = given::resolve(&mut c, spec, &mut columns);
    let null_groups = given::null_groups(&mut c, spec, &mut columns);

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
                    let copulable = matches!(
                        columns[i].recipe,
                        Gen::Numeric { .. }
                            | Gen::Datetime { .. }
                            | Gen::Categorical { .. }
                            | Gen::Boolean { .. }
                    );
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
                if shrink > 0.0 {
                    warnings.push(format!(
                        "the copula correlation was not positive definite; it was shrunk {:.0}% towards the identity",
                        shrink * 100.0
                    ));
                }
                cholesky = l;
            }
        }
    }

    let mut ordered = Vec::new();
    let mut ranges = Vec::new();
    for (k, con) in spec.constraints.iter().enumerate() {
        match con {
            Constraint::Range { column, min, max } => {
                let path = format!("$.constraints[{k}]");
                if let Some(r) = range(&mut c, &path, column, min, max, spec, &columns) {
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
        null_groups,
        warnings,
    })
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
        Gen::Numeric { .. } | Gen::Derived(Derived::Arithmetic { .. }) => None,
        Gen::Datetime { logical, .. } | Gen::Derived(Derived::DateOffset { logical, .. }) => {
            Some(*logical)
        }
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

/// Resolves a derivation's inputs: they must exist and not be derived themselves.
fn derive(
    c: &mut Checker,
    path: &str,
    d: &Derivation,
    spec: &Spec,
    columns: &[PlannedColumn],
) -> Option<Derived> {
    let mut input = |field: &str, name: &str| -> Option<usize> {
        let found = spec.columns.iter().position(|col| col.name == name);
        match found {
            Some(i) if !matches!(spec.columns[i].generator, Generator::Derived { .. }) => Some(i),
            Some(_) => {
                c.fail(
                    format!("{path}.{field}"),
                    format!("{name:?} is itself derived"),
                    "a column that is generated, not derived",
                    "derive from the generated columns directly",
                );
                None
            }
            None => {
                c.fail(
                    format!("{path}.{field}"),
                    format!("no column named {name:?}"),
                    "the name of a column in $.columns",
                    "check the spelling",
                );
                None
            }
        }
    };
    let number = |i: usize| match &columns[i].recipe {
        Gen::Numeric {
            decimals, integer, ..
        } => Some((*decimals, *integer)),
        Gen::Sequence { .. } => Some((0, true)),
        _ => None,
    };
    match d {
        Derivation::Add { left, right }
        | Derivation::Subtract { left, right }
        | Derivation::Multiply { left, right } => {
            let (l, r) = (input("left", left)?, input("right", right)?);
            let (Some((dl, il)), Some((dr, ir))) = (number(l), number(r)) else {
                c.fail(
                    path.to_string(),
                    format!("{left:?} and {right:?} must both be numbers"),
                    "numeric or sequence columns",
                    "use date_offset for dates",
                );
                return None;
            };
            let (op, decimals) = match d {
                Derivation::Add { .. } => ('+', dl.max(dr)),
                Derivation::Subtract { .. } => ('-', dl.max(dr)),
                _ => ('*', (dl + dr).min(15)),
            };
            Some(Derived::Arithmetic {
                op,
                left: l,
                right: r,
                decimals,
                integer: il && ir,
            })
        }
        Derivation::DateOffset { from, offset_days } => {
            let f = input("from", from)?;
            let Gen::Datetime {
                logical, format, ..
            } = &columns[f].recipe
            else {
                c.fail(
                    format!("{path}.from"),
                    format!("{from:?} is not a date or datetime column"),
                    "a datetime column",
                    "offsets apply to dates",
                );
                return None;
            };
            let sorted = offset_days.windows(2).all(|w| w[0] <= w[1]);
            if offset_days.len() < 2 || !sorted || offset_days.iter().any(|x| !x.is_finite()) {
                c.fail(
                    format!("{path}.offset_days"),
                    "not a usable quantile function".to_string(),
                    "at least 2 finite, non-decreasing numbers of days",
                    "give at least the smallest and the largest offset",
                );
                return None;
            }
            Some(Derived::DateOffset {
                from: f,
                offset_days: offset_days.clone(),
                logical: *logical,
                format: format.clone(),
            })
        }
        Derivation::EmailFromName { from } => {
            let f = input("from", from)?;
            if crate::generate::output(&columns[f].recipe).0 != LogicalType::Text {
                c.fail(
                    format!("{path}.from"),
                    format!("{from:?} does not make text"),
                    "a column of names (semantic, categorical or pattern)",
                    "derive emails from a person-name column",
                );
                return None;
            }
            Some(Derived::EmailFromName { from: f })
        }
    }
}

fn same_axis(a: &Gen, b: &Gen) -> bool {
    match (a, b) {
        (Gen::Numeric { .. }, Gen::Numeric { .. }) => true,
        (Gen::Datetime { logical: x, .. }, Gen::Datetime { logical: y, .. }) => x == y,
        (
            Gen::Derived(Derived::DateOffset { logical: x, .. }),
            Gen::Datetime { logical: y, .. },
        )
        | (
            Gen::Datetime { logical: y, .. },
            Gen::Derived(Derived::DateOffset { logical: x, .. }),
        ) => x == y,
        _ => false,
    }
}

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
