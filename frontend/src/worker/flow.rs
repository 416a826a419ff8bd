//! The flow for one file, as the worker runs it: the core's pipeline
//! ([`shared::pipeline`]) plus what only the page needs (previews, charts, the
//! download's pieces). Pure functions over bytes and tables, so they are tested
//! natively; the worker module around them only moves messages.

use crate::protocol::{FileInfo, GenerateRequest, Generated, Preview, RenderTask, Scored};
use shared::Table;
use shared::evaluate::{DcrWork, Report};
use shared::export::{ExportOptions, Exporter, OutputFormat};
use shared::pipeline::{self, Chunk, InspectOptions, Inspected, Scoring, Source, Synthesis};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

/// Rows of a file, and of its synthetic twin, shown in the page.
pub const PREVIEW_ROWS: usize = 10;

/// A file read, profiled and guarded: what the worker keeps between requests.
#[derive(Debug)]
pub struct Loaded {
    /// The pipeline's inspection (the rows are a spread sample of large files).
    pub real: Inspected,
    /// The sheet read.
    pub sheet: Option<String>,
}

/// How a worker reads a file: [`pipeline::inspect_source`] (every format) in the full
/// worker, [`pipeline::inspect_text_source`] in the small reader the page starts first.
pub type Reader = fn(&dyn Source, &str, &InspectOptions) -> shared::Result<Inspected>;

/// Reads, profiles and guards a file (guard seed fresh from `crypto.getRandomValues`,
/// the pipeline's seed policy, unless one is given) with `read`; CSV and TSV stream
/// from `source`. The error's text is the message for the user.
pub fn inspect(
    source: &dyn Source,
    name: &str,
    sheet: Option<String>,
    guard_seed: Option<u64>,
    read: Reader,
) -> Result<(Loaded, FileInfo), shared::Error> {
    let mut options = match guard_seed {
        Some(seed) => InspectOptions::with_guard_seed(seed),
        None => InspectOptions::fresh()?,
    };
    options.ingest.sheet = sheet;
    let real = read(source, name, &options)?;
    let table = &real.table;
    let info = FileInfo {
        format: table.format,
        sheet: table.sheet.clone(),
        sheets: table.sheets.clone(),
        total_rows: table.total_rows,
        sampled_rows: table.sampled_rows() as u64,
        warnings: table.warnings.clone(),
        columns: real.local_summary(),
        preview: preview(table, PREVIEW_ROWS),
        safe_profile: serde_json::to_string_pretty(&real.safe)
            .map_err(|e| shared::Error::new(shared::ErrorKind::Malformed, e.to_string()))?,
        withheld: real.withheld.clone(),
        millis: 0.0,
        worker_memory: 0,
    };
    let loaded = Loaded {
        sheet: table.sheet.clone(),
        real,
    };
    Ok((loaded, info))
}

/// The first `rows` rows as the text exports write them (dates in their own format,
/// numbers as written), so the preview shows what the download will hold.
pub fn preview(table: &Table, rows: usize) -> Preview {
    Preview {
        header: table.columns.iter().map(|c| c.name.clone()).collect(),
        rows: shared::export::text_rows(table, 0..rows),
    }
}

/// The generation a request asks for: the given spec (compiled here again), or the
/// template's from the SafeProfile.
pub fn synthesis(loaded: &Loaded, req: &GenerateRequest) -> Result<Synthesis, String> {
    let safe = req.released.as_deref().unwrap_or(&loaded.real.safe);
    let spec = match &req.spec {
        Some(spec) => {
            let mut spec = spec.clone();
            shared::template::write_as_source(&mut spec, safe);
            spec
        }
        None => pipeline::template_spec(safe, req.strictness),
    };
    Synthesis::new(spec, req.rows, req.seed).map_err(|e| e.to_string())
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
    synthesis: Synthesis,
    format: OutputFormat,
    options: ExportOptions,
    ranges: std::vec::IntoIter<std::ops::Range<u64>>,
    /// `None` once finished.
    exporter: Option<Exporter<Sink>>,
    sink: Sink,
    done: u64,
    /// The first chunk, kept to be scored: it holds the prefix scoring reads.
    first: Option<Table>,
}

impl Generation {
    /// Starts a generation (the header is written now).
    pub fn new(synthesis: Synthesis, format: OutputFormat, plain: bool) -> Result<Self, String> {
        let options = synthesis.export_options(&shared::export::WriteChoice {
            plain,
            ..Default::default()
        });
        let sink = Sink::default();
        let exporter = synthesis
            .exporter(format, options.clone(), sink.clone())
            .map_err(|e| e.to_string())?;
        let ranges: Vec<_> = synthesis.ranges().collect();
        Ok(Generation {
            synthesis,
            format,
            options,
            ranges: ranges.into_iter(),
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
        self.synthesis.rows()
    }

    /// Makes and writes the next chunk; returns the bytes written since the last call
    /// (empty for formats that write at the end).
    pub fn step(&mut self) -> Result<Vec<u8>, String> {
        let Some(range) = self.ranges.next() else {
            return Ok(self.sink.take());
        };
        let chunk = self.render(range)?;
        self.write(chunk)
    }

    /// The row ranges still to make, in order (the first holds the scored rows).
    pub fn take_ranges(&mut self) -> Vec<std::ops::Range<u64>> {
        self.ranges.by_ref().collect()
    }

    /// Makes a range: rendered text, or a table for the formats encoded whole. The
    /// first range's rows are kept beside its text, to be scored.
    pub fn render(&self, range: std::ops::Range<u64>) -> Result<Chunk, String> {
        if range.start == 0 {
            self.synthesis
                .render_kept(range, self.format, &self.options)
        } else {
            self.synthesis.render(range, self.format, &self.options)
        }
        .map_err(|e| e.to_string())
    }

    /// Writes the next range's chunk (ranges in order); returns the bytes written
    /// since the last call.
    pub fn write(&mut self, chunk: Chunk) -> Result<Vec<u8>, String> {
        let exporter = self
            .exporter
            .as_mut()
            .ok_or("the file is already finished")?;
        let first = self.done == 0;
        let rows = chunk.write_to(exporter).map_err(|e| e.to_string())?;
        self.done += rows;
        if first {
            self.first = chunk.into_table();
        }
        Ok(self.sink.take())
    }

    /// What a helper needs to render this output's ranges (`task` is numbered by the
    /// pool); `None` for XLSX and Parquet, which the writer encodes whole.
    pub fn render_task(&self, plain: bool) -> Option<RenderTask> {
        matches!(
            self.format,
            OutputFormat::Csv | OutputFormat::Tsv | OutputFormat::Json | OutputFormat::Ndjson
        )
        .then(|| RenderTask {
            task: 0,
            spec: self.synthesis.spec().clone(),
            rows: Some(self.synthesis.rows()),
            seed: self.synthesis.seed(),
            format: self.format,
            plain,
        })
    }

    /// A helper's generation: the worker's, rebuilt from its task.
    pub fn for_helper(task: RenderTask) -> Result<Self, String> {
        let synthesis =
            Synthesis::new(task.spec, task.rows, task.seed).map_err(|e| e.to_string())?;
        Generation::new(synthesis, task.format, task.plain)
    }

    /// A helper's range, rendered as the worker would render it.
    pub fn render_bytes(&self, range: std::ops::Range<u64>) -> Result<Vec<u8>, String> {
        match self.render(range)? {
            Chunk::Rendered { bytes, .. } => Ok(bytes),
            Chunk::Table(_) => Err("a helper renders text formats only".into()),
        }
    }

    /// A range a helper rendered, as a chunk to write.
    pub fn rendered(bytes: Vec<u8>, range: std::ops::Range<u64>) -> Chunk {
        Chunk::Rendered {
            bytes,
            rows: range.end - range.start,
            table: None,
        }
    }

    /// Whether every row is made.
    pub fn is_done(&self) -> bool {
        self.done >= self.synthesis.rows()
    }

    /// Ends the file; returns the last bytes.
    pub fn finish(&mut self) -> Result<Vec<u8>, String> {
        if let Some(exporter) = self.exporter.take() {
            exporter.finish().map_err(|e| e.to_string())?;
        }
        Ok(self.sink.take())
    }

    /// The first rows of the output: the part that is scored.
    fn scored_prefix(&self) -> Table {
        match &self.first {
            Some(first) => shared::evaluate::scored_prefix(first),
            None => self.synthesis.make(0..0),
        }
    }

    /// The result shown beside the download, before scoring.
    pub fn result(&self, req: &GenerateRequest, name: &str, bytes: u64) -> Generated {
        let scored = self.scored_prefix();
        Generated {
            rows: self.synthesis.rows(),
            file_name: shared::export::output_name(name, self.format),
            bytes,
            spec: self.synthesis.spec().clone(),
            scored_rows: scored.total_rows,
            strictness: req.strictness,
            seed: self.synthesis.seed(),
            spec_source: req.spec_source,
            warnings: self.synthesis.warnings().to_vec(),
            preview: preview(&scored, PREVIEW_ROWS),
            millis: 0.0,
            workers: 1,
            saved_to: None,
            streamed: false,
        }
    }

    /// Scores the first rows of the output against the real rows (the pipeline's
    /// scoring, the figures `byod evaluate` gives for the pair) and draws the charts;
    /// `None` for no rows.
    pub fn score(&self, loaded: &Loaded) -> Option<Scored> {
        let scored = self.scored_prefix();
        (scored.total_rows > 0).then(|| {
            self::scored(pipeline::score(
                &loaded.real,
                &scored,
                self.synthesis.seed(),
                Scoring::Full,
            ))
        })
    }

    /// [`Generation::score`]'s report, its distance-to-closest-record work handed to
    /// `hand_off` (the worker's helpers measure it while this computes the rest);
    /// `None` for no rows.
    pub fn score_apart(&self, loaded: &Loaded, hand_off: impl FnOnce(DcrWork)) -> Option<Report> {
        let scored = self.scored_prefix();
        (scored.total_rows > 0)
            .then(|| pipeline::score_apart(&loaded.real, &scored, self.synthesis.seed(), hand_off))
    }
}

/// A report with its charts drawn.
pub fn scored(report: Report) -> Scored {
    let charts = report
        .columns
        .iter()
        .filter_map(crate::report::svg::column_chart)
        .collect();
    let heatmaps = crate::report::heatmap_matrices(&report)
        .as_ref()
        .map(|m| {
            vec![
                crate::report::svg::heatmap(m, "real"),
                crate::report::svg::heatmap(m, "synthetic"),
            ]
        })
        .unwrap_or_default();
    Scored {
        report,
        charts,
        heatmaps,
        millis: 0.0,
        workers: 1,
    }
}

/// Starts the generation a request asks for.
pub fn start(loaded: &Loaded, req: &GenerateRequest) -> Result<Generation, String> {
    Generation::new(synthesis(loaded, req)?, req.format, req.plain)
}

/// The report as JSON and as a self-contained HTML file (`source` is the input file's
/// name).
pub fn report_files(result: &Generated, scored: &Scored, source: &str) -> (String, String) {
    let json = serde_json::to_string_pretty(&scored.report).unwrap_or_default();
    let spec = serde_json::to_string_pretty(&result.spec).unwrap_or_default();
    let spec_source = result.spec_source.to_string();
    let about = crate::report::html::About {
        file: source,
        output: &result.file_name,
        strictness: result.strictness.get(),
        seed: result.seed,
        spec_source: &spec_source,
        spec: &spec,
    };
    (json, crate::report::html::document(&scored.report, &about))
}

/// The seed demo files are made with: the same demo is the same file every time.
pub const DEMO_SEED: u64 = 1;

/// A demo file: the spec's default rows of made-up data, as CSV.
pub fn demo(spec_json: &str) -> Result<Vec<u8>, String> {
    let spec = shared::spec::Spec::from_json(spec_json).map_err(|e| e.to_string())?;
    let synthesis = Synthesis::new(spec, None, DEMO_SEED).map_err(|e| e.to_string())?;
    let table = synthesis.make(0..synthesis.rows());
    shared::export::to_bytes(&table, OutputFormat::Csv, &ExportOptions::default())
        .map_err(|e| e.to_string())
}

/// The batch ZIP, made a piece at a time: the outputs under their names, then
/// `manifest.json`. What is written so far is taken after each piece, so neither an
/// output nor the ZIP is ever held whole.
#[derive(Debug)]
pub struct Bundle {
    zip: shared::export::ZipStream<Written>,
    written: Written,
}

/// The ZIP's bytes not taken yet (shared with the writer, which the compressor holds
/// while an entry is open).
#[derive(Debug, Clone, Default)]
pub struct Written(Rc<RefCell<Vec<u8>>>);

impl Write for Written {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Default for Bundle {
    fn default() -> Self {
        Self::new()
    }
}

impl Bundle {
    pub fn new() -> Self {
        let written = Written::default();
        Bundle {
            zip: shared::export::ZipStream::new(written.clone()),
            written,
        }
    }

    /// Starts an output of `bytes` bytes.
    pub fn start(&mut self, name: &str, bytes: u64) -> Result<(), String> {
        self.zip
            .start(name, bytes)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// Appends a piece of the output started last.
    pub fn write(&mut self, piece: &[u8]) -> Result<(), String> {
        self.zip.write(piece).map_err(|e| e.to_string())
    }

    /// The ZIP's bytes written since the last take.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.written.0.borrow_mut())
    }

    /// Adds the manifest and ends the ZIP: its last bytes.
    pub fn finish(mut self, manifest: &str) -> Result<Vec<u8>, String> {
        self.start("manifest.json", manifest.len() as u64)?;
        self.write(manifest.as_bytes())?;
        let written = self.written.clone();
        self.zip.finish().map_err(|e| e.to_string())?;
        Ok(std::mem::take(&mut written.0.borrow_mut()))
    }
}

/// The content type of an output format, for the download's Blob.
pub fn content_type(format: OutputFormat) -> &'static str {
    format.content_type()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::SafeProfile;
    use shared::contract::{Provenance, SpecSource};
    use shared::pipeline::CHUNK_ROWS;

    /// penguins.csv read by the full worker's reader.
    fn penguins_loaded() -> Loaded {
        inspect(
            &penguins(),
            "penguins.csv",
            None,
            None,
            pipeline::inspect_source,
        )
        .unwrap()
        .0
    }

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
            strictness: shared::Strictness::DEFAULT,
            seed: 9,
            format: OutputFormat::from_extension(format).unwrap(),
            spec: None,
            spec_source: Provenance::new(SpecSource::Template),
            plain: false,
            released: None,
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
        let (loaded, info) = inspect(
            &penguins(),
            "penguins.csv",
            None,
            None,
            pipeline::inspect_source,
        )
        .unwrap();
        assert_eq!((info.format.extension(), info.total_rows), ("csv", 344));
        assert_eq!(info.columns.len(), 8);
        assert_eq!(info.columns[0].kind, shared::ColumnKind::Categorical);
        assert_eq!(info.preview.header[0], "species");
        assert_eq!(info.preview.rows.len(), PREVIEW_ROWS);
        // Cells as the export writes them; the fourth penguin's measurements are missing.
        assert_eq!(info.preview.rows[0][..3], ["Adelie", "Torgersen", "39.1"]);
        assert_eq!(info.preview.rows[3][2], "");
        let sent: SafeProfile = serde_json::from_str(&info.safe_profile).unwrap();
        assert_eq!(sent, loaded.real.safe);
    }

    /// The page's first worker reads text files as the full one does, and hands a
    /// binary file on instead of failing it.
    #[test]
    fn the_text_reader_reads_text_and_declines_binary_files() {
        let (full, full_info) = inspect(
            &penguins(),
            "penguins.csv",
            None,
            Some(7),
            pipeline::inspect_source,
        )
        .unwrap();
        let (text, text_info) = inspect(
            &penguins(),
            "penguins.csv",
            None,
            Some(7),
            pipeline::inspect_text_source,
        )
        .unwrap();
        assert_eq!(text.real.safe, full.real.safe);
        assert_eq!(text_info.preview, full_info.preview);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets");
        for name in ["penguins.parquet", "penguins.xlsx", "penguins.xls"] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            let Err(e) = inspect(
                &bytes.as_slice(),
                name,
                None,
                None,
                pipeline::inspect_text_source,
            ) else {
                panic!("{name} read by the text reader");
            };
            assert!(pipeline::needs_every_reader(&e), "{name}: {e}");
            assert!(
                inspect(
                    &bytes.as_slice(),
                    name,
                    None,
                    None,
                    pipeline::inspect_source
                )
                .is_ok()
            );
        }
        let Err(e) = inspect(
            &&b"a,b\n1"[..],
            "x.csv",
            Some("S".into()),
            None,
            pipeline::inspect_text_source,
        )
        .and(inspect(
            &&b""[..],
            "x.csv",
            None,
            None,
            pipeline::inspect_text_source,
        )) else {
            panic!("an empty file read");
        };
        assert!(!pipeline::needs_every_reader(&e), "{e}");
    }

    /// What the pool does: helpers rebuilt from the worker's task render ranges, the
    /// worker writes them in order; the bytes are one worker's.
    #[test]
    fn ranges_rendered_by_helpers_write_the_single_workers_bytes() {
        let loaded = penguins_loaded();
        let rows = shared::evaluate::SCORED_ROWS + CHUNK_ROWS * 3 + 5;
        for (format, plain) in [
            ("csv", false),
            ("csv", true),
            ("tsv", false),
            ("json", false),
            ("ndjson", false),
        ] {
            let mut req = request(Some(rows), format);
            req.plain = plain;
            let mut alone = start(&loaded, &req).unwrap();
            let expected = run(&mut alone);
            let mut worker = start(&loaded, &req).unwrap();
            let helper =
                Generation::for_helper(worker.render_task(plain).expect("a text format")).unwrap();
            let ranges = worker.take_ranges();
            let mut out = Vec::new();
            for (i, range) in ranges.into_iter().enumerate() {
                let chunk = if i % 2 == 1 {
                    Generation::rendered(helper.render_bytes(range.clone()).unwrap(), range)
                } else {
                    worker.render(range).unwrap()
                };
                out.extend(worker.write(chunk).unwrap());
            }
            out.extend(worker.finish().unwrap());
            let at = out.iter().zip(&expected).position(|(a, b)| a != b);
            assert!(
                out == expected,
                "{format} (plain {plain}) differs at byte {at:?} of {}",
                expected.len()
            );
        }
        assert!(
            start(&loaded, &request(Some(10), "parquet"))
                .unwrap()
                .render_task(false)
                .is_none()
        );
    }

    #[test]
    fn chunked_output_equals_the_whole_table_exported_at_once() {
        let loaded = penguins_loaded();
        // More rows than the first (scored) chunk and two more, so the chunk seams are
        // inside the file.
        let rows = shared::evaluate::SCORED_ROWS + CHUNK_ROWS * 2 + 17;
        for format in ["csv", "ndjson", "json"] {
            let mut g = start(&loaded, &request(Some(rows), format)).unwrap();
            let chunked = run(&mut g);
            let whole = synthesis(&loaded, &request(Some(rows), format))
                .unwrap()
                .make(0..rows);
            let f = OutputFormat::from_extension(format).unwrap();
            let expected = shared::export::to_bytes(&whole, f, &ExportOptions::default()).unwrap();
            assert!(chunked == expected, "{format} differs");
        }
    }

    #[test]
    fn a_result_scores_a_prefix_and_names_the_download() {
        let loaded = penguins_loaded();
        let req = request(None, "parquet");
        let mut g = start(&loaded, &req).unwrap();
        let bytes = run(&mut g);
        assert_eq!(&bytes[..4], b"PAR1");
        let r = g.result(&req, "penguins.csv", bytes.len() as u64);
        assert_eq!((r.rows, r.scored_rows), (344, 344));
        assert_eq!(r.file_name, "synthetic_penguins.parquet");
        let scored = g.score(&loaded).unwrap();
        let report = scored.report.clone();
        let fidelity = report.fidelity.overall.unwrap();
        assert!(fidelity > 0.8, "{fidelity}");
        // Everything the page draws is there: a plot per column, both matrices, DCR,
        // the real side from what the SafeProfile releases.
        assert!(report.columns.iter().all(|c| c.plot.is_some()));
        assert_eq!(report.real_side, "released");
        assert_eq!((scored.charts.len(), scored.heatmaps.len()), (8, 2));
        let (json, html) = report_files(&r, &scored, "penguins.csv");
        assert_eq!(serde_json::from_str::<Report>(&json).unwrap(), report);
        assert!(html.contains("Synthetic data report: penguins.csv"));
        assert_eq!(report.correlation.unwrap().columns.len(), 8);
        assert!(report.privacy.dcr_baseline_protection.is_some());
        // The spec shown is the one used.
        assert_eq!(r.spec.columns.len(), 8);
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
        let mut bundle = Bundle::new();
        bundle.start("a.csv", a.len() as u64).unwrap();
        let mut zip = Vec::new();
        for piece in a.chunks(1000) {
            bundle.write(piece).unwrap();
            zip.append(&mut bundle.take());
        }
        zip.append(&mut bundle.finish("{\"files\": []}").unwrap());
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
        let (loaded, _) = inspect(
            &csv.as_bytes(),
            "wide.csv",
            None,
            None,
            pipeline::inspect_source,
        )
        .unwrap();
        let mut g = start(&loaded, &request(Some(50), "csv")).unwrap();
        run(&mut g);
        let scored = g.score(&loaded).unwrap();
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

    /// A request carries parsed values: a bad format, strictness or spec is refused
    /// where the message is read, with a message, and never reaches a step.
    #[test]
    fn bad_requests_and_files_get_messages_not_panics() {
        let loaded = penguins_loaded();
        let good =
            serde_json::to_value(crate::protocol::Request::Generate(request(Some(5), "csv")))
                .unwrap();
        let refused = |field: &str, value: serde_json::Value| {
            let mut bad = good.clone();
            bad[field] = value;
            serde_json::from_value::<crate::protocol::Request>(bad)
                .unwrap_err()
                .to_string()
        };
        assert!(refused("format", "docx".into()).contains("docx"));
        assert!(refused("strictness", 1.5.into()).contains("strictness 1.5 is outside 0..1"));
        assert!(!refused("spec", serde_json::json!({"columns": 3})).is_empty());
        let mut req = request(Some(5), "csv");
        req.spec = Some(synthesis(&loaded, &req).unwrap().spec().clone());
        req.spec.as_mut().unwrap().columns.clear();
        assert!(start(&loaded, &req).unwrap_err().contains("column"));
        let err = inspect(
            &&b"PAR1\x00\x01garbage"[..],
            "x.parquet",
            None,
            None,
            pipeline::inspect_source,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("x.parquet"), "{err}");
    }
}
