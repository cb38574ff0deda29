//! Information risk register benchmark (issue 6).
//!
//! A provider with 100 practices of 300 risks each (written through the store, so each one is in
//! the audit trail as in real use). Then, one client at a time, interleaved rounds of:
//!   - the provider's view of every practice (risks by band, overdue reviews, last quarter's
//!     report),
//!   - GET /readyz (one database round trip), the baseline measured in the same run;
//!
//! and one practice's quarterly report as PDF (300 risks, their actions, the quarter's changes),
//! against its HTML page.
//!
//! Targets (issue 6): the provider view in p95 under 100 ms; a practice's quarterly PDF under 2 s.
//!
//! Run: `cargo bench -p custodian-benches --bench risks` (QUICK=1 for a short run).

#[path = "common.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use custodian_domain::risks::{LIBRARY, MATRIX_5X5};
use custodian_domain::{NewPerson, NewPractice, PracticeRole, ProviderRole};
use custodian_store::{AuditMeta, NewAccount};

const PASSWORD: &str = "a long and unremarkable passphrase";
const SECRET: &str = "BENCHBENCHBENCHBENCHBENCHBENCHBE";

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let quick = std::env::var("QUICK").is_ok();
    let (n_practices, per_practice) = (100usize, 300usize);
    let s = server().await;
    let store = s.state.store.clone();
    let today = chrono::Utc::now().date_naive();

    // 100 practices × 300 risks, 8 writers.
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut first = None;
            for p in (w..n_practices).step_by(8) {
                let practice = store
                    .create_practice(
                        &NewPractice {
                            name: format!("Practice {p:03}"),
                            ods_code: format!("Y{p:05}"),
                        }
                        .validate()
                        .unwrap(),
                        &AuditMeta::cli(),
                    )
                    .await
                    .unwrap();
                let owner = store
                    .create_person(
                        &NewAccount {
                            person: NewPerson {
                                username: format!("owner{p:03}"),
                                email: None,
                                full_name: format!("Owner {p}"),
                            }
                            .validate()
                            .unwrap(),
                            password_hash: None,
                            must_change_password: false,
                            one_time_password_expires_at: None,
                            provider_roles: vec![],
                        },
                        &AuditMeta::cli(),
                    )
                    .await
                    .unwrap();
                store
                    .add_member(
                        practice.id,
                        owner.id,
                        "IAO",
                        &[PracticeRole::Staff, PracticeRole::InformationAssetOwner],
                        &AuditMeta::cli(),
                    )
                    .await
                    .unwrap();
                for i in 0..per_practice {
                    let entry = &LIBRARY[i % LIBRARY.len()];
                    let mut input = entry.to_input(&MATRIX_5X5);
                    input.title = format!("{} ({i})", entry.title);
                    input.owner_id = Some(owner.id);
                    // Controls bring the likelihood down by 0 to 2 steps.
                    let l = input.inherent_likelihood.unwrap();
                    input.residual_likelihood = Some(l.saturating_sub((i % 3) as u8).max(1));
                    input.raised_on =
                        (today - chrono::Duration::days((i % 200) as i64)).to_string();
                    let v = input.validate(&MATRIX_5X5, today, None).unwrap();
                    let risk = store
                        .create_risk(practice.id, &v, &AuditMeta::cli())
                        .await
                        .unwrap();
                    if i % 10 == 0 {
                        let action = custodian_domain::risks::ActionInput {
                            description: "Put the control in place".into(),
                            owner_id: Some(owner.id),
                            due_on: (v.raised_on + chrono::Duration::days(30)).to_string(),
                            ..Default::default()
                        }
                        .validate(v.raised_on)
                        .unwrap();
                        store
                            .add_action(
                                practice.id,
                                custodian_domain::holder::Holder::Risk(risk.id),
                                &action,
                                &AuditMeta::cli(),
                            )
                            .await
                            .unwrap();
                    }
                }
                first.get_or_insert(practice);
            }
            first
        }));
    }
    let mut practices = Vec::new();
    for t in tasks {
        if let Some(p) = t.await.unwrap() {
            practices.push(p);
        }
    }
    println!(
        "seeded {n_practices} practices × {per_practice} risks (each audited) in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // The provider's IG consultant who reads the overview (two-factor, as provider staff must).
    let c = client();
    let cookie = provider_session(
        &s,
        &c,
        "ig.consultant",
        ProviderRole::IgConsultant,
        PASSWORD,
        SECRET,
    )
    .await;

    let get = |path: String| {
        let (c, url, cookie) = (c.clone(), s.url.clone(), cookie.clone());
        move |_| get_ok(c.clone(), url.clone(), path.clone(), cookie.clone())
    };
    let page = page_text(&c, &s.url, "/provider/risks", &cookie).await;
    assert_eq!(
        page.matches("<tr><td><a href=\"/practices/").count(),
        n_practices,
        "every practice"
    );

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
    let provider = get("/provider/risks".into());
    let secs = Duration::from_millis(if quick { 400 } else { 2_000 });
    let rounds = if quick { 2 } else { 5 };
    let (mut b, mut pv) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        b.extend(load(1, secs, ready.clone()).await);
        pv.extend(load(1, secs, provider.clone()).await);
    }
    let b = stats(b);
    let pv = stats(pv);
    println!(
        "baseline GET /readyz: median {}, p95 {} (n={})",
        ms(b.median),
        ms(b.p95),
        b.n
    );
    println!(
        "provider view, {n_practices} practices × {per_practice} risks: median {}, p95 {} (n={}); p95 {:.1}x the /readyz baseline; target p95 < 100 ms: {}",
        ms(pv.median),
        ms(pv.p95),
        pv.n,
        pv.p95.as_secs_f64() / b.p95.as_secs_f64(),
        if pv.p95 < Duration::from_millis(100) {
            "met"
        } else {
            "NOT met"
        }
    );

    // One practice's quarterly report: the HTML page and the PDF.
    let practice = practices[0].id;
    let quarter = custodian_domain::quarters::Quarter::containing(today, 1).key();
    let res = c
        .post(format!(
            "{}/api/v1/practices/{practice}/risk-reports",
            s.url
        ))
        .header("cookie", &cookie)
        .header("origin", &s.url)
        .header("content-type", "application/json")
        .body(format!(r#"{{"quarter": "{quarter}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let html = get(format!("/practices/{practice}/risk-reports/{quarter}"));
    let pdf = get(format!("/practices/{practice}/risk-reports/{quarter}/pdf"));
    let n = if quick { 3 } else { 10 };
    let (mut h, mut p) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let t = Instant::now();
        html(0).await;
        h.push(t.elapsed());
        let t = Instant::now();
        pdf(0).await;
        p.push(t.elapsed());
    }
    let bytes = c
        .get(format!(
            "{}/practices/{practice}/risk-reports/{quarter}/pdf",
            s.url
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (h, p) = (stats(h), stats(p));
    println!(
        "quarterly report of {per_practice} risks: HTML page median {}; PDF ({} KB) median {}, worst {}, {:.1}x the HTML page; target PDF < 2 s: {}",
        ms(h.median),
        bytes.len() / 1024,
        ms(p.median),
        ms(p.p99),
        p.median.as_secs_f64() / h.median.as_secs_f64(),
        if p.p99 < Duration::from_secs(2) {
            "met"
        } else {
            "NOT met"
        }
    );
}
