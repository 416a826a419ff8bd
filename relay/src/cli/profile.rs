//! `byod profile FILE`: ingest → profile → guard, printed as JSON.

use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The file to profile (CSV, TSV, JSON, NDJSON, XLSX, XLS, Parquet).
    file: PathBuf,
    /// The Excel sheet to read (default: the first non-empty one).
    #[arg(long)]
    sheet: Option<String>,
    /// Rows kept for profiling (counts stay exact over the whole file).
    #[arg(long)]
    sample_size: Option<usize>,
    /// Print the full local profile (holds real values: never share it).
    #[arg(long, conflicts_with = "withheld")]
    full: bool,
    /// Print what the guard withheld and why.
    #[arg(long)]
    withheld: bool,
    /// Seed of the guard's per-column k and noise (default: drawn from the operating
    /// system on every run). Fix it only for reproducible tests: a known seed tells
    /// which k each column drew.
    #[arg(long, visible_alias = "seed")]
    guard_seed: Option<u64>,
    /// Differential privacy with this total ε: every released count, distribution and
    /// correlation noised (names of categories (ε, δ)), the ε spent reported.
    #[arg(long)]
    epsilon: Option<f64>,
}

pub fn run(a: ProfileArgs) -> anyhow::Result<()> {
    let ingest = shared::IngestOptions {
        sample_size: a.sample_size,
        sheet: a.sheet,
        ..Default::default()
    };
    let options = super::inspect_options(ingest, a.guard_seed, a.epsilon)?;
    let inspected = super::inspect_file(&a.file, &options)?;
    let mut out = std::io::stdout().lock();
    if a.full {
        serde_json::to_writer_pretty(&mut out, &inspected.profile)?;
    } else if a.withheld {
        serde_json::to_writer_pretty(&mut out, &inspected.withheld)?;
    } else {
        serde_json::to_writer_pretty(&mut out, &inspected.safe)?;
    }
    writeln!(out)?;
    Ok(())
}
