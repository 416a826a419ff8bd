//! spec: the declarative generation spec, the one thing that says what to generate.
//!
//! A spec is JSON data, never code: the template builds it from a SafeProfile, the LLM
//! (through the relay) may write one, the cache stores them. It is versioned, unknown
//! fields are rejected, and its JSON Schema (`shared/schema/spec.schema.json`, generated
//! from these types) is what the relay gives the LLM for structured output. Column names
//! are values in a list (`{"name": ..., "kind": ...}`), never map keys, so a column
//! called `version` or `kind` cannot collide with the structure.
//!
//! A spec holds no rows and no row count of its own beyond a default: how many rows to
//! make is a generation parameter. Nothing here reads a raw value: `spec` imports
//! neither `ingest` nor `profile`.

use crate::error::{Error, ErrorKind, Result};
use crate::table::LogicalType;
pub use crate::vocabulary::NumberEncoding;
pub use crate::written::{Dialect, NumberFormat, Written};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The spec format version this build writes and accepts.
pub const SPEC_VERSION: u32 = 1;
/// Largest spec accepted, in bytes.
pub const MAX_SPEC_BYTES: usize = 8 << 20;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Format version; always [`SPEC_VERSION`].
    pub version: u32,
    /// Rows to generate when the caller does not say (the source's row count).
    pub default_rows: u64,
    /// Output columns, in order.
    pub columns: Vec<ColumnSpec>,
    /// A Gaussian copula joining some columns (their ranks follow this correlation).
    #[serde(default)]
    pub copula: Option<Copula>,
    /// Columns that go missing together: on a row, a group's columns are missing in
    /// a nested way (the rarer-missing column only where the more often missing one is
    /// missing too), each at its own `null_rate`.
    #[serde(default)]
    pub null_groups: Vec<NullGroup>,
    /// Rules every row obeys.
    #[serde(default)]
    pub constraints: Vec<Constraint>,
    /// How CSV and TSV output is written (delimiter, line ends, encoding, byte order
    /// mark): the source's dialect, so a synthetic file opens where the real one does.
    /// Absent: a comma (or tab), LF, UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
}

/// Columns that go missing on the same rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NullGroup {
    /// The columns (each in at most one group).
    pub columns: Vec<String>,
}

/// One output column: its name, how often it is missing, and how values are made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Column name.
    pub name: String,
    /// Share of rows left empty, 0..=1.
    #[serde(default)]
    pub null_rate: f64,
    /// How values are made.
    pub generator: Generator,
    /// How values are written in text output: a number format (`$1,234.56`), words
    /// for true and false (`Ja`/`Nein`), a missing-value token (`N/A`).
    #[serde(default, skip_serializing_if = "Written::is_plain")]
    pub written: Written,
}

/// How a column's values are made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Generator {
    /// Named values with weights; an optional share of other values from shapes.
    Categorical {
        /// Values and their weights (need not sum to 1).
        values: Vec<Weighted<String>>,
        /// Share of values drawn from `other_shapes` instead (rare values not named).
        #[serde(default)]
        other_share: f64,
        /// Character-class shapes for the other values (`Aaaa 99`).
        #[serde(default)]
        other_shapes: Vec<Weighted<String>>,
        /// Different weights within each value of another categorical column; rows
        /// whose value is not listed use `values`.
        #[serde(default)]
        by: Option<CategoricalBy>,
    },
    /// Numbers from a quantile function, with point masses, bounds and rounding.
    Numeric {
        /// Values at evenly spaced probabilities 0..=1 (at least 2, non-decreasing);
        /// values between them are interpolated.
        quantiles: Vec<f64>,
        /// Exact values that repeat (such as 0), with their share of present values;
        /// values not covered come from the quantiles.
        #[serde(default)]
        point_masses: Vec<Weighted<f64>>,
        /// Decimal digits to round to.
        #[serde(default)]
        decimals: u8,
        /// Write whole numbers as integers.
        #[serde(default)]
        integer: bool,
        /// Take each value from the nearest quantile instead of interpolating between
        /// them: a stepped column (counts, codes, years) keeps only values it had.
        #[serde(default)]
        stepped: bool,
        /// Different quantiles within each value of a categorical column; rows whose
        /// value is not listed use `quantiles` (and `point_masses`).
        #[serde(default)]
        by: Option<NumericBy>,
        /// What the numbers stand for (`clock_hhmm`, `date_yyyymmdd`): values between
        /// quantiles are interpolated in real minutes or days, so every value made is
        /// a valid time or date written the same way.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        encoding: Option<NumberEncoding>,
    },
    /// true/false.
    Boolean {
        /// Share of `true`.
        p_true: f64,
    },
    /// Dates or times from a quantile function.
    Datetime {
        /// ISO 8601 values at evenly spaced probabilities 0..=1 (at least 2).
        quantiles: Vec<String>,
        /// What the values are: dates, datetimes or times of day.
        logical_type: LogicalType,
        /// Output format: a chrono pattern (`%m/%d/%Y`), `epoch_s` or `epoch_ms`.
        format: String,
        /// Values are truncated to this step.
        granularity: Step,
        /// The quantiles were released only to this period (a birth year, an admission
        /// month): each value is drawn at `granularity` anywhere inside its period
        /// instead of at the period's start.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within: Option<Step>,
        /// With `within`: how the days inside the period fall on weekdays (7 shares,
        /// Monday first); empty for evenly.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        weekday_weights: Vec<f64>,
        /// With `within`, for datetimes: how the times fall on hours of the day (24
        /// shares, midnight first); empty for evenly.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        hour_weights: Vec<f64>,
    },
    /// Text built from character-class shapes: `A` an upper-case letter, `a` a
    /// lower-case one, `9` a digit, anything else itself.
    Pattern {
        /// Shapes and their weights.
        shapes: Vec<Weighted<String>>,
    },
    /// Realistic made-up personal data.
    Semantic {
        /// What to make.
        semantic: Fake,
    },
    /// Unique keys `start`, `start + step`, ... in row order.
    Sequence {
        /// First value.
        start: i64,
        /// Increment (not 0).
        step: i64,
    },
    /// Random version-4 UUIDs.
    Uuid,
    /// Computed from other (not derived) columns of the same row; missing when an
    /// input is missing.
    Derived {
        /// How.
        derivation: Derivation,
    },
}

/// How a derived column is computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Derivation {
    /// `left + right` (numbers).
    Add {
        /// First operand column.
        left: String,
        /// Second operand column.
        right: String,
    },
    /// `left − right` (numbers).
    Subtract {
        /// Minuend column.
        left: String,
        /// Subtrahend column.
        right: String,
    },
    /// `left × right` (numbers).
    Multiply {
        /// First factor column.
        left: String,
        /// Second factor column.
        right: String,
    },
    /// A date or datetime a number of days after another: `from + offset`, the offset
    /// drawn from a quantile function (days; may be fractional for datetimes).
    DateOffset {
        /// The date or datetime column it follows.
        from: String,
        /// Offset in days at evenly spaced probabilities 0..=1 (at least 2).
        offset_days: Vec<f64>,
    },
    /// An email address made from a generated name (`Ada Lovelace` →
    /// `ada.lovelace@example.com`).
    EmailFromName {
        /// The name column.
        from: String,
    },
    /// The hours of a clock time written HHMM (`1435` → 14).
    HourOf {
        /// The clock column (numeric, `encoding: clock_hhmm`).
        from: String,
    },
    /// The minutes of a clock time written HHMM (`1435` → 35).
    MinuteOf {
        /// The clock column (numeric, `encoding: clock_hhmm`).
        from: String,
    },
    /// The clock time a number of minutes after another, around the clock, written
    /// HHMM (`2350` + 20 → `10`).
    ClockAdd {
        /// The clock column (numeric, `encoding: clock_hhmm`).
        clock: String,
        /// The minutes column (a number; may be negative).
        minutes: String,
    },
    /// A date or datetime a number of whole days after another, the days read from a
    /// number column (a discharge from its admission and length of stay); a datetime
    /// gets a time of day inside the last day.
    AddDays {
        /// The date or datetime column it follows.
        from: String,
        /// The number column of days.
        days: String,
    },
    /// The whole years from one date to another (an age from a birth date).
    YearsBetween {
        /// The earlier date or datetime column (a birth date).
        from: String,
        /// The later date or datetime column.
        to: String,
    },
    /// A number that follows another: `from` plus an offset drawn from a quantile
    /// function, independently of `from` (a flight's arrival delay is its departure
    /// delay plus the minutes made up or lost in the air). Rounded like `from`.
    AddOffset {
        /// The number column it follows.
        from: String,
        /// The offset at evenly spaced probabilities 0..=1 (at least 2).
        offsets: Vec<f64>,
    },
}

impl Derivation {
    /// The columns the derivation reads.
    pub fn inputs(&self) -> Vec<&str> {
        match self {
            Derivation::Add { left, right }
            | Derivation::Subtract { left, right }
            | Derivation::Multiply { left, right } => vec![left, right],
            Derivation::DateOffset { from, .. }
            | Derivation::EmailFromName { from }
            | Derivation::HourOf { from }
            | Derivation::MinuteOf { from }
            | Derivation::AddOffset { from, .. } => vec![from],
            Derivation::ClockAdd { clock, minutes } => vec![clock, minutes],
            Derivation::AddDays { from, days } => vec![from, days],
            Derivation::YearsBetween { from, to } => vec![from, to],
        }
    }
}

/// A numeric column's quantiles within each value of a categorical column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NumericBy {
    /// The categorical column (not itself depending on this one).
    pub column: String,
    /// Quantiles per value of that column.
    pub groups: Vec<QuantileGroup>,
    /// A second categorical column (not depending on this one either) that, with
    /// `column`, fixes the number more closely: a flight's distance by origin and
    /// destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_column: Option<String>,
    /// Quantiles per pair of values of `column` and `second_column`; a row whose pair
    /// is not listed uses its `column` group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<PairGroup>,
}

/// Quantiles on the rows with one pair of values of the two `by` columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PairGroup {
    /// The value of `column`.
    pub value: String,
    /// The value of `second_column`.
    pub second_value: String,
    /// Values at evenly spaced probabilities 0..=1 (at least 2, non-decreasing; one
    /// number twice when the pair fixes it).
    pub quantiles: Vec<f64>,
}

/// Quantiles on the rows with one value of the `by` column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantileGroup {
    /// The value of the `by` column.
    pub value: String,
    /// Values at evenly spaced probabilities 0..=1 (at least 2, non-decreasing).
    pub quantiles: Vec<f64>,
}

/// A categorical column's weights within each value of another categorical column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoricalBy {
    /// The other categorical column (not itself depending on this one).
    pub column: String,
    /// Weights per value of that column.
    pub groups: Vec<WeightGroup>,
}

/// Weights on the rows with one value of the `by` column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightGroup {
    /// The value of the `by` column.
    pub value: String,
    /// This column's values and weights there.
    pub values: Vec<Weighted<String>>,
}

/// A bound of a range: a number, or an ISO 8601 date, datetime or time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Bound {
    /// For numeric columns.
    Number(f64),
    /// For datetime columns, in ISO 8601.
    Iso(String),
}

/// A value with a weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Weighted<T> {
    /// The value.
    pub value: T,
    /// Its weight (≥ 0).
    pub weight: f64,
}

/// Resolution of generated dates and times, finer before coarser.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Microseconds.
    Microsecond,
    /// Whole seconds.
    Second,
    /// Whole minutes.
    Minute,
    /// Whole hours.
    Hour,
    /// Whole days.
    Day,
    /// First days of months.
    Month,
    /// First days of years.
    Year,
}

/// Kinds of made-up personal data (English locale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fake {
    /// First and last name.
    FullName,
    /// Given name.
    FirstName,
    /// Family name.
    LastName,
    /// An address at a reserved example domain.
    Email,
    /// A phone number.
    Phone,
    /// House number and street.
    StreetAddress,
    /// A city.
    City,
    /// A five-digit ZIP code.
    PostalCode,
    /// A company name.
    Company,
    /// A short sentence.
    Sentence,
    /// An IPv4 address.
    Ipv4,
    /// A web address at an example domain.
    Url,
    /// A 16-digit payment card number in groups of four that passes the Luhn check
    /// (starting with 4, like test Visa numbers).
    CreditCard,
    /// A British IBAN (`GB`, check digits, bank code, 14 digits) that passes mod-97.
    Iban,
}

/// Columns joined by a Gaussian copula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Copula {
    /// Columns in matrix order (numeric, datetime, categorical or boolean ones).
    pub columns: Vec<String>,
    /// Correlation of the columns' latent normals (symmetric, 1 on the diagonal);
    /// repaired towards the identity if it is not positive definite.
    pub correlation: Vec<Vec<f64>>,
}

/// A rule every generated row obeys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Constraint {
    /// `low ≤ high` on every row where both are present (numbers or datetimes of one
    /// logical type).
    Ordered {
        /// The smaller column.
        low: String,
        /// The larger column.
        high: String,
    },
    /// Values of a numeric or datetime column stay within `min..=max` (values outside
    /// are clamped to the nearer bound).
    Range {
        /// The column.
        column: String,
        /// Smallest allowed value, if any.
        #[serde(default)]
        min: Option<Bound>,
        /// Largest allowed value, if any.
        #[serde(default)]
        max: Option<Bound>,
    },
    /// Two categorical columns only take the listed value pairs: the second column is
    /// drawn among the values allowed with the first one's value (with its own
    /// weights), and the first only takes values that appear in a pair.
    FixedCombinations {
        /// Exactly two categorical columns.
        columns: Vec<String>,
        /// Allowed `[first, second]` value pairs.
        combinations: Vec<Vec<String>>,
    },
}

impl Spec {
    /// Parses a spec from JSON: size bound, unknown fields rejected, version checked.
    /// Use [`crate::plan::compile`] to check everything else.
    pub fn from_json(json: &str) -> Result<Spec> {
        if json.len() > MAX_SPEC_BYTES {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("spec is {} bytes, over {MAX_SPEC_BYTES}", json.len()),
            ));
        }
        // serde's message ends with "at line L column C": the place in the JSON text,
        // which the page's editor marks (not a row of data, so no `at_row`).
        let spec: Spec = serde_json::from_str(json).map_err(|e| {
            Error::new(ErrorKind::InvalidDocument, format!("not a valid spec: {e}")).with_hint(
                "fix the JSON there; a spec is {\"version\": 1, \"columns\": [...]} as `byod spec` writes it",
            )
        })?;
        Ok(spec)
    }

    /// The JSON Schema of this type (published in `shared/schema/spec.schema.json`).
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(Spec)).expect("a schema serialises")
    }
}
