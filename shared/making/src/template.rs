//! template: SafeProfile + strictness → [`Spec`], with no network and no LLM.
//!
//! Deterministic: the same SafeProfile and strictness give the same spec. What
//! strictness (`match_threshold`, 0..=1) selects:
//!
//! | strictness | the spec carries |
//! |---|---|
//! | < 0.5 (loose) | independent marginals: numbers and dates from 11 quantiles, categories with their weights |
//! | ≥ 0.5 (default 0.8) | empirical marginals (all 101 quantiles; whole numbers with few values stepped, never interpolated) joined by a Gaussian copula over the profile's rank correlations, the profile's ordered pairs (`end ≥ start`) as constraints, its null groups, and its strong categorical dependencies (strength ≥ 0.3) as `by` groups |
//! | ≥ 0.9 (strict) | the above, weaker categorical dependencies (≥ 0.2), and the profile's exact arithmetic rules (`total = price × qty`) as derived columns |
//!
//! At default strictness, emails are made from the generated full name when the table
//! has both.
//!
//! Sensitive columns (PII, identifiers, free text) never get values from the profile
//! (it holds none): they get made-up values of their semantic type, character-class
//! shapes, sequences or UUIDs. `template` reads only the SafeProfile: it imports
//! neither `ingest` nor `profile`'s statistics.

use crate::spec::{
    CategoricalBy, ColumnSpec, Constraint, Copula, Derivation, Fake, Generator, NullGroup,
    NumericBy, QuantileGroup, SPEC_VERSION, Spec, Step, WeightGroup, Weighted,
};
use crate::table::LogicalType;
use crate::vocabulary::{ColumnKind, Granularity, NumberEncoding, Rule, SemanticType};
use crate::wire::{SafeColumn, SafeProfile};

/// The default strictness.
pub const DEFAULT_STRICTNESS: f64 = 0.8;
/// Strict mode starts here.
const STRICT: f64 = 0.9;
/// Conditionals at least this strong (η² or Cramér's V) become `by` groups at default
/// strictness; weaker ones cost more in marginal detail (a group has fewer quantiles
/// than the column) than they return in pair trends (measured on the public datasets).
const DEFAULT_CONDITIONAL_STRENGTH: f64 = 0.3;
/// ...and at strict.
const STRICT_CONDITIONAL_STRENGTH: f64 = 0.2;
/// Point masses that cover this share of values replace the quantiles.
const STEPPED: f64 = 0.99;
/// Whole-number columns with at most this many distinct values are stepped: values
/// come from the quantiles themselves, never from between them.
const STEPPED_DISTINCT: u64 = 30;

/// Builds a spec from a SafeProfile at a strictness in 0..=1.
pub fn template(profile: &SafeProfile, strictness: f64) -> Spec {
    let strictness = if strictness.is_finite() {
        strictness.clamp(0.0, 1.0)
    } else {
        DEFAULT_STRICTNESS
    };
    let loose = strictness < 0.5;
    let columns: Vec<ColumnSpec> = profile
        .columns
        .iter()
        .map(|c| ColumnSpec {
            name: c.name.clone(),
            null_rate: c.null_rate.clamp(0.0, 1.0),
            generator: generator(c, loose),
        })
        .collect();
    let mut columns = columns;
    if !loose {
        emails_from_names(&mut columns);
    }
    if !loose {
        conditionals(profile, &mut columns, conditional_strength(strictness));
    }
    if !loose {
        derive_clock_rules(profile, &mut columns);
    }
    if strictness >= STRICT {
        derive_rules(profile, &mut columns);
    }
    let copula = (!loose).then(|| copula(profile, &columns)).flatten();
    let constraints = if !loose {
        profile
            .ordered_pairs
            .iter()
            .filter(|p| orderable(&columns, &p.low, &p.high))
            .map(|p| Constraint::Ordered {
                low: p.low.clone(),
                high: p.high.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let null_groups = if loose {
        Vec::new()
    } else {
        profile
            .null_groups
            .iter()
            .filter(|g| {
                g.columns
                    .iter()
                    .all(|n| columns.iter().any(|c| &c.name == n))
            })
            .map(|g| NullGroup {
                columns: g.columns.clone(),
            })
            .collect()
    };
    Spec {
        version: SPEC_VERSION,
        default_rows: profile.row_count,
        columns,
        copula,
        null_groups,
        constraints,
    }
}

/// The profile's conditionals at least this strong become `by` groups: all of them at
/// strict, only the strong ones at default.
fn conditional_strength(strictness: f64) -> f64 {
    if strictness >= STRICT {
        STRICT_CONDITIONAL_STRENGTH
    } else {
        DEFAULT_CONDITIONAL_STRENGTH
    }
}

/// Per-category distributions (`by`) from the profile's conditionals, for generated
/// numeric and categorical columns grouped by a generated categorical column.
fn conditionals(profile: &SafeProfile, columns: &mut [ColumnSpec], min_strength: f64) {
    for d in profile
        .conditionals
        .iter()
        .filter(|d| d.strength >= min_strength)
    {
        let by_is_categorical = columns
            .iter()
            .any(|c| c.name == d.by && matches!(c.generator, Generator::Categorical { .. }));
        let Some(target) = columns.iter_mut().find(|c| c.name == d.target) else {
            continue;
        };
        if !by_is_categorical {
            continue;
        }
        match &mut target.generator {
            Generator::Numeric { by, .. } => {
                let groups: Vec<QuantileGroup> = d
                    .groups
                    .iter()
                    .filter(|g| g.quantiles.len() >= 2)
                    .map(|g| QuantileGroup {
                        value: g.value.clone(),
                        quantiles: g.quantiles.clone(),
                    })
                    .collect();
                *by = Some(NumericBy {
                    column: d.by.clone(),
                    groups,
                });
            }
            Generator::Categorical { values, by, .. } => {
                let groups: Vec<WeightGroup> = d
                    .groups
                    .iter()
                    .map(|g| WeightGroup {
                        value: g.value.clone(),
                        values: g
                            .values
                            .iter()
                            .filter(|v| values.iter().any(|x| x.value == v.value))
                            .map(|v| Weighted {
                                value: v.value.clone(),
                                weight: v.share,
                            })
                            .collect(),
                    })
                    .filter(|g| g.values.iter().any(|v| v.weight > 0.0))
                    .collect();
                *by = Some(CategoricalBy {
                    column: d.by.clone(),
                    groups,
                });
            }
            _ => {}
        }
    }
}

/// Emails made from the row's generated name, when the table has a full-name column.
fn emails_from_names(columns: &mut [ColumnSpec]) {
    let is = |c: &ColumnSpec, f: Fake| matches!(c.generator, Generator::Semantic { semantic } if semantic == f);
    let Some(name) = columns
        .iter()
        .find(|c| is(c, Fake::FullName))
        .map(|c| c.name.clone())
    else {
        return;
    };
    for c in columns.iter_mut().filter(|c| is(c, Fake::Email)) {
        c.generator = Generator::Derived {
            derivation: Derivation::EmailFromName { from: name.clone() },
        };
    }
}

/// The profile's clock relations as derived columns, so they hold on every synthetic
/// row: a later clock is its earlier clock plus the minutes between them, and the
/// hour and minute columns of a clock are read off it. A column becomes derived only
/// when its inputs are generated and nothing else reads it.
fn derive_clock_rules(profile: &SafeProfile, columns: &mut [ColumnSpec]) {
    let clock = |columns: &[ColumnSpec], name: &str| {
        columns.iter().any(|c| {
            c.name == name
                && matches!(
                    c.generator,
                    Generator::Numeric {
                        encoding: Some(NumberEncoding::ClockHhmm),
                        ..
                    }
                )
        })
    };
    let number = |columns: &[ColumnSpec], name: &str| {
        columns.iter().any(|c| {
            c.name == name
                && matches!(
                    c.generator,
                    Generator::Numeric { .. } | Generator::Sequence { .. }
                )
        })
    };
    // Sums first: a clock read off into hours and minutes must stay generated.
    let mut derived: Vec<(String, Derivation)> = Vec::new();
    for rule in &profile.rules {
        if let Rule::ClockSum {
            target,
            clock: at,
            minutes,
        } = rule
            && clock(columns, target)
            && clock(columns, at)
            && number(columns, minutes)
            && !derived
                .iter()
                .any(|(t, _)| t == target || t == at || t == minutes)
        {
            derived.push((
                target.clone(),
                Derivation::ClockAdd {
                    clock: at.clone(),
                    minutes: minutes.clone(),
                },
            ));
        }
    }
    for rule in &profile.rules {
        if let Rule::ClockParts {
            target,
            hour,
            minute,
        } = rule
            && clock(columns, target)
            && !derived
                .iter()
                .any(|(t, _)| [target, hour, minute].contains(&t))
        {
            for (part, derivation) in [
                (
                    hour,
                    Derivation::HourOf {
                        from: target.clone(),
                    },
                ),
                (
                    minute,
                    Derivation::MinuteOf {
                        from: target.clone(),
                    },
                ),
            ] {
                derived.push((part.clone(), derivation));
            }
        }
    }
    for (target, derivation) in derived {
        if read_by_others(columns, &target) {
            continue;
        }
        if let Some(c) = columns.iter_mut().find(|c| c.name == target) {
            c.generator = Generator::Derived { derivation };
        }
    }
}

/// Whether another column reads this one (a derivation's input, a `by` column): it
/// must then stay generated.
fn read_by_others(columns: &[ColumnSpec], name: &str) -> bool {
    columns.iter().any(|c| match &c.generator {
        Generator::Numeric { by: Some(b), .. } => b.column == name,
        Generator::Categorical { by: Some(b), .. } => b.column == name,
        Generator::Derived { derivation } => derivation_inputs(derivation).contains(&name),
        _ => false,
    })
}

/// The columns a derivation reads.
fn derivation_inputs(d: &Derivation) -> Vec<&str> {
    match d {
        Derivation::Add { left, right }
        | Derivation::Subtract { left, right }
        | Derivation::Multiply { left, right } => vec![left, right],
        Derivation::DateOffset { from, .. }
        | Derivation::EmailFromName { from }
        | Derivation::HourOf { from }
        | Derivation::MinuteOf { from } => vec![from],
        Derivation::ClockAdd { clock, minutes } => vec![clock, minutes],
    }
}

/// The profile's exact arithmetic rules as derived columns (strict mode), when both
/// operands are generated numbers.
fn derive_rules(profile: &SafeProfile, columns: &mut [ColumnSpec]) {
    for rule in &profile.rules {
        let (target, derivation) = match rule {
            Rule::Sum {
                target,
                left,
                right,
            } => (
                target,
                Derivation::Add {
                    left: left.clone(),
                    right: right.clone(),
                },
            ),
            Rule::Difference {
                target,
                left,
                right,
            } => (
                target,
                Derivation::Subtract {
                    left: left.clone(),
                    right: right.clone(),
                },
            ),
            Rule::Product {
                target,
                left,
                right,
            } => (
                target,
                Derivation::Multiply {
                    left: left.clone(),
                    right: right.clone(),
                },
            ),
            Rule::DeterminedBy { .. } | Rule::ClockParts { .. } | Rule::ClockSum { .. } => continue,
        };
        let (Derivation::Add { left, right }
        | Derivation::Subtract { left, right }
        | Derivation::Multiply { left, right }) = &derivation
        else {
            continue;
        };
        let numeric = |name: &str| {
            columns.iter().any(|c| {
                c.name == name
                    && matches!(
                        c.generator,
                        Generator::Numeric { .. } | Generator::Sequence { .. }
                    )
            })
        };
        let usable = numeric(left)
            && numeric(right)
            && left != target
            && right != target
            && !read_by_others(columns, target);
        if usable
            && let Some(c) = columns.iter_mut().find(|c| &c.name == target)
            && matches!(c.generator, Generator::Numeric { .. })
        {
            c.generator = Generator::Derived { derivation };
        }
    }
}

fn orderable(columns: &[ColumnSpec], low: &str, high: &str) -> bool {
    let kind = |name: &str| {
        columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| match &c.generator {
                Generator::Numeric { .. } => Some(None),
                Generator::Datetime { logical_type, .. } => Some(Some(*logical_type)),
                _ => None,
            })
    };
    matches!((kind(low), kind(high)), (Some(Some(a)), Some(Some(b))) if a == b)
}

/// Every 10th of 101 quantiles: the loose marginal.
fn coarse<T: Clone>(q: &[T], loose: bool) -> Vec<T> {
    if loose && q.len() == 101 {
        q.iter().step_by(10).cloned().collect()
    } else {
        q.to_vec()
    }
}

fn generator(c: &SafeColumn, loose: bool) -> Generator {
    if (c.sensitive || matches!(c.kind, ColumnKind::Text | ColumnKind::Identifier))
        && let Some(g) = sensitive(c)
    {
        return g;
    }
    if let (Some(n), true) = (&c.numeric, c.logical_type.is_numeric()) {
        let masses: f64 = n.point_masses.iter().map(|m| m.share).sum();
        let mut point_masses: Vec<Weighted<f64>> = Vec::new();
        if masses >= STEPPED {
            point_masses = n
                .point_masses
                .iter()
                .map(|m| Weighted {
                    value: m.value,
                    weight: m.share / masses,
                })
                .collect();
            point_masses.sort_by(|a, b| a.value.total_cmp(&b.value));
        }
        return Generator::Numeric {
            quantiles: coarse(&n.quantiles, loose),
            point_masses,
            decimals: c.decimals.unwrap_or(0).min(15),
            integer: c.logical_type == LogicalType::Integer,
            stepped: n.integral && c.distinct <= STEPPED_DISTINCT,
            by: None,
            encoding: n
                .encoding
                .filter(|_| c.logical_type == LogicalType::Integer),
        };
    }
    if let (Some(d), true) = (&c.datetime, c.logical_type.is_temporal()) {
        return Generator::Datetime {
            quantiles: coarse(&d.quantiles, loose),
            logical_type: c.logical_type,
            format: c
                .format
                .clone()
                .unwrap_or_else(|| default_format(c.logical_type)),
            // A date released only to its year or month is made as a day inside it (a
            // datetime, to the minute): the period is what left, the day is made up.
            granularity: match (d.coarsened_to, c.logical_type) {
                (None, _) => step(d.granularity),
                (Some(_), LogicalType::Date) => Step::Day,
                (Some(_), _) => Step::Minute,
            },
            within: d.coarsened_to.map(step),
        };
    }
    if let Some(cat) = &c.categories {
        if c.logical_type == LogicalType::Boolean {
            let p_true = cat
                .values
                .iter()
                .filter(|v| v.value.eq_ignore_ascii_case("true"))
                .map(|v| v.share)
                .sum::<f64>();
            return Generator::Boolean {
                p_true: p_true.clamp(0.0, 1.0),
            };
        }
        let shapes = text_shapes(c);
        let other_share = if shapes.is_empty() {
            0.0
        } else {
            cat.other_share.clamp(0.0, 1.0)
        };
        if !cat.values.is_empty() || other_share > 0.0 {
            return Generator::Categorical {
                values: cat
                    .values
                    .iter()
                    .map(|v| Weighted {
                        value: v.value.clone(),
                        weight: v.share,
                    })
                    .collect(),
                other_share,
                other_shapes: if other_share > 0.0 {
                    shapes
                } else {
                    Vec::new()
                },
                by: None,
            };
        }
    }
    if let Some(g) = made_up(c) {
        return g;
    }
    let shapes = text_shapes(c);
    if !shapes.is_empty() {
        return Generator::Pattern { shapes };
    }
    Generator::Pattern {
        shapes: vec![Weighted {
            value: "Aaaaaa".into(),
            weight: 1.0,
        }],
    }
}

/// Values of the column's type when the guard released nothing of its distribution (a
/// column of fewer than 2k values): made up, but numbers stay numbers and dates dates,
/// so the file keeps its shape.
fn made_up(c: &SafeColumn) -> Option<Generator> {
    let dates = |lo: &str, hi: &str| Generator::Datetime {
        quantiles: vec![lo.into(), hi.into()],
        logical_type: c.logical_type,
        format: c
            .format
            .clone()
            .unwrap_or_else(|| default_format(c.logical_type)),
        granularity: Step::Day,
        within: None,
    };
    Some(match c.logical_type {
        LogicalType::Integer => Generator::Numeric {
            quantiles: vec![0.0, 100.0],
            point_masses: Vec::new(),
            decimals: 0,
            integer: true,
            stepped: false,
            by: None,
            encoding: None,
        },
        LogicalType::Float => Generator::Numeric {
            quantiles: vec![0.0, 1.0],
            point_masses: Vec::new(),
            decimals: c.decimals.unwrap_or(2).min(15),
            integer: false,
            stepped: false,
            by: None,
            encoding: None,
        },
        LogicalType::Boolean => Generator::Boolean { p_true: 0.5 },
        LogicalType::Date | LogicalType::DateTime => dates("2000-01-01", "2020-12-31"),
        LogicalType::Time => Generator::Datetime {
            quantiles: vec!["00:00:00".into(), "23:59:59".into()],
            logical_type: LogicalType::Time,
            format: c
                .format
                .clone()
                .unwrap_or_else(|| default_format(LogicalType::Time)),
            granularity: Step::Second,
            within: None,
        },
        _ => return None,
    })
}

/// Made-up values for a column whose real values may not leave.
fn sensitive(c: &SafeColumn) -> Option<Generator> {
    use SemanticType as S;
    let fake = |f| Some(Generator::Semantic { semantic: f });
    match c.semantic_type {
        Some(S::PersonName) => fake(Fake::FullName),
        Some(S::FirstName) => fake(Fake::FirstName),
        Some(S::LastName) => fake(Fake::LastName),
        Some(S::Email) => fake(Fake::Email),
        Some(S::Phone) => fake(Fake::Phone),
        Some(S::StreetAddress) => fake(Fake::StreetAddress),
        Some(S::City) => fake(Fake::City),
        Some(S::PostalCode) if c.logical_type == LogicalType::Text => fake(Fake::PostalCode),
        Some(S::IpAddress) => fake(Fake::Ipv4),
        Some(S::Url) => fake(Fake::Url),
        // Checksums are what make these look real (and what our own detector tests).
        Some(S::CreditCard) => fake(Fake::CreditCard),
        Some(S::Iban) => fake(Fake::Iban),
        Some(S::Uuid) => Some(Generator::Uuid),
        Some(S::FreeText) => fake(Fake::Sentence),
        // Dates of birth are dates: their (coarsened) distribution is safe to use.
        Some(S::DateOfBirth) => None,
        _ if c.unique && c.logical_type == LogicalType::Integer => {
            Some(Generator::Sequence { start: 1, step: 1 })
        }
        _ if c.logical_type == LogicalType::Text => {
            let shapes = text_shapes(c);
            Some(if shapes.is_empty() {
                Generator::Uuid
            } else {
                Generator::Pattern { shapes }
            })
        }
        _ => None,
    }
}

fn text_shapes(c: &SafeColumn) -> Vec<Weighted<String>> {
    c.text
        .as_ref()
        .map(|t| {
            t.shapes
                .iter()
                .filter(|s| !s.value.is_empty() && s.value.chars().count() <= 256)
                .map(|s| Weighted {
                    value: s.value.clone(),
                    weight: s.share,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn default_format(logical: LogicalType) -> String {
    match logical {
        LogicalType::Date => "%Y-%m-%d",
        LogicalType::Time => "%H:%M:%S",
        _ => "%Y-%m-%d %H:%M:%S",
    }
    .to_string()
}

fn step(g: Granularity) -> Step {
    match g {
        Granularity::Subsecond => Step::Microsecond,
        Granularity::Second => Step::Second,
        Granularity::Minute => Step::Minute,
        Granularity::Hour => Step::Hour,
        Granularity::Day => Step::Day,
        Granularity::Month => Step::Month,
        Granularity::Year => Step::Year,
    }
}

/// The profile's rank correlations over the columns the spec can join.
fn copula(profile: &SafeProfile, columns: &[ColumnSpec]) -> Option<Copula> {
    let cor = &profile.correlations;
    let keep: Vec<usize> = cor
        .columns
        .iter()
        .enumerate()
        .filter(|(_, name)| {
            columns.iter().any(|c| {
                &c.name == *name
                    && matches!(
                        c.generator,
                        Generator::Numeric { .. }
                            | Generator::Datetime { .. }
                            | Generator::Categorical { .. }
                            | Generator::Boolean { .. }
                    )
            })
        })
        .map(|(i, _)| i)
        .collect();
    if keep.len() < 2 {
        return None;
    }
    Some(Copula {
        columns: keep.iter().map(|&i| cor.columns[i].clone()).collect(),
        correlation: keep
            .iter()
            .map(|&i| {
                keep.iter()
                    .map(|&j| if i == j { 1.0 } else { cor.matrix[i][j] })
                    .collect()
            })
            .collect(),
    })
}
