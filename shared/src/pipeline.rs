//! The one pipeline the CLI, the relay and the page's worker call, so the steps are
//! assembled once: the same sampling, the same seed policy and the same scoring
//! everywhere.
//!
//! ```text
//! inspect:    bytes ──ingest──▶ Table ──profile──▶ Profile ──guard──▶ SafeProfile + withheld
//! synthesize: Spec (template or given) + rows + seed ──plan──▶ chunks of rows, in order
//! score:      the real file's inspection + the output's first rows ──evaluate──▶ Report
//! ```
//!
//! ```
//! use shared::pipeline::{self, InspectOptions, Scoring, Synthesis};
//! let csv = b"age,ward\n34,A\n51,B\n29,A\n62,C\n45,B\n38,A\n";
//! let options = InspectOptions::with_guard_seed(7);
//! let real = pipeline::inspect(csv, "patients.csv", &options).unwrap();
//! let spec = pipeline::template_spec(&real.safe, Default::default());
//! let synthesis = Synthesis::new(spec, Some(100), 42).unwrap();
//! let rows: u64 = synthesis.ranges().map(|r| synthesis.make(r).total_rows).sum();
//! assert_eq!(rows, 100);
//! let report = pipeline::score(&real, &synthesis.scored(), 42, Scoring::Headline);
//! assert!(report.fidelity.overall.is_some());
//! ```
//!
//! **Seed policy.** Two seeds, never one for both:
//! - the *guard seed* draws the guard's randomness (each column's k, noise). It is fresh
//!   from the platform's cryptographic source for every file ([`fresh_seed`]) and never
//!   taken from a request: outputs echo the generation seed, and a known guard seed
//!   would tell an attacker each column's k. Only tests and `--guard-seed` fix it.
//! - the *generation seed* makes the rows: the caller's, or fresh and reported. File `i`
//!   of a batch uses [`batch_seed`]`(seed, i)`, so each file of the batch is the same as
//!   when made alone with that seed.
//!
//! **Sampling.** Ingest keeps at most `sample_size` rows, spread over the file, for
//! profiling and scoring, while counts stay exact. The scored rows are the output's
//! first [`SCORED_ROWS`] rows.

use crate::evaluate::{DcrWork, EvaluateOptions, Report, SCORED_ROWS, scored_prefix};
use crate::export::{ExportOptions, Exporter, OutputFormat, WriteChoice};
use crate::plan::Plan;
use crate::spec::Spec;
use crate::{
    ColumnSummary, Error, ErrorKind, GuardOptions, IngestOptions, Profile, Result, SafeProfile,
    Strictness, Table, Withheld,
};
use std::io::Write;
use std::ops::Range;

/// Rows made between two progress reports (and two chances to cancel).
pub const CHUNK_ROWS: u64 = 4 * crate::generate::BLOCK_ROWS;

// ------------------------------------------------------------------ seeds

/// A seed from the platform's cryptographic source (the OS natively,
/// `crypto.getRandomValues` in a browser).
pub fn fresh_seed() -> Result<u64> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| {
        Error::new(ErrorKind::Malformed, format!("no random source: {e}"))
            .with_hint("the privacy guard needs the platform's random source")
    })?;
    Ok(u64::from_le_bytes(b))
}

/// The guard's seed: `fixed` when a test or `--guard-seed` fixes it, else fresh.
pub fn guard_seed(fixed: Option<u64>) -> Result<u64> {
    fixed.map_or_else(fresh_seed, Ok)
}

/// The generation seed of file `index` of a batch made with `seed`.
pub fn batch_seed(seed: u64, index: usize) -> u64 {
    seed.wrapping_add(index as u64)
}

// ------------------------------------------------------------------ inspect

/// How to read and guard one file.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    /// Sheet, sample size and input limits.
    pub ingest: IngestOptions,
    /// k, ε and the guard seed (see the seed policy above).
    pub guard: GuardOptions,
}

impl InspectOptions {
    /// Default reading and guarding with this guard seed.
    pub fn with_guard_seed(seed: u64) -> Self {
        InspectOptions {
            ingest: IngestOptions::default(),
            guard: GuardOptions {
                seed,
                ..Default::default()
            },
        }
    }

    /// Default reading and guarding with a fresh guard seed.
    pub fn fresh() -> Result<Self> {
        Ok(InspectOptions::with_guard_seed(fresh_seed()?))
    }
}

/// One file read, profiled and guarded.
#[derive(Debug)]
pub struct Inspected {
    /// The rows kept (a spread sample of large files), for scoring the output.
    pub table: Table,
    /// The full profile: local, it tells scoring which columns are personal.
    pub profile: Profile,
    /// What may leave; specs are built from this alone.
    pub safe: SafeProfile,
    /// What the guard kept back, and why, for the user to read.
    pub withheld: Vec<Withheld>,
    /// Real values the guard withheld, searched for in the output.
    pub withheld_values: Vec<String>,
}

impl Inspected {
    /// The columns as the user's own screen shows them (from the full profile).
    pub fn local_summary(&self) -> Vec<ColumnSummary> {
        self.profile
            .columns
            .iter()
            .map(ColumnSummary::local)
            .collect()
    }

    /// The columns as released (from the SafeProfile).
    pub fn released_summary(&self) -> Vec<ColumnSummary> {
        self.safe
            .columns
            .iter()
            .map(ColumnSummary::released)
            .collect()
    }
}

/// Reads, profiles and guards a file. Given owned bytes (a `Vec`, axum's `Bytes`), it
/// drops them once read, so the raw file is not held while profiling.
pub fn inspect(bytes: impl AsRef<[u8]>, name: &str, options: &InspectOptions) -> Result<Inspected> {
    inspect_until(bytes, name, options, &|| Ok(()))
}

/// [`inspect`], asking `keep_going` between the steps (a server stops the work of a
/// request that timed out or went away).
pub fn inspect_until(
    bytes: impl AsRef<[u8]>,
    name: &str,
    options: &InspectOptions,
    keep_going: &dyn Fn() -> Result<()>,
) -> Result<Inspected> {
    let table = crate::read(bytes.as_ref(), name, &options.ingest)?;
    drop(bytes);
    keep_going()?;
    inspect_table_until(table, options, keep_going)
}

/// What [`inspect_source`] reads: a file its owner can open again from the start.
pub use crate::ingest::Source;

/// [`inspect`] over a file its owner can open again from the start (a path, a browser
/// `File`): CSV and TSV stream through and are never held whole (see
/// [`crate::ingest::read_source`]).
pub fn inspect_source(
    source: &dyn Source,
    name: &str,
    options: &InspectOptions,
) -> Result<Inspected> {
    inspect_table(
        crate::ingest::read_source(source, name, &options.ingest)?,
        options,
    )
}

/// [`inspect_source`] for text files only (CSV, TSV, JSON, NDJSON): a program that
/// calls only this one links no Parquet or Excel reader (the page's small first
/// worker). A binary file is an error for which [`needs_every_reader`] is true.
pub fn inspect_text_source(
    source: &dyn Source,
    name: &str,
    options: &InspectOptions,
) -> Result<Inspected> {
    inspect_table(
        crate::ingest::read_text_source(source, name, &options.ingest)?,
        options,
    )
}

/// Whether [`inspect_text_source`] declined a file that [`inspect_source`] reads.
pub fn needs_every_reader(e: &Error) -> bool {
    crate::ingest::is_binary_format(e)
}

/// Profiles and guards a table already read (Arrow data handed over in memory, or a
/// table joined from partitions: see [`crate::ingest::batches`]).
pub fn inspect_table(table: Table, options: &InspectOptions) -> Result<Inspected> {
    inspect_table_until(table, options, &|| Ok(()))
}

fn inspect_table_until(
    table: Table,
    options: &InspectOptions,
    keep_going: &dyn Fn() -> Result<()>,
) -> Result<Inspected> {
    let profile = crate::profile(&table);
    keep_going()?;
    let (safe, withheld) = crate::guard(&profile, &options.guard);
    let withheld_values = crate::guard::withheld_values(&profile, &safe);
    Ok(Inspected {
        table,
        profile,
        safe,
        withheld,
        withheld_values,
    })
}

/// Checks a SafeProfile that arrived from elsewhere (a client of the relay) and applies
/// the guard to it again: whatever the sender did, what passes on is what the guard
/// would release. Returns it with what this second pass withheld.
pub fn reguard(received: &SafeProfile) -> Result<(SafeProfile, Vec<Withheld>)> {
    received.validate()?;
    Ok(crate::guard::recheck(received, &GuardOptions::default()))
}

// ------------------------------------------------------------------ synthesize

/// The template's spec for a SafeProfile (no network): template mode, and the fallback
/// of LLM mode.
pub fn template_spec(safe: &SafeProfile, strictness: Strictness) -> Spec {
    crate::template::template(safe, strictness.get())
}

/// One generation: a compiled spec, a row count and a seed, made in row ranges that
/// any number of threads or workers can take; joined in order they are the same bytes.
#[derive(Debug)]
pub struct Synthesis {
    spec: Spec,
    plan: Plan,
    rows: u64,
    seed: u64,
}

impl Synthesis {
    /// Compiles `spec`; `rows` defaults to the spec's own row count.
    pub fn new(spec: Spec, rows: Option<u64>, seed: u64) -> Result<Self> {
        let plan = crate::plan::compile(&spec).map_err(Error::from)?;
        let rows = rows.unwrap_or(plan.default_rows);
        Ok(Synthesis {
            spec,
            plan,
            rows,
            seed,
        })
    }

    /// The spec.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Notes from compiling the spec (a correlation matrix repaired...).
    pub fn warnings(&self) -> &[String] {
        &self.plan.warnings
    }

    /// Rows to make.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The generation seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The row ranges in order: the first holds the scored prefix (so scoring makes
    /// nothing twice), then [`CHUNK_ROWS`] each.
    pub fn ranges(&self) -> impl Iterator<Item = Range<u64>> + use<> {
        let rows = self.rows;
        let first = SCORED_ROWS.max(CHUNK_ROWS).min(rows);
        std::iter::once(0..first).filter(|r| !r.is_empty()).chain(
            (first..rows)
                .step_by(CHUNK_ROWS as usize)
                .map(move |s| s..(s + CHUNK_ROWS).min(rows)),
        )
    }

    /// The row ranges in order, [`CHUNK_ROWS`] each: for a writer that scores nothing
    /// (the CLI), so every thread's share is the same size.
    pub fn even_ranges(&self) -> impl Iterator<Item = Range<u64>> + use<> {
        Self::chunks_of(0..self.rows)
    }

    /// A row range in [`CHUNK_ROWS`] pieces.
    pub fn chunks_of(range: Range<u64>) -> impl Iterator<Item = Range<u64>> {
        let end = range.end;
        range
            .step_by(CHUNK_ROWS as usize)
            .map(move |s| s..(s + CHUNK_ROWS).min(end))
    }

    /// The rows of part `k` of `parts` (1-based): contiguous ranges, as even as whole
    /// rows allow, that cover every row once in order. Each row depends only on the
    /// seed, the row count and its own index, so the parts made apart (other processes,
    /// other machines) and joined in order are the single run's rows.
    pub fn part(&self, k: u64, parts: u64) -> Range<u64> {
        let at = |i: u64| (u128::from(self.rows) * u128::from(i) / u128::from(parts.max(1))) as u64;
        at(k.saturating_sub(1).min(parts))..at(k.min(parts))
    }

    /// Part `k` of `parts` as a file of its own: its rows, and `options` changed so the
    /// text formats' parts joined in order are the single run's bytes (the header and
    /// byte order mark only in part 1). A Parquet part is a whole file, and the parts
    /// read in order as one dataset are the single run's rows. JSON arrays and
    /// workbooks neither concatenate nor read as a set of files, so they are refused.
    pub fn part_export(
        &self,
        k: u64,
        parts: u64,
        format: OutputFormat,
        options: &mut ExportOptions,
    ) -> Result<Range<u64>> {
        if k == 0 || parts == 0 || k > parts {
            return Err(Error::new(
                ErrorKind::InvalidDocument,
                format!("part {k}/{parts}: the part must be 1 to {parts}"),
            ));
        }
        match format {
            OutputFormat::Csv | OutputFormat::Tsv | OutputFormat::Ndjson => {
                if k > 1 {
                    let dialect = options.dialect.get_or_insert_with(Default::default);
                    dialect.no_header = true;
                    dialect.bom = false;
                }
            }
            OutputFormat::Parquet => {}
            OutputFormat::Json | OutputFormat::Xlsx => {
                return Err(Error::new(
                    ErrorKind::UnsupportedFormat,
                    format!(
                        "parts are CSV, TSV or NDJSON (joined by concatenation) or Parquet \
                         (read as one dataset), not {}",
                        format.extension()
                    ),
                ));
            }
        }
        Ok(self.part(k, parts))
    }

    /// The rows of one range.
    pub fn make(&self, range: Range<u64>) -> Table {
        crate::generate::generate(&self.plan, self.seed, self.rows, range)
    }

    /// The output's first rows, the part that is scored.
    pub fn scored(&self) -> Table {
        self.make(0..self.rows.min(SCORED_ROWS))
    }

    /// Export options that write this output the way its source was written, with the
    /// user's overrides (see [`ExportOptions::as_source`]).
    pub fn export_options(&self, choice: &WriteChoice) -> ExportOptions {
        ExportOptions::as_source(self.plan.dialect.as_ref(), choice)
    }

    /// An exporter for this output: the columns are fixed by the plan, so the header is
    /// written now (CSV, TSV).
    pub fn exporter<W: Write + Send>(
        &self,
        format: OutputFormat,
        options: ExportOptions,
        out: W,
    ) -> Result<Exporter<W>> {
        let empty = self.make(0..0);
        Exporter::new(format, &empty.columns, empty.batch.schema(), options, out)
    }

    /// One range made and, for text formats, rendered: what a thread hands the writer.
    /// The rows themselves are dropped once rendered (see [`Synthesis::render_kept`]).
    pub fn render(
        &self,
        range: Range<u64>,
        format: OutputFormat,
        options: &ExportOptions,
    ) -> Result<Chunk> {
        let mut chunk = self.render_kept(range, format, options)?;
        if let Chunk::Rendered { table, .. } = &mut chunk {
            *table = None;
        }
        Ok(chunk)
    }

    /// [`Synthesis::render`], keeping the rows beside the text: for the first range,
    /// whose rows are scored.
    pub fn render_kept(
        &self,
        range: Range<u64>,
        format: OutputFormat,
        options: &ExportOptions,
    ) -> Result<Chunk> {
        let table = self.make(range.clone());
        match crate::export::render_text(format, &table.columns, options, &table, range.start) {
            Some(bytes) => Ok(Chunk::Rendered {
                bytes: bytes?,
                rows: range.end - range.start,
                table: Some(table),
            }),
            None => Ok(Chunk::Table(table)),
        }
    }
}

/// Rows made for the writer: rendered text (CSV, TSV, JSON, NDJSON) or a table the
/// exporter encodes itself (XLSX, Parquet).
#[derive(Debug)]
pub enum Chunk {
    /// Text bytes of `rows` rows, and the rows themselves.
    Rendered {
        /// The text.
        bytes: Vec<u8>,
        /// Rows in it.
        rows: u64,
        /// The rows, when kept ([`Synthesis::render_kept`]).
        table: Option<Table>,
    },
    /// A table for the exporter.
    Table(Table),
}

impl Chunk {
    /// Writes the chunk; returns its rows.
    pub fn write_to<W: Write + Send>(&self, exporter: &mut Exporter<W>) -> Result<u64> {
        match self {
            Chunk::Rendered { bytes, rows, .. } => {
                exporter.write_rendered(bytes, *rows)?;
                Ok(*rows)
            }
            Chunk::Table(table) => {
                exporter.write(table)?;
                Ok(table.total_rows)
            }
        }
    }

    /// The rows of the chunk, when kept.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Chunk::Rendered { table, .. } => table,
            Chunk::Table(table) => Some(table),
        }
    }
}

// ------------------------------------------------------------------ score

/// How much of the report to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    /// Fidelity and the leak search only (a server's `X-Fidelity-Score`).
    Headline,
    /// Everything the page and `byod evaluate --json` show: charts' data, distance to
    /// closest record.
    Full,
}

/// Scores the output's first rows against the real file, with the real file's profile
/// (which columns are personal) and its SafeProfile (the real side of the charts is
/// what was released, so the report can be shared like the output).
pub fn score(real: &Inspected, synthetic: &Table, seed: u64, scoring: Scoring) -> Report {
    let scored = scored_prefix(synthetic);
    crate::evaluate(&real.table, &scored, &score_options(real, seed, scoring))
}

/// [`score`] in full, the distance-to-closest-record work handed to `hand_off` to be
/// measured elsewhere (see [`crate::evaluate::evaluate_apart`]).
pub fn score_apart(
    real: &Inspected,
    synthetic: &Table,
    seed: u64,
    hand_off: impl FnOnce(DcrWork),
) -> Report {
    let scored = scored_prefix(synthetic);
    let options = score_options(real, seed, Scoring::Full);
    crate::evaluate::evaluate_apart(&real.table, &scored, &options, hand_off)
}

fn score_options(real: &Inspected, seed: u64, scoring: Scoring) -> EvaluateOptions<'_> {
    let defaults = EvaluateOptions::default();
    EvaluateOptions {
        withheld_values: &real.withheld_values,
        real_profile: Some(&real.profile),
        seed,
        released: Some(&real.safe),
        plots: scoring == Scoring::Full && defaults.plots,
        dcr_rows: if scoring == Scoring::Full {
            defaults.dcr_rows
        } else {
            0
        },
        ..defaults
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ranges_cover_every_row_once_with_the_scored_prefix_first() {
        for rows in [
            0,
            1,
            SCORED_ROWS - 1,
            SCORED_ROWS,
            SCORED_ROWS + 3 * CHUNK_ROWS + 7,
        ] {
            let spec = Spec::from_json(
                r#"{"version":1,"default_rows":5,"columns":[{"name":"n","generator":{"kind":"sequence","start":1,"step":1}}]}"#,
            )
            .unwrap();
            let s = Synthesis::new(spec, Some(rows), 1).unwrap();
            let ranges: Vec<_> = s.ranges().collect();
            let mut next = 0;
            for r in &ranges {
                assert_eq!(r.start, next);
                assert!(r.end > r.start);
                next = r.end;
            }
            assert_eq!(next, rows);
            if rows > 0 {
                assert_eq!(ranges[0].end, rows.min(SCORED_ROWS.max(CHUNK_ROWS)));
            }
            let even: Vec<_> = s.even_ranges().collect();
            assert_eq!(even.len() as u64, rows.div_ceil(CHUNK_ROWS));
            assert!(even.iter().all(|r| r.end - r.start <= CHUNK_ROWS));
            assert_eq!(even.last().map_or(0, |r| r.end), rows);
        }
    }

    #[test]
    fn a_batch_seeds_each_file_apart_and_the_guard_seed_is_fresh() {
        assert_eq!(batch_seed(u64::MAX, 1), 0);
        assert_ne!(batch_seed(5, 0), batch_seed(5, 1));
        assert_eq!(guard_seed(Some(3)).unwrap(), 3);
        assert_ne!(guard_seed(None).unwrap(), guard_seed(None).unwrap());
    }
}
