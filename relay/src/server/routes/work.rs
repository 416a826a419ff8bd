//! The work behind the upload routes, on the blocking pool: one file through the core's
//! pipeline ([`shared::pipeline`]) within the relay's budgets, counted while it runs and
//! stopped when its request goes away.

use super::form::Form;
use crate::server::AppState;
use crate::server::cache::Namespace;
use crate::server::error::{ApiError, ApiResult};
use crate::server::llm::{self, SpecSource};
use axum::body::Bytes;
use axum::http::StatusCode;
use shared::export::OutputFormat;
use shared::pipeline::{self, InspectOptions, Inspected, Scoring, Synthesis};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Set when the request that started some work goes away (answered 408 by the
/// timeout, or its client left): the work checks it between steps and chunks and
/// stops, instead of running on in the blocking pool.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

/// Sets its [`Cancel`] when dropped with the request's future.
pub struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        (self.0).0.store(true, Ordering::Relaxed);
    }
}

impl Cancel {
    /// A guard that cancels when the request's future is dropped.
    pub fn on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }

    fn check(&self) -> ApiResult<()> {
        if self.0.load(Ordering::Relaxed) {
            return Err(timed_out());
        }
        Ok(())
    }
}

fn timed_out() -> ApiError {
    ApiError::bad_request("timeout", "the request timed out")
        .with_status(StatusCode::REQUEST_TIMEOUT)
}

/// Counts a blocking job while it runs (it moves into the job, so it ends with it).
struct Job(Arc<AtomicUsize>);

impl Job {
    fn start(state: &AppState) -> Job {
        state.jobs.fetch_add(1, Ordering::Relaxed);
        Job(state.jobs.clone())
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Reads, profiles and guards an upload within the relay's budgets. The guard's seed
/// is fresh for every file and never taken from the request (the pipeline's seed
/// policy): the generation seed is echoed in `X-Seed`, and a known guard seed would
/// tell each column's k.
pub async fn inspect(
    state: &AppState,
    name: String,
    bytes: Bytes,
    sample_size: Option<usize>,
    cancel: Cancel,
) -> ApiResult<Inspected> {
    let mut options = InspectOptions::fresh()?;
    options.ingest.sample_size = sample_size;
    options.ingest.limits = state.config.limits.ingest.clone();
    let job = Job::start(state);
    tokio::task::spawn_blocking(move || {
        let _job = job;
        let stop = || {
            if cancel.0.load(Ordering::Relaxed) {
                Err(shared::Error::new(
                    shared::ErrorKind::LimitExceeded,
                    "the request timed out",
                ))
            } else {
                Ok(())
            }
        };
        let inspected = pipeline::inspect_until(bytes, &name, &options, &stop);
        cancel.check()?;
        Ok(inspected?)
    })
    .await
    .map_err(ApiError::internal)?
}

/// One file's synthetic output.
pub struct Made {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub rows: u64,
    pub fidelity: Option<f64>,
    pub source: SpecSource,
    pub reason: String,
}

/// The rows × columns budget, checked before a row is made.
fn within_budget(state: &AppState, rows: u64, columns: u64) -> ApiResult<()> {
    let budget = state.config.limits.max_generated_cells;
    if rows.saturating_mul(columns) <= budget {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "too_large",
        format!(
            "{rows} rows × {columns} columns is {} cells, over the limit of {budget} cells per file",
            rows.saturating_mul(columns)
        ),
    )
    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
    .with_hint(format!(
        "ask for at most {} rows (num_rows), or run `byod generate` locally for more",
        budget / columns.max(1)
    )))
}

/// file → synthetic file, the way the page does it, on the server: within the rows ×
/// columns budget, a chunk at a time, stopping when the request goes away, scored as
/// the page scores it.
pub async fn make(
    state: &AppState,
    name: String,
    bytes: Bytes,
    form: &Form,
    seed: u64,
    ns: &Namespace,
) -> ApiResult<Made> {
    let format = form.output_format.unwrap_or(OutputFormat::Csv);
    let cancel = Cancel::default();
    let _stop = cancel.on_drop();
    let real = inspect(state, name.clone(), bytes, form.sample_size, cancel.clone()).await?;
    let rows = form
        .num_rows
        .unwrap_or(real.table.total_rows)
        .min(state.config.limits.max_rows);
    within_budget(state, rows, real.safe.columns.len() as u64)?;
    let answer = llm::spec_for(
        state,
        &real.safe,
        form.match_threshold,
        "en",
        form.use_cache.unwrap_or(true),
        ns,
    )
    .await?;
    cancel.check()?;
    let mut spec = answer.spec;
    shared::template::write_as_source(&mut spec, &real.safe);
    let choice = form.write.clone();
    let job = Job::start(state);
    let (bytes, fidelity) =
        tokio::task::spawn_blocking(move || -> ApiResult<(Vec<u8>, Option<f64>)> {
            let _job = job;
            let synthesis = Synthesis::new(spec, Some(rows), seed)
                .map_err(|e| ApiError::internal(e.to_string()))?;
            let options = synthesis.export_options(&choice);
            let mut exporter = synthesis.exporter(format, options.clone(), Vec::new())?;
            let mut scored = None;
            for range in synthesis.ranges() {
                cancel.check()?;
                let first = range.start == 0;
                let chunk = if first {
                    synthesis.render_kept(range, format, &options)?
                } else {
                    synthesis.render(range, format, &options)?
                };
                chunk.write_to(&mut exporter)?;
                if first {
                    scored = chunk.into_table();
                }
            }
            cancel.check()?;
            let fidelity = scored.and_then(|t| {
                pipeline::score(&real, &t, seed, Scoring::Headline)
                    .fidelity
                    .overall
            });
            Ok((exporter.finish()?, fidelity))
        })
        .await
        .map_err(ApiError::internal)??;
    Ok(Made {
        file_name: shared::export::output_name(&name, format),
        bytes,
        rows,
        fidelity,
        source: answer.source,
        reason: answer.reason,
    })
}
