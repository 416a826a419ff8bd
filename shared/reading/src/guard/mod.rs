//! guard: full profile → [`SafeProfile`] + what was withheld and why.
//!
//! The only door out. Every statistic it releases is determined by at least k rows,
//! whatever the table's size or alphabet:
//!
//! 1. No raw value of a sensitive column (a detected PII type, an identifier, free
//!    text, a birth or personal date the reader left as text) ever: such a column
//!    leaves as its type, null rate, and its lengths and shapes over a closed alphabet
//!    (any digit → `9`, letter → `A`/`a`, a fixed few symbols; nothing else survives).
//! 2. A category value is named only if it occurs at least k times, in a column that is
//!    not high-cardinality, and every share is rounded to a step worth k rows
//!    ([`release::share_step`]): a held-back count is the total minus the named ones
//!    only to within k rows, however few values were held back. The same holds for the
//!    cells of a conditional (groups × values): complementary protection by rounding.
//! 3. Numbers and dates ([`release`]): nothing with fewer than 2k values; ends at the
//!    k-th smallest and largest values; quantiles k rows apart (so 101 of them need
//!    about 100·k rows); mean, spread and skew winsorised at those ends (an outlier
//!    cannot be recovered as n·mean − Σ the rest); histogram bins of at least k rows;
//!    numbers rounded to a few significant digits; calendar profiles only when every
//!    day, month or hour holds at least k.
//! 4. Dates that describe a person are coarsened: birth dates to the year, other
//!    personal dates (admission, discharge, visit, death...) to the month.
//! 5. k is drawn per column from the guard seed, which callers draw from the operating
//!    system for every file (never the generation seed, which answers echo), so an
//!    attacker cannot plant exactly k−1 copies of a value; what the SafeProfile says of
//!    k is the configured range, not the draws. Counts that depend on k (quantiles,
//!    bins) use the public k_max instead.
//! 6. With `epsilon`, every figure comes from Laplace noise instead ([`dp`]): ε-
//!    differential privacy for counts, distributions and correlations, (ε, δ) for the
//!    names of categories and shapes, with the ε spent reported.
//!
//! The guard reads only the profile: the profile keeps the `tail` smallest and largest
//! values so the k-th can be chosen here without the raw table.

mod column;
mod conditional;
mod dp;
mod noise;
mod recheck;
mod release;

pub use conditional::MIN_GROUP_ROWS;
pub use noise::DELTA;
pub use recheck::{MAX_DECLARED_ROWS, recheck};

use crate::profile::{ColumnKind, ColumnProfile, Profile, Rule, SemanticType};
use crate::table::LogicalType;
use crate::wire::*;
use noise::Noise;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use release::{round_sig, round_to};
use serde::Serialize;

/// How strict the guard is.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardOptions {
    /// Seeds the per-column k and any noise. Callers draw it from the operating system
    /// for every file (the CLI, the relay and the page do); a fixed seed is only for
    /// reproducible runs and tests, and makes k and the noise predictable.
    pub seed: u64,
    /// Smallest k (default 5).
    pub k_min: u32,
    /// Largest k (default 7).
    pub k_max: u32,
    /// A categorical column with more distinct values than this names none of them
    /// (default 10,000).
    pub max_categories: u64,
    /// ...nor when more than this share of its present values are distinct (default 0.5).
    pub max_distinct_ratio: f64,
    /// Significant digits for numbers (default 4).
    pub significant_digits: u32,
    /// Total ε of differential privacy; None = the k-anonymity rules alone.
    pub epsilon: Option<f64>,
}

impl Default for GuardOptions {
    fn default() -> Self {
        GuardOptions {
            seed: 0,
            k_min: 5,
            k_max: 7,
            max_categories: 10_000,
            max_distinct_ratio: 0.5,
            significant_digits: 4,
            epsilon: None,
        }
    }
}

/// One thing the guard kept back, for the user to read. Never sent anywhere.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Withheld {
    /// The column (or `*` for the table).
    pub column: String,
    /// What was withheld.
    pub what: String,
    /// Why.
    pub why: String,
}

/// Reduces a profile to what may leave the machine.
pub fn guard(profile: &Profile, options: &GuardOptions) -> (SafeProfile, Vec<Withheld>) {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut withheld = Vec::new();
    let k_min = options.k_min.max(1);
    let k_max = options.k_max.max(k_min);
    let epsilon = options.epsilon.filter(|e| e.is_finite() && *e > 0.0);
    let mut noise = noise_for(profile, options.seed, epsilon);
    let rows = noise.count(profile.row_count);
    let mut renamed: Vec<(String, String)> = Vec::new();
    let mut columns = Vec::with_capacity(profile.columns.len());
    let mut ks = Vec::new();
    for (i, c) in profile.columns.iter().enumerate() {
        let k = rng.random_range(k_min..=k_max);
        ks.push(k);
        let mut col = if epsilon.is_some() {
            let mut release = dp::DpRelease {
                options,
                k,
                noise: &mut noise,
                withheld: &mut withheld,
                rows: rows as f64,
            };
            dp::safe_column(c, &mut release)
        } else {
            let mut release = column::Release {
                options,
                k,
                withheld: &mut withheld,
            };
            column::safe_column(c, &mut release)
        };
        if let Some(new) = pii_named(&c.name, i, &mut withheld) {
            renamed.push((c.name.clone(), new.clone()));
            col.name = new;
        }
        columns.push(col);
    }
    let table = Table {
        profile,
        columns: &columns,
        renamed: &renamed,
        ks: &ks,
        k_max,
        sig: options.significant_digits,
    };
    let correlations = table.correlations(&mut noise, rows);
    // Table-level structure: not under ε (not made private), and not for tables too
    // small to say anything of k rows.
    let structure = epsilon.is_none() && profile.sampled_rows >= 2 * u64::from(k_max);
    if epsilon.is_some() {
        withheld.push(Withheld {
            column: "*".into(),
            what: "rules, ordered pairs, conditionals, null groups and keys".into(),
            why: "under ε only noisy counts, distributions and correlations are released".into(),
        });
    }
    let (candidate_keys, ordered_pairs, rules, null_groups, conditionals) = if structure {
        let keys = profile
            .candidate_keys
            .iter()
            .map(|k| k.iter().map(|n| table.rename(n)).collect())
            .collect();
        let (ordered, rules) = (table.ordered_pairs(), table.rules());
        (
            keys,
            ordered,
            rules,
            table.null_groups(),
            table.conditionals(),
        )
    } else {
        Default::default()
    };
    let offsets = if structure {
        table.offsets(options, &mut withheld)
    } else {
        Vec::new()
    };
    let privacy = PrivacySummary {
        k_min,
        k_max,
        significant_digits: options.significant_digits,
        epsilon,
        epsilon_spent: noise.spent().map(|e| round_to(e, 6)),
        delta: epsilon.map(|_| DELTA),
        sampled_rows: if epsilon.is_some() {
            rows.min(profile.sampled_rows)
        } else {
            profile.sampled_rows
        },
        withheld_items: withheld.len() as u64,
    };
    let safe = SafeProfile {
        version: SAFE_PROFILE_VERSION,
        format: profile.format,
        row_count: rows,
        columns: columns.clone(),
        correlations,
        candidate_keys,
        ordered_pairs,
        rules,
        null_groups,
        conditionals,
        offsets,
        privacy,
        dialect: profile.dialect.clone(),
    };
    (safe, withheld)
}

/// The release's noise: none without ε; under ε the budget is split over exactly the
/// queries the release makes (the row count, each column's, and one per correlation
/// pair that may be released).
fn noise_for(profile: &Profile, seed: u64, epsilon: Option<f64>) -> Noise {
    let Some(e) = epsilon else {
        return Noise::off(seed);
    };
    let correlatable = profile
        .correlations
        .columns
        .iter()
        .filter(|n| {
            profile
                .columns
                .iter()
                .find(|c| &c.name == *n)
                .is_some_and(dp::correlatable)
        })
        .count();
    let queries = 1 + profile
        .columns
        .iter()
        .map(dp::column_queries)
        .sum::<usize>();
    let pairs = correlatable * correlatable.saturating_sub(1) / 2;
    Noise::dp(seed, e, queries, pairs)
}

/// A column's type and shape facts as released, with no distribution yet: the part of
/// a SafeColumn both releases (plain and under ε) share. `null_rate` and `distinct` are
/// the release's own (noised under ε).
pub(super) fn shape_facts(
    c: &ColumnProfile,
    sensitive: bool,
    null_rate: f64,
    distinct: u64,
) -> SafeColumn {
    SafeColumn {
        name: c.name.clone(),
        logical_type: c.logical,
        kind: c.kind,
        semantic_type: c.semantic.map(|s| s.kind),
        semantic_confidence: c.semantic.map(|s| round_to(s.confidence.min(1.0), 2)),
        sensitive,
        format: c.format.clone(),
        decimals: c.decimals,
        written: c.written.clone(),
        null_rate: round_to(null_rate, 4),
        distinct: round_sig(distinct as f64, 2) as u64,
        unique: c.unique,
        numeric: None,
        datetime: None,
        categories: None,
        text: None,
    }
}

/// The neutral name (`column_3`) for a column whose name itself looks like personal
/// data (a headerless file's first row), said in the withheld list.
fn pii_named(name: &str, i: usize, withheld: &mut Vec<Withheld>) -> Option<String> {
    if !crate::profile::semantic::looks_like_pii_value(name) {
        return None;
    }
    let new = format!("column_{}", i + 1);
    withheld.push(Withheld {
        column: new.clone(),
        what: "the column name".into(),
        why: "the name itself looks like personal data (was the first row data, not a header?)"
            .into(),
    });
    Some(new)
}

/// The table-level parts of a release, over the released columns.
struct Table<'a> {
    profile: &'a Profile,
    columns: &'a [SafeColumn],
    renamed: &'a [(String, String)],
    ks: &'a [u32],
    k_max: u32,
    sig: u32,
}

impl Table<'_> {
    fn rename(&self, n: &str) -> String {
        self.renamed
            .iter()
            .find(|(a, _)| a == n)
            .map_or(n.to_string(), |(_, b)| b.clone())
    }

    fn released(&self, n: &str) -> Option<&SafeColumn> {
        let name = self.rename(n);
        self.columns.iter().find(|c| c.name == name)
    }

    /// Sensitive columns, and columns whose distribution was withheld, take no part in
    /// relations: their order or co-occurrence says what their values do not.
    fn usable(&self, n: &str) -> bool {
        self.released(n).is_some_and(|c| {
            !c.sensitive && (c.numeric.is_some() || c.datetime.is_some() || c.categories.is_some())
        })
    }

    fn k_of(&self, name: &str) -> u32 {
        self.profile
            .columns
            .iter()
            .position(|c| c.name == name)
            .map_or(self.k_max, |i| self.ks[i])
    }

    /// Rounded rank correlations; under ε each with Laplace noise of Spearman's ρ
    /// sensitivity (at most 30/n for one row added or removed; 32/n after the
    /// copula's 2·sin(πρ/6)), n taken as the noisy row count less its noise margin.
    fn correlations(&self, noise: &mut Noise, rows: u64) -> SafeCorrelations {
        let cor = &self.profile.correlations;
        let keep: Vec<usize> = (0..cor.columns.len())
            .filter(|&i| self.usable(&cor.columns[i]))
            .collect();
        let dp = noise.budget().is_some();
        let n_low = rows as f64 - noise.scale() * (1.0 / DELTA).ln();
        if dp && n_low < 30.0 {
            return SafeCorrelations {
                columns: Vec::new(),
                matrix: Vec::new(),
            };
        }
        let mut matrix = vec![vec![0.0; keep.len()]; keep.len()];
        for a in 0..keep.len() {
            matrix[a][a] = 1.0;
            for b in a + 1..keep.len() {
                let r = cor.matrix[keep[a]][keep[b]];
                let r = if dp {
                    noise.correlation(r, 32.0 / n_low).clamp(-1.0, 1.0)
                } else {
                    r
                };
                matrix[a][b] = round_to(r, 2);
                matrix[b][a] = matrix[a][b];
            }
        }
        SafeCorrelations {
            columns: keep.iter().map(|&i| self.rename(&cor.columns[i])).collect(),
            matrix,
        }
    }

    fn rules(&self) -> Vec<Rule> {
        self.profile
            .rules
            .iter()
            .filter(|r| match r {
                // Calendar arithmetic names no value: it may join personal dates
                // (an age from a birth date), released coarsened as they are.
                Rule::DaysBetween { .. } | Rule::YearsBetween { .. } => {
                    r.columns().iter().all(|n| {
                        self.released(n)
                            .is_some_and(|c| c.numeric.is_some() || c.datetime.is_some())
                    })
                }
                _ => r.columns().iter().all(|n| self.usable(n)),
            })
            .map(|r| rename_rule(r, &|n| self.rename(n)))
            .collect()
    }

    fn ordered_pairs(&self) -> Vec<SafeOrderedPair> {
        self.profile
            .ordered_pairs
            .iter()
            .filter(|p| self.usable(&p.low) && self.usable(&p.high))
            .map(|p| SafeOrderedPair {
                low: self.rename(&p.low),
                high: self.rename(&p.high),
            })
            .collect()
    }

    fn null_groups(&self) -> Vec<SafeNullGroup> {
        self.profile
            .null_groups
            .iter()
            .filter(|g| g.rows >= u64::from(self.k_max))
            .map(|g| SafeNullGroup {
                columns: g.columns.iter().map(|n| self.rename(n)).collect(),
            })
            .collect()
    }

    /// Offsets between two released numbers, their distribution released like a
    /// numeric column's under the larger of the two columns' k.
    fn offsets(&self, options: &GuardOptions, withheld: &mut Vec<Withheld>) -> Vec<SafeOffset> {
        let numeric =
            |n: &str| self.usable(n) && self.released(n).is_some_and(|c| c.numeric.is_some());
        self.profile
            .offsets
            .iter()
            .filter(|o| numeric(&o.target) && numeric(&o.from))
            .filter_map(|o| {
                let (target, from) = (self.rename(&o.target), self.rename(&o.from));
                let mut release = column::Release {
                    options,
                    k: self.k_of(&o.target).max(self.k_of(&o.from)),
                    withheld: &mut *withheld,
                };
                let name = format!("{target} − {from}");
                let quantiles = column::offset_quantiles(&name, &o.offsets, &mut release)?;
                Some(SafeOffset {
                    target,
                    from,
                    quantiles,
                })
            })
            .collect()
    }

    fn conditionals(&self) -> Vec<SafeConditional> {
        self.profile
            .conditionals
            .iter()
            .filter(|d| self.usable(&d.target) && self.usable(&d.by))
            .filter_map(|d| {
                let second_by = d
                    .second_by
                    .as_deref()
                    .filter(|s| self.usable(s))
                    .and_then(|s| self.released(s));
                let k = self
                    .k_of(&d.target)
                    .max(self.k_of(&d.by))
                    .max(d.second_by.as_deref().map_or(0, |s| self.k_of(s)));
                let released = conditional::Released {
                    by: self.released(&d.by)?,
                    target: self.released(&d.target)?,
                    second_by,
                };
                conditional::safe_conditional(d, k, self.k_max, &released, self.sig).map(|mut s| {
                    s.target = released.target.name.clone();
                    s.by = released.by.name.clone();
                    if s.second_by.is_some() {
                        s.second_by = second_by.map(|c| c.name.clone());
                    }
                    s
                })
            })
            .collect()
    }
}

/// Most values [`withheld_values`] returns.
pub const MAX_WITHHELD_VALUES: usize = 10_000;

/// Real values the guard kept out of `safe` that a synthetic table must not contain:
/// the rare categories it dropped, and email addresses of sensitive columns (except
/// at the example domains the generator itself uses). The
/// evaluate step searches the output for them ("withheld values found", must be 0).
///
/// Other personal values (names, numbers from a pattern) are left out on purpose: a
/// made-up name or a random 9-digit number can equal a real one by chance, which says
/// nothing about what left the machine; the verbatim-copy rates report those instead.
/// Short values (under 4 characters) and plain numbers are left out for the same
/// reason. Only the profile's listed values are known here (its `top_values`: the most
/// frequent 1,000 per column by default), so in a column of many distinct values the
/// rest go unsearched. Stays local: it holds real values.
pub fn withheld_values(profile: &Profile, safe: &SafeProfile) -> Vec<String> {
    let mut out = Vec::new();
    for (c, s) in profile.columns.iter().zip(&safe.columns) {
        if c.logical != LogicalType::Text {
            continue;
        }
        let kept: Vec<&str> = s
            .categories
            .as_ref()
            .map(|cats| cats.values.iter().map(|v| v.value.as_str()).collect())
            .unwrap_or_default();
        let sensitive = s.sensitive || is_sensitive(c);
        for v in &c.top_values {
            let value = v.value.trim();
            let distinctive = value.chars().count() >= 4 && value.parse::<f64>().is_err();
            let wanted = if sensitive {
                // Emails at the reserved example domains are what the generator makes
                // up itself: finding one proves nothing.
                value.contains('@') && !is_example_address(value)
            } else {
                !kept.contains(&value)
            };
            if distinctive && wanted && out.len() < MAX_WITHHELD_VALUES {
                out.push(value.to_string());
            }
        }
    }
    out
}

/// An address at `example.com`, `.org` or `.net` (RFC 2606), or a subdomain of one.
fn is_example_address(email: &str) -> bool {
    let domain = email
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
}

/// Whether a column's raw values must never leave.
fn is_sensitive(c: &ColumnProfile) -> bool {
    sensitive_kind(c.kind, c.semantic.map(|s| s.kind))
        || (c.logical == LogicalType::Text && personal_date(&c.name) && dated_text(c))
}

/// Identifiers, free text and personal data: the one rule, for profiles and for
/// SafeProfiles received from elsewhere.
fn sensitive_kind(kind: ColumnKind, semantic: Option<SemanticType>) -> bool {
    matches!(kind, ColumnKind::Identifier | ColumnKind::Text)
        || semantic.is_some_and(|s| s.is_pii() || s == SemanticType::FreeText)
}

/// Text values that are mostly dates the reader did not parse (`12 Mar 85`,
/// `3/4/85 ish`): digits with date separators or a month name.
fn dated_text(c: &ColumnProfile) -> bool {
    let values: Vec<&str> = c.top_values.iter().map(|v| v.value.as_str()).collect();
    looks_dated(&values)
}

pub(crate) fn looks_dated(values: &[&str]) -> bool {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if values.is_empty() {
        return false;
    }
    let dated = values
        .iter()
        .filter(|v| {
            let digits = v.chars().filter(|c| c.is_numeric()).count();
            let lower = v.to_lowercase();
            v.chars().count() <= 32
                && digits >= 2
                && (v.contains(['/', '-', '.']) || MONTHS.iter().any(|m| lower.contains(m)))
        })
        .count();
    dated * 2 >= values.len()
}

/// Names of dates that describe a person (beyond birth dates).
fn personal_date(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "admi",
        "discharg",
        "visit",
        "death",
        "deceased",
        "appointment",
        "encounter",
        "diagnos",
        "procedure",
        "service_date",
        "surgery",
        "hire",
        "termination",
    ]
    .iter()
    .any(|w| n.contains(w))
}

fn rename_rule(r: &Rule, f: &dyn Fn(&str) -> String) -> Rule {
    match r {
        Rule::Sum {
            target,
            left,
            right,
        } => Rule::Sum {
            target: f(target),
            left: f(left),
            right: f(right),
        },
        Rule::Difference {
            target,
            left,
            right,
        } => Rule::Difference {
            target: f(target),
            left: f(left),
            right: f(right),
        },
        Rule::Product {
            target,
            left,
            right,
        } => Rule::Product {
            target: f(target),
            left: f(left),
            right: f(right),
        },
        Rule::ClockParts {
            target,
            hour,
            minute,
        } => Rule::ClockParts {
            target: f(target),
            hour: f(hour),
            minute: f(minute),
        },
        Rule::ClockSum {
            target,
            clock,
            minutes,
        } => Rule::ClockSum {
            target: f(target),
            clock: f(clock),
            minutes: f(minutes),
        },
        Rule::DaysBetween {
            target,
            later,
            earlier,
        } => Rule::DaysBetween {
            target: f(target),
            later: f(later),
            earlier: f(earlier),
        },
        Rule::YearsBetween {
            target,
            later,
            earlier,
        } => Rule::YearsBetween {
            target: f(target),
            later: f(later),
            earlier: f(earlier),
        },
        Rule::DeterminedBy {
            target,
            by,
            second_by,
        } => Rule::DeterminedBy {
            target: f(target),
            by: f(by),
            second_by: second_by.as_deref().map(f),
        },
    }
}
