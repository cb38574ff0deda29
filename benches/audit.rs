//! Audit-trail benchmarks (issue: tamper-evident audit trail), each against a baseline measured
//! in the same run.
//!
//! 1. Durable append throughput with 64 concurrent writers: appending events (a plain durable
//!    INSERT, group-committed) vs the Merkle log's work on them: computing each leaf hash (done
//!    as the event is appended, timed apart here) and adding the leaves to the log. Target: the
//!    Merkle/hashing overhead under 25%.
//! 2. `verify_log` over N events vs raw SHA-256 over the same canonical bytes. Target: at least
//!    50% of raw SHA-256's speed. Prints events/s. (AUDIT_EVENTS=N, default 1,000,000; QUICK=1
//!    uses 20,000.)
//! 3. An audited authenticated GET of a person's record (the API's JSON and the web page) vs the
//!    same request with recording off, 32 concurrent clients, interleaved rounds. Target: at most
//!    1.3x.
//!
//! SQLite always; PostgreSQL too for (1) and (2) when CUSTODIAN_TEST_DATABASE_URL is set. AUDIT_BENCH=append,
//! get or verify runs only that one.

#[path = "common.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use custodian_store::{AuditMeta, Backend};
use sha2::Digest;

const PASSWORD: &str = "a long and unremarkable passphrase";

/// 64 writers appending `per` events each, every append durable before the next; how long.
async fn write_events(store: &custodian_store::SharedStore, per: usize) -> Duration {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let meta = AuditMeta {
                actor: format!("writer{w}"),
                ip: Some("10.0.0.1".into()),
                user_agent: Some("bench".into()),
                request_id: Some(format!("req-{w}")),
                ..Default::default()
            };
            for i in 0..per {
                let e = meta
                    .event(None, "person.view", "person", Some(format!("{w}-{i}")))
                    .details(serde_json::json!({ "records": 1 }));
                store.append_event(&e).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    start.elapsed()
}

async fn append_throughput(backend: Backend, events: usize) {
    let Some(db) = custodian_store::testing::fresh(backend).await else {
        return;
    };
    let store = db.store.clone();
    let audit = custodian_app::audit::AuditService::new("bench/audit", [3u8; 32]);
    let per = events / 64;
    let append = write_events(&store, per).await;
    // The append computes each event's leaf hash as it writes the row: time that work apart,
    // on the same events, and count it as overhead (taking it out of the plain INSERT's time).
    let events: Vec<_> = store.events(None, 1000).await.unwrap();
    let start = Instant::now();
    for i in 0..per * 64 {
        let e = &events[i % events.len()];
        std::hint::black_box(
            custodian_store::event_leaf_hash(e.id, e.occurred_at, &e.event, &e.details_text)
                .unwrap(),
        );
    }
    let hashing = start.elapsed();
    let plain = append.saturating_sub(hashing);
    let start = Instant::now();
    let size = audit.integrate(&store).await.unwrap();
    let integrate = start.elapsed();
    assert_eq!(size as usize, per * 64);
    println!(
        "{backend:?}: {} events by 64 writers: durable appends {:.0}/s ({}, of which hashing {}); adding them to the Merkle log afterwards {}; overhead (hashing + adding, summed) {:.1}% of the plain INSERTs (target < 25%)",
        per * 64,
        (per * 64) as f64 / append.as_secs_f64(),
        ms(append),
        ms(hashing),
        ms(integrate),
        100.0 * (hashing + integrate).as_secs_f64() / plain.as_secs_f64()
    );
    // As a server runs: the log is kept up beside the writers (integrated every 250 ms, where
    // the scheduler does it every minute), and the clock stops when the last event is in it.
    let Some(db) = custodian_store::testing::fresh(backend).await else {
        return;
    };
    let store = db.store.clone();
    let audit = std::sync::Arc::new(custodian_app::audit::AuditService::new(
        "bench/audit",
        [3u8; 32],
    ));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let start = Instant::now();
    let integrator = {
        let (store, audit, done) = (store.clone(), audit.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                audit.integrate(&store).await.unwrap();
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    write_events(&store, per).await;
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    integrator.await.unwrap();
    let size = audit.integrate(&store).await.unwrap();
    let kept_up = start.elapsed();
    assert_eq!(size as usize, per * 64);
    println!(
        "{backend:?}: the same with the log kept up beside the writers: every event durable and in the log after {} = {:.0}/s, {:.1}% slower than the plain INSERTs above",
        ms(kept_up),
        (per * 64) as f64 / kept_up.as_secs_f64(),
        100.0 * (kept_up.as_secs_f64() / plain.as_secs_f64() - 1.0)
    );
}

async fn verify_speed(backend: Backend, events: usize) {
    let Some(db) = custodian_store::testing::fresh(backend).await else {
        return;
    };
    let store = db.store.clone();
    let audit = custodian_app::audit::AuditService::new("bench/audit", [3u8; 32]);
    let mut tasks = Vec::new();
    for w in 0..64 {
        let store = store.clone();
        let n = events / 64;
        tasks.push(tokio::spawn(async move {
            let meta = AuditMeta {
                actor: format!("writer{w}"),
                request_id: Some(format!("req-{w}")),
                ..Default::default()
            };
            for i in 0..n {
                store
                    .append_event(&meta.event(
                        None,
                        "person.view",
                        "person",
                        Some(format!("{w}-{i}")),
                    ))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    audit.checkpoint(&store).await.unwrap();
    eprintln!("  {events} events written; reading and verifying them");
    // Raw SHA-256 over the same canonical bytes (read from the same store, so only the hashing
    // is timed here).
    let mut bytes = Vec::new();
    let mut pages = store.log_leaves(0);
    while let Some(page) = pages.recv().await {
        let page = page.unwrap();
        for leaf in &page.leaves {
            bytes.push(page.record(leaf).unwrap().unwrap().to_vec());
        }
    }
    let total: usize = bytes.iter().map(Vec::len).sum();
    // Five interleaved rounds of each measurement. The machine is shared and its speed drifts:
    // the ratio is taken within each round (measurements seconds apart) and the median round's
    // ratio counts; events/s are the fastest round's.
    let (mut raw, mut compute, mut read, mut verify) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut report = None;
    for _ in 0..5 {
        let start = Instant::now();
        for b in &bytes {
            std::hint::black_box(sha2::Sha256::digest(b));
        }
        raw.push(start.elapsed());
        // The verification's own work on records already read: leaf hashes and the whole tree.
        let start = Instant::now();
        let tree = custodian_audit::Tree::from_leaves(
            bytes.iter().map(|b| custodian_audit::merkle::leaf_hash(b)),
        );
        std::hint::black_box(tree.root(tree.size()));
        compute.push(start.elapsed());
        // Reading the rows alone (and rebuilding each record from its columns), as verification
        // must: the store is the only copy of the events.
        let start = Instant::now();
        let mut pages = store.log_leaves(0);
        while let Some(page) = pages.recv().await {
            std::hint::black_box(page.unwrap());
        }
        read.push(start.elapsed());
        let start = Instant::now();
        let r = custodian_app::audit::verify_log(&store, &audit.public_key())
            .await
            .unwrap();
        verify.push(start.elapsed());
        assert!(r.ok, "{}", r.summary());
        report = Some(r);
    }
    let leaves = report.unwrap().leaves as f64;
    let rounds = |d: &[Duration]| d.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ");
    let best = |d: &[Duration]| d.iter().min().unwrap().as_secs_f64();
    let median_ratio = |of: &[Duration]| {
        let mut r: Vec<f64> = raw
            .iter()
            .zip(of)
            .map(|(raw, d)| raw.as_secs_f64() / d.as_secs_f64())
            .collect();
        r.sort_by(f64::total_cmp);
        100.0 * r[r.len() / 2]
    };
    println!(
        "{backend:?}: verify {leaves} events ({:.0} MB of records): {:.0} events/s (rounds {}); raw SHA-256 of the same bytes {:.0} events/s (rounds {}); verify runs at {:.0}% of raw SHA-256 (median of the rounds' ratios; target >= 50%)",
        total as f64 / 1e6,
        leaves / best(&verify),
        rounds(&verify),
        leaves / best(&raw),
        rounds(&raw),
        median_ratio(&verify)
    );
    println!(
        "  the tree work alone on records already read, on one thread: {:.0} events/s (rounds {}), {:.0}% of raw SHA-256",
        leaves / best(&compute),
        rounds(&compute),
        median_ratio(&compute)
    );
    println!(
        "  reading the rows and rebuilding their records alone: {:.0} events/s (rounds {}), {:.0}% of raw SHA-256",
        leaves / best(&read),
        rounds(&read),
        median_ratio(&read)
    );
}

async fn audited_get(backend: Backend, quick: bool) {
    let Some(s) = server_on(backend).await else {
        return;
    };
    let (practice, users) = practice_with_staff(&s, 2, PASSWORD).await;
    // A second server on the same store with recording of reads switched off.
    let mut off = s.state.clone();
    off.audit_reads = false;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let off_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(custodian_web::serve(listener, off, std::future::pending()));
    let c = client();
    let (cookie, _) = sign_in(&c, &s.url, &users[0], PASSWORD).await;
    let me: serde_json::Value = c
        .get(format!("{}/api/v1/me", s.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let person = me["id"].as_str().unwrap().to_string();
    // The person's record as the API gives it and as the web page shows it.
    for (what, path) in [
        (
            "GET a person's record (API)",
            format!("/api/v1/practices/{practice}/people/{person}"),
        ),
        (
            "GET a person's page (web)",
            format!("/practices/{practice}/people/{person}"),
        ),
    ] {
        let call = |url: String| {
            let (c, cookie, path) = (c.clone(), cookie.clone(), path.clone());
            move |_| get_ok(c.clone(), url.clone(), path.clone(), cookie.clone())
        };
        let round = Duration::from_millis(if quick { 500 } else { 2000 });
        // Interleaved pairs of rounds; the machine is shared and its speed drifts, so each
        // pair's ratio of medians is taken seconds apart and the median pair counts.
        let (mut audited, mut plain, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..if quick { 3 } else { 5 } {
            let p = load(32, round, call(off_url.clone())).await;
            let a = load(32, round, call(s.url.clone())).await;
            ratios.push(
                stats(a.clone()).median.as_secs_f64() / stats(p.clone()).median.as_secs_f64(),
            );
            plain.extend(p);
            audited.extend(a);
        }
        ratios.sort_by(f64::total_cmp);
        let pairs = ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(", ");
        let (a, p) = (stats(audited), stats(plain));
        println!(
            "{backend:?}: {what} at 32 clients: audited median {} p95 {} ({} requests) vs recording off median {} p95 {} ({} requests): {:.2}x median (pairs of rounds: {pairs}; median pair {:.2}x), {:.2}x p95 (target <= 1.3x)",
            ms(a.median),
            ms(a.p95),
            a.n,
            ms(p.median),
            ms(p.p95),
            p.n,
            a.median.as_secs_f64() / p.median.as_secs_f64(),
            ratios[ratios.len() / 2],
            a.p95.as_secs_f64() / p.p95.as_secs_f64()
        );
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let quick = std::env::var("QUICK").is_ok();
    let n: usize = std::env::var("AUDIT_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 20_000 } else { 1_000_000 });
    let appends = if quick { 6_400 } else { 64_000 };
    // AUDIT_BENCH=append|get|verify runs one of the three.
    let only = std::env::var("AUDIT_BENCH").unwrap_or_default();
    let runs = |name: &str| only.is_empty() || only == name;
    if runs("append") {
        append_throughput(Backend::Sqlite, appends).await;
        append_throughput(Backend::Postgres, appends).await;
    }
    if runs("get") {
        audited_get(Backend::Sqlite, quick).await;
        audited_get(Backend::Postgres, quick).await;
    }
    if runs("verify") {
        verify_speed(Backend::Sqlite, n).await;
        verify_speed(Backend::Postgres, n).await;
    }
}
