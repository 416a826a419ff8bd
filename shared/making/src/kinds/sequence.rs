//! `sequence`: unique keys `start`, `start + step`, ... in row order (any row range
//! gives the same keys for the same rows).

use crate::plan::Checker;

/// A sequence column, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Sequence {
    pub start: i64,
    pub step: i64,
}

impl Sequence {
    /// Checks the step.
    pub(crate) fn compile(c: &mut Checker, g: &str, start: &i64, step: &i64) -> Self {
        if *step == 0 {
            c.fail(
                format!("{g}.step"),
                "step 0",
                "a non-zero step",
                "use 1 for 1, 2, 3, ...",
            );
        }
        Sequence {
            start: *start,
            step: *step,
        }
    }

    /// The key of row `row` of the whole output.
    pub(crate) fn value(&self, row: u64) -> f64 {
        (self.start as f64) + (self.step as f64) * row as f64
    }
}
