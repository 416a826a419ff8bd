//! Who may talk to the relay, and how: the Host allow-list, the cross-site check, the
//! access token, and the page's security headers.
//!
//! - **Host** must be one of the relay's own names (`localhost`, `127.0.0.1`, `[::1]`,
//!   and `ALLOWED_HOSTS`): a web page on a name that an attacker points at 127.0.0.1
//!   (DNS rebinding) is refused.
//! - **State-changing requests from a browser** (it says so with `Origin` or
//!   `Sec-Fetch-Site`) must come from the relay's own origin (or `CORS_ALLOWED_ORIGINS`)
//!   and carry the page's `X-BYOD-Client` header. A custom header cannot be sent
//!   cross-site without a CORS preflight, which the relay does not grant, so another
//!   site cannot fire a form post at a local relay. Scripts and curl send neither
//!   browser header and are not affected: the user guide's examples work as written.
//! - **`RELAY_TOKEN`** (one or several, comma-separated): the API needs `Authorization:
//!   Bearer TOKEN`; each token is its own spec-cache namespace.

use super::AppState;
use super::cache::Namespace;
use super::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::path::Path;
use std::sync::Arc;

/// The header the page sends with every state-changing request.
pub const CLIENT_HEADER: &str = "x-byod-client";

/// The relay's own names (any port).
const LOOPBACK: [&str; 4] = ["localhost", "127.0.0.1", "[::1]", "::1"];

fn host_name(authority: &str) -> String {
    let a = authority.trim().to_ascii_lowercase();
    if a.starts_with('[') {
        return a.split(']').next().map(|h| format!("{h}]")).unwrap_or(a);
    }
    a.rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(a.clone(), |(h, _)| h.to_string())
}

fn host_allowed(state: &AppState, host: &str) -> bool {
    let name = host_name(host);
    LOOPBACK.contains(&name.as_str()) || state.config.allowed_hosts.contains(&name)
}

fn browser_request(h: &HeaderMap) -> bool {
    h.contains_key(header::ORIGIN) || h.contains_key("sec-fetch-site")
}

/// Whether `Origin` names this very relay (scheme, host and port as the request's Host)
/// or a configured CORS origin.
fn same_origin(state: &AppState, h: &HeaderMap) -> bool {
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Sec-Fetch-Site without Origin: trust only "same-origin".
        return h
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"same-origin");
    };
    if state.config.cors_origins.iter().any(|o| o == origin) {
        return true;
    }
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    !host.is_empty() && authority == host
}

fn refuse(status: StatusCode, code: &'static str, msg: String, hint: &str) -> Response {
    ApiError::bad_request(code, msg)
        .with_status(status)
        .with_hint(hint)
        .into_response()
}

/// The Host allow-list on every request, and the cross-site check on every
/// state-changing one.
pub async fn host_and_origin(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    if let Some(host) = &host
        && !host_allowed(&state, host)
    {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "unknown_host",
            format!(
                "this relay does not answer to the name {:?}",
                host_name(host)
            ),
            "use http://localhost:8201, or add the name to ALLOWED_HOSTS",
        );
    }
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && browser_request(req.headers()) {
        let from_page = req.headers().contains_key(CLIENT_HEADER);
        if !same_origin(&state, req.headers()) || !from_page {
            return refuse(
                StatusCode::FORBIDDEN,
                "cross_site",
                "a browser request from another site (or without the page's header) may not change anything here".into(),
                "use the relay's own page, or call the API from a script or curl",
            );
        }
    }
    next.run(req).await
}

/// `Authorization: Bearer TOKEN` on the API when tokens are configured; the caller's
/// cache namespace goes with the request either way.
pub async fn require_token(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let tokens = &state.config.relay_tokens;
    if tokens.is_empty() {
        req.extensions_mut().insert(Namespace::anonymous());
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string();
    // Compare with every token, so the time taken does not say which one matched.
    let matched = tokens.iter().fold(false, |any, t| {
        any | constant_time_eq(given.as_bytes(), t.expose().as_bytes())
    });
    if matched {
        req.extensions_mut().insert(Namespace::of_token(&given));
        next.run(req).await
    } else {
        ApiError::bad_request("unauthorized", "this relay needs an access token")
            .with_status(StatusCode::UNAUTHORIZED)
            .with_hint(
                "send Authorization: Bearer <RELAY_TOKEN> (in the page: the access token field)",
            )
            .into_response()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The page's headers: its Content-Security-Policy, no framing, no referrer.
pub async fn page_headers(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, state.csp.clone());
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// The page's Content-Security-Policy: its own scripts (and the inline loader Trunk
/// writes, by hash), WebAssembly, its own worker; nothing fetched from elsewhere, no
/// plugins, no framing.
pub fn page_csp(dist: &Path) -> HeaderValue {
    let inline = std::fs::read_to_string(dist.join("index.html"))
        .map(|html| inline_script_hashes(&html))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{inline}; worker-src 'self' blob:; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// ` 'sha256-…'` for each inline `<script>` (one without `src`) of a page.
fn inline_script_hashes(html: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(tag_end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + tag_end];
        let body_start = start + tag_end + 1;
        let Some(close) = rest[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let body = &rest[body_start..body_start + close];
            let digest = sha2::Sha256::digest(body.as_bytes());
            out.push_str(&format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &rest[body_start + close..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_lose_their_port() {
        assert_eq!(host_name("localhost:8201"), "localhost");
        assert_eq!(host_name("[::1]:8201"), "[::1]");
        assert_eq!(host_name("Evil.Example"), "evil.example");
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_not() {
        let html = "<script type=\"module\">import x from '/a.js';</script><script src=\"/b.js\"></script>";
        let h = inline_script_hashes(html);
        assert_eq!(h.matches("'sha256-").count(), 1, "{h}");
    }
}
