//! Identity benchmarks (issue: staff identity and access).
//!
//! 1. Sign-in cost: median and p99 of one sign-in (Argon2id, m = 19 MiB, t = 2).
//! 2. Under 64 concurrent sign-ins: GET /healthz p99 (target < 50 ms) and the process's peak
//!    memory (target < 512 MiB), against /healthz measured idle in the same run.
//! 3. Authenticated request overhead: GET /api/v1/practices/{id} with a session (session lookup
//!    and the permission check) against GET /healthz, same concurrency, interleaved rounds
//!    (target: at most 1.5x the latency).
//!
//! Run: `cargo bench -p custodian-benches --bench identity` (QUICK=1 for a short run).

#[path = "common.rs"]
mod common;

use std::time::Duration;

use common::*;

const PASSWORD: &str = "a long and unremarkable passphrase";

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let quick = std::env::var("QUICK").is_ok();
    let secs = |n: u64| Duration::from_millis(if quick { n * 250 } else { n * 1000 });
    let s = server().await;
    let (practice, users) = practice_with_staff(&s, 64, PASSWORD).await;
    let c = client();

    // 1. Sign-in cost, one at a time.
    let mut times = Vec::new();
    for u in users.iter().cycle().take(if quick { 10 } else { 40 }) {
        times.push(sign_in(&c, &s.url, u, PASSWORD).await.1);
    }
    let one = stats(times);
    println!(
        "sign-in, one at a time: median {}, p99 {} (n={})",
        ms(one.median),
        ms(one.p99),
        one.n
    );

    // 2. /healthz idle, then while 64 sign-ins run at once.
    let url = s.url.clone();
    let hc = c.clone();
    let health = move |_| {
        let (c, url) = (hc.clone(), url.clone());
        async move {
            let r = c.get(format!("{url}/healthz")).send().await.unwrap();
            assert!(r.status().is_success());
        }
    };
    let idle = stats(load(1, secs(2), health.clone()).await);
    let flood_users = users.clone();
    let (fc, furl) = (c.clone(), s.url.clone());
    let flood = tokio::spawn(load(64, secs(6), move |w| {
        let (c, url, u) = (fc.clone(), furl.clone(), flood_users[w].clone());
        async move {
            sign_in(&c, &url, &u, PASSWORD).await;
        }
    }));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let busy = stats(load(1, secs(5), health.clone()).await);
    let signins = stats(flood.await.unwrap());
    println!(
        "64 concurrent sign-ins: {} sign-ins, median {}, p99 {}; /healthz p99 {} (idle p99 {}, ratio {:.1}x); peak memory {:.0} MiB",
        signins.n,
        ms(signins.median),
        ms(signins.p99),
        ms(busy.p99),
        ms(idle.p99),
        busy.p99.as_secs_f64() / idle.p99.as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    println!(
        "  targets: /healthz p99 < 50 ms: {}; memory < 512 MiB: {}",
        if busy.p99 < Duration::from_millis(50) {
            "met"
        } else {
            "NOT met"
        },
        if peak_rss_mib().unwrap_or(0.0) < 512.0 {
            "met"
        } else {
            "NOT met"
        }
    );

    // 3. Authenticated request vs /healthz, 8 clients each, interleaved.
    let (cookie, _) = sign_in(&c, &s.url, &users[0], PASSWORD).await;
    let (ac, aurl) = (c.clone(), s.url.clone());
    let path = format!("/api/v1/practices/{practice}");
    let authed = move |_| get_ok(ac.clone(), aurl.clone(), path.clone(), cookie.clone());
    let (rc, rurl) = (c.clone(), s.url.clone());
    let ready = move |_| {
        let (c, url) = (rc.clone(), rurl.clone());
        async move {
            let r = c.get(format!("{url}/readyz")).send().await.unwrap();
            assert!(r.status().is_success());
        }
    };
    let (mut base, mut db, mut auth) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        base.extend(load(8, secs(1), health.clone()).await);
        db.extend(load(8, secs(1), ready.clone()).await);
        auth.extend(load(8, secs(1), authed.clone()).await);
    }
    let (b, d, a) = (stats(base), stats(db), stats(auth));
    let ratio = |x: Duration, y: Duration| x.as_secs_f64() / y.as_secs_f64();
    println!(
        "authenticated GET /api/v1/practices/{{id}} (session + permission check), 8 clients: median {}, p95 {}",
        ms(a.median),
        ms(a.p95)
    );
    println!(
        "  vs unauthenticated GET /readyz (one database round trip): median {} -> {:.2}x, p95 {} -> {:.2}x (target <= 1.5x)",
        ms(d.median),
        ratio(a.median, d.median),
        ms(d.p95),
        ratio(a.p95, d.p95)
    );
    println!(
        "  vs unauthenticated GET /healthz (no database): median {} -> {:.2}x, p95 {} -> {:.2}x",
        ms(b.median),
        ratio(a.median, b.median),
        ms(b.p95),
        ratio(a.p95, b.p95)
    );
}
