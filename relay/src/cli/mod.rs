//! Command-line arguments and dispatch.

mod evaluate;
mod generate;
mod profile;
mod serve;
mod spec;

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
    /// Print the generation spec the template makes from a file's SafeProfile.
    Spec(spec::SpecArgs),
    /// Make a synthetic file from a real one (or from a spec), locally.
    Generate(generate::GenerateArgs),
    /// Run the relay: the page, the LLM spec relay and the REST API (port 8201).
    Serve(serve::ServeArgs),
}

/// Runs a subcommand; `Ok` carries the exit code (non-zero for a finding such as a
/// leak, which is not an error of the tool).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Profile(a) => profile::run(a).map(|()| ExitCode::SUCCESS),
        Command::Evaluate(a) => evaluate::run(a),
        Command::Spec(a) => spec::run(a).map(|()| ExitCode::SUCCESS),
        Command::Generate(a) => generate::run(a).map(|()| ExitCode::SUCCESS),
        Command::Serve(a) => serve::run(a).map(|()| ExitCode::SUCCESS),
    }
}

/// The guard's seed, by the pipeline's seed policy: fresh for every file unless the
/// user fixes it (`--guard-seed`) for a reproducible run. Never the generation seed,
/// which outputs echo: a known guard seed tells an attacker each column's k.
fn guard_seed(fixed: Option<u64>, epsilon: Option<f64>) -> anyhow::Result<u64> {
    if fixed.is_some() && epsilon.is_some() {
        eprintln!(
            "byod: --guard-seed with --epsilon repeats the same noise on every run: use it for tests, not for real data"
        );
    }
    Ok(shared::pipeline::guard_seed(fixed)?)
}

/// The generation seed: the given one, or a fresh one printed on stderr so the run can
/// be repeated.
/// A CSV delimiter given on the command line: `,` `;` `|`, or `tab` / `\t`.
fn parse_delimiter(s: &str) -> Result<char, String> {
    shared::written::Dialect::delimiter_by_name(s).ok_or_else(|| format!("{s:?}: use , ; | or tab"))
}

fn generation_seed(seed: Option<u64>) -> anyhow::Result<u64> {
    match seed {
        Some(s) => Ok(s),
        None => {
            let s = shared::pipeline::fresh_seed()?;
            eprintln!("byod: seed {s}");
            Ok(s)
        }
    }
}

/// The options of `inspect` for a file: what to read, and the guard's seed and ε.
fn inspect_options(
    ingest: shared::IngestOptions,
    guard_seed: Option<u64>,
    epsilon: Option<f64>,
) -> anyhow::Result<shared::pipeline::InspectOptions> {
    if let Some(e) = epsilon {
        anyhow::ensure!(
            e > 0.0 && e.is_finite(),
            "--epsilon must be a positive number"
        );
    }
    Ok(shared::pipeline::InspectOptions {
        ingest,
        guard: shared::GuardOptions {
            seed: self::guard_seed(guard_seed, epsilon)?,
            epsilon,
            ..Default::default()
        },
    })
}

/// file → Table → Profile → SafeProfile (the core's pipeline); reader warnings go to
/// stderr.
fn inspect_file(
    path: &Path,
    options: &shared::pipeline::InspectOptions,
) -> anyhow::Result<shared::pipeline::Inspected> {
    let name = file_name(path);
    let inspected = shared::pipeline::inspect_source(&Reported::new(path)?, &name, options)?;
    for w in &inspected.table.warnings {
        eprintln!("byod: {name}: {w}");
    }
    Ok(inspected)
}

/// A file read from disk that says how far reading is, on a terminal, for files that
/// take a while: "byod: big.csv: 4,128,768 rows read" once a second at most (CSV, TSV,
/// NDJSON and Parquet stream, and a 2 GB file takes about 20 s).
struct Reported {
    file: shared::file::FileSource,
    terminal: bool,
    last: std::cell::Cell<std::time::Instant>,
    wrote: std::cell::Cell<bool>,
}

// The CLI is an I/O edge: it may read the clock.
#[allow(clippy::disallowed_methods)]
impl Reported {
    fn new(path: &Path) -> shared::Result<Self> {
        use std::io::IsTerminal;
        Ok(Reported {
            file: shared::file::FileSource::new(path)?,
            terminal: std::io::stderr().is_terminal(),
            last: std::cell::Cell::new(std::time::Instant::now()),
            wrote: std::cell::Cell::new(false),
        })
    }
}

#[allow(clippy::disallowed_methods)] // as above
impl shared::ingest::Source for Reported {
    fn len(&self) -> u64 {
        self.file.len()
    }
    fn open(&self) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        self.file.open()
    }
    fn open_at(&self, offset: u64) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        self.file.open_at(offset)
    }
    fn rows_read(&self, rows: u64) {
        let now = std::time::Instant::now();
        if self.terminal && now.duration_since(self.last.get()).as_secs() >= 1 {
            self.last.set(now);
            self.wrote.set(true);
            eprint!("\rbyod: {}: {} rows read ", self.file.name(), grouped(rows));
        }
    }
}

impl Drop for Reported {
    fn drop(&mut self) {
        // Ends the progress line, if one was written.
        if self.wrote.get() {
            eprintln!();
        }
    }
}

/// `4,128,768`: digits grouped for a person.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 4 / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// file → Table → Profile → SafeProfile → Spec: only the SafeProfile reaches the template.
fn spec_from_file(
    path: &Path,
    strictness: shared::Strictness,
    guard_seed: Option<u64>,
    epsilon: Option<f64>,
) -> anyhow::Result<shared::spec::Spec> {
    let options = inspect_options(shared::IngestOptions::default(), guard_seed, epsilon)?;
    let inspected = inspect_file(path, &options)?;
    Ok(shared::pipeline::template_spec(&inspected.safe, strictness))
}

/// Reads and ingests one file; reader warnings go to stderr.
fn read_table(path: &Path, options: &shared::IngestOptions) -> anyhow::Result<shared::Table> {
    let name = file_name(path);
    let table = shared::ingest::read_source(&Reported::new(path)?, &name, options)?;
    for w in &table.warnings {
        eprintln!("byod: {name}: {w}");
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn row_counts_are_grouped_in_threes() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (4_128_768, "4,128,768"),
        ];
        for (n, text) in cases {
            assert_eq!(grouped(n), text);
        }
    }
}
