//! The guard's rules re-derived on a SafeProfile that arrived from elsewhere (the
//! relay's defence in depth: the page runs the guard, the relay checks anyway).
//!
//! Nothing the client declares is trusted where it can be checked from the document
//! itself: a column is sensitive if it says so, or its kind or semantic type or name
//! says so, or its category values look like personal data (an email column declared
//! categorical loses its values); every released string is scanned for personal data;
//! numbers are re-rounded; quantiles are re-thinned and calendar profiles re-checked
//! against the declared rows; dates are re-coarsened by semantic type and by name;
//! shapes are re-shaped over the closed alphabet; categories and conditional cells
//! under k are dropped and shares re-rounded to k-row steps; declared counts are
//! bounded.

use super::release::{
    enough_values, merge_bins, round_share, round_sig, round_to, round_value, share_step, thin,
};
use super::{GuardOptions, Withheld, personal_date, sensitive_kind};
use crate::profile::semantic::{self, looks_like_pii_value};
use crate::profile::{Granularity, SemanticType};
use crate::table::LogicalType;
use crate::wire::*;

/// Rows a SafeProfile may declare: more is not a table anyone profiled.
pub const MAX_DECLARED_ROWS: u64 = 1_000_000_000_000;

/// Re-applies the guard's rules; what was changed is listed.
pub fn recheck(p: &SafeProfile, options: &GuardOptions) -> (SafeProfile, Vec<Withheld>) {
    let mut out = p.clone();
    let mut withheld = Vec::new();
    let k_min = options.k_min.max(1);
    let k = options.k_max.max(k_min);
    let sig = options.significant_digits;
    // Declared counts, bounded and made consistent.
    out.row_count = out.row_count.min(MAX_DECLARED_ROWS);
    out.privacy.sampled_rows = out.privacy.sampled_rows.min(out.row_count);
    out.privacy.k_min = out.privacy.k_min.max(k_min);
    out.privacy.k_max = out.privacy.k_max.max(k).max(out.privacy.k_min);
    let rows = out.row_count as f64;
    let mut renamed = Vec::new();
    for (i, c) in out.columns.iter_mut().enumerate() {
        let name = c.name.clone();
        let note = |what: &str, why: String| Withheld {
            column: name.clone(),
            what: what.into(),
            why,
        };
        let present = present_values(c, rows);
        c.distinct = c.distinct.min(present);
        let mut notes = Vec::new();
        if make_sensitive(c) {
            notes.push(note(
                "all values",
                "the column is personal or identifying".into(),
            ));
        }
        let budget = Budget {
            present,
            k_min,
            k,
            sig,
        };
        column(c, budget, &mut notes, &note);
        withheld.extend(notes);
        if looks_like_pii_value(&c.name) {
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
    relations(&mut out, p, &renamed, k_min);
    offsets(&mut out, k, sig);
    out.privacy.withheld_items += withheld.len() as u64;
    (out, withheld)
}

/// Offsets between two released numbers: both columns must keep their distribution,
/// and each column takes part in one offset at most (as the profile makes them: a
/// document listing thousands would otherwise cost the template thousands of passes);
/// the quantiles are re-thinned to k rows apart of the rarer column's values,
/// re-rounded, and must be a quantile function (finite, in order).
fn offsets(out: &mut SafeProfile, k: u32, sig: u32) {
    let rows = out.row_count as f64;
    let present: std::collections::HashMap<String, u64> = out
        .columns
        .iter()
        .filter(|c| !c.sensitive && c.numeric.is_some())
        .map(|c| (c.name.clone(), present_values(c, rows)))
        .collect();
    let mut used = std::collections::HashSet::new();
    out.offsets.retain_mut(|o| {
        let (Some(&t), Some(&f)) = (present.get(&o.target), present.get(&o.from)) else {
            return false;
        };

        let present = t.min(f);
        let usable = o.target != o.from
            && o.quantiles.iter().all(|x| x.is_finite())
            && o.quantiles.windows(2).all(|w| w[0] <= w[1]);
        if !usable || !enough_values(present, k) {
            return false;
        }
        o.quantiles = thin(&o.quantiles, present, k)
            .into_iter()
            .map(|x| round_value(x, sig, None, false))
            .collect();
        if o.quantiles.len() < 2 || used.contains(&o.target) || used.contains(&o.from) {
            return false;
        }
        used.insert(o.target.clone());
        used.insert(o.from.clone());
        true
    });
}

/// The values a column declares: its rows less its null rate.
fn present_values(c: &SafeColumn, rows: f64) -> u64 {
    ((1.0 - c.null_rate.clamp(0.0, 1.0)) * rows).round() as u64
}

/// Decides sensitivity from everything the column shows, and strips the values of a
/// sensitive column (a birth date keeps its coarsened distribution). True when values
/// were stripped.
fn make_sensitive(c: &mut SafeColumn) -> bool {
    let by_name = semantic::by_name(&c.name).filter(|s| {
        s.is_pii() && (*s != SemanticType::DateOfBirth || c.logical_type == LogicalType::Text)
    });
    let values: Vec<&str> = c
        .categories
        .iter()
        .flat_map(|cats| cats.values.iter().map(|v| v.value.as_str()))
        .collect();
    let pii_values = values.iter().filter(|v| looks_like_pii_value(v)).count();
    let by_values = !values.is_empty() && pii_values * 10 >= values.len() * 3;
    let dated_text = c.logical_type == LogicalType::Text
        && personal_date(&c.name)
        && super::looks_dated(&values);
    let sensitive = c.sensitive
        || sensitive_kind(c.kind, c.semantic_type)
        || by_name.is_some()
        || by_values
        || dated_text;
    if c.semantic_type.is_none() {
        c.semantic_type = by_name;
    }
    let birth = c.semantic_type == Some(SemanticType::DateOfBirth) && c.logical_type.is_temporal();
    let had_values = c.numeric.is_some()
        || c.categories.as_ref().is_some_and(|x| !x.values.is_empty())
        || (c.datetime.is_some() && !birth);
    c.sensitive |= sensitive;
    if sensitive {
        c.numeric = None;
        c.categories = None;
        if !birth {
            c.datetime = None;
        }
    }
    sensitive && had_values
}

type Note<'a> = &'a dyn Fn(&str, String) -> Withheld;

/// What a column's release is held to: its present values, the smallest k, its own k,
/// and the significant digits numbers keep.
#[derive(Debug, Clone, Copy)]
struct Budget {
    present: u64,
    k_min: u32,
    k: u32,
    sig: u32,
}

fn column(c: &mut SafeColumn, b: Budget, notes: &mut Vec<Withheld>, note: Note<'_>) {
    numeric(c, b, notes, note);
    datetime(c, b, notes, note);
    categories(c, b, notes, note);
    text(c, b);
}

/// A number column's distribution: thinned, rounded, rare point masses dropped; none
/// from fewer than 2k values.
fn numeric(c: &mut SafeColumn, b: Budget, notes: &mut Vec<Withheld>, note: Note<'_>) {
    let Budget {
        present,
        k_min,
        k,
        sig,
    } = b;
    if let Some(n) = &mut c.numeric {
        if enough_values(present, k) {
            let (e, personal) = (n.encoding, personal_date(&c.name));
            n.quantiles = thin(&n.quantiles, present, k)
                .into_iter()
                .map(|x| round_value(x, sig, e, personal))
                .collect();
            n.mean = round_sig(n.mean, sig);
            n.std = round_sig(n.std, sig);
            n.skew = round_to(n.skew, 3);
            let h = merge_bins(&n.histogram, k);
            n.histogram.edges = h.edges.into_iter().map(|x| round_sig(x, sig)).collect();
            n.histogram.counts = h.counts;
            n.point_masses
                .retain(|m| m.share * present as f64 >= f64::from(k_min) - 1e-9);
            let step = share_step(present, k);
            for m in &mut n.point_masses {
                m.value = round_value(m.value, sig, e, personal);
                m.share = round_share(m.share, step);
            }
        }
        if !enough_values(present, k) || n.quantiles.len() < 2 {
            c.numeric = None;
            notes.push(note(
                "the distribution",
                format!("{present} values: fewer than 2k"),
            ));
        }
    }
}

/// A date column's distribution: every value a date, personal dates coarsened, thin
/// weekday/month/hour cells dropped; none from fewer than 2k values.
fn datetime(c: &mut SafeColumn, b: Budget, notes: &mut Vec<Withheld>, note: Note<'_>) {
    let Budget { present, k, .. } = b;
    // Every released date is a date: a string that does not parse as one (a name
    // smuggled into a quantile) takes the distribution with it.
    let parses = |d: &SafeDatetime| {
        d.quantiles
            .iter()
            .chain([&d.min, &d.max])
            .all(|q| crate::datetime_text::parse_iso(q, c.logical_type).is_some())
    };
    if c.datetime.as_ref().is_some_and(|d| !parses(d)) {
        c.datetime = None;
        notes.push(note(
            "the distribution",
            "a released date did not parse as one".into(),
        ));
    }
    if c.format.as_deref().is_some_and(|f| {
        crate::datetime_text::check_datetime_format(f).is_err() || looks_like_pii_value(f)
    }) {
        c.format = None;
    }
    if let Some(d) = &mut c.datetime {
        let birth = c.semantic_type == Some(SemanticType::DateOfBirth)
            || semantic::by_name(&c.name) == Some(SemanticType::DateOfBirth);
        let coarsen = if birth {
            Some(Granularity::Year)
        } else if personal_date(&c.name) && c.logical_type != LogicalType::Time {
            Some(Granularity::Month)
        } else {
            d.coarsened_to
        };
        d.quantiles = thin(&d.quantiles, present, k);
        if let Some(g) = coarsen {
            for q in d.quantiles.iter_mut().chain([&mut d.min, &mut d.max]) {
                *q = coarse_date(q, g);
            }
            d.coarsened_to = Some(g.max(d.coarsened_to.unwrap_or(g)));
            d.granularity = d.granularity.max(g);
        }
        if birth {
            d.weekday_shares.clear();
            d.month_shares.clear();
            d.hour_shares = None;
        }
        let thin_cells = |shares: &[f64]| {
            shares
                .iter()
                .any(|s| *s > 0.0 && s * (present as f64) < f64::from(k) - 1e-9)
        };
        if thin_cells(&d.weekday_shares) {
            d.weekday_shares.clear();
        }
        if thin_cells(&d.month_shares) {
            d.month_shares.clear();
        }
        if d.hour_shares.as_deref().is_some_and(thin_cells) {
            d.hour_shares = None;
        }
        if !enough_values(present, k) || d.quantiles.len() < 2 {
            c.datetime = None;
            notes.push(note(
                "the distribution",
                format!("{present} values: fewer than 2k"),
            ));
        }
    }
}

/// Category values that stand for fewer than k_min rows or look personal become
/// "other"; shares rounded to what k rows can tell.
fn categories(c: &mut SafeColumn, b: Budget, notes: &mut Vec<Withheld>, note: Note<'_>) {
    let Budget {
        present, k_min, k, ..
    } = b;
    if let Some(cats) = &mut c.categories {
        let before = cats.values.len();
        let step = share_step(present, k);
        cats.values.retain(|v| {
            !looks_like_pii_value(&v.value)
                && v.share.clamp(0.0, 1.0) * present as f64 >= f64::from(k_min) - 1e-9
        });
        for v in &mut cats.values {
            v.share = round_share(v.share, step);
        }
        cats.values.retain(|v| v.share > 0.0);
        let shown: f64 = cats.values.iter().map(|v| v.share).sum();
        cats.other_share = round_share((1.0 - shown).max(0.0), step);
        let dropped = before - cats.values.len();
        cats.other_distinct += dropped as u64;
        if dropped > 0 {
            notes.push(note(
                "rare or personal category values",
                format!(
                    "{dropped} value(s) stand for fewer than {k_min} rows or look like personal data"
                ),
            ));
        }
    }
}

/// Text shapes regrouped by their own shape, rare ones dropped; lengths thinned.
fn text(c: &mut SafeColumn, b: Budget) {
    let Budget {
        present, k_min, k, ..
    } = b;
    if let Some(t) = &mut c.text {
        let mut shapes: Vec<ValueShare<String>> = Vec::new();
        for s in t.shapes.drain(..) {
            let shape = crate::profile::shape(&s.value);
            match shapes.iter_mut().find(|x| x.value == shape) {
                Some(x) => x.share += s.share,
                None => shapes.push(ValueShare {
                    value: shape,
                    share: s.share,
                }),
            }
        }
        shapes.retain(|s| s.share * present as f64 >= f64::from(k_min) - 1e-9);
        let step = share_step(present, k);
        for s in &mut shapes {
            s.share = round_share(s.share, step);
        }
        t.shapes = shapes;
        t.length_quantiles = if enough_values(present, k) {
            thin(&t.length_quantiles, present, k)
        } else {
            Vec::new()
        };
        t.mean_words = if enough_values(present, k) {
            round_to(t.mean_words, 1)
        } else {
            0.0
        };
    }
}

/// An ISO date or datetime cut to the first day of its year or month.
fn coarse_date(iso: &str, g: Granularity) -> String {
    let date = iso.get(..10).unwrap_or(iso);
    let (y, m) = (date.get(..4), date.get(5..7));
    match (g, y, m) {
        (Granularity::Year, Some(y), _) => format!("{y}-01-01"),
        (Granularity::Month, Some(y), Some(m)) => format!("{y}-{m}-01"),
        _ => date.to_string(),
    }
}

/// Relations naming a sensitive or renamed column go; conditionals keep only named
/// values, their cells re-rounded to k-row steps.
fn relations(out: &mut SafeProfile, p: &SafeProfile, renamed: &[String], k_min: u32) {
    let bad = |cols: &[SafeColumn], n: &str| {
        renamed.iter().any(|r| r == n)
            || cols.iter().any(|c| c.name == n && c.sensitive)
            || !cols.iter().any(|c| c.name == n)
    };
    let columns = out.columns.clone();
    out.correlations = {
        let keep: Vec<usize> = (0..p.correlations.columns.len())
            .filter(|&i| !bad(&columns, &p.correlations.columns[i]))
            .collect();
        SafeCorrelations {
            columns: keep
                .iter()
                .map(|&i| p.correlations.columns[i].clone())
                .collect(),
            matrix: keep
                .iter()
                .map(|&i| {
                    keep.iter()
                        .map(|&j| round_to(p.correlations.matrix[i][j].clamp(-1.0, 1.0), 2))
                        .collect()
                })
                .collect(),
        }
    };
    out.rules
        .retain(|r| r.columns().iter().all(|n| !bad(&columns, n)));
    out.ordered_pairs
        .retain(|o| !bad(&columns, &o.low) && !bad(&columns, &o.high));
    out.candidate_keys
        .retain(|k| k.iter().all(|n| !renamed.contains(n)));
    out.null_groups
        .retain(|g| g.columns.iter().all(|n| !renamed.contains(n)));
    let named = |col: &str, v: &str| {
        columns.iter().any(|c| {
            c.name == col
                && c.categories
                    .as_ref()
                    .is_some_and(|cats| cats.values.iter().any(|x| x.value == v))
        })
    };
    let rows = out.row_count as f64;
    let share_of = |col: &str, v: &str| {
        columns
            .iter()
            .find(|c| c.name == col)
            .and_then(|c| c.categories.as_ref())
            .and_then(|cats| cats.values.iter().find(|x| x.value == v))
            .map_or(0.0, |x| x.share)
    };
    out.conditionals.retain_mut(|d| {
        if bad(&columns, &d.target) || bad(&columns, &d.by) {
            return false;
        }
        d.groups.retain(|g| named(&d.by, &g.value));
        for g in &mut d.groups {
            let group_rows = (share_of(&d.by, &g.value) * rows).round() as u64;
            g.quantiles = thin(&g.quantiles, group_rows, k_min);
            g.values.retain(|v| {
                named(&d.target, &v.value) && v.share * group_rows as f64 >= f64::from(k_min) - 1e-9
            });
            // Shares re-rounded to k-row steps of the group: complementary protection.
            let step = share_step(group_rows, k_min);
            for v in &mut g.values {
                v.share = round_share(v.share, step);
            }
            g.values.retain(|v| v.share > 0.0);
        }
        d.groups
            .retain(|g| g.quantiles.len() >= 2 || !g.values.is_empty());
        // A pair's rows are at most its rarer value's.
        match d.second_by.as_deref().filter(|s| !bad(&columns, s)) {
            Some(second) => d.pairs.retain(|p| {
                let rows = share_of(&d.by, &p.value).min(share_of(second, &p.second_value)) * rows;
                named(&d.by, &p.value)
                    && named(second, &p.second_value)
                    && p.target.is_finite()
                    && rows.round() >= f64::from(k_min)
            }),
            None => d.pairs.clear(),
        }
        if d.pairs.is_empty() {
            d.second_by = None;
        }
        d.groups.len() >= 2
    });
}
