//! The user guide's multipart form, read within the route's limits: field names
//! exactly as documented, an unknown one refused, each value checked as it arrives.

use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use axum::body::Bytes;
use axum::extract::Multipart;
use axum::http::StatusCode;
use shared::contract::Strictness;
use shared::export::{OutputFormat, WriteChoice};
use shared::written::TextEncoding;

/// The user guide's form fields, parsed.
#[derive(Debug, Default)]
pub struct Form {
    pub files: Vec<(String, Bytes)>,
    pub num_rows: Option<u64>,
    pub match_threshold: Strictness,
    pub output_format: Option<OutputFormat>,
    pub use_cache: Option<bool>,
    pub sample_size: Option<usize>,
    pub seed: Option<u64>,
    pub extract_metadata_only: Option<bool>,
    /// Changes to the way the upload was written (default: none).
    pub write: WriteChoice,
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

pub async fn read_form(mut mp: Multipart, state: &AppState) -> ApiResult<Form> {
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
                let value: f64 = v
                    .parse()
                    .map_err(|_| field_error(&name, v, "a number between 0 and 1"))?;
                form.match_threshold = Strictness::parse_field(Some(value), "match_threshold")
                    .map_err(|e| {
                        ApiError::bad_request("bad_parameter", e.message())
                            .with_hint("0.8 (80 %) suits most data")
                    })?;
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
            "delimiter" => {
                // Not trimmed: a tab is a delimiter.
                form.write.delimiter = Some(
                    shared::written::Dialect::delimiter_by_name(&value)
                        .ok_or_else(|| field_error(&name, &value, ", ; | or tab"))?,
                )
            }
            "plain" => form.write.plain = parse_bool(&name, v)?,
            "line_ends" => {
                form.write.crlf = Some(match v.to_ascii_lowercase().as_str() {
                    "crlf" => true,
                    "lf" => false,
                    _ => return Err(field_error(&name, v, "lf or crlf")),
                })
            }
            "encoding" => {
                let (encoding, bom) = TextEncoding::by_name(v)
                    .ok_or_else(|| field_error(&name, v, TextEncoding::NAMES))?;
                form.write.encoding = Some(encoding);
                form.write.bom = Some(bom);
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
                .with_hint("fields: file, num_rows, match_threshold, output_format, use_cache, sample_size, seed, extract_metadata_only, delimiter, plain, line_ends, encoding"));
            }
        }
    }
    if form.files.is_empty() {
        return Err(ApiError::bad_request("no_file", "no file in the form")
            .with_hint("send the file as a multipart field named \"file\""));
    }
    Ok(form)
}
