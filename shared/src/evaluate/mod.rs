//! evaluate: (real Table, synthetic Table) → [`Report`], how faithful and how private
//! the synthetic data is.
//!
//! Fidelity follows the SDMetrics 0.32 Quality Report (see [`fidelity`] for each
//! metric and its quirks): the same columns are scored ([`roles`] reproduces SDV's
//! metadata detection on the real table), with the same metrics, pair filter and
//! averages, so a figure here can be checked against `../shared/bench/score.sh`.
//! Privacy adds what SDMetrics leaves out: copies of whole rows, verbatim copies in
//! identifier, PII and free-text columns, distance to closest record, and withheld
//! values found in the output.
//!
//! This is the one step that reads real rows after profiling; it runs locally (worker,
//! CLI) and its report, which holds real category labels for the charts, stays local.
//! Deterministic: the same tables, options and seed give the same report, natively and
//! in WebAssembly.

mod columns;
mod dcr;
mod fidelity;
mod plots;
mod privacy;
mod roles;
mod validity;

pub use dcr::{DcrDistances, DcrWork};
pub use validity::{RelationHeld, Validity};

pub use fidelity::{ASSOCIATION_THRESHOLD, CORRELATION_THRESHOLD};
pub use plots::Plot;
pub use roles::Role;

use crate::profile::{ColumnKind, Profile};
use crate::table::Table;
use columns::{Cells, Column, Values};
use serde::{Deserialize, Serialize};

/// The report format's version.
pub const REPORT_VERSION: u32 = 1;

/// Rows of a synthetic output scored for the fidelity shown beside a download (a prefix
/// of the output). Scores settle well before this; larger outputs would only take longer.
pub const SCORED_ROWS: u64 = 50_000;

/// The part of a synthetic output that is scored: its first [`SCORED_ROWS`] rows (a
/// zero-copy slice; row ranges are prefixes of the full run, so this is what a reader of
/// the file sees first).
pub fn scored_prefix(synthetic: &Table) -> Table {
    let rows = (synthetic.batch.num_rows() as u64).min(SCORED_ROWS);
    let mut scored = synthetic.clone();
    scored.batch = synthetic.batch.slice(0, rows as usize);
    scored.total_rows = rows;
    scored
}

/// Most column pairs scored for pair trends (the first columns, in table order): each
/// pair costs a pass over the rows, and a 2,000-column table has two million.
pub const MAX_SCORED_PAIRS: usize = 20_000;
/// Most cell comparisons one distance-to-closest-record figure may make (rows × rows
/// × columns): past it, fewer rows are compared.
pub const MAX_DCR_WORK: u64 = 2_500_000_000;

/// What to evaluate beyond the two tables.
#[derive(Debug, Clone)]
pub struct EvaluateOptions<'a> {
    /// Real rows that were *not* used to build the spec: enables the overfitting check.
    pub holdout: Option<&'a Table>,
    /// Values that must not appear in the synthetic table (the guard's sentinels).
    pub withheld_values: &'a [String],
    /// The real table's profile, when the caller has it (else it is computed): tells
    /// which columns hold identifiers, PII or free text.
    pub real_profile: Option<&'a Profile>,
    /// Seed for the DCR subsamples and random baseline.
    pub seed: u64,
    /// Rows of each table used for DCR (SDMetrics' cost is rows²; 5,000 like score.py).
    pub dcr_rows: usize,
    /// Include per-column plot data and correlation matrices.
    pub plots: bool,
    /// Draw the real side of plots and matrices from this SafeProfile of the real table
    /// (what may leave) instead of the real rows, so the report can be shared like the
    /// SafeProfile: no withheld value, no true extreme. The scores are the same.
    pub released: Option<&'a crate::wire::SafeProfile>,
}

impl Default for EvaluateOptions<'_> {
    fn default() -> Self {
        EvaluateOptions {
            holdout: None,
            withheld_values: &[],
            real_profile: None,
            seed: 0,
            dcr_rows: 5_000,
            plots: true,
            released: None,
        }
    }
}

/// The fidelity and privacy report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// Rows evaluated per table.
    pub rows: Rows,
    /// The headline fidelity figures.
    pub fidelity: Fidelity,
    /// Per real column: role, shape score, plot.
    pub columns: Vec<ColumnReport>,
    /// Every pair of scored columns.
    pub pairs: Vec<PairReport>,
    /// Real and synthetic association matrices over the scored columns.
    pub correlation: Option<CorrelationMatrices>,
    /// The privacy figures.
    pub privacy: Privacy,
    /// The relations that hold on the real rows, and how well the synthetic rows keep
    /// them.
    #[serde(default)]
    pub validity: Validity,
    /// The headline over the columns the synthetic data imitates, and the columns
    /// replaced by design (personal data, keys, free text) with what replaced them.
    #[serde(default)]
    pub imitated: Imitated,
    /// Real columns the synthetic table lacks (scored as all-missing).
    pub missing_columns: Vec<String>,
    /// Synthetic columns the real table lacks (ignored).
    pub extra_columns: Vec<String>,
    /// Things to know when reading the figures.
    pub notes: Vec<String>,
    /// Where the real side of plots and matrices comes from: `released` (what the
    /// SafeProfile releases: shareable) or `full` (the real rows: keep it local).
    #[serde(default = "full_side")]
    pub real_side: String,
}

fn full_side() -> String {
    "full".into()
}

/// Row counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rows {
    /// Real rows.
    pub real: u64,
    /// Synthetic rows.
    pub synthetic: u64,
    /// Holdout rows, when given.
    pub holdout: Option<u64>,
}

/// SDMetrics Quality Report figures, each in 0..1 (1 = indistinguishable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fidelity {
    /// Mean of column shapes and column pair trends (SDMetrics' overall score).
    pub overall: Option<f64>,
    /// Mean shape score over scored columns.
    pub column_shapes: Option<f64>,
    /// Mean pair score over pairs passing SDMetrics' filter.
    pub column_pair_trends: Option<f64>,
    /// Mean pair score over every pair (SDMetrics before the filter).
    pub column_pair_trends_all_pairs: Option<f64>,
    /// Mean of column shapes and all-pairs trends.
    pub overall_all_pairs: Option<f64>,
    /// Columns scored for shape.
    pub shape_columns: usize,
    /// Pairs of scored columns.
    pub pairs: usize,
    /// Pairs that pass the filter (real |r| > 0.5 or Cramér's V > 0.3).
    pub pairs_meeting_threshold: usize,
}

/// Fidelity over the columns the synthetic data is meant to imitate. Columns the guard
/// replaces by design (names, emails, keys, notes) score near 0 as categories whatever
/// the generator does, and would drag SDMetrics' figure down for doing what it should.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Imitated {
    /// The figures over the imitated columns and their pairs; `None` when every
    /// column is replaced.
    pub fidelity: Option<Fidelity>,
    /// The columns left out, with what replaced them.
    pub replaced: Vec<Replaced>,
}

/// A column replaced by design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replaced {
    /// Column name.
    pub column: String,
    /// What the synthetic rows hold instead, in plain words.
    pub by: String,
}

/// One real column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnReport {
    /// Column name.
    pub name: String,
    /// Scoring role.
    pub role: Role,
    /// SDV's sdtype (`city`, `ordinal`, ...).
    pub sdtype: String,
    /// `KSComplement` or `TVComplement`; none for unscored columns.
    pub metric: Option<String>,
    /// Shape score in 0..1.
    pub score: Option<f64>,
    /// Why a scored column has no score.
    pub error: Option<String>,
    /// Present synthetic values that could not be read as the real column's type.
    pub unparsed_synthetic: u64,
    /// Real against synthetic distribution.
    pub plot: Option<Plot>,
}

/// One pair of scored columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairReport {
    /// The two column names.
    pub columns: [String; 2],
    /// `CorrelationSimilarity` or `ContingencySimilarity`.
    pub metric: String,
    /// Pair score in 0..1.
    pub score: Option<f64>,
    /// Pearson's r in the real table (continuous pairs).
    pub real_correlation: Option<f64>,
    /// Pearson's r in the synthetic table (continuous pairs).
    pub synthetic_correlation: Option<f64>,
    /// Cramér's V in the real table (other pairs).
    pub real_association: Option<f64>,
    /// Cramér's V in the synthetic table (other pairs).
    pub synthetic_association: Option<f64>,
    /// Whether the pair counts towards `column_pair_trends`.
    pub meets_threshold: bool,
}

/// Square matrices over `columns`: Pearson's r for two continuous columns, Cramér's V
/// (0..1) otherwise; 1 on the diagonal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelationMatrices {
    /// Scored column names.
    pub columns: Vec<String>,
    /// Real associations.
    pub real: Vec<Vec<Option<f64>>>,
    /// Synthetic associations.
    pub synthetic: Vec<Vec<Option<f64>>>,
}

/// Privacy figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Privacy {
    /// Share of synthetic rows identical to a real row over every column.
    pub exact_copy_rate: f64,
    /// The same over the scored (statistical) columns only.
    pub exact_copy_rate_stat_cols: f64,
    /// Share of real rows that duplicate an earlier real row over every column.
    pub real_self_dup_rate: f64,
    /// The same over the scored columns: the floor for "copies" on this table.
    pub real_self_dup_rate_stat_cols: f64,
    /// Share of synthetic rows duplicating an earlier synthetic row (scored columns).
    pub synth_self_dup_rate_stat_cols: f64,
    /// Identifier, PII and free-text columns: how many synthetic values occur verbatim
    /// in the real column.
    pub verbatim: Vec<Verbatim>,
    /// SDMetrics' DCRBaselineProtection.
    pub dcr_baseline_protection: Option<DcrBaseline>,
    /// SDMetrics' DCROverfittingProtection (with a holdout).
    pub dcr_overfitting_protection: Option<DcrOverfitting>,
    /// Withheld values found in the synthetic table.
    pub withheld: WithheldCheck,
}

/// Verbatim copies in one sensitive column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verbatim {
    /// Column name.
    pub column: String,
    /// Why it is checked (`id`, an SDV PII sdtype, or our semantic type / kind).
    pub why: String,
    /// Share of present synthetic values found in the real column.
    pub rate: f64,
    /// Share of present synthetic values that one real row alone holds: the copies
    /// that could point at a person. Shared values (a state, a common surname, the
    /// generator's own pools) are not counted.
    #[serde(default)]
    pub unique_rate: f64,
    /// Present synthetic values.
    pub synthetic_values: u64,
    /// The column's values name a person alone (emails, account numbers, keys), as
    /// against values many people share (cities, first names), where a copy is what
    /// any pool of such values gives by chance.
    #[serde(default)]
    pub identifying: bool,
}

impl Verbatim {
    /// Share of copies of values one real row alone holds that is worth a look.
    pub const ALARM: f64 = 0.01;

    /// Whether the copies could point at people: in a column whose values name a
    /// person alone, values one real row alone holds, copied in more than
    /// [`Verbatim::ALARM`] of the synthetic values.
    pub fn alarming(&self) -> bool {
        self.identifying && self.unique_rate > Self::ALARM
    }
}

/// Distance to closest record against a random baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DcrBaseline {
    /// min(median DCR synthetic→real / median DCR random→real, 1): 1 = synthetic rows
    /// are as far from real rows as random ones.
    pub score: Option<f64>,
    /// Median distance of a synthetic row to its closest real row.
    pub median_dcr_synthetic: f64,
    /// Median distance of a random row to its closest real row.
    pub median_dcr_random_baseline: f64,
    /// 5th percentile of the synthetic distances.
    pub p05_dcr_synthetic: f64,
    /// Share of synthetic rows at distance 0 (a copy on the scored columns).
    pub zero_dcr_share: f64,
    /// Real rows used.
    pub rows_real: usize,
    /// Synthetic rows used.
    pub rows_synthetic: usize,
    /// Columns measured.
    pub columns_used: usize,
    /// Whether a table was subsampled to `dcr_rows`.
    pub subsampled: bool,
}

/// Whether synthetic rows sit closer to the training rows than to unseen real rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DcrOverfitting {
    /// min((1 − share closer to training) × 2, 1): 1 = no closer to training than to
    /// the holdout.
    pub score: f64,
    /// Share of synthetic rows closer to a training row than to any holdout row.
    pub synthetic_share_closer_to_training: f64,
    /// Holdout rows used.
    pub rows_holdout: usize,
}

/// The search for withheld values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithheldCheck {
    /// Values searched for.
    pub values_checked: usize,
    /// Synthetic cells containing one (must be 0).
    pub occurrences: u64,
    /// Where each found value occurs.
    pub leaks: Vec<Leak>,
}

/// A withheld value found in a synthetic column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leak {
    /// Index into the withheld values given.
    pub value_index: usize,
    /// Synthetic column.
    pub column: String,
    /// Cells containing it.
    pub cells: u64,
    /// First such row (0-based).
    pub first_row: u64,
}

/// Evaluates a synthetic table against the real one.
pub fn evaluate(real: &Table, synthetic: &Table, options: &EvaluateOptions<'_>) -> Report {
    let mut dcr = None;
    let mut report = evaluate_apart(real, synthetic, options, |work| dcr = Some(work));
    if let Some(work) = dcr {
        let distances = work.measure(0..work.rows());
        work.complete(&mut report, &distances);
    }
    report
}

/// [`evaluate`], but the distance-to-closest-record work is handed to `hand_off` as
/// soon as the columns are read, before the rest is computed, and the report comes
/// back without it: the caller measures it where it likes (the page's helper
/// workers) and puts it in with [`DcrWork::complete`]. `hand_off` is not called when
/// there is nothing to compare.
pub fn evaluate_apart(
    real: &Table,
    synthetic: &Table,
    options: &EvaluateOptions<'_>,
    hand_off: impl FnOnce(DcrWork),
) -> Report {
    let cols = read_columns(real, synthetic, options.holdout);
    let (dcr_rows, dcr_note) = dcr_rows_within_budget(&cols, options.dcr_rows);
    if let Some(work) = DcrWork::prepare(&cols, dcr_rows, options.seed) {
        hand_off(work);
    }
    let names_missing_from = |a: &Table, b: &Table| -> Vec<String> {
        a.columns
            .iter()
            .filter(|c| b.column_index(&c.name).is_none())
            .map(|c| c.name.clone())
            .collect()
    };
    let missing_columns = names_missing_from(real, synthetic);
    let extra_columns = names_missing_from(synthetic, real);

    let mut columns: Vec<ColumnReport> = cols.iter().map(|c| shape(c, options.plots)).collect();
    let mut notes = Vec::new();
    let stat = paired_columns(&cols, &mut notes);
    notes.extend(dcr_note);
    let (mut pairs, mut correlation) = pair_trends(&stat, options);
    if let Some(safe) = options.released {
        release_real_side(
            &cols,
            safe,
            options.plots,
            &mut columns,
            &mut pairs,
            &mut correlation,
        );
    }
    let fidelity = summarize(&columns, &pairs);

    let computed;
    let profile = match options.real_profile {
        Some(p) => p,
        None => {
            computed = crate::profile(real);
            &computed
        }
    };
    let privacy = privacy_figures(&cols, synthetic, profile, options);
    let validity = validity::validity(&cols, profile);
    let imitated = imitated(profile, &columns, &pairs);

    reading_notes(real, &missing_columns, &cols, &mut notes);
    for (report, col) in columns.iter_mut().zip(&cols) {
        report.unparsed_synthetic = col.unparsed[1];
    }
    Report {
        version: REPORT_VERSION,
        rows: Rows {
            real: real.batch.num_rows() as u64,
            synthetic: synthetic.batch.num_rows() as u64,
            holdout: options.holdout.map(|h| h.batch.num_rows() as u64),
        },
        fidelity,
        columns,
        pairs,
        correlation,
        privacy,
        validity,
        imitated,
        missing_columns,
        extra_columns,
        notes,
        real_side: if options.released.is_some() {
            "released".into()
        } else {
            full_side()
        },
    }
}

/// Every real column, with its role from the real table, read from each table (real,
/// synthetic, then the holdout).
fn read_columns(real: &Table, synthetic: &Table, holdout: Option<&Table>) -> Vec<Column> {
    let detected = roles::detect(
        &real
            .columns
            .iter()
            .zip(real.batch.columns())
            .map(|(c, a)| (c.name.as_str(), c.logical, a))
            .collect::<Vec<_>>(),
    );
    let mut tables: Vec<&Table> = vec![real, synthetic];
    tables.extend(holdout);
    let mut cols: Vec<Column> = real
        .columns
        .iter()
        .zip(&detected)
        .map(|(info, d)| {
            Column::new(
                &info.name,
                d.role,
                d.sdtype,
                info.logical,
                info.format.as_deref(),
            )
        })
        .collect();
    for col in &mut cols {
        for t in &tables {
            let array = t.column_index(&col.name).map(|i| t.batch.column(i));
            col.read(array, t.batch.num_rows());
        }
    }
    cols
}

/// The statistical columns whose pairs are scored: the first m, so that at most
/// [`MAX_SCORED_PAIRS`] pairs are (said in a note when that cuts).
fn paired_columns<'c>(cols: &'c [Column], notes: &mut Vec<String>) -> Vec<&'c Column> {
    let mut stat: Vec<&Column> = cols.iter().filter(|c| c.role.is_statistical()).collect();
    let m = (1..=stat.len())
        .rev()
        .find(|m| m * (m - 1) / 2 <= MAX_SCORED_PAIRS)
        .unwrap_or(0);
    if m < stat.len() {
        notes.push(format!(
            "Pair trends are scored over the first {m} of {} scored columns ({MAX_SCORED_PAIRS} pairs at most).",
            stat.len()
        ));
        stat.truncate(m);
    }
    stat
}

/// The distance-to-closest-record rows to compare: fewer than asked when the table is
/// so wide that the asked rows would pass [`MAX_DCR_WORK`], with a note saying so.
fn dcr_rows_within_budget(cols: &[Column], asked: usize) -> (usize, Option<String>) {
    let used = cols
        .iter()
        .filter(|c| c.role.is_statistical())
        .count()
        .max(1) as u64;
    let dcr_rows = ((MAX_DCR_WORK / used) as f64).sqrt() as usize;
    if dcr_rows < asked {
        let note = format!(
            "Distance to closest record compares {dcr_rows} rows of each table (wide tables cost rows² × columns)."
        );
        return (dcr_rows, Some(note));
    }
    (asked, None)
}

/// Notes on what was read: a sampled real table, missing columns, unreadable values.
fn reading_notes(
    real: &Table,
    missing_columns: &[String],
    cols: &[Column],
    notes: &mut Vec<String>,
) {
    if real.sampled_rows() as u64 != real.total_rows {
        notes.push(format!(
            "The real table was sampled: {} of {} rows evaluated.",
            real.sampled_rows(),
            real.total_rows
        ));
    }
    if !missing_columns.is_empty() {
        notes.push(format!(
            "The synthetic table lacks {} real column(s); they score as all-missing.",
            missing_columns.len()
        ));
    }
    let unparsed: u64 = cols.iter().map(|c| c.unparsed[1]).sum();
    if unparsed > 0 {
        notes.push(format!(
            "{unparsed} synthetic value(s) could not be read as their real column's type and count as missing."
        ));
    }
}

/// Redraws the real side from the SafeProfile: plots of what it releases (none for
/// withheld columns), its rounded correlations for the real matrix, pair figures of
/// the real table rounded like them.
fn release_real_side(
    cols: &[Column],
    safe: &crate::wire::SafeProfile,
    plots: bool,
    columns: &mut [ColumnReport],
    pairs: &mut [PairReport],
    correlation: &mut Option<CorrelationMatrices>,
) {
    for (i, report) in columns.iter_mut().enumerate() {
        report.plot = match (plots && report.role.is_statistical(), safe.columns.get(i)) {
            (true, Some(released)) => plots::released_plot(&cols[i], released),
            _ => None,
        };
    }
    let round = |x: Option<f64>| x.map(|v| (v * 100.0).round() / 100.0);
    for p in pairs.iter_mut() {
        p.real_correlation = round(p.real_correlation);
        p.real_association = round(p.real_association);
    }
    if let Some(m) = correlation {
        // Real names → the SafeProfile's (a column renamed there is not matched).
        let index = |name: &str| {
            let i = cols.iter().position(|c| c.name == name)?;
            let released = &safe.columns.get(i)?.name;
            safe.correlations.columns.iter().position(|c| c == released)
        };
        let at: Vec<Option<usize>> = m.columns.iter().map(|n| index(n)).collect();
        for (a, row) in m.real.iter_mut().enumerate() {
            for (b, cell) in row.iter_mut().enumerate() {
                *cell = match (at[a], at[b]) {
                    (Some(x), Some(y)) => Some(safe.correlations.matrix[x][y]),
                    _ if a == b => Some(1.0),
                    _ => None,
                };
            }
        }
    }
}

fn shape(c: &Column, plots: bool) -> ColumnReport {
    let (metric, score) = match (c.role.is_statistical(), &c.values) {
        (false, _) => (None, None),
        (true, Values::Continuous(v)) => {
            (Some("KSComplement"), fidelity::ks_complement(&v[0], &v[1]))
        }
        (true, Values::Discrete(v)) => (
            Some("TVComplement"),
            fidelity::tv_complement(&v[0], &v[1], c.dictionary.labels.len()),
        ),
    };
    ColumnReport {
        name: c.name.clone(),
        role: c.role,
        sdtype: c.sdtype.to_string(),
        metric: metric.map(str::to_string),
        error: (metric.is_some() && score.is_none())
            .then(|| "no values to compare in one of the tables".to_string()),
        score,
        unparsed_synthetic: 0,
        plot: (plots && c.role.is_statistical()).then(|| plots::plot(c)),
    }
}

/// A column as pair trends sees it in one table: the values, and their bins or codes
/// on the contingency rows.
struct PairView<'a> {
    continuous: Option<&'a [f64]>,
    codes: Vec<u32>,
}

/// `rows`: the contingency subsample, when the table is subsampled.
fn view<'a>(c: &'a Column, t: usize, rows: Option<&[usize]>) -> PairView<'a> {
    let pick = |codes: &[u32]| match rows {
        Some(rows) => rows.iter().map(|&r| codes[r]).collect(),
        None => codes.to_vec(),
    };
    match c.values.table(t) {
        // Binned over the whole column, then subsampled, as SDMetrics does.
        Cells::Continuous(v) => PairView {
            continuous: Some(v),
            codes: pick(&fidelity::digitize(v)),
        },
        Cells::Discrete(v) => PairView {
            continuous: None,
            codes: pick(v),
        },
    }
}

fn pair_trends(
    stat: &[&Column],
    options: &EvaluateOptions<'_>,
) -> (Vec<PairReport>, Option<CorrelationMatrices>) {
    // SDMetrics scores contingency on a random 50,000-row sample of each table once
    // either table is larger (`num_rows_subsample`). The sample matters beyond speed:
    // Cramér's V of a sparse table is biased upwards, so the pair filter depends on it.
    let rows = |t: usize| stat.first().map_or(0, |c| c.values.table(t).len());
    let subsample = rows(0).max(rows(1)) > fidelity::CONTINGENCY_ROWS;
    let sample = |t: usize, stream: u64| {
        subsample.then(|| {
            privacy::subsample(
                rows(t),
                fidelity::CONTINGENCY_ROWS,
                &mut privacy::rng(options.seed, stream),
            )
        })
    };
    let (real_rows, synth_rows) = (sample(0, 5), sample(1, 6));
    let real: Vec<PairView<'_>> = stat
        .iter()
        .map(|c| view(c, 0, real_rows.as_deref()))
        .collect();
    let synth: Vec<PairView<'_>> = stat
        .iter()
        .map(|c| view(c, 1, synth_rows.as_deref()))
        .collect();
    let plots = options.plots;
    let n = stat.len();
    let mut real_m = vec![vec![None; n]; n];
    let mut synth_m = vec![vec![None; n]; n];
    let mut pairs = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        real_m[i][i] = Some(1.0);
        synth_m[i][i] = Some(1.0);
        for j in i + 1..n {
            let p = match (real[i].continuous, real[j].continuous) {
                (Some(a), Some(b)) => {
                    let (sa, sb) = (
                        synth[i].continuous.expect("same representation"),
                        synth[j].continuous.expect("same representation"),
                    );
                    let constant = [a, b, sa, sb].iter().any(|v| fidelity::is_constant(v));
                    let r = fidelity::pearson(a, b);
                    let s = fidelity::pearson(sa, sb);
                    let score = match (constant, r, s) {
                        (false, Some(r), Some(s)) => Some(1.0 - (r - s).abs() / 2.0),
                        _ => None,
                    };
                    PairReport {
                        columns: [stat[i].name.clone(), stat[j].name.clone()],
                        metric: "CorrelationSimilarity".into(),
                        score,
                        real_correlation: r,
                        synthetic_correlation: s,
                        real_association: None,
                        synthetic_association: None,
                        meets_threshold: !constant
                            && r.is_some_and(|r| r.abs() > CORRELATION_THRESHOLD),
                    }
                }
                _ => {
                    let jr = fidelity::joint(&real[i].codes, &real[j].codes);
                    let js = fidelity::joint(&synth[i].codes, &synth[j].codes);
                    let v = fidelity::cramers_v(&jr);
                    PairReport {
                        columns: [stat[i].name.clone(), stat[j].name.clone()],
                        metric: "ContingencySimilarity".into(),
                        score: fidelity::contingency_similarity(&jr, &js),
                        real_correlation: None,
                        synthetic_correlation: None,
                        real_association: v,
                        synthetic_association: fidelity::cramers_v(&js),
                        meets_threshold: v.is_some_and(|v| v > ASSOCIATION_THRESHOLD),
                    }
                }
            };
            let (r, s) = match p.metric.as_str() {
                "CorrelationSimilarity" => (p.real_correlation, p.synthetic_correlation),
                _ => (p.real_association, p.synthetic_association),
            };
            (real_m[i][j], real_m[j][i]) = (r, r);
            (synth_m[i][j], synth_m[j][i]) = (s, s);
            pairs.push(p);
        }
    }
    let matrices = (plots && n > 0).then(|| CorrelationMatrices {
        columns: stat.iter().map(|c| c.name.clone()).collect(),
        real: real_m,
        synthetic: synth_m,
    });
    (pairs, matrices)
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values {
        sum += v;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

/// SDMetrics' averages: NaN scores are left out; overall is the mean of the properties
/// that have a score.
/// The headline without the columns replaced by design.
fn imitated(profile: &Profile, columns: &[ColumnReport], pairs: &[PairReport]) -> Imitated {
    let replaced: Vec<Replaced> = profile
        .columns
        .iter()
        .filter_map(|p| {
            let by = match (p.semantic, p.kind) {
                // Dates of birth are made from their (coarsened) distribution.
                (Some(s), kind) if s.kind.is_pii() && kind != ColumnKind::Datetime => {
                    format!("{}, made up", s.kind.label())
                }
                (_, ColumnKind::Identifier) => "keys of the same shape, made up".to_string(),
                (_, ColumnKind::Text) => "text of the same shape, made up".to_string(),
                // Names of things, mostly distinct: too rare to name, so made up.
                (semantic, ColumnKind::Categorical) if mostly_distinct(p, profile) => format!(
                    "{} made up where too rare to name",
                    semantic.map_or("names of the same shape,", |s| match s.kind {
                        crate::SemanticType::Organization => "company names,",
                        _ => "names of the same shape,",
                    })
                ),
                _ => return None,
            };
            Some(Replaced {
                column: p.name.clone(),
                by,
            })
        })
        .collect();
    let kept = |name: &str| !replaced.iter().any(|r| r.column == name);
    let columns: Vec<ColumnReport> = columns.iter().filter(|c| kept(&c.name)).cloned().collect();
    let pairs: Vec<PairReport> = pairs
        .iter()
        .filter(|p| p.columns.iter().all(|c| kept(c)))
        .cloned()
        .collect();
    Imitated {
        fidelity: columns
            .iter()
            .any(|c| c.score.is_some())
            .then(|| summarize(&columns, &pairs)),
        replaced,
    }
}

fn summarize(columns: &[ColumnReport], pairs: &[PairReport]) -> Fidelity {
    let column_shapes = mean(columns.iter().filter_map(|c| c.score));
    let column_pair_trends = mean(
        pairs
            .iter()
            .filter(|p| p.meets_threshold)
            .filter_map(|p| p.score),
    );
    let all_pairs = mean(pairs.iter().filter_map(|p| p.score));
    Fidelity {
        overall: mean([column_shapes, column_pair_trends].into_iter().flatten()),
        column_shapes,
        column_pair_trends,
        column_pair_trends_all_pairs: all_pairs,
        overall_all_pairs: mean([column_shapes, all_pairs].into_iter().flatten()),
        shape_columns: columns.iter().filter(|c| c.metric.is_some()).count(),
        pairs: pairs.len(),
        pairs_meeting_threshold: pairs.iter().filter(|p| p.meets_threshold).count(),
    }
}

/// At least half of a column's present sampled values are distinct, and 20 or more.
fn mostly_distinct(p: &crate::profile::ColumnProfile, profile: &Profile) -> bool {
    let present = profile.sampled_rows as f64 * (1.0 - p.null_rate);
    p.distinct >= 20 && p.distinct as f64 >= 0.5 * present
}

fn privacy_figures(
    cols: &[Column],
    synthetic: &Table,
    profile: &Profile,
    options: &EvaluateOptions<'_>,
) -> Privacy {
    let all: Vec<&Column> = cols.iter().collect();
    let stat: Vec<&Column> = cols.iter().filter(|c| c.role.is_statistical()).collect();
    let (copy_all, real_dup_all, _) =
        privacy::copy_rates(&privacy::hashes(&all, 0), &privacy::hashes(&all, 1));
    let (copy_stat, real_dup_stat, synth_dup_stat) =
        privacy::copy_rates(&privacy::hashes(&stat, 0), &privacy::hashes(&stat, 1));

    let verbatim = cols
        .iter()
        .filter_map(|c| {
            let ours = profile.columns.iter().find(|p| p.name == c.name);
            // A value that alone names a person (an email, an account number, a key),
            // as against one that many people share (a city, a first name).
            // What the values are decides, when known: a postal code stays a postal
            // code however unique the file's codes are.
            let identifying = match ours.and_then(|p| p.semantic) {
                Some(s) => s.kind.identifies_alone(),
                None => {
                    c.role == Role::Id || ours.is_some_and(|p| p.kind == ColumnKind::Identifier)
                }
            };
            let why = match (c.role, ours) {
                (Role::Id | Role::Pii, _) => c.sdtype.to_string(),
                (_, Some(p)) if p.semantic.is_some() => {
                    let kind = p.semantic.expect("checked").kind;
                    serde_json::to_value(kind).ok()?.as_str()?.to_string()
                }
                (_, Some(p)) if matches!(p.kind, ColumnKind::Text | ColumnKind::Identifier) => {
                    serde_json::to_value(p.kind).ok()?.as_str()?.to_string()
                }
                // Names of things, mostly distinct (car models, airports): a copy of
                // most of them means the real column was copied.
                (_, Some(p))
                    if p.kind == ColumnKind::Categorical && mostly_distinct(p, profile) =>
                {
                    "names".to_string()
                }
                _ => return None,
            };
            let rates = privacy::verbatim_rate(c)?;
            Some(Verbatim {
                column: c.name.clone(),
                why,
                rate: rates.any,
                unique_rate: rates.unique,
                identifying,
                synthetic_values: rates.present,
            })
        })
        .collect();

    Privacy {
        exact_copy_rate: copy_all,
        exact_copy_rate_stat_cols: copy_stat,
        real_self_dup_rate: real_dup_all,
        real_self_dup_rate_stat_cols: real_dup_stat,
        synth_self_dup_rate_stat_cols: synth_dup_stat,
        verbatim,
        // Measured apart: see `dcr`.
        dcr_baseline_protection: None,
        dcr_overfitting_protection: None,
        withheld: privacy::find_withheld(synthetic, options.withheld_values),
    }
}
