//! The relay's memory under hostile uploads: starts the release `byod serve` as a child
//! process, sends every attack of `tests/tests/attacks.rs` several times over, a few
//! at a time, while polling `/health`, and prints each answer, the slowest `/health`
//! and the server's peak resident memory.
//!
//!   cargo build --release -p relay && cargo run --release -p e2e --bin hostile
//!
//! `HOSTILE_ONLY=1` leaves out the one honest request (the largest upload the budgets
//! let through), to see the memory the attacks alone take.
//!
//! `BYOD_BIN` overrides the server binary (default `$CARGO_TARGET_DIR/release/byod`).

use e2e::bombs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let bin = std::env::var("BYOD_BIN").unwrap_or_else(|_| format!("{target}/release/byod"));
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = e2e::temp_dir("hostile");
    let mut child = std::process::Command::new(&bin)
        .args(["serve", "--port", &port.to_string()])
        .env("LOCAL_CACHE_PATH", dir.join("cache"))
        .env("LOG_DIR", dir.join("logs"))
        .env("LOG_LEVEL", "warn")
        .env("UPLOAD_RATE_PER_MINUTE", "100000")
        .env("UPLOAD_RATE_BURST", "10000")
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
    let idle = status_kb(pid, "VmHWM:");
    let stop = Arc::new(AtomicBool::new(false));
    let slowest = Arc::new(AtomicU64::new(0));
    let watcher = {
        let (stop, slowest, url, client) =
            (stop.clone(), slowest.clone(), url.clone(), client.clone());
        tokio::spawn(async move {
            let mut polls = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let ok = client
                    .get(format!("{url}/health"))
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                assert!(ok, "/health did not answer");
                slowest.fetch_max(t.elapsed().as_millis() as u64, Ordering::Relaxed);
                polls += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            polls
        })
    };
    type Attack = (&'static str, &'static str, Vec<u8>, Option<&'static str>);
    let mut attacks: Vec<Attack> = vec![
        ("metadata", "far.xlsx", bombs::xlsx_far_cells(), None),
        (
            "metadata",
            "strings.xlsx",
            bombs::xlsx_string_count_bomb(),
            None,
        ),
        (
            "metadata",
            "lying.xlsx",
            bombs::xlsx_lying_size(300 << 20),
            None,
        ),
        (
            "metadata",
            "wide.ndjson",
            bombs::ndjson_wide_then_empty(4096, 1_000_000),
            None,
        ),
        (
            "metadata",
            "dict.parquet",
            bombs::parquet_dictionary_bomb(40_000, 64 << 10),
            None,
        ),
        (
            "generate",
            "wide.csv",
            bombs::csv_wide(3, 2000),
            Some("5000000"),
        ),
        // Not hostile: the largest upload the budgets let through (20 million cells),
        // for the memory an honest heavy request takes.
        ("generate", "cells.csv", bombs::csv_wide(100_000, 200), None),
    ];
    if std::env::var_os("HOSTILE_ONLY").is_some() {
        attacks.pop();
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for round in 0..4 {
        for (route, name, bytes, rows) in &attacks {
            let (url, client) = (url.clone(), client.clone());
            let (route, name, bytes, rows) = (*route, *name, bytes.clone(), *rows);
            tasks.push(tokio::spawn(async move {
                let mut form = e2e::file_form(name, bytes);
                if let Some(r) = rows {
                    form = form.text("num_rows", r);
                }
                let t = Instant::now();
                let res = client
                    .post(format!("{url}/{route}"))
                    .multipart(form)
                    .send()
                    .await;
                let status = res.map_or(0, |r| r.status().as_u16());
                (round, name, status, t.elapsed())
            }));
        }
    }
    for t in tasks {
        let (round, name, status, took) = t.await.unwrap();
        if round == 0 {
            println!(
                "{name:<14} HTTP {status}  {:>6.0} ms",
                took.as_secs_f64() * 1e3
            );
        }
        assert!(status != 0, "{name}: no answer (the server died?)");
    }
    stop.store(true, Ordering::Relaxed);
    let polls = watcher.await.unwrap();
    println!(
        "{} hostile uploads in {:.1} s; /health answered {polls} polls, slowest {} ms; server peak RSS {} MB (idle {} MB)",
        attacks.len() * 4,
        started.elapsed().as_secs_f64(),
        slowest.load(Ordering::Relaxed),
        status_kb(pid, "VmHWM:") / 1024,
        idle / 1024
    );
    child.kill().ok();
    child.wait().ok();
    let _ = std::fs::remove_dir_all(&dir);
}
