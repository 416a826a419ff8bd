//! `byod generate (FILE | --spec SPEC)`: a synthetic file from a real one (through its
//! SafeProfile and the template) or from a spec, written block by block.

use anyhow::Context;
use clap::Args;
use shared::export::{ExportOptions, Exporter, OutputFormat};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Rows generated and written at a time.
const CHUNK_ROWS: u64 = 4 * shared::generate::BLOCK_ROWS;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The real file to imitate (its SafeProfile is built locally, then the template).
    #[arg(required_unless_present = "spec", conflicts_with = "spec")]
    file: Option<PathBuf>,
    /// Generate from this spec (JSON) instead of a file.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Rows to make (default: the source's row count).
    #[arg(short = 'n', long)]
    rows: Option<u64>,
    /// How much structure the spec carries, 0..1 (with FILE).
    #[arg(long, default_value_t = shared::template::DEFAULT_STRICTNESS)]
    strictness: f64,
    /// Seed of the rows (default: random, printed on stderr so the run can be repeated
    /// from the same spec).
    #[arg(long)]
    seed: Option<u64>,
    /// Seed of the guard's per-column k, with FILE (default: drawn from the operating
    /// system, never the row seed). Fix both for a byte-identical rerun from a file.
    #[arg(long)]
    guard_seed: Option<u64>,
    /// With FILE: build the spec from a differentially private SafeProfile with this
    /// total ε.
    #[arg(long)]
    epsilon: Option<f64>,
    /// Output format (default: from -o's extension, else CSV).
    #[arg(long, value_parser = parse_format)]
    format: Option<OutputFormat>,
    /// Output file (default: stdout).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Keep text that starts like a spreadsheet formula as it is.
    #[arg(long)]
    allow_formulas: bool,
}

/// A generated chunk: rendered text (CSV, TSV, JSON, NDJSON) or a table (XLSX, Parquet).
enum Chunk {
    Rendered(Vec<u8>, u64),
    Table(shared::Table),
}

/// Generates (and, for text formats, renders) the table chunk by chunk on every core and
/// hands the chunks to `write` in row order. The row-range determinism of `generate`
/// is what makes the split invisible in the output.
fn for_each_chunk(
    plan: &shared::plan::Plan,
    seed: u64,
    rows: u64,
    format: OutputFormat,
    options: &ExportOptions,
    mut write: impl FnMut(Chunk) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let chunks = rows.div_ceil(CHUNK_ROWS);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(chunks.max(1) as usize) as u64;
    std::thread::scope(|scope| {
        let (tx, rx) =
            std::sync::mpsc::sync_channel::<(u64, shared::Result<Chunk>)>(2 * threads as usize);
        for worker in 0..threads {
            let tx = tx.clone();
            scope.spawn(move || {
                let mut chunk = worker;
                while chunk < chunks {
                    let start = chunk * CHUNK_ROWS;
                    let end = (start + CHUNK_ROWS).min(rows);
                    let table = shared::generate::generate(plan, seed, rows, start..end);
                    let made = match shared::export::render_text(
                        format,
                        &table.columns,
                        options,
                        &table,
                        start,
                    ) {
                        Some(bytes) => bytes.map(|b| Chunk::Rendered(b, end - start)),
                        None => Ok(Chunk::Table(table)),
                    };
                    if tx.send((chunk, made)).is_err() {
                        return; // the writer stopped (an error): stop too
                    }
                    chunk += threads;
                }
            });
        }
        drop(tx);
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0u64;
        for (chunk, made) in rx {
            pending.insert(chunk, made);
            while let Some(made) = pending.remove(&next) {
                write(made?)?;
                next += 1;
            }
        }
        Ok(())
    })
}

fn parse_format(s: &str) -> Result<OutputFormat, String> {
    OutputFormat::from_extension(s)
        .ok_or_else(|| format!("{s:?}: use csv, tsv, json, ndjson, xlsx or parquet"))
}

pub fn run(a: GenerateArgs) -> anyhow::Result<()> {
    let seed = super::seed_or_random(a.seed)?;
    if a.seed.is_none() {
        eprintln!("byod: seed {seed}");
    }
    let spec = match (&a.spec, &a.file) {
        (Some(path), _) => {
            let json = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            shared::spec::Spec::from_json(&json).with_context(|| format!("{}", path.display()))?
        }
        (None, Some(file)) => {
            anyhow::ensure!(
                (0.0..=1.0).contains(&a.strictness),
                "--strictness must be between 0 and 1"
            );
            super::spec_from_file(
                file,
                a.strictness,
                super::guard_seed(a.guard_seed, a.epsilon)?,
                a.epsilon,
            )?
        }
        (None, None) => anyhow::bail!("give a FILE or --spec"),
    };
    let plan = shared::plan::compile(&spec).map_err(shared::Error::from)?;
    for w in &plan.warnings {
        eprintln!("byod: {w}");
    }
    let rows = a.rows.unwrap_or(plan.default_rows);
    let format = a
        .format
        .or_else(|| {
            a.output
                .as_ref()
                .and_then(|p| p.extension())
                .and_then(|e| OutputFormat::from_extension(&e.to_string_lossy()))
        })
        .unwrap_or(OutputFormat::Csv);
    let out: Box<dyn Write + Send> = match &a.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let options = ExportOptions {
        neutralize_formulas: !a.allow_formulas,
    };
    let progress = std::io::stderr().is_terminal() && rows > CHUNK_ROWS;
    // The plan fixes the columns and their types: an empty table gives the header.
    let empty = shared::generate::generate(&plan, seed, 0, 0..0);
    let mut exporter: Exporter<Box<dyn Write + Send>> = Exporter::new(
        format,
        &empty.columns,
        empty.batch.schema(),
        options.clone(),
        out,
    )?;
    let mut done = 0u64;
    for_each_chunk(&plan, seed, rows, format, &options, |chunk| {
        let n = match chunk {
            Chunk::Rendered(bytes, n) => {
                exporter.write_rendered(&bytes, n)?;
                n
            }
            Chunk::Table(table) => {
                exporter.write(&table)?;
                table.batch.num_rows() as u64
            }
        };
        done += n;
        if progress {
            eprint!(
                "\rbyod: {done} of {rows} rows ({:.0}%)",
                done as f64 * 100.0 / rows as f64
            );
        }
        Ok(())
    })?;
    if progress {
        eprintln!();
    }
    exporter.finish()?.flush()?;
    Ok(())
}
