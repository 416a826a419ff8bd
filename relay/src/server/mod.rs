//! The relay: one axum app on port 8201 that serves the page, relays SafeProfiles to
//! Azure OpenAI for specs, and offers the REST API of the user guide.
//!
//! ```text
//! /                 the built page (dist/), index.html for unknown paths
//! /health           status, version, LLM or template mode
//! /docs, /openapi.json
//! /api/spec         SafeProfile → spec (LLM, cache, template)      small bodies, rate-limited
//! /api/embed        SafeProfile → embedding of its structure      small bodies, rate-limited
//! /generate         file(s) → synthetic file (or ZIP)             upload-sized bodies
//! /metadata         file → SafeProfile + what was withheld
//! /upload           file → analysis (+ spec unless extract_metadata_only)
//! /cache            DELETE: clear the spec cache (older_than_days)
//! ```
//!
//! Safe to host: uploads are processed in memory and dropped with the request; only
//! SafeProfiles and specs reach the disk (the cache); the API key goes to Azure in one
//! header and nowhere else; every limit is in [`Limits`]; 5xx answers carry no internal
//! detail. With `RELAY_TOKEN` set, the API needs `Authorization: Bearer TOKEN`.

mod api;
pub mod azure;
pub mod cache;
pub mod config;
mod docs;
pub mod error;
pub mod llm;
pub mod logging;

pub use config::{Config, Limits, NO_CREDENTIALS};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// Azure OpenAI, when configured.
    pub azure: Option<azure::Azure>,
    /// The spec cache.
    pub cache: cache::SpecCache,
}

impl AppState {
    /// State for this configuration.
    pub fn new(config: Config) -> Arc<AppState> {
        Arc::new(AppState {
            azure: config.azure.clone().map(azure::Azure::new),
            cache: cache::SpecCache::new(config.cache_path.clone()),
            config,
        })
    }
}

/// The whole app. Needs `ConnectInfo<SocketAddr>` (from
/// `into_make_service_with_connect_info`) for the per-client rate limit on `/api/*`.
pub fn app(state: Arc<AppState>) -> Router {
    let limits = &state.config.limits;
    let governor = GovernorConfigBuilder::default()
        .per_millisecond((60_000 / u64::from(limits.api_per_minute)).max(1))
        .burst_size(limits.api_burst)
        .finish()
        .expect("a positive rate and burst");
    let api = Router::new()
        .route("/api/spec", post(api::spec))
        .route("/api/embed", post(api::embed))
        .layer(DefaultBodyLimit::max(limits.api_body_bytes))
        .layer(GovernorLayer::new(governor));
    let uploads = Router::new()
        .route("/generate", post(api::generate))
        .route("/metadata", post(api::metadata))
        .route("/upload", post(api::upload))
        .layer(DefaultBodyLimit::max(limits.upload_body_bytes));
    let protected = Router::new()
        .merge(api)
        .merge(uploads)
        .route("/cache", delete(api::clear_cache))
        .layer(middleware::from_fn_with_state(state.clone(), require_token));
    let open = Router::new()
        .route("/health", get(api::health))
        .route("/docs", get(docs::page))
        .route("/openapi.json", get(docs::openapi));
    let dist = state.config.dist.clone();
    let index = dist.join("index.html");
    let router = Router::new()
        .merge(protected)
        .merge(open)
        .fallback_service(ServeDir::new(&dist).fallback(ServeFile::new(&index)))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_not_built,
        ));
    let cors = if state.config.cors_origins.is_empty() {
        // Same origin only: no CORS headers, so browsers refuse other sites' reads.
        CorsLayer::new()
    } else {
        let origins: Vec<HeaderValue> = state
            .config
            .cors_origins
            .iter()
            .filter_map(|o| o.parse().ok())
            .collect();
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                axum::http::Method::GET,
                axum::http::Method::POST,
                axum::http::Method::DELETE,
            ])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
            .expose_headers([
                header::CONTENT_DISPOSITION,
                "x-fidelity-score".parse().expect("a header name"),
                "x-spec-source".parse().expect("a header name"),
            ])
    };
    router.with_state(state.clone()).layer(
        ServiceBuilder::new()
            .layer(
                // Method and path only: never bodies, queries or headers.
                TraceLayer::new_for_http().make_span_with(|r: &Request| {
                    tracing::info_span!("request", method = %r.method(), path = %r.uri().path())
                }),
            )
            .layer(SetResponseHeaderLayer::if_not_present(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(cors)
            .layer(CompressionLayer::new())
            // The timeout counts the wait for a slot too.
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                limits.request_timeout,
            ))
            .layer(tower::limit::ConcurrencyLimitLayer::new(limits.concurrency)),
    )
}

/// `Authorization: Bearer RELAY_TOKEN` on the API when a token is configured.
async fn require_token(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Some(token) = &state.config.relay_token else {
        return next.run(req).await;
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if constant_time_eq(given.as_bytes(), token.expose().as_bytes()) {
        next.run(req).await
    } else {
        error::ApiError::bad_request("unauthorized", "this relay needs an access token")
            .with_status(StatusCode::UNAUTHORIZED)
            .with_hint("send Authorization: Bearer <RELAY_TOKEN>")
            .into_response()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// When `dist/` has no page yet, `/` explains how to build it instead of a bare 404.
async fn page_not_built(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() == StatusCode::NOT_FOUND
        && !state.config.dist.join("index.html").exists()
        && res.headers().get(header::CONTENT_TYPE).is_none()
    {
        return (
            StatusCode::NOT_FOUND,
            Html(
                "<!doctype html><meta charset=utf-8><title>BYOD relay</title>\
                 <h1>BYOD relay</h1><p>The page is not built here (no <code>dist/index.html</code>). \
                 Run <code>scripts/run.sh</code> to build and serve it. The REST API works: \
                 see <a href=\"/docs\">/docs</a>.</p>",
            ),
        )
            .into_response();
    }
    res
}

/// Binds and serves until Ctrl-C.
pub async fn serve(config: Config, bind: IpAddr) -> anyhow::Result<()> {
    let addr = SocketAddr::new(bind, config.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let mode = if config.azure.is_some() {
        "LLM via Azure OpenAI".to_string()
    } else {
        NO_CREDENTIALS.to_string()
    };
    tracing::info!(%addr, %mode, "BYOD relay listening");
    eprintln!("byod: serving on http://{addr} ({mode})");
    let state = AppState::new(config);
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Starts the app on an already bound listener (tests, benchmarks).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}
