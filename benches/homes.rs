//! Homes benchmark (issue 18).
//!
//! A provider with 100 practices. One of them has 40 members of staff and full registers: 300
//! information assets (their reviews overdue), 300 risks due a review, each with an action due today, 200
//! incidents (ten still open), all written through the store. Its practice manager (who also
//! holds every other practice role, so every capability's items are worked out for them) opens
//! their home; provider staff open the list of practices. Interleaved rounds of each against
//! GET /readyz, the baseline measured in the same run.
//!
//! Targets (issue 18): a person's home with every capability's items, 40 staff, full
//! registers: p95 under 50 ms; the provider's practice list with 100 practices: p95 under
//! 100 ms.
//!
//! Run: `cargo bench -p custodian-benches --bench homes` (QUICK=1 for short runs).

#[path = "common.rs"]
mod common;

use std::time::Duration;

use common::*;
use custodian_domain::{NewPractice, PracticeRole, ProviderRole};
use custodian_store::AuditMeta;

const PASSWORD: &str = "a long and unremarkable passphrase";
const SECRET: &str = "BENCHBENCHBENCHBENCHBENCHBENCHBE";
const STAFF: usize = 40;
const ASSETS: usize = 300;
const RISKS: usize = 300;
const INCIDENTS: usize = 200;

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

/// Fills the practice's registers, owned by `owner`, with everything overdue that can be.
async fn fill_registers(
    s: &Server,
    practice: custodian_domain::PracticeId,
    owner: custodian_domain::PersonId,
) {
    let store = &s.state.store;
    let now = chrono::Utc::now();
    let today = custodian_domain::identity::london_today(now);
    for i in 0..ASSETS {
        asset_due_review(store, practice, owner, &format!("Asset {i:03}"), today).await;
    }
    for i in 0..RISKS {
        let raised = today - chrono::Duration::days(200);
        risk_with_action_due(store, practice, owner, i, raised, today).await;
    }
    seed_incidents(store.clone(), practice, owner, INCIDENTS).await;
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    use PracticeRole::*;
    let quick = std::env::var("QUICK").is_ok();
    let s = server().await;
    let started = std::time::Instant::now();
    let roles = [
        Staff,
        PracticeManager,
        LineManager,
        DataProtectionLead,
        CaldicottGuardian,
        Siro,
        InformationAssetOwner,
    ];
    let (home, staff) = practice_with(&s, STAFF, PASSWORD, &roles).await;
    fill_registers(&s, home, staff[0].1).await;
    for p in 1..100 {
        let valid = NewPractice {
            name: format!("Practice {p:03}"),
            ods_code: format!("Y{p:05}"),
        }
        .validate()
        .unwrap();
        s.state
            .store
            .create_practice(&valid, &AuditMeta::cli())
            .await
            .unwrap();
    }
    println!(
        "seeded 100 practices, one with {STAFF} staff, {ASSETS} assets, {RISKS} risks due a review with actions and {INCIDENTS} incidents, in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let c = client();
    let (pm, _) = sign_in(&c, &s.url, &staff[0].0, PASSWORD).await;
    let provider = provider_session(
        &s,
        &c,
        "provider.admin",
        ProviderRole::ProviderAdministrator,
        PASSWORD,
        SECRET,
    )
    .await;
    let page = page_text(&c, &s.url, &format!("/practices/{home}"), &pm).await;
    assert!(
        page.contains("due a review") && page.contains("overdue"),
        "the home lists the practice's items"
    );
    let get = |path: String, cookie: &str| {
        let (c, url, cookie) = (c.clone(), s.url.clone(), cookie.to_string());
        move |_: usize| get_ok(c.clone(), url.clone(), path.clone(), cookie.clone())
    };
    let ready = {
        let (c, url) = (c.clone(), s.url.clone());
        move |_: usize| {
            let (c, url) = (c.clone(), url.clone());
            async move {
                let r = c.get(format!("{url}/readyz")).send().await.unwrap();
                assert_eq!(r.status(), 200);
            }
        }
    };
    let person_home = get(format!("/practices/{home}"), &pm);
    let list = get("/practices".into(), &provider);
    let list_api = get("/api/v1/practices?limit=200".into(), &provider);
    let secs = Duration::from_millis(if quick { 400 } else { 2_000 });
    let rounds = if quick { 2 } else { 5 };
    let (mut b, mut h, mut l, mut la) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        b.extend(load(1, secs, ready.clone()).await);
        h.extend(load(1, secs, person_home.clone()).await);
        l.extend(load(1, secs, list.clone()).await);
        la.extend(load(1, secs, list_api.clone()).await);
    }
    let b = stats(b);
    println!(
        "baseline GET /readyz: median {}, p95 {} (n={})",
        ms(b.median),
        ms(b.p95),
        b.n
    );
    for (what, st, target) in [
        (
            format!("a practice manager's home ({STAFF} staff, full registers)"),
            stats(h),
            50,
        ),
        (
            "the provider's list of practices (page)".to_string(),
            stats(l),
            100,
        ),
        (
            "the provider's list of practices (API, all 100)".to_string(),
            stats(la),
            100,
        ),
    ] {
        println!(
            "{what}: median {}, p95 {}, p99 {} (n={}); p95 {:.1}x the baseline; target p95 < {target} ms: {}",
            ms(st.median),
            ms(st.p95),
            ms(st.p99),
            st.n,
            st.p95.as_secs_f64() / b.p95.as_secs_f64(),
            verdict(st.p95 < Duration::from_millis(target))
        );
    }
    if let Some(rss) = peak_rss_mib() {
        println!("peak memory of the whole run (server and clients): {rss:.0} MiB");
    }
}
