//! `derived`: a column computed from other columns of the same row: arithmetic of
//! two numbers, a number or a date plus an offset drawn from quantiles, a date plus a
//! column of days, the years between two dates, an email address from a name.
//! Resolved after every other column is compiled, made after every other column of
//! the block is drawn; a derived column may read derived ones, which come first
//! ([`order`]).

use super::{Datetime, Gen, US_PER_DAY, interpolate, round_to};
use crate::generate::Values;
use crate::math::round;
use crate::plan::{Checker, PlannedColumn};
use crate::spec::{Derivation, Generator, NumberEncoding, Spec};
use crate::table::LogicalType;
use std::borrow::Cow;
use std::collections::HashMap;

/// A derived column, compiled: its inputs resolved to column indices.
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
        offset: Offset,
        logical: LogicalType,
        format: String,
    },
    /// Whole years from one date (or datetime) to another; whether each input is a
    /// date (days) rather than a datetime (microseconds).
    YearsBetween {
        from: (usize, bool),
        to: (usize, bool),
    },
    EmailFromName {
        from: usize,
    },
    /// The hours (`hour`) or the minutes of an HHMM clock.
    ClockPart {
        from: usize,
        hour: bool,
    },
    /// `clock` plus `minutes`, around the clock, written HHMM.
    ClockAdd {
        clock: usize,
        minutes: usize,
    },
    /// `from` plus an offset drawn from a quantile function, rounded like `from`.
    AddOffset {
        from: usize,
        offsets: Vec<f64>,
        decimals: u8,
        integer: bool,
    },
}

/// Where a date's offset comes from.
#[derive(Debug, Clone)]
pub(crate) enum Offset {
    /// Days drawn from a quantile function.
    Drawn(Vec<f64>),
    /// Whole days read from a number column; a datetime gets a time inside the last.
    Column(usize),
}

/// Resolves a derivation's inputs: they must exist and not be derived themselves.
pub(crate) fn resolve(
    c: &mut Checker,
    path: &str,
    d: &Derivation,
    spec: &Spec,
    columns: &[PlannedColumn],
) -> Option<Derived> {
    match d {
        Derivation::Add { left, right }
        | Derivation::Subtract { left, right }
        | Derivation::Multiply { left, right } => {
            let (l, r) = (
                input(c, spec, columns, path, "left", left)?,
                input(c, spec, columns, path, "right", right)?,
            );
            let (Some((dl, il)), Some((dr, ir))) = (number(columns, l), number(columns, r)) else {
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
            if !quantile_function(c, &format!("{path}.offset_days"), offset_days) {
                return None;
            }
            date_offset(
                c,
                spec,
                path,
                from,
                columns,
                Offset::Drawn(offset_days.clone()),
            )
        }
        Derivation::AddDays { from, days } => {
            let n = input(c, spec, columns, path, "days", days)?;
            if number(columns, n).is_none() {
                c.fail(
                    format!("{path}.days"),
                    format!("{days:?} is not a number column"),
                    "a numeric column of days",
                    "add days from a number column",
                );
                return None;
            }
            date_offset(c, spec, path, from, columns, Offset::Column(n))
        }
        Derivation::YearsBetween { from, to } => {
            let (f, t) = (
                input(c, spec, columns, path, "from", from)?,
                input(c, spec, columns, path, "to", to)?,
            );
            let (lf, _) = date(c, path, from, &columns[f].recipe)?;
            let (lt, _) = date(c, path, to, &columns[t].recipe)?;
            Some(Derived::YearsBetween {
                from: (f, lf == LogicalType::Date),
                to: (t, lt == LogicalType::Date),
            })
        }
        Derivation::EmailFromName { from } => {
            let f = input(c, spec, columns, path, "from", from)?;
            if columns[f].recipe.output().0 != LogicalType::Text {
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
        Derivation::HourOf { from } | Derivation::MinuteOf { from } => {
            let f = input(c, spec, columns, path, "from", from)?;
            clock(c, &format!("{path}.from"), from, &columns[f].recipe)?;
            Some(Derived::ClockPart {
                from: f,
                hour: matches!(d, Derivation::HourOf { .. }),
            })
        }
        Derivation::AddOffset { from, offsets } => {
            let f = input(c, spec, columns, path, "from", from)?;
            let Some((decimals, integer)) = number(columns, f) else {
                c.fail(
                    format!("{path}.from"),
                    format!("{from:?} is not a number column"),
                    "a numeric or sequence column",
                    "use date_offset for dates",
                );
                return None;
            };
            if !quantile_function(c, &format!("{path}.offsets"), offsets) {
                return None;
            }
            Some(Derived::AddOffset {
                from: f,
                offsets: offsets.clone(),
                decimals,
                integer,
            })
        }
        Derivation::ClockAdd { clock: at, minutes } => {
            let (f, m) = (
                input(c, spec, columns, path, "clock", at)?,
                input(c, spec, columns, path, "minutes", minutes)?,
            );
            clock(c, &format!("{path}.clock"), at, &columns[f].recipe)?;
            minutes_column(c, path, minutes, number(columns, m))?;
            Some(Derived::ClockAdd {
                clock: f,
                minutes: m,
            })
        }
    }
}

/// Checks that offsets are a quantile function: at least 2 finite, non-decreasing
/// numbers.
fn quantile_function(c: &mut Checker, path: &str, q: &[f64]) -> bool {
    let sorted = q.windows(2).all(|w| w[0] <= w[1]);
    let usable = q.len() >= 2 && sorted && q.iter().all(|x| x.is_finite());
    if !usable {
        c.fail(
            path.to_string(),
            "not a usable quantile function".to_string(),
            "at least 2 finite, non-decreasing numbers",
            "give at least the smallest and the largest offset",
        );
    }
    usable
}

/// The derived columns in an order where every derived input comes before the columns
/// that read it (an arrival time reads the arrival delay, which reads the departure
/// delay). A column that reads itself, directly or through others, is a problem at
/// its path; it and the columns that read it are left out. Iterative (Kahn's
/// algorithm, twice): a spec's 4,096 columns in one chain would be as deep a recursion.
pub(crate) fn order(c: &mut Checker, spec: &Spec) -> Vec<usize> {
    let index: HashMap<&str, usize> = spec
        .columns
        .iter()
        .enumerate()
        .map(|(i, col)| (col.name.as_str(), i))
        .collect();
    let derived = |i: usize| matches!(spec.columns[i].generator, Generator::Derived { .. });
    // inputs[i]: the derived columns column i reads; readers: the reverse.
    let n = spec.columns.len();
    let mut inputs: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut readers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, col) in spec.columns.iter().enumerate() {
        if let Generator::Derived { derivation } = &col.generator {
            for name in derivation.inputs() {
                if let Some(&j) = index.get(name).filter(|&&j| derived(j)) {
                    inputs[i].push(j);
                    readers[j].push(i);
                }
            }
        }
    }
    // Forward: a column is placed once every derived column it reads is.
    let mut waiting: Vec<usize> = inputs.iter().map(Vec::len).collect();
    let mut out: Vec<usize> = (0..n).filter(|&i| derived(i) && waiting[i] == 0).collect();
    let mut next = 0;
    while next < out.len() {
        for &r in &readers[out[next]] {
            waiting[r] -= 1;
            if waiting[r] == 0 {
                out.push(r);
            }
        }
        next += 1;
    }
    // Left over: the circles and the columns that read them. Peeling off, backwards,
    // the columns no leftover column reads leaves the circles.
    let mut left = vec![false; n];
    for i in (0..n).filter(|&i| derived(i) && waiting[i] > 0) {
        left[i] = true;
    }
    let mut read_by: Vec<usize> = (0..n)
        .map(|i| readers[i].iter().filter(|&&r| left[r]).count())
        .collect();
    let mut peel: Vec<usize> = (0..n).filter(|&i| left[i] && read_by[i] == 0).collect();
    while let Some(i) = peel.pop() {
        left[i] = false;
        for &j in &inputs[i] {
            read_by[j] -= 1;
            if left[j] && read_by[j] == 0 {
                peel.push(j);
            }
        }
    }
    for i in (0..n).filter(|&i| left[i]) {
        c.fail(
            format!("$.columns[{i}].generator.derivation"),
            format!(
                "{:?} is derived from itself, through the columns it reads",
                spec.columns[i].name
            ),
            "derived columns that read generated columns, or derived ones that do not read back",
            "make one column of the circle generated",
        );
    }
    out
}

/// Checks that the minutes a clock is moved by are a number column.
fn minutes_column(
    c: &mut Checker,
    path: &str,
    name: &str,
    number: Option<(u8, bool)>,
) -> Option<()> {
    if number.is_some() {
        return Some(());
    }
    c.fail(
        format!("{path}.minutes"),
        format!("{name:?} is not a number column"),
        "a numeric or sequence column of minutes",
        "derive the later clock from a clock and a number of minutes",
    );
    None
}

/// The column an input names: it must exist. A derived input is resolved first
/// ([`order`]); one still unresolved is in a cycle, reported there.
fn input(
    c: &mut Checker,
    spec: &Spec,
    columns: &[PlannedColumn],
    path: &str,
    field: &str,
    name: &str,
) -> Option<usize> {
    let found = spec.columns.iter().position(|col| col.name == name);
    match found {
        Some(i) if matches!(spec.columns[i].generator, Generator::Derived { .. }) => {
            matches!(columns[i].recipe, Gen::Derived(_)).then_some(i)
        }
        Some(i) => Some(i),
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
}

/// The decimals and integer flag of a number column; `None` for other kinds.
fn number(columns: &[PlannedColumn], i: usize) -> Option<(u8, bool)> {
    match &columns[i].recipe {
        Gen::Numeric(n) => Some((n.decimals, n.integer)),
        Gen::Sequence(_)
        | Gen::Derived(
            Derived::ClockPart { .. } | Derived::ClockAdd { .. } | Derived::YearsBetween { .. },
        ) => Some((0, true)),
        Gen::Derived(
            Derived::Arithmetic {
                decimals, integer, ..
            }
            | Derived::AddOffset {
                decimals, integer, ..
            },
        ) => Some((*decimals, *integer)),
        _ => None,
    }
}

/// Checks that a derivation's input is a date or datetime column; its type and format.
/// A date (or datetime) `from` plus an offset, in `from`'s type and format.
fn date_offset(
    c: &mut Checker,
    spec: &Spec,
    path: &str,
    from: &str,
    columns: &[PlannedColumn],
    offset: Offset,
) -> Option<Derived> {
    let f = input(c, spec, columns, path, "from", from)?;
    let (logical, format) = date(c, path, from, &columns[f].recipe)?;
    Some(Derived::DateOffset {
        from: f,
        offset,
        logical,
        format,
    })
}

fn date(c: &mut Checker, path: &str, name: &str, recipe: &Gen) -> Option<(LogicalType, String)> {
    match recipe {
        Gen::Datetime(Datetime {
            logical, format, ..
        })
        | Gen::Derived(Derived::DateOffset {
            logical, format, ..
        }) if matches!(logical, LogicalType::Date | LogicalType::DateTime) => {
            Some((*logical, format.clone()))
        }
        _ => {
            c.fail(
                path.to_string(),
                format!("{name:?} is not a date or datetime column"),
                "a date or datetime column",
                "offsets and years apply to dates",
            );
            None
        }
    }
}

/// Checks that a derivation's input is a clock written HHMM.
fn clock(c: &mut Checker, path: &str, name: &str, recipe: &Gen) -> Option<()> {
    match recipe {
        Gen::Numeric(n) if n.encoding == Some(NumberEncoding::ClockHhmm) => return Some(()),
        Gen::Derived(Derived::ClockAdd { .. }) => return Some(()),
        _ => {}
    }
    c.fail(
        path.to_string(),
        format!("{name:?} is not a clock column"),
        "a numeric column with encoding clock_hhmm",
        "hours, minutes and clock sums need a clock time written HHMM",
    );
    None
}

/// The derived column of one block, from its inputs' values.
pub(crate) fn draw<'p>(
    d: &Derived,
    cols: &[Values<'p>],
    u: &[f64],
    nulls: &[f64],
    null_rate: f64,
) -> Values<'p> {
    // Compile checks that inputs are numbers (or, for e-mails, text); an input of
    // another kind reads as missing, so the derived cell is missing too.
    let numbers = |i: usize| match &cols[i] {
        Values::Number(v) => v.as_slice(),
        Values::Bool(_) | Values::Text(_) => &[],
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
                        let (x, y) = (a.get(r).copied()??, b.get(r).copied()??);
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
            offset,
            logical,
            ..
        } => {
            let base = numbers(*from);
            let unit = if *logical == LogicalType::Date {
                1.0
            } else {
                US_PER_DAY
            };
            let days = match offset {
                Offset::Column(n) => numbers(*n),
                Offset::Drawn(_) => &[],
            };
            Values::Number(
                (0..u.len())
                    .map(|r| {
                        let x = base.get(r).copied()??;
                        let offset = match offset {
                            Offset::Drawn(q) => interpolate(q, u[r]),
                            // Whole days, and for a datetime a time inside the last
                            // one, so the days between the two read back exactly.
                            Offset::Column(_) => {
                                let d = days.get(r).copied()??.floor();
                                if *logical == LogicalType::Date {
                                    d
                                } else {
                                    d + u[r]
                                }
                            }
                        };
                        (!missing(r)).then(|| (x + offset * unit).floor())
                    })
                    .collect(),
            )
        }
        Derived::YearsBetween { from, to } => {
            let day = |&(i, is_date): &(usize, bool), r: usize| -> Option<i64> {
                let x = numbers(i).get(r).copied()??;
                Some(if is_date { x } else { (x / US_PER_DAY).floor() } as i64)
            };
            Values::Number(
                (0..u.len())
                    .map(|r| {
                        let years = crate::datetime_text::whole_years(day(from, r)?, day(to, r)?)?;
                        (!missing(r)).then_some(years as f64)
                    })
                    .collect(),
            )
        }
        Derived::ClockPart { from, hour } => {
            let clock = numbers(*from);
            Values::Number(
                (0..u.len())
                    .map(|r| {
                        let v = clock.get(r).copied()??;
                        let part = if *hour {
                            (v / 100.0).floor()
                        } else {
                            v.rem_euclid(100.0)
                        };
                        (!missing(r)).then_some(part)
                    })
                    .collect(),
            )
        }
        Derived::ClockAdd { clock, minutes } => {
            let (at, gap) = (numbers(*clock), numbers(*minutes));
            let e = NumberEncoding::ClockHhmm;
            Values::Number(
                (0..u.len())
                    .map(|r| {
                        let (v, m) = (at.get(r).copied()??, gap.get(r).copied()??);
                        let later = (e.to_line(v) + m.round()).rem_euclid(1440.0);
                        (!missing(r)).then(|| e.from_line(later))
                    })
                    .collect(),
            )
        }
        Derived::AddOffset {
            from,
            offsets,
            decimals,
            integer,
        } => {
            let base = numbers(*from);
            Values::Number(
                (0..u.len())
                    .map(|r| {
                        let v = base.get(r).copied()?? + interpolate(offsets, u[r]);
                        (!missing(r)).then(|| {
                            if *integer {
                                round(v)
                            } else {
                                round_to(v, *decimals)
                            }
                        })
                    })
                    .collect(),
            )
        }
        Derived::EmailFromName { from } => {
            let names = match &cols[*from] {
                Values::Text(names) => names.as_slice(),
                Values::Number(_) | Values::Bool(_) => &[],
            };
            Values::Text(
                (0..u.len())
                    .map(|r| {
                        let name = names.get(r)?.as_deref()?;
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
