//! The relay, seen from the page: `/health` (is there an LLM?) and `/api/spec` (a
//! SafeProfile in, a validated spec out). The page is served by the relay, so both are
//! same-origin; when the relay is absent the page runs in template mode.
//!
//! Every request carries the page's `X-BYOD-Client` header (the relay refuses
//! state-changing browser requests without it, so other sites cannot post to it), and
//! the access token when the user gave one (kept in this tab's session storage only).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub use shared::contract::{Health, SpecAnswer};
use shared::contract::{SpecRequest, Strictness};

const TOKEN_KEY: &str = "byod-relay-token";

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The access token the user gave in this tab, if any.
pub fn token() -> Option<String> {
    session()?
        .get_item(TOKEN_KEY)
        .ok()?
        .filter(|t| !t.is_empty())
}

/// Keeps the access token for this tab (empty: forget it).
pub fn set_token(token: &str) {
    if let Some(s) = session() {
        let _ = if token.is_empty() {
            s.remove_item(TOKEN_KEY)
        } else {
            s.set_item(TOKEN_KEY, token.trim())
        };
    }
}

async fn fetch(method: &str, path: &str, body: Option<&str>) -> Result<(u16, String), String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(js)?;
    headers.set("x-byod-client", "page").map_err(js)?;
    if let Some(t) = token() {
        headers
            .set("authorization", &format!("Bearer {t}"))
            .map_err(js)?;
    }
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
        headers
            .set("content-type", "application/json")
            .map_err(js)?;
    }
    init.set_headers(&headers);
    let response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|e| format!("the relay is not reachable ({})", js(e)))?;
    let response: web_sys::Response = response.dyn_into().map_err(js)?;
    let text = JsFuture::from(response.text().map_err(js)?)
        .await
        .map_err(js)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

fn js(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// `GET /health`.
pub async fn health() -> Result<Health, String> {
    let (status, text) = fetch("GET", "/health", None).await?;
    if status != 200 {
        return Err(format!("the relay answered /health with HTTP {status}"));
    }
    serde_json::from_str(&text).map_err(|_| "no BYOD relay answers /health here".to_string())
}

/// A text file next to the page (a demo's spec): whoever serves the page serves it.
pub async fn static_text(path: &str) -> Result<String, String> {
    let (status, text) = fetch("GET", path, None)
        .await
        .map_err(|_| format!("{path} could not be fetched"))?;
    if status != 200 {
        return Err(format!("{path}: HTTP {status}"));
    }
    Ok(text)
}

/// `POST /api/spec` with the SafeProfile exactly as the user saw it: the core's
/// [`SpecRequest`] carries the JSON text unchanged, so the bytes sent are the bytes
/// shown. `use_cache` is passed on, so bypassing the page's cache bypasses the relay's
/// too.
pub async fn spec(
    safe_profile: &str,
    strictness: Strictness,
    rows: Option<u64>,
    use_cache: bool,
) -> Result<SpecAnswer, String> {
    let request =
        SpecRequest::new(safe_profile, strictness, rows, use_cache).map_err(|e| e.to_string())?;
    let body = serde_json::to_string(&request).map_err(|e| e.to_string())?;
    let (status, text) = fetch("POST", "/api/spec", Some(&body)).await?;
    if status != 200 {
        let detail = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(format!("the relay refused the request: {detail}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("the relay's answer is not a spec: {e}"))
}
