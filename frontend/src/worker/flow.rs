//! The flow for one file, as the worker runs it: pure functions over bytes and tables,
//! so they are tested natively. The worker module around them only moves messages.

use crate::protocol::{
    ColumnSummary, FileInfo, GenerateRequest, Generated, Preview, Scored, WithheldItem,
};
use shared::export::{ExportOptions, Exporter, OutputFormat};
use shared::plan::Plan;
use shared::{SafeProfile, Table};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Rows of a file, and of its synthetic twin, shown in the page.
pub const PREVIEW_ROWS: usize = 10;

/// Rows generated between two progress messages (and two chances to cancel).
pub const CHUNK_ROWS: u64 = 4 * shared::generate::BLOCK_ROWS;

/// A file read, profiled and guarded: what the worker keeps between requests.
#[derive(Debug)]
pub struct Loaded {
    /// The file's full profile (local: it tells evaluate which columns are personal).
    pub profile: shared::Profile,
    /// Real values the guard withheld, searched for in the output.
    pub withheld_values: Vec<String>,
    /// The sheet read.
    pub sheet: Option<String>,
    /// The rows (a spread sample of large files), for scoring the output.
    pub table: Table,
    /// What may leave; the template builds specs from this alone.
    pub safe: SafeProfile,
}

/// Reads, profiles and guards a file. The error is the message for the user.
pub fn inspect(
    bytes: &[u8],
    name: &str,
    sheet: Option<String>,
) -> Result<(Loaded, FileInfo), String> {
    let options = shared::IngestOptions {
        sheet: sheet.clone(),
        ..Default::default()
    };
    let table = shared::read(bytes, name, &options).map_err(|e| e.to_string())?;
    let profile = shared::profile(&table);
    let guard = shared::GuardOptions {
        seed: guard_seed()?,
        ..Default::default()
    };
    let (safe, withheld) = shared::guard(&profile, &guard);
    let safe_profile = serde_json::to_string_pretty(&safe).map_err(|e| e.to_string())?;
    let columns = profile
        .columns
        .iter()
        .map(|c| ColumnSummary {
            name: c.name.clone(),
            logical: label(&c.logical),
            kind: label(&c.kind),
            semantic: c.semantic.as_ref().map(|s| label(&s.kind)),
            pii: c.semantic.as_ref().is_some_and(|s| s.kind.is_pii()),
            null_rate: c.null_rate,
            distinct: c.distinct,
        })
        .collect();
    let info = FileInfo {
        format: table.format.extension().to_string(),
        sheet: table.sheet.clone(),
        sheets: table.sheets.clone(),
        total_rows: table.total_rows,
        sampled_rows: table.sampled_rows() as u64,
        warnings: table.warnings.clone(),
        columns,
        preview: preview(&table, PREVIEW_ROWS),
        safe_profile,
        withheld: withheld
            .into_iter()
            .map(|w| WithheldItem {
                column: w.column,
                what: w.what,
                why: w.why,
            })
            .collect(),
        millis: 0.0,
    };
    let withheld_values = shared::guard::withheld_values(&profile, &safe);
    let loaded = Loaded {
        profile,
        withheld_values,
        sheet: table.sheet.clone(),
        table,
        safe,
    };
    Ok((loaded, info))
}

/// The guard's seed for one file: from the browser's cryptographic random source
/// (`crypto.getRandomValues`), so no one can plant exactly k−1 copies of a value.
fn guard_seed() -> Result<u64, String> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| format!("no random source for the privacy guard: {e}"))?;
    Ok(u64::from_le_bytes(b))
}

/// A serde enum's snake_case name (`Numeric` → `numeric`).
fn label(v: &impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The first `rows` rows as the text exports write them (dates in their own format,
/// numbers as written), so the preview shows what the download will hold.
pub fn preview(table: &Table, rows: usize) -> Preview {
    Preview {
        header: table.columns.iter().map(|c| c.name.clone()).collect(),
        rows: shared::export::text_rows(table, 0..rows),
    }
}

/// The spec for a request: the relay's (validated here again), or the template's.
pub fn plan(loaded: &Loaded, req: &GenerateRequest) -> Result<(shared::spec::Spec, Plan), String> {
    if !(0.0..=1.0).contains(&req.strictness) {
        return Err(format!(
            "match strictness {} is outside 0..100 %",
            req.strictness
        ));
    }
    let spec = match &req.spec {
        Some(json) => shared::spec::Spec::from_json(json).map_err(|e| e.to_string())?,
        None => shared::template::template(&loaded.safe, req.strictness),
    };
    let plan = shared::plan::compile(&spec).map_err(|p| p.to_string())?;
    Ok((spec, plan))
}

/// A byte sink the exporter writes into and the worker drains after every chunk, so
/// the output never sits in wasm memory whole. (`Exporter` wants `Write + Send`.)
#[derive(Debug, Clone, Default)]
pub struct Sink(Arc<Mutex<Vec<u8>>>);

impl Sink {
    /// Takes what was written since the last call.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One generation, made a chunk at a time so the worker can report progress and take
/// a Cancel between chunks.
#[derive(Debug)]
pub struct Generation {
    spec: shared::spec::Spec,
    plan: Plan,
    seed: u64,
    rows: u64,
    format: OutputFormat,
    options: ExportOptions,
    /// `None` once finished.
    exporter: Option<Exporter<Sink>>,
    sink: Sink,
    done: u64,
    /// The first chunk, kept to be scored: it is the prefix SCORED_ROWS asks for.
    first: Option<Table>,
}

impl Generation {
    /// Starts a generation of `rows` rows (the header is written now).
    pub fn new(
        spec: shared::spec::Spec,
        plan: Plan,
        seed: u64,
        rows: u64,
        format: OutputFormat,
    ) -> Result<Self, String> {
        let options = ExportOptions::default();
        let sink = Sink::default();
        let empty = shared::generate::generate(&plan, seed, 0, 0..0);
        let exporter = Exporter::new(
            format,
            &empty.columns,
            empty.batch.schema(),
            options.clone(),
            sink.clone(),
        )
        .map_err(|e| e.to_string())?;
        Ok(Generation {
            spec,
            plan,
            seed,
            rows,
            format,
            options,
            exporter: Some(exporter),
            sink,
            done: 0,
            first: None,
        })
    }

    /// Rows made so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// Rows to make.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Makes and writes the next chunk; returns the bytes written since the last call
    /// (empty for formats that write at the end). The first chunk is the scored prefix
    /// (up to [`shared::evaluate::SCORED_ROWS`] rows), kept so scoring makes nothing twice.
    pub fn step(&mut self) -> Result<Vec<u8>, String> {
        let exporter = self
            .exporter
            .as_mut()
            .ok_or("the file is already finished")?;
        let start = self.done;
        let size = if start == 0 {
            shared::evaluate::SCORED_ROWS.max(CHUNK_ROWS)
        } else {
            CHUNK_ROWS
        };
        let end = (start + size).min(self.rows);
        let table = shared::generate::generate(&self.plan, self.seed, self.rows, start..end);
        match shared::export::render_text(self.format, &table.columns, &self.options, &table, start)
        {
            Some(bytes) => {
                let bytes = bytes.map_err(|e| e.to_string())?;
                exporter
                    .write_rendered(&bytes, end - start)
                    .map_err(|e| e.to_string())?;
            }
            None => exporter.write(&table).map_err(|e| e.to_string())?,
        }
        self.done = end;
        if start == 0 {
            self.first = Some(table);
        }
        Ok(self.sink.take())
    }

    /// Whether every row is made.
    pub fn is_done(&self) -> bool {
        self.done >= self.rows
    }

    /// Ends the file; returns the last bytes.
    pub fn finish(&mut self) -> Result<Vec<u8>, String> {
        if let Some(exporter) = self.exporter.take() {
            exporter.finish().map_err(|e| e.to_string())?;
        }
        Ok(self.sink.take())
    }

    /// The first rows of the output: the part that is scored.
    fn scored_prefix(&self) -> Result<Table, String> {
        let first = self
            .first
            .as_ref()
            .ok_or("nothing was generated to score")?;
        Ok(shared::evaluate::scored_prefix(first))
    }

    /// The result shown beside the download, before scoring (`report` is `None`).
    pub fn result(
        &self,
        req: &GenerateRequest,
        name: &str,
        bytes: u64,
    ) -> Result<Generated, String> {
        let scored = self.scored_prefix()?;
        Ok(Generated {
            rows: self.rows,
            file_name: shared::export::output_name(name, self.format),
            bytes,
            spec: serde_json::to_string_pretty(&self.spec).map_err(|e| e.to_string())?,
            scored_rows: scored.total_rows,
            strictness: req.strictness,
            seed: self.seed,
            spec_source: req.spec_source.clone(),
            warnings: self.plan.warnings.clone(),
            preview: preview(&scored, PREVIEW_ROWS),
            millis: 0.0,
        })
    }

    /// Scores the first rows of the output against the real rows (SDMetrics' Quality
    /// Report plus the privacy checks) and draws the charts; `None` for no rows.
    pub fn score(&self, real: &Loaded) -> Result<Option<Scored>, String> {
        let scored = self.scored_prefix()?;
        if scored.total_rows == 0 {
            return Ok(None);
        }
        // The options `byod evaluate --seed SEED` uses, so its figures for the same
        // pair are these.
        // The real side of the charts and matrices is what the SafeProfile releases:
        // the report downloads beside the synthetic file and may be shared like it.
        let options = shared::EvaluateOptions {
            withheld_values: &real.withheld_values,
            real_profile: Some(&real.profile),
            seed: self.seed,
            released: Some(&real.safe),
            ..Default::default()
        };
        let report = shared::evaluate(&real.table, &scored, &options);
        let charts = report
            .columns
            .iter()
            .filter_map(crate::report::svg::column_chart)
            .collect();
        let heatmaps = report
            .correlation
            .as_ref()
            .map(|m| {
                vec![
                    crate::report::svg::heatmap(m, "real"),
                    crate::report::svg::heatmap(m, "synthetic"),
                ]
            })
            .unwrap_or_default();
        Ok(Some(Scored {
            report,
            charts,
            heatmaps,
            millis: 0.0,
        }))
    }
}

/// Starts the generation a request asks for.
pub fn start(loaded: &Loaded, req: &GenerateRequest) -> Result<Generation, String> {
    let format = OutputFormat::from_extension(&req.format)
        .ok_or_else(|| format!("unknown output format {:?}", req.format))?;
    let (spec, plan) = plan(loaded, req)?;
    let rows = req.rows.unwrap_or(plan.default_rows);
    Generation::new(spec, plan, req.seed, rows, format)
}

/// The report as JSON and as a self-contained HTML file (`source` is the input file's
/// name).
pub fn report_files(result: &Generated, scored: &Scored, source: &str) -> (String, String) {
    let json = serde_json::to_string_pretty(&scored.report).unwrap_or_default();
    let about = crate::report::html::About {
        file: source,
        output: &result.file_name,
        strictness: result.strictness,
        seed: result.seed,
        spec_source: &result.spec_source,
        spec: &result.spec,
    };
    (json, crate::report::html::document(&scored.report, &about))
}

/// The seed demo files are made with: the same demo is the same file every time.
pub const DEMO_SEED: u64 = 1;

/// A demo file: the spec's default rows of made-up data, as CSV.
pub fn demo(spec_json: &str) -> Result<Vec<u8>, String> {
    let spec = shared::spec::Spec::from_json(spec_json).map_err(|e| e.to_string())?;
    let plan = shared::plan::compile(&spec).map_err(|p| p.to_string())?;
    let rows = plan.default_rows;
    let table = shared::generate::generate(&plan, DEMO_SEED, rows, 0..rows);
    shared::export::to_bytes(&table, OutputFormat::Csv, &ExportOptions::default())
        .map_err(|e| e.to_string())
}

/// The batch ZIP: the outputs under their names, then `manifest.json`.
pub fn bundle(mut files: Vec<(String, Vec<u8>)>, manifest: &str) -> Result<Vec<u8>, String> {
    files.push(("manifest.json".into(), manifest.as_bytes().to_vec()));
    shared::export::zip(&files).map_err(|e| e.to_string())
}

/// The content type of an output format, for the download's Blob.
pub fn content_type(format: &str) -> &'static str {
    OutputFormat::from_extension(format).map_or("application/octet-stream", |f| f.content_type())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn penguins() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/datasets/penguins.csv"
        );
        std::fs::read(path).expect("the datasets sit beside the repository (see README)")
    }

    fn request(rows: Option<u64>, format: &str) -> GenerateRequest {
        GenerateRequest {
            id: 1,
            sheet: None,
            rows,
            strictness: 0.8,
            seed: 9,
            format: format.into(),
            spec: None,
            spec_source: "template".into(),
        }
    }

    fn run(generation: &mut Generation) -> Vec<u8> {
        let mut out = Vec::new();
        while !generation.is_done() {
            out.extend(generation.step().unwrap());
        }
        out.extend(generation.finish().unwrap());
        out
    }

    #[test]
    fn inspect_summarises_the_file_and_keeps_only_the_safe_profile_for_sending() {
        let (loaded, info) = inspect(&penguins(), "penguins.csv", None).unwrap();
        assert_eq!((info.format.as_str(), info.total_rows), ("csv", 344));
        assert_eq!(info.columns.len(), 8);
        assert_eq!(info.columns[0].kind, "categorical");
        assert_eq!(info.preview.header[0], "species");
        assert_eq!(info.preview.rows.len(), PREVIEW_ROWS);
        // Cells as the export writes them; the fourth penguin's measurements are missing.
        assert_eq!(info.preview.rows[0][..3], ["Adelie", "Torgersen", "39.1"]);
        assert_eq!(info.preview.rows[3][2], "");
        let sent: SafeProfile = serde_json::from_str(&info.safe_profile).unwrap();
        assert_eq!(sent, loaded.safe);
    }

    #[test]
    fn chunked_output_equals_the_whole_table_exported_at_once() {
        let (loaded, _) = inspect(&penguins(), "penguins.csv", None).unwrap();
        // More rows than the first (scored) chunk and two more, so the chunk seams are
        // inside the file.
        let rows = shared::evaluate::SCORED_ROWS + CHUNK_ROWS * 2 + 17;
        for format in ["csv", "ndjson", "json"] {
            let mut g = start(&loaded, &request(Some(rows), format)).unwrap();
            let chunked = run(&mut g);
            let (_, plan) = plan(&loaded, &request(Some(rows), format)).unwrap();
            let whole = shared::generate::generate(&plan, 9, rows, 0..rows);
            let f = OutputFormat::from_extension(format).unwrap();
            let expected = shared::export::to_bytes(&whole, f, &ExportOptions::default()).unwrap();
            assert!(chunked == expected, "{format} differs");
        }
    }

    #[test]
    fn a_result_scores_a_prefix_and_names_the_download() {
        let (loaded, _) = inspect(&penguins(), "penguins.csv", None).unwrap();
        let req = request(None, "parquet");
        let mut g = start(&loaded, &req).unwrap();
        let bytes = run(&mut g);
        assert_eq!(&bytes[..4], b"PAR1");
        let r = g.result(&req, "penguins.csv", bytes.len() as u64).unwrap();
        assert_eq!((r.rows, r.scored_rows), (344, 344));
        assert_eq!(r.file_name, "synthetic_penguins.parquet");
        let scored = g.score(&loaded).unwrap().unwrap();
        let report = scored.report.clone();
        let fidelity = report.fidelity.overall.unwrap();
        assert!(fidelity > 0.8, "{fidelity}");
        // Everything the page draws is there: a plot per column, both matrices, DCR,
        // the real side from what the SafeProfile releases.
        assert!(report.columns.iter().all(|c| c.plot.is_some()));
        assert_eq!(report.real_side, "released");
        assert_eq!((scored.charts.len(), scored.heatmaps.len()), (8, 2));
        let (json, html) = report_files(&r, &scored, "penguins.csv");
        assert_eq!(
            serde_json::from_str::<shared::Report>(&json).unwrap(),
            report
        );
        assert!(html.contains("Synthetic data report: penguins.csv"));
        assert_eq!(report.correlation.unwrap().columns.len(), 8);
        assert!(report.privacy.dcr_baseline_protection.is_some());
        // The spec shown is the one used.
        let spec = shared::spec::Spec::from_json(&r.spec).unwrap();
        assert_eq!(spec.columns.len(), 8);
    }

    #[test]
    fn a_demo_is_the_same_file_every_time_and_a_bundle_holds_a_manifest() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../public/demo/sales_data.spec.json"
        );
        let spec = std::fs::read_to_string(path).unwrap();
        let a = demo(&spec).unwrap();
        assert_eq!(a, demo(&spec).unwrap());
        assert!(a.starts_with(b"order_id,order_date,region"));
        assert!(demo("{}").unwrap_err().contains("spec"));
        let zip = bundle(vec![("a.csv".into(), a)], "{\"files\": []}").unwrap();
        let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        let names: Vec<String> = archive
            .file_names()
            .map(|n| n.unwrap().into_owned())
            .collect();
        assert_eq!(names, ["a.csv", "manifest.json"]);
        assert_eq!(archive.by_name("manifest.json").unwrap().size(), 13);
    }

    /// Was: a 50-row, 2,000-column CSV killed the worker while scoring (two million
    /// pairs), and the card blamed the file.
    #[test]
    fn a_wide_table_is_scored_within_the_scoring_budgets() {
        let mut csv = (0..2000)
            .map(|c| format!("c{c}"))
            .collect::<Vec<_>>()
            .join(",");
        csv.push('\n');
        for r in 0..50 {
            let row: Vec<String> = (0..2000)
                .map(|c| ((r * 7 + c * 3) % 11).to_string())
                .collect();
            csv += &row.join(",");
            csv.push('\n');
        }
        let (loaded, _) = inspect(csv.as_bytes(), "wide.csv", None).unwrap();
        let mut g = start(&loaded, &request(Some(50), "csv")).unwrap();
        run(&mut g);
        let scored = g.score(&loaded).unwrap().unwrap();
        let pairs = scored.report.pairs.len();
        assert!(pairs <= shared::evaluate::MAX_SCORED_PAIRS, "{pairs} pairs");
        assert!(
            scored
                .report
                .notes
                .iter()
                .any(|n| n.contains("Pair trends are scored over the first"))
        );
    }

    #[test]
    fn bad_requests_and_files_get_messages_not_panics() {
        let (loaded, _) = inspect(&penguins(), "penguins.csv", None).unwrap();
        let mut req = request(Some(5), "docx");
        assert!(start(&loaded, &req).unwrap_err().contains("docx"));
        req.format = "csv".into();
        req.strictness = 1.5;
        assert!(start(&loaded, &req).unwrap_err().contains("strictness"));
        req.strictness = 0.5;
        req.spec = Some("{\"columns\": 3}".into());
        assert!(start(&loaded, &req).unwrap_err().contains("spec"));
        let err = inspect(b"PAR1\x00\x01garbage", "x.parquet", None).unwrap_err();
        assert!(err.contains("x.parquet"), "{err}");
    }
}
