//! Helpers for the end-to-end tests: a fake Azure OpenAI, the relay started
//! in-process, data the project makes itself (PHI with planted sentinels, hostile
//! files).

pub mod fake_azure;

#[path = "../../shared/tests/common/pii.rs"]
pub mod pii;

#[path = "../../shared/tests/common/bombs.rs"]
pub mod bombs;

use relay::server::{AppState, Config};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

/// A fresh empty folder under the system temp folder. A test process cannot remove its
/// folders when it ends (the harness runs no destructors at exit), so the first call of
/// each process removes those of processes that have ended.
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    static SWEPT: OnceLock<()> = OnceLock::new();
    SWEPT.get_or_init(remove_ended_processes_dirs);
    let dir = std::env::temp_dir().join(format!(
        "byod-e2e-{}-{tag}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes `byod-e2e-PID-…` folders whose process has ended (no `/proc/PID`; where
/// there is no `/proc`, nothing is removed).
fn remove_ended_processes_dirs() {
    let tmp = std::env::temp_dir();
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(&tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("byod-e2e-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The one log folder of this test process (logging is global).
pub fn log_dir() -> &'static Path {
    static LOGS: OnceLock<PathBuf> = OnceLock::new();
    LOGS.get_or_init(|| {
        let dir = temp_dir("logs");
        let config = Config::from_vars(|k| match k {
            "LOG_DIR" => Some(dir.display().to_string()),
            "LOG_LEVEL" => Some("debug".into()),
            "LOG_STDERR" => Some("false".into()),
            _ => None,
        })
        .unwrap();
        // The writer must live as long as the process: leak its guard.
        if let Some(guard) = relay::server::logging::init(&config).unwrap() {
            Box::leak(Box::new(guard));
        }
        dir
    })
}

/// A relay running on a loopback port.
#[derive(Debug)]
pub struct Relay {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its cache folder.
    pub cache: PathBuf,
    /// Its state.
    pub state: Arc<AppState>,
}

/// Starts a relay with these environment variables (plus a fresh cache folder and the
/// process's log folder).
pub async fn start_relay(vars: &[(String, String)]) -> Relay {
    start_relay_at(vars, temp_dir("cache")).await
}

/// Starts a relay on this cache folder (a restart of a relay that used it).
pub async fn start_relay_at(vars: &[(String, String)], cache: PathBuf) -> Relay {
    let logs = log_dir().to_path_buf();
    let dist = temp_dir("dist");
    let mut all: Vec<(String, String)> = vars.to_vec();
    all.push(("LOCAL_CACHE_PATH".into(), cache.display().to_string()));
    all.push(("LOG_DIR".into(), logs.display().to_string()));
    all.push(("DIST_DIR".into(), dist.display().to_string()));
    let config = Config::from_vars(|k| {
        all.iter()
            .rev()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.clone())
    })
    .unwrap();
    let state = AppState::new(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let serving = state.clone();
    tokio::spawn(async move { relay::server::serve_on(listener, serving).await.ok() });
    Relay { url, cache, state }
}

/// Pairs for [`start_relay`].
pub fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Values planted in the PHI table, each on 40 rows (so a k-threshold alone would let
/// them through): none may leave or appear in synthetic output.
pub const SENTINELS: [&str; 6] = [
    "Zebulon Quackenbush",
    "zebulon.q@sentinel-mail.test",
    "987-65-4329",
    "MRN-7777777",
    "ACCT99887766",
    "Quixotic Sentinel Lymphoma",
];

/// A PHI table (the project's own made-up people) as CSV, with [`SENTINELS`] planted.
pub fn phi_csv(rows: usize) -> Vec<u8> {
    let t = pii::generate(rows, 77);
    let col = |n: &str| t.names.iter().position(|c| *c == n).unwrap();
    let (name, email, ssn, mrn, acct, notes) = (
        col("full_name"),
        col("email"),
        col("ssn"),
        col("mrn"),
        col("account_number"),
        col("notes"),
    );
    let mut w = csv_writer();
    w.write_record(&t.names).unwrap();
    for (i, row) in t.rows.iter().enumerate() {
        let mut row = row.clone();
        if i % 5 == 0 && i / 5 < 40 {
            row[name] = SENTINELS[0].into();
            row[email] = SENTINELS[1].into();
            row[ssn] = SENTINELS[2].into();
            row[mrn] = SENTINELS[3].into();
            row[acct] = SENTINELS[4].into();
            row[notes] = format!("Diagnosed with {} last spring", SENTINELS[5]);
        }
        w.write_record(&row).unwrap();
    }
    w.into_inner().unwrap()
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::new())
}

/// Files no reader should accept, with the name they are uploaded under.
pub fn hostile_files() -> Vec<(String, Vec<u8>)> {
    let ds = datasets();
    let xlsx = std::fs::read(ds.join("penguins.xlsx")).unwrap();
    let parquet = std::fs::read(ds.join("penguins.parquet")).unwrap();
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let deep = "[".repeat(100_000);
    vec![
        ("empty.csv".into(), Vec::new()),
        ("header_only.csv".into(), b"a,b,c\n".to_vec()),
        ("garbage.csv".into(), garbage),
        (
            "parquet_named.csv".into(),
            b"PAR1\x15\x04\x15\x10garbage".to_vec(),
        ),
        ("csv_named.xlsx".into(), b"a,b\n1,2\n".to_vec()),
        ("truncated.xlsx".into(), xlsx[..xlsx.len() / 2].to_vec()),
        (
            "truncated.parquet".into(),
            parquet[..parquet.len() - 10].to_vec(),
        ),
        ("deep.json".into(), deep.into_bytes()),
        ("ragged.csv".into(), b"a,b\n1,2\n3,4,5,6\n".to_vec()),
    ]
}

/// A multipart form with one file, as the user guide sends it.
pub fn file_form(name: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    )
}

/// POSTs a form to `{base}/{route}`.
pub async fn post_form(
    base: &str,
    route: &str,
    form: reqwest::multipart::Form,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/{route}"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// POSTs a form to `{base}/{route}` with `Authorization: Bearer TOKEN`.
pub async fn post_form_as(
    base: &str,
    route: &str,
    form: reqwest::multipart::Form,
    token: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/{route}"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// GETs `url` as JSON.
pub async fn get_json(url: &str) -> serde_json::Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// The SafeProfile the relay at `base` makes of a file (through `/metadata`).
pub async fn safe_profile(base: &str, name: &str, bytes: Vec<u8>) -> serde_json::Value {
    let res = post_form(base, "metadata", file_form(name, bytes)).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    body["safe_profile"].clone()
}

/// `../shared/datasets`.
pub fn datasets() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets")
}
