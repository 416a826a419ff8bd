//! `pattern`: text made from weighted character-class shapes (`A` a capital, `a` a
//! small letter, `9` a digit, anything else as written): identifiers that keep their
//! look without any real value.

use crate::generate::Rng;
use crate::plan::{Checker, Choice};
use crate::spec::Weighted;
use rand::RngExt;

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
    pub(crate) fn value(&self, u: f64, rng: &mut Rng) -> String {
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

/// A value of a shape. A word's run of letters (`Aaaaaa`, `aaaa`: three or more, all
/// small after an optional capital) becomes a pronounceable made-up word, consonants
/// and vowels in turn, so names of things read as names (`Belomir`), not as noise
/// (`Xqzrtp`); capitals in a row (`AB-1234`) and short runs stay random letters: codes.
pub(crate) fn from_shape(shape: &[char], rng: &mut Rng) -> String {
    const CONSONANTS: &[u8] = b"bcdfghjklmnprstvwz";
    const VOWELS: &[u8] = b"aeiou";
    let mut out = String::with_capacity(shape.len());
    let mut i = 0;
    while i < shape.len() {
        let run = word_run(&shape[i..]);
        if run >= 3 {
            let mut vowel = rng.random_range(0..10u8) < 3;
            for k in 0..run {
                let pool = if vowel { VOWELS } else { CONSONANTS };
                let c = char::from(pool[rng.random_range(0..pool.len())]);
                out.push(if shape[i + k] == 'A' {
                    c.to_ascii_uppercase()
                } else {
                    c
                });
                vowel = !vowel;
            }
            i += run;
            continue;
        }
        out.push(match shape[i] {
            'A' => char::from(b'A' + rng.random_range(0..26u8)),
            'a' => char::from(b'a' + rng.random_range(0..26u8)),
            '9' => char::from(b'0' + rng.random_range(0..10u8)),
            other => other,
        });
        i += 1;
    }
    out
}

/// The length of the word run (`A?a+`) at the start of a shape, 0 if none.
fn word_run(shape: &[char]) -> usize {
    let capital = usize::from(shape.first() == Some(&'A'));
    let small = shape[capital..].iter().take_while(|&&c| c == 'a').count();
    if small == 0 { 0 } else { capital + small }
}
