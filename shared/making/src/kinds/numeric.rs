//! `numeric`: numbers from empirical quantiles (interpolated, or stepped for counts and
//! codes), with point masses for repeated values, rounded to the column's decimals.

use super::{bracket, interpolate, nearest, round_to};
use crate::math::round;
use crate::plan::{Checker, Choice, MAX_LIST};
use crate::spec::{NumberEncoding, Weighted};

/// How values between the quantiles are made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Between {
    /// Take the nearest quantile instead of interpolating.
    pub stepped: bool,
    /// Interpolate in the real minutes or days the numbers encode.
    pub encoding: Option<NumberEncoding>,
}

/// A numeric column, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Numeric {
    pub quantiles: Vec<f64>,
    pub masses: Vec<f64>,
    pub mass_choice: Option<(Choice, f64)>,
    pub decimals: u8,
    pub integer: bool,
    pub stepped: bool,
    pub encoding: Option<NumberEncoding>,
}

impl Numeric {
    /// Checks the quantiles, point masses and decimals.
    pub(crate) fn compile(
        c: &mut Checker,
        g: &str,
        quantiles: &[f64],
        point_masses: &[Weighted<f64>],
        decimals: &u8,
        integer: &bool,
        Between { stepped, encoding }: Between,
    ) -> Self {
        if quantiles.len() < 2 || quantiles.len() > MAX_LIST {
            c.fail(
                format!("{g}.quantiles"),
                format!("{} quantiles", quantiles.len()),
                &format!("2 to {MAX_LIST} values"),
                "give at least the minimum and the maximum",
            );
        }
        if let Some(k) = quantiles.iter().position(|q| !q.is_finite()) {
            c.fail(
                format!("{g}.quantiles[{k}]"),
                "not a finite number",
                "finite numbers",
                "remove infinities and NaN",
            );
        }
        if let Some(k) = quantiles.windows(2).position(|w| w[1] < w[0]) {
            c.fail(
                format!("{g}.quantiles[{}]", k + 1),
                format!("{} after {}", quantiles[k + 1], quantiles[k]),
                "non-decreasing values",
                "sort the quantiles",
            );
        }
        c.weights(&format!("{g}.point_masses"), point_masses, true);
        let mass: f64 = point_masses.iter().map(|m| m.weight).sum();
        if mass > 1.0 + 1e-9 {
            c.fail(
                format!("{g}.point_masses"),
                format!("shares sum to {mass}"),
                "shares summing to at most 1",
                "point mass weights are shares of rows",
            );
        }
        if *decimals > 15 {
            c.fail(
                format!("{g}.decimals"),
                format!("{decimals} decimals"),
                "0 to 15",
                "doubles hold about 15 significant digits",
            );
        }
        if let Some(e) = encoding
            && !*integer
        {
            c.fail(
                format!("{g}.encoding"),
                format!("{} with integer: false", e.label()),
                "integer: true",
                "encoded times and dates are whole numbers",
            );
        }
        Numeric {
            quantiles: quantiles.to_vec(),
            masses: point_masses.iter().map(|m| m.value).collect(),
            mass_choice: (mass > 0.0).then(|| {
                (
                    Choice::new(point_masses.iter().map(|m| m.weight)),
                    mass.min(1.0),
                )
            }),
            decimals: *decimals,
            integer: *integer,
            stepped,
            encoding,
        }
    }

    /// The value at probability `u`.
    pub(crate) fn value(&self, u: f64) -> f64 {
        let x = match &self.mass_choice {
            Some((choice, mass)) if u < *mass => self.masses[choice.pick(u / mass)],
            Some((_, mass)) => self.inverse(&self.quantiles, (u - mass) / (1.0 - mass)),
            None => self.inverse(&self.quantiles, u),
        };
        self.rounded(x)
    }

    /// The value at probability `u` from a `by` group's own quantiles, stepped and
    /// rounded like the column.
    pub(crate) fn value_in(&self, quantiles: &[f64], u: f64) -> f64 {
        self.rounded(self.inverse(quantiles, u))
    }

    fn inverse(&self, quantiles: &[f64], u: f64) -> f64 {
        match (self.stepped, self.encoding) {
            (true, _) => nearest(quantiles, u),
            (false, None) => interpolate(quantiles, u),
            // Between 1259 and 1301 lie two minutes, not 42 numbers: interpolate on
            // the line of real minutes (days), then write the result back.
            (false, Some(e)) => {
                let (lo, hi, t) = bracket(quantiles, u);
                let (a, b) = (e.to_line(lo), e.to_line(hi));
                e.from_line(a + (b - a) * t)
            }
        }
    }

    fn rounded(&self, x: f64) -> f64 {
        if self.integer {
            round(x)
        } else {
            round_to(x, self.decimals)
        }
    }
}
