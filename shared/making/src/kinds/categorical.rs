//! `categorical`: values drawn by weight; a share of made-up "other" values from
//! character-class shapes (`Aaaa 99`) stands for the rare values the guard withheld.
//! Its `by` groups and fixed combinations are resolved with the other conditionals in
//! `plan::given`.

use super::pattern::{from_shape, shape_chars};
use crate::generate::Rng;
use crate::plan::{Checker, Choice};
use crate::spec::Weighted;
use rand::RngExt;

/// A categorical column, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Categorical {
    pub labels: Vec<String>,
    /// Over the labels, then "other" last when `other_share` > 0.
    pub choice: Choice,
    pub has_other: bool,
    pub shapes: Option<(Vec<Vec<char>>, Choice)>,
}

impl Categorical {
    /// Checks the spec's values, shares and shapes.
    pub(crate) fn compile(
        c: &mut Checker,
        g: &str,
        values: &[Weighted<String>],
        other_share: &f64,
        other_shapes: &[Weighted<String>],
    ) -> Self {
        c.weights(&format!("{g}.values"), values, *other_share > 0.0);
        c.shapes(&format!("{g}.other_shapes"), other_shapes);
        if !(0.0..=1.0).contains(other_share) {
            c.fail(
                format!("{g}.other_share"),
                format!("other_share {other_share}"),
                "a share in 0..=1",
                "0 means only the listed values",
            );
        }
        if *other_share > 0.0 && other_shapes.is_empty() {
            c.fail(
                format!("{g}.other_shapes"),
                "other_share > 0 but no shapes to make other values from",
                "at least one shape",
                "add shapes such as \"Aaaa\" or set other_share to 0",
            );
        }
        let named: f64 = values.iter().map(|v| v.weight).sum();
        let has_other = *other_share > 0.0;
        let weights = values
            .iter()
            .map(|v| {
                if named > 0.0 {
                    v.weight / named * (1.0 - other_share)
                } else {
                    0.0
                }
            })
            .chain(has_other.then_some(*other_share));
        Categorical {
            labels: values.iter().map(|v| v.value.clone()).collect(),
            choice: Choice::new(weights),
            has_other,
            shapes: (!other_shapes.is_empty()).then(|| shape_chars(other_shapes)),
        }
    }

    /// A value that is not named: made from the column's shapes.
    pub(crate) fn other_value(&self, rng: &mut Rng) -> String {
        match &self.shapes {
            Some((shapes, pick)) => {
                let s = &shapes[pick.pick(rng.random::<f64>())];
                from_shape(s, rng)
            }
            None => String::new(),
        }
    }
}
