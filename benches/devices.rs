//! Equipment benchmark (issue 19).
//!
//! A provider with 100 practices, each with 200 devices in its equipment register, written
//! through the store; in one of them 40 members of staff each hold some. Its practice manager
//! opens the register, a device and their home; provider staff open the view across practices.
//! Interleaved rounds of each against GET /readyz, the baseline measured in the same run.
//!
//! Targets (issue 19): the practice's device register p95 under 50 ms; the provider's view
//! across all practices p95 under 100 ms. (The posture import, with its 20 controls a device,
//! and the quarterly report are not built yet.)
//!
//! Run: `cargo bench -p custodian-benches --bench devices` (QUICK=1: 10 practices, short runs).

#[path = "common.rs"]
mod common;

use std::time::Duration;

use common::*;
use custodian_domain::devices::{Custody, DeviceInput};
use custodian_domain::{NewPractice, PracticeRole, ProviderRole};
use custodian_store::AuditMeta;

const PASSWORD: &str = "a long and unremarkable passphrase";
const SECRET: &str = "BENCHBENCHBENCHBENCHBENCHBENCHBE";
const STAFF: usize = 40;
const DEVICES: usize = 200;
const KINDS: [&str; 8] = [
    "desktop",
    "laptop",
    "tablet",
    "smartphone",
    "removable_media",
    "router_firewall",
    "server",
    "printer",
];

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

/// A practice's register: `DEVICES` devices, every other one issued to a member of `staff`
/// when there are any.
async fn fill(
    s: &Server,
    practice: custodian_domain::PracticeId,
    staff: &[custodian_domain::PersonId],
) -> custodian_domain::DeviceId {
    let store = &s.state.store;
    let by = AuditMeta::cli();
    let now = chrono::Utc::now();
    let today = custodian_domain::identity::london_today(now);
    let mut first = None;
    for i in 0..DEVICES {
        let input = DeviceInput {
            asset_tag: format!("DV-{i:04}"),
            kind: KINDS[i % KINDS.len()].into(),
            make_model: format!("Model {}", i % 17),
            serial: format!("SN{i:06}"),
            operating_system: "Windows 11 Pro".into(),
            location: "Surgery".into(),
            ..Default::default()
        };
        let d = store
            .add_device(practice, &input.validate().unwrap(), now, &by)
            .await
            .unwrap();
        if i % 2 == 0 && !staff.is_empty() {
            let issue = Custody::Issue {
                to: staff[i % staff.len()],
                on: today,
                signed: true,
            };
            store
                .move_device(practice, d.id, &issue, now, &by)
                .await
                .unwrap();
        }
        first.get_or_insert(d.id);
    }
    first.expect("devices added")
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    use PracticeRole::*;
    let quick = std::env::var("QUICK").is_ok();
    let practices = if quick { 10 } else { 100 };
    let s = server().await;
    let started = std::time::Instant::now();
    let (home, staff) = practice_with(&s, STAFF, PASSWORD, &[Staff, PracticeManager]).await;
    let ids: Vec<_> = staff.iter().map(|(_, id)| *id).collect();
    let device = fill(&s, home, &ids).await;
    for p in 1..practices {
        let valid = NewPractice {
            name: format!("Practice {p:03}"),
            ods_code: format!("Y{p:05}"),
        }
        .validate()
        .unwrap();
        let other = s
            .state
            .store
            .create_practice(&valid, &AuditMeta::cli())
            .await
            .unwrap();
        fill(&s, other.id, &[]).await;
    }
    println!(
        "seeded {practices} practices × {DEVICES} devices (half of one practice's issued to its {STAFF} staff) in {:.1} s",
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
    let register = page_text(&c, &s.url, &format!("/practices/{home}/devices"), &pm).await;
    assert!(
        register.contains("DV-0199"),
        "the register lists every device"
    );
    let across = page_text(&c, &s.url, "/provider/devices", &provider).await;
    assert!(
        across.contains("Practice 001") || practices == 1,
        "every practice"
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
    let list = get(format!("/practices/{home}/devices"), &pm);
    let list_api = get(format!("/api/v1/practices/{home}/devices?limit=200"), &pm);
    let one = get(format!("/practices/{home}/devices/{device}"), &pm);
    let view = get("/provider/devices".into(), &provider);
    let secs = Duration::from_millis(if quick { 400 } else { 2_000 });
    let rounds = if quick { 2 } else { 5 };
    let (mut b, mut l, mut la, mut o, mut v) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        b.extend(load(1, secs, ready.clone()).await);
        l.extend(load(1, secs, list.clone()).await);
        la.extend(load(1, secs, list_api.clone()).await);
        o.extend(load(1, secs, one.clone()).await);
        v.extend(load(1, secs, view.clone()).await);
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
            format!("the device register page ({DEVICES} devices)"),
            stats(l),
            50,
        ),
        (
            format!("the device register API ({DEVICES} devices)"),
            stats(la),
            50,
        ),
        (
            "a device's page with its custody and history".to_string(),
            stats(o),
            50,
        ),
        (
            format!("the provider's view across {practices} practices"),
            stats(v),
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
