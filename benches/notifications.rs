//! Notifications benchmark (issue 16).
//!
//! A provider with 100 practices of 30 staff each (a practice manager, a SIRO, two IAOs and 26
//! other staff, written through the store), each practice with a risk whose action is overdue
//! and assets due a review, so their managers have something to be told. Then:
//!   - the scheduler's notices job once over every practice (it raises every notice), and
//!   - interleaved rounds of the job when nothing has changed (what it costs every minute), and
//!     of the baseline measured in the same run: reading every practice's staff once, the least
//!     the job must do.
//!
//! Figures: the first run's time (target: under 10 s, the bound for building 100
//! practices' digests), and the steady run's median and spread with its ratio to the baseline.
//!
//! Run: `cargo bench -p custodian-benches --bench notifications` (QUICK=1 for a short run).

#[path = "common.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use custodian_app::{App, ManualClock};
use custodian_domain::{NewPractice, PracticeId, PracticeRole};
use custodian_store::{AuditMeta, SharedStore};

const PRACTICES: usize = 100;
const STAFF: usize = 30;

/// A practice with its staff, a risk with an action due `today`, and two assets.
async fn seed_practice(store: &SharedStore, p: usize, today: chrono::NaiveDate) -> PracticeId {
    use PracticeRole::*;
    let by = AuditMeta::cli();
    let practice = store
        .create_practice(
            &NewPractice {
                name: format!("Practice {p:03}"),
                ods_code: format!("X{p:05}"),
            }
            .validate()
            .unwrap(),
            &by,
        )
        .await
        .unwrap();
    let mut iao = None;
    for i in 0..STAFF {
        let roles: &[PracticeRole] = match i {
            0 => &[Staff, PracticeManager],
            1 => &[Staff, Siro],
            2 | 3 => &[Staff, InformationAssetOwner],
            _ => &[Staff],
        };
        let id = person(store, format!("p{p:03}u{i:02}"), None).await;
        store
            .add_member(practice.id, id, "Staff", roles, &by)
            .await
            .unwrap();
        if i == 2 {
            iao = Some(id);
        }
    }
    let owner = iao.unwrap();
    risk_with_action_due(store, practice.id, owner, 0, today, today).await;
    for name in ["EMIS Web", "Docman"] {
        asset_due_review(store, practice.id, owner, name, today).await;
    }
    practice.id
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let quick = std::env::var("QUICK").is_ok();
    let s = server().await;
    let store = s.state.store.clone();
    let today = custodian_domain::identity::london_today(chrono::Utc::now());
    let started = Instant::now();
    let mut practices = Vec::new();
    for p in 0..PRACTICES {
        practices.push(seed_practice(&store, p, today).await);
    }
    println!(
        "seeded {PRACTICES} practices x {STAFF} staff in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Two days on, the actions are overdue.
    let mut app = App::new(store.clone());
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    clock.advance(chrono::Duration::days(2));
    app.clock = clock;

    let t = Instant::now();
    let raised = custodian_app::notifications::raise_notices(&app)
        .await
        .unwrap();
    let first = t.elapsed();
    println!(
        "first run: {raised} notices raised for {} people in {:.2} s; target < 10 s: {}",
        PRACTICES * STAFF,
        first.as_secs_f64(),
        if first < Duration::from_secs(10) {
            "met"
        } else {
            "NOT met"
        }
    );
    assert!(
        raised >= PRACTICES * 2,
        "every practice's managers are told"
    );

    let rounds = if quick { 5 } else { 20 };
    let (mut steady, mut baseline) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        let n = custodian_app::notifications::raise_notices(&app)
            .await
            .unwrap();
        steady.push(t.elapsed());
        assert_eq!(n, 0, "nothing changed, nothing raised");
        let t = Instant::now();
        for p in &practices {
            std::hint::black_box(store.access_overview(*p).await.unwrap());
        }
        baseline.push(t.elapsed());
    }
    let (st, bl) = (stats(steady), stats(baseline));
    println!(
        "steady run (nothing changed): median {}, p95 {} (n={}); baseline (every practice's staff read once): median {}, p95 {}; ratio {:.1}x",
        ms(st.median),
        ms(st.p95),
        st.n,
        ms(bl.median),
        ms(bl.p95),
        st.median.as_secs_f64() / bl.median.as_secs_f64()
    );
    if let Some(rss) = peak_rss_mib() {
        println!("peak memory: {rss:.0} MiB");
    }
}
