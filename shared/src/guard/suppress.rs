//! Complementary suppression in the tables of conditionals (a target's values within
//! the groups of another column): what is held back must not be derivable from what
//! is released.
//!
//! Withholding a rare cell is not enough when its line (a group's values, a value
//! across groups) releases everything else and its total: the cell is the total minus
//! the rest. "4 of the 8 patients in ward C have HIV" came out of a
//! SafeProfile that withheld ward C and every HIV cell, by subtraction. The rule here,
//! applied to every line until none breaks it: the suppressed part of a line is either
//! nothing, or at least two cells holding at least k rows together. A line that breaks
//! it loses its smallest released cell too, which may break a crossing line, and so on;
//! every round releases less, so it ends.

/// One line's cells: `(count, released)`. Returns whether the suppressed part is
/// safe: nothing, or ≥ 2 non-empty cells with ≥ `k` rows together.
fn line_safe<'a>(cells: impl Iterator<Item = (u64, bool)> + 'a, k: u64) -> bool {
    let (mut n, mut rows) = (0u64, 0u64);
    for (count, released) in cells {
        if !released && count > 0 {
            n += 1;
            rows += count;
        }
    }
    n == 0 || (n >= 2 && rows >= k)
}

/// A contingency table of a target by groups: `cells[g][v]` counts rows of group `g`
/// with target value `v`; `released[g][v]` starts as "named and ≥ k". `outside[v]` is
/// what the released marginal of value `v` holds beyond the listed groups (rows of
/// groups not described, or with the group column missing): a hidden cell of its own
/// in v's line. Withdraws cells (and whole groups, when a group's line cannot be made
/// safe) until every line is safe; returns which groups are still released.
pub(crate) fn table(
    cells: &[Vec<u64>],
    released: &mut [Vec<bool>],
    outside: &[u64],
    k: u64,
) -> Vec<bool> {
    let groups = cells.len();
    let values = outside.len();
    let mut kept = vec![true; groups];
    loop {
        let mut changed = false;
        // Group lines.
        for g in 0..groups {
            if !kept[g] {
                continue;
            }
            let line = (0..values).map(|v| (cells[g][v], released[g][v]));
            if line_safe(line, k) {
                continue;
            }
            match (0..values)
                .filter(|&v| released[g][v])
                .min_by_key(|&v| cells[g][v])
            {
                Some(v) => released[g][v] = false,
                // Nothing left to withdraw: the group is not described at all.
                None => kept[g] = false,
            }
            changed = true;
        }
        // Value lines: the listed groups' cells, plus everything outside them (the
        // groups withdrawn whole count as outside too).
        for v in 0..values {
            let withdrawn: u64 = (0..groups).filter(|&g| !kept[g]).map(|g| cells[g][v]).sum();
            let line = (0..groups)
                .filter(|&g| kept[g])
                .map(|g| (cells[g][v], released[g][v]))
                .chain(std::iter::once((outside[v] + withdrawn, false)));
            if line_safe(line, k) {
                continue;
            }
            if let Some(g) = (0..groups)
                .filter(|&g| kept[g] && released[g][v])
                .min_by_key(|&g| cells[g][v])
            {
                released[g][v] = false;
                changed = true;
            }
        }
        if !changed {
            return kept;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ward_c_attack_finds_no_single_hidden_cell() {
        // Wards A, B (described) and C (not described: `outside`); diagnoses
        // flu, cold, HIV. Every HIV cell is under k; ward A's and B's only hidden
        // cell is HIV, so HIV(A) = rows(A) − flu(A) − cold(A) was derivable.
        let cells = vec![vec![20, 15, 2], vec![25, 12, 2]];
        let k = 5;
        let mut released: Vec<Vec<bool>> = cells
            .iter()
            .map(|g| g.iter().map(|&c| c >= k).collect())
            .collect();
        let outside = [3, 2, 4]; // ward C: 3 flu, 2 cold, 4 HIV
        let kept = table(&cells, &mut released, &outside, k);
        for (g, row) in cells.iter().enumerate() {
            if !kept[g] {
                continue;
            }
            let hidden: Vec<u64> = (0..3)
                .filter(|&v| !released[g][v] && row[v] > 0)
                .map(|v| row[v])
                .collect();
            assert!(hidden.is_empty() || (hidden.len() >= 2 && hidden.iter().sum::<u64>() >= k));
        }
        for v in 0..3 {
            let mut hidden: Vec<u64> = (0..2)
                .filter(|&g| kept[g] && !released[g][v] && cells[g][v] > 0)
                .map(|g| cells[g][v])
                .collect();
            let withdrawn: u64 = (0..2).filter(|&g| !kept[g]).map(|g| cells[g][v]).sum();
            if outside[v] + withdrawn > 0 {
                hidden.push(outside[v] + withdrawn);
            }
            assert!(hidden.is_empty() || (hidden.len() >= 2 && hidden.iter().sum::<u64>() >= k));
        }
    }
}
