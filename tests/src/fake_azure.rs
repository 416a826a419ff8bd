//! A fake Azure OpenAI resource that speaks the real REST API, for the relay's tests.
//!
//! - `POST /openai/deployments/{deployment}/chat/completions?api-version=...` and
//!   `.../embeddings`, with the `api-key` header checked (401 otherwise), unknown
//!   deployments answered 404 `DeploymentNotFound`, a missing `api-version` 400, and
//!   chat requests required to ask for structured output (`response_format` of type
//!   `json_schema` with a schema).
//! - Answers come from a queue of [`Reply`]s; when it is empty, the fake "LLM" writes
//!   the template spec for the SafeProfile it was sent (so a valid spec comes back).
//! - Every request is recorded byte for byte, for the privacy tests.
//! - For tests in other processes (the browser tests, through `src/bin/fake_azure.rs`):
//!   `POST /_fake/replies` queues replies by name (`["status:500", "template"]`, see
//!   [`Reply::parse`]) and `GET /_fake/received` lists what arrived.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the fake answers next.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A valid spec: the template's, for the SafeProfile in the request.
    Template,
    /// A spec that fails validation (an unsupported version).
    InvalidSpec,
    /// This text as the message content (not a spec at all, say).
    Content(String),
    /// An HTTP error, with a `Retry-After` in seconds for 429s.
    Status(u16, Option<u64>),
    /// A 200 whose body is not JSON.
    MalformedBody,
    /// Wait, then answer.
    Slow(Duration, Box<Reply>),
}

impl Reply {
    /// A reply by name: `template`, `invalid`, `malformed`, `status:CODE` or
    /// `status:CODE:RETRY_AFTER_SECONDS`.
    pub fn parse(name: &str) -> Option<Reply> {
        let mut parts = name.split(':');
        Some(match parts.next()? {
            "template" => Reply::Template,
            "invalid" => Reply::InvalidSpec,
            "malformed" => Reply::MalformedBody,
            "status" => {
                let code = parts.next()?.parse().ok()?;
                Reply::Status(code, parts.next().and_then(|s| s.parse().ok()))
            }
            _ => return None,
        })
    }
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The path, e.g. `/openai/deployments/gpt-4/chat/completions`.
    pub path: String,
    /// The query parameters.
    pub query: HashMap<String, String>,
    /// The `api-key` header.
    pub api_key: Option<String>,
    /// The body, exactly.
    pub body: Vec<u8>,
}

#[derive(Debug)]
struct Inner {
    key: String,
    chat: String,
    embeddings: String,
    replies: Mutex<VecDeque<Reply>>,
    received: Mutex<Vec<Received>>,
}

/// A running fake.
#[derive(Debug, Clone)]
pub struct FakeAzure {
    /// Base URL (`http://127.0.0.1:PORT`), the `AZURE_OPENAI_ENDPOINT`.
    pub url: String,
    inner: Arc<Inner>,
}

/// The key the fake accepts.
pub const KEY: &str = "fake-azure-key-0123456789abcdef";
/// Its chat deployment.
pub const CHAT: &str = "gpt-4o-specs";
/// Its embedding deployment.
pub const EMBEDDINGS: &str = "text-embedding-3-small";

impl FakeAzure {
    /// Starts a fake on a free loopback port (on the current tokio runtime).
    pub async fn start() -> FakeAzure {
        let inner = Arc::new(Inner {
            key: KEY.into(),
            chat: CHAT.into(),
            embeddings: EMBEDDINGS.into(),
            replies: Mutex::new(VecDeque::new()),
            received: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .route(
                "/openai/deployments/{deployment}/{*op}",
                axum::routing::post(handle),
            )
            .route("/_fake/replies", axum::routing::post(queue_replies))
            .route("/_fake/received", axum::routing::get(list_received))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        FakeAzure { url, inner }
    }

    /// Queues replies, answered in order.
    pub fn push(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.replies.lock().unwrap().extend(replies);
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().unwrap().clone()
    }

    /// The relay's environment for this fake.
    pub fn vars(&self) -> Vec<(String, String)> {
        vec![
            ("AZURE_OPENAI_ENDPOINT".into(), format!("{}/", self.url)),
            ("AZURE_OPENAI_API_KEY".into(), KEY.into()),
            ("AZURE_OPENAI_CHAT_DEPLOYMENT_NAME".into(), CHAT.into()),
            (
                "AZURE_OPENAI_EMBEDDING_DEPLOYMENT_NAME".into(),
                EMBEDDINGS.into(),
            ),
        ]
    }
}

async fn queue_replies(
    State(inner): State<Arc<Inner>>,
    Json(names): Json<Vec<String>>,
) -> Response {
    let mut replies = Vec::new();
    for name in &names {
        match Reply::parse(name) {
            Some(r) => replies.push(r),
            None => {
                return (StatusCode::BAD_REQUEST, format!("unknown reply {name:?}"))
                    .into_response();
            }
        }
    }
    inner.replies.lock().unwrap().extend(replies);
    StatusCode::NO_CONTENT.into_response()
}

async fn list_received(State(inner): State<Arc<Inner>>) -> Json<Value> {
    let received = inner.received.lock().unwrap();
    Json(json!(
        received
            .iter()
            .map(|r| json!({"path": r.path, "body": String::from_utf8_lossy(&r.body)}))
            .collect::<Vec<_>>()
    ))
}

fn azure_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    Path((deployment, op)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let api_key = headers
        .get("api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    inner.received.lock().unwrap().push(Received {
        path: format!("/openai/deployments/{deployment}/{op}"),
        query: query.clone(),
        api_key: api_key.clone(),
        body: body.to_vec(),
    });
    if api_key.as_deref() != Some(inner.key.as_str()) {
        return azure_error(
            StatusCode::UNAUTHORIZED,
            "401",
            "Access denied due to invalid subscription key or wrong API endpoint.",
        );
    }
    if query.get("api-version").is_none_or(|v| v.len() < 10) {
        return azure_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Missing or invalid api-version query parameter.",
        );
    }
    let Ok(request): Result<Value, _> = serde_json::from_slice(&body) else {
        return azure_error(StatusCode::BAD_REQUEST, "BadRequest", "Invalid JSON body.");
    };
    match op.as_str() {
        "chat/completions" if deployment == inner.chat => chat(&inner, &request).await,
        "embeddings" if deployment == inner.embeddings => embeddings(&request),
        _ => azure_error(
            StatusCode::NOT_FOUND,
            "DeploymentNotFound",
            "The API deployment for this resource does not exist.",
        ),
    }
}

async fn chat(inner: &Inner, request: &Value) -> Response {
    let structured = request["response_format"]["type"] == "json_schema"
        && request["response_format"]["json_schema"]["schema"].is_object();
    let messages = request["messages"].as_array();
    if !structured || messages.is_none_or(Vec::is_empty) {
        return azure_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "messages and a json_schema response_format are required.",
        );
    }
    let mut reply = inner
        .replies
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Reply::Template);
    loop {
        match reply {
            Reply::Slow(wait, next) => {
                tokio::time::sleep(wait).await;
                reply = *next;
            }
            Reply::Status(status, retry_after) => {
                let status = StatusCode::from_u16(status).unwrap();
                let mut res = azure_error(status, &status.as_u16().to_string(), "Fake failure.");
                if let Some(s) = retry_after {
                    res.headers_mut()
                        .insert("retry-after", s.to_string().parse().unwrap());
                }
                return res;
            }
            Reply::MalformedBody => {
                return (StatusCode::OK, "{\"choices\": [ this is not json").into_response();
            }
            Reply::Content(text) => return completion(&text),
            Reply::Template | Reply::InvalidSpec => {
                let spec = template_for(request);
                let Some(mut spec) = spec else {
                    return completion("I could not read the profile.");
                };
                if matches!(reply, Reply::InvalidSpec) {
                    spec["version"] = json!(99);
                }
                return completion(&spec.to_string());
            }
        }
    }
}

/// The template spec for the SafeProfile in the first user message.
fn template_for(request: &Value) -> Option<Value> {
    let user = request["messages"]
        .as_array()?
        .iter()
        .find(|m| m["role"] == "user")?;
    let payload: Value = serde_json::from_str(user["content"].as_str()?).ok()?;
    let profile: shared::SafeProfile =
        serde_json::from_value(payload["safe_profile"].clone()).ok()?;
    let strictness = payload["match_threshold"].as_f64().unwrap_or(0.8);
    serde_json::to_value(shared::template::template(&profile, strictness)).ok()
}

fn completion(content: &str) -> Response {
    Json(json!({
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    }))
    .into_response()
}

fn embeddings(request: &Value) -> Response {
    let text = request["input"].as_str().unwrap_or_default();
    // A deterministic 16-dimensional "embedding" of the text.
    let mut v = [0f64; 16];
    for (i, b) in text.bytes().enumerate() {
        v[i % 16] += f64::from(b) / 255.0;
    }
    Json(json!({
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": v}],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 1, "total_tokens": 1}
    }))
    .into_response()
}
