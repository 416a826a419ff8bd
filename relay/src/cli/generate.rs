//! `byod generate (FILE | --spec SPEC)`: a synthetic file from a real one (through its
//! SafeProfile and the template) or from a spec, written block by block.

use anyhow::Context;
use clap::Args;
use shared::export::{ExportOptions, Exporter, OutputFormat, WriteChoice};
use shared::pipeline::{CHUNK_ROWS, Chunk, Synthesis};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

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
    #[arg(long, default_value = "0.8")]
    strictness: shared::Strictness,
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
    /// CSV delimiter: , ; | or tab (default: the source's, else a comma).
    #[arg(long, value_parser = super::parse_delimiter)]
    delimiter: Option<char>,
    /// Line ends of CSV/TSV output: lf or crlf (default: the source's).
    #[arg(long, value_parser = ["lf", "crlf"])]
    line_ends: Option<String>,
    /// Encoding of CSV/TSV output: utf-8, utf-8-bom, windows-1252, utf-16le or utf-16be
    /// (default: the source's).
    #[arg(long, value_parser = parse_encoding)]
    encoding: Option<(shared::written::TextEncoding, bool)>,
    /// Write standard CSV or TSV (comma or tab, LF line ends, UTF-8) with plain
    /// numbers, true/false and empty missing values, instead of the way the source
    /// wrote them.
    #[arg(long)]
    plain: bool,
    /// Make only part K of P (`--part 2/8`): the rows are split into P contiguous
    /// ranges. CSV, TSV and NDJSON parts joined in order are the single run's bytes
    /// (the header and byte order mark only in part 1); Parquet parts are whole files
    /// that, read in order as one dataset, hold the single run's rows.
    #[arg(long, value_parser = parse_part)]
    part: Option<(u64, u64)>,
}

fn parse_encoding(s: &str) -> Result<(shared::written::TextEncoding, bool), String> {
    shared::written::TextEncoding::by_name(s)
        .ok_or_else(|| format!("{s:?}: use {}", shared::written::TextEncoding::NAMES))
}

/// `K/P` with 1 ≤ K ≤ P.
fn parse_part(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("{s:?}: use K/P with 1 <= K <= P, such as 1/4");
    let (k, p) = s.split_once('/').ok_or_else(bad)?;
    let (k, p): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        p.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || p == 0 || k > p {
        return Err(bad());
    }
    Ok((k, p))
}

/// Makes (and, for text formats, renders) the output's row ranges on every core and
/// hands the chunks to `write` in row order. The row-range determinism of `generate`
/// is what makes the split invisible in the output.
fn for_each_chunk(
    synthesis: &Synthesis,
    rows: std::ops::Range<u64>,
    format: OutputFormat,
    options: &ExportOptions,
    mut write: impl FnMut(Chunk) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let ranges: Vec<_> = Synthesis::chunks_of(rows).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(ranges.len().max(1));
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, shared::Result<Chunk>)>(2 * threads);
        for worker in 0..threads {
            let tx = tx.clone();
            let ranges = &ranges;
            scope.spawn(move || {
                for (i, range) in ranges.iter().enumerate().skip(worker).step_by(threads) {
                    let made = synthesis.render(range.clone(), format, options);
                    if tx.send((i, made)).is_err() {
                        return; // the writer stopped (an error): stop too
                    }
                }
            });
        }
        drop(tx);
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0;
        for (i, made) in rx {
            pending.insert(i, made);
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
    let seed = super::generation_seed(a.seed)?;
    let spec = match (&a.spec, &a.file) {
        (Some(path), _) => {
            let json = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            shared::spec::Spec::from_json(&json).with_context(|| format!("{}", path.display()))?
        }
        (None, Some(file)) => super::spec_from_file(file, a.strictness, a.guard_seed, a.epsilon)?,
        (None, None) => anyhow::bail!("give a FILE or --spec"),
    };
    let synthesis = Synthesis::new(spec, a.rows, seed)?;
    for w in synthesis.warnings() {
        eprintln!("byod: {w}");
    }
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
    let mut options = ExportOptions {
        neutralize_formulas: !a.allow_formulas,
        ..synthesis.export_options(&WriteChoice {
            plain: a.plain,
            delimiter: a.delimiter,
            crlf: a.line_ends.as_deref().map(|l| l == "crlf"),
            encoding: a.encoding.map(|e| e.0),
            bom: a.encoding.map(|e| e.1),
        })
    };
    let range = match a.part {
        Some((k, parts)) => synthesis.part_export(k, parts, format, &mut options)?,
        None => 0..synthesis.rows(),
    };
    let rows = range.end - range.start;
    let progress = std::io::stderr().is_terminal() && rows > CHUNK_ROWS;
    let mut exporter: Exporter<Box<dyn Write + Send>> =
        synthesis.exporter(format, options.clone(), out)?;
    let mut done = 0u64;
    for_each_chunk(&synthesis, range, format, &options, |chunk| {
        done += chunk.write_to(&mut exporter)?;
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
