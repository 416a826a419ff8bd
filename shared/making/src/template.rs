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
//! has both, and the profile's clock and calendar relations and offsets (`arrival
//! delay = departure delay + offset`) are held by derived columns.
//!
//! Sensitive columns (PII, identifiers, free text) never get values from the profile
//! (it holds none): they get made-up values of their semantic type, character-class
//! shapes, sequences or UUIDs. `template` reads only the SafeProfile: it imports
//! neither `ingest` nor `profile`'s statistics.

use crate::kinds::interpolate;
use crate::spec::{
    CategoricalBy, ColumnSpec, Constraint, Copula, Derivation, Fake, Generator, NullGroup,
    NumericBy, PairGroup, QuantileGroup, SPEC_VERSION, Spec, Step, WeightGroup, Weighted,
};
use crate::table::LogicalType;
use crate::vocabulary::{ColumnKind, DETERMINED, Granularity, NumberEncoding, Rule, SemanticType};
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
/// Point masses that cover at least this share (and less than [`STEPPED`]) are made
/// exactly, the quantiles then describing the other rows: flights' departures at
/// 06:00 sharp, not at 05:58 and 06:03 as interpolation would spread them.
const PARTIAL_MASSES: f64 = 0.05;
/// ...counting only values at least this many times as frequent as the column's
/// values are on average (1 / distinct).
const SPIKE: f64 = 4.0;
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
            written: c.written.clone(),
        })
        .collect();
    let mut columns = columns;
    if !loose {
        emails_from_names(&mut columns);
    }
    if !loose {
        conditionals(profile, &mut columns, conditional_strength(strictness));
        order_keys(profile, &mut columns);
    }
    if !loose {
        derive_clock_rules(profile, &mut columns);
        derive_calendar_rules(profile, &mut columns);
        derive_offsets(profile, &mut columns);
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
        dialect: profile.dialect.clone(),
    }
}

/// Gives a spec that came from elsewhere (the LLM, a cache entry another file's
/// upload left) the way the file being imitated writes its values: its dialect, and
/// each column's number format, boolean words and missing-value token. These belong
/// to the source, not to whoever wrote the spec: a cached spec from a `;` file must
/// not make a `,` file's output `;`. The user changes them with the output settings
/// ([`crate::export::WriteChoice`]).
pub fn write_as_source(spec: &mut Spec, profile: &SafeProfile) {
    spec.dialect = profile.dialect.clone();
    for col in &mut spec.columns {
        col.written = profile
            .columns
            .iter()
            .find(|c| c.name == col.name)
            .map(|c| c.written.clone())
            .unwrap_or_default();
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
        let categorical = |name: &str| {
            columns
                .iter()
                .any(|c| c.name == name && matches!(c.generator, Generator::Categorical { .. }))
        };
        let by_is_categorical = categorical(&d.by);
        // The second key column, when it is generated as a category too.
        let second = d
            .second_by
            .clone()
            .filter(|s| s != &d.target && categorical(s));
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
                let pairs = match &second {
                    Some(_) => d
                        .pairs
                        .iter()
                        .map(|p| PairGroup {
                            value: p.value.clone(),
                            second_value: p.second_value.clone(),
                            quantiles: vec![p.target; 2],
                        })
                        .collect(),
                    None => Vec::new(),
                };
                *by = Some(NumericBy {
                    column: d.by.clone(),
                    groups,
                    second_column: second.filter(|_| !pairs.is_empty()),
                    pairs,
                });
            }
            Generator::Categorical { values, by, .. } => {
                // A key column lists thousands of values: look them up, not along.
                let listed: std::collections::HashSet<&str> =
                    values.iter().map(|x| x.value.as_str()).collect();
                let groups: Vec<WeightGroup> = d
                    .groups
                    .iter()
                    .map(|g| WeightGroup {
                        value: g.value.clone(),
                        values: g
                            .values
                            .iter()
                            .filter(|v| listed.contains(v.value.as_str()))
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

/// Lists the values of a category that determines a number in that number's order
/// (destinations by distance), as the profile encoded it for the correlations: drawn
/// from the copula in this order, the category carries the number's trends with the
/// rest of the table (distance and air time). Values without a group come last, in
/// their own order.
fn order_keys(profile: &SafeProfile, columns: &mut [ColumnSpec]) {
    let numeric = |d: &&crate::wire::SafeConditional| d.groups.iter().all(|g| g.values.is_empty());
    for d in profile
        .conditionals
        .iter()
        .filter(|d| d.strength >= DETERMINED)
        .filter(numeric)
    {
        let strongest = profile
            .conditionals
            .iter()
            .filter(numeric)
            .filter(|o| o.by == d.by)
            .all(|o| o.strength <= d.strength && (o.strength < d.strength || o.target >= d.target));
        let grouped = columns.iter().any(|c| {
            c.name == d.target
                && match &c.generator {
                    Generator::Numeric { by: Some(b), .. } => b.column == d.by,
                    Generator::Categorical { by: Some(b), .. } => b.column == d.by,
                    _ => false,
                }
        });
        if !strongest || !grouped {
            continue;
        }
        let keys: std::collections::HashMap<&str, f64> = d
            .groups
            .iter()
            .filter_map(|g| Some((g.value.as_str(), *g.quantiles.get(g.quantiles.len() / 2)?)))
            .collect();
        if let Some(Generator::Categorical { values, .. }) = columns
            .iter_mut()
            .find(|c| c.name == d.by)
            .map(|c| &mut c.generator)
        {
            values.sort_by(|a, b| {
                let (ka, kb) = (keys.get(a.value.as_str()), keys.get(b.value.as_str()));
                ka.is_none()
                    .cmp(&kb.is_none())
                    .then(ka.unwrap_or(&0.0).total_cmp(kb.unwrap_or(&0.0)))
            });
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
    derive(columns, derived);
}

/// Lengths of stay and ages, held exactly: the later date is the earlier plus the
/// generated number of days (the days keep their own distribution and trends); an age
/// is the years between the generated dates (a birth date inside its released year).
fn derive_calendar_rules(profile: &SafeProfile, columns: &mut [ColumnSpec]) {
    let generated = |columns: &[ColumnSpec], name: &str, dates: bool| {
        columns.iter().any(|c| {
            c.name == name
                && match &c.generator {
                    Generator::Datetime { logical_type, .. } => {
                        dates && matches!(logical_type, LogicalType::Date | LogicalType::DateTime)
                    }
                    Generator::Numeric { .. } => !dates,
                    _ => false,
                }
        })
    };
    let mut derived: Vec<(String, Derivation)> = Vec::new();
    for rule in &profile.rules {
        let (target, later, earlier, days) = match rule {
            Rule::DaysBetween {
                target,
                later,
                earlier,
            } => (target, later, earlier, true),
            Rule::YearsBetween {
                target,
                later,
                earlier,
            } => (target, later, earlier, false),
            _ => continue,
        };
        if !(generated(columns, later, true)
            && generated(columns, earlier, true)
            && generated(columns, target, false))
        {
            continue;
        }
        let (made, derivation) = if days {
            let (from, days) = (earlier.clone(), target.clone());
            (later, Derivation::AddDays { from, days })
        } else {
            let (from, to) = (earlier.clone(), later.clone());
            (target, Derivation::YearsBetween { from, to })
        };
        // A column derived here is nobody's input and reads no derived column.
        let clash = derived.iter().any(|(t, d)| {
            t == made
                || d.inputs().contains(&made.as_str())
                || derivation.inputs().contains(&t.as_str())
        });
        if !clash {
            derived.push((made.clone(), derivation));
        }
    }
    derive(columns, derived);
}

/// Numbers that follow other numbers, as derived columns: the target is its `from`
/// plus an offset drawn from the released quantiles. Made after the clock rules, so a
/// clock that reads the target (an arrival time from its scheduled time and delay)
/// reads the derived value; `from` must be generated, so no column reads itself.
fn derive_offsets(profile: &SafeProfile, columns: &mut [ColumnSpec]) {
    for o in &profile.offsets {
        let generated = columns.iter().any(|c| {
            c.name == o.from
                && matches!(
                    c.generator,
                    Generator::Numeric { .. } | Generator::Sequence { .. }
                )
        });
        if !generated || o.quantiles.len() < 2 {
            continue;
        }
        if let Some(c) = columns.iter_mut().find(|c| c.name == o.target)
            && matches!(c.generator, Generator::Numeric { .. })
        {
            c.generator = Generator::Derived {
                derivation: Derivation::AddOffset {
                    from: o.from.clone(),
                    offsets: o.quantiles.clone(),
                },
            };
        }
    }
}

/// Makes each listed column derived, unless another derived column reads it (a
/// derivation never reads a derived column).
fn derive(columns: &mut [ColumnSpec], derived: Vec<(String, Derivation)>) {
    for (name, derivation) in derived {
        if read_by_others(columns, &name) {
            continue;
        }
        if let Some(c) = columns.iter_mut().find(|c| c.name == name) {
            c.generator = Generator::Derived { derivation };
        }
    }
}

/// Whether another column reads this one (a derivation's input, a `by` column): it
/// must then stay generated.
fn read_by_others(columns: &[ColumnSpec], name: &str) -> bool {
    columns.iter().any(|c| match &c.generator {
        Generator::Numeric { by: Some(b), .. } => {
            b.column == name || b.second_column.as_deref() == Some(name)
        }
        Generator::Categorical { by: Some(b), .. } => b.column == name,
        Generator::Derived { derivation } => derivation.inputs().contains(&name),
        _ => false,
    })
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
            Rule::DeterminedBy { .. }
            | Rule::ClockParts { .. }
            | Rule::ClockSum { .. }
            | Rule::DaysBetween { .. }
            | Rule::YearsBetween { .. } => continue,
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
    if (c.sensitive
        || matches!(c.kind, ColumnKind::Text | ColumnKind::Identifier)
        || c.semantic_type == Some(SemanticType::Organization))
        && let Some(g) = sensitive(c)
    {
        return g;
    }
    if let (Some(n), true) = (&c.numeric, c.logical_type.is_numeric()) {
        let masses: f64 = n.point_masses.iter().map(|m| m.share).sum();
        let stepped = n.integral && c.distinct <= STEPPED_DISTINCT;
        let encoding = n
            .encoding
            .filter(|_| c.logical_type == LogicalType::Integer);
        let mut point_masses: Vec<Weighted<f64>> = Vec::new();
        let mut quantiles = n.quantiles.clone();
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
        } else if !stepped && !loose {
            // Spikes only: a value far more frequent than the column's values on
            // average (a grid of measured temperatures is not spiky).
            let spikes: Vec<_> = n
                .point_masses
                .iter()
                .filter(|m| m.share * c.distinct.max(1) as f64 >= SPIKE)
                .cloned()
                .collect();
            let share: f64 = spikes.iter().map(|m| m.share).sum();
            if (PARTIAL_MASSES..1.0).contains(&share) {
                quantiles = without_masses(&n.quantiles, &spikes, encoding);
                point_masses = spikes
                    .iter()
                    .map(|m| Weighted {
                        value: m.value,
                        weight: m.share,
                    })
                    .collect();
            }
        }
        return Generator::Numeric {
            quantiles: coarse(&quantiles, loose),
            point_masses,
            decimals: c.decimals.unwrap_or(0).min(15),
            integer: c.logical_type == LogicalType::Integer,
            stepped,
            by: None,
            encoding,
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
            // ...on the weekdays and hours the profile released.
            weekday_weights: if d.coarsened_to.is_some() {
                d.weekday_shares.clone()
            } else {
                Vec::new()
            },
            hour_weights: match (d.coarsened_to, &d.hour_shares) {
                (Some(_), Some(h)) => h.clone(),
                _ => Vec::new(),
            },
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
                // Shapes also when no share is left for them: values held back by
                // name are made up from them on rows no `by` group covers.
                other_shapes: if other_share > 0.0 || cat.other_distinct > 0 {
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

/// The quantiles of the rows that are not point masses: the quantile function read
/// at 2,000 evenly spaced probabilities (interpolated on the real minutes or days of
/// an encoded column), less each mass's share of the readings nearest its value.
fn without_masses(
    quantiles: &[f64],
    masses: &[crate::wire::ValueShare<f64>],
    encoding: Option<NumberEncoding>,
) -> Vec<f64> {
    const READINGS: usize = 2000;
    if quantiles.len() < 2 || quantiles.iter().any(|q| !q.is_finite()) {
        return quantiles.to_vec();
    }
    let line = |x: f64| encoding.map_or(x, |e| e.to_line(x));
    let on_line: Vec<f64> = quantiles.iter().map(|&q| line(q)).collect();
    let readings: Vec<f64> = (0..READINGS)
        .map(|k| interpolate(&on_line, (k as f64 + 0.5) / READINGS as f64))
        .collect();
    let mut kept = vec![true; READINGS];
    for mass in masses.iter().filter(|m| m.value.is_finite()) {
        let v = line(mass.value);
        let mut take = (mass.share * READINGS as f64).round() as usize;
        // Walk outwards from the value, taking the nearest readings still kept.
        let mid = readings.partition_point(|&x| x < v);
        let (mut lo, mut hi) = (mid, mid);
        while take > 0 && (lo > 0 || hi < READINGS) {
            let below = (lo > 0).then(|| v - readings[lo - 1]);
            let above = (hi < READINGS).then(|| readings[hi] - v);
            let go_low = match (below, above) {
                (Some(b), Some(a)) => b <= a,
                (Some(_), None) => true,
                _ => false,
            };
            let i = if go_low {
                lo -= 1;
                lo
            } else {
                hi += 1;
                hi - 1
            };
            if kept[i] {
                kept[i] = false;
                take -= 1;
            }
        }
    }
    let rest: Vec<f64> = readings
        .iter()
        .zip(&kept)
        .filter(|(_, k)| **k)
        .map(|(x, _)| *x)
        .collect();
    if rest.len() < 2 {
        return quantiles.to_vec();
    }
    let last = (quantiles.len() - 1) as f64;
    let back = |x: f64| encoding.map_or(x, |e| e.from_line(x));
    (0..quantiles.len())
        .map(|i| back(interpolate(&rest, i as f64 / last)))
        .collect()
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
        weekday_weights: Vec::new(),
        hour_weights: Vec::new(),
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
            weekday_weights: Vec::new(),
            hour_weights: Vec::new(),
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
        // Mostly distinct company names: made-up companies, not their shapes.
        // Companies named often enough stay categories.
        Some(S::Organization) => c
            .categories
            .as_ref()
            .is_none_or(|cat| cat.other_share >= 0.5)
            .then_some(Generator::Semantic {
                semantic: Fake::Company,
            }),
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
                    && match &c.generator {
                        Generator::Numeric { .. }
                        | Generator::Datetime { .. }
                        | Generator::Boolean { .. } => true,
                        // A category with no value named (every value made up from
                        // shapes) has no order for the copula to carry.
                        Generator::Categorical { values, .. } => !values.is_empty(),
                        _ => false,
                    }
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
