//! `byod._byod`: the core for Python, a thin layer over `shared::pipeline`.
//!
//! Profiles and specs cross as JSON text (the same JSON the CLI prints, so a file made
//! by one is read by the other); rows cross as Arrow through the C Data Interface,
//! without copying. The Python package (`byod/__init__.py`) wraps these functions in
//! typed classes with docstrings; `byod/spark.py` calls the partition functions on
//! Spark's executors.
//!
//! Work that takes long (reading, profiling, generating a batch) runs with the GIL
//! released, so other Python threads and Spark's Python workers go on meanwhile.

use arrow::array::{RecordBatch, RecordBatchReader};
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use arrow::ffi_stream::RecordBatchStreamReader as ArrowStream;
use arrow::pyarrow::{IntoPyArrow, PyArrowType, ToPyArrow};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use shared::export::{Exporter, OutputFormat, WriteChoice};
use shared::ingest::batches::{self, Scan};
use shared::pipeline::{self, InspectOptions, Inspected, Synthesis};
use shared::spec::Spec;
use shared::{FileFormat, GuardOptions, IngestOptions, Strictness};
use std::io::Write;
use std::ops::Range;
use std::path::PathBuf;

/// The core's error as `byod.ByodError(message, kind, hint)`, defined in Python so it
/// carries a readable `str()` and type hints.
fn py_error(py: Python<'_>, e: &shared::Error) -> PyErr {
    let kind = format!("{:?}", e.kind());
    let made = py
        .import("byod.errors")
        .and_then(|m| m.getattr("ByodError"))
        .and_then(|class| class.call1((e.to_string(), kind, e.hint())));
    match made {
        Ok(value) => PyErr::from_value(value),
        Err(import_failed) => import_failed,
    }
}

/// Runs `work` without the GIL and turns a core error into `ByodError`.
fn core<T: Send>(py: Python<'_>, work: impl Send + FnOnce() -> shared::Result<T>) -> PyResult<T> {
    py.detach(work).map_err(|e| py_error(py, &e))
}

fn value_error(what: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(what.to_string())
}

/// Input data: a file path, or anything that speaks the Arrow C stream interface
/// (`pyarrow.Table`, `RecordBatchReader`, a polars DataFrame).
#[derive(FromPyObject)]
enum Data {
    Path(PathBuf),
    Arrow(PyArrowType<ArrowStream>),
}

fn ingest_options(sample_size: Option<usize>, sheet: Option<String>) -> IngestOptions {
    IngestOptions {
        sample_size,
        sheet,
        ..Default::default()
    }
}

fn inspect_options(
    sample_size: Option<usize>,
    sheet: Option<String>,
    epsilon: Option<f64>,
    guard_seed: Option<u64>,
) -> PyResult<InspectOptions> {
    if let Some(e) = epsilon
        && !(e > 0.0 && e.is_finite())
    {
        return Err(value_error("epsilon must be a positive number"));
    }
    let seed = pipeline::guard_seed(guard_seed).map_err(|e| value_error(e.to_string()))?;
    Ok(InspectOptions {
        ingest: ingest_options(sample_size, sheet),
        guard: GuardOptions {
            seed,
            epsilon,
            ..Default::default()
        },
    })
}

/// Reads a path, or an Arrow stream, into a table.
fn read(data: Data, name: &str, options: &IngestOptions) -> shared::Result<shared::Table> {
    match data {
        Data::Path(path) => {
            // CSV, TSV and Parquet stream from the file; the rest is read whole.
            let source = shared::file::FileSource::new(&path)?;
            shared::ingest::read_source(&source, &source.name(), options)
        }
        Data::Arrow(PyArrowType(stream)) => {
            let schema = stream.schema();
            let batches = stream
                .collect::<Result<Vec<RecordBatch>, ArrowError>>()
                .map_err(arrow_error)?;
            let mut table = batches::read(&schema, batches, options)?;
            table.source = name.to_string();
            Ok(table)
        }
    }
}

fn arrow_error(e: ArrowError) -> shared::Error {
    shared::Error::new(
        shared::ErrorKind::Malformed,
        format!("cannot read the Arrow data: {e}"),
    )
}

/// What `profile` returns: the SafeProfile and what the guard withheld (JSON), and
/// the reader's warnings.
type Profiled = (String, String, Vec<String>);

fn profiled(inspected: &Inspected) -> Profiled {
    (
        serde_json::to_string_pretty(&inspected.safe).expect("a SafeProfile serialises"),
        serde_json::to_string(&inspected.withheld).expect("withheld serialises"),
        inspected.table.warnings.clone(),
    )
}

/// Reads, profiles and guards `data`.
#[pyfunction]
#[pyo3(signature = (data, *, name = String::new(), sample_size = None, sheet = None, epsilon = None, guard_seed = None))]
fn profile(
    py: Python<'_>,
    data: Data,
    name: String,
    sample_size: Option<usize>,
    sheet: Option<String>,
    epsilon: Option<f64>,
    guard_seed: Option<u64>,
) -> PyResult<Profiled> {
    let options = inspect_options(sample_size, sheet, epsilon, guard_seed)?;
    core(py, || {
        let table = read(data, &name, &options.ingest)?;
        Ok(profiled(&pipeline::inspect_table(table, &options)?))
    })
}

/// The template's spec for a SafeProfile (JSON in, JSON out).
#[pyfunction]
fn template_spec(py: Python<'_>, safe_profile: &str, strictness: f64) -> PyResult<String> {
    let strictness = Strictness::new(strictness).map_err(|e| py_error(py, &e))?;
    core(py, || {
        // Checked, not guarded again: a SafeProfile from `profile` makes the CLI's spec.
        let safe = shared::SafeProfile::from_json(safe_profile)?;
        safe.validate()?;
        let spec = pipeline::template_spec(&safe, strictness);
        Ok(serde_json::to_string_pretty(&spec).expect("a spec serialises"))
    })
}

/// Checks a SafeProfile as the relay checks one it receives.
#[pyfunction]
fn check_safe_profile(py: Python<'_>, safe_profile: &str) -> PyResult<()> {
    core(py, || {
        shared::SafeProfile::from_json(safe_profile)?.validate()
    })
}

/// Checks a spec as `byod generate --spec` does; returns the compiler's warnings.
#[pyfunction]
fn check_spec(py: Python<'_>, spec: &str) -> PyResult<Vec<String>> {
    core(py, || {
        let synthesis = synthesis(spec, Some(0), 0)?;
        Ok(synthesis.warnings().to_vec())
    })
}

fn synthesis(spec: &str, rows: Option<u64>, seed: u64) -> shared::Result<Synthesis> {
    Synthesis::new(Spec::from_json(spec)?, rows, seed)
}

/// The rows `start..start + count` of the output `byod generate --spec S -n rows --seed
/// seed` makes, as a `pyarrow.RecordBatchReader` that makes each batch when read.
#[pyfunction]
#[pyo3(signature = (spec, rows, *, seed, start = 0, count = None))]
fn generate(
    py: Python<'_>,
    spec: &str,
    rows: Option<u64>,
    seed: u64,
    start: u64,
    count: Option<u64>,
) -> PyResult<Py<PyAny>> {
    let synthesis = core(py, || synthesis(spec, rows, seed))?;
    let end = match count {
        Some(n) => start.saturating_add(n),
        None => synthesis.rows(),
    };
    if start > end || end > synthesis.rows() {
        return Err(value_error(format!(
            "rows {start}..{end} are not inside the output's {} rows",
            synthesis.rows()
        )));
    }
    let schema = synthesis.make(0..0).batch.schema();
    let reader: Box<dyn RecordBatchReader + Send> = Box::new(Made {
        ranges: Synthesis::chunks_of(start..end)
            .collect::<Vec<_>>()
            .into_iter(),
        synthesis,
        schema,
    });
    Ok(reader.into_pyarrow(py)?.unbind())
}

/// Generated batches, made as they are read.
struct Made {
    synthesis: Synthesis,
    ranges: std::vec::IntoIter<Range<u64>>,
    schema: SchemaRef,
}

impl Iterator for Made {
    type Item = Result<RecordBatch, ArrowError>;
    fn next(&mut self) -> Option<Self::Item> {
        let range = self.ranges.next()?;
        Some(Ok(self.synthesis.make(range).batch))
    }
}

impl RecordBatchReader for Made {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

/// The Arrow schema of a spec's output.
#[pyfunction]
fn schema(py: Python<'_>, spec: &str) -> PyResult<Py<PyAny>> {
    let synthesis = core(py, || synthesis(spec, Some(0), 0))?;
    let schema = synthesis.make(0..0).batch.schema();
    Ok(schema.as_ref().to_pyarrow(py)?.unbind())
}

fn output_format(format: &str) -> PyResult<OutputFormat> {
    OutputFormat::from_extension(format).ok_or_else(|| {
        value_error(format!(
            "{format:?} is not an output format: use csv, tsv, json, ndjson, xlsx or parquet"
        ))
    })
}

fn create(path: &PathBuf) -> shared::Result<std::io::BufWriter<std::fs::File>> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|e| {
            shared::Error::new(
                shared::ErrorKind::Malformed,
                format!("cannot create {}: {e}", path.display()),
            )
        })
}

fn io_error(e: std::io::Error) -> shared::Error {
    shared::Error::new(shared::ErrorKind::Malformed, format!("cannot write: {e}"))
}

/// Writes an output to `path`, byte for byte as `byod generate --spec S -n rows --seed
/// seed -o path` writes it (with `plain`, as `--plain`; with `part = (k, P)`, as
/// `--part k/P`). Returns the rows written.
#[pyfunction]
#[pyo3(signature = (spec, rows, path, *, seed, format = "csv", plain = false, part = None))]
#[allow(clippy::too_many_arguments)] // the CLI's flags, one keyword each
fn write(
    py: Python<'_>,
    spec: &str,
    rows: Option<u64>,
    path: PathBuf,
    seed: u64,
    format: &str,
    plain: bool,
    part: Option<(u64, u64)>,
) -> PyResult<u64> {
    let format = output_format(format)?;
    if let Some((k, parts)) = part {
        check_part(k, parts)?;
    }
    core(py, || {
        let synthesis = synthesis(spec, rows, seed)?;
        let mut options = synthesis.export_options(&WriteChoice {
            plain,
            ..Default::default()
        });
        let range = match part {
            Some((k, parts)) => synthesis.part_export(k, parts, format, &mut options)?,
            None => 0..synthesis.rows(),
        };
        let mut exporter = synthesis.exporter(format, options.clone(), create(&path)?)?;
        for chunk in Synthesis::chunks_of(range.clone()) {
            synthesis
                .render(chunk, format, &options)?
                .write_to(&mut exporter)?;
        }
        exporter.finish()?.flush().map_err(io_error)?;
        Ok(range.end - range.start)
    })
}

/// Writes Arrow rows that a spec made (collected back from Spark, say) as
/// `byod generate --spec S` writes its own: the batches must have the spec's schema.
#[pyfunction]
#[pyo3(signature = (spec, data, path, *, format = "csv", plain = false))]
fn write_rows(
    py: Python<'_>,
    spec: &str,
    data: PyArrowType<ArrowStream>,
    path: PathBuf,
    format: &str,
    plain: bool,
) -> PyResult<u64> {
    let format = output_format(format)?;
    let stream = data.0;
    core(py, || {
        let synthesis = synthesis(spec, Some(0), 0)?;
        let empty = synthesis.make(0..0);
        if stream.schema().fields() != empty.batch.schema().fields() {
            return Err(shared::Error::new(
                shared::ErrorKind::InvalidDocument,
                format!(
                    "the rows' columns ({}) are not the spec's ({})",
                    stream.schema(),
                    empty.batch.schema()
                ),
            )
            .with_hint("cast them to byod.schema(spec) first"));
        }
        let options = synthesis.export_options(&WriteChoice {
            plain,
            ..Default::default()
        });
        let mut exporter = Exporter::new(
            format,
            &empty.columns,
            empty.batch.schema(),
            options,
            create(&path)?,
        )?;
        let mut written = 0;
        for batch in stream {
            let batch = batch.map_err(arrow_error)?;
            let rows = batch.num_rows() as u64;
            exporter.write(&shared::Table {
                batch,
                total_rows: rows,
                ..empty.clone()
            })?;
            written += rows;
        }
        exporter.finish()?.flush().map_err(io_error)?;
        Ok(written)
    })
}

/// `byod evaluate --json REAL SYNTHETIC`: the report as JSON.
#[pyfunction]
#[pyo3(signature = (real, synthetic, *, seed = 0, dcr_rows = 5000))]
fn evaluate(
    py: Python<'_>,
    real: Data,
    synthetic: Data,
    seed: u64,
    dcr_rows: usize,
) -> PyResult<String> {
    core(py, || {
        let options = IngestOptions::default();
        let real = read(real, "", &options)?;
        let synthetic = read(synthetic, "", &options)?;
        let report = shared::evaluate(
            &real,
            &synthetic,
            &shared::EvaluateOptions {
                seed,
                dcr_rows,
                plots: true,
                ..Default::default()
            },
        );
        Ok(serde_json::to_string(&report).expect("a report serialises"))
    })
}

// ------------------------------------------------------------------ partitions

/// Pass one over a partition: its scan, as JSON.
#[pyfunction]
fn scan_partition(py: Python<'_>, data: PyArrowType<ArrowStream>) -> PyResult<String> {
    let stream = data.0;
    core(py, || {
        let mut scan = Scan::new(&stream.schema(), FileFormat::Parquet)?;
        for batch in stream {
            scan.observe(&batch.map_err(arrow_error)?)?;
        }
        Ok(scan.to_json())
    })
}

/// The partitions' scans merged in partition order.
#[pyfunction]
fn merge_scans(py: Python<'_>, scans: Vec<String>) -> PyResult<String> {
    core(py, || {
        let mut merged: Option<Scan> = None;
        for json in &scans {
            let scan = Scan::from_json(json)?;
            merged = Some(match merged {
                Some(m) => m.merge(scan)?,
                None => scan,
            });
        }
        merged
            .map(|m| m.to_json())
            .ok_or_else(|| shared::Error::new(shared::ErrorKind::Empty, "no partition was scanned"))
    })
}

/// The merged scan's row count.
#[pyfunction]
fn scan_rows(py: Python<'_>, scan: &str) -> PyResult<u64> {
    core(py, || Ok(Scan::from_json(scan)?.rows()))
}

/// Pass two over the partition whose first row is `first_row` of the table: the rows
/// it gives the profile's sample, typed.
#[pyfunction]
#[pyo3(signature = (scan, first_row, data, *, sample_size = None))]
fn sample_partition(
    py: Python<'_>,
    scan: &str,
    first_row: u64,
    data: PyArrowType<ArrowStream>,
    sample_size: Option<usize>,
) -> PyResult<PyArrowType<RecordBatch>> {
    let stream = data.0;
    core(py, || {
        let scan = Scan::from_json(scan)?;
        let mut sample = scan.sample(first_row, &ingest_options(sample_size, None))?;
        for batch in stream {
            sample.observe(&batch.map_err(arrow_error)?)?;
        }
        sample.finish()
    })
    .map(PyArrowType)
}

/// The partitions' samples joined in order, profiled and guarded once.
#[pyfunction]
#[pyo3(signature = (scan, samples, *, sample_size = None, epsilon = None, guard_seed = None))]
fn profile_partitions(
    py: Python<'_>,
    scan: &str,
    samples: Vec<PyArrowType<RecordBatch>>,
    sample_size: Option<usize>,
    epsilon: Option<f64>,
    guard_seed: Option<u64>,
) -> PyResult<Profiled> {
    let options = inspect_options(sample_size, None, epsilon, guard_seed)?;
    let samples: Vec<RecordBatch> = samples.into_iter().map(|s| s.0).collect();
    core(py, || {
        let table = Scan::from_json(scan)?.finish(samples, &options.ingest)?;
        Ok(profiled(&pipeline::inspect_table(table, &options)?))
    })
}

fn check_part(k: u64, parts: u64) -> PyResult<()> {
    if k == 0 || parts == 0 || k > parts {
        return Err(value_error(format!("part {k}/{parts}: use 1 ≤ K ≤ P")));
    }
    Ok(())
}

/// The row range of part `k` of `parts` (1-based), as `byod generate --part K/P`.
#[pyfunction]
fn part_range(
    py: Python<'_>,
    spec: &str,
    rows: Option<u64>,
    k: u64,
    parts: u64,
) -> PyResult<(u64, u64)> {
    check_part(k, parts)?;
    let synthesis = core(py, || synthesis(spec, rows, 0))?;
    let r = synthesis.part(k, parts);
    Ok((r.start, r.end))
}

#[pymodule]
fn _byod(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(profile, m)?)?;
    m.add_function(wrap_pyfunction!(template_spec, m)?)?;
    m.add_function(wrap_pyfunction!(check_safe_profile, m)?)?;
    m.add_function(wrap_pyfunction!(check_spec, m)?)?;
    m.add_function(wrap_pyfunction!(generate, m)?)?;
    m.add_function(wrap_pyfunction!(schema, m)?)?;
    m.add_function(wrap_pyfunction!(write, m)?)?;
    m.add_function(wrap_pyfunction!(write_rows, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(scan_partition, m)?)?;
    m.add_function(wrap_pyfunction!(merge_scans, m)?)?;
    m.add_function(wrap_pyfunction!(scan_rows, m)?)?;
    m.add_function(wrap_pyfunction!(sample_partition, m)?)?;
    m.add_function(wrap_pyfunction!(profile_partitions, m)?)?;
    m.add_function(wrap_pyfunction!(part_range, m)?)?;
    Ok(())
}
