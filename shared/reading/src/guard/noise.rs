//! The privacy budget of `--epsilon` and the Laplace noise that spends it.
//!
//! Accounting is basic sequential composition over add/remove-one-row neighbours: a
//! fifth of ε goes to the correlations (when there are pairs to release), split evenly
//! over the pairs; the rest is split evenly over the other queries the release makes
//! (the row count; per column its null and distinct counts, its distribution, calendar
//! profiles, text lengths and shapes, as it has them). A histogram over disjoint bins is one query (a row is in one bin). Named
//! categories and shapes come from a stability-based histogram (a value is named only
//! if its noisy count passes a threshold set by δ), which is (ε, δ)-differentially
//! private; everything else is pure ε. Slots a column does not use are not spent, and
//! the SafeProfile reports what was.
//!
//! The noise is drawn from the guard's seed, which callers draw from the operating
//! system for every file; a fixed guard seed (for reproducible tests) repeats the noise
//! and voids the guarantee, which the CLI says when one is given.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The share of ε given to correlations (when there are any to release).
pub const PAIR_SHARE: f64 = 0.2;

/// δ of the stability histograms (named categories and shapes).
pub const DELTA: f64 = 1e-6;

/// Noise source and, under differential privacy, the budget it spends.
#[derive(Debug)]
pub(crate) struct Noise {
    rng: ChaCha8Rng,
    budget: Option<Budget>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// ε per count or distribution query.
    pub each: f64,
    /// ε per correlation.
    pub each_pair: f64,
    /// ε spent so far.
    pub spent: f64,
}

impl Noise {
    /// No noise: the k-anonymity guard alone.
    pub fn off(seed: u64) -> Noise {
        Noise {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15),
            budget: None,
        }
    }

    /// ε split over `queries` counts and distributions and `pairs` correlations: a fifth
    /// to the correlations when there are any (the marginals drive most of fidelity, and
    /// a wide table has many more pairs than columns), the rest evenly over the queries.
    pub fn dp(seed: u64, epsilon: f64, queries: usize, pairs: usize) -> Noise {
        let to_pairs = if pairs > 0 { epsilon * PAIR_SHARE } else { 0.0 };
        Noise {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15),
            budget: Some(Budget {
                each: (epsilon - to_pairs) / queries.max(1) as f64,
                each_pair: to_pairs / pairs.max(1) as f64,
                spent: 0.0,
            }),
        }
    }

    /// The budget, under differential privacy.
    pub fn budget(&self) -> Option<Budget> {
        self.budget
    }

    /// ε spent so far (None without differential privacy).
    pub fn spent(&self) -> Option<f64> {
        self.budget.map(|b| b.spent)
    }

    /// A draw from Laplace(0, scale).
    fn laplace(&mut self, scale: f64) -> f64 {
        let u: f64 = self.rng.random_range(-0.5..0.5);
        -scale * u.signum() * (1.0 - 2.0 * u.abs()).max(f64::MIN_POSITIVE).ln()
    }

    fn spend(&mut self) -> Option<f64> {
        let b = self.budget.as_mut()?;
        b.spent += b.each;
        Some(b.each)
    }

    /// A count (sensitivity 1) with Laplace(1/ε) noise, never negative; one query.
    /// Unchanged without differential privacy.
    pub fn count(&mut self, c: u64) -> u64 {
        match self.spend() {
            None => c,
            Some(eps) => (c as f64 + self.laplace(1.0 / eps)).round().max(0.0) as u64,
        }
    }

    /// Counts over disjoint bins (a row adds to one): one query for all of them.
    pub fn counts(&mut self, cs: &[u64]) -> Vec<f64> {
        match self.spend() {
            None => cs.iter().map(|&c| c as f64).collect(),
            Some(eps) => cs
                .iter()
                .map(|&c| (c as f64 + self.laplace(1.0 / eps)).max(0.0))
                .collect(),
        }
    }

    /// A correlation of this sensitivity with Laplace noise; one pair's share of ε.
    pub fn correlation(&mut self, x: f64, sensitivity: f64) -> f64 {
        let Some(b) = self.budget.as_mut() else {
            return x;
        };
        b.spent += b.each_pair;
        let eps = b.each_pair;
        x + self.laplace(sensitivity / eps)
    }

    /// The stability threshold: a value absent from the data (count 0, one row away
    /// from count 1) passes it with probability at most δ.
    pub fn threshold(&self) -> f64 {
        match self.budget {
            None => 0.0,
            Some(b) => 1.0 + (1.0 / (2.0 * DELTA)).ln() / b.each,
        }
    }

    /// Noise scale of one count query (1/ε per slot).
    pub fn scale(&self) -> f64 {
        self.budget.map_or(0.0, |b| 1.0 / b.each)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laplace_noise_is_centred_and_spends_one_slot_per_query() {
        let mut a = Noise::dp(1, 100.0, 100, 0);
        let xs: Vec<u64> = (0..2000).map(|_| a.count(100)).collect();
        let mean = xs.iter().sum::<u64>() as f64 / 2000.0;
        assert!((mean - 100.0).abs() < 0.3, "{mean}");
        assert!(xs.iter().any(|&x| x != 100));
        assert!((a.spent().unwrap() - 2000.0).abs() < 1e-9);
        let mut off = Noise::off(1);
        assert_eq!(off.count(7), 7);
        assert_eq!(off.spent(), None);
    }
}
