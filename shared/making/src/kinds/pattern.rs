//! `pattern`: text made from weighted character-class shapes (`A` a capital, `a` a
//! small letter, `9` a digit, anything else as written): identifiers that keep their
//! look without any real value.

use crate::plan::{Checker, Choice};
use crate::spec::Weighted;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// A pattern column, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub shapes: Vec<Vec<char>>,
    pub choice: Choice,
}

impl Pattern {
    /// Checks the shapes and their weights.
    pub(crate) fn compile(c: &mut Checker, g: &str, shapes: &[Weighted<String>]) -> Self {
        c.weights(&format!("{g}.shapes"), shapes, false);
        c.shapes(&format!("{g}.shapes"), shapes);
        let (shapes, choice) = shape_chars(shapes);
        Pattern { shapes, choice }
    }

    /// The value at probability `u`.
    pub(crate) fn value(&self, u: f64, rng: &mut ChaCha8Rng) -> String {
        from_shape(&self.shapes[self.choice.pick(u)], rng)
    }
}

/// Shapes as characters, and the choice over them.
pub(crate) fn shape_chars(items: &[Weighted<String>]) -> (Vec<Vec<char>>, Choice) {
    (
        items.iter().map(|s| s.value.chars().collect()).collect(),
        Choice::new(items.iter().map(|s| s.weight)),
    )
}

pub(crate) fn from_shape(shape: &[char], rng: &mut ChaCha8Rng) -> String {
    shape
        .iter()
        .map(|&c| match c {
            'A' => char::from(b'A' + rng.random_range(0..26u8)),
            'a' => char::from(b'a' + rng.random_range(0..26u8)),
            '9' => char::from(b'0' + rng.random_range(0..10u8)),
            other => other,
        })
        .collect()
}
