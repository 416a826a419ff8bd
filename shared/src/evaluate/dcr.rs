//! Distance to closest record, apart from the rest of the report.
//!
//! Its work grows with rows² × columns, the largest single part of a report, yet it
//! reads only a few thousand sampled rows of each table. So it is done in three steps
//! that need not run in one place: [`DcrWork`] holds the sampled rows (owned, and
//! serializable so it can be sent to another worker), [`DcrWork::measure`] measures any
//! share of the synthetic rows, and [`DcrWork::complete`] puts the shares' distances
//! into the report. The page hands shares to its helper workers while it computes the
//! rest; `byod evaluate` measures them all in one go. Each synthetic row's distance
//! depends on nothing but that row, so shares joined in order give the same figures.
//!
//! A `DcrWork` holds real rows: it stays on the machine, like the report.

use super::columns::{Cells, Column};
use super::privacy::{self, share};
use super::{DcrBaseline, DcrOverfitting, Report, Role};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The sampled rows distances are measured between.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DcrWork {
    /// Columns of the sampled synthetic rows: the rows whose distances are measured.
    synthetic: Vec<Sample>,
    /// Columns of the sampled real rows: the reference.
    real: Vec<Sample>,
    /// SDMetrics' random baseline, one row per synthetic row, measured to `real` too.
    random: Vec<Sample>,
    /// Columns of the sampled holdout rows, when there is a holdout.
    holdout: Option<Vec<Sample>>,
    /// Fewer rows were compared than the tables hold.
    subsampled: bool,
}

/// Distances from synthetic rows (a share of them, or all) to their closest records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DcrDistances {
    /// To the closest real row.
    synthetic: Vec<f64>,
    /// From the random baseline's rows to the closest real row.
    random: Vec<f64>,
    /// To the closest holdout row (empty without a holdout).
    holdout: Vec<f64>,
}

impl DcrDistances {
    /// Appends the next share's distances.
    pub fn append(&mut self, next: DcrDistances) {
        self.synthetic.extend(next.synthetic);
        self.random.extend(next.random);
        self.holdout.extend(next.holdout);
    }

    /// Synthetic rows measured.
    pub fn len(&self) -> usize {
        self.synthetic.len()
    }

    /// No row measured.
    pub fn is_empty(&self) -> bool {
        self.synthetic.is_empty()
    }
}

impl DcrWork {
    /// Samples at most `dcr_rows` rows of each table over the statistical columns
    /// (SDMetrics' DCR measures numerical, datetime, categorical and boolean columns;
    /// score.py counts ordinal ones as categorical, and so do we); `None` when there is
    /// nothing to compare.
    pub(crate) fn prepare(cols: &[Column], dcr_rows: usize, seed: u64) -> Option<DcrWork> {
        let used: Vec<&Column> = cols.iter().filter(|c| c.role.is_statistical()).collect();
        if used.is_empty() || dcr_rows == 0 {
            return None;
        }
        let rows = |t: usize| used[0].values.table(t).len();
        let real_rows = privacy::subsample(rows(0), dcr_rows, &mut privacy::rng(seed, 1));
        let synth_rows = privacy::subsample(rows(1), dcr_rows, &mut privacy::rng(seed, 2));
        if real_rows.is_empty() || synth_rows.is_empty() {
            return None;
        }
        let real = take(&used, 0, &real_rows);
        let integer: Vec<bool> = used
            .iter()
            .map(|c| c.logical == crate::LogicalType::Integer && c.role == Role::Numerical)
            .collect();
        let random = random_like(
            &real,
            &integer,
            synth_rows.len(),
            &mut privacy::rng(seed, 3),
        );
        let holdout = (used[0].values.tables() > 2)
            .then(|| privacy::subsample(rows(2), dcr_rows, &mut privacy::rng(seed, 4)))
            .filter(|rows| !rows.is_empty())
            .map(|hold_rows| take(&used, 2, &hold_rows));
        Some(DcrWork {
            subsampled: real_rows.len() < rows(0) || synth_rows.len() < rows(1),
            synthetic: take(&used, 1, &synth_rows),
            real,
            random,
            holdout,
        })
    }

    /// Synthetic rows to measure.
    pub fn rows(&self) -> usize {
        self.synthetic.first().map_or(0, Sample::len)
    }

    /// The distances of synthetic rows `rows` (cut to [`DcrWork::rows`]).
    pub fn measure(&self, rows: Range<usize>) -> DcrDistances {
        let rows = rows.start.min(self.rows())..rows.end.min(self.rows());
        DcrDistances {
            synthetic: dcr(&self.synthetic, rows.clone(), &self.real),
            random: dcr(&self.random, rows.clone(), &self.real),
            holdout: self
                .holdout
                .as_ref()
                .map(|h| dcr(&self.synthetic, rows, h))
                .unwrap_or_default(),
        }
    }

    /// Puts the figures of `distances` (every row's, in order) into the report.
    pub fn complete(&self, report: &mut Report, distances: &DcrDistances) {
        let (baseline, overfitting) = self.figures(distances);
        report.privacy.dcr_baseline_protection = Some(baseline);
        report.privacy.dcr_overfitting_protection = overfitting;
    }

    fn figures(&self, d: &DcrDistances) -> (DcrBaseline, Option<DcrOverfitting>) {
        let med_s = privacy::median(&d.synthetic).unwrap_or(f64::NAN);
        let med_r = privacy::median(&d.random).unwrap_or(f64::NAN);
        let baseline = DcrBaseline {
            score: (med_r > 0.0).then(|| (med_s / med_r).min(1.0)),
            median_dcr_synthetic: med_s,
            median_dcr_random_baseline: med_r,
            p05_dcr_synthetic: privacy::quantile(&d.synthetic, 0.05).unwrap_or(f64::NAN),
            zero_dcr_share: share(
                d.synthetic.iter().filter(|d| **d == 0.0).count(),
                d.synthetic.len(),
            ),
            rows_real: self.real.first().map_or(0, Sample::len),
            rows_synthetic: self.rows(),
            columns_used: self.real.len(),
            subsampled: self.subsampled,
        };
        let overfitting = self.holdout.as_ref().map(|h| {
            let closer = d
                .synthetic
                .iter()
                .zip(&d.holdout)
                .filter(|(t, h)| t < h)
                .count();
            let closer = share(closer, d.synthetic.len());
            DcrOverfitting {
                score: ((1.0 - closer) * 2.0).min(1.0),
                synthetic_share_closer_to_training: closer,
                rows_holdout: h.first().map_or(0, Sample::len),
            }
        });
        (baseline, overfitting)
    }
}

/// One column of a row subset, owned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Sample {
    /// Numbers or nanoseconds; NaN when missing.
    Continuous(Vec<f64>),
    /// Dictionary codes; 0 when missing.
    Discrete(Vec<u32>),
}

impl Sample {
    pub(crate) fn len(&self) -> usize {
        match self {
            Sample::Continuous(v) => v.len(),
            Sample::Discrete(v) => v.len(),
        }
    }
}

/// The chosen rows of table `t` over the DCR columns.
fn take(columns: &[&Column], t: usize, rows: &[usize]) -> Vec<Sample> {
    columns
        .iter()
        .map(|c| match c.values.table(t) {
            Cells::Continuous(v) => Sample::Continuous(rows.iter().map(|&r| v[r]).collect()),
            Cells::Discrete(v) => Sample::Discrete(rows.iter().map(|&r| v[r]).collect()),
        })
        .collect()
}

/// SDMetrics' random baseline: per column, uniform draws over the reference's range
/// (whole numbers for integer columns without missing values, as pandas' int64 dtype),
/// uniform choices among its categories, and missing values at its missing rate.
fn random_like(
    reference: &[Sample],
    integer: &[bool],
    n: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Sample> {
    reference
        .iter()
        .zip(integer)
        .map(|(col, &int)| {
            let rows = col.len().max(1) as f64;
            match col {
                Sample::Continuous(v) => {
                    let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    let missing = (v.len() - present.len()) as f64 / rows;
                    let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let int = int && missing == 0.0;
                    let values = (0..n)
                        .map(|_| {
                            let x = if present.is_empty() {
                                f64::NAN
                            } else if int {
                                rng.random_range(lo as i64..=hi as i64) as f64
                            } else if lo < hi {
                                rng.random_range(lo..hi)
                            } else {
                                lo
                            };
                            if rng.random::<f64>() < missing {
                                f64::NAN
                            } else {
                                x
                            }
                        })
                        .collect();
                    Sample::Continuous(values)
                }
                Sample::Discrete(v) => {
                    let mut cats: Vec<u32> = v.iter().copied().filter(|c| *c != 0).collect();
                    let missing = (v.len() - cats.len()) as f64 / rows;
                    cats.sort_unstable();
                    cats.dedup();
                    let values: Vec<u32> = (0..n)
                        .map(|_| {
                            let x = if cats.is_empty() {
                                0
                            } else {
                                cats[rng.random_range(0..cats.len())]
                            };
                            if rng.random::<f64>() < missing { 0 } else { x }
                        })
                        .collect();
                    Sample::Discrete(values)
                }
            }
        })
        .collect()
}

/// One column prepared for distances: values scaled by the reference range, or codes.
enum DcrColumn<'a> {
    /// Values divided by the reference range (NaN = missing); `constant` when the
    /// range is 0, so any difference counts fully.
    Scaled {
        reference: Vec<f64>,
        constant: bool,
        range: f64,
    },
    Codes(&'a [u32]),
}

/// Distances from each of the `rows` of `data` to its closest `reference` row,
/// averaged over columns, as `sdmetrics...dcr_utils.calculate_dcr` computes them: per
/// column a continuous distance is |a − b| / range(reference) capped at 1 (range 0: 0
/// if equal, else 1), a category distance 0 if equal else 1, and missing matches only
/// missing.
///
/// `data[c]` gives column `c` of the rows to measure, `reference[c]` of the reference.
fn dcr(data: &[Sample], rows: Range<usize>, reference: &[Sample]) -> Vec<f64> {
    let cols = data.len();
    if cols == 0 {
        return Vec::new();
    }
    let m = reference[0].len();
    let prepared: Vec<DcrColumn<'_>> = reference
        .iter()
        .map(|r| match r {
            Sample::Continuous(v) => {
                let (lo, hi) = v
                    .iter()
                    .filter(|x| !x.is_nan())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
                        (l.min(*x), h.max(*x))
                    });
                let range = if lo <= hi { hi - lo } else { f64::NAN };
                let constant = range == 0.0;
                let scale = if constant || range.is_nan() {
                    1.0
                } else {
                    range
                };
                DcrColumn::Scaled {
                    reference: v.iter().map(|x| x / scale).collect(),
                    constant,
                    range: scale,
                }
            }
            Sample::Discrete(v) => DcrColumn::Codes(v),
        })
        .collect();
    let mut total = vec![0.0f64; m];
    let mut out = Vec::with_capacity(rows.len());
    for i in rows {
        total.iter_mut().for_each(|t| *t = 0.0);
        for (col, prep) in data.iter().zip(&prepared) {
            match (col, prep) {
                (
                    Sample::Continuous(x),
                    DcrColumn::Scaled {
                        reference,
                        constant,
                        range,
                    },
                ) => {
                    let x = x[i] / range;
                    if x.is_nan() {
                        for (t, y) in total.iter_mut().zip(reference) {
                            *t += f64::from(u8::from(!y.is_nan()));
                        }
                    } else if *constant {
                        for (t, y) in total.iter_mut().zip(reference) {
                            *t += f64::from(u8::from(*y != x));
                        }
                    } else {
                        // A missing reference value (NaN) is at distance 1: the
                        // comparison is false. Written as a comparison, not
                        // `f64::min`, whose NaN rule WebAssembly has no instruction
                        // for: in V8 these loops ran 2 to 3 times slower.
                        for (t, y) in total.iter_mut().zip(reference) {
                            let d = (x - y).abs();
                            *t += if d < 1.0 { d } else { 1.0 };
                        }
                    }
                }
                (Sample::Discrete(x), DcrColumn::Codes(reference)) => {
                    let x = x[i];
                    for (t, y) in total.iter_mut().zip(reference.iter()) {
                        *t += f64::from(u8::from(*y != x));
                    }
                }
                // Samples taken from one column share its representation
                // (`columns::Values`); a pairing of two kinds would compare
                // nothing alike, so it counts as differing everywhere.
                (Sample::Continuous(_), DcrColumn::Codes(_))
                | (Sample::Discrete(_), DcrColumn::Scaled { .. }) => {
                    total.iter_mut().for_each(|t| *t += 1.0);
                }
            }
        }
        // Totals are never NaN; a comparison for the same reason as above.
        let closest = total
            .iter()
            .copied()
            .fold(f64::INFINITY, |a, b| if b < a { b } else { a });
        out.push(closest / cols as f64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dcr_follows_the_sdmetrics_definition() {
        // Two columns: numeric (reference range 10) and categorical.
        let reference = vec![
            Sample::Continuous(vec![0.0, 10.0, f64::NAN]),
            Sample::Discrete(vec![1u32, 2, 0]),
        ];
        let data = vec![
            Sample::Continuous(vec![1.0, f64::NAN, 10.0]),
            Sample::Discrete(vec![1u32, 0, 3]),
        ];
        let d = dcr(&data, 0..3, &reference);
        // Row 0: to ref 0 → (0.1 + 0)/2 = 0.05.
        assert!((d[0] - 0.05).abs() < 1e-12);
        // Row 1 (NaN, missing): to ref 2 (NaN, missing) → 0.
        assert_eq!(d[1], 0.0);
        // Row 2 (10, new category): to ref 1 → (0 + 1)/2.
        assert!((d[2] - 0.5).abs() < 1e-12);
        assert_eq!(dcr(&data, 1..3, &reference), d[1..]);
        // A missing reference value is at distance 1 from a present one (not 0, not
        // NaN): row (5, category 0) is closest to ref 2 (missing, category 0) at
        // (1 + 0)/2, not to ref 0 or 1 at (0.5 + 1)/2.
        let data = vec![Sample::Continuous(vec![5.0]), Sample::Discrete(vec![0u32])];
        assert_eq!(dcr(&data, 0..1, &reference), [0.5]);
    }
}
