//! Turns for heavy work: a few at a time, a short queue, "busy" beyond it.
//!
//! Uploads are read in full before they take a working turn, so a client that sends
//! its body slowly holds a reading turn (of which there are more), not one of the few
//! working ones; and nothing here is shared with `/health` or the page.

use super::AppState;
use super::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Reading turns per working turn.
const READS_PER_TURN: usize = 4;

/// A number of turns and a bounded queue for them.
#[derive(Debug)]
pub struct Gate {
    turns: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
}

/// Decrements the queue length when a waiter leaves (served, or gone).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    /// `turns` at a time, up to `queue` waiting.
    pub fn new(turns: usize, queue: usize) -> Gate {
        Gate {
            turns: Arc::new(Semaphore::new(turns.max(1))),
            waiting: AtomicUsize::new(0),
            queue,
        }
    }

    /// A turn: at once if one is free, after the ones before when the queue has room,
    /// else a 503 that says to come back.
    pub async fn take(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if let Ok(p) = self.turns.clone().try_acquire_owned() {
            return Ok(p);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy());
        }
        let _waiting = Waiting(&self.waiting);
        self.turns.clone().acquire_owned().await.map_err(|_| busy())
    }
}

fn busy() -> ApiError {
    ApiError::bad_request("busy", "the relay is busy with other requests")
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .with_hint("try again in a few seconds")
}

fn busy_response(e: ApiError) -> Response {
    let mut res = e.into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

/// How far past the limit a refused body is still read (and dropped): a client that
/// is still sending when the answer is ready would otherwise see a broken pipe instead
/// of the 413 that says why.
const DRAIN_FACTOR: usize = 4;

enum Upload {
    Read(Bytes),
    TooLarge,
    Cut,
}

/// Reads a body of at most `limit` bytes into memory. A declared length over the
/// limit is refused before anything is read; a body that grows past it is read on,
/// without keeping it, up to `DRAIN_FACTOR` times the limit.
async fn read_upload(headers: &HeaderMap, mut body: Body, limit: usize) -> Upload {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let drain_cap = limit.saturating_mul(DRAIN_FACTOR) as u64;
    if declared.is_some_and(|n| n > drain_cap) {
        return Upload::TooLarge;
    }
    let mut kept = Vec::new();
    let mut seen = 0u64;
    let mut over = declared.is_some_and(|n| n > limit as u64);
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return if over { Upload::TooLarge } else { Upload::Cut };
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        seen += data.len() as u64;
        if seen > limit as u64 {
            over = true;
        }
        if over {
            if seen > drain_cap {
                break;
            }
        } else {
            kept.extend_from_slice(&data);
        }
    }
    if over {
        Upload::TooLarge
    } else {
        Upload::Read(Bytes::from(kept))
    }
}

/// The body within `limit`, or the answer that refuses it: `too_large` as a 413, or a
/// 400 with `cut_code` when the body ends before its declared end.
async fn body_within(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    too_large: ApiError,
    cut_code: &'static str,
) -> Result<Bytes, Response> {
    match read_upload(headers, body, limit).await {
        Upload::Read(b) => Ok(b),
        Upload::TooLarge => Err(too_large
            .with_status(StatusCode::PAYLOAD_TOO_LARGE)
            .into_response()),
        Upload::Cut => {
            Err(ApiError::bad_request(cut_code, "the request ended before its end").into_response())
        }
    }
}

/// Readers of upload bodies, sized from the working turns.
pub fn readers(turns: usize, queue: usize) -> Gate {
    Gate::new(turns * READS_PER_TURN, queue)
}

/// `/generate`, `/metadata`, `/upload`: the body is read under a reading turn, then
/// the work runs under a working turn.
pub async fn upload_turn(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let reading = match state.readers.take().await {
        Ok(p) => p,
        Err(e) => return busy_response(e),
    };
    let limit = state.config.limits.upload_body_bytes;
    let too_large = ApiError::bad_request(
        "too_large",
        format!("the upload is larger than {} MB", limit >> 20),
    )
    .with_hint(
        "send a sample (sample_size limits profiling, not the upload) or raise MAX_UPLOAD_MB",
    );
    let bytes = match body_within(&parts.headers, body, limit, too_large, "bad_form").await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    drop(reading);
    let working = match state.uploads.take().await {
        Ok(p) => p,
        Err(e) => return busy_response(e),
    };
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    drop(working);
    res
}

/// `/api/*`: the (small) body read first, as for uploads, then a turn each (they may
/// wait on Azure).
pub async fn api_turn(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let limit = state.config.limits.api_body_bytes;
    let too_large = ApiError::bad_request(
        "too_large",
        format!("the request is larger than {} KB", limit >> 10),
    )
    .with_hint("a SafeProfile is a few KB; send the profile alone");
    let bytes = match body_within(&parts.headers, body, limit, too_large, "bad_request").await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    match state.api.take().await {
        Ok(_turn) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(e) => busy_response(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_is_told_to_come_back() {
        let gate = Arc::new(Gate::new(1, 1));
        let first = gate.take().await.unwrap();
        let g = gate.clone();
        let second = tokio::spawn(async move { g.take().await.map(|_| ()) });
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let third = gate.take().await;
        assert_eq!(third.unwrap_err().status, StatusCode::SERVICE_UNAVAILABLE);
        drop(first);
        second.await.unwrap().unwrap();
    }
}
