//! The generator kinds, one module each: where a kind's checks, its compiled form and
//! its draw live together.
//!
//! | kind          | module          | makes                                         |
//! |---------------|-----------------|-----------------------------------------------|
//! | `categorical` | [`categorical`] | weighted values, made-up "other" values        |
//! | `numeric`     | [`numeric`]     | numbers from quantiles and point masses       |
//! | `boolean`     | [`boolean`]     | true with a share                             |
//! | `datetime`    | [`datetime`]    | dates, datetimes, times from ISO quantiles    |
//! | `pattern`     | [`pattern`]     | text from character-class shapes              |
//! | `semantic`    | [`semantic`]    | made-up personal data                         |
//! | `sequence`    | [`sequence`]    | unique increasing keys                        |
//! | `uuid`        | [`uuid`]        | random version-4 UUIDs                        |
//! | `derived`     | [`derived`]     | arithmetic, date offsets, email from name     |
//!
//! The spec's serde type stays in [`crate::spec::Generator`] (one tagged enum makes the
//! JSON Schema). Adding a kind: its variant there, its module here, and one arm in each
//! of the registry's matches below ([`compile`], [`Gen::output`], [`Gen::number`],
//! [`Gen::text`]). What spans columns (copula, `by` groups, null groups, constraints)
//! stays in `plan` and `generate`.

pub(crate) mod boolean;
pub(crate) mod categorical;
pub(crate) mod datetime;
pub(crate) mod derived;
pub(crate) mod numeric;
pub(crate) mod pattern;
pub(crate) mod semantic;
pub(crate) mod sequence;
pub(crate) mod uuid;

pub(crate) use boolean::Boolean;
pub(crate) use categorical::Categorical;
pub(crate) use datetime::Datetime;
pub(crate) use derived::Derived;
pub(crate) use numeric::Between;
pub(crate) use numeric::Numeric;
pub(crate) use pattern::Pattern;
pub(crate) use sequence::Sequence;

use crate::generate::Rng;
use crate::math::round;
use crate::plan::Checker;
use crate::spec::{Fake, Generator};
use crate::table::LogicalType;

/// Microseconds in a day.
pub(crate) const US_PER_DAY: f64 = 86_400e6;

/// Exact powers of ten for rounding (`powi` is not guaranteed bit-identical everywhere).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// One column's compiled generator.
#[derive(Debug, Clone)]
pub(crate) enum Gen {
    Categorical(Categorical),
    Numeric(Numeric),
    Boolean(Boolean),
    Datetime(Datetime),
    Pattern(Pattern),
    Semantic(Fake),
    Sequence(Sequence),
    Uuid,
    Derived(Derived),
}

/// Checks one column's generator and compiles it (`g` is its JSON path). A derived
/// column compiles to a placeholder here: its inputs are resolved once every column
/// is known ([`derived::resolve`]).
pub(crate) fn compile(c: &mut Checker, g: &str, generator: &Generator) -> Gen {
    match generator {
        Generator::Categorical {
            values,
            other_share,
            other_shapes,
            by: _,
        } => Gen::Categorical(Categorical::compile(
            c,
            g,
            values,
            other_share,
            other_shapes,
        )),
        Generator::Numeric {
            quantiles,
            point_masses,
            decimals,
            integer,
            stepped,
            by: _,
            encoding,
        } => Gen::Numeric(Numeric::compile(
            c,
            g,
            quantiles,
            point_masses,
            decimals,
            integer,
            Between {
                stepped: *stepped,
                encoding: *encoding,
            },
        )),
        Generator::Boolean { p_true } => Gen::Boolean(Boolean::compile(c, g, p_true)),
        Generator::Datetime {
            quantiles,
            logical_type,
            format,
            granularity,
            within,
            weekday_weights,
            hour_weights,
        } => Gen::Datetime(Datetime::compile(
            c,
            g,
            quantiles,
            logical_type,
            format,
            (*granularity, *within),
            (weekday_weights, hour_weights),
        )),
        Generator::Pattern { shapes } => Gen::Pattern(Pattern::compile(c, g, shapes)),
        Generator::Semantic { semantic } => Gen::Semantic(*semantic),
        Generator::Sequence { start, step } => Gen::Sequence(Sequence::compile(c, g, start, step)),
        Generator::Uuid => Gen::Uuid,
        Generator::Derived { .. } => Gen::Uuid,
    }
}

impl Gen {
    /// What the column writes: its logical type, datetime format and decimal digits.
    /// The one place that decides a column's output type; values and arrays follow.
    pub(crate) fn output(&self) -> (LogicalType, Option<&str>, Option<u8>) {
        match self {
            Gen::Numeric(Numeric { integer: true, .. })
            | Gen::Sequence(_)
            | Gen::Derived(
                Derived::Arithmetic { integer: true, .. }
                | Derived::AddOffset { integer: true, .. }
                | Derived::ClockPart { .. }
                | Derived::ClockAdd { .. }
                | Derived::YearsBetween { .. },
            ) => (LogicalType::Integer, None, None),
            Gen::Numeric(Numeric { decimals, .. })
            | Gen::Derived(
                Derived::Arithmetic { decimals, .. } | Derived::AddOffset { decimals, .. },
            ) => (LogicalType::Float, None, Some(*decimals)),
            Gen::Datetime(Datetime {
                logical, format, ..
            })
            | Gen::Derived(Derived::DateOffset {
                logical, format, ..
            }) => (*logical, Some(format), None),
            Gen::Boolean(_) => (LogicalType::Boolean, None, None),
            Gen::Categorical(_)
            | Gen::Pattern(_)
            | Gen::Semantic(_)
            | Gen::Uuid
            | Gen::Derived(Derived::EmailFromName { .. }) => (LogicalType::Text, None, None),
        }
    }

    /// Whether the copula can carry the column (its values have an order or weights).
    pub(crate) fn in_copula(&self) -> bool {
        matches!(
            self,
            Gen::Numeric(_) | Gen::Datetime(_) | Gen::Categorical(_) | Gen::Boolean(_)
        )
    }

    /// The number at probability `u` for row `row` of the output; `None` for kinds that
    /// do not make numbers on their own.
    pub(crate) fn number(&self, u: f64, row: u64) -> Option<f64> {
        match self {
            Gen::Numeric(n) => Some(n.value(u)),
            Gen::Datetime(d) => Some(d.value(u, row)),
            Gen::Sequence(s) => Some(s.value(row)),
            _ => None,
        }
    }

    /// The text at probability `u`; `None` for kinds that do not make free text
    /// (categories are drawn with their labels, in `generate`).
    pub(crate) fn text(&self, u: f64, rng: &mut Rng) -> Option<String> {
        match self {
            Gen::Pattern(p) => Some(p.value(u, rng)),
            Gen::Semantic(kind) => Some(semantic::fake_value(*kind, rng)),
            Gen::Uuid => Some(uuid::value(rng)),
            _ => None,
        }
    }
}

/// The quantile function at probability `u` (linear between the quantiles).
pub(crate) fn interpolate(quantiles: &[f64], u: f64) -> f64 {
    let (lo, hi, t) = bracket(quantiles, u);
    lo + (hi - lo) * t
}

/// The two quantiles around probability `u` and how far `u` lies between them (0..=1).
pub(crate) fn bracket(quantiles: &[f64], u: f64) -> (f64, f64, f64) {
    let pos = u.clamp(0.0, 1.0) * (quantiles.len() - 1) as f64;
    let i = (pos as usize).min(quantiles.len() - 2);
    (quantiles[i], quantiles[i + 1], pos - i as f64)
}

/// The quantile nearest to probability `u` (a step-function inverse CDF).
pub(crate) fn nearest(quantiles: &[f64], u: f64) -> f64 {
    let pos = u.clamp(0.0, 1.0) * (quantiles.len() - 1) as f64;
    quantiles[(round(pos) as usize).min(quantiles.len() - 1)]
}

/// `x` rounded to `decimals` digits.
pub(crate) fn round_to(x: f64, decimals: u8) -> f64 {
    let p = POW10[usize::from(decimals.min(15))];
    round(x * p) / p
}
