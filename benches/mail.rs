//! Email benchmark (issue 16).
//!
//! 1. Daily digests: 100 practices × 30 staff, each person with 20 notices waiting for the
//!    digest; the digest job builds and queues every practice's digest (target: under 10 s).
//! 2. Sending: 10,000 queued emails handed to a local SMTP server (aiosmtpd, as the tests use)
//!    by the sender job (claim, write, send, mark sent, log), against the baseline of a bare
//!    SMTP client sending the same number of the same emails over one connection in the same
//!    run (target: at least 50% of its rate). Rounds alternate, and the spread is printed.
//!
//! Run: `cargo bench -p custodian-benches --bench mail` (QUICK=1 for a short run).

#[path = "common.rs"]
mod common;
#[path = "../crates/web/tests/smtp/mod.rs"]
mod smtp;

use std::sync::Arc;
use std::time::{Duration, Instant};

use custodian_app::notifications::mail::{self, MailSettings, Mailer, Security};
use custodian_app::{App, ManualClock};
use custodian_domain::notifications::{Delivery, NoticeKind};
use custodian_domain::{NewPractice, PersonId, PracticeRole};
use custodian_store::{AuditMeta, SharedStore, WantedNotice};

const PRACTICES: usize = 100;
const STAFF: usize = 30;
const NOTICES: usize = 20;

async fn seed(store: &SharedStore, now: chrono::DateTime<chrono::Utc>) -> Vec<PersonId> {
    let by = AuditMeta::cli();
    let mut everyone = Vec::new();
    for p in 0..PRACTICES {
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
        let mut wanted = Vec::new();
        for i in 0..STAFF {
            let username = format!("p{p:03}u{i:02}");
            let email = format!("{username}@example.nhs.uk");
            let id = common::person(store, username, Some(email)).await;
            store
                .add_member(practice.id, id, "Staff", &[PracticeRole::Staff], &by)
                .await
                .unwrap();
            everyone.push(id);
            let items = (0..NOTICES)
                .map(|n| WantedNotice {
                    kind: NoticeKind::AssetReview,
                    topic: format!("/assets/{n}"),
                    text: format!("{n} information asset(s) due a review"),
                    delivery: Delivery::Digest,
                })
                .collect();
            wanted.push((id, items));
        }
        store.sync_notices(practice.id, &wanted, now).await.unwrap();
    }
    everyone
}

fn stats(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let quick = std::env::var("QUICK").is_ok();
    let s = common::server().await;
    let store = s.state.store.clone();
    // Noon UTC today (noon or one o'clock in London): every practice's digest time (07:30) has
    // come.
    let now = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc();
    let t = Instant::now();
    let everyone = seed(&store, now).await;
    println!(
        "seeded {PRACTICES} practices x {STAFF} staff x {NOTICES} notices waiting for the digest in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let smtp = smtp::SmtpServer::start(smtp::Options::default());
    let port = smtp.port;
    let settings = MailSettings {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        user: String::new(),
        password: String::new(),
        from: "Custodian <custodian@example.nhs.uk>".into(),
        ca_pem: None,
        timeout: Duration::from_secs(30),
        public_url: "https://custodian.example.nhs.uk".into(),
    };
    let mut app = App::new(store.clone());
    app.clock = Arc::new(ManualClock::new(now));
    let mailer = Arc::new(Mailer::new(settings).unwrap());
    app.mailer = Some(mailer.clone());

    // 1. The day's digests.
    let t = Instant::now();
    let queued = mail::build_due_digests(&app).await.unwrap();
    let digests = t.elapsed();
    println!(
        "digests: {queued} emails gathering {} notices built and queued in {:.2} s; target < 10 s: {}",
        queued * NOTICES,
        digests.as_secs_f64(),
        if digests < Duration::from_secs(10) {
            "met"
        } else {
            "NOT met"
        }
    );
    assert_eq!(queued, PRACTICES * STAFF);
    // The digests go first (their send is not the measured part).
    mail::send_due_mail(&app).await.unwrap();

    // 2. Sending, alternating with the bare client, `n` emails a round.
    let n = if quick { 1_000 } else { 10_000 };
    let rounds = if quick { 2 } else { 3 };
    let email = custodian_domain::notifications::notice_email(
        &custodian_domain::notifications::MailItem {
            practice: "the provider".into(),
            text: "The audit trail failed its verification: see the audit page".into(),
            url: mailer.link("/provider/audit"),
        },
        &mailer.link("/notifications/email"),
    );
    let people: Vec<PersonId> = everyone.iter().cycle().take(n).copied().collect();
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        store
            .queue_alert(
                &people,
                "The audit trail failed its verification: see the audit page",
                "/provider/audit",
                now,
            )
            .await
            .unwrap();
        let t = Instant::now();
        let sent = mail::send_due_mail(&app).await.unwrap();
        let took = t.elapsed().as_secs_f64();
        assert_eq!(sent.sent, n, "every queued email sent");
        ours.push(n as f64 / took);

        let t = Instant::now();
        let mut session = mailer.connect().await.unwrap();
        for (i, _) in people.iter().enumerate() {
            mailer
                .send_on(
                    &mut session,
                    &format!("p{:03}u{:02}@example.nhs.uk", i % PRACTICES, i % STAFF),
                    &email,
                    &format!("bare-{round}-{i}"),
                )
                .await
                .unwrap();
        }
        bare.push(n as f64 / t.elapsed().as_secs_f64());
    }
    let (omin, omed, omax) = stats(&mut ours);
    let (bmin, bmed, bmax) = stats(&mut bare);
    let ratio = omed / bmed;
    println!("sending {n} emails a round, {rounds} rounds:");
    println!("  Custodian's sender: median {omed:.0}/s (min {omin:.0}, max {omax:.0})");
    println!("  bare SMTP client:   median {bmed:.0}/s (min {bmin:.0}, max {bmax:.0})");
    println!(
        "  ratio {:.0}% of the bare client's rate; target >= 50%: {}",
        ratio * 100.0,
        if ratio >= 0.5 { "met" } else { "NOT met" }
    );
    drop(smtp);
}
