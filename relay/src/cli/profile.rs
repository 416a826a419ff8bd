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
    /// Seed for the guard's per-column k (default: random). Fix it for reproducible output.
    #[arg(long)]
    seed: Option<u64>,
    /// Add Laplace noise to counts and histograms with this total ε.
    #[arg(long)]
    epsilon: Option<f64>,
}

pub fn run(a: ProfileArgs) -> anyhow::Result<()> {
    let options = shared::IngestOptions {
        sample_size: a.sample_size,
        sheet: a.sheet,
        ..Default::default()
    };
    let table = super::read_table(&a.file, &options)?;
    let profile = shared::profile(&table);
    let mut out = std::io::stdout().lock();
    if a.full {
        serde_json::to_writer_pretty(&mut out, &profile)?;
    } else {
        if let Some(e) = a.epsilon {
            anyhow::ensure!(
                e > 0.0 && e.is_finite(),
                "--epsilon must be a positive number"
            );
        }
        let seed = super::seed_or_random(a.seed)?;
        let guard = shared::GuardOptions {
            seed,
            epsilon: a.epsilon,
            ..Default::default()
        };
        let (safe, withheld) = shared::guard(&profile, &guard);
        if a.withheld {
            serde_json::to_writer_pretty(&mut out, &withheld)?;
        } else {
            serde_json::to_writer_pretty(&mut out, &safe)?;
        }
    }
    writeln!(out)?;
    Ok(())
}
