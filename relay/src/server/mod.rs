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
//! Safe by default: it listens on loopback unless given a token; it answers only its
//! own host names (no DNS rebinding); a browser may change state only with the page's
//! own header from the page's own origin (no cross-site form posts); uploads are
//! processed in memory within budgets and dropped with the request; only SafeProfiles
//! and specs reach the disk (the cache, private to the relay's user); the API key goes
//! to Azure in one header and nowhere else; every limit is in [`Limits`]; 5xx answers
//! carry no internal detail. With `RELAY_TOKEN` set, the API needs `Authorization:
//! Bearer TOKEN`.

pub mod azure;
pub mod cache;
pub mod config;
mod docs;
pub mod error;
pub mod gate;
pub mod llm;
pub mod logging;
mod routes;
pub mod security;

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
    /// Turns for reading upload bodies.
    pub readers: gate::Gate,
    /// Turns for processing uploads (a few at a time).
    pub uploads: gate::Gate,
    /// Turns for `/api/*`.
    pub api: gate::Gate,
    /// Blocking jobs (reading, profiling, generating) running now: `/health` reports
    /// it, and it is how a test sees that a timed-out request's work stopped.
    pub jobs: Arc<std::sync::atomic::AtomicUsize>,
    /// The page's Content-Security-Policy (with the hashes of its inline scripts).
    csp: HeaderValue,
}

impl AppState {
    /// State for this configuration.
    pub fn new(config: Config) -> Arc<AppState> {
        let limits = &config.limits;
        let bounds = cache::Bounds {
            entries: limits.cache_entries,
            bytes: limits.cache_bytes,
            max_age: limits.cache_max_age,
        };
        Arc::new(AppState {
            azure: config.azure.clone().map(azure::Azure::new),
            cache: cache::SpecCache::new(
                config.use_local_storage.then(|| config.cache_path.clone()),
                bounds,
            ),
            readers: gate::readers(limits.upload_concurrency, limits.upload_queue),
            uploads: gate::Gate::new(limits.upload_concurrency, limits.upload_queue),
            api: gate::Gate::new(limits.api_concurrency, limits.upload_queue.max(16)),
            jobs: Arc::default(),
            csp: security::page_csp(&config.dist),
            config,
        })
    }
}

/// The whole app. Needs `ConnectInfo<SocketAddr>` (from [`serve_on`], or
/// `into_make_service_with_connect_info`) for the per-client rate limits.
pub fn app(state: Arc<AppState>) -> Router {
    // Limits, outermost first where order matters:
    // - every request: trace (method and path only), nosniff, CORS (same-origin unless
    //   configured), compression, a timeout (408; the work behind it stops), the Host
    //   allow-list (DNS rebinding), the cross-site check on state-changing routes, and
    //   the page's security headers (CSP, no framing, no referrer);
    // - `/api/*`: 4 MiB bodies, a per-client rate, a few turns at a time;
    // - uploads: MAX_UPLOAD_MB bodies, a per-client rate, a few turns at a time with a
    //   short queue (503 beyond it), so `/health` and the page never wait behind them;
    // - the API needs the token when RELAY_TOKEN is set.
    let limits = &state.config.limits;
    let rate = |per_minute: u32, burst: u32| {
        GovernorLayer::new(
            GovernorConfigBuilder::default()
                .per_millisecond((60_000 / u64::from(per_minute)).max(1))
                .burst_size(burst)
                .finish()
                .expect("a positive rate and burst"),
        )
    };
    let api = Router::new()
        .route("/api/spec", post(routes::spec))
        .route("/api/embed", post(routes::embed))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            gate::api_turn,
        ))
        .layer(DefaultBodyLimit::max(limits.api_body_bytes))
        .layer(rate(limits.api_per_minute, limits.api_burst));
    let uploads = Router::new()
        .route("/generate", post(routes::generate))
        .route("/metadata", post(routes::metadata))
        .route("/upload", post(routes::upload))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            gate::upload_turn,
        ))
        .layer(DefaultBodyLimit::max(limits.upload_body_bytes))
        .layer(rate(limits.upload_per_minute, limits.upload_burst));
    let protected = Router::new()
        .merge(api)
        .merge(uploads)
        .route("/cache", delete(routes::clear_cache))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::require_token,
        ));
    let open = Router::new()
        .route("/health", get(routes::health))
        .route("/docs", get(docs::page))
        .route("/openapi.json", get(docs::openapi));
    let dist = state.config.dist.clone();
    let index = dist.join("index.html");
    let page = Router::new()
        // `X.br` and `X.gz` beside a file, where the page's build wrote them (at the
        // best levels), are served in its place; other files are compressed below.
        .fallback_service(
            ServeDir::new(&dist)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(ServeFile::new(&index)),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::page_headers,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_not_built,
        ));
    let router = Router::new().merge(protected).merge(open).merge(page);
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
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                security::CLIENT_HEADER.parse().expect("a header name"),
            ])
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
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                limits.request_timeout,
            ))
            .layer(middleware::from_fn_with_state(state.clone(), security::host_and_origin))
            // The page's security headers, on every answer (harmless on the API's).
            .layer(middleware::from_fn_with_state(state.clone(), security::page_headers)),
    )
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

/// Binds and serves until Ctrl-C. Refuses to listen beyond this machine without an
/// access token: every route would be open to the network.
pub async fn serve(config: Config, bind: IpAddr) -> anyhow::Result<()> {
    if !bind.is_loopback() && config.relay_tokens.is_empty() {
        anyhow::bail!(
            "refusing to serve on {bind} without RELAY_TOKEN: anyone who can reach it could use the API; set RELAY_TOKEN (and ALLOWED_HOSTS for the names clients use), or bind 127.0.0.1"
        );
    }
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
    run(listener, state, async {
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
    run(listener, state, std::future::pending()).await
}

/// The accept loop: HTTP/1 and 2 through hyper with a header-read timeout (a client
/// that opens connections and never finishes its headers holds nothing for long),
/// each request carrying its peer address for the rate limits.
async fn run(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto;
    let router = app(state.clone());
    let header_timeout = state.config.limits.header_read_timeout;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                tower::ServiceExt::oneshot(router.clone(), req)
            });
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout);
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}
