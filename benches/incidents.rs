//! Incident register benchmark (issue 17).
//!
//! A provider with 100 practices of 1,000 incidents each (written through the store, each report
//! and each closing in the audit trail as in real use; ten of each practice's still open).
//! Then, one client at a time, interleaved rounds of:
//!   - a practice's incident register page (its 1,000 incidents with their clocks),
//!   - the provider's view of every practice's open incidents and clocks,
//!   - GET /readyz (one database round trip), the baseline measured in the same run;
//!
//! sixteen members of staff reporting at once (the form's post to its redirect) against sixteen
//! clients of /readyz; and a 20 MB evidence file uploaded and downloaded through the API against
//! writing and reading the same bytes as a plain blob in the same SQLite database.
//!
//! Targets (issue 17): register page and provider view p95 under 100 ms; reporting p95 under
//! 50 ms at 16 concurrent reporters; the upload and the download at no less than half the plain
//! blob's speed.
//!
//! Run: `cargo bench -p custodian-benches --bench incidents` (QUICK=1: 10 practices, short runs).

#[path = "common.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use custodian_domain::{PracticeRole, ProviderRole};
use custodian_store::AuditMeta;

const PASSWORD: &str = "a long and unremarkable passphrase";
const SECRET: &str = "BENCHBENCHBENCHBENCHBENCHBENCHBE";
fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let quick = std::env::var("QUICK").is_ok();
    let (n_practices, per_practice) = (if quick { 10 } else { 100 }, 1_000usize);
    let s = server().await;
    let store = s.state.store.clone();

    // The practice whose staff report and whose register is read: sixteen practice managers
    // (who handle incidents, so the register is theirs to read).
    let roles = [PracticeRole::Staff, PracticeRole::PracticeManager];
    let (home, staff) = practice_with(&s, 16, PASSWORD, &roles).await;
    let t = Instant::now();
    let mut tasks = vec![tokio::spawn(seed_incidents(
        store.clone(),
        home,
        staff[0].1,
        per_practice,
    ))];
    for w in 0..7 {
        let s_store = store.clone();
        tasks.push(tokio::spawn(async move {
            for p in (1 + w..n_practices).step_by(7) {
                let practice = s_store
                    .create_practice(
                        &custodian_domain::NewPractice {
                            name: format!("Practice {p:03}"),
                            ods_code: format!("Y{p:05}"),
                        }
                        .validate()
                        .unwrap(),
                        &AuditMeta::cli(),
                    )
                    .await
                    .unwrap();
                let reporter = person(&s_store, format!("reporter{p:03}"), None).await;
                s_store
                    .add_member(
                        practice.id,
                        reporter,
                        "Receptionist",
                        &[PracticeRole::Staff],
                        &AuditMeta::cli(),
                    )
                    .await
                    .unwrap();
                seed_incidents(s_store.clone(), practice.id, reporter, per_practice).await;
            }
            custodian_domain::IncidentId::new()
        }));
    }
    let mut seeded = Vec::new();
    for t in tasks {
        seeded.push(t.await.unwrap());
    }
    let first_incident = seeded[0];
    println!(
        "seeded {n_practices} practices × {per_practice} incidents ({OPEN_INCIDENTS} open each; every report and closing audited) in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let c = client();
    let provider = provider_session(
        &s,
        &c,
        "ig.consultant",
        ProviderRole::IgConsultant,
        PASSWORD,
        SECRET,
    )
    .await;
    let (pm, _) = sign_in(&c, &s.url, &staff[0].0, PASSWORD).await;
    let get = |path: String, cookie: &str| {
        let (c, url, cookie) = (c.clone(), s.url.clone(), cookie.to_string());
        move |_| get_ok(c.clone(), url.clone(), path.clone(), cookie.clone())
    };
    let ready = {
        let (c, url) = (c.clone(), s.url.clone());
        move |_| {
            let (c, url) = (c.clone(), url.clone());
            async move {
                let r = c.get(format!("{url}/readyz")).send().await.unwrap();
                assert!(r.status().is_success());
            }
        }
    };
    let page = page_text(&c, &s.url, &format!("/practices/{home}/incidents"), &pm).await;
    assert!(
        page.matches("INC-").count() >= per_practice,
        "the register lists every incident"
    );
    let register = get(format!("/practices/{home}/incidents"), &pm);
    let overview = get("/provider/incidents".into(), &provider);
    let secs = Duration::from_millis(if quick { 400 } else { 2_000 });
    let rounds = if quick { 2 } else { 5 };
    let (mut b, mut rg, mut pv) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        b.extend(load(1, secs, ready.clone()).await);
        rg.extend(load(1, secs, register.clone()).await);
        pv.extend(load(1, secs, overview.clone()).await);
    }
    let (b, rg, pv) = (stats(b), stats(rg), stats(pv));
    println!(
        "baseline GET /readyz: median {}, p95 {} (n={})",
        ms(b.median),
        ms(b.p95),
        b.n
    );
    for (what, st) in [
        (format!("register page, {per_practice} incidents"), &rg),
        (format!("provider view, {n_practices} practices"), &pv),
    ] {
        println!(
            "{what}: median {}, p95 {}, p99 {} (n={}); p95 {:.1}x the baseline; target p95 < 100 ms: {}",
            ms(st.median),
            ms(st.p95),
            ms(st.p99),
            st.n,
            st.p95.as_secs_f64() / b.p95.as_secs_f64(),
            verdict(st.p95 < Duration::from_millis(100))
        );
    }

    reporting(&s, &c, home, &staff, secs, rounds, ready).await;
    evidence(&s, &c, home, first_incident, &pm, rounds).await;
    if let Some(rss) = peak_rss_mib() {
        println!("peak memory of the whole run (server and clients): {rss:.0} MiB");
    }
}

/// Sixteen members of staff posting the report form at once, against sixteen /readyz clients.
async fn reporting<R, Fut>(
    s: &Server,
    c: &reqwest::Client,
    home: custodian_domain::PracticeId,
    staff: &[(String, custodian_domain::PersonId)],
    secs: Duration,
    rounds: usize,
    ready: R,
) where
    R: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let mut cookies = Vec::new();
    for (username, _) in staff {
        cookies.push(sign_in(c, &s.url, username, PASSWORD).await.0);
    }
    let report = {
        let (c, url) = (c.clone(), s.url.clone());
        let cookies = std::sync::Arc::new(cookies);
        move |w: usize| {
            let (c, url, cookie) = (c.clone(), url.clone(), cookies[w].clone());
            async move {
                let at = custodian_domain::time::moment_field(chrono::Utc::now());
                let res = c
                    .post(format!("{url}/practices/{home}/incidents"))
                    .header("cookie", cookie)
                    .header("origin", &url)
                    .form(&[
                        ("what_happened", "Handed a prescription to the wrong person"),
                        ("kind", "wrong_recipient"),
                        ("occurred_at", at.as_str()),
                        ("discovered_at", at.as_str()),
                        ("patient_data", "1"),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 303, "reported");
            }
        }
    };
    let (mut b, mut r) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        b.extend(load(16, secs, ready.clone()).await);
        r.extend(load(16, secs, report.clone()).await);
    }
    let (b, r) = (stats(b), stats(r));
    println!(
        "16 concurrent: /readyz median {}, p95 {}; reporting an incident (form post to redirect) median {}, p95 {}, p99 {} (n={}); p95 {:.1}x the baseline; target p95 < 50 ms: {}",
        ms(b.median),
        ms(b.p95),
        ms(r.median),
        ms(r.p95),
        ms(r.p99),
        r.n,
        r.p95.as_secs_f64() / b.p95.as_secs_f64(),
        verdict(r.p95 < Duration::from_millis(50))
    );
}

/// A 20 MB file through the API, against the same bytes as a plain blob in the same database.
async fn evidence(
    s: &Server,
    c: &reqwest::Client,
    home: custodian_domain::PracticeId,
    incident: custodian_domain::IncidentId,
    cookie: &str,
    rounds: usize,
) {
    use sqlx::Connection as _;
    let size = custodian_domain::evidence::megabytes(20);
    let mut plain = sqlx::SqliteConnection::connect(&s.db.url).await.unwrap();
    // Configured as the store's own connections are: the WAL is checkpointed by the store's
    // writer on its own clock, not by whichever connection commits.
    sqlx::query("PRAGMA wal_autocheckpoint = 0")
        .execute(&mut plain)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE bench_blobs (id INTEGER PRIMARY KEY, content BLOB NOT NULL)")
        .execute(&mut plain)
        .await
        .unwrap();
    let (mut up, mut down, mut write, mut read) = (vec![], vec![], vec![], vec![]);
    let (mut hash, mut store_only) = (vec![], vec![]);
    let (mut parts_only, mut audited_only) = (vec![], vec![]);
    for round in 0..rounds.max(3) {
        // New bytes each round, so no copy is found already kept.
        let mut bytes = vec![b' '; size];
        let head = format!("%PDF-1.7\n% round {round} {}\n", chrono::Utc::now());
        bytes[..head.len()].copy_from_slice(head.as_bytes());

        let t = Instant::now();
        let id: i64 =
            sqlx::query_scalar("INSERT INTO bench_blobs (content) VALUES ($1) RETURNING id")
                .bind(&bytes)
                .fetch_one(&mut plain)
                .await
                .unwrap();
        write.push(t.elapsed());
        let t = Instant::now();
        let back: Vec<u8> = sqlx::query_scalar("SELECT content FROM bench_blobs WHERE id = $1")
            .bind(id)
            .fetch_one(&mut plain)
            .await
            .unwrap();
        read.push(t.elapsed());
        assert_eq!(back.len(), size);

        // Where the API's time goes: the hash, and the store's transaction alone.
        bytes[head.len() - 3] = b'#';
        let t = Instant::now();
        let sha = custodian_domain::evidence::address(&bytes);
        hash.push(t.elapsed());
        let file = custodian_store::NewEvidence {
            filename: "direct.pdf",
            kind: custodian_domain::evidence::EvidenceKind::Pdf,
            sha256: &sha,
            bytes: &bytes,
        };
        let holder = custodian_domain::evidence::Holder::Incident(incident);
        let t = Instant::now();
        s.state
            .store
            .attach_evidence(home, holder, &file, chrono::Utc::now(), &AuditMeta::cli())
            .await
            .unwrap();
        store_only.push(t.elapsed());

        bytes[head.len() - 2] = b'!';
        let t = Instant::now();
        let res = c
            .post(format!(
                "{}/api/v1/practices/{home}/incidents/{incident}/evidence?filename=scan.pdf",
                s.url
            ))
            .header("cookie", cookie)
            .header("origin", &s.url)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "uploaded");
        let file: serde_json::Value = res.json().await.unwrap();
        up.push(t.elapsed());
        let t = Instant::now();
        let got = c
            .get(format!(
                "{}/api/v1/practices/{home}/evidence/{}/content",
                s.url,
                file["id"].as_str().unwrap()
            ))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        down.push(t.elapsed());
        assert_eq!(got.len(), size);

        // Where the download's time goes: the parts read through the store alone, and the
        // audited read's commit alone.
        let evidence: custodian_domain::EvidenceId = file["id"].as_str().unwrap().parse().unwrap();
        let t = Instant::now();
        let whole = s
            .state
            .store
            .evidence_content(home, evidence)
            .await
            .unwrap();
        parts_only.push(t.elapsed());
        assert_eq!(whole.map(|b| b.len()), Some(size));
        let t = Instant::now();
        let read = AuditMeta::cli().event(
            Some(home),
            "evidence.download",
            "evidence",
            Some(evidence.to_string()),
        );
        s.state.store.append_event(&read).await.unwrap();
        audited_only.push(t.elapsed());
    }
    let (up, down, write, read) = (stats(up), stats(down), stats(write), stats(read));
    let (hash, store_only) = (stats(hash), stats(store_only));
    println!(
        "20 MB upload's parts: SHA-256 median {}; the store's transaction (blob, file, event) median {}",
        ms(hash.median),
        ms(store_only.median)
    );
    let (parts_only, audited_only) = (stats(parts_only), stats(audited_only));
    println!(
        "20 MB download's parts: its 20 parts read through the store median {}; the audited read's commit median {}",
        ms(parts_only.median),
        ms(audited_only.median)
    );
    let mb = size as f64 / (1024.0 * 1024.0);
    let speed = |d: Duration| mb / d.as_secs_f64();
    for (what, api, blob) in [("upload", &up, &write), ("download", &down, &read)] {
        let ratio = blob.median.as_secs_f64() / api.median.as_secs_f64();
        println!(
            "20 MB {what}: API median {} ({:.0} MB/s, slowest {}); plain blob median {} ({:.0} MB/s, slowest {}); the API at {:.0}% of the plain blob's speed; target at least 50%: {}",
            ms(api.median),
            speed(api.median),
            ms(api.p99),
            ms(blob.median),
            speed(blob.median),
            ms(blob.p99),
            ratio * 100.0,
            verdict(ratio >= 0.5)
        );
    }
}
