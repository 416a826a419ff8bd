//! guard: full profile → [`SafeProfile`] + what was withheld and why.
//!
//! The only door out. Rules, in order of importance:
//!
//! 1. No raw value of a sensitive column (a detected PII type, an identifier, free
//!    text) ever: such a column leaves as its type, null rate, length and shape
//!    statistics only.
//! 2. A category value is named only if it occurs at least k times, with k drawn in
//!    `k_min..=k_max` per column from the guard seed (so the threshold cannot be probed
//!    by planting values), and only in columns that are not high-cardinality. The rest
//!    becomes an "other" share.
//! 3. No true extremes: the ends of every distribution are the k-th smallest and
//!    largest values, and numbers are rounded to a few significant digits.
//! 4. Dates that describe a person are coarsened: birth dates to the year, other
//!    personal dates (admission, discharge, visit, death...) to the month.
//! 5. Optionally, Laplace noise with a stated ε on every count and histogram.
//!
//! The guard reads only the profile: the profile keeps the `tail` smallest and largest
//! values so the k-th can be chosen here without the raw table.

use crate::profile::{
    ColumnKind, ColumnProfile, Conditional, Granularity, GroupTarget, NumericStats, Profile, Rule,
    SemanticType,
};
use crate::table::LogicalType;
use crate::wire::*;
use chrono::{DateTime, Datelike, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// How strict the guard is.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardOptions {
    /// Seeds the per-column k and any noise. Callers draw it at random for real use
    /// and fix it in tests.
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
    /// Total ε for Laplace noise on counts and histograms; None = no noise.
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    // Sequential composition: ε is split evenly over every released count vector.
    let noised_vectors = profile.columns.len() * 5 + 1 + profile.conditionals.len();
    let eps_each = options.epsilon.map(|e| e / noised_vectors as f64);
    let mut noise = Noise {
        rng: ChaCha8Rng::seed_from_u64(options.seed ^ 0x9E37_79B9_7F4A_7C15),
        eps: eps_each,
    };
    let mut renamed: Vec<(String, String)> = Vec::new();
    let mut columns = Vec::with_capacity(profile.columns.len());
    let mut ks = Vec::new();
    for (i, c) in profile.columns.iter().enumerate() {
        let k = rng.random_range(options.k_min..=options.k_max.max(options.k_min));
        ks.push(k);
        let mut col = safe_column(
            c,
            k,
            options,
            &mut noise,
            &mut withheld,
            profile.sampled_rows,
        );
        if crate::profile::semantic::looks_like_pii_value(&c.name) {
            let new = format!("column_{}", i + 1);
            withheld.push(Withheld {
                column: new.clone(),
                what: "the column name".into(),
                why: "the name itself looks like personal data (was the first row data, not a header?)".into(),
            });
            renamed.push((c.name.clone(), new.clone()));
            col.name = new;
        }
        columns.push(col);
    }
    let rename = |n: &str| {
        renamed
            .iter()
            .find(|(a, _)| a == n)
            .map_or(n.to_string(), |(_, b)| b.clone())
    };
    let sensitive = |n: &str| columns.iter().any(|c| c.name == rename(n) && c.sensitive);

    // Correlations: not for sensitive columns (their order carries information about
    // values we do not describe).
    let keep: Vec<usize> = (0..profile.correlations.columns.len())
        .filter(|&i| !sensitive(&profile.correlations.columns[i]))
        .collect();
    let correlations = SafeCorrelations {
        columns: keep
            .iter()
            .map(|&i| rename(&profile.correlations.columns[i]))
            .collect(),
        matrix: keep
            .iter()
            .map(|&i| {
                keep.iter()
                    .map(|&j| round_to(profile.correlations.matrix[i][j], 2))
                    .collect()
            })
            .collect(),
    };
    let rules = profile
        .rules
        .iter()
        .filter(|r| rule_columns(r).iter().all(|n| !sensitive(n)))
        .map(|r| rename_rule(r, &rename))
        .collect();
    let ordered_pairs = profile
        .ordered_pairs
        .iter()
        .map(|p| SafeOrderedPair {
            low: rename(&p.low),
            high: rename(&p.high),
        })
        .collect();
    let null_groups = profile
        .null_groups
        .iter()
        .filter(|g| g.rows >= u64::from(options.k_max))
        .map(|g| SafeNullGroup {
            columns: g.columns.iter().map(|n| rename(n)).collect(),
        })
        .collect();
    let k_of = |name: &str| {
        profile
            .columns
            .iter()
            .position(|c| c.name == name)
            .map_or(options.k_max, |i| ks[i])
    };
    let conditionals = profile
        .conditionals
        .iter()
        .filter(|d| !sensitive(&d.target) && !sensitive(&d.by))
        .filter_map(|d| {
            let k = k_of(&d.target).max(k_of(&d.by));
            let by = columns.iter().find(|c| c.name == rename(&d.by))?;
            let target = columns.iter().find(|c| c.name == rename(&d.target))?;
            safe_conditional(d, k, by, target, options.significant_digits, &mut noise).map(
                |mut s| {
                    s.target = target.name.clone();
                    s.by = by.name.clone();
                    s
                },
            )
        })
        .collect();
    let safe = SafeProfile {
        version: SAFE_PROFILE_VERSION,
        format: profile.format,
        row_count: noise.count(profile.row_count),
        columns,
        correlations,
        candidate_keys: profile
            .candidate_keys
            .iter()
            .map(|k| k.iter().map(|n| rename(n)).collect())
            .collect(),
        ordered_pairs,
        rules,
        null_groups,
        conditionals,
        privacy: PrivacySummary {
            k_min: ks.iter().copied().min().unwrap_or(options.k_min),
            k_max: ks.iter().copied().max().unwrap_or(options.k_max),
            significant_digits: options.significant_digits,
            epsilon: options.epsilon,
            sampled_rows: profile.sampled_rows,
            withheld_items: withheld.len() as u64,
        },
    };
    (safe, withheld)
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

/// Re-applies the guard's rules to a SafeProfile that arrived from elsewhere (the
/// relay's defence in depth: the page is trusted to run the guard, the relay checks
/// anyway). Sensitive columns lose any values, category values whose share means
/// fewer than `k_min` rows become "other", column names that look like personal data
/// are replaced, and rules, conditionals and null groups that name a sensitive or
/// renamed column are dropped. What was changed is listed.
pub fn recheck(p: &SafeProfile, options: &GuardOptions) -> (SafeProfile, Vec<Withheld>) {
    let mut out = p.clone();
    let mut withheld = Vec::new();
    let k = f64::from(options.k_min);
    let rows = p.row_count.max(1) as f64;
    let mut renamed = Vec::new();
    for (i, c) in out.columns.iter_mut().enumerate() {
        let sensitive = c.sensitive || sensitive_kind(c.kind, c.semantic_type);
        let birth = c.semantic_type == Some(SemanticType::DateOfBirth);
        if sensitive
            && (c.numeric.is_some() || c.categories.is_some() || (c.datetime.is_some() && !birth))
        {
            c.numeric = None;
            c.categories = None;
            if !birth {
                c.datetime = None;
            }
            withheld.push(Withheld {
                column: c.name.clone(),
                what: "all values".into(),
                why: "a sensitive column arrived with values".into(),
            });
        }
        c.sensitive |= sensitive;
        if let Some(cats) = &mut c.categories {
            let present = (1.0 - c.null_rate).max(0.0) * rows;
            let before = cats.values.len();
            let (keep, rare): (Vec<_>, Vec<_>) = cats
                .values
                .drain(..)
                .partition(|v| v.share * present >= k - 1e-9);
            cats.other_share = round_to(
                cats.other_share + rare.iter().map(|v| v.share).sum::<f64>(),
                4,
            );
            cats.other_distinct += rare.len() as u64;
            cats.values = keep;
            if cats.values.len() < before {
                withheld.push(Withheld {
                    column: c.name.clone(),
                    what: "rare category values".into(),
                    why: format!(
                        "{} value(s) stand for fewer than {k} rows",
                        before - cats.values.len()
                    ),
                });
            }
        }
        if crate::profile::semantic::looks_like_pii_value(&c.name) {
            let new = format!("column_{}", i + 1);
            renamed.push(c.name.clone());
            withheld.push(Withheld {
                column: new.clone(),
                what: "the column name".into(),
                why: "the name itself looks like personal data".into(),
            });
            c.name = new;
        }
    }
    let bad = |n: &str| {
        renamed.iter().any(|r| r == n) || out.columns.iter().any(|c| c.name == n && c.sensitive)
    };
    out.correlations = {
        let keep: Vec<usize> = (0..p.correlations.columns.len())
            .filter(|&i| !bad(&p.correlations.columns[i]))
            .collect();
        SafeCorrelations {
            columns: keep
                .iter()
                .map(|&i| p.correlations.columns[i].clone())
                .collect(),
            matrix: keep
                .iter()
                .map(|&i| keep.iter().map(|&j| p.correlations.matrix[i][j]).collect())
                .collect(),
        }
    };
    out.rules
        .retain(|r| rule_columns(r).iter().all(|n| !bad(n)));
    out.ordered_pairs.retain(|o| !bad(&o.low) && !bad(&o.high));
    out.candidate_keys
        .retain(|k| k.iter().all(|n| !renamed.contains(n)));
    out.null_groups
        .retain(|g| g.columns.iter().all(|n| !renamed.contains(n)));
    let named = |cols: &[SafeColumn], col: &str, v: &str| {
        cols.iter().any(|c| {
            c.name == col
                && c.categories
                    .as_ref()
                    .is_some_and(|cats| cats.values.iter().any(|x| x.value == v))
        })
    };
    let columns = out.columns.clone();
    out.conditionals.retain_mut(|d| {
        if bad(&d.target) || bad(&d.by) {
            return false;
        }
        d.groups.retain_mut(|g| {
            g.values.retain(|v| named(&columns, &d.target, &v.value));
            named(&columns, &d.by, &g.value)
        });
        d.groups.len() >= 2
    });
    out.privacy.withheld_items += withheld.len() as u64;
    (out, withheld)
}

struct Noise {
    rng: ChaCha8Rng,
    eps: Option<f64>,
}

impl Noise {
    /// A count with Laplace(1/ε) noise (sensitivity 1), never negative.
    fn count(&mut self, c: u64) -> u64 {
        match self.eps {
            None => c,
            Some(eps) => {
                let u: f64 = self.rng.random_range(-0.5..0.5);
                let noise = -(1.0 / eps) * u.signum() * (1.0 - 2.0 * u.abs()).ln();
                (c as f64 + noise).round().max(0.0) as u64
            }
        }
    }
    fn counts(&mut self, cs: &[u64]) -> Vec<u64> {
        cs.iter().map(|&c| self.count(c)).collect()
    }
}

fn rule_columns(r: &Rule) -> Vec<&str> {
    match r {
        Rule::Sum {
            target,
            left,
            right,
        }
        | Rule::Difference {
            target,
            left,
            right,
        }
        | Rule::Product {
            target,
            left,
            right,
        } => {
            vec![target, left, right]
        }
        Rule::DeterminedBy { target, by } => vec![target, by],
    }
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
        Rule::DeterminedBy { target, by } => Rule::DeterminedBy {
            target: f(target),
            by: f(by),
        },
    }
}

/// Smallest group described by a conditional: below this, per-group quantiles say
/// too much about the few rows in it.
pub const MIN_GROUP_ROWS: u64 = 20;

/// A conditional reduced to the named categories of `by` (and, for a categorical
/// target, of the target), groups of at least max(k, [`MIN_GROUP_ROWS`]) rows, cells
/// of at least k, and group quantiles clamped to the group's k-th values and rounded.
/// None when fewer than two groups survive.
fn safe_conditional(
    d: &Conditional,
    k: u32,
    by: &SafeColumn,
    target: &SafeColumn,
    sig: u32,
    noise: &mut Noise,
) -> Option<SafeConditional> {
    let named = |c: &SafeColumn, v: &str| {
        c.categories
            .as_ref()
            .is_some_and(|cats| cats.values.iter().any(|x| x.value == v))
    };
    let min_rows = u64::from(k).max(MIN_GROUP_ROWS);
    let mut groups = Vec::new();
    for g in &d.groups {
        if g.rows < min_rows || !named(by, &g.value) {
            continue;
        }
        match &g.target {
            GroupTarget::Numeric {
                quantiles,
                smallest,
                largest,
            } => {
                let k = k as usize;
                let lo = smallest.get(k - 1).or(smallest.last()).copied();
                let hi = largest.get(k - 1).or(largest.last()).copied();
                let (Some(lo), Some(hi)) = (lo, hi) else {
                    continue;
                };
                groups.push(SafeGroup {
                    value: g.value.clone(),
                    quantiles: quantiles
                        .iter()
                        .map(|x| round_sig(x.clamp(lo.min(hi), hi.max(lo)), sig))
                        .collect(),
                    values: Vec::new(),
                });
            }
            GroupTarget::Categorical { counts } => {
                let kept: Vec<(&str, u64)> = counts
                    .iter()
                    .filter(|c| c.count >= u64::from(k) && named(target, &c.value))
                    .map(|c| (c.value.as_str(), noise.count(c.count)))
                    .filter(|c| c.1 >= u64::from(k))
                    .collect();
                if kept.is_empty() {
                    continue;
                }
                groups.push(SafeGroup {
                    value: g.value.clone(),
                    quantiles: Vec::new(),
                    values: kept
                        .iter()
                        .map(|&(v, c)| ValueShare {
                            value: v.to_string(),
                            share: round_to(c as f64 / g.rows as f64, 4),
                        })
                        .collect(),
                });
            }
        }
    }
    (groups.len() >= 2).then(|| SafeConditional {
        target: d.target.clone(),
        by: d.by.clone(),
        strength: round_to(d.strength, 2),
        groups,
    })
}

/// Rounds to `digits` significant digits. Never returns a non-finite number (JSON has
/// none): what cannot be rounded (subnormals, infinities) becomes 0.
pub(crate) fn round_sig(x: f64, digits: u32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return 0.0;
    }
    let mag = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits as i32 - 1 - mag);
    let r = (x * scale).round() / scale;
    if r.is_finite() { r } else { 0.0 }
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let s = 10f64.powi(decimals);
    (x * s).round() / s
}

/// Whether a column's raw values must never leave.
fn is_sensitive(c: &ColumnProfile) -> bool {
    sensitive_kind(c.kind, c.semantic.map(|s| s.kind))
}

/// Identifiers, free text and personal data: the one rule, for profiles and for
/// SafeProfiles received from elsewhere.
fn sensitive_kind(kind: ColumnKind, semantic: Option<SemanticType>) -> bool {
    matches!(kind, ColumnKind::Identifier | ColumnKind::Text)
        || semantic.is_some_and(|s| s.is_pii() || s == SemanticType::FreeText)
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

fn safe_column(
    c: &ColumnProfile,
    k: u32,
    o: &GuardOptions,
    noise: &mut Noise,
    withheld: &mut Vec<Withheld>,
    sampled_rows: u64,
) -> SafeColumn {
    let sensitive = is_sensitive(c);
    let mut w = |what: &str, why: String| {
        withheld.push(Withheld {
            column: c.name.clone(),
            what: what.into(),
            why,
        })
    };
    let sig = o.significant_digits;
    let present = sampled_rows
        .saturating_sub(c.null_count.min(sampled_rows))
        .max(1);
    let mut out = SafeColumn {
        name: c.name.clone(),
        logical_type: c.logical,
        kind: c.kind,
        semantic_type: c.semantic.map(|s| s.kind),
        semantic_confidence: c.semantic.map(|s| s.confidence),
        sensitive,
        format: c.format.clone(),
        decimals: c.decimals,
        null_rate: round_to(c.null_rate, 4),
        distinct: round_sig(c.distinct as f64, 2) as u64,
        unique: c.unique,
        numeric: None,
        datetime: None,
        categories: None,
        text: None,
    };
    let why_sensitive = || match c.semantic {
        Some(s) if s.kind.is_pii() => {
            format!("detected as {:?} (confidence {:.2})", s.kind, s.confidence)
        }
        _ => format!("{:?} column: its values identify rows", c.kind).to_lowercase(),
    };

    // Text lengths and shapes: the only description of sensitive text columns.
    if let Some(s) = &c.strings {
        // Over every present value: `top_values` may hold only the most frequent ones.
        let total = s.values.max(1);
        let shapes: Vec<ValueShare<String>> = s
            .shapes
            .iter()
            .filter(|v| v.count >= u64::from(k))
            .map(|v| ValueShare {
                value: v.value.clone(),
                share: round_to(noise.count(v.count) as f64 / total as f64, 4),
            })
            .collect();
        if shapes.len() < s.shapes.len() {
            w(
                "rare value shapes",
                format!(
                    "{} shape(s) occur fewer than {k} times",
                    s.shapes.len() - shapes.len()
                ),
            );
        }
        let mut lq = s.length_quantiles.clone();
        // The ends of the length distribution could single out one long value.
        if lq.len() >= 3 {
            let n = lq.len();
            lq[0] = lq[1];
            lq[n - 1] = lq[n - 2];
        }
        out.text = Some(SafeText {
            length_quantiles: lq.iter().map(|x| x.round()).collect(),
            mean_words: round_to(s.mean_words, 2),
            shapes,
        });
    }

    // Birth dates are personal, but their year-level distribution (ages) is needed
    // and identifies no one once the ends are clamped: they go on, coarsened, below.
    let birth_date = c
        .semantic
        .is_some_and(|s| s.kind == SemanticType::DateOfBirth);
    if sensitive && !birth_date {
        w("all values", why_sensitive());
        return out;
    }

    match c.logical {
        LogicalType::Integer | LogicalType::Float => {
            if let Some(n) = &c.numeric {
                out.numeric = Some(safe_numeric(n, k, sig, present, noise));
                w(
                    "minimum and maximum",
                    format!(
                        "replaced by the {k}th smallest and largest values, rounded to {sig} significant digits"
                    ),
                );
            }
        }
        LogicalType::Date | LogicalType::DateTime | LogicalType::Time => {
            if let (Some(n), Some(d)) = (&c.numeric, &c.datetime) {
                let dob = birth_date;
                let coarsen = if dob {
                    Some(Granularity::Year)
                } else if personal_date(&c.name) && c.logical != LogicalType::Time {
                    Some(Granularity::Month)
                } else {
                    None
                };
                let q = clamp_quantiles(&n.quantiles, n, k);
                let fmt = |s: f64| fmt_temporal(s, c.logical, coarsen);
                let shares = |counts: &[u64], noise: &mut Noise| {
                    let counts = noise.counts(counts);
                    let t: u64 = counts.iter().sum::<u64>().max(1);
                    counts
                        .iter()
                        .map(|&x| round_to(x as f64 / t as f64, 4))
                        .collect::<Vec<_>>()
                };
                out.datetime = Some(SafeDatetime {
                    min: fmt(q[0]),
                    max: fmt(q[q.len() - 1]),
                    quantiles: q.iter().map(|&s| fmt(s)).collect(),
                    granularity: if coarsen.is_some() {
                        coarsen.unwrap_or(d.granularity).max(d.granularity)
                    } else {
                        d.granularity
                    },
                    weekday_shares: if dob {
                        vec![]
                    } else {
                        shares(&d.weekday_counts, noise)
                    },
                    month_shares: if dob {
                        vec![]
                    } else {
                        shares(&d.month_counts, noise)
                    },
                    hour_shares: if dob {
                        None
                    } else {
                        d.hour_counts.as_ref().map(|h| shares(h, noise))
                    },
                    coarsened_to: coarsen,
                });
                w(
                    "earliest and latest values",
                    format!("replaced by the {k}th earliest and latest"),
                );
                if let Some(g) = coarsen {
                    w(
                        "exact dates",
                        format!("dates describing a person are given only to the {:?}", g)
                            .to_lowercase(),
                    );
                }
            }
        }
        LogicalType::Boolean | LogicalType::Text => {
            let high_card = c.distinct > o.max_categories
                || (c.distinct as f64 / present as f64) > o.max_distinct_ratio;
            let total: u64 = c.top_values.iter().map(|v| v.count).sum::<u64>().max(1);
            let mut values = Vec::new();
            let mut other = 0u64;
            let mut rare = 0u64;
            for v in &c.top_values {
                let noisy = noise.count(v.count);
                if !high_card && v.count >= u64::from(k) && noisy >= u64::from(k) {
                    values.push(ValueShare {
                        value: v.value.clone(),
                        share: round_to(noisy as f64 / total as f64, 4),
                    });
                } else {
                    other += v.count;
                    rare += 1;
                }
            }
            rare += c.other_distinct;
            if high_card {
                w(
                    "category values",
                    format!(
                        "{} distinct values: too many to name any without identifying rows",
                        c.distinct
                    ),
                );
            } else if rare > 0 {
                w(
                    "rare category values",
                    format!("{rare} value(s) occur fewer than {k} times"),
                );
            }
            out.categories = Some(SafeCategories {
                values,
                other_share: round_to(other as f64 / total as f64, 4),
                other_distinct: round_sig(rare as f64, 2) as u64,
            });
        }
        LogicalType::Null => {}
    }
    out
}

/// Quantiles with their ends pulled in to the k-th smallest / largest values.
fn clamp_quantiles(q: &[f64], n: &NumericStats, k: u32) -> Vec<f64> {
    let k = k as usize;
    let lo = n
        .smallest
        .get(k - 1)
        .or(n.smallest.last())
        .copied()
        .unwrap_or(n.min);
    let hi = n
        .largest
        .len()
        .checked_sub(k)
        .and_then(|i| n.largest.get(i))
        .or(n.largest.first())
        .copied()
        .unwrap_or(n.max);
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    q.iter().map(|x| x.clamp(lo, hi)).collect()
}

fn safe_numeric(
    n: &NumericStats,
    k: u32,
    sig: u32,
    present: u64,
    noise: &mut Noise,
) -> SafeNumeric {
    let r = |x: f64| round_sig(x, sig);
    let q = clamp_quantiles(&n.quantiles, n, k);
    let (lo, hi) = (q[0], q[q.len() - 1]);
    let point_masses = n
        .modes
        .iter()
        .filter(|(v, c)| *c >= u64::from(k) && *v >= lo && *v <= hi)
        .map(|(v, c)| ValueShare {
            value: r(*v),
            share: round_to(noise.count(*c) as f64 / present as f64, 4),
        })
        .collect();
    SafeNumeric {
        quantiles: q.iter().map(|&x| r(x)).collect(),
        mean: r(n.mean),
        std: r(n.std),
        skew: round_to(n.skew, 3),
        histogram: crate::profile::Histogram {
            edges: n.histogram.edges.iter().map(|&x| r(x)).collect(),
            counts: noise.counts(&n.histogram.counts),
        },
        point_masses,
        integral: n.integral,
    }
}

/// Formats seconds (since 1970, or since midnight for times) as ISO text, truncated
/// to a coarser grain when asked.
fn fmt_temporal(seconds: f64, logical: LogicalType, coarsen: Option<Granularity>) -> String {
    if logical == LogicalType::Time {
        let s = seconds.round() as i64;
        return format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
    }
    let Some(dt) = DateTime::from_timestamp_micros((seconds * 1e6).round() as i64) else {
        return String::new();
    };
    let dt = dt.naive_utc();
    let dt = match coarsen {
        Some(Granularity::Year) => NaiveDate::from_ymd_opt(dt.year(), 1, 1)
            .map_or(dt, |d| d.and_hms_opt(0, 0, 0).unwrap_or(dt)),
        Some(Granularity::Month) => NaiveDate::from_ymd_opt(dt.year(), dt.month(), 1)
            .map_or(dt, |d| d.and_hms_opt(0, 0, 0).unwrap_or(dt)),
        _ => dt,
    };
    if logical == LogicalType::Date || coarsen.is_some() {
        dt.format("%Y-%m-%d").to_string()
    } else {
        dt.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_significant_digits() {
        assert_eq!(round_sig(2013.0, 4), 2013.0);
        assert_eq!(round_sig(987_654.321, 4), 987_700.0);
        assert_eq!(round_sig(0.012345, 2), 0.012);
        assert_eq!(round_sig(1e-320, 4), 0.0);
        assert_eq!(round_sig(f64::INFINITY, 4), 0.0);
    }

    #[test]
    fn laplace_noise_is_seeded_and_centred() {
        let mut a = Noise {
            rng: ChaCha8Rng::seed_from_u64(1),
            eps: Some(1.0),
        };
        let mut b = Noise {
            rng: ChaCha8Rng::seed_from_u64(1),
            eps: Some(1.0),
        };
        let xs: Vec<u64> = (0..2000).map(|_| a.count(100)).collect();
        let ys: Vec<u64> = (0..2000).map(|_| b.count(100)).collect();
        assert_eq!(xs, ys);
        let mean = xs.iter().sum::<u64>() as f64 / 2000.0;
        assert!((mean - 100.0).abs() < 0.3, "{mean}");
        assert!(xs.iter().any(|&x| x != 100));
    }
}
