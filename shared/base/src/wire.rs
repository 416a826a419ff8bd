//! wire: the metadata-only types that cross the privacy boundary.
//!
//! [`SafeProfile`] is the only thing that may leave the user's machine: it is what the
//! page shows before sending, what the relay forwards to the LLM and what the spec cache
//! stores. It holds no raw value of a personal, identifying or free-text column, no
//! category seen fewer than k times, no true extreme. Its JSON form is versioned, has a
//! published JSON Schema (`shared/schema/safe-profile.schema.json`), and unknown fields
//! are rejected on input, so the relay can re-check what it receives.

use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, LogicalType};
use crate::vocabulary::{ColumnKind, Granularity, Histogram, NumberEncoding, Rule, SemanticType};
use crate::written::{Dialect, Written};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The SafeProfile format version this build writes and accepts.
pub const SAFE_PROFILE_VERSION: u32 = 1;

fn invalid(path: &str, message: String) -> Error {
    Error::new(ErrorKind::InvalidDocument, message)
        .at_path(path)
        .with_hint("send the SafeProfile exactly as `byod profile` or the page produced it")
}

/// At least two finite, non-decreasing values.
fn quantile_function(q: &[f64], path: &str) -> Result<()> {
    if q.len() < 2 || q.iter().any(|x| !x.is_finite()) || q.windows(2).any(|w| w[1] < w[0]) {
        return Err(invalid(
            path,
            format!(
                "{} quantile(s), not at least two sorted finite numbers",
                q.len()
            ),
        ));
    }
    Ok(())
}

fn share(x: f64, path: &str) -> Result<()> {
    if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
        return Err(invalid(path, format!("share {x} is outside 0..=1")));
    }
    Ok(())
}

fn shares<T>(values: &[ValueShare<T>], path: &str) -> Result<()> {
    for (i, v) in values.iter().enumerate() {
        share(v.share, &format!("{path}[{i}].share"))?;
    }
    Ok(())
}

impl SafeColumn {
    fn validate(&self, path: &str) -> Result<()> {
        share(self.null_rate, &format!("{path}.null_rate"))?;
        if let Some(p) = self.written.problems().into_iter().next() {
            return Err(invalid(&format!("{path}.written"), p));
        }
        if let Some(n) = &self.numeric {
            quantile_function(&n.quantiles, &format!("{path}.numeric.quantiles"))?;
            for (what, x) in [("mean", n.mean), ("std", n.std), ("skew", n.skew)] {
                if !x.is_finite() {
                    return Err(invalid(&format!("{path}.numeric.{what}"), format!("{x}")));
                }
            }
            let h = &n.histogram;
            if !(h.counts.is_empty() && h.edges.is_empty())
                && (h.edges.len() != h.counts.len() + 1 || h.edges.iter().any(|x| !x.is_finite()))
            {
                return Err(invalid(
                    &format!("{path}.numeric.histogram"),
                    "a histogram needs one more finite edge than counts".into(),
                ));
            }
            shares(&n.point_masses, &format!("{path}.numeric.point_masses"))?;
            if let Some(m) = n.point_masses.iter().find(|m| !m.value.is_finite()) {
                return Err(invalid(
                    &format!("{path}.numeric.point_masses"),
                    format!("{} is not a number", m.value),
                ));
            }
        }
        if let Some(d) = &self.datetime
            && d.quantiles.len() < 2
        {
            return Err(invalid(
                &format!("{path}.datetime.quantiles"),
                format!("{} quantile(s), not at least two", d.quantiles.len()),
            ));
        }
        if let Some(cats) = &self.categories {
            shares(&cats.values, &format!("{path}.categories.values"))?;
            share(cats.other_share, &format!("{path}.categories.other_share"))?;
        }
        if let Some(t) = &self.text {
            shares(&t.shapes, &format!("{path}.text.shapes"))?;
            if t.length_quantiles.iter().any(|x| !x.is_finite()) {
                return Err(invalid(
                    &format!("{path}.text.length_quantiles"),
                    "lengths must be numbers".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Largest SafeProfile accepted on input, in bytes.
pub const MAX_SAFE_PROFILE_BYTES: usize = 4 << 20;

/// The metadata of one table that may leave the machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeProfile {
    /// Format version; always [`SAFE_PROFILE_VERSION`].
    pub version: u32,
    /// The source's format (the file name is not included: it may name a person).
    pub format: FileFormat,
    /// Rows in the source (noised under differential privacy).
    pub row_count: u64,
    /// Columns in source order.
    pub columns: Vec<SafeColumn>,
    /// Rank correlations, rounded to two decimals.
    pub correlations: SafeCorrelations,
    /// Columns that are unique and never missing.
    pub candidate_keys: Vec<Vec<String>>,
    /// Pairs with `low ≤ high` on every row.
    pub ordered_pairs: Vec<SafeOrderedPair>,
    /// Exact relations between columns.
    pub rules: Vec<Rule>,
    /// Columns that go missing on the same rows.
    #[serde(default)]
    pub null_groups: Vec<SafeNullGroup>,
    /// Columns whose distribution depends on a categorical column's value, given for
    /// the named categories only.
    #[serde(default)]
    pub conditionals: Vec<SafeConditional>,
    /// Numbers that follow other numbers: `target` is `from` plus an offset drawn
    /// from the released quantiles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offsets: Vec<SafeOffset>,
    /// How this profile was protected.
    pub privacy: PrivacySummary,
    /// A delimited source's dialect (delimiter, line ends, encoding): structure, not
    /// values, so synthetic CSV can be written the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
}

/// Rank correlations between the listed columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeCorrelations {
    /// Columns in matrix order.
    pub columns: Vec<String>,
    /// Row-major matrix.
    pub matrix: Vec<Vec<f64>>,
}

/// `low ≤ high` on every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeOrderedPair {
    /// The smaller column.
    pub low: String,
    /// The larger column.
    pub high: String,
}

/// Columns that are missing on (nearly) the same rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeNullGroup {
    /// The columns.
    pub columns: Vec<String>,
}

/// `target = from + offset`, the offset independent of `from` (a flight's arrival
/// delay is its departure delay plus the minutes made up or lost in the air).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeOffset {
    /// The number that follows.
    pub target: String,
    /// The number it follows.
    pub from: String,
    /// The offset `target − from` at evenly spaced probabilities 0..=1, released like
    /// a numeric column's quantiles (ends at the k-th values, k rows apart, rounded).
    pub quantiles: Vec<f64>,
}

/// A column's distribution within each named value of a categorical column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeConditional {
    /// The column described.
    pub target: String,
    /// The categorical column it depends on.
    pub by: String,
    /// How strongly (η² for a numeric target, Cramér's V for a categorical one).
    pub strength: f64,
    /// One entry per named value of `by` with enough rows.
    pub groups: Vec<SafeGroup>,
    /// A second categorical column that fixes the (numeric) target together with `by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_by: Option<String>,
    /// With `second_by`: pairs of named values, each with the one number at least k
    /// rows with the pair share (a function, as a released category is a value).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<SafePair>,
}

/// The number a pair of key values fixes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafePair {
    /// The value of `by`.
    pub value: String,
    /// The value of `second_by`.
    pub second_value: String,
    /// The target's value on the pair's rows.
    pub target: f64,
}

/// The target's distribution on the rows with one value of `by`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeGroup {
    /// The value of `by` (a named category of that column).
    pub value: String,
    /// A numeric target's quantiles at evenly spaced probabilities (ends clamped to
    /// the group's k-th values); empty for a categorical target.
    #[serde(default)]
    pub quantiles: Vec<f64>,
    /// A categorical target's named values seen at least k times in the group, with
    /// their share of the group; empty for a numeric target.
    #[serde(default)]
    pub values: Vec<ValueShare<String>>,
}

/// What protection was applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivacySummary {
    /// Smallest k a column may draw: a category value appears only if it occurs at
    /// least k times. The configured range, not the draws (they stay secret).
    pub k_min: u32,
    /// Largest k a column may draw (k is drawn per column, from the operating system's
    /// randomness, so the threshold cannot be probed).
    pub k_max: u32,
    /// Significant digits numbers are rounded to.
    pub significant_digits: u32,
    /// The ε of differential privacy asked for, when enabled.
    pub epsilon: Option<f64>,
    /// The ε actually spent (at most `epsilon`).
    #[serde(default)]
    pub epsilon_spent: Option<f64>,
    /// δ of the (ε, δ) part (the names of categories and shapes).
    #[serde(default)]
    pub delta: Option<f64>,
    /// Rows the statistics were computed on.
    pub sampled_rows: u64,
    /// Number of items withheld (listed locally, never sent).
    pub withheld_items: u64,
}

/// One column of a SafeProfile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeColumn {
    /// Column name (replaced by `column_N` if the name itself looked like personal data).
    pub name: String,
    /// Inferred type.
    pub logical_type: LogicalType,
    /// What the column is.
    pub kind: ColumnKind,
    /// Personal or identifying content, if detected.
    pub semantic_type: Option<SemanticType>,
    /// Confidence of `semantic_type`.
    pub semantic_confidence: Option<f64>,
    /// True when no raw value of this column may leave (PII, identifier, free text).
    pub sensitive: bool,
    /// Output format for temporal columns (chrono pattern, `epoch_s`, `epoch_ms`).
    pub format: Option<String>,
    /// Decimal digits of numbers.
    pub decimals: Option<u8>,
    /// How numbers, booleans and missing values are written (`$1,234.56`, `Ja`/`Nein`,
    /// `N/A`): closed lists of symbols and words, never a value.
    #[serde(default, skip_serializing_if = "Written::is_plain")]
    pub written: Written,
    /// Share of missing values.
    pub null_rate: f64,
    /// Distinct values, rounded to two significant digits.
    pub distinct: u64,
    /// Every present value is distinct.
    pub unique: bool,
    /// Distribution of numbers.
    pub numeric: Option<SafeNumeric>,
    /// Distribution of dates and times.
    pub datetime: Option<SafeDatetime>,
    /// Category values seen at least k times, with shares.
    pub categories: Option<SafeCategories>,
    /// Lengths and shapes of text.
    pub text: Option<SafeText>,
}

/// A numeric distribution without its extremes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeNumeric {
    /// Quantiles from 0 to 1 (evenly spaced); the ends are the k-th smallest and
    /// largest values, every value rounded.
    pub quantiles: Vec<f64>,
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub std: f64,
    /// Skewness.
    pub skew: f64,
    /// Histogram between the tails.
    pub histogram: Histogram,
    /// Values that repeat at least k times (point masses such as 0), with shares.
    pub point_masses: Vec<ValueShare<f64>>,
    /// All values are whole numbers.
    pub integral: bool,
    /// What the numbers stand for, when every one is a clock time or a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<NumberEncoding>,
}

/// Temporal distribution: quantiles as ISO-8601 text (times: `HH:MM:SS`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeDatetime {
    /// The k-th earliest value (at the coarsened grain).
    pub min: String,
    /// The k-th latest value.
    pub max: String,
    /// Quantiles from 0 to 1.
    pub quantiles: Vec<String>,
    /// Resolution of the values.
    pub granularity: Granularity,
    /// Share per weekday, Monday first (empty for times).
    pub weekday_shares: Vec<f64>,
    /// Share per month, January first (empty for times).
    pub month_shares: Vec<f64>,
    /// Share per hour of day, when values have a time.
    pub hour_shares: Option<Vec<f64>>,
    /// Set when values were coarsened because they describe a person (birth dates to
    /// the year, other personal dates to the month).
    pub coarsened_to: Option<Granularity>,
}

/// A value with its share of present values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueShare<T> {
    /// The value.
    pub value: T,
    /// Its share in 0..=1.
    pub share: f64,
}

/// Categories that are safe to name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeCategories {
    /// Values seen at least k times, most frequent first.
    pub values: Vec<ValueShare<String>>,
    /// Share of present values that are rarer values, not named.
    pub other_share: f64,
    /// How many distinct rare values make up `other_share` (rounded).
    pub other_distinct: u64,
}

/// Text lengths and character-class shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeText {
    /// Length quantiles at 0, 0.1, ..., 1 (ends clamped to the bulk).
    pub length_quantiles: Vec<f64>,
    /// Mean words per value.
    pub mean_words: f64,
    /// Shapes (`AA-9999`) seen at least k times, with shares.
    pub shapes: Vec<ValueShare<String>>,
}

impl SafeProfile {
    /// Parses and validates a SafeProfile from JSON: size bound, unknown fields
    /// rejected, version checked, shapes consistent.
    pub fn from_json(json: &str) -> Result<SafeProfile> {
        if json.len() > MAX_SAFE_PROFILE_BYTES {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "SafeProfile is {} bytes, over {MAX_SAFE_PROFILE_BYTES}",
                    json.len()
                ),
            ));
        }
        let p: SafeProfile = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorKind::InvalidDocument,
                format!("not a valid SafeProfile: {e}"),
            )
            .at_row(e.line() as u64)
            .with_hint("send the SafeProfile exactly as `byod profile` or the page produced it")
        })?;
        p.validate()?;
        Ok(p)
    }

    /// Checks what the types cannot: the version, a square correlation matrix, and
    /// every list and number a reader of the profile relies on (quantile functions of
    /// at least two sorted finite values, histograms with one more edge than counts,
    /// shares in 0..=1). A profile that fails here would make the template or the
    /// compiler fail, or worse, later.
    pub fn validate(&self) -> Result<()> {
        let p = self;
        if p.version != SAFE_PROFILE_VERSION {
            return Err(Error::new(
                ErrorKind::InvalidDocument,
                format!(
                    "SafeProfile version {} is not supported (expected {SAFE_PROFILE_VERSION})",
                    p.version
                ),
            )
            .at_path("$.version"));
        }
        if let Some(d) = &p.dialect
            && !Dialect::DELIMITERS.contains(&d.delimiter)
        {
            return Err(invalid("$.dialect.delimiter", format!("{:?}", d.delimiter)));
        }
        let m = p.correlations.columns.len();
        if p.correlations.matrix.len() != m || p.correlations.matrix.iter().any(|r| r.len() != m) {
            return Err(Error::new(
                ErrorKind::InvalidDocument,
                "correlation matrix is not square with its column list",
            )
            .at_path("$.correlations.matrix"));
        }
        if let Some(x) = p
            .correlations
            .matrix
            .iter()
            .flatten()
            .find(|x| !x.is_finite())
        {
            return Err(invalid(
                "$.correlations.matrix",
                format!("{x} is not a correlation"),
            ));
        }
        for (i, c) in p.columns.iter().enumerate() {
            c.validate(&format!("$.columns[{i}]"))?;
        }
        for (i, d) in p.conditionals.iter().enumerate() {
            for (j, g) in d.groups.iter().enumerate() {
                let path = format!("$.conditionals[{i}].groups[{j}]");
                if !g.quantiles.is_empty() {
                    quantile_function(&g.quantiles, &format!("{path}.quantiles"))?;
                }
                shares(&g.values, &format!("{path}.values"))?;
            }
        }
        Ok(())
    }
    /// The JSON Schema of this type (published in `shared/schema/`).
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(SafeProfile)).expect("a schema serialises")
    }
}
