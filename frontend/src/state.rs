//! The page's state: one [`Card`] per dropped file, the defaults new files start from,
//! and what the relay said. Everything is a signal, so components read what they show
//! and nothing else re-renders.

use crate::protocol::{FileId, FileInfo, GenerateRequest, Generated, Scored};
use crate::services::cache;
use leptos::prelude::*;
use std::sync::Arc;

/// The output formats offered, by extension, with their labels.
pub const FORMATS: [(&str, &str); 6] = [
    ("csv", "CSV"),
    ("tsv", "TSV"),
    ("json", "JSON"),
    ("ndjson", "NDJSON"),
    ("xlsx", "Excel (.xlsx)"),
    ("parquet", "Parquet"),
];

/// Who writes the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Built here from the SafeProfile; nothing leaves the page.
    Template,
    /// Written by Azure OpenAI through the relay, from the SafeProfile only.
    Llm,
}

/// Generation settings (per file, and the defaults for all).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Rows to make, as typed; empty = as many as the original.
    pub rows: RwSignal<String>,
    /// Match strictness in percent, 0..=100.
    pub strictness: RwSignal<u32>,
    /// Output format extension.
    pub format: RwSignal<String>,
    /// The seed.
    pub seed: RwSignal<u64>,
    /// Why the seed field's text is no seed, while it is not (the last good seed stays
    /// in `seed`, but Generate waits for the field to be fixed).
    pub seed_error: RwSignal<Option<String>>,
    /// Template or LLM.
    pub mode: RwSignal<Mode>,
    /// Look specs up in (and add them to) the spec cache.
    pub use_cache: RwSignal<bool>,
    /// Write values and the CSV dialect as the source did (`$1,234.56`, `;`, `Ja`);
    /// off: standard CSV with plain values.
    pub as_source: RwSignal<bool>,
    /// Where the output goes: a download link when done, or a file written as the rows
    /// are made.
    pub output_to: RwSignal<OutputTo>,
}

/// Where a generated file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputTo {
    /// A file written as the rows are made when the output is estimated over
    /// [`OutputTo::FILE_OVER_BYTES`], else a download link.
    Auto,
    /// A download link once made (the output is held in memory until then).
    Link,
    /// A file the user picks, written as the rows are made (memory stays flat).
    File,
}

impl OutputTo {
    /// The estimated output size from which `Auto` writes to a file.
    pub const FILE_OVER_BYTES: u64 = 256 << 20;

    /// The setting's value in the form.
    pub fn key(self) -> &'static str {
        match self {
            OutputTo::Auto => "auto",
            OutputTo::Link => "link",
            OutputTo::File => "file",
        }
    }

    /// The setting of a form value.
    pub fn from_key(key: &str) -> OutputTo {
        match key {
            "link" => OutputTo::Link,
            "file" => OutputTo::File,
            _ => OutputTo::Auto,
        }
    }

    /// Whether an output of `rows` rows, about `estimated` bytes, goes to a file.
    pub fn to_file(self, rows: u64, estimated: u64) -> bool {
        match self {
            OutputTo::Auto => estimated > Self::FILE_OVER_BYTES || rows > MAX_ROWS,
            OutputTo::Link => false,
            OutputTo::File => true,
        }
    }
}

/// An output's size, estimated from the source's bytes per row.
pub fn estimated_bytes(rows: u64, source_bytes: u64, source_rows: u64) -> u64 {
    let per_row = source_bytes as f64 / source_rows.max(1) as f64;
    (rows as f64 * per_row) as u64
}

impl Settings {
    /// Default settings: as many rows as the original, 80 %, CSV, a fresh seed, template.
    pub fn new() -> Self {
        Settings {
            rows: RwSignal::new(String::new()),
            strictness: RwSignal::new(80),
            format: RwSignal::new("csv".into()),
            seed: RwSignal::new(random_seed()),
            seed_error: RwSignal::new(None),
            mode: RwSignal::new(Mode::Template),
            use_cache: RwSignal::new(true),
            as_source: RwSignal::new(true),
            output_to: RwSignal::new(OutputTo::Auto),
        }
    }

    /// A copy with its own signals.
    pub fn fork(&self) -> Self {
        let s = Settings::new();
        s.copy_from(self);
        s
    }

    /// Takes every value of `other`.
    pub fn copy_from(&self, other: &Settings) {
        self.rows.set(other.rows.get_untracked());
        self.strictness.set(other.strictness.get_untracked());
        self.format.set(other.format.get_untracked());
        self.seed.set(other.seed.get_untracked());
        self.seed_error.set(other.seed_error.get_untracked());
        self.mode.set(other.mode.get_untracked());
        self.use_cache.set(other.use_cache.get_untracked());
        self.as_source.set(other.as_source.get_untracked());
        self.output_to.set(other.output_to.get_untracked());
    }

    /// The row count asked for: `Ok(None)` = as many as the original.
    pub fn rows_wanted(&self) -> Result<Option<u64>, String> {
        let limit = row_limit(&self.format.get_untracked(), self.output_to.get_untracked());
        parse_rows(&self.rows.get_untracked(), limit)
    }

    /// Why the row count field's text is no row count (tracked, for the field).
    pub fn rows_error(&self) -> Option<String> {
        let limit = row_limit(&self.format.get(), self.output_to.get());
        parse_rows(&self.rows.get(), limit).err()
    }

    /// A field that blocks Generate until it is fixed (tracked).
    pub fn problem(&self) -> Option<String> {
        self.rows_error().or_else(|| self.seed_error.get())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::new()
    }
}

/// Rows as typed: empty = `None`; digits with optional `_`, `,` or spaces.
pub fn parse_rows(text: &str, limit: u64) -> Result<Option<u64>, String> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, '_' | ',' | ' '))
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    match digits.parse::<u64>() {
        Ok(0) => Err("the number of rows must be at least 1".into()),
        Ok(n) if n > limit && limit == MAX_ROWS => Err(format!(
            "{n} rows is over this page's limit of {MAX_ROWS} for a download link (held in memory until done); a file written as it is made takes more (CSV, TSV, JSON, NDJSON in Chrome or Edge), or use the command line"
        )),
        Ok(n) if n > limit => Err(format!(
            "{n} rows is over this page's limit of {limit}; use the command line for more"
        )),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(format!("{text:?} is not a number of rows")),
    }
}

/// The most rows the page holds for a download link (the output sits in memory until
/// it is done; the command line has no such limit).
pub const MAX_ROWS: u64 = 10_000_000;

/// The most rows the page writes to a file as it makes them (memory stays flat).
pub const MAX_ROWS_TO_FILE: u64 = 10_000_000_000;

/// The row limit for an output of this format going where `to` says: a text format may
/// go to a file written as it is made where the browser can (see
/// [`OutputTo::to_file`], which picks the file above [`MAX_ROWS`]).
pub fn row_limit(format: &str, to: OutputTo) -> u64 {
    let text = matches!(format, "csv" | "tsv" | "json" | "ndjson");
    if text && to != OutputTo::Link && crate::services::disk::available() {
        MAX_ROWS_TO_FILE
    } else {
        MAX_ROWS
    }
}

/// A seed from the browser's random source (not the generator's: seeds only need to
/// differ between clicks).
pub fn random_seed() -> u64 {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    u32::from_le_bytes(bytes) as u64
}

/// Where a file is in its life. Each state holds what exists in it, so a card cannot be
/// "reviewing" without a spec or "ready" without a profile.
#[derive(Debug, Clone, PartialEq)]
pub enum Life {
    /// Being read, profiled and guarded.
    Reading,
    /// The file could not be read: why.
    Unreadable(String),
    /// Read and profiled, and what is being done with it.
    Read {
        /// What reading found.
        file: ReadFile,
        /// The step of making from it.
        step: Step,
    },
}

/// What reading a file found.
#[derive(Debug, Clone)]
pub struct ReadFile {
    /// The profile summary, SafeProfile and withheld list.
    pub info: Arc<FileInfo>,
    /// The SafeProfile of `info`, parsed once (for the spec cache's keys).
    pub safe: Option<Arc<shared::SafeProfile>>,
}

impl PartialEq for ReadFile {
    /// The same reading, not an equal one: a new reading of the file is a new value,
    /// and comparing the profiles field by field on every progress event would cost.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.info, &other.info)
    }
}

/// What is being done with a read file.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Nothing: the user may generate.
    Idle,
    /// Reading another sheet; this reading stays shown until that one is done.
    Rereading,
    /// The LLM payload is shown for the user's approval.
    Approving {
        /// The user asked to bypass the spec cache; it applies once approved.
        bypass: bool,
    },
    /// Looking in the spec cache.
    Looking,
    /// Waiting for the relay's spec.
    Asking,
    /// The relay's spec is shown for review before generating.
    Reviewing(Review),
    /// Making rows, then scoring them.
    Generating(Progress),
}

/// A generation under way.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// "starting", "generating" or "scoring".
    pub stage: String,
    /// Rows made.
    pub done: u64,
    /// Rows in all (0 = not known yet).
    pub total: u64,
    /// Who wrote the spec, to cache it once generated (`None`: do not).
    pub cache_as: Option<shared::contract::Provenance>,
}

impl Life {
    /// What reading found, once read.
    pub fn file(&self) -> Option<&ReadFile> {
        match self {
            Life::Read { file, .. } => Some(file),
            Life::Reading | Life::Unreadable(_) => None,
        }
    }

    /// The step, once read.
    pub fn step(&self) -> Option<&Step> {
        match self {
            Life::Read { step, .. } => Some(step),
            Life::Reading | Life::Unreadable(_) => None,
        }
    }

    /// Whether the worker or the relay is busy with the file.
    pub fn busy(&self) -> bool {
        matches!(
            self,
            Life::Reading
                | Life::Read {
                    step: Step::Rereading | Step::Looking | Step::Asking | Step::Generating(_),
                    ..
                }
        )
    }

    /// The same file at another step (unchanged before it is read).
    pub fn at(&self, step: Step) -> Life {
        match self {
            Life::Read { file, .. } => Life::Read {
                file: file.clone(),
                step,
            },
            other => other.clone(),
        }
    }
}

/// What the card says about its last action.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// Something failed.
    Error(String),
    /// Worth knowing: an LLM fallback, a cancel.
    Notice(String),
    /// The spec came from the cache: from when, how similar, who wrote it.
    Reused(String),
}

/// A finished generation and its download URLs.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// Figures and preview.
    pub result: Generated,
    /// The output file.
    pub blob: web_sys::Blob,
    /// Object URL of the output.
    pub url: String,
    /// The report, once scored.
    pub report: Option<Report>,
}

/// A scored output's report and the object URLs of its JSON and HTML files.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Figures and drawings.
    pub scored: Scored,
    /// Object URL of the report as JSON.
    pub json_url: String,
    /// Object URL of the report as HTML.
    pub html_url: String,
}

impl Output {
    /// Every object URL it holds, to revoke.
    pub fn urls(&self) -> Vec<String> {
        let mut urls = vec![self.url.clone()];
        if let Some(r) = &self.report {
            urls.extend([r.json_url.clone(), r.html_url.clone()]);
        }
        urls
    }
}

/// A spec from the relay, shown for review (and editing) before generating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Review {
    /// The spec's JSON as the user edits it.
    pub text: RwSignal<String>,
    /// As the relay sent it.
    pub original: StoredValue<String>,
    /// The request to send once approved (its `spec` is filled then).
    pub request: StoredValue<GenerateRequest>,
    /// Cache the spec once generated.
    pub cache: bool,
}

/// A pass over a large file, as the worker reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadProgress {
    /// "reading" (the first pass: types and counts) or "sampling" (the second, for the
    /// spread sample of a file over the sample size).
    pub stage: String,
    /// Bytes of the file read in this pass.
    pub done: u64,
    /// Bytes in the file.
    pub total: u64,
    /// Rows read in this pass (0 until the reader says).
    pub rows: u64,
    /// When this pass was first reported (`performance.now()`, ms).
    pub since: f64,
    /// `done` then.
    pub done_since: u64,
}

impl ReadProgress {
    /// The progress after a new report of `(done, total)` bytes and `rows` at `now` (a
    /// new pass starts its clock again).
    pub fn next(
        last: Option<&ReadProgress>,
        stage: String,
        (done, total): (u64, u64),
        rows: u64,
        now: f64,
    ) -> Self {
        match last {
            Some(p) if p.stage == stage && done >= p.done => ReadProgress {
                done,
                total,
                rows,
                ..p.clone()
            },
            _ => ReadProgress {
                stage,
                done,
                total,
                rows,
                since: now,
                done_since: done,
            },
        }
    }

    /// What the status line says: the pass, bytes, rows once the reader has said and,
    /// once the rate is known, the time left in this pass.
    pub fn label(&self, now: f64) -> String {
        let what = if self.stage == "sampling" {
            "Reading again for the sample"
        } else {
            "Reading"
        };
        let mut label = format!(
            "{what}: {} of {}",
            human_bytes(self.done),
            human_bytes(self.total)
        );
        if self.rows > 0 {
            label.push_str(&format!(" · {} rows", grouped(self.rows)));
        }
        let seconds = (now - self.since) / 1000.0;
        let moved = self.done.saturating_sub(self.done_since) as f64;
        if seconds >= 1.0 && moved > 0.0 {
            let left = self.total.saturating_sub(self.done) as f64 / (moved / seconds);
            label.push_str(&format!(" · about {} left", human_seconds(left)));
        }
        label
    }
}

/// `12 s`, `3 min 05 s`.
pub fn human_seconds(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

/// One dropped file.
#[derive(Debug, Clone, Copy)]
pub struct Card {
    /// The worker's handle on it.
    pub id: FileId,
    /// File name.
    pub name: StoredValue<String>,
    /// Size in bytes.
    pub size: RwSignal<u64>,
    /// Where it is in its life.
    pub life: RwSignal<Life>,
    /// How far the worker is in reading a large file (`None` before its first report).
    pub reading: RwSignal<Option<ReadProgress>>,
    /// What reading found, apart from `life`, so the profile is not drawn again on every
    /// progress event.
    pub info: Memo<Option<Arc<FileInfo>>>,
    /// What the card says about its last action.
    pub note: RwSignal<Option<Note>>,
    /// The last output.
    pub output: RwSignal<Option<Arc<Output>>>,
    /// This file's settings.
    pub settings: Settings,
    /// The user has seen and approved the LLM payload for this reading of the file.
    pub llm_approved: RwSignal<bool>,
    /// The SafeProfile panel is open.
    pub metadata_open: RwSignal<bool>,
    /// Object URL of the SafeProfile JSON download.
    pub metadata_url: RwSignal<Option<String>>,
}

impl Card {
    /// A new card, reading.
    pub fn new(id: FileId, name: String, size: u64, settings: Settings) -> Self {
        let life = RwSignal::new(Life::Reading);
        let info = Memo::new_with_compare(
            move |_| life.with(|l| l.file().map(|f| f.info.clone())),
            |a, b| match (a, b) {
                (Some(Some(a)), Some(Some(b))) => !Arc::ptr_eq(a, b),
                (Some(None), Some(None)) => false,
                _ => true,
            },
        );
        Card {
            id,
            name: StoredValue::new(name),
            size: RwSignal::new(size),
            life,
            reading: RwSignal::new(None),
            info,
            note: RwSignal::new(None),
            output: RwSignal::new(None),
            settings,
            llm_approved: RwSignal::new(false),
            metadata_open: RwSignal::new(false),
            metadata_url: RwSignal::new(None),
        }
    }

    /// Whether the worker or the relay is busy with this file.
    pub fn busy(&self) -> bool {
        self.life.with(Life::busy)
    }

    /// [`Card::busy`], outside a reactive context.
    pub fn busy_untracked(&self) -> bool {
        self.life.with_untracked(Life::busy)
    }

    /// Moves a read file to another step.
    pub fn step(&self, step: Step) {
        self.life.update(|l| *l = l.at(step));
    }

    /// The error to list for this file: why it could not be read, or why its last
    /// generation failed.
    pub fn problem(&self) -> Option<String> {
        if let Life::Unreadable(why) = self.life.get_untracked() {
            return Some(why);
        }
        match self.note.get_untracked() {
            Some(Note::Error(e)) => Some(e),
            _ => None,
        }
    }

    /// Says something about the last action.
    pub fn say(&self, note: Note) {
        self.note.set(Some(note));
    }
}

/// What the relay said at start-up.
#[derive(Debug, Clone, PartialEq)]
pub enum Relay {
    /// Not asked yet.
    Checking,
    /// Reachable, with or without an LLM.
    Up {
        /// Azure OpenAI is configured.
        llm: bool,
        /// Its message.
        message: String,
        /// The API needs an access token (a hosted relay).
        token_required: bool,
    },
    /// Not reachable: template mode only.
    Down(String),
}

/// The page's state.
#[derive(Debug, Clone, Copy)]
pub struct AppState {
    /// The files, in the order dropped.
    pub cards: RwSignal<Vec<Card>>,
    /// Settings new files start from ("for all").
    pub defaults: Settings,
    /// The relay.
    pub relay: RwSignal<Relay>,
    /// The next file id.
    pub next_id: StoredValue<FileId>,
    /// The spec cache's entries, as last read.
    pub cache: RwSignal<Vec<cache::Entry>>,
    /// What the cache panel says (cleared entries, an unavailable store).
    pub cache_message: RwSignal<Option<String>>,
    /// The batch ZIP.
    pub batch: RwSignal<Batch>,
}

/// The batch ZIP's state.
#[derive(Debug, Clone, PartialEq)]
pub enum Batch {
    /// Not asked for.
    None,
    /// Asked for while files were still generating or scoring: zipped when they are
    /// done, so every output and its score go in.
    Waiting {
        /// Files still at work.
        busy: usize,
    },
    /// Being zipped.
    Zipping {
        /// Outputs going in.
        outputs: usize,
        /// Files listed with an error.
        failed: usize,
    },
    /// Ready to save, or saved as it was made.
    Ready {
        /// Object URL of the ZIP (`None`: streamed to the downloads, no copy here).
        url: Option<String>,
        /// Its size.
        bytes: u64,
        /// Outputs in it.
        outputs: usize,
        /// Files listed with an error.
        failed: usize,
    },
    /// Zipping failed.
    Failed(String),
}

impl AppState {
    /// An empty page.
    pub fn new() -> Self {
        AppState {
            cards: RwSignal::new(Vec::new()),
            defaults: Settings::new(),
            relay: RwSignal::new(Relay::Checking),
            // 0 is the batch's handle in worker events.
            next_id: StoredValue::new(crate::protocol::BATCH + 1),
            cache: RwSignal::new(Vec::new()),
            cache_message: RwSignal::new(None),
            batch: RwSignal::new(Batch::None),
        }
    }

    /// The card of a file.
    pub fn card(&self, id: FileId) -> Option<Card> {
        self.cards
            .with_untracked(|cards| cards.iter().find(|c| c.id == id).copied())
    }

    /// Whether LLM mode can be offered.
    pub fn llm_available(&self) -> bool {
        matches!(self.relay.get(), Relay::Up { llm: true, .. })
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}

/// Bytes for people: `1.2 MB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A local date and time, `2026-11-26 14:03`, from ms since 1970. Formatted by hand:
/// `toLocaleString` builds an Intl formatter per call, tens of ms on the UI thread.
pub fn local_time(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// A count with thousands separators: `1,000,000`.
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_progress_says_bytes_rows_then_the_time_left_and_restarts_its_clock_per_pass() {
        let p = ReadProgress::next(None, "reading".into(), (8_000_000, 100_000_000), 0, 1_000.0);
        assert_eq!(p.label(1_500.0), "Reading: 8.0 MB of 100.0 MB");
        // 20 MB more in 2 s: 72 MB left at 10 MB/s.
        let p = ReadProgress::next(
            Some(&p),
            "reading".into(),
            (28_000_000, 100_000_000),
            262_144,
            3_000.0,
        );
        assert_eq!(
            p.label(3_000.0),
            "Reading: 28.0 MB of 100.0 MB · 262,144 rows · about 7 s left"
        );
        let p = ReadProgress::next(
            Some(&p),
            "sampling".into(),
            (9_000_000, 100_000_000),
            0,
            9_000.0,
        );
        assert_eq!(
            p.label(9_200.0),
            "Reading again for the sample: 9.0 MB of 100.0 MB"
        );
        assert_eq!(human_seconds(185.4), "3 min 05 s");
    }

    #[test]
    fn rows_accept_empty_and_grouped_digits_and_refuse_the_rest() {
        assert_eq!(parse_rows("", MAX_ROWS), Ok(None));
        assert_eq!(parse_rows("1,000,000", MAX_ROWS), Ok(Some(1_000_000)));
        assert_eq!(parse_rows("2 500", MAX_ROWS), Ok(Some(2500)));
        assert!(
            parse_rows("0", MAX_ROWS)
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(
            parse_rows("-5", MAX_ROWS)
                .unwrap_err()
                .contains("not a number")
        );
        assert!(
            parse_rows("50000000", MAX_ROWS)
                .unwrap_err()
                .contains("a file written as it is made")
        );
        assert_eq!(
            parse_rows("50000000", MAX_ROWS_TO_FILE),
            Ok(Some(50_000_000))
        );
        assert!(
            parse_rows("99999999999", MAX_ROWS_TO_FILE)
                .unwrap_err()
                .contains("limit")
        );
        // Automatic: a file over 256 MB, or over the download link's rows.
        assert!(OutputTo::Auto.to_file(MAX_ROWS + 1, 1));
        assert!(OutputTo::Auto.to_file(10, OutputTo::FILE_OVER_BYTES + 1));
        assert!(!OutputTo::Auto.to_file(1000, 1000));
        assert!(!OutputTo::Link.to_file(MAX_ROWS + 1, u64::MAX));
        assert!(OutputTo::File.to_file(1, 1));
    }

    fn read(step: Step) -> Life {
        let info = FileInfo {
            format: shared::FileFormat::Csv,
            sheet: None,
            sheets: Vec::new(),
            total_rows: 3,
            sampled_rows: 3,
            warnings: Vec::new(),
            columns: Vec::new(),
            preview: Default::default(),
            safe_profile: "{}".into(),
            withheld: Vec::new(),
            millis: 1.0,
            worker_memory: 0,
        };
        Life::Read {
            file: ReadFile {
                info: Arc::new(info),
                safe: None,
            },
            step,
        }
    }

    #[test]
    fn a_card_is_busy_while_the_worker_or_relay_works_and_not_while_the_user_decides() {
        let generating = Step::Generating(Progress {
            stage: "generating".into(),
            done: 1,
            total: 2,
            cache_as: None,
        });
        for busy in [Step::Rereading, Step::Looking, Step::Asking, generating] {
            assert!(read(busy.clone()).busy(), "{busy:?}");
        }
        for idle in [Step::Idle, Step::Approving { bypass: true }] {
            assert!(!read(idle.clone()).busy(), "{idle:?}");
        }
        assert!(Life::Reading.busy());
        assert!(!Life::Unreadable("truncated".into()).busy());
    }

    #[test]
    fn a_step_keeps_the_reading_and_an_unread_file_has_no_step() {
        let ready = read(Step::Idle);
        let asking = ready.at(Step::Asking);
        assert_eq!(asking.step(), Some(&Step::Asking));
        assert!(Arc::ptr_eq(
            &ready.file().unwrap().info,
            &asking.file().unwrap().info
        ));
        // Another reading with equal content is another reading.
        assert_ne!(read(Step::Idle), ready);
        let unread = Life::Unreadable("not a CSV".into());
        assert_eq!(unread.at(Step::Asking), unread);
        assert_eq!(Life::Reading.at(Step::Idle).file(), None);
    }

    #[test]
    fn sizes_and_counts_read_well() {
        assert_eq!(human_bytes(999), "999 bytes");
        assert_eq!(human_bytes(2_500_000), "2.5 MB");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(999), "999");
    }
}
