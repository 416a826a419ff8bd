//! Configuration from the environment and `.env`, and every limit in one place.
//!
//! The variable names are the user guide's (`AZURE_OPENAI_*`, `APP_PORT`, `LOG_LEVEL`,
//! `ENVIRONMENT`, `USE_LOCAL_STORAGE`, `LOCAL_STORAGE_PATH`, `LOCAL_CACHE_PATH`); the
//! limits have their own, all optional (see `.env.example`).

use anyhow::bail;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A value that must never be printed (the API key): `Debug` shows `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself, for the one header that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where and how to reach Azure OpenAI.
#[derive(Debug, Clone)]
pub struct AzureConfig {
    /// `https://NAME.openai.azure.com/` (any base URL in tests).
    pub endpoint: String,
    /// Sent as the `api-key` header, nowhere else.
    pub api_key: Secret,
    /// The chat deployment that writes specs.
    pub chat_deployment: String,
    /// The embedding deployment for cache similarity, if any.
    pub embedding_deployment: Option<String>,
    /// `api-version` query parameter.
    pub api_version: String,
}

/// Every limit the server enforces.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest body on `/api/*` (a SafeProfile with room to spare).
    pub api_body_bytes: usize,
    /// Largest upload on `/generate`, `/metadata`, `/upload` (all files together).
    pub upload_body_bytes: usize,
    /// Most files in one `/generate` request.
    pub max_files: usize,
    /// Most rows one `/generate` request may ask for (per file).
    pub max_rows: u64,
    /// A request that takes longer is answered 408.
    pub request_timeout: Duration,
    /// Requests handled at once; the rest wait their turn (then time out).
    pub concurrency: usize,
    /// Requests per minute per client address on `/api/*`.
    pub api_per_minute: u32,
    /// Burst allowance on `/api/*`.
    pub api_burst: u32,
    /// Total time for one spec from Azure, retries and the repair round included.
    pub azure_deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            api_body_bytes: shared::wire::MAX_SAFE_PROFILE_BYTES + (64 << 10),
            upload_body_bytes: 200 << 20,
            max_files: 20,
            max_rows: 5_000_000,
            request_timeout: Duration::from_secs(300),
            concurrency: 32,
            api_per_minute: 60,
            api_burst: 20,
            azure_deadline: Duration::from_secs(60),
        }
    }
}

/// The server's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `APP_PORT` (default 8201).
    pub port: u16,
    /// `LOG_LEVEL` (default `info`).
    pub log_level: String,
    /// `ENVIRONMENT` (default `local`).
    pub environment: String,
    /// Azure OpenAI, when all of endpoint, key and chat deployment are set.
    pub azure: Option<AzureConfig>,
    /// `USE_LOCAL_STORAGE` (default true): keep the spec cache on local disk.
    pub use_local_storage: bool,
    /// `LOCAL_STORAGE_PATH` (default `./data/local_storage`); nothing is stored there
    /// today (uploads are never stored), kept for compatibility.
    pub local_storage_path: PathBuf,
    /// `LOCAL_CACHE_PATH` (default `./data/cache`): SafeProfiles and specs only.
    pub cache_path: PathBuf,
    /// `LOG_DIR` (default `./logs`); empty to log to stderr only.
    pub logs_path: Option<PathBuf>,
    /// `LOG_STDERR` (default true): also log to stderr.
    pub log_stderr: bool,
    /// `DIST_DIR` (default `./dist`): the built page.
    pub dist: PathBuf,
    /// `RELAY_TOKEN`: when set, every API request needs `Authorization: Bearer TOKEN`.
    pub relay_token: Option<Secret>,
    /// `CORS_ALLOWED_ORIGINS` (comma-separated); empty = same origin only.
    pub cors_origins: Vec<String>,
    /// Limits.
    pub limits: Limits,
}

/// The message the user guide documents for template-only mode.
pub const NO_CREDENTIALS: &str = "No OpenAI credentials configured; using template generation";

impl Config {
    /// Reads `.env` (if present; real environment variables win) and the environment.
    pub fn from_env() -> anyhow::Result<Config> {
        let _ = dotenvy::dotenv();
        Config::from_vars(|k| std::env::var(k).ok())
    }

    /// Builds the configuration from a variable lookup (the environment, or a map in
    /// tests).
    pub fn from_vars(raw: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let get = |k: &str| {
            raw(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        fn parse<T: std::str::FromStr>(k: &str, v: Option<String>, default: T) -> anyhow::Result<T>
        where
            T::Err: fmt::Display,
        {
            match v {
                None => Ok(default),
                Some(v) => v
                    .parse()
                    .map_err(|e| anyhow::anyhow!("{k}={v:?} is not valid: {e}")),
            }
        }
        let flag = |k: &str, default: bool| -> anyhow::Result<bool> {
            match get(k).map(|v| v.to_ascii_lowercase()) {
                None => Ok(default),
                Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
                Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
                Some(v) => bail!("{k}={v:?}: use true or false"),
            }
        };
        let azure = match (
            get("AZURE_OPENAI_ENDPOINT"),
            get("AZURE_OPENAI_API_KEY"),
            get("AZURE_OPENAI_CHAT_DEPLOYMENT_NAME"),
        ) {
            (Some(endpoint), Some(key), Some(chat)) => {
                if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
                    bail!("AZURE_OPENAI_ENDPOINT must be an http(s) URL, got {endpoint:?}");
                }
                Some(AzureConfig {
                    endpoint: endpoint.trim_end_matches('/').to_string(),
                    api_key: Secret::new(key),
                    chat_deployment: chat,
                    embedding_deployment: get("AZURE_OPENAI_EMBEDDING_DEPLOYMENT_NAME"),
                    api_version: get("AZURE_OPENAI_API_VERSION")
                        .unwrap_or_else(|| "2024-10-21".to_string()),
                })
            }
            _ => None,
        };
        let d = Limits::default();
        let limits = Limits {
            api_body_bytes: d.api_body_bytes,
            upload_body_bytes: parse(
                "MAX_UPLOAD_MB",
                get("MAX_UPLOAD_MB"),
                d.upload_body_bytes >> 20,
            )? << 20,
            max_files: parse("MAX_FILES", get("MAX_FILES"), d.max_files)?,
            max_rows: parse("MAX_GENERATE_ROWS", get("MAX_GENERATE_ROWS"), d.max_rows)?,
            request_timeout: Duration::from_secs(parse(
                "REQUEST_TIMEOUT_SECS",
                get("REQUEST_TIMEOUT_SECS"),
                d.request_timeout.as_secs(),
            )?),
            concurrency: parse(
                "MAX_CONCURRENT_REQUESTS",
                get("MAX_CONCURRENT_REQUESTS"),
                d.concurrency,
            )?
            .max(1),
            api_per_minute: parse(
                "API_RATE_PER_MINUTE",
                get("API_RATE_PER_MINUTE"),
                d.api_per_minute,
            )?
            .max(1),
            api_burst: parse("API_RATE_BURST", get("API_RATE_BURST"), d.api_burst)?.max(1),
            azure_deadline: Duration::from_secs(parse(
                "AZURE_DEADLINE_SECS",
                get("AZURE_DEADLINE_SECS"),
                d.azure_deadline.as_secs(),
            )?),
        };
        Ok(Config {
            port: parse("APP_PORT", get("APP_PORT"), 8201)?,
            log_level: get("LOG_LEVEL").unwrap_or_else(|| "info".into()),
            environment: get("ENVIRONMENT").unwrap_or_else(|| "local".into()),
            azure,
            use_local_storage: flag("USE_LOCAL_STORAGE", true)?,
            local_storage_path: get("LOCAL_STORAGE_PATH")
                .unwrap_or_else(|| "./data/local_storage".into())
                .into(),
            cache_path: get("LOCAL_CACHE_PATH")
                .unwrap_or_else(|| "./data/cache".into())
                .into(),
            logs_path: match raw("LOG_DIR") {
                Some(v) if v.trim().is_empty() => None,
                Some(v) => Some(v.trim().into()),
                None => Some("./logs".into()),
            },
            log_stderr: flag("LOG_STDERR", true)?,
            dist: get("DIST_DIR").unwrap_or_else(|| "./dist".into()).into(),
            relay_token: get("RELAY_TOKEN").map(Secret::new),
            cors_origins: get("CORS_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            limits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_template_mode_on_8201() {
        let c = from(&[]).unwrap();
        assert_eq!(c.port, 8201);
        assert!(c.azure.is_none());
        assert_eq!(c.cache_path, PathBuf::from("./data/cache"));
    }

    #[test]
    fn azure_needs_endpoint_key_and_deployment_and_hides_the_key() {
        let c = from(&[
            ("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com/"),
            ("AZURE_OPENAI_API_KEY", "sk-very-secret"),
            ("AZURE_OPENAI_CHAT_DEPLOYMENT_NAME", "gpt-4"),
        ])
        .unwrap();
        let a = c.azure.as_ref().unwrap();
        assert_eq!(a.endpoint, "https://x.openai.azure.com");
        assert!(!format!("{c:?}").contains("sk-very-secret"));
        assert!(
            from(&[("AZURE_OPENAI_ENDPOINT", "x")])
                .unwrap()
                .azure
                .is_none()
        );
        assert!(from(&[("APP_PORT", "eighty")]).is_err());
    }
}
