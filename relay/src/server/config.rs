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

/// Every limit the server enforces, in one place. The defaults keep one relay on a
/// small machine answering `/health` within a second while it is attacked: every
/// upload, spec and generation fits a memory budget decided before anything is read,
/// heavy work runs a few at a time, and timed-out work stops.
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
    /// Most cells (rows × columns) one `/generate` request may make (per file).
    pub max_generated_cells: u64,
    /// What an upload may expand to: cells, inflated and decoded bytes (the readers
    /// check these before they build anything).
    pub ingest: shared::Limits,
    /// A request that takes longer is answered 408, and its work stops.
    pub request_timeout: Duration,
    /// A connection that has not sent its request headers by then is closed.
    pub header_read_timeout: Duration,
    /// Uploads (`/generate`, `/metadata`, `/upload`) read and processed at once.
    pub upload_concurrency: usize,
    /// Uploads that may wait for a turn; more are answered 503 at once.
    pub upload_queue: usize,
    /// `/api/*` requests handled at once (each may wait on Azure).
    pub api_concurrency: usize,
    /// Requests per minute per client address on `/api/*`.
    pub api_per_minute: u32,
    /// Burst allowance on `/api/*`.
    pub api_burst: u32,
    /// Uploads per minute per client address.
    pub upload_per_minute: u32,
    /// Burst allowance on uploads.
    pub upload_burst: u32,
    /// Total time for one spec from Azure, retries and the repair round included.
    pub azure_deadline: Duration,
    /// Specs the cache keeps (the oldest go first).
    pub cache_entries: usize,
    /// Bytes the cache keeps.
    pub cache_bytes: u64,
    /// Age after which a cache entry is not used and is removed.
    pub cache_max_age: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            api_body_bytes: shared::wire::MAX_SAFE_PROFILE_BYTES + (64 << 10),
            upload_body_bytes: 200 << 20,
            max_files: 20,
            max_rows: 5_000_000,
            max_generated_cells: 50_000_000,
            ingest: shared::Limits {
                max_input_bytes: 200 << 20,
                max_decompressed_bytes: 256 << 20,
                max_cells: 20_000_000,
                max_json_bytes: 64 << 20,
                ..shared::Limits::default()
            },
            request_timeout: Duration::from_secs(300),
            header_read_timeout: Duration::from_secs(10),
            upload_concurrency: 2,
            upload_queue: 16,
            api_concurrency: 16,
            api_per_minute: 60,
            api_burst: 20,
            upload_per_minute: 60,
            upload_burst: 20,
            azure_deadline: Duration::from_secs(60),
            cache_entries: 1_000,
            cache_bytes: 64 << 20,
            cache_max_age: Duration::from_secs(30 * 86_400),
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
    /// Several tokens, comma-separated, give several clients each their own (and their
    /// own spec-cache namespace).
    pub relay_tokens: Vec<Secret>,
    /// `ALLOWED_HOSTS` (comma-separated host names): `Host` headers the relay answers
    /// besides `localhost`, `127.0.0.1` and `[::1]` (DNS rebinding: a page on another
    /// name that resolves here is refused).
    pub allowed_hosts: Vec<String>,
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
        let v = Vars(&raw);
        Ok(Config {
            port: v.parse("APP_PORT", 8201)?,
            log_level: v.get("LOG_LEVEL").unwrap_or_else(|| "info".into()),
            environment: v.get("ENVIRONMENT").unwrap_or_else(|| "local".into()),
            azure: azure(&v)?,
            use_local_storage: v.flag("USE_LOCAL_STORAGE", true)?,
            local_storage_path: v
                .get("LOCAL_STORAGE_PATH")
                .unwrap_or_else(|| "./data/local_storage".into())
                .into(),
            cache_path: v
                .get("LOCAL_CACHE_PATH")
                .unwrap_or_else(|| "./data/cache".into())
                .into(),
            // Set but empty turns file logging off; unset logs to ./logs.
            logs_path: match raw("LOG_DIR") {
                Some(d) if d.trim().is_empty() => None,
                Some(d) => Some(d.trim().into()),
                None => Some("./logs".into()),
            },
            log_stderr: v.flag("LOG_STDERR", true)?,
            dist: v.get("DIST_DIR").unwrap_or_else(|| "./dist".into()).into(),
            relay_tokens: v.list("RELAY_TOKEN").into_iter().map(Secret::new).collect(),
            allowed_hosts: v
                .list("ALLOWED_HOSTS")
                .into_iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            cors_origins: v.list("CORS_ALLOWED_ORIGINS"),
            limits: limits(&v)?,
        })
    }
}

/// A variable lookup with the parsing every setting shares: trimmed, empty = unset, a
/// bad value an error that names the variable.
struct Vars<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    fn get(&self, k: &str) -> Option<String> {
        (self.0)(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn parse<T: std::str::FromStr>(&self, k: &str, default: T) -> anyhow::Result<T>
    where
        T::Err: fmt::Display,
    {
        match self.get(k) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|e| anyhow::anyhow!("{k}={v:?} is not valid: {e}")),
        }
    }

    /// A count that must be at least 1 (concurrency, rates).
    fn at_least_one<T: std::str::FromStr + Ord + From<u8>>(
        &self,
        k: &str,
        default: T,
    ) -> anyhow::Result<T>
    where
        T::Err: fmt::Display,
    {
        Ok(self.parse(k, default)?.max(T::from(1)))
    }

    fn flag(&self, k: &str, default: bool) -> anyhow::Result<bool> {
        match self.get(k).map(|v| v.to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
            Some(v) => bail!("{k}={v:?}: use true or false"),
        }
    }

    fn secs(&self, k: &str, default: Duration) -> anyhow::Result<Duration> {
        Ok(Duration::from_secs(self.parse(k, default.as_secs())?))
    }

    /// Megabytes in the variable, bytes out.
    fn megabytes<T>(&self, k: &str, default_bytes: T) -> anyhow::Result<T>
    where
        T: std::str::FromStr + std::ops::Shr<u32, Output = T> + std::ops::Shl<u32, Output = T>,
        T::Err: fmt::Display,
    {
        Ok(self.parse(k, default_bytes >> 20)? << 20)
    }

    /// A comma-separated list.
    fn list(&self, k: &str) -> Vec<String> {
        self.get(k)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Azure OpenAI, when its endpoint, key and chat deployment are all set.
fn azure(v: &Vars<'_>) -> anyhow::Result<Option<AzureConfig>> {
    let (Some(endpoint), Some(key), Some(chat)) = (
        v.get("AZURE_OPENAI_ENDPOINT"),
        v.get("AZURE_OPENAI_API_KEY"),
        v.get("AZURE_OPENAI_CHAT_DEPLOYMENT_NAME"),
    ) else {
        return Ok(None);
    };
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        bail!("AZURE_OPENAI_ENDPOINT must be an http(s) URL, got {endpoint:?}");
    }
    Ok(Some(AzureConfig {
        endpoint: endpoint.trim_end_matches('/').to_string(),
        api_key: Secret::new(key),
        chat_deployment: chat,
        embedding_deployment: v.get("AZURE_OPENAI_EMBEDDING_DEPLOYMENT_NAME"),
        api_version: v
            .get("AZURE_OPENAI_API_VERSION")
            .unwrap_or_else(|| "2024-10-21".to_string()),
    }))
}

/// Every limit, each from its variable or the default.
fn limits(v: &Vars<'_>) -> anyhow::Result<Limits> {
    let d = Limits::default();
    let upload_body_bytes = v.megabytes("MAX_UPLOAD_MB", d.upload_body_bytes)?;
    Ok(Limits {
        api_body_bytes: d.api_body_bytes,
        upload_body_bytes,
        max_files: v.parse("MAX_FILES", d.max_files)?,
        max_rows: v.parse("MAX_GENERATE_ROWS", d.max_rows)?,
        max_generated_cells: v.parse("MAX_GENERATE_CELLS", d.max_generated_cells)?,
        ingest: shared::Limits {
            max_input_bytes: upload_body_bytes as u64,
            max_cells: v.parse("MAX_UPLOAD_CELLS", d.ingest.max_cells)?,
            max_decompressed_bytes: v
                .megabytes("MAX_DECOMPRESSED_MB", d.ingest.max_decompressed_bytes)?,
            ..d.ingest.clone()
        },
        request_timeout: v.secs("REQUEST_TIMEOUT_SECS", d.request_timeout)?,
        header_read_timeout: v.secs("HEADER_READ_TIMEOUT_SECS", d.header_read_timeout)?,
        upload_concurrency: v.at_least_one("MAX_CONCURRENT_UPLOADS", d.upload_concurrency)?,
        upload_queue: v.parse("UPLOAD_QUEUE", d.upload_queue)?,
        api_concurrency: v.at_least_one("MAX_CONCURRENT_REQUESTS", d.api_concurrency)?,
        api_per_minute: v.at_least_one("API_RATE_PER_MINUTE", d.api_per_minute)?,
        api_burst: v.at_least_one("API_RATE_BURST", d.api_burst)?,
        upload_per_minute: v.at_least_one("UPLOAD_RATE_PER_MINUTE", d.upload_per_minute)?,
        upload_burst: v.at_least_one("UPLOAD_RATE_BURST", d.upload_burst)?,
        azure_deadline: v.secs("AZURE_DEADLINE_SECS", d.azure_deadline)?,
        cache_entries: v.parse("CACHE_MAX_ENTRIES", d.cache_entries)?,
        cache_bytes: v.megabytes("CACHE_MAX_MB", d.cache_bytes)?,
        cache_max_age: Duration::from_secs(
            v.parse("CACHE_MAX_AGE_DAYS", d.cache_max_age.as_secs() / 86_400)? * 86_400,
        ),
    })
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
