//! Command-line arguments and dispatch.

mod evaluate;
mod profile;

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::Path;
use std::process::ExitCode;

/// Privacy-first synthetic data: profile files locally; only metadata may leave.
#[derive(Debug, Parser)]
#[command(name = "byod", version, about)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the SafeProfile of a file (what may leave the machine), or the full local
    /// profile with --full, or what was withheld with --withheld.
    Profile(profile::ProfileArgs),
    /// Score a synthetic table against the real one: fidelity as SDMetrics' Quality
    /// Report defines it, and privacy (copies, distance to closest record, leaks).
    Evaluate(evaluate::EvaluateArgs),
}

/// Runs a subcommand; `Ok` carries the exit code (non-zero for a finding such as a
/// leak, which is not an error of the tool).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Profile(a) => profile::run(a).map(|()| ExitCode::SUCCESS),
        Command::Evaluate(a) => evaluate::run(a),
    }
}

/// Reads and ingests one file; reader warnings go to stderr.
fn read_table(path: &Path, options: &shared::IngestOptions) -> anyhow::Result<shared::Table> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let table = shared::read(&bytes, &name, options)?;
    for w in &table.warnings {
        eprintln!("byod: {name}: {w}");
    }
    Ok(table)
}
