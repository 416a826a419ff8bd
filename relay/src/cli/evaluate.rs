//! `byod evaluate REAL SYNTH`: ingest both → evaluate → a readable summary, or the
//! full report as JSON with `--json`.

use anyhow::Context;
use clap::Args;
use shared::evaluate::{EvaluateOptions, Report};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The real file (any format `byod profile` reads).
    real: PathBuf,
    /// The synthetic file.
    synthetic: PathBuf,
    /// Real rows kept out of training: adds the overfitting check.
    #[arg(long)]
    holdout: Option<PathBuf>,
    /// Print the full report as JSON (it holds real category labels: keep it local).
    #[arg(long)]
    json: bool,
    /// A file of values that must not appear in the synthetic data, one per line.
    #[arg(long, value_name = "FILE")]
    withheld_values: Option<PathBuf>,
    /// Seed for the distance-to-closest-record subsamples and baseline.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Rows of each table used for distance to closest record (cost grows with rows²).
    #[arg(long, default_value_t = 5_000)]
    dcr_rows: usize,
    /// Exit with status 2 when a withheld value is found.
    #[arg(long)]
    fail_on_leak: bool,
}

pub fn run(a: EvaluateArgs) -> anyhow::Result<ExitCode> {
    let ingest = shared::IngestOptions::default();
    let real = super::read_table(&a.real, &ingest)?;
    let synthetic = super::read_table(&a.synthetic, &ingest)?;
    let holdout = a
        .holdout
        .as_ref()
        .map(|h| super::read_table(h, &ingest))
        .transpose()?;
    let withheld: Vec<String> = match &a.withheld_values {
        Some(p) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read {}", p.display()))?
            .lines()
            .map(str::to_string)
            .filter(|l| !l.trim().is_empty())
            .collect(),
        None => Vec::new(),
    };
    let options = EvaluateOptions {
        holdout: holdout.as_ref(),
        withheld_values: &withheld,
        seed: a.seed,
        dcr_rows: a.dcr_rows,
        plots: a.json,
        ..Default::default()
    };
    let report = shared::evaluate(&real, &synthetic, &options);
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_summary(&mut out, &report, &withheld)?;
    }
    out.flush()?;
    if a.fail_on_leak && report.privacy.withheld.occurrences > 0 {
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), |x| format!("{:.1}%", x * 100.0))
}

/// The report as text: rows, fidelity, columns, privacy, then what did not match.
fn write_summary(out: &mut impl Write, r: &Report, withheld: &[String]) -> std::io::Result<()> {
    write_fidelity(out, r)?;
    write_columns(out, r)?;
    write_privacy(out, r, withheld)?;
    write_mismatches(out, r)
}

fn write_fidelity(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    let f = &r.fidelity;
    writeln!(
        out,
        "Rows: {} real, {} synthetic{}",
        r.rows.real,
        r.rows.synthetic,
        r.rows
            .holdout
            .map_or(String::new(), |h| format!(", {h} holdout"))
    )?;
    if let (Some(i), false) = (&r.imitated.fidelity, r.imitated.replaced.is_empty()) {
        writeln!(
            out,
            "\nFidelity over the {} columns the synthetic data imitates: {}   (shapes {}, pair trends {})",
            i.shape_columns,
            pct(i.overall),
            pct(i.column_shapes),
            pct(i.column_pair_trends)
        )?;
        let replaced: Vec<String> = r
            .imitated
            .replaced
            .iter()
            .map(|c| format!("{} ({})", c.column, c.by))
            .collect();
        writeln!(out, "  Replaced by design: {}", replaced.join(", "))?;
    }
    writeln!(out, "\nFidelity (SDMetrics Quality Report definitions)")?;
    writeln!(out, "  Overall              {:>7}", pct(f.overall))?;
    writeln!(
        out,
        "  Column shapes        {:>7}   over {} columns",
        pct(f.column_shapes),
        f.shape_columns
    )?;
    writeln!(
        out,
        "  Column pair trends   {:>7}   over the {} of {} pairs SDMetrics counts (real |r| > 0.5 or V > 0.3)",
        pct(f.column_pair_trends),
        f.pairs_meeting_threshold,
        f.pairs
    )?;
    writeln!(
        out,
        "                       {:>7}   over all {} pairs",
        pct(f.column_pair_trends_all_pairs),
        f.pairs
    )?;
    write_validity(out, r)
}

fn write_validity(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    let v = &r.validity;
    if v.relations.is_empty() {
        return writeln!(out, "\nValidity: no relation holds on the real rows");
    }
    writeln!(out, "\nValidity (relations that hold on the real rows)")?;
    writeln!(
        out,
        "  Kept                 {:>7}   synthetic share over real share, mean over {} relations",
        pct(v.held),
        v.relations.len()
    )?;
    for h in &v.relations {
        writeln!(
            out,
            "    {}: real {}, synthetic {}",
            h.relation,
            pct(Some(h.real)),
            pct(h.synthetic)
        )?;
    }
    Ok(())
}

fn write_columns(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    writeln!(out, "\nColumns")?;
    let width = r.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &r.columns {
        let score = match (&c.metric, c.score) {
            (Some(m), Some(s)) => format!("{s:.3}  {m}"),
            (Some(m), None) => format!("  n/a  {m}: {}", c.error.as_deref().unwrap_or("")),
            (None, _) => "    -  not scored".to_string(),
        };
        let unparsed = if c.unparsed_synthetic > 0 {
            format!("  ({} synthetic values unreadable)", c.unparsed_synthetic)
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {:width$}  {:20} {score}{unparsed}",
            c.name, c.sdtype
        )?;
    }
    Ok(())
}

fn write_privacy(out: &mut impl Write, r: &Report, withheld: &[String]) -> std::io::Result<()> {
    let p = &r.privacy;
    writeln!(out, "\nPrivacy")?;
    writeln!(
        out,
        "  Exact copies of real rows      {:>7}   ({} over scored columns; the real table repeats {} of its own rows there)",
        pct(Some(p.exact_copy_rate)),
        pct(Some(p.exact_copy_rate_stat_cols)),
        pct(Some(p.real_self_dup_rate_stat_cols))
    )?;
    if let Some(d) = &p.dcr_baseline_protection {
        writeln!(
            out,
            "  DCR baseline protection        {:>7}   (median distance to closest real row {:.4}; random rows {:.4}; {} rows each{})",
            d.score.map_or("n/a".to_string(), |s| format!("{s:.3}")),
            d.median_dcr_synthetic,
            d.median_dcr_random_baseline,
            d.rows_synthetic,
            if d.subsampled { ", subsampled" } else { "" }
        )?;
    }
    if let Some(o) = &p.dcr_overfitting_protection {
        writeln!(
            out,
            "  DCR overfitting protection     {:>7.3}   ({} of synthetic rows closer to training than to holdout rows)",
            o.score,
            pct(Some(o.synthetic_share_closer_to_training))
        )?;
    }
    let width = p.verbatim.iter().map(|v| v.column.len()).max().unwrap_or(0);
    for v in &p.verbatim {
        writeln!(
            out,
            "  Verbatim copies in {:width$}  {:>7}   of {} synthetic values occur in the real column ({}); {} only one real row holds{}",
            v.column,
            pct(Some(v.rate)),
            v.synthetic_values,
            v.why,
            pct(Some(v.unique_rate)),
            if v.alarming() { "  ← look" } else { "" }
        )?;
    }
    let w = &p.withheld;
    if w.values_checked > 0 {
        writeln!(
            out,
            "  Withheld values found          {:>7}   ({} values checked)",
            w.occurrences, w.values_checked
        )?;
        for leak in &w.leaks {
            writeln!(
                out,
                "    LEAK: {:?} in column {} ({} cells, first at row {})",
                withheld.get(leak.value_index).map_or("?", |s| s.trim()),
                leak.column,
                leak.cells,
                leak.first_row + 1
            )?;
        }
    }
    Ok(())
}

fn write_mismatches(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    if !r.missing_columns.is_empty() {
        writeln!(
            out,
            "\nMissing from the synthetic table: {}",
            r.missing_columns.join(", ")
        )?;
    }
    if !r.extra_columns.is_empty() {
        writeln!(
            out,
            "Not in the real table (ignored): {}",
            r.extra_columns.join(", ")
        )?;
    }
    for n in &r.notes {
        writeln!(out, "Note: {n}")?;
    }
    Ok(())
}
