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
    /// Point masses covering part of the rows, merged with the quantiles.
    pub mixture: Option<Mixture>,
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
        let usable = quantiles.len() >= 2
            && quantiles.iter().all(|q| q.is_finite())
            && quantiles.windows(2).all(|w| w[0] <= w[1])
            && point_masses
                .iter()
                .all(|m| m.value.is_finite() && m.weight >= 0.0);
        let partial = usable && mass > 0.0 && mass < 1.0 - 1e-9;
        let mixture = partial.then(|| Mixture::new(quantiles, point_masses, mass, encoding));
        Numeric {
            mixture,
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
        if let Some(m) = &self.mixture {
            let p = m.piece(u);
            let t = ((u - p.start) / (p.end - p.start).max(f64::MIN_POSITIVE)).clamp(0.0, 1.0);
            return self.rounded(self.inverse(&[p.low, p.high], t));
        }
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

/// Slices of (0, 1) in a mixture's lookup.
const BUCKETS: usize = 512;

/// One stretch of a mixed inverse CDF: probabilities `start..end` map onto values
/// `low..high` (an atom when they are equal).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Piece {
    pub start: f64,
    pub end: f64,
    pub low: f64,
    pub high: f64,
}

/// Point masses that cover a share of the rows, and quantiles of the other rows, as
/// one increasing inverse CDF: each mass sits at its value among the quantiles' spans
/// (a span it falls inside is split there, by the real minutes or days for an encoded
/// column). Drawing "a mass when u < mass, else the quantiles" would be right in
/// distribution but would break the copula: a low u would make a 20:00 departure as
/// readily as a 06:00 one.
#[derive(Debug, Clone)]
pub(crate) struct Mixture {
    pieces: Vec<Piece>,
    /// For each of [`BUCKETS`] equal slices of (0, 1), the first piece that reaches
    /// into it: a lookup and a step or two instead of a binary search per value,
    /// whose mispredicted branches cost 8 % on a million diamonds.
    index: Vec<u32>,
}

impl Mixture {
    /// `quantiles` (at least 2, finite, sorted) and masses covering `mass` (0..1).
    fn new(
        quantiles: &[f64],
        masses: &[Weighted<f64>],
        mass: f64,
        encoding: Option<NumberEncoding>,
    ) -> Self {
        let line = |x: f64| encoding.map_or(x, |e| e.to_line(x));
        let mut atoms: Vec<(f64, f64)> = masses.iter().map(|m| (m.value, m.weight)).collect();
        atoms.sort_by(|a, b| a.0.total_cmp(&b.0));
        let span = (1.0 - mass) / (quantiles.len() - 1) as f64;
        let mut pieces = Vec::with_capacity(quantiles.len() + atoms.len());
        let mut at = 0.0;
        let mut push = |pieces: &mut Vec<Piece>, low: f64, high: f64, width: f64| {
            if width > 0.0 {
                pieces.push(Piece {
                    start: at,
                    end: at + width,
                    low,
                    high,
                });
                at += width;
            }
        };
        let first = atoms.partition_point(|a| a.0 < quantiles[0]);
        for &(v, share) in &atoms[..first] {
            push(&mut pieces, v, v, share);
        }
        let mut next = atoms[first..].iter().peekable();
        for w in quantiles.windows(2) {
            let (mut low, high) = (w[0], w[1]);
            let mut left = span;
            while let Some(&&(v, share)) = next.peek() {
                if v > high || (v == high && high > low) {
                    break;
                }
                next.next();
                let whole = line(high) - line(low);
                let part = if whole > 0.0 {
                    left * ((line(v) - line(low)) / whole).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                push(&mut pieces, low, v, part);
                left -= part;
                push(&mut pieces, v, v, share);
                low = v;
            }
            push(&mut pieces, low, high, left);
        }
        for &(v, share) in next {
            push(&mut pieces, v, v, share);
        }
        if let Some(last) = pieces.last_mut() {
            last.end = 1.0;
        }
        let index = (0..BUCKETS)
            .map(|b| {
                let from = b as f64 / BUCKETS as f64;
                let i = pieces.partition_point(|p| p.end <= from);
                i.min(pieces.len().saturating_sub(1)) as u32
            })
            .collect();
        Mixture { pieces, index }
    }

    /// The piece holding probability `u`.
    fn piece(&self, u: f64) -> &Piece {
        let bucket = ((u * BUCKETS as f64) as usize).min(BUCKETS - 1);
        let last = self.pieces.len() - 1;
        let mut i = self.index[bucket] as usize;
        while i < last && self.pieces[i].end <= u {
            i += 1;
        }
        &self.pieces[i]
    }
}
