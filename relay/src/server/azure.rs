//! The Azure OpenAI client: chat completions with structured output, and embeddings.
//!
//! `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...` with the
//! `api-key` header (the only place the key goes). 429 answers are retried after their
//! `Retry-After` (or `retry-after-ms`), 5xx answers and timeouts with exponential
//! backoff, all within one deadline; other 4xx answers are final. Errors keep Azure's
//! words for the log only: callers turn them into generic messages.

use super::config::AzureConfig;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::time::Instant;

/// Why a call to Azure failed.
#[derive(Debug, Clone, PartialEq)]
pub enum AzureError {
    /// No deployment of that kind is configured.
    NotConfigured,
    /// Azure answered with this status, and retrying did not help (or cannot).
    Status(u16),
    /// The deadline passed (after retries).
    Deadline,
    /// The connection failed.
    Transport(String),
    /// The answer was not what the API promises.
    BadAnswer(String),
}

impl std::fmt::Display for AzureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AzureError::NotConfigured => write!(f, "not configured"),
            AzureError::Status(s) => write!(f, "Azure OpenAI answered HTTP {s}"),
            AzureError::Deadline => write!(f, "Azure OpenAI did not answer in time"),
            AzureError::Transport(e) => write!(f, "cannot reach Azure OpenAI: {e}"),
            AzureError::BadAnswer(e) => write!(f, "unexpected answer from Azure OpenAI: {e}"),
        }
    }
}

/// Most attempts per call (the deadline usually ends it first).
const MAX_ATTEMPTS: u32 = 5;
/// First backoff; doubles each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Longest single attempt.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(45);

/// A configured Azure OpenAI resource.
#[derive(Debug, Clone)]
pub struct Azure {
    http: reqwest::Client,
    cfg: AzureConfig,
}

impl Azure {
    /// A client for this resource.
    pub fn new(cfg: AzureConfig) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Azure { http, cfg }
    }

    /// Whether an embedding deployment is configured.
    pub fn has_embeddings(&self) -> bool {
        self.cfg.embedding_deployment.is_some()
    }

    fn url(&self, deployment: &str, op: &str) -> String {
        format!(
            "{}/openai/deployments/{}/{op}?api-version={}",
            self.cfg.endpoint, deployment, self.cfg.api_version
        )
    }

    /// One chat completion whose answer must follow `schema`; returns the message text.
    pub async fn chat(
        &self,
        messages: &[Value],
        schema: &Value,
        deadline: Instant,
    ) -> Result<String, AzureError> {
        let body = json!({
            "messages": messages,
            "temperature": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "generation_spec", "schema": schema, "strict": false}
            }
        });
        let url = self.url(&self.cfg.chat_deployment, "chat/completions");
        let answer = self.post(&url, &body, deadline).await?;
        answer["choices"][0]["message"]["content"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| AzureError::BadAnswer("no choices[0].message.content".into()))
    }

    /// The embedding of `text`.
    pub async fn embed(&self, text: &str, deadline: Instant) -> Result<Vec<f64>, AzureError> {
        let Some(deployment) = &self.cfg.embedding_deployment else {
            return Err(AzureError::NotConfigured);
        };
        let url = self.url(deployment, "embeddings");
        let answer = self.post(&url, &json!({ "input": text }), deadline).await?;
        answer["data"][0]["embedding"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_f64).collect())
            .filter(|v: &Vec<f64>| !v.is_empty())
            .ok_or_else(|| AzureError::BadAnswer("no data[0].embedding".into()))
    }

    /// POSTs JSON with retries until the deadline.
    async fn post(&self, url: &str, body: &Value, deadline: Instant) -> Result<Value, AzureError> {
        let mut backoff = FIRST_BACKOFF;
        let mut last = AzureError::Deadline;
        for attempt in 1..=MAX_ATTEMPTS {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(AzureError::Deadline);
            }
            let sent = self
                .http
                .post(url)
                .header("api-key", self.cfg.api_key.expose())
                .json(body)
                .timeout(left.min(ATTEMPT_TIMEOUT))
                .send()
                .await;
            let wait = match sent {
                Ok(resp) if resp.status().is_success() => {
                    return resp
                        .json::<Value>()
                        .await
                        .map_err(|e| AzureError::BadAnswer(e.to_string()));
                }
                Ok(resp) if resp.status().as_u16() == 429 => {
                    last = AzureError::Status(429);
                    retry_after(resp.headers()).unwrap_or(backoff)
                }
                Ok(resp) if resp.status().is_server_error() => {
                    last = AzureError::Status(resp.status().as_u16());
                    backoff
                }
                Ok(resp) => return Err(AzureError::Status(resp.status().as_u16())),
                Err(e) if e.is_timeout() => {
                    last = AzureError::Deadline;
                    backoff
                }
                Err(e) => {
                    last = AzureError::Transport(e.without_url().to_string());
                    backoff
                }
            };
            tracing::warn!(attempt, error = %last, wait_ms = wait.as_millis() as u64, "Azure OpenAI call failed");
            if attempt == MAX_ATTEMPTS || Instant::now() + wait >= deadline {
                break;
            }
            tokio::time::sleep(wait).await;
            backoff *= 2;
        }
        Err(last)
    }
}

/// `Retry-After` in seconds (or Azure's `retry-after-ms`), capped at a minute.
fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let num = |name: &str| h.get(name)?.to_str().ok()?.trim().parse::<f64>().ok();
    let d = num("retry-after-ms")
        .map(|ms| ms / 1000.0)
        .or_else(|| num("retry-after"))?;
    (d.is_finite() && d >= 0.0).then(|| Duration::from_secs_f64(d.min(60.0)))
}
