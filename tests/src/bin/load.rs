//! A bounded load test of the relay on loopback.
//!
//! Starts a fake Azure OpenAI in this process and the release `byod serve` as a child
//! process pointed at it (so the server's memory is its own), then runs fixed numbers
//! of requests at a fixed concurrency against `/health`, `/api/spec` and `/generate`
//! (a 1 MB CSV), and prints throughput, p50/p99 latency and the server's peak RSS.
//!
//!   cargo build --release -p relay && cargo run --release -p e2e --bin load
//!
//! `BYOD_BIN` overrides the server binary (default `$CARGO_TARGET_DIR/release/byod`).

use e2e::fake_azure::FakeAzure;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

fn rss_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// About `bytes` of CSV rows resampled from penguins.csv.
fn csv_of_size(bytes: usize) -> Vec<u8> {
    let src = std::fs::read_to_string(e2e::datasets().join("penguins.csv")).unwrap();
    let mut lines = src.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let mut out = format!("{header}\n");
    let mut i = 0;
    while out.len() < bytes {
        out += rows[i % rows.len()];
        out.push('\n');
        i += 7;
    }
    out.into_bytes()
}

async fn run<F, Fut>(name: &str, total: usize, concurrency: usize, pid: u32, make: F)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u16> + Send,
{
    let make = Arc::new(make);
    let start = Instant::now();
    let mut tasks = Vec::new();
    let per = total / concurrency;
    for _ in 0..concurrency {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per);
            let mut bad = 0;
            for _ in 0..per {
                let t = Instant::now();
                let status = make().await;
                lat.push(t.elapsed());
                if status != 200 {
                    bad += 1;
                }
            }
            (lat, bad)
        }));
    }
    let mut lat = Vec::new();
    let mut bad = 0;
    for t in tasks {
        let (l, b) = t.await.unwrap();
        lat.extend(l);
        bad += b;
    }
    let wall = start.elapsed();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "{name:<26} {:>6} req  {:>3} conc  {:>8.1} req/s  p50 {:>7.1} ms  p99 {:>7.1} ms  non-200 {bad}  server RSS {} MB (peak {} MB)",
        lat.len(),
        concurrency,
        lat.len() as f64 / wall.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        rss_kb(pid, "VmRSS:") / 1024,
        rss_kb(pid, "VmHWM:") / 1024,
    );
}

#[tokio::main]
async fn main() {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let bin = std::env::var("BYOD_BIN").unwrap_or_else(|_| format!("{target}/release/byod"));
    let fake = FakeAzure::start().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = e2e::temp_dir("load");
    let mut child = std::process::Command::new(&bin)
        .args(["serve", "--port", &port.to_string()])
        .envs(fake.vars())
        .env("LOCAL_CACHE_PATH", dir.join("cache"))
        .env("LOG_DIR", dir.join("logs"))
        .env("LOG_LEVEL", "warn")
        .env("API_RATE_PER_MINUTE", "1000000")
        .env("API_RATE_BURST", "100000")
        .current_dir(&dir)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e} (cargo build --release -p relay)"));
    let pid = child.id();
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{url}/health")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "server idle RSS {} MB; 2 cores shared by the client, the fake Azure and the server",
        rss_kb(pid, "VmRSS:") / 1024
    );

    let (c, u) = (client.clone(), url.clone());
    run("GET /health", 20_000, 32, pid, move || {
        let (c, u) = (c.clone(), u.clone());
        async move {
            c.get(format!("{u}/health"))
                .send()
                .await
                .map_or(0, |r| r.status().as_u16())
        }
    })
    .await;

    let penguins = std::fs::read(e2e::datasets().join("penguins.csv")).unwrap();
    let profile = e2e::safe_profile(&url, "penguins.csv", penguins).await;
    let body = Arc::new(json!({"safe_profile": profile, "use_cache": false}));
    let (c, u) = (client.clone(), url.clone());
    run("POST /api/spec (fake LLM)", 2_000, 16, pid, move || {
        let (c, u, b) = (c.clone(), u.clone(), body.clone());
        async move {
            c.post(format!("{u}/api/spec"))
                .json(&*b)
                .send()
                .await
                .map_or(0, |r| r.status().as_u16())
        }
    })
    .await;

    let csv = Arc::new(csv_of_size(1 << 20));
    let (c, u) = (client.clone(), url.clone());
    run("POST /generate (1 MB CSV)", 64, 8, pid, move || {
        let (c, u, csv) = (c.clone(), u.clone(), csv.clone());
        async move {
            let form = e2e::file_form("load.csv", csv.to_vec()).text("use_cache", "false");
            match c.post(format!("{u}/generate")).multipart(form).send().await {
                Ok(r) => {
                    let s = r.status().as_u16();
                    let _ = r.bytes().await;
                    s
                }
                Err(_) => 0,
            }
        }
    })
    .await;
    let azure_calls = fake.received().len();
    println!("fake Azure received {azure_calls} requests");
    child.kill().ok();
    child.wait().ok();
    let _ = std::fs::remove_dir_all(&dir);
}
