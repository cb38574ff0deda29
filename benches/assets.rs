//! Information asset register benchmark (issue 5).
//!
//! A practice with 2,000 assets, 10,000 data flows and 20,000 access entries (written through
//! the store, so each one is in the audit trail as in real use). Then, one client at a time,
//! interleaved rounds of:
//!   - the register page filtered by type and a search term,
//!   - the register page unfiltered (all 2,000 rows),
//!   - an asset's page (details, flows in and out, access, history, the review form),
//!   - GET /readyz (one database round trip), the baseline measured in the same run.
//!
//! Then the import of a 10,000-row register CSV through the API (every column filled, one
//! transaction, each asset's creation in the audit trail), against the rate of adding assets
//! one at a time measured while seeding.
//!
//! Targets (issue 5): the filtered list and the asset page in p95 under 50 ms on SQLite; the
//! 10,000-row import under 5 s.
//!
//! Run: `cargo bench -p custodian-benches --bench assets` (QUICK=1 for a short run).

#[path = "common.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use custodian_domain::PracticeRole;
use custodian_domain::assets::{ASSET_TYPES, AccessInput, AssetInput, FlowInput};
use custodian_store::AuditMeta;

const PASSWORD: &str = "a long and unremarkable passphrase";

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let quick = std::env::var("QUICK").is_ok();
    let (n_assets, n_flows, n_access) = (2_000usize, 10_000usize, 20_000usize);
    let s = server().await;
    let (practice, staff) = practice_with(
        &s,
        1,
        PASSWORD,
        &[
            PracticeRole::Staff,
            PracticeRole::PracticeManager,
            PracticeRole::InformationAssetOwner,
        ],
    )
    .await;
    let (username, iao) = staff[0].clone();
    let today = chrono::Utc::now().date_naive();
    let store = s.state.store.clone();

    // Seed with 16 writers, as many people would add entries at once.
    let t = Instant::now();
    let ids = Arc::new(tokio::sync::Mutex::new(Vec::with_capacity(n_assets)));
    let mut tasks = Vec::new();
    for w in 0..16 {
        let (store, ids) = (store.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            for i in (w..n_assets).step_by(16) {
                let input = AssetInput {
                    name: format!(
                        "{} {i:04}",
                        if i % 10 == 0 {
                            "Patient record"
                        } else {
                            "Shared drive folder"
                        }
                    ),
                    asset_type: ASSET_TYPES[i % ASSET_TYPES.len()].0.to_string(),
                    format: "electronic".into(),
                    iao_id: Some(iao),
                    volume_band: "1000_10000".into(),
                    confidentiality: Some(4),
                    confidentiality_reason: "Health data".into(),
                    ..Default::default()
                };
                let a = store
                    .create_asset(practice, &input.validate(today).unwrap(), &AuditMeta::cli())
                    .await
                    .unwrap();
                ids.lock().await.push(a.id);
            }
        }));
    }
    for t in tasks.drain(..) {
        t.await.unwrap();
    }
    let one_at_a_time = t.elapsed().as_secs_f64() / n_assets as f64;
    let ids = Arc::new(ids.lock().await.clone());
    for w in 0..16 {
        let (store, ids) = (store.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            for i in (w..n_flows).step_by(16) {
                let from = ids[i % ids.len()];
                let external = i % 3 == 0;
                let flow = FlowInput {
                    from_asset_id: Some(from),
                    to_asset_id: (!external)
                        .then(|| ids[(i * 7 + 1) % ids.len()])
                        .filter(|to| *to != from),
                    to_party: if external || ids[(i * 7 + 1) % ids.len()] == from {
                        "Hospital trust".into()
                    } else {
                        String::new()
                    },
                    data: "Referral letters".into(),
                    purpose: "Secondary care".into(),
                    method: "nhsmail".into(),
                    encrypted: i % 5 != 0,
                    lifecycle_stage: "share".into(),
                    ..Default::default()
                };
                store
                    .add_flow(practice, &flow.validate().unwrap(), &AuditMeta::cli())
                    .await
                    .unwrap();
            }
            for i in (w..n_access).step_by(16) {
                let entry = AccessInput {
                    role: (i % 2 == 0).then_some(PracticeRole::Staff),
                    person_id: (i % 2 == 1).then_some(iao),
                    level: ["read", "write", "admin"][i % 3].into(),
                    reason: "Needed for their work".into(),
                };
                store
                    .add_access(
                        practice,
                        ids[i % ids.len()],
                        &entry.validate().unwrap(),
                        &AuditMeta::cli(),
                    )
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    println!(
        "seeded {n_assets} assets, {n_flows} flows, {n_access} access entries (each audited) in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let c = client();
    let (cookie, _) = sign_in(&c, &s.url, &username, PASSWORD).await;
    let get = |path: String| {
        let (c, url, cookie) = (c.clone(), s.url.clone(), cookie.clone());
        // `{w}` in the path becomes the calling worker's number.
        move |w: usize| {
            let path = path.replace("{w}", &w.to_string());
            get_ok(c.clone(), url.clone(), path, cookie.clone())
        }
    };
    // Check what the pages hold before timing them.
    let filtered = format!(
        "/practices/{practice}/assets?search=patient+record&asset_type={}",
        ASSET_TYPES[0].0
    );
    let html = page_text(&c, &s.url, &filtered, &cookie).await;
    assert!(
        html.contains("Patient record 0000"),
        "the filtered list shows the matching assets"
    );
    let asset_path = format!("/practices/{practice}/assets/{}", ids[0]);
    let html = page_text(&c, &s.url, &asset_path, &cookie).await;
    assert!(
        html.contains("Hospital trust") && html.contains("Needed for their work"),
        "the asset page shows flows and access"
    );

    let secs = Duration::from_millis(if quick { 400 } else { 2_000 });
    let rounds = if quick { 2 } else { 5 };
    let ready = {
        let (c, url) = (c.clone(), s.url.clone());
        move |_| {
            let (c, url) = (c.clone(), url.clone());
            async move {
                assert!(
                    c.get(format!("{url}/readyz"))
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .is_success()
                );
            }
        }
    };
    let list_filtered = get(filtered);
    let list_all = get(format!("/practices/{practice}/assets"));
    let ids_for_page = ids.clone();
    let asset_page = {
        let (c, url, cookie) = (c.clone(), s.url.clone(), cookie.clone());
        let n = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        move |_| {
            let (c, url, cookie, ids, n) = (
                c.clone(),
                url.clone(),
                cookie.clone(),
                ids_for_page.clone(),
                n.clone(),
            );
            async move {
                let i = n.fetch_add(37, std::sync::atomic::Ordering::Relaxed) % ids.len();
                let r = c
                    .get(format!("{url}/practices/{practice}/assets/{}", ids[i]))
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                r.bytes().await.unwrap();
            }
        }
    };
    let (mut b, mut lf, mut la, mut ap) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        b.extend(load(1, secs, ready.clone()).await);
        lf.extend(load(1, secs, list_filtered.clone()).await);
        la.extend(load(1, secs, list_all.clone()).await);
        ap.extend(load(1, secs, asset_page.clone()).await);
    }
    let b = stats(b);
    let target = Duration::from_millis(50);
    println!(
        "baseline GET /readyz: median {}, p95 {} (n={})",
        ms(b.median),
        ms(b.p95),
        b.n
    );
    for (name, v, has_target) in [
        ("register filtered by type and search", lf, true),
        ("register unfiltered, 2,000 rows", la, false),
        ("asset page", ap, true),
    ] {
        let x = stats(v);
        println!(
            "{name}: median {}, p95 {} (n={}); p95 {:.1}x the /readyz baseline{}",
            ms(x.median),
            ms(x.p95),
            x.n,
            x.p95.as_secs_f64() / b.p95.as_secs_f64(),
            if has_target {
                if x.p95 < target {
                    "; target p95 < 50 ms: met"
                } else {
                    "; target p95 < 50 ms: NOT met"
                }
            } else {
                ""
            }
        );
    }

    // The import of a 10,000-row spreadsheet into a second, empty practice.
    let (other, other_staff) = practice_with(
        &s,
        1,
        PASSWORD,
        &[
            PracticeRole::Staff,
            PracticeRole::PracticeManager,
            PracticeRole::InformationAssetOwner,
        ],
    )
    .await;
    let (other_user, _) = other_staff[0].clone();
    let (other_cookie, _) = sign_in(&c, &s.url, &other_user, PASSWORD).await;
    let mut csv = custodian_domain::asset_import::CSV_COLUMNS.join(",") + "\n";
    let n_rows = 10_000;
    for i in 0..n_rows {
        csv.push_str(&format!(
            "Imported asset {i:05},\"Letters, results and notes for team {i}\",{},electronic,cloud,UK,Supplier {},CT-{i},standards_met,\
             {other_user},,\"Names, NHS numbers, health data\",Patients,yes,10000_100000,4,Health data,3,Clinical safety,2,Paper fallback,\
             Official-Sensitive,8 years,Records Management Code of Practice,,Art. 6(1)(e),Art. 9(2)(h),RTO 4 hours,active,,2026-01-15,12\n",
            ASSET_TYPES[i % ASSET_TYPES.len()].0,
            i % 40
        ));
    }
    let import = |query: &'static str| {
        let (c, url, cookie, csv) = (c.clone(), s.url.clone(), other_cookie.clone(), csv.clone());
        async move {
            let t = Instant::now();
            let r = c
                .post(format!(
                    "{url}/api/v1/practices/{other}/assets-import{query}"
                ))
                .header("cookie", cookie)
                .header("origin", &url)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let report: serde_json::Value = r.json().await.unwrap();
            (t.elapsed(), status, report)
        }
    };
    let (check, status, report) = import("?dry_run=true").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["valid_rows"], n_rows, "{report}");
    let (took, status, report) = import("").await;
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["written"], n_rows);
    let per_row = took.as_secs_f64() / n_rows as f64;
    println!(
        "import of a {n_rows}-row CSV ({:.1} MB): check only {:.2} s; check and write {:.2} s ({:.0} rows/s), \
         {:.1}x faster per asset than adding them one at a time while seeding; target < 5 s: {}",
        csv.len() as f64 / 1e6,
        check.as_secs_f64(),
        took.as_secs_f64(),
        n_rows as f64 / took.as_secs_f64(),
        one_at_a_time / per_row,
        if took < Duration::from_secs(5) {
            "met"
        } else {
            "NOT met"
        }
    );
}
