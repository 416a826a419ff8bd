//! Logs to stderr and to `./logs/relay.log.YYYY-MM-DD`, filtered by `LOG_LEVEL`.
//!
//! What is logged is decided where it is written: method, path, status and latency
//! per request; warnings about Azure with status codes only. Never a body, a file's
//! content, a query string or a key (the key's type prints as `***`).

use super::Config;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// Installs the global subscriber. Keep the guard alive: dropping it flushes the file.
pub fn init(config: &Config) -> anyhow::Result<Option<WorkerGuard>> {
    let level = match config.log_level.to_ascii_lowercase().as_str() {
        "warning" => "warn".to_string(),
        "critical" | "fatal" => "error".to_string(),
        other => other.to_string(),
    };
    let filter = || {
        EnvFilter::try_new(format!(
            "{level},hyper=warn,reqwest=warn,h2=warn,rustls=warn"
        ))
        .unwrap_or_else(|_| EnvFilter::new("info"))
    };
    let stderr = config.log_stderr.then(|| {
        fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(filter())
    });
    let (file, guard) = match &config.logs_path {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| {
                anyhow::anyhow!("cannot create the log folder {}: {e}", dir.display())
            })?;
            let (writer, guard) =
                tracing_appender::non_blocking(tracing_appender::rolling::daily(dir, "relay.log"));
            (
                Some(
                    fmt::layer()
                        .with_ansi(false)
                        .with_writer(writer)
                        .with_filter(filter()),
                ),
                Some(guard),
            )
        }
        None => (None, None),
    };
    tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init()
        .ok();
    Ok(guard)
}
