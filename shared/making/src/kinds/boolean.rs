//! `boolean`: true with a given share.

use crate::plan::Checker;

/// A boolean column, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Boolean {
    pub p_true: f64,
}

impl Boolean {
    /// Checks the share.
    pub(crate) fn compile(c: &mut Checker, g: &str, p_true: &f64) -> Self {
        if !(0.0..=1.0).contains(p_true) {
            c.fail(
                format!("{g}.p_true"),
                format!("p_true {p_true}"),
                "a share in 0..=1",
                "the share of rows that are true",
            );
        }
        Boolean { p_true: *p_true }
    }

    /// The value at probability `u`.
    pub(crate) fn value(&self, u: f64) -> bool {
        u >= 1.0 - self.p_true
    }
}
