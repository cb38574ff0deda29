//! Notifications by email, against a real SMTP server process (aiosmtpd, `tests/smtp/`): a
//! leaver's exit date reaches the people who look after access; a day's notices come in one
//! digest; a mail server that is down, killed mid-send or refusing the login loses nothing and
//! sends nothing twice; a sender killed mid-send does not either; two servers on one database
//! send each email once; and no email carries a name, a one-time password or a patient's
//! number. SQLite always; PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;
mod smtp;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use custodian_app::App;
use custodian_app::notifications::mail::{self, MailSettings, Mailer, Security};
use reqwest::StatusCode;
use smtp::{Options, SmtpServer};

backend_tests!(
    a_leavers_exit_date_reaches_those_who_look_after_access_by_email,
    a_days_notices_come_in_one_digest_at_the_practices_time,
    a_mail_server_down_for_a_while_gets_every_email_once_when_it_returns,
    a_mail_server_killed_mid_send_loses_nothing_and_receives_nothing_twice,
    a_sender_killed_mid_send_loses_nothing_and_sends_nothing_twice,
    two_servers_on_one_database_send_each_email_once,
    a_refused_login_or_a_tls_setting_the_server_lacks_is_named_and_nothing_is_lost,
    emails_carry_no_names_one_time_passwords_or_patient_numbers,
    an_audit_trail_failing_its_verification_emails_the_providers_administrators_at_once,
    an_iao_hears_when_access_to_their_asset_is_due_its_yearly_review
);

fn settings(server: &SmtpServer) -> MailSettings {
    MailSettings {
        host: "127.0.0.1".into(),
        port: server.port,
        security: Security::None,
        user: String::new(),
        password: String::new(),
        from: "Custodian <custodian@example.nhs.uk>".into(),
        ca_pem: None,
        timeout: Duration::from_secs(5),
        public_url: "https://custodian.example.nhs.uk".into(),
    }
}

/// The test application's use cases with a mail server.
fn with_mail(app: &TestApp, settings: MailSettings) -> App {
    let mut a = app.state.app.clone();
    a.mailer = Some(Arc::new(Mailer::new(settings).unwrap()));
    a
}

async fn delivery_log(app: &TestApp, cookie: &str) -> serde_json::Value {
    let res = app
        .get(
            &format!("/api/v1/practices/{}/mail", app.riverside.id),
            Some(cookie),
        )
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn today(app: &TestApp) -> chrono::NaiveDate {
    custodian_domain::identity::london_today(custodian_web::Clock::now(&*app.clock))
}

/// Records `who` as leaving on `on`, as their line manager would.
async fn leaver(app: &TestApp, who: &str, on: chrono::NaiveDate) {
    let pm = app.sign_in("rahmed").await;
    let res = app
        .post_form(
            &format!(
                "/practices/{}/people/{}/leaver",
                app.riverside.id, app.people[who]
            ),
            Some(&pm),
            &[("exit_date", &on.to_string()), ("reason", "Moving away")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// A starter request for `name`, made by the practice manager.
async fn starter_request(app: &TestApp, name: &str, username: &str) -> serde_json::Value {
    request_by(app, "rahmed", name, username).await
}

async fn request_by(app: &TestApp, by: &str, name: &str, username: &str) -> serde_json::Value {
    let pm = app.sign_in(by).await;
    let body = format!(
        r#"{{"full_name": "{name}", "username": "{username}", "job_title": "Receptionist", "start_date": "{}"}}"#,
        today(app)
    );
    let res = app
        .post_json(
            &format!("/api/v1/practices/{}/requests", app.riverside.id),
            &pm,
            &body,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn a_leavers_exit_date_reaches_those_who_look_after_access_by_email(app: TestApp) {
    let server = SmtpServer::start(Options::default());
    let mail_app = with_mail(&app, settings(&server));
    leaver(&app, "staylor", today(&app) + chrono::Duration::days(1)).await;

    custodian_app::notifications::raise_notices(&mail_app)
        .await
        .unwrap();
    let sent = mail::send_due_mail(&mail_app).await.unwrap();
    assert_eq!(sent.sent, 1, "the practice manager, who looks after access");
    let got = server.messages();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.to, "rahmed@example.nhs.uk");
    assert_eq!(
        m.subject,
        "Riverside Medical Centre: 1 leaver whose access ends tomorrow"
    );
    let link = format!(
        "https://custodian.example.nhs.uk/practices/{}/leavers#tomorrow",
        app.riverside.id
    );
    assert!(m.raw.contains(&link), "{}", m.raw);
    assert!(m.raw.contains("text/plain") && m.raw.contains("text/html"));

    // The next day it is today's: a new notice, a new email; nothing is sent twice.
    assert_eq!(mail::send_due_mail(&mail_app).await.unwrap().sent, 0);
    app.clock.advance(chrono::Duration::days(1));
    custodian_app::notifications::raise_notices(&mail_app)
        .await
        .unwrap();
    assert_eq!(mail::send_due_mail(&mail_app).await.unwrap().sent, 1);
    let subjects: Vec<String> = server.messages().into_iter().map(|m| m.subject).collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.ends_with("1 leaver whose access ends today")),
        "{subjects:?}"
    );

    // The practice manager sees both in the delivery log, with the server's answers.
    let pm = app.sign_in("rahmed").await;
    let log = delivery_log(&app, &pm).await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|m| m["status"] == "sent"));
    assert!(items[0]["last_answer"].as_str().unwrap().starts_with("250"));
}

async fn a_days_notices_come_in_one_digest_at_the_practices_time(app: TestApp) {
    let server = SmtpServer::start(Options::default());
    let mail_app = with_mail(&app, settings(&server));
    // The practice manager wants starters and leavers in the digest, not at once.
    let pm = app.sign_in("rahmed").await;
    let res = app
        .put_json(
            "/api/v1/me/email",
            &pm,
            r#"{"choices": [{"kind": "starter_request", "delivery": "digest"}, {"kind": "leaver_exit", "delivery": "digest"}]}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Put the clock at 06:00 in London, before the digest time (07:30).
    let now = custodian_web::Clock::now(&*app.clock);
    let london = now.with_timezone(&chrono_tz::Europe::London);
    let six = london
        .date_naive()
        .and_hms_opt(6, 0, 0)
        .unwrap()
        .and_local_timezone(chrono_tz::Europe::London)
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.clock.advance(six - now + chrono::Duration::days(1));

    starter_request(&app, "Nia Newcomer", "n.newcomer").await;
    leaver(&app, "staylor", today(&app)).await;
    custodian_app::notifications::raise_notices(&mail_app)
        .await
        .unwrap();
    assert_eq!(mail::build_due_digests(&mail_app).await.unwrap(), 0);
    assert_eq!(mail::send_due_mail(&mail_app).await.unwrap().sent, 0);
    assert!(
        server.messages().is_empty(),
        "nothing before the digest time"
    );

    app.clock.advance(chrono::Duration::minutes(90));
    assert_eq!(mail::build_due_digests(&mail_app).await.unwrap(), 1);
    assert_eq!(
        mail::build_due_digests(&mail_app).await.unwrap(),
        0,
        "one digest a day"
    );
    assert_eq!(mail::send_due_mail(&mail_app).await.unwrap().sent, 1);
    let got = server.messages();
    assert_eq!(got.len(), 1);
    let d = &got[0];
    assert!(
        d.subject.starts_with("Custodian daily digest for "),
        "{}",
        d.subject
    );
    assert!(
        d.subject.ends_with("2 things need attention"),
        "{}",
        d.subject
    );
    assert!(
        d.raw
            .contains("1 starter or mover request waiting for your approval")
    );
    assert!(d.raw.contains("1 leaver whose access ends today"));
    assert!(d.raw.contains("/notifications/email"), "a link to choose");
}

/// `n` emails at once: `n` new approvers (`{prefix}0`…) and a starter request for them to
/// approve; the practice manager who made it is not emailed.
async fn queue_emails(app: &mut TestApp, mail_app: &App, n: usize, prefix: &str) {
    let riverside = app.riverside.clone();
    use custodian_domain::PracticeRole::*;
    for i in 0..n {
        let username: &'static str = Box::leak(format!("{prefix}{i}").into_boxed_str());
        app.person(
            username,
            "Approver",
            Some((&riverside, &[Staff, PracticeManager])),
            &[],
            false,
        )
        .await;
    }
    let pm = app.people["rahmed"];
    let ev = custodian_store::AuditMeta::cli().event(None, "notifications.choices", "person", None);
    let off = [(
        custodian_domain::notifications::NoticeKind::StarterRequest,
        custodian_domain::notifications::Delivery::Off,
    )];
    app.store.set_notice_choices(pm, &off, &ev).await.unwrap();
    starter_request(
        app,
        &format!("Starter {prefix}"),
        &format!("starter.{prefix}"),
    )
    .await;
    custodian_app::notifications::raise_notices(mail_app)
        .await
        .unwrap();
}

/// Waits (at most 30 seconds) for `cond`.
async fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "waited too long for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn ids(got: &[smtp::Received]) -> Vec<String> {
    let mut ids: Vec<String> = got.iter().map(|m| m.message_id.clone()).collect();
    ids.sort();
    ids
}

fn assert_each_once(got: &[smtp::Received], n: usize) {
    let mut unique = ids(got);
    unique.dedup();
    assert_eq!(got.len(), n, "{:?}", ids(got));
    assert_eq!(unique.len(), n, "no email twice");
}

async fn a_mail_server_down_for_a_while_gets_every_email_once_when_it_returns(mut app: TestApp) {
    let port = smtp::free_port();
    let mut s = settings(&SmtpServer::start(Options::default()));
    s.port = port; // nothing listens there yet
    let mail_app = with_mail(&app, s);
    queue_emails(&mut app, &mail_app, 4, "down").await;

    let first = mail::send_due_mail(&mail_app).await.unwrap();
    assert_eq!((first.sent, first.not_sent), (0, 4));
    let pm = app.sign_in("rahmed").await;
    let log = delivery_log(&app, &pm).await;
    for m in log["items"].as_array().unwrap() {
        assert_eq!(m["status"], "queued", "waiting to be tried again");
        assert!(
            m["last_answer"]
                .as_str()
                .unwrap()
                .contains(&format!("127.0.0.1:{port}")),
            "{m}"
        );
    }
    // Not yet time to try again.
    assert_eq!(mail::send_due_mail(&mail_app).await.unwrap().not_sent, 0);

    let server = SmtpServer::start_on(port, Options::default());
    app.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(mail::send_due_mail(&mail_app).await.unwrap().sent, 4);
    assert_eq!(mail::send_due_mail(&mail_app).await.unwrap().sent, 0);
    assert_each_once(&server.messages(), 4);
}

async fn a_mail_server_killed_mid_send_loses_nothing_and_receives_nothing_twice(mut app: TestApp) {
    let mut server = SmtpServer::start(Options {
        delay: 0.4,
        ..Default::default()
    });
    let mail_app = with_mail(&app, settings(&server));
    queue_emails(&mut app, &mail_app, 5, "killed").await;

    let sender = {
        let a = mail_app.clone();
        tokio::spawn(async move { mail::send_due_mail(&a).await.unwrap() })
    };
    // Kill the server while it is taking in the second email.
    wait_until("the first email accepted", || !server.messages().is_empty()).await;
    std::fs::remove_file(server.dir.join("receiving")).ok();
    wait_until("the second email on its way", || server.receiving()).await;
    server.kill();
    let first = sender.await.unwrap();
    assert!(first.not_sent >= 1, "{first:?}");

    server.restart();
    app.clock.advance(chrono::Duration::minutes(5));
    mail::send_due_mail(&mail_app).await.unwrap();
    assert_each_once(&server.messages(), 5);
}

async fn a_sender_killed_mid_send_loses_nothing_and_sends_nothing_twice(mut app: TestApp) {
    let server = SmtpServer::start(Options {
        delay: 0.4,
        ..Default::default()
    });
    let mail_app = with_mail(&app, settings(&server));
    queue_emails(&mut app, &mail_app, 5, "killed").await;

    // The sender dies in the middle of its third email: it goes, with its connections to the
    // mail server and to the database, as with SIGKILL.
    let sender = tokio::spawn(async move { mail::send_due_mail(&mail_app).await.unwrap() });
    wait_until("two emails accepted", || server.messages().len() >= 2).await;
    std::fs::remove_file(server.dir.join("receiving")).ok();
    wait_until("the third email on its way", || server.receiving()).await;
    sender.abort();
    let _ = sender.await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(server.messages().len(), 2, "the third was never accepted");

    // A new sender (the restarted server) finds the claimed emails once their claim runs out.
    let restarted = with_mail(&app, settings(&server));
    assert_eq!(mail::send_due_mail(&restarted).await.unwrap().sent, 0);
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(mail::send_due_mail(&restarted).await.unwrap().sent, 3);
    assert_each_once(&server.messages(), 5);
}

async fn two_servers_on_one_database_send_each_email_once(mut app: TestApp) {
    let server = SmtpServer::start(Options {
        delay: 0.02,
        ..Default::default()
    });
    let one = with_mail(&app, settings(&server));
    queue_emails(&mut app, &one, 12, "two").await;
    // A second server: its own connections to the same database.
    let mut two = with_mail(&app, settings(&server));
    two.store = custodian_store::open(&app.db_url()).await.unwrap();
    let (a, b) = tokio::join!(
        tokio::spawn(async move { mail::send_due_mail(&one).await.unwrap() }),
        tokio::spawn(async move { mail::send_due_mail(&two).await.unwrap() }),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 12, "{a:?} {b:?}");
    assert_each_once(&server.messages(), 12);
}

async fn a_refused_login_or_a_tls_setting_the_server_lacks_is_named_and_nothing_is_lost(
    mut app: TestApp,
) {
    // The server asks for a login; Custodian has the wrong password.
    let server = SmtpServer::start(Options {
        auth: Some("custodian:right-password".into()),
        ..Default::default()
    });
    let mut s = settings(&server);
    s.user = "custodian".into();
    s.password = "wrong-password".into();
    let mail_app = with_mail(&app, s.clone());
    queue_emails(&mut app, &mail_app, 1, "login").await;
    assert_eq!(mail::send_due_mail(&mail_app).await.unwrap().not_sent, 1);
    let line = &app.store.mail_log(None, 10).await.unwrap()[0];
    let answer = line.last_answer.clone().unwrap();
    assert!(answer.contains("535"), "{answer}");
    assert!(answer.contains("mail.user and mail.password"), "{answer}");
    assert_eq!(line.status.as_str(), "queued", "kept to try again");

    // STARTTLS asked of a server that does not offer it.
    let mut starttls = settings(&server);
    starttls.security = Security::StartTls;
    let e = mail::send_test(&Mailer::new(starttls).unwrap(), "someone@example.nhs.uk")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("mail.security is STARTTLS"), "{e}");

    // Fixed: the right password, and the email waiting since goes.
    s.password = "right-password".into();
    let fixed = with_mail(&app, s);
    app.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(mail::send_due_mail(&fixed).await.unwrap().sent, 1);
    assert_each_once(&server.messages(), 1);

    // And over TLS, STARTTLS and implicit, trusting the server's own certificate.
    for tls in ["starttls", "implicit"] {
        let secure = SmtpServer::start(Options {
            tls: Some(tls),
            ..Default::default()
        });
        let mut s = settings(&secure);
        s.security = if tls == "starttls" {
            Security::StartTls
        } else {
            Security::Tls
        };
        s.ca_pem = Some(secure.ca_pem());
        let answer = mail::send_test(&Mailer::new(s).unwrap(), "someone@example.nhs.uk")
            .await
            .unwrap();
        assert!(answer.starts_with("250"), "{tls}: {answer}");
        assert_eq!(secure.messages().len(), 1, "{tls}");
    }

    // A mailbox the server refuses for good is failed, with the server's answer.
    let refusing = SmtpServer::start(Options {
        refuse: Some("refused0@example.nhs.uk".into()),
        ..Default::default()
    });
    let r = with_mail(&app, settings(&refusing));
    queue_emails(&mut app, &r, 1, "refused").await;
    assert_eq!(mail::send_due_mail(&r).await.unwrap().not_sent, 1);
    let line = &app.store.mail_log(None, 1).await.unwrap()[0];
    assert_eq!(line.status.as_str(), "failed");
    assert!(line.last_answer.as_deref().unwrap().contains("550"));
}

async fn emails_carry_no_names_one_time_passwords_or_patient_numbers(mut app: TestApp) {
    let riverside = app.riverside.clone();
    use custodian_domain::PracticeRole::*;
    app.person(
        "lmanager",
        "Lee Manager",
        Some((&riverside, &[Staff, LineManager])),
        &[],
        false,
    )
    .await;
    let server = SmtpServer::start(Options::default());
    let mail_app = with_mail(&app, settings(&server));
    let pm = app.sign_in("rahmed").await;
    // Every kind by email at once, so that every template is used.
    let all: Vec<String> = custodian_domain::notifications::NoticeKind::ALL
        .iter()
        .map(|k| format!(r#"{{"kind": "{k}", "delivery": "immediate"}}"#))
        .collect();
    let res = app
        .put_json(
            "/api/v1/me/email",
            &pm,
            &format!(r#"{{"choices": [{}]}}"#, all.join(", ")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let request = request_by(&app, "lmanager", "Nia Newcomer", "n.newcomer").await;
    leaver(&app, "staylor", today(&app)).await;
    // An incident whose description names a patient and their NHS number.
    let now = custodian_web::Clock::now(&*app.clock);
    let at = |h| custodian_domain::time::moment_field(now - chrono::Duration::hours(h));
    let res = app
        .post_json(
            &format!("/api/v1/practices/{}/incidents", app.riverside.id),
            &pm,
            &serde_json::json!({
                "what_happened": "Mrs Jane Example's results (NHS 943 476 5919) went to her neighbour",
                "kind": "wrong_recipient", "occurred_at": at(2), "discovered_at": at(1),
                "patient_data": true,
            })
            .to_string(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    custodian_app::notifications::raise_notices(&mail_app)
        .await
        .unwrap();
    mail::send_due_mail(&mail_app).await.unwrap();
    // The request approved: the starter's one-time password is shown to the approver once.
    let res = app
        .post_json(
            &format!(
                "/api/v1/practices/{}/requests/{}/approve",
                app.riverside.id,
                request["id"].as_str().unwrap()
            ),
            &pm,
            "{}",
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let approved: serde_json::Value = res.json().await.unwrap();
    let otp = approved["one_time_password"].as_str().unwrap().to_string();
    // A digest too.
    app.store
        .sync_notices(
            app.riverside.id,
            &[],
            custodian_web::Clock::now(&*app.clock),
        )
        .await
        .unwrap();
    app.clock.advance(chrono::Duration::days(1));
    custodian_app::notifications::raise_notices(&mail_app)
        .await
        .unwrap();
    mail::build_due_digests(&mail_app).await.unwrap();
    mail::send_due_mail(&mail_app).await.unwrap();

    let got = server.messages();
    assert!(got.len() >= 2, "{}", got.len());
    assert!(
        got.iter()
            .any(|m| m.subject.contains("reported, waiting for triage")),
        "the incident's notice was emailed (and is scanned below)"
    );
    let nhs_number = regex_like_ten_digits;
    for m in &got {
        for name in [
            "Nia Newcomer",
            "n.newcomer",
            "Sam Taylor",
            "Lee Manager",
            "Moving away",
            "Jane Example",
            "neighbour",
        ] {
            assert!(!m.raw.contains(name), "{name} in {}", m.raw);
        }
        assert!(!m.raw.contains(&otp), "a one-time password in an email");
        assert!(!nhs_number(&m.raw), "a patient number in {}", m.raw);
    }
    // The scan itself: a number is found, an id is not.
    assert!(nhs_number("NHS number 943 476 5919") && nhs_number("9434765919"));
    assert!(!nhs_number(
        "/incidents/01a24c9d-1373-74f5-99e1-ab3417395260"
    ));
}

/// Whether the text has ten digits in a row, or an NHS number written 3-3-4 — leaving out the
/// ids in links and headers (a UUID's last group is twelve hex digits, and now and then all of
/// them are decimal: the test failed on such an id, not on a patient's number).
fn regex_like_ten_digits(text: &str) -> bool {
    let text = &without_uuids(text);
    let digits: Vec<char> = text.chars().collect();
    let run = digits
        .split(|c| !c.is_ascii_digit())
        .any(|run| run.len() == 10);
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ':' | ';' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    let spaced = words.windows(3).any(|w| {
        w.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
            && (w[0].len(), w[1].len(), w[2].len()) == (3, 3, 4)
    });
    run || spaced
}

/// The text with every UUID (8-4-4-4-12 hex digits) blanked out.
fn without_uuids(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let is_uuid = |w: &[char]| {
        w.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
    };
    let mut i = 0;
    while i + 36 <= chars.len() {
        if is_uuid(&chars[i..i + 36]) {
            chars[i..i + 36].fill('_');
            i += 36;
        } else {
            i += 1;
        }
    }
    chars.into_iter().collect()
}

async fn an_audit_trail_failing_its_verification_emails_the_providers_administrators_at_once(
    app: TestApp,
) {
    let server = SmtpServer::start(Options::default());
    let mail_app = with_mail(&app, settings(&server));
    app.sign_in("rahmed").await;
    app.state.audit.checkpoint(&app.store).await.unwrap();
    let verify = custodian_app::audit::VERIFICATION.run;
    verify(&mail_app).await.expect("an intact trail verifies");
    mail::send_due_mail(&mail_app).await.unwrap();
    assert!(
        server.messages().is_empty(),
        "nothing to tell while it is intact"
    );

    // Someone with the database changes an event behind the application's back.
    let sql = match app.store.backend() {
        custodian_store::Backend::Sqlite => {
            "DROP TRIGGER IF EXISTS audit_events_no_update; \
             UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"
        }
        custodian_store::Backend::Postgres => {
            "SET session_replication_role = replica; \
             UPDATE audit_events SET actor = 'mallory' WHERE seq = 2; \
             SET session_replication_role = origin"
        }
    };
    custodian_store::testing::raw_execute(&app.store, sql)
        .await
        .unwrap();
    assert!(
        verify(&mail_app).await.is_err(),
        "the job reports the failure"
    );
    let sent = mail::send_due_mail(&mail_app).await.unwrap();
    assert_eq!(
        sent.sent, 1,
        "the one provider administrator, at once (no digest)"
    );
    let got = server.messages();
    assert_eq!(got[0].to, "admin@example.nhs.uk");
    assert!(
        got[0]
            .subject
            .contains("audit trail failed its verification"),
        "{}",
        got[0].subject
    );
    assert!(
        got[0]
            .raw
            .contains("https://custodian.example.nhs.uk/provider/audit"),
        "{}",
        got[0].raw
    );
    assert!(
        !got[0].raw.contains("mallory"),
        "no detail of what was changed"
    );
    // Practice staff get nothing: the alert is the provider's.
    assert!(got.iter().all(|m| m.to == "admin@example.nhs.uk"));
}

async fn an_iao_hears_when_access_to_their_asset_is_due_its_yearly_review(mut app: TestApp) {
    let server = SmtpServer::start(Options::default());
    let mail_app = with_mail(&app, settings(&server));
    let riverside = app.riverside.clone();
    use custodian_domain::PracticeRole::{InformationAssetOwner, Staff};
    app.person(
        "iowen",
        "Ian Owen",
        Some((&riverside, &[Staff, InformationAssetOwner])),
        &[],
        false,
    )
    .await;
    let pm = app.sign_in("rahmed").await;
    let base = format!("/api/v1/practices/{}/assets", app.riverside.id);
    let body = serde_json::json!({
        "name": "Appointments book", "asset_type": "patient_records", "format": "electronic",
        "volume_band": "over_100000", "iao_id": app.people["iowen"].to_string(),
        "confidentiality": 3, "integrity": 3, "availability": 3,
        "confidentiality_reason": "Patients' names", "integrity_reason": "Bookings",
        "availability_reason": "Daily use",
    });
    let res = app.post_json(&base, &pm, &body.to_string()).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let asset: serde_json::Value = res.json().await.unwrap();
    let asset_path = format!("{base}/{}", asset["id"].as_str().unwrap());
    let entry = serde_json::json!({"role": "staff", "level": "read", "reason": "Booking"});
    let res = app
        .post_json(&format!("{asset_path}/access"), &pm, &entry.to_string())
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );

    // The IAO wants these at once (by default they come in the daily digest).
    let iao = app.sign_in("iowen").await;
    let res = app
        .put_json(
            "/api/v1/me/email",
            &iao,
            r#"{"choices": [{"kind": "access_review", "delivery": "immediate"}]}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let raise_and_send = || async {
        custodian_app::notifications::raise_notices(&mail_app)
            .await
            .unwrap();
        mail::send_due_mail(&mail_app).await.unwrap()
    };
    raise_and_send().await;
    let about_access = |got: &[smtp::Received]| {
        got.iter()
            .filter(|m| m.raw.contains("due a review of who has access"))
            .count()
    };
    assert_eq!(about_access(&server.messages()), 0, "not due for a year");

    // A year on, the IAO (and only the IAO) is told. (Passwords would have aged out by then:
    // this practice follows the NCSC's advice and does not force a change.)
    let no_forced_change = custodian_domain::settings::PracticeSettings {
        password_max_age_days: None,
        password_max_age_off_reason: Some("NCSC advice".into()),
        ..Default::default()
    };
    app.store
        .set_settings(
            app.riverside.id,
            &no_forced_change,
            &custodian_store::AuditMeta::cli(),
        )
        .await
        .unwrap();
    app.clock.advance(chrono::Duration::days(366));
    raise_and_send().await;
    let got = server.messages();
    assert_eq!(about_access(&got), 1, "{got:#?}");
    let m = got
        .iter()
        .find(|m| m.raw.contains("due a review of who has access"))
        .unwrap();
    assert_eq!(m.to, "iowen@example.nhs.uk", "the asset's own IAO");
    let list = format!("/practices/{}/assets?mine=1", app.riverside.id);
    assert!(m.raw.contains(&list), "{}", m.raw);

    // Signing off the review settles the notice.
    let iao = app.sign_in("iowen").await;
    let detail: serde_json::Value = app.get(&asset_path, Some(&iao)).await.json().await.unwrap();
    let keep: Vec<&serde_json::Value> = detail["access"]
        .as_array()
        .unwrap_or_else(|| panic!("{detail}"))
        .iter()
        .map(|e| &e["id"])
        .collect();
    let review = serde_json::json!({"keep": keep, "notes": "Still needed"});
    let res = app
        .post_json(
            &format!("{asset_path}/access-review"),
            &iao,
            &review.to_string(),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    custodian_app::notifications::raise_notices(&mail_app)
        .await
        .unwrap();
    let live = app
        .store
        .notices(app.people["iowen"], false, 50)
        .await
        .unwrap();
    assert!(
        !live
            .iter()
            .any(|n| n.kind == custodian_domain::notifications::NoticeKind::AccessReview),
        "{live:?}"
    );
}
