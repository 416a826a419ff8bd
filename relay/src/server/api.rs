//! Handlers: the user guide's REST API and the page's `/api/*`.
//!
//! Uploads are read into memory (bounded by the route's body limit), processed on the
//! blocking pool, and dropped when the response is built: nothing of them is written
//! anywhere. Form field names are the user guide's, exactly; an unknown field is an
//! error (a typo would otherwise be silently ignored).

use super::AppState;
use super::cache::Namespace;
use super::config::NO_CREDENTIALS;
use super::error::{ApiError, ApiResult};
use super::llm::{self, Source};
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::export::{ExportOptions, OutputFormat};
use shared::{SafeProfile, Table, Withheld};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

// ---------------------------------------------------------------- health

/// `GET /health`.
pub async fn health(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let llm = state.azure.is_some();
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "environment": state.config.environment,
        "mode": if llm { "llm" } else { "template" },
        "llm_configured": llm,
        "embeddings_configured": state.azure.as_ref().is_some_and(|a| a.has_embeddings()),
        "message": if llm { "Azure OpenAI configured; specs are written by the LLM and validated" } else { NO_CREDENTIALS },
        "token_required": !state.config.relay_tokens.is_empty(),
        "jobs": state.jobs.load(Ordering::Relaxed),
        "cache_entries": state.cache.len(),
    }))
}

// ---------------------------------------------------------------- /api/spec, /api/embed

/// Body of `POST /api/spec`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecRequest {
    /// The SafeProfile, exactly as the page produced it.
    safe_profile: SafeProfile,
    /// Match strictness 0..=1 (default 0.8).
    #[serde(default)]
    strictness: Option<f64>,
    /// Locale of made-up values (only English today).
    #[serde(default)]
    locale: Option<String>,
    /// Rows the caller will generate (sets the spec's default).
    #[serde(default)]
    rows: Option<u64>,
    /// Use and fill the server's spec cache (default true).
    #[serde(default)]
    use_cache: Option<bool>,
}

/// Validates an incoming SafeProfile and re-applies the guard.
fn reguard(p: &SafeProfile) -> ApiResult<(SafeProfile, Vec<Withheld>)> {
    p.validate().map_err(ApiError::from)?;
    Ok(shared::guard::recheck(p, &shared::GuardOptions::default()))
}

fn strictness(s: Option<f64>) -> ApiResult<f64> {
    let s = s.unwrap_or(shared::template::DEFAULT_STRICTNESS);
    if !(0.0..=1.0).contains(&s) {
        return Err(ApiError::bad_request(
            "bad_parameter",
            format!("match_threshold {s} is outside 0..1"),
        )
        .with_hint("0.8 (80 %) suits most data"));
    }
    Ok(s)
}

/// `POST /api/spec`: SafeProfile → spec.
pub async fn spec(
    State(state): State<Arc<AppState>>,
    Extension(ns): Extension<Namespace>,
    body: Result<Json<SpecRequest>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Json(req) = body?;
    let strictness = strictness(req.strictness)?;
    let locale = req.locale.unwrap_or_else(|| "en".into());
    let (profile, rechecked) = reguard(&req.safe_profile)?;
    let mut answer = llm::spec_for(
        &state,
        &profile,
        strictness,
        &locale,
        req.use_cache.unwrap_or(true),
        &ns,
    )
    .await?;
    if let Some(rows) = req.rows {
        answer.spec.default_rows = rows.min(state.config.limits.max_rows);
    }
    let mut notes = Vec::new();
    if !locale.to_ascii_lowercase().starts_with("en") {
        notes.push(format!(
            "locale {locale:?} is not available; made-up values are English"
        ));
    }
    Ok(Json(json!({
        "spec": answer.spec,
        "source": answer.source,
        "reason": answer.reason,
        "warnings": answer.warnings,
        "cache": answer.cache,
        "rechecked": rechecked,
        "notes": notes,
    })))
}

/// Body of `POST /api/embed`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbedRequest {
    safe_profile: SafeProfile,
}

/// The textual signature of a SafeProfile: structure only (names, types, kinds), the
/// part two files of the same kind share.
fn signature(p: &SafeProfile) -> String {
    p.columns
        .iter()
        .map(|c| {
            format!(
                "{} ({:?}, {:?}{})",
                c.name,
                c.logical_type,
                c.kind,
                c.semantic_type
                    .map(|s| format!(", {s:?}"))
                    .unwrap_or_default()
            )
            .to_lowercase()
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `POST /api/embed`: an embedding of a SafeProfile's signature, for cache similarity.
pub async fn embed(
    State(state): State<Arc<AppState>>,
    body: Result<Json<EmbedRequest>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Json(req) = body?;
    let (profile, _) = reguard(&req.safe_profile)?;
    let unavailable = |why: &str| {
        ApiError::bad_request("unavailable", format!("embeddings unavailable: {why}"))
            .with_status(StatusCode::SERVICE_UNAVAILABLE)
            .with_hint("the page falls back to its own profile features for cache similarity")
    };
    let Some(azure) = state.azure.as_ref() else {
        return Err(unavailable("no Azure OpenAI credentials configured"));
    };
    if !azure.has_embeddings() {
        return Err(unavailable(
            "no AZURE_OPENAI_EMBEDDING_DEPLOYMENT_NAME configured",
        ));
    }
    let deadline = tokio::time::Instant::now() + state.config.limits.azure_deadline;
    let text = signature(&profile);
    match azure.embed(&text, deadline).await {
        Ok(v) => Ok(Json(json!({ "dimensions": v.len(), "embedding": v }))),
        Err(e) => {
            tracing::warn!(error = %e, "embedding failed");
            Err(unavailable("Azure OpenAI did not answer"))
        }
    }
}

// ---------------------------------------------------------------- forms

/// The user guide's form fields, parsed.
#[derive(Debug, Default)]
struct Form {
    files: Vec<(String, Bytes)>,
    num_rows: Option<u64>,
    match_threshold: Option<f64>,
    output_format: Option<OutputFormat>,
    use_cache: Option<bool>,
    sample_size: Option<usize>,
    seed: Option<u64>,
    extract_metadata_only: Option<bool>,
}

fn field_error(name: &str, value: &str, expected: &str) -> ApiError {
    ApiError::bad_request(
        "bad_parameter",
        format!("{name}={value:?} is not valid: expected {expected}"),
    )
}

fn parse_bool(name: &str, v: &str) -> ApiResult<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(field_error(name, v, "true or false")),
    }
}

fn parse_format(v: &str) -> ApiResult<OutputFormat> {
    match v.trim().to_ascii_lowercase().as_str() {
        "csv" => Ok(OutputFormat::Csv),
        "tsv" => Ok(OutputFormat::Tsv),
        "json" => Ok(OutputFormat::Json),
        "ndjson" | "jsonl" => Ok(OutputFormat::Ndjson),
        "excel" | "xlsx" => Ok(OutputFormat::Xlsx),
        "parquet" => Ok(OutputFormat::Parquet),
        _ => Err(field_error(
            "output_format",
            v,
            "csv, tsv, json, ndjson, excel, xlsx or parquet",
        )),
    }
}

async fn read_form(mut mp: Multipart, state: &AppState) -> ApiResult<Form> {
    let mut form = Form::default();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                return Err(if too_large {
                    ApiError::bad_request(
                        "too_large",
                        format!(
                            "the upload is larger than {} MB",
                            state.config.limits.upload_body_bytes >> 20
                        ),
                    )
                    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
                    .with_hint("send a sample (sample_size limits profiling, not the upload) or raise MAX_UPLOAD_MB")
                } else {
                    ApiError::bad_request(
                        "bad_form",
                        format!("cannot read the form: {}", e.body_text()),
                    )
                });
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field.bytes().await.map_err(|e| {
                ApiError::bad_request(
                    "bad_form",
                    format!("cannot read {file_name:?}: {}", e.body_text()),
                )
                .with_status(e.status())
            })?;
            if form.files.len() >= state.config.limits.max_files {
                return Err(ApiError::bad_request(
                    "too_many_files",
                    format!(
                        "more than {} files in one request",
                        state.config.limits.max_files
                    ),
                ));
            }
            form.files.push((file_name, bytes));
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|e| ApiError::bad_request("bad_form", e.body_text()))?;
        let v = value.trim();
        match name.as_str() {
            "num_rows" => {
                let n: u64 = v
                    .parse()
                    .map_err(|_| field_error(&name, v, "a whole number of rows"))?;
                let max = state.config.limits.max_rows;
                if n == 0 || n > max {
                    return Err(field_error(&name, v, &format!("1 to {max} rows")));
                }
                form.num_rows = Some(n);
            }
            "match_threshold" => {
                form.match_threshold = Some(
                    v.parse()
                        .map_err(|_| field_error(&name, v, "a number between 0 and 1"))?,
                )
            }
            "output_format" => form.output_format = Some(parse_format(v)?),
            "use_cache" => form.use_cache = Some(parse_bool(&name, v)?),
            "extract_metadata_only" => form.extract_metadata_only = Some(parse_bool(&name, v)?),
            "sample_size" => {
                let n: usize = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| field_error(&name, v, "a positive number of rows"))?;
                form.sample_size = Some(n);
            }
            "seed" => {
                form.seed = Some(
                    v.parse()
                        .map_err(|_| field_error(&name, v, "a whole number 0..2^64"))?,
                )
            }
            other => {
                return Err(ApiError::bad_request(
                    "unknown_field",
                    format!("unknown form field {other:?}"),
                )
                .with_hint("fields: file, num_rows, match_threshold, output_format, use_cache, sample_size, seed, extract_metadata_only"));
            }
        }
    }
    if form.files.is_empty() {
        return Err(ApiError::bad_request("no_file", "no file in the form")
            .with_hint("send the file as a multipart field named \"file\""));
    }
    Ok(form)
}

/// Set when the request that started some work goes away (answered 408 by the
/// timeout, or its client left): the work checks it between steps and chunks and
/// stops, instead of running on in the blocking pool.
#[derive(Debug, Clone, Default)]
struct Cancel(Arc<AtomicBool>);

/// Sets its [`Cancel`] when dropped with the request's future.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        (self.0).0.store(true, Ordering::Relaxed);
    }
}

impl Cancel {
    fn on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }

    fn check(&self) -> ApiResult<()> {
        if self.0.load(Ordering::Relaxed) {
            return Err(ApiError::bad_request("timeout", "the request timed out")
                .with_status(StatusCode::REQUEST_TIMEOUT));
        }
        Ok(())
    }
}

/// Counts a blocking job while it runs (it moves into the job, so it ends with it).
struct Job(Arc<std::sync::atomic::AtomicUsize>);

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

/// The file's table, profile and SafeProfile, on the blocking pool.
struct Analysed {
    table: Table,
    profile: shared::Profile,
    safe: SafeProfile,
    withheld: Vec<Withheld>,
}

/// Reads, profiles and guards an upload within the relay's budgets. The guard's seed
/// is drawn from the operating system for every file, never taken from the request:
/// the generation seed is echoed in `X-Seed`, and a known guard seed would tell each
/// column's k.
async fn analyse(
    state: &AppState,
    name: String,
    bytes: Bytes,
    sample_size: Option<usize>,
    cancel: Cancel,
) -> ApiResult<Analysed> {
    let limits = state.config.limits.ingest.clone();
    let job = Job::start(state);
    tokio::task::spawn_blocking(move || {
        let _job = job;
        let options = shared::IngestOptions {
            sample_size,
            limits,
            ..Default::default()
        };
        let table = shared::read(&bytes, &name, &options)?;
        drop(bytes); // the raw upload is not needed beyond this point
        cancel.check()?;
        let profile = shared::profile(&table);
        cancel.check()?;
        let guard = shared::GuardOptions {
            seed: random_seed(),
            ..Default::default()
        };
        let (safe, withheld) = shared::guard(&profile, &guard);
        Ok(Analysed {
            table,
            profile,
            safe,
            withheld,
        })
    })
    .await
    .map_err(ApiError::internal)?
}

fn random_seed() -> u64 {
    let mut b = [0u8; 8];
    // No randomness at all is worse than a fixed seed; the seed is reported either way.
    getrandom::fill(&mut b).ok();
    u64::from_le_bytes(b)
}

// ---------------------------------------------------------------- /metadata, /upload

#[derive(Serialize)]
struct ColumnSummary<'a> {
    name: &'a str,
    logical_type: shared::LogicalType,
    kind: shared::ColumnKind,
    semantic_type: Option<shared::SemanticType>,
    sensitive: bool,
    null_rate: f64,
}

fn summary(a: &Analysed) -> serde_json::Value {
    let columns: Vec<ColumnSummary<'_>> = a
        .safe
        .columns
        .iter()
        .map(|c| ColumnSummary {
            name: &c.name,
            logical_type: c.logical_type,
            kind: c.kind,
            semantic_type: c.semantic_type,
            sensitive: c.sensitive,
            null_rate: c.null_rate,
        })
        .collect();
    json!({
        "format": a.table.format,
        "sheet": a.table.sheet,
        "rows": a.table.total_rows,
        "profiled_rows": a.profile.sampled_rows,
        "columns": columns,
        "warnings": a.table.warnings,
    })
}

fn one_file(form: &mut Form) -> ApiResult<(String, Bytes)> {
    if form.files.len() != 1 {
        return Err(ApiError::bad_request(
            "one_file",
            format!("{} files sent; this endpoint takes one", form.files.len()),
        )
        .with_hint("use /generate for several files (it answers with a ZIP)"));
    }
    Ok(form.files.remove(0))
}

/// What `/metadata` and `/upload` say of a file: its summary, the SafeProfile (what
/// may leave) and what was withheld.
async fn described(state: &AppState, form: &mut Form) -> ApiResult<(Analysed, serde_json::Value)> {
    let (name, bytes) = one_file(form)?;
    let cancel = Cancel::default();
    let _stop = cancel.on_drop();
    let a = analyse(state, name.clone(), bytes, form.sample_size, cancel.clone()).await?;
    let out = json!({
        "file": name,
        "summary": summary(&a),
        "safe_profile": a.safe,
        "withheld": a.withheld,
    });
    Ok((a, out))
}

/// `POST /metadata`: file → SafeProfile and what was withheld.
pub async fn metadata(
    State(state): State<Arc<AppState>>,
    mp: Multipart,
) -> ApiResult<Json<serde_json::Value>> {
    let mut form = read_form(mp, &state).await?;
    Ok(Json(described(&state, &mut form).await?.1))
}

/// `POST /upload`: file → analysis; with `extract_metadata_only=false` (the default)
/// also the spec that `/generate` would use.
pub async fn upload(
    State(state): State<Arc<AppState>>,
    Extension(ns): Extension<Namespace>,
    mp: Multipart,
) -> ApiResult<Json<serde_json::Value>> {
    let mut form = read_form(mp, &state).await?;
    let metadata_only = form.extract_metadata_only.unwrap_or(false);
    let (a, mut out) = described(&state, &mut form).await?;
    out["extract_metadata_only"] = json!(metadata_only);
    if !metadata_only {
        let strictness = strictness(form.match_threshold)?;
        let answer = llm::spec_for(
            &state,
            &a.safe,
            strictness,
            "en",
            form.use_cache.unwrap_or(true),
            &ns,
        )
        .await?;
        out["spec"] = serde_json::to_value(&answer.spec).map_err(ApiError::internal)?;
        out["spec_source"] = json!(answer.source);
        out["spec_reason"] = json!(answer.reason);
    }
    Ok(Json(out))
}

// ---------------------------------------------------------------- /generate

/// One file's synthetic output.
struct Made {
    file_name: String,
    bytes: Vec<u8>,
    rows: u64,
    fidelity: Option<f64>,
    source: Source,
    reason: String,
}

/// file → synthetic file, the way the page does it, on the server: within the rows ×
/// columns budget, a chunk at a time, stopping when the request goes away.
async fn make(
    state: &AppState,
    name: String,
    bytes: Bytes,
    form: &Form,
    seed: u64,
    ns: &Namespace,
) -> ApiResult<Made> {
    let strictness = strictness(form.match_threshold)?;
    let format = form.output_format.unwrap_or(OutputFormat::Csv);
    let cancel = Cancel::default();
    let _stop = cancel.on_drop();
    let a = analyse(state, name.clone(), bytes, form.sample_size, cancel.clone()).await?;
    let rows = form
        .num_rows
        .unwrap_or(a.table.total_rows)
        .min(state.config.limits.max_rows);
    let columns = a.safe.columns.len() as u64;
    let budget = state.config.limits.max_generated_cells;
    if rows.saturating_mul(columns) > budget {
        return Err(ApiError::bad_request(
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
        )));
    }
    let answer = llm::spec_for(
        state,
        &a.safe,
        strictness,
        "en",
        form.use_cache.unwrap_or(true),
        ns,
    )
    .await?;
    cancel.check()?;
    let spec = answer.spec;
    let real = a.table;
    let job = Job::start(state);
    let (bytes, fidelity) =
        tokio::task::spawn_blocking(move || -> ApiResult<(Vec<u8>, Option<f64>)> {
            let _job = job;
            let plan =
                shared::plan::compile(&spec).map_err(|p| ApiError::internal(p.to_string()))?;
            let empty = shared::generate::generate(&plan, seed, 0, 0..0);
            let mut exporter = shared::export::Exporter::new(
                format,
                &empty.columns,
                empty.batch.schema(),
                ExportOptions::default(),
                Vec::new(),
            )?;
            let chunk = 4 * shared::generate::BLOCK_ROWS;
            let mut start = 0;
            while start < rows {
                cancel.check()?;
                let end = (start + chunk).min(rows);
                exporter.write(&shared::generate::generate(&plan, seed, rows, start..end))?;
                start = end;
            }
            cancel.check()?;
            // Fidelity of the output's first rows against the upload, as SDMetrics
            // scores it (the same rows again: any row range is a slice of the full run).
            let scored_rows = rows.min(shared::evaluate::SCORED_ROWS);
            let scored = shared::generate::generate(&plan, seed, rows, 0..scored_rows);
            let options = shared::EvaluateOptions {
                plots: false,
                dcr_rows: 0,
                ..Default::default()
            };
            let fidelity = shared::evaluate(&real, &scored, &options).fidelity.overall;
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

fn header_value(s: &str) -> HeaderValue {
    let ascii: String = s
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .collect();
    HeaderValue::from_str(&ascii).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `POST /generate`: one file → the synthetic file; several → a ZIP with a manifest.
pub async fn generate(
    State(state): State<Arc<AppState>>,
    Extension(ns): Extension<Namespace>,
    mp: Multipart,
) -> ApiResult<Response> {
    let mut form = read_form(mp, &state).await?;
    let seed = form.seed.unwrap_or_else(random_seed);
    let files = std::mem::take(&mut form.files);
    let format = form.output_format.unwrap_or(OutputFormat::Csv);
    let threshold = strictness(form.match_threshold)?;
    if files.len() == 1 {
        let (name, bytes) = files.into_iter().next().expect("one file");
        let made = make(&state, name, bytes, &form, seed, &ns).await?;
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        );
        h.insert(
            header::CONTENT_DISPOSITION,
            header_value(&format!("attachment; filename=\"{}\"", made.file_name)),
        );
        if let Some(f) = made.fidelity {
            h.insert("x-fidelity-score", header_value(&format!("{f:.4}")));
        }
        h.insert("x-match-threshold", header_value(&format!("{threshold}")));
        h.insert(
            "x-spec-source",
            HeaderValue::from_static(made.source.as_str()),
        );
        h.insert("x-spec-reason", header_value(&made.reason));
        h.insert("x-seed", header_value(&seed.to_string()));
        h.insert("x-rows", header_value(&made.rows.to_string()));
        return Ok((StatusCode::OK, h, made.bytes).into_response());
    }
    // Several files: each in turn; a bad one is reported in the manifest, the others
    // still come back.
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut manifest = Vec::new();
    for (i, (name, bytes)) in files.into_iter().enumerate() {
        let file_seed = seed.wrapping_add(i as u64);
        match make(&state, name.clone(), bytes, &form, file_seed, &ns).await {
            Ok(made) => {
                manifest.push(json!({
                    "file": name, "status": "ok", "output": made.file_name, "rows": made.rows,
                    "fidelity": made.fidelity, "spec_source": made.source, "spec_reason": made.reason,
                    "seed": file_seed,
                }));
                entries.push((made.file_name, made.bytes));
            }
            Err(e) if e.status.is_server_error() => return Err(e),
            Err(e) => manifest.push(json!({ "file": name, "status": "error", "error": e })),
        }
    }
    let manifest = json!({ "match_threshold": threshold, "output_format": format.extension(), "files": manifest });
    entries.push((
        "manifest.json".into(),
        serde_json::to_vec_pretty(&manifest).map_err(ApiError::internal)?,
    ));
    let zip = shared::export::zip(&entries)?;
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"synthetic_data.zip\""),
    );
    h.insert("x-seed", header_value(&seed.to_string()));
    Ok((StatusCode::OK, h, zip).into_response())
}

// ---------------------------------------------------------------- /cache

/// Query of `DELETE /cache`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearQuery {
    older_than_days: Option<f64>,
}

/// `DELETE /cache[?older_than_days=N]`.
pub async fn clear_cache(
    State(state): State<Arc<AppState>>,
    Extension(ns): Extension<Namespace>,
    query: Result<Query<ClearQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request("bad_parameter", e.body_text())
            .with_hint("DELETE /cache or DELETE /cache?older_than_days=7")
    })?;
    if q.older_than_days.is_some_and(|d| !d.is_finite() || d < 0.0) {
        return Err(ApiError::bad_request(
            "bad_parameter",
            "older_than_days must be a number ≥ 0",
        ));
    }
    let cache = state.clone();
    let removed = tokio::task::spawn_blocking(move || cache.cache.clear(q.older_than_days, &ns))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(Json(
        json!({ "removed": removed, "remaining": state.cache.len() }),
    ))
}
