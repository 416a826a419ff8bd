//! `GET /openapi.json` and `GET /docs`: the API description, and an HTML page made
//! from it on the server (no script, no CDN: it works offline).

use axum::Json;
use axum::response::Html;
use serde_json::{Value, json};

fn form_field(name: &str, kind: &str, description: &str) -> (String, Value) {
    (
        name.to_string(),
        json!({ "type": kind, "description": description }),
    )
}

fn upload_body(fields: &[(String, Value)]) -> Value {
    let mut props = serde_json::Map::new();
    props.insert(
        "file".into(),
        json!({"type": "string", "format": "binary",
               "description": "CSV, TSV, JSON, NDJSON, Excel (.xlsx/.xls) or Parquet. /generate takes several."}),
    );
    for (k, v) in fields {
        props.insert(k.clone(), v.clone());
    }
    json!({"required": true, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": props }}}})
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// The OpenAPI 3.0 document.
pub fn document() -> Value {
    let generate_fields = [
        form_field(
            "num_rows",
            "integer",
            "Rows to generate (default: as many as the file has).",
        ),
        form_field(
            "match_threshold",
            "number",
            "Match strictness 0..1 (default 0.8; 0.7–0.85 recommended).",
        ),
        form_field(
            "output_format",
            "string",
            "csv (default), tsv, json, ndjson, excel, xlsx or parquet.",
        ),
        form_field(
            "delimiter",
            "string",
            "CSV delimiter: , ; | or tab (default: the uploaded file's).",
        ),
        form_field(
            "plain",
            "boolean",
            "Write standard CSV/TSV (comma or tab, LF, UTF-8) with plain numbers, true/false and empty missing values instead of the file's own way (default false).",
        ),
        form_field(
            "line_ends",
            "string",
            "Line ends of CSV/TSV output: lf or crlf (default: the uploaded file's).",
        ),
        form_field(
            "encoding",
            "string",
            "Encoding of CSV/TSV output: utf-8, utf-8-bom, windows-1252, utf-16le or utf-16be (default: the uploaded file's).",
        ),
        form_field(
            "use_cache",
            "boolean",
            "Reuse and store specs in the server's spec cache (default true).",
        ),
        form_field(
            "sample_size",
            "integer",
            "Rows read for profiling (default 1,000,000; counts stay exact).",
        ),
        form_field(
            "seed",
            "integer",
            "Seed for generation (default: random, returned in X-Seed).",
        ),
    ];
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "BYOD Synthetic Data Generator",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Privacy-first synthetic data. Uploads are processed in memory and never stored; \
    only SafeProfiles (metadata) and specs are cached; only SafeProfiles are sent to Azure OpenAI. \
    Access: with RELAY_TOKEN set, send Authorization: Bearer TOKEN. Browsers may change state only from the relay's own \
    page (its X-BYOD-Client header); scripts and curl need nothing more. Budgets: uploads are refused past MAX_UPLOAD_CELLS \
    cells or MAX_DECOMPRESSED_MB decoded (413), /generate past MAX_GENERATE_CELLS rows × columns (413); when uploads \
    already fill their turns the answer is 503 with Retry-After; a request past REQUEST_TIMEOUT_SECS gets 408 and its work stops."
        },
        "paths": {
            "/health": {"get": {"summary": "Health check: status, version, LLM or template mode, whether a token is required, jobs running.",
                "responses": {"200": {"description": "OK"}}}},
            "/upload": {"post": {"summary": "Upload and analyse a file: column types, PII flags, the SafeProfile; \
    with extract_metadata_only=false also the spec /generate would use.",
                "requestBody": upload_body(&[form_field("extract_metadata_only", "boolean", "Only the analysis and SafeProfile (default false).")]),
                "responses": {"200": {"description": "Analysis JSON"}, "4XX": error_response("The file or a parameter is wrong")}}},
            "/generate": {"post": {"summary": "Generate synthetic data. One file: the synthetic file. Several: a ZIP with manifest.json.",
                "requestBody": upload_body(&generate_fields),
                "responses": {"200": {"description": "The synthetic file, with headers Content-Disposition, X-Fidelity-Score \
    (SDMetrics-style Quality of the output against the upload), X-Spec-Source (llm, llm_repaired, template, cache), X-Spec-Reason, X-Seed, X-Rows."},
                    "4XX": error_response("The file or a parameter is wrong")}}},
            "/metadata": {"post": {"summary": "Extract metadata only: the SafeProfile (what may leave the machine) and what was withheld and why.",
                "requestBody": upload_body(&[form_field("sample_size", "integer", "Rows read for profiling.")]),
                "responses": {"200": {"description": "SafeProfile JSON"}, "4XX": error_response("The file is wrong")}}},
            "/cache": {"delete": {"summary": "Clear the caller's entries of the spec cache, or only those older than some days.",
                "parameters": [{"name": "older_than_days", "in": "query", "required": false, "schema": {"type": "number"}}],
                "responses": {"200": {"description": "{\"removed\": N, \"remaining\": M}"}}}},
            "/api/spec": {"post": {"summary": "SafeProfile → generation spec (LLM when configured, validated; else the template).",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["safe_profile"],
                    "properties": {"safe_profile": {"type": "object"}, "strictness": {"type": "number"}, "locale": {"type": "string"},
                        "rows": {"type": "integer"}, "use_cache": {"type": "boolean"}}}}}},
                "responses": {"200": {"description": "{spec, source, reason, warnings, cache, rechecked, notes}: rechecked lists what the relay's own guard changed"},
                    "4XX": error_response("The body is wrong, or the SafeProfile makes no usable spec (422)"), "429": error_response("Too many requests")}}},
            "/api/embed": {"post": {"summary": "Embedding of a SafeProfile's structure, for cache similarity (503 when not configured).",
                "responses": {"200": {"description": "{dimensions, embedding}"}, "503": error_response("Embeddings unavailable")}}}
        },
        "components": {"schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "hint": {"type": "string"}}}}}}}
    })
}

/// `GET /openapi.json`.
pub async fn openapi() -> Json<Value> {
    Json(document())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `GET /docs`.
pub async fn page() -> Html<String> {
    let doc = document();
    let mut body = String::new();
    for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in ops.as_object().into_iter().flatten() {
            body += &format!(
                "<section><h2><code>{} {}</code></h2><p>{}</p>",
                method.to_uppercase(),
                esc(path),
                esc(op["summary"].as_str().unwrap_or(""))
            );
            let props =
                &op["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"];
            if let Some(props) = props.as_object() {
                body += "<table><tr><th>form field</th><th>type</th><th>meaning</th></tr>";
                for (name, p) in props {
                    body += &format!(
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        esc(name),
                        esc(p["type"].as_str().unwrap_or("")),
                        esc(p["description"].as_str().unwrap_or(""))
                    );
                }
                body += "</table>";
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                body += &format!(
                    "<p>query parameter <code>{}</code> ({}, optional)</p>",
                    esc(p["name"].as_str().unwrap_or("")),
                    esc(p["schema"]["type"].as_str().unwrap_or(""))
                );
            }
            for (status, r) in op["responses"].as_object().into_iter().flatten() {
                body += &format!(
                    "<p><b>{}</b> {}</p>",
                    esc(status),
                    esc(r["description"].as_str().unwrap_or(""))
                );
            }
            body += "</section>";
        }
    }
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>BYOD API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}}
code,pre{{background:#f2f2f2;padding:.1rem .3rem;border-radius:3px}}pre{{padding:.8rem;overflow:auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}}
section{{border-top:1px solid #ddd;margin-top:1.5rem}}</style></head><body>
<h1>BYOD Synthetic Data Generator API <small>{version}</small></h1>
<p>{description}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Errors are JSON:
<code>{{"error": {{"code", "message", "hint"}}}}</code>.</p>
<pre>curl -X POST "http://localhost:8201/generate" \
  -F "file=@your_data.csv" -F "match_threshold=0.8" -F "output_format=csv" \
  --output synthetic_data.csv</pre>
{body}</body></html>"#,
        version = esc(doc["info"]["version"].as_str().unwrap_or("")),
        description = esc(doc["info"]["description"].as_str().unwrap_or("")),
    ))
}
