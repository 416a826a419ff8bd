//! The messages between the page and its worker.
//!
//! Each message is a two-element JS array: the JSON of a [`Request`] or [`Event`], and an
//! attachment beside it (the user's `File` for a request, the output `Blob` for
//! [`Event::Generated`]), since Files and Blobs cross to and from a worker by reference
//! and never need copying. What the page learns about a file is exactly what these types
//! carry: summaries, the SafeProfile, previews and figures, never the table.

use serde::{Deserialize, Serialize};
use shared::contract::{ColumnSummary, Provenance, Strictness, Withheld};
use shared::export::OutputFormat;
use shared::spec::Spec;

/// The page's handle on one dropped file.
pub type FileId = u32;

/// UI thread → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Read, profile and guard a file (its `File` is the attachment).
    Inspect {
        /// The file.
        id: FileId,
        /// The sheet to read (Excel); `None` = the first non-empty one.
        sheet: Option<String>,
        /// The guard's seed, to repeat `byod profile --guard-seed` (the page's
        /// `?guard_seed=` parameter); `None` = fresh, the pipeline's policy.
        #[serde(default)]
        guard_seed: Option<u64>,
    },
    /// Generate synthetic rows (the `File` is the attachment, in case the worker was
    /// restarted and must read it again).
    Generate(GenerateRequest),
    /// Stop a generation; the worker answers [`Event::Cancelled`].
    Cancel {
        /// The file.
        id: FileId,
    },
    /// Drop what the worker keeps for a file (it was removed from the page).
    Forget {
        /// The file.
        id: FileId,
    },
    /// Make a demo file from a spec (made-up rows, our own engine), then read it as if
    /// it had been dropped: the worker answers [`Event::DemoMade`], then
    /// [`Event::Inspected`].
    Demo {
        /// The handle the page gave the new file.
        id: FileId,
        /// The file name to give it (`medical_records.csv`).
        name: String,
        /// The spec (JSON).
        spec: String,
    },
    /// Zip finished outputs with a manifest (the attachment is a JS array of their
    /// Blobs, in the order of `names`); the worker answers [`Event::Bundled`].
    Bundle {
        /// The names of the outputs inside the ZIP, in attachment order.
        names: Vec<String>,
        /// `manifest.json`, written by the page.
        manifest: String,
    },
    /// Worker to helper (never sent by the page): the output a generation makes, so
    /// the helper can render its row ranges (see `worker::pool`).
    RenderTask(Box<RenderTask>),
    /// Worker to helper: render range `index` of task `task`; the helper answers
    /// [`Event::Rendered`] or [`Event::HelpFailed`].
    RenderRange {
        /// The task.
        task: u64,
        /// The range's place in the output.
        index: usize,
        /// First row.
        start: u64,
        /// Row after the last.
        end: u64,
    },
    /// Worker to helper: measure distances to closest record for synthetic rows
    /// `start..end` of a scoring's sampled rows (the attachment: its
    /// `shared::evaluate::DcrWork` as postcard bytes); the helper answers
    /// [`Event::Measured`] or [`Event::HelpFailed`].
    Measure {
        /// The task.
        task: u64,
        /// The share's place among the task's shares.
        index: usize,
        /// First synthetic row.
        start: usize,
        /// Row after the last.
        end: usize,
    },
}

/// What a helper needs to render row ranges exactly as the worker would.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderTask {
    /// Tells this task's ranges from a cancelled one's.
    pub task: u64,
    /// The spec as the worker resolved it (template or given, written as the source).
    pub spec: Spec,
    /// Rows in the whole output.
    pub rows: Option<u64>,
    /// The seed.
    pub seed: u64,
    /// Output format (a text format: the others are encoded whole by the worker).
    pub format: OutputFormat,
    /// Plain values instead of the source's way of writing.
    pub plain: bool,
}

/// The handle of the batch ZIP in events (never a file's).
pub const BATCH: FileId = 0;

/// What to generate for one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateRequest {
    /// The file.
    pub id: FileId,
    /// The sheet the file was inspected with.
    pub sheet: Option<String>,
    /// Rows to make; `None` = as many as the original has.
    pub rows: Option<u64>,
    /// Match strictness.
    pub strictness: Strictness,
    /// The seed: the same seed and settings give the same bytes.
    pub seed: u64,
    /// Output format.
    pub format: OutputFormat,
    /// A spec from the relay or the cache (checked by the page); `None` = build it in
    /// the worker with the template.
    pub spec: Option<Spec>,
    /// Who wrote `spec`, shown beside the result.
    pub spec_source: Provenance,
    /// Standard CSV/TSV with plain values instead of the source's way of writing.
    #[serde(default)]
    pub plain: bool,
    /// The SafeProfile the page shows for the file. The template and the source's way
    /// of writing come from it: when the reader read the file first, the full worker
    /// reads it again with a guard of its own, and makes what the page showed.
    #[serde(default)]
    pub released: Option<Box<shared::SafeProfile>>,
}

/// Worker → UI thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The worker has started and takes requests.
    Ready,
    /// The reader declined a file that only the full worker reads (Parquet, a
    /// workbook): the page sends the request there.
    NeedsFullWorker {
        /// The file.
        id: FileId,
    },
    /// Work in progress.
    Progress {
        /// The file.
        id: FileId,
        /// What is happening ("generating", "scoring").
        stage: String,
        /// Units done of `total` (rows when generating).
        done: u64,
        /// Units in all (0 when unknown).
        total: u64,
        /// Reading: rows read so far in this pass (0 until the reader says).
        #[serde(default)]
        rows: u64,
    },
    /// A file was read, profiled and guarded.
    Inspected {
        /// The file.
        id: FileId,
        /// What the page may show of it.
        info: Box<FileInfo>,
    },
    /// A synthetic file is ready (the attachment is its `Blob`); it is being scored, and
    /// [`Event::Scored`] follows.
    Generated {
        /// The file.
        id: FileId,
        /// Figures and a preview.
        result: Box<Generated>,
    },
    /// The report of a generation (`None` for an empty output). The attachment is a JS
    /// array of the report as JSON and as HTML.
    Scored {
        /// The file.
        id: FileId,
        /// The report and its drawings.
        scored: Option<Box<Scored>>,
    },
    /// A request failed; the message is for the user.
    Failed {
        /// The file.
        id: FileId,
        /// What failed, and what to do.
        message: String,
    },
    /// A generation was stopped by the user.
    Cancelled {
        /// The file.
        id: FileId,
    },
    /// A demo file was made (its `File` is the attachment); its `Inspected` follows.
    DemoMade {
        /// The file.
        id: FileId,
    },
    /// The batch ZIP is ready (its `Blob` is the attachment).
    Bundled {
        /// Bytes in the ZIP.
        bytes: u64,
        /// The ZIP was written as it was made (to the file picked, or streamed to the
        /// downloads): the page does not save it again.
        #[serde(default)]
        as_made: bool,
    },
    /// Helper to worker: range `index` of task `task` rendered (its bytes are the
    /// attachment, an `ArrayBuffer`).
    Rendered {
        /// The task.
        task: u64,
        /// The range's place in the output.
        index: usize,
    },
    /// Helper to worker: share `index` of task `task` measured (its
    /// `shared::evaluate::DcrDistances`, as postcard bytes, are the attachment).
    Measured {
        /// The task.
        task: u64,
        /// The share's place among the task's shares.
        index: usize,
    },
    /// Helper to worker: a range could not be rendered, or a share measured (the worker
    /// does it itself).
    HelpFailed {
        /// The task.
        task: u64,
        /// The range's place in the output.
        index: usize,
        /// Why.
        message: String,
    },
    /// The worker panicked (it is gone; the page starts a new one).
    Crashed {
        /// The panic message.
        message: String,
    },
}

impl Event {
    /// The file an event is about (`None` for the worker's own events).
    pub fn file(&self) -> Option<FileId> {
        match self {
            Event::Ready
            | Event::Crashed { .. }
            | Event::Rendered { .. }
            | Event::Measured { .. }
            | Event::HelpFailed { .. } => None,
            Event::Bundled { .. } => Some(BATCH),
            Event::Progress { id, .. }
            | Event::NeedsFullWorker { id }
            | Event::DemoMade { id }
            | Event::Inspected { id, .. }
            | Event::Generated { id, .. }
            | Event::Scored { id, .. }
            | Event::Failed { id, .. }
            | Event::Cancelled { id } => Some(*id),
        }
    }

    /// Whether the event ends the request in flight for its file.
    pub fn ends_request(&self) -> bool {
        matches!(
            self,
            Event::Inspected { .. }
                | Event::Scored { .. }
                | Event::Bundled { .. }
                | Event::Failed { .. }
                | Event::Cancelled { .. }
        )
    }
}

/// One file as the page shows it: the local profile summary (stays in the page), the
/// SafeProfile (what would leave) and what the guard withheld.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    /// Detected format.
    pub format: shared::FileFormat,
    /// The sheet read (Excel).
    pub sheet: Option<String>,
    /// Every sheet of the workbook (Excel; empty otherwise).
    pub sheets: Vec<String>,
    /// Rows in the file.
    pub total_rows: u64,
    /// Rows profiled (a spread sample of big files).
    pub sampled_rows: u64,
    /// What the reader fixed or noticed.
    pub warnings: Vec<String>,
    /// Per-column summary.
    pub columns: Vec<ColumnSummary>,
    /// The first rows of the file.
    pub preview: Preview,
    /// The SafeProfile as pretty JSON: byte for byte what LLM mode sends.
    pub safe_profile: String,
    /// What the guard kept back, and why.
    pub withheld: Vec<Withheld>,
    /// Time to read, profile and guard, in milliseconds.
    pub millis: f64,
    /// Bytes of the worker's wasm memory once read (it only grows, so this is the peak
    /// so far): what reading this file took at most, shown beside the time.
    #[serde(default)]
    pub worker_memory: u64,
}

/// Rows shown as text, the way the output file writes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells (an empty cell is a missing value).
    pub rows: Vec<Vec<String>>,
}

/// A finished generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generated {
    /// Rows made.
    pub rows: u64,
    /// Suggested download name (`penguins_synthetic.csv`).
    pub file_name: String,
    /// Size of the output in bytes.
    pub bytes: u64,
    /// The spec the rows were made from, to show and to cache.
    pub spec: Spec,
    /// Rows of the output that were scored.
    pub scored_rows: u64,
    /// The strictness asked for, shown as the setting beside the fidelity measured.
    pub strictness: Strictness,
    /// The seed used.
    pub seed: u64,
    /// Who wrote the spec.
    pub spec_source: Provenance,
    /// Notes from compiling the spec.
    pub warnings: Vec<String>,
    /// The first synthetic rows.
    pub preview: Preview,
    /// Generation and export time, in milliseconds (scoring excluded).
    pub millis: f64,
    /// Workers that made ranges of it: the worker and its helpers (see
    /// `worker::pool`).
    #[serde(default)]
    pub workers: usize,
    /// The name of the file the output was written to as it was made (`None`: held
    /// for a download link).
    #[serde(default)]
    pub saved_to: Option<String>,
    /// The output was streamed to the browser's downloads as it was made (where the
    /// browser has no save picker): the page holds no copy of it.
    #[serde(default)]
    pub streamed: bool,
}

/// The report of a generation, which follows its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// Fidelity and privacy of (a prefix of) the output against the file: the same
    /// figures `byod evaluate` gives for the pair.
    pub report: shared::Report,
    /// The per-column charts (SVG), drawn in the worker so the UI thread only inserts
    /// them.
    pub charts: Vec<String>,
    /// The association heatmaps (SVG), real then synthetic; none without a matrix.
    pub heatmaps: Vec<String>,
    /// Time to score and draw, in milliseconds.
    pub millis: f64,
    /// Workers that scored it: the worker, and helpers that measured distances to
    /// closest record beside it (see `worker::pool`).
    #[serde(default)]
    pub workers: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_tagged_json() {
        let r = Request::Generate(GenerateRequest {
            id: 3,
            sheet: None,
            rows: Some(10),
            strictness: Strictness::DEFAULT,
            seed: 7,
            format: OutputFormat::Csv,
            spec: None,
            spec_source: Provenance::new(shared::contract::SpecSource::Template),
            plain: true,
            released: None,
        });
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.starts_with(r#"{"type":"generate","id":3"#), "{json}");
        assert_eq!(serde_json::from_str::<Request>(&json).unwrap(), r);
        let e = Event::Cancelled { id: 3 };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"type":"cancelled","id":3}"#);
        assert_eq!((e.file(), e.ends_request()), (Some(3), true));
        let progress = Event::Progress {
            id: 4,
            stage: "generating".into(),
            done: 1,
            total: 2,
            rows: 0,
        };
        assert_eq!((progress.file(), progress.ends_request()), (Some(4), false));
        assert_eq!(Event::Ready.file(), None);
    }
}
