//! Dependence beyond the copula, resolved: columns drawn within the groups of a
//! categorical column (`by`), fixed combinations, and null groups.
//!
//! A column with a `by` is made after its `by` column, from the rows of each group, so
//! the plan keeps an order in which every `by` comes first; a cycle is a problem.

use super::{Checker, Choice, Gen, PlannedColumn};
use crate::kinds::Categorical;
use crate::spec::{Constraint, Generator, NumericBy, Spec};
use std::borrow::Cow;
use std::collections::HashMap;

/// How a column is drawn within each value of its `by` column.
#[derive(Debug, Clone)]
pub(crate) struct Given {
    /// The `by` column (categorical).
    pub by: usize,
    /// A second key column, with its listed pairs.
    pub second: Option<SecondKey>,
    /// Per label of the `by` column (its label index), then per listed pair: how to
    /// draw here, or None to use the column's own recipe.
    pub groups: Vec<Option<GroupDraw>>,
    /// How to draw on the rows outside every group when the column is a key of the
    /// `by` column; else they use the column's own recipe. See [`rest_weights`].
    pub rest: Option<GroupDraw>,
}

/// Category id of a row with no named category (missing, or an "other" value).
pub(crate) const NO_ID: u32 = u32::MAX;

/// The second column of a two-column key.
#[derive(Debug, Clone)]
pub(crate) struct SecondKey {
    /// The column (categorical).
    pub column: usize,
    /// (`by` label, this column's label) → the pair's index in [`Given::groups`], after
    /// the `by` column's labels.
    pub pairs: HashMap<(u32, u32), u32>,
    /// Every listed pair is one number: a pair not listed then takes one value of its
    /// `by` group, the same on every row with the pair, so the pair still fixes it.
    pub fixes: bool,
}

/// Each row's group, and the draws pinned to a pair.
#[derive(Debug)]
pub(crate) struct RowGroups<'i> {
    /// The row's group: its `by` label, or its listed pair's group.
    pub groups: Cow<'i, [u32]>,
    /// Per row (or empty): the draw every row with its pair shares, or NaN.
    pub pinned: Vec<f64>,
}

impl Given {
    /// Each row's group, from the label ids of every column made so far: its pair's
    /// group where the pair is listed, else its `by` label.
    pub fn row_groups<'i>(&self, ids: &'i [Vec<u32>]) -> RowGroups<'i> {
        let by = &ids[self.by];
        let Some(key) = &self.second else {
            return RowGroups {
                groups: Cow::Borrowed(by),
                pinned: Vec::new(),
            };
        };
        let second = &ids[key.column];
        let groups: Vec<u32> = by
            .iter()
            .zip(second)
            .map(|(&a, &b)| key.pairs.get(&(a, b)).copied().unwrap_or(a))
            .collect();
        let pinned = if key.fixes {
            by.iter()
                .zip(second)
                .zip(&groups)
                .map(|((&a, &b), &g)| {
                    let unlisted_pair = g == a && a != NO_ID && b != NO_ID;
                    if unlisted_pair {
                        pair_draw(a, b)
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        RowGroups {
            groups: Cow::Owned(groups),
            pinned,
        }
    }
}

/// A draw in (0, 1) that depends on the pair of labels only (SplitMix64's finaliser),
/// so every block and every worker gives a pair the same value.
fn pair_draw(a: u32, b: u32) -> f64 {
    let mut z = ((u64::from(a) << 32) | u64::from(b)).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// A column's draw within one group.
#[derive(Debug, Clone)]
pub(crate) enum GroupDraw {
    /// A numeric column's quantiles in the group.
    Quantiles(Vec<f64>),
    /// A categorical column's weights over its own labels in the group.
    Weights(Choice),
}

fn labels(recipe: &Gen) -> Option<&[String]> {
    match recipe {
        Gen::Categorical(Categorical { labels, .. }) => Some(labels),
        _ => None,
    }
}

/// Resolves every `by` and fixed combination into [`Given`]s and returns the order in
/// which the given columns must be made.
pub(super) fn resolve(c: &mut Checker, spec: &Spec, columns: &mut [PlannedColumn]) -> Vec<usize> {
    let index_of = |name: &str| spec.columns.iter().position(|col| col.name == name);
    for (i, col) in spec.columns.iter().enumerate() {
        let g = format!("$.columns[{i}].generator.by");
        let (by_name, by_path) = match &col.generator {
            Generator::Numeric { by: Some(b), .. } => (&b.column, format!("{g}.column")),
            Generator::Categorical { by: Some(b), .. } => (&b.column, format!("{g}.column")),
            _ => continue,
        };
        let Some(by) = index_of(by_name).filter(|&b| b != i) else {
            c.fail(
                by_path,
                format!("no other column named {by_name:?}"),
                "the name of another, categorical column",
                "check the spelling",
            );
            continue;
        };
        let Some(by_labels) = labels(&columns[by].recipe).map(<[String]>::to_vec) else {
            c.fail(
                by_path,
                format!("{by_name:?} is not categorical"),
                "a categorical column",
                "group by a column with named values",
            );
            continue;
        };
        // Label → index maps: a spec may list 100,000 labels and as many groups.
        let by_index = label_index(&by_labels);
        let slot = |c: &mut Checker, k: usize, value: &str| {
            let found = by_index.get(value).copied();
            if found.is_none() {
                c.fail(
                    format!("{g}.groups[{k}].value"),
                    format!("{value:?} is not a value of {by_name:?}"),
                    "one of the by column's listed values",
                    "list groups only for values the by column makes",
                );
            }
            found
        };
        // Groups × labels, booked before anything of that size is built.
        let width = match &col.generator {
            Generator::Numeric { by: Some(b), .. } => b
                .groups
                .iter()
                .map(|g| g.quantiles.len() as u64)
                .chain(b.pairs.iter().map(|p| p.quantiles.len() as u64 + 1))
                .sum::<u64>(),
            Generator::Categorical { by: Some(b), .. } => (b.groups.len() as u64)
                .saturating_mul(labels(&columns[i].recipe).map_or(0, |l| l.len() as u64)),
            _ => 0,
        };
        if !c.spend_group_weights(
            g.clone(),
            width.saturating_add(by_labels.len() as u64),
            "the groups",
        ) {
            continue;
        }
        let mut groups: Vec<Option<GroupDraw>> = vec![None; by_labels.len()];
        match &col.generator {
            Generator::Numeric { by: Some(b), .. } => {
                for (k, grp) in b.groups.iter().enumerate() {
                    if !usable_quantiles(&grp.quantiles) {
                        c.fail(
                            format!("{g}.groups[{k}].quantiles"),
                            "not a usable quantile function",
                            "2 or more finite, non-decreasing numbers",
                            "give at least the group's smallest and largest value",
                        );
                    }
                    if let Some(s) = slot(c, k, &grp.value) {
                        groups[s] = Some(GroupDraw::Quantiles(grp.quantiles.clone()));
                    }
                }
            }
            Generator::Categorical { by: Some(b), .. } => {
                let own = labels(&columns[i].recipe).unwrap_or_default().to_vec();
                let own_index = label_index(&own);
                for (k, grp) in b.groups.iter().enumerate() {
                    let path = format!("{g}.groups[{k}].values");
                    c.weights(&path, &grp.values, false);
                    let mut weights = vec![0.0; own.len()];
                    for (j, w) in grp.values.iter().enumerate() {
                        match own_index.get(w.value.as_str()).copied() {
                            Some(p) => weights[p] += w.weight.max(0.0),
                            None => c.fail(
                                format!("{path}[{j}].value"),
                                format!("{:?} is not one of this column's values", w.value),
                                "a value listed in this column's values",
                                "add it to values (a small weight is fine)",
                            ),
                        }
                    }
                    if let Some(s) = slot(c, k, &grp.value) {
                        groups[s] = Some(GroupDraw::Weights(Choice::new(weights.into_iter())));
                    }
                }
            }
            _ => {}
        }
        let second = match &col.generator {
            Generator::Numeric { by: Some(b), .. } => {
                second_key(c, &g, b, i, by, columns, &index_of, &by_index, &mut groups)
            }
            _ => None,
        };
        let rest = rest_weights(&columns[by], &columns[i], &groups);
        columns[i].given = Some(Given {
            by,
            second,
            groups,
            rest,
        });
    }
    for (k, con) in spec.constraints.iter().enumerate() {
        if let Constraint::FixedCombinations {
            columns: names,
            combinations,
        } = con
        {
            fixed_combinations(c, k, names, combinations, spec, columns);
        }
    }
    order(c, spec, columns)
}

/// A group's quantile function: 2 to [`super::MAX_LIST`] finite, non-decreasing numbers.
fn usable_quantiles(q: &[f64]) -> bool {
    (2..=super::MAX_LIST).contains(&q.len())
        && q.iter().all(|x| x.is_finite())
        && q.windows(2).all(|w| w[0] <= w[1])
}

/// A numeric `by`'s second column and pairs: each listed pair's quantiles become a
/// group after the `by` labels' (`groups` grows), and the map finds them.
#[allow(clippy::too_many_arguments)]
fn second_key(
    c: &mut Checker,
    path: &str,
    b: &NumericBy,
    i: usize,
    by: usize,
    columns: &[PlannedColumn],
    index_of: &impl Fn(&str) -> Option<usize>,
    by_index: &HashMap<&str, usize>,
    groups: &mut Vec<Option<GroupDraw>>,
) -> Option<SecondKey> {
    let Some(name) = &b.second_column else {
        if !b.pairs.is_empty() {
            c.fail(
                format!("{path}.pairs"),
                "pairs without a second_column",
                "a second_column naming the pairs' second values' column",
                "add second_column, or remove pairs",
            );
        }
        return None;
    };
    let Some(second) = index_of(name).filter(|&s| s != i && s != by) else {
        c.fail(
            format!("{path}.second_column"),
            format!("no third column named {name:?}"),
            "a categorical column other than this one and the by column",
            "check the spelling",
        );
        return None;
    };
    let Some(second_labels) = labels(&columns[second].recipe) else {
        c.fail(
            format!("{path}.second_column"),
            format!("{name:?} is not categorical"),
            "a categorical column",
            "pair with a column with named values",
        );
        return None;
    };
    let second_index = label_index(second_labels);
    let mut pairs = HashMap::with_capacity(b.pairs.len());
    // No pairs listed says nothing of a function: rows then keep their `by` group's draw.
    let fixes = !b.pairs.is_empty()
        && b.pairs
            .iter()
            .all(|p| p.quantiles.first() == p.quantiles.last());
    for (k, p) in b.pairs.iter().enumerate() {
        let at = format!("{path}.pairs[{k}]");
        if !usable_quantiles(&p.quantiles) {
            c.fail(
                format!("{at}.quantiles"),
                "not a usable quantile function",
                "2 or more finite, non-decreasing numbers",
                "give the pair's number twice when the pair fixes it",
            );
            continue;
        }
        let (Some(&a), Some(&s)) = (
            by_index.get(p.value.as_str()),
            second_index.get(p.second_value.as_str()),
        ) else {
            c.fail(
                at,
                format!(
                    "{:?} is not a pair of values the two columns make",
                    [&p.value, &p.second_value]
                ),
                "a value of the by column and one of the second column",
                "list pairs only for values the two columns make",
            );
            continue;
        };
        // A pair listed twice: the later one holds.
        let slot = *pairs.entry((a as u32, s as u32)).or_insert_with(|| {
            groups.push(None);
            (groups.len() - 1) as u32
        });
        groups[slot as usize] = Some(GroupDraw::Quantiles(p.quantiles.clone()));
    }
    Some(SecondKey {
        column: second,
        pairs,
        fixes,
    })
}

/// A key column's weights on the rows outside every group (the `by` value missing,
/// made up, or without a group). When the groups split the column's values between
/// them (each value in one group, as tail numbers are split between carriers), a value
/// of one group drawn on another group's rows would break the dependency the groups
/// describe; so those rows draw only values no group lists, and what those cannot
/// make up is made up from the column's shapes: a carrier whose tail numbers were all
/// too rare to name gets new tail numbers, not another carrier's. `None` otherwise:
/// rows outside the groups use the column's own weights, as the spec says.
fn rest_weights(
    by: &PlannedColumn,
    target: &PlannedColumn,
    groups: &[Option<GroupDraw>],
) -> Option<GroupDraw> {
    let (Gen::Categorical(by_cat), Gen::Categorical(own)) = (&by.recipe, &target.recipe) else {
        return None;
    };
    let by_weights = by_cat.choice.weights();
    let mut rest = own.choice.weights();
    let mut grouped = 0.0;
    // Groups each value appears in.
    let mut homes = vec![0u32; rest.len()];
    let mut listed_groups = 0usize;
    for (label, group) in groups.iter().enumerate() {
        let (Some(GroupDraw::Weights(within)), Some(&p)) = (group, by_weights.get(label)) else {
            continue;
        };
        listed_groups += 1;
        grouped += p * (1.0 - by.null_rate);
        for (home, w) in homes.iter_mut().zip(within.weights()) {
            *home += u32::from(w > 0.0);
        }
    }
    // A few values may sit in two groups (a tail number that changed carrier).
    let shared = homes.iter().filter(|&&h| h > 1).count();
    let keyed = listed_groups >= 2 && shared * 20 <= homes.iter().filter(|&&h| h > 0).count();
    if !keyed {
        return None;
    }
    for (slot, &home) in rest.iter_mut().zip(&homes) {
        if home > 0 {
            *slot = 0.0;
        }
    }
    if own.shapes.is_some() {
        let named = if own.has_other {
            rest.len() - 1
        } else {
            rest.push(0.0);
            rest.len() - 1
        };
        let left: f64 = rest[..named].iter().sum();
        rest[named] = rest[named].max((1.0 - grouped) - left);
    }
    let left: f64 = rest.iter().sum();
    (left > 1e-9).then(|| GroupDraw::Weights(Choice::new(rest.into_iter())))
}

/// `[first, second]` pairs: the second column is drawn among the values allowed with
/// the first's value (its own or its group's weights, restricted), and the first only
/// makes values that appear in a pair.
fn fixed_combinations(
    c: &mut Checker,
    k: usize,
    names: &[String],
    combinations: &[Vec<String>],
    spec: &Spec,
    columns: &mut [PlannedColumn],
) {
    let path = format!("$.constraints[{k}]");
    let index_of = |name: &str| spec.columns.iter().position(|col| col.name == name);
    let found: Vec<Option<usize>> = names.iter().map(|n| index_of(n)).collect();
    let (first, second) = match found.as_slice() {
        [Some(a), Some(b)]
            if a != b
                && labels(&columns[*a].recipe).is_some()
                && labels(&columns[*b].recipe).is_some() =>
        {
            (*a, *b)
        }
        _ => {
            c.fail(
                format!("{path}.columns"),
                format!("{names:?}"),
                "exactly two different categorical columns",
                "for more columns, chain pairs (a, b), (b, c)",
            );
            return;
        }
    };
    if let Some(g) = &columns[second].given
        && g.by != first
    {
        c.fail(
            format!("{path}.columns"),
            format!("{:?} already depends on another column", names[1]),
            "a second column without a by on a different column",
            "group it by the first column instead",
        );
        return;
    }
    let first_labels = labels(&columns[first].recipe).unwrap_or_default().to_vec();
    let second_labels = labels(&columns[second].recipe).unwrap_or_default().to_vec();
    let product = (first_labels.len() as u64).saturating_mul(second_labels.len() as u64);
    if !c.spend_group_weights(
        format!("{path}.columns"),
        product,
        "the two columns' values",
    ) {
        return;
    }
    let allowed = allowed_pairs(c, &path, &first_labels, &second_labels, combinations);
    let Gen::Categorical(Categorical { choice: own, .. }) = &columns[second].recipe else {
        return;
    };
    let own_weights = own.weights();
    let old = columns[second].given.take();
    let groups = restricted_groups(&allowed, &own_weights, old.as_ref());
    columns[second].given = Some(Given {
        by: first,
        second: None,
        groups,
        rest: None,
    });
    // The first column: only values that have a partner; no "other" values.
    if let Gen::Categorical(Categorical {
        choice, has_other, ..
    }) = &mut columns[first].recipe
    {
        let w: Vec<f64> = choice
            .weights()
            .iter()
            .enumerate()
            .map(|(a, w)| {
                if allowed.get(a).is_some_and(|r| r.contains(&true)) {
                    *w
                } else {
                    0.0
                }
            })
            .collect();
        if w.iter().sum::<f64>() <= 0.0 {
            c.fail(
                format!("{path}.combinations"),
                "no pair uses a value the first column makes".to_string(),
                "pairs whose first value has a weight above 0",
                "list pairs for the first column's frequent values",
            );
            return;
        }
        *choice = Choice::new(w.into_iter());
        *has_other = false;
    }
}

/// Which (first, second) value pairs the combinations allow, by label index; a pair
/// that names a value a column does not list is a problem.
fn allowed_pairs(
    c: &mut Checker,
    path: &str,
    first_labels: &[String],
    second_labels: &[String],
    combinations: &[Vec<String>],
) -> Vec<Vec<bool>> {
    let (first_index, second_index) = (label_index(first_labels), label_index(second_labels));
    let mut allowed = vec![vec![false; second_labels.len()]; first_labels.len()];
    for (j, pair) in combinations.iter().enumerate() {
        let a = pair
            .first()
            .and_then(|v| first_index.get(v.as_str()).copied());
        let b = pair
            .get(1)
            .and_then(|v| second_index.get(v.as_str()).copied());
        match (pair.len(), a, b) {
            (2, Some(a), Some(b)) => allowed[a][b] = true,
            _ => c.fail(
                format!("{path}.combinations[{j}]"),
                format!("{pair:?} is not a pair of values the two columns list"),
                "a pair of values listed by the two columns",
                "list [first value, second value] using the columns' own values",
            ),
        }
    }
    allowed
}

/// The second column's weights within each first value: its group's (or its own)
/// weights with the disallowed values at 0; allowed values the weights never pick are
/// drawn evenly.
fn restricted_groups(
    allowed: &[Vec<bool>],
    own_weights: &[f64],
    old: Option<&Given>,
) -> Vec<Option<GroupDraw>> {
    let mut groups = Vec::with_capacity(allowed.len());
    for (a, row) in allowed.iter().enumerate() {
        let base = match old.and_then(|g| g.groups[a].as_ref()) {
            Some(GroupDraw::Weights(ch)) => ch.weights(),
            _ => own_weights.to_vec(),
        };
        let mut w: Vec<f64> = base
            .iter()
            .zip(row)
            .map(|(w, ok)| if *ok { *w } else { 0.0 })
            .collect();
        if w.iter().sum::<f64>() <= 0.0 {
            w = row.iter().map(|ok| f64::from(u8::from(*ok))).collect();
        }
        groups.push(
            (w.iter().sum::<f64>() > 0.0).then(|| GroupDraw::Weights(Choice::new(w.into_iter()))),
        );
    }
    groups
}

/// Each label's index (the first, when a label repeats).
fn label_index(labels: &[String]) -> HashMap<&str, usize> {
    let mut index = HashMap::with_capacity(labels.len());
    for (i, l) in labels.iter().enumerate() {
        index.entry(l.as_str()).or_insert(i);
    }
    index
}

/// Given columns in an order where every `by` is made first.
fn order(c: &mut Checker, spec: &Spec, columns: &[PlannedColumn]) -> Vec<usize> {
    let mut done = vec![false; columns.len()];
    for (i, col) in columns.iter().enumerate() {
        done[i] = col.given.is_none();
    }
    let mut out = Vec::new();
    loop {
        let ready: Vec<usize> = (0..columns.len())
            .filter(|&i| !done[i])
            .filter(|&i| {
                columns[i]
                    .given
                    .as_ref()
                    .is_some_and(|g| done[g.by] && g.second.as_ref().is_none_or(|s| done[s.column]))
            })
            .collect();
        if ready.is_empty() {
            break;
        }
        for i in ready {
            done[i] = true;
            out.push(i);
        }
    }
    for i in (0..columns.len()).filter(|&i| !done[i]) {
        c.fail(
            format!("$.columns[{i}].generator.by"),
            format!(
                "{:?} depends on itself through its by columns",
                spec.columns[i].name
            ),
            "by columns without a cycle",
            "remove one by from the cycle",
        );
    }
    out
}

/// Resolves null groups: each column in at most one group, groups of two or more.
pub(super) fn null_groups(c: &mut Checker, spec: &Spec, columns: &mut [PlannedColumn]) -> usize {
    for (g, group) in spec.null_groups.iter().enumerate() {
        if group.columns.len() < 2 {
            c.fail(
                format!("$.null_groups[{g}].columns"),
                format!("{} column(s)", group.columns.len()),
                "two or more columns",
                "a single column's nulls need no group",
            );
        }
        for (k, name) in group.columns.iter().enumerate() {
            let path = format!("$.null_groups[{g}].columns[{k}]");
            match spec.columns.iter().position(|col| col.name == *name) {
                None => c.fail(
                    path,
                    format!("no column named {name:?}"),
                    "the name of a column in $.columns",
                    "check the spelling",
                ),
                Some(i) if columns[i].null_group.is_some() => c.fail(
                    path,
                    format!("{name:?} is already in a null group"),
                    "each column in at most one group",
                    "merge the groups",
                ),
                Some(i) => columns[i].null_group = Some(g),
            }
        }
    }
    spec.null_groups.len()
}
