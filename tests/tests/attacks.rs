//! The relay under attack: one test per attack, each asserting that it fails. The
//! relay runs in-process on a loopback port; the attacks come over HTTP, as they would.

use e2e::{bombs, datasets, file_form, post_form, post_form_as, start_relay, vars};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn status_and_message(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// Polls `/health` until stopped; the slowest answer, in ms.
fn watch_health(url: String, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<(u64, u64)> {
    tokio::spawn(async move {
        let slowest = AtomicU64::new(0);
        let mut polls = 0;
        while !stop.load(Ordering::Relaxed) {
            let started = Instant::now();
            let res = tokio::time::timeout(Duration::from_secs(5), client().get(&url).send()).await;
            let ms = started.elapsed().as_millis() as u64;
            assert!(
                matches!(res, Ok(Ok(ref r)) if r.status() == 200),
                "/health failed: {res:?}"
            );
            slowest.fetch_max(ms, Ordering::Relaxed);
            polls += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (slowest.load(Ordering::Relaxed), polls)
    })
}

/// Was: a 1.5 KB workbook made the relay allocate 512 GB and die; a 3 MB NDJSON built
/// a 98 GB grid; a 3-row CSV asked for 10^10 generated cells. Now each is refused with
/// a message, and `/health` answers within a second throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_uploads_get_clear_errors_while_health_keeps_answering() {
    let relay = start_relay(&vars(&[
        ("UPLOAD_RATE_PER_MINUTE", "10000"),
        ("UPLOAD_RATE_BURST", "100"),
    ]))
    .await;
    let stop = Arc::new(AtomicBool::new(false));
    let health = watch_health(format!("{}/health", relay.url), stop.clone());
    type Attack = (
        &'static str,
        &'static str,
        Vec<u8>,
        Vec<(&'static str, &'static str)>,
    );
    let attacks: Vec<Attack> = vec![
        ("metadata", "far.xlsx", bombs::xlsx_far_cells(), vec![]),
        (
            "metadata",
            "strings.xlsx",
            bombs::xlsx_string_count_bomb(),
            vec![],
        ),
        (
            "metadata",
            "lying.xlsx",
            bombs::xlsx_lying_size(300 << 20),
            vec![],
        ),
        (
            "metadata",
            "wide.ndjson",
            bombs::ndjson_wide_then_empty(4096, 1_000_000),
            vec![],
        ),
        (
            "metadata",
            "dict.parquet",
            bombs::parquet_dictionary_bomb(40_000, 64 << 10),
            vec![],
        ),
        (
            "generate",
            "wide.csv",
            bombs::csv_wide(3, 2000),
            vec![("num_rows", "5000000")],
        ),
    ];
    let mut tasks = Vec::new();
    for (route, name, bytes, fields) in attacks {
        let url = relay.url.clone();
        let fields: Vec<(String, String)> = fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut form = file_form(name, bytes);
            for (k, v) in fields {
                form = form.text(k, v);
            }
            let started = Instant::now();
            let res = post_form(&url, route, form).await;
            let (status, message) = status_and_message(res).await;
            (name, status, message, started.elapsed())
        }));
    }
    for t in tasks {
        let (name, status, message, took) = t.await.unwrap();
        assert!(
            (400..500).contains(&status) && !message.is_empty(),
            "{name}: HTTP {status} {message:?}"
        );
        assert!(took < Duration::from_secs(60), "{name} took {took:?}");
    }
    stop.store(true, Ordering::Relaxed);
    let (slowest, polls) = health.await.unwrap();
    assert!(polls > 0);
    assert!(
        slowest < 1_000,
        "/health took {slowest} ms while under attack"
    );
    let h: Value = client()
        .get(format!("{}/health", relay.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
}

/// Each budget, with an input just over it and one at it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_budget_refuses_just_over_it_and_serves_at_it() {
    let relay = start_relay(&vars(&[
        ("MAX_GENERATE_CELLS", "2000"),
        ("MAX_UPLOAD_CELLS", "1000"),
        ("MAX_DECOMPRESSED_MB", "1"),
    ]))
    .await;
    let csv = |rows| bombs::csv_wide(rows, 10);
    // Generated cells: 200 rows × 10 columns = 2,000.
    let make = |rows: &'static str| {
        let form = file_form("t.csv", csv(50)).text("num_rows", rows);
        post_form(&relay.url, "generate", form)
    };
    assert_eq!(make("200").await.status(), 200);
    let (status, message) = status_and_message(make("201").await).await;
    assert_eq!(status, 413, "{message}");
    assert!(
        message.contains("2010 cells") && message.contains("2000"),
        "{message}"
    );
    // Uploaded cells: 100 rows × 10 columns = 1,000.
    assert_eq!(
        post_form(&relay.url, "metadata", file_form("ok.csv", csv(100)))
            .await
            .status(),
        200
    );
    let (status, message) = status_and_message(
        post_form(&relay.url, "metadata", file_form("over.csv", csv(101))).await,
    )
    .await;
    assert_eq!(status, 413, "{message}");
    // Inflated bytes: a workbook that inflates past 1 MB.
    let (status, message) = status_and_message(
        post_form(
            &relay.url,
            "metadata",
            file_form("big.xlsx", bombs::xlsx_lying_size(2 << 20)),
        )
        .await,
    )
    .await;
    assert!(matches!(status, 413 | 422), "{status} {message}");
    assert!(message.contains("sheet1.xml"), "{message}");
}

/// Was: a request that timed out went on running on the blocking pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_request_stops_its_work() {
    let relay = start_relay(&vars(&[("REQUEST_TIMEOUT_SECS", "1")])).await;
    let diamonds = std::fs::read(datasets().join("diamonds.csv")).unwrap();
    let form = file_form("diamonds.csv", diamonds).text("num_rows", "5000000");
    let res = post_form(&relay.url, "generate", form).await;
    assert_eq!(res.status(), 408);
    let started = Instant::now();
    loop {
        let h: Value = client()
            .get(format!("{}/health", relay.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if h["jobs"] == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the timed-out work is still running: {h}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Was: any web site could fire a form post at a local relay (a CORS simple request),
/// and a page on a rebinding name could read it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_requests_and_foreign_host_names_are_refused() {
    let relay = start_relay(&[]).await;
    let host = relay.url.trim_start_matches("http://").to_string();
    let penguins = || std::fs::read(datasets().join("penguins.csv")).unwrap();
    let post = |headers: Vec<(&'static str, String)>| {
        let mut req = client()
            .post(format!("{}/metadata", relay.url))
            .multipart(file_form("penguins.csv", penguins()));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send()
    };
    // Another site's form post: refused.
    let (status, message) = status_and_message(
        post(vec![("origin", "https://evil.example".into())])
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403, "{message}");
    // ...also with the page's header (the browser would have asked first, and been told
    // no), and from the same machine on another port.
    for origin in ["https://evil.example", "http://localhost:9999"] {
        let res = post(vec![
            ("origin", origin.into()),
            ("x-byod-client", "page".into()),
        ])
        .await
        .unwrap();
        assert_eq!(res.status(), 403, "{origin}");
    }
    // The page itself (its own origin, its header) and scripts (no browser headers) pass.
    let res = post(vec![
        ("origin", format!("http://{host}")),
        ("x-byod-client", "page".into()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(post(vec![]).await.unwrap().status(), 200);
    // A browser request without the page's header, even from the page's origin.
    let res = post(vec![("origin", format!("http://{host}"))])
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // DELETE /cache from another site.
    let res = client()
        .delete(format!("{}/cache", relay.url))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // DNS rebinding: the relay does not answer to a name it does not know.
    let port = host.rsplit(':').next().unwrap();
    for name in [
        format!("evil.example:{port}"),
        "rebind.attacker.test".to_string(),
    ] {
        let res = client()
            .get(format!("{}/health", relay.url))
            .header("host", &name)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 421, "{name}");
    }
    // Its own names pass, and the page gets its security headers.
    let res = client()
        .get(format!("http://localhost:{port}/"))
        .send()
        .await
        .unwrap();
    let csp = res
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_string());
    assert!(csp.unwrap_or_default().contains("frame-ancestors 'none'"));
}

/// Was: with RELAY_TOKEN unset every route was open on any address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_on_a_network_address_needs_a_token() {
    let config = relay::server::Config::from_vars(|_| None).unwrap();
    let err = relay::server::serve(config, "0.0.0.0".parse().unwrap())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("RELAY_TOKEN"), "{err}");
}

/// Was: no header-read timeout: idle connections held the server's slots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_never_finish_their_headers_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let relay = start_relay(&vars(&[("HEADER_READ_TIMEOUT_SECS", "1")])).await;
    let addr = relay.url.trim_start_matches("http://").to_string();
    let mut idle = Vec::new();
    for _ in 0..64 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
            .await
            .unwrap();
        idle.push(s);
    }
    // Everyone else is still served.
    assert_eq!(
        client()
            .get(format!("{}/health", relay.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    for mut s in idle {
        let mut buf = [0u8; 256];
        let n = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf))
            .await
            .expect("the relay should have closed the connection")
            .unwrap_or(0);
        // Closed (0), or an error answer before closing; never a served request.
        assert!(
            n == 0 || buf.starts_with(b"HTTP/1.1 408"),
            "{:?}",
            String::from_utf8_lossy(&buf[..n])
        );
    }
}

/// Was: uploads had no rate limit, and shared 32 slots with /health and the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uploads_are_rate_limited_and_take_turns_apart_from_health() {
    let relay = start_relay(&vars(&[
        ("UPLOAD_RATE_PER_MINUTE", "3"),
        ("UPLOAD_RATE_BURST", "3"),
    ]))
    .await;
    let small = || file_form("t.csv", bombs::csv_wide(20, 3));
    for _ in 0..3 {
        assert_eq!(
            post_form(&relay.url, "metadata", small()).await.status(),
            200
        );
    }
    assert_eq!(
        post_form(&relay.url, "metadata", small()).await.status(),
        429
    );
    // One working turn and no queue: while a long generation runs, another upload is
    // told to come back, and /health answers at once.
    let busy = start_relay(&vars(&[
        ("MAX_CONCURRENT_UPLOADS", "1"),
        ("UPLOAD_QUEUE", "0"),
    ]))
    .await;
    let url = busy.url.clone();
    let diamonds = std::fs::read(datasets().join("diamonds.csv")).unwrap();
    let long = tokio::spawn(async move {
        post_form(
            &url,
            "generate",
            file_form("diamonds.csv", diamonds).text("num_rows", "3000000"),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let res = post_form(&busy.url, "metadata", small()).await;
    assert_eq!(res.status(), 503);
    assert!(res.headers().contains_key("retry-after"));
    let started = Instant::now();
    assert_eq!(
        client()
            .get(format!("{}/health", busy.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(long.await.unwrap().status(), 200);
}

/// A table with a doctor's name as a frequent category (so the guard names it).
fn clinic(doctor: &str, seed: usize) -> Vec<u8> {
    let mut s = String::from("doctor,ward,stay_days\n");
    for i in 0..600 {
        let d = match (i + seed) % 4 {
            0 => doctor,
            1 => "Dr. Common One",
            2 => "Dr. Common Two",
            _ => "Dr. Common Three",
        };
        s += &format!(
            "{d},{},{}\n",
            ["A", "B", "C"][i % 3],
            1 + (i * 7 + seed) % 19
        );
    }
    s.into_bytes()
}

/// Was: one cache for all clients: a near match on structure returned a spec built from
/// another client's SafeProfile, with its category values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn specs_do_not_cross_between_clients() {
    let relay = start_relay(&vars(&[("RELAY_TOKEN", "token-a,token-b")])).await;
    let generate = |token: &'static str, bytes: Vec<u8>| {
        let form = file_form("clinic.csv", bytes).text("num_rows", "300");
        post_form_as(&relay.url, "generate", form, token)
    };
    let victim = "Dr. Jane Roe-Victim";
    let a = generate("token-a", clinic(victim, 0)).await;
    assert_eq!(a.status(), 200);
    assert!(
        String::from_utf8(a.bytes().await.unwrap().to_vec())
            .unwrap()
            .contains(victim)
    );
    // Client B: the same structure, nearly the same statistics, no victim.
    let b = generate("token-b", clinic("Dr. Other Doctor", 1)).await;
    assert_ne!(b.headers()["x-spec-source"], "cache");
    let body = String::from_utf8(b.bytes().await.unwrap().to_vec()).unwrap();
    assert!(!body.contains(victim), "client A's doctor reached client B");
    // Client A's own similar file does reuse A's spec.
    let again = generate("token-a", clinic(victim, 0)).await;
    assert_eq!(again.headers()["x-spec-source"], "cache");
    // And without a token (a loopback relay), no similar match either.
    let open = start_relay(&[]).await;
    for doctor in [victim, "Dr. Other Doctor"] {
        let form = file_form("clinic.csv", clinic(doctor, 0)).text("num_rows", "300");
        let res = post_form(&open.url, "generate", form).await;
        assert_ne!(res.headers()["x-spec-source"], "cache");
        assert_eq!(
            doctor == victim,
            String::from_utf8(res.bytes().await.unwrap().to_vec())
                .unwrap()
                .contains(victim)
        );
    }
}

/// Was: a spec that failed to compile was cached, and every later request of that
/// structure answered 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spec_that_does_not_compile_is_never_cached() {
    let relay = start_relay(&[]).await;
    let profile = e2e::safe_profile(
        &relay.url,
        "penguins.csv",
        std::fs::read(datasets().join("penguins.csv")).unwrap(),
    )
    .await;
    // More named values than a spec may list: the template's spec cannot compile.
    let mut poisoned = profile.clone();
    poisoned["row_count"] = json!(100_000_000_000u64);
    poisoned["columns"][0]["categories"]["values"] = Value::Array(
        (0..100_001)
            .map(|i| json!({"value": format!("v{i}"), "share": 0.0001}))
            .collect(),
    );
    let ask = |p: Value| {
        client()
            .post(format!("{}/api/spec", relay.url))
            .json(&json!({"safe_profile": p, "strictness": 0.8}))
            .send()
    };
    for _ in 0..2 {
        let res = ask(poisoned.clone()).await.unwrap();
        let (status, message) = status_and_message(res).await;
        assert_eq!(status, 422, "{message}");
        assert!(message.contains("$.columns[0]"), "{message}");
    }
    assert_eq!(relay.state.cache.len(), 0, "nothing was cached");
    let res = ask(profile).await.unwrap();
    assert_eq!(res.status(), 200);
}

/// Was: `/generate` guarded with the generation seed it echoes in X-Seed, so each
/// column's k was known: plant k−1 copies of a value, and whether the output holds it
/// says whether a victim's record does. Now the attacker's inference is no better
/// than a guess at k.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planting_k_minus_one_copies_does_not_reveal_a_victims_record() {
    use rand::{RngExt, SeedableRng};
    let relay = start_relay(&vars(&[
        ("UPLOAD_RATE_PER_MINUTE", "100000"),
        ("UPLOAD_RATE_BURST", "1000"),
    ]))
    .await;
    let rare = "Zebulon Syndrome";
    let trials = 60;
    let mut right = 0;
    for trial in 0..trials {
        let seed = 1_000 + trial as u64;
        // The k the guard drew for the first column, as the seed would have fixed it.
        let k_guess = rand_chacha::ChaCha8Rng::seed_from_u64(seed).random_range(5u32..=7);
        let victim_has_it = trial % 2 == 0;
        let mut csv = String::from("diagnosis,ward\n");
        for i in 0..1200 {
            csv += &format!("{},{}\n", ["flu", "asthma"][i % 2], ["A", "B"][i % 3 % 2]);
        }
        for _ in 0..k_guess - 1 {
            csv += &format!("{rare},A\n");
        }
        csv += &format!("{},B\n", if victim_has_it { rare } else { "flu" });
        // No cache: each trial's spec is made from its own upload.
        let form = file_form("ward.csv", csv.into_bytes())
            .text("num_rows", "3000")
            .text("use_cache", "false")
            .text("seed", seed.to_string());
        let res = post_form(&relay.url, "generate", form).await;
        assert_eq!(res.headers()["x-seed"], seed.to_string().as_str());
        let out = String::from_utf8(res.bytes().await.unwrap().to_vec()).unwrap();
        let inferred = out.contains(rare);
        right += usize::from(inferred == victim_has_it);
    }
    let accuracy = right as f64 / trials as f64;
    assert!(
        accuracy < 0.9,
        "the attacker was right {right} times in {trials}"
    );
}
