//! `byod spec FILE`: ingest → profile → guard → template, printed as a spec (JSON).

use anyhow::Context;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SpecArgs {
    /// The file to describe.
    file: PathBuf,
    /// How much structure the spec carries, 0..1 (see the README's strictness table).
    #[arg(long, default_value = "0.8")]
    strictness: shared::Strictness,
    /// Seed of the guard's per-column k (default: drawn from the operating system).
    #[arg(long, visible_alias = "seed")]
    guard_seed: Option<u64>,
    /// Build the spec from a differentially private SafeProfile with this total ε.
    #[arg(long)]
    epsilon: Option<f64>,
    /// Write the spec here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(a: SpecArgs) -> anyhow::Result<()> {
    let spec = super::spec_from_file(&a.file, a.strictness, a.guard_seed, a.epsilon)?;
    let json = serde_json::to_string_pretty(&spec)? + "\n";
    match &a.output {
        Some(p) => {
            std::fs::write(p, json).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => std::io::stdout().lock().write_all(json.as_bytes())?,
    }
    Ok(())
}
