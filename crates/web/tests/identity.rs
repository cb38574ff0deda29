//! The User Authorisation Process and sign-in security over HTTP: starters, first sign-in,
//! password resets after an identity check, leavers carried out by the scheduler, lockout,
//! TOTP replay, administrator nominations and API tokens. SQLite always; PostgreSQL when
//! CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use chrono::Duration;
use common::*;
use custodian_domain::PracticeRole;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

backend_tests!(
    a_starter_is_approved_signs_in_is_reset_and_leaves,
    a_leaver_with_an_exit_date_before_the_start_is_refused,
    nobody_approves_their_own_request,
    a_starter_cannot_sign_in_before_the_start_date_or_with_an_expired_one_time_password,
    ten_failed_sign_ins_lock_the_account_until_unlocked,
    an_authenticator_code_is_never_accepted_twice,
    a_third_administrator_is_refused_over_the_cap,
    api_tokens_are_scoped_to_a_practice_and_a_subset_of_permissions,
    a_flood_of_failed_sign_ins_from_one_address_is_throttled,
    every_api_route_is_in_the_openapi_document,
    a_password_hashed_with_weaker_parameters_is_upgraded_at_sign_in,
    an_expired_password_leads_straight_to_the_change_form,
    the_practice_sets_the_idle_timeout,
);

fn otp_in(html: &str) -> String {
    let start = html
        .find("class=\"otp\"><code>")
        .expect("the page shows a one-time password")
        + "class=\"otp\"><code>".len();
    html[start..start + 19].to_string()
}

fn cookie_of(res: &reqwest::Response) -> String {
    res.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

fn today(app: &TestApp) -> String {
    use custodian_web::Clock;
    custodian_domain::identity::london_today(app.clock.now()).to_string()
}

async fn a_starter_is_approved_signs_in_is_reset_and_leaves(mut app: TestApp) {
    let river = app.riverside.id;
    app.person(
        "jgreen",
        "Jasmine Green",
        Some((
            &app.riverside.clone(),
            &[PracticeRole::Staff, PracticeRole::LineManager],
        )),
        &[],
        false,
    )
    .await;
    let pm = app.sign_in("rahmed").await;
    let emis: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/systems"),
            &pm,
            r#"{"name": "EMIS Web"}"#,
        )
        .await
        .json()
        .await
        .unwrap();
    let emis = emis["id"].as_str().unwrap().to_string();

    // The line manager asks for a new starter.
    let lm = app.sign_in("jgreen").await;
    let jasmine = app.people["jgreen"].to_string();
    let res = app
        .post_form(
            &format!("/practices/{river}/requests"),
            Some(&lm),
            &[
                ("full_name", "Nia Starter"),
                ("username", "n.starter"),
                ("job_title", "Receptionist"),
                ("start_date", &today(&app)),
                ("systems", &emis),
                ("line_manager_id", &jasmine),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let request_page = res.headers()[LOCATION].to_str().unwrap().to_string();
    let request_id = request_page.rsplit('/').next().unwrap().to_string();
    // A line manager cannot approve it.
    assert_eq!(
        app.post_form(&format!("{request_page}/approve"), Some(&lm), &[])
            .await
            .status(),
        403
    );

    // The practice manager approves: the one-time password is shown once.
    let res = app
        .post_form(
            &format!("{request_page}/approve"),
            Some(&pm),
            &[("reason", "Offer accepted")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let otp = otp_in(&res.text().await.unwrap());
    let tasks: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/tasks"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tasks["items"][0]["action"], "create");
    assert_eq!(tasks["items"][0]["system_name"], "EMIS Web");
    assert_eq!(tasks["items"][0]["status"], "open");
    // The system administrator creates the login and marks the task done.
    let res = app
        .post_json(
            &format!(
                "/api/v1/practices/{river}/tasks/{}/done",
                tasks["items"][0]["id"].as_str().unwrap()
            ),
            &pm,
            r#"{"note": "Login created"}"#,
        )
        .await;
    assert_eq!(res.status(), 200);
    let r: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/requests/{request_id}"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "approved");

    // First sign-in: one-time password, then a new password, then security questions.
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "n.starter"), ("password", &otp)],
        )
        .await;
    assert_eq!(res.headers()[LOCATION], "/account/password");
    let nia = cookie_of(&res);
    let res = app
        .post_form(
            "/account/password",
            Some(&nia),
            &[
                ("new_password", "copper kettle autumn river"),
                ("confirm_password", "copper kettle autumn river"),
            ],
        )
        .await;
    assert_eq!(res.headers()[LOCATION], "/account/security-questions");
    let qs = custodian_domain::identity::SECURITY_QUESTIONS;
    let res = app
        .post_form(
            "/account/security-questions",
            Some(&nia),
            &[
                ("question_1", qs[0]),
                ("answer_1", "Oak Lane Primary"),
                ("question_2", qs[1]),
                ("answer_2", "Raleigh"),
                ("question_3", qs[2]),
                ("answer_3", "Leeds"),
            ],
        )
        .await;
    assert_eq!(res.headers()[LOCATION], "/");
    assert_eq!(app.get("/api/v1/me", Some(&nia)).await.status(), 200);
    // Nia makes an API token for a reporting script.
    let token: serde_json::Value = app
        .post_json("/api/v1/me/tokens", &nia, &format!(r#"{{"name": "script", "practice_id": "{river}", "permissions": ["practice_view"], "expires_in_days": 30}}"#))
        .await
        .json()
        .await
        .unwrap();
    let secret = token["secret"].as_str().unwrap().to_string();
    let bearer = |path: &str| {
        app.http
            .get(app.url(path))
            .header("authorization", format!("Bearer {secret}"))
            .send()
    };
    assert_eq!(
        bearer(&format!("/api/v1/practices/{river}"))
            .await
            .unwrap()
            .status(),
        200
    );

    // Nia forgets her password and calls. Wrong answers first: no password is issued.
    let nia_id = app
        .store
        .credentials("n.starter")
        .await
        .unwrap()
        .unwrap()
        .person_id;
    let verify = format!("/practices/{river}/people/{nia_id}/verify-identity");
    let res = app
        .post_form(
            &verify,
            Some(&pm),
            &[
                ("answer_1", "St Mary's"),
                ("answer_2", "raleigh"),
                ("answer_3", "leeds"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("2 attempts remain"));
    // An authoriser cannot reset their own password this way.
    let me = app.people["rahmed"];
    assert_eq!(
        app.post_form(
            &format!("/practices/{river}/people/{me}/verify-identity"),
            Some(&pm),
            &[("answer_1", "x")]
        )
        .await
        .status(),
        422
    );
    // Right answers (any case and punctuation): a new one-time password; Nia is signed out.
    let res = app
        .post_form(
            &verify,
            Some(&pm),
            &[
                ("answer_1", "oak lane primary"),
                ("answer_2", "RALEIGH"),
                ("answer_3", "Leeds."),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let otp2 = otp_in(&res.text().await.unwrap());
    assert_eq!(
        app.get("/api/v1/me", Some(&nia)).await.status(),
        401,
        "every session ended at the reset"
    );
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "n.starter"), ("password", &otp2)],
        )
        .await;
    let nia = cookie_of(&res);
    // Her old password may not come back.
    let res = app
        .post_form(
            "/account/password",
            Some(&nia),
            &[
                ("new_password", "copper kettle autumn river"),
                ("confirm_password", "copper kettle autumn river"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("not used for your last 5 passwords")
    );
    let res = app
        .post_form(
            "/account/password",
            Some(&nia),
            &[
                ("new_password", "velvet harbour lemon tractor"),
                ("confirm_password", "velvet harbour lemon tractor"),
            ],
        )
        .await;
    assert_eq!(
        res.headers()[LOCATION],
        "/",
        "questions are already set: straight in"
    );

    // Nia leaves today. Until the end of the day she keeps her access...
    let res = app
        .post_form(
            &format!("/practices/{river}/people/{nia_id}/leaver"),
            Some(&lm),
            &[("exit_date", &today(&app)), ("reason", "Moving away")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        custodian_app::identity::process_due_leavers(&app.state)
            .await
            .unwrap(),
        0
    );
    assert_eq!(app.get("/api/v1/me", Some(&nia)).await.status(), 200);
    // ...and at the end of the exit date the scheduler, with nobody acting, removes it.
    app.clock.advance(Duration::days(1));
    assert_eq!(
        custodian_app::identity::process_due_leavers(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&nia)).await.status(),
        401,
        "the session issued before is dead"
    );
    assert_eq!(
        bearer(&format!("/api/v1/practices/{river}"))
            .await
            .unwrap()
            .status(),
        401,
        "so is the API token"
    );
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[
                ("login", "n.starter"),
                ("password", "velvet harbour lemon tractor"),
            ],
        )
        .await;
    assert_eq!(res.status(), 401, "a deactivated account cannot sign in");
    let tasks: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/tasks"),
            Some(&app.sign_in("rahmed").await),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["action"] == "remove"
                && t["system_name"] == "EMIS Web"
                && t["status"] == "open")
    );
    let events = app.store.events(Some(river), 200).await.unwrap();
    let deactivation = events
        .iter()
        .find(|e| e.event.action == "person.deactivate")
        .expect("deactivation recorded");
    assert_eq!(deactivation.event.meta.actor, "scheduler");
}

async fn a_leaver_with_an_exit_date_before_the_start_is_refused(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let sam = app.people["staylor"];
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/people/{sam}/leaver"),
            &pm,
            r#"{"exit_date": "2001-01-01", "reason": "Test"}"#,
        )
        .await;
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "exit_date");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("before the person started")
    );
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/people/{sam}/leaver"),
            &pm,
            r#"{"exit_date": "tomorrow", "reason": ""}"#,
        )
        .await;
    let p: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<_> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["reason", "exit_date"]);
    let leavers: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/leavers"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        leavers["items"].as_array().unwrap().is_empty(),
        "nothing written"
    );
    // A leaver recorded with a past date is carried out at once.
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/people/{sam}/leaver"),
            &pm,
            &format!(
                r#"{{"exit_date": "{}", "reason": "Left last week"}}"#,
                today(&app)
            ),
        )
        .await;
    assert_eq!(res.status(), 201);
}

async fn nobody_approves_their_own_request(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let body = format!(
        r#"{{"full_name": "Own Request", "username": "own.request", "job_title": "Nurse", "start_date": "{}"}}"#,
        today(&app)
    );
    let r: serde_json::Value = app
        .post_json(&format!("/api/v1/practices/{river}/requests"), &pm, &body)
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .post_json(
            &format!(
                "/api/v1/practices/{river}/requests/{}/approve",
                r["id"].as_str().unwrap()
            ),
            &pm,
            "{}",
        )
        .await;
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("request you made")
    );
    assert!(
        app.store
            .credentials("own.request")
            .await
            .unwrap()
            .is_none(),
        "no account was created"
    );
    // A request missing fields names each one.
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/requests"),
            &pm,
            r#"{"full_name": "", "username": "x", "job_title": "", "start_date": "soon"}"#,
        )
        .await;
    let p: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<_> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["username", "full_name", "job_title", "start_date"]);
}

async fn approve_starter(app: &TestApp, start: &str) -> String {
    let river = app.riverside.id;
    let sam = app.sign_in("staylor").await; // staff: cannot request
    let body = format!(
        r#"{{"full_name": "Future Starter", "username": "f.starter", "job_title": "Nurse", "start_date": "{start}"}}"#
    );
    assert_eq!(
        app.post_json(&format!("/api/v1/practices/{river}/requests"), &sam, &body)
            .await
            .status(),
        403
    );
    let karen_is_elsewhere = app.sign_in("kmills").await;
    assert_eq!(
        app.post_json(
            &format!("/api/v1/practices/{river}/requests"),
            &karen_is_elsewhere,
            &body
        )
        .await
        .status(),
        404
    );
    let pm = app.sign_in("rahmed").await;
    let r: serde_json::Value = app
        .post_json(&format!("/api/v1/practices/{river}/requests"), &pm, &body)
        .await
        .json()
        .await
        .unwrap();
    let admin = app.sign_in("admin").await;
    let a: serde_json::Value = app
        .post_json(
            &format!(
                "/api/v1/practices/{river}/requests/{}/approve",
                r["id"].as_str().unwrap()
            ),
            &admin,
            "{}",
        )
        .await
        .json()
        .await
        .unwrap();
    a["one_time_password"]
        .as_str()
        .expect("a starter gets a one-time password")
        .to_string()
}

async fn a_starter_cannot_sign_in_before_the_start_date_or_with_an_expired_one_time_password(
    app: TestApp,
) {
    use custodian_web::Clock;
    let start = custodian_domain::identity::london_today(app.clock.now()) + Duration::days(3);
    let otp = approve_starter(&app, &start.to_string()).await;
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "f.starter"), ("password", &otp)],
        )
        .await;
    assert_eq!(res.status(), 401);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Your account opens on your start date")
    );
    // 73 hours later the start date has come, but the one-time password (72 hours) has gone.
    app.clock.advance(Duration::hours(73));
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "f.starter"), ("password", &otp)],
        )
        .await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("has expired"));
    let reasons: Vec<String> = app
        .store
        .events(None, 50)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.action == "session.sign_in" && e.event.outcome == Outcome::Failure)
        .map(|e| e.event.details["reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        reasons[..2],
        [
            "one_time_password_expired".to_string(),
            "before_start_date".to_string()
        ]
    );
}

async fn ten_failed_sign_ins_lock_the_account_until_unlocked(app: TestApp) {
    let river = app.riverside.id;
    for _ in 0..10 {
        assert_eq!(
            app.post_form(
                "/sign-in",
                None,
                &[("login", "staylor"), ("password", "guess guess guess")]
            )
            .await
            .status(),
            401
        );
    }
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "staylor"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        res.status(),
        401,
        "locked: even the right password is refused"
    );
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("locked after too many failed sign-ins")
    );
    let pm = app.sign_in("rahmed").await;
    let page = app
        .get(&format!("/practices/{river}/security"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Sam Taylor") && page.contains("Unlock sign-in"),
        "the lock is visible on the security page"
    );
    // Staff cannot unlock; the practice manager can, and it is recorded.
    let sam = app.people["staylor"];
    let other = app.sign_in("newstarter").await;
    let _ = other;
    let res = app
        .post_form(
            &format!("/practices/{river}/people/{sam}/unlock"),
            Some(&pm),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        !app.get(&format!("/practices/{river}/security"), Some(&pm))
            .await
            .text()
            .await
            .unwrap()
            .contains("Unlock sign-in")
    );
    assert_eq!(
        app.post_form(
            "/sign-in",
            None,
            &[("login", "staylor"), ("password", PASSWORD)]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    let actions: Vec<String> = app
        .store
        .events(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    assert!(
        actions.contains(&"account.lock".to_string())
            && actions.contains(&"account.unlock".to_string())
    );
    // A lock also ends by itself after the practice's lockout period.
    for _ in 0..10 {
        app.post_form(
            "/sign-in",
            None,
            &[("login", "staylor"), ("password", "guess guess guess")],
        )
        .await;
    }
    app.clock.advance(Duration::minutes(31));
    assert_eq!(
        app.post_form(
            "/sign-in",
            None,
            &[("login", "staylor"), ("password", PASSWORD)]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
}

async fn an_authenticator_code_is_never_accepted_twice(app: TestApp) {
    let first = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "admin"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        first.headers()[LOCATION],
        "/sign-in/mfa",
        "provider staff must give a second factor"
    );
    let s1 = cookie_of(&first);
    assert_eq!(
        app.get("/api/v1/me", Some(&s1)).await.status(),
        403,
        "nothing opens before the code"
    );
    let code = app.totp_code();
    assert_eq!(
        app.post_form("/sign-in/mfa", Some(&s1), &[("code", &code)])
            .await
            .headers()[LOCATION],
        "/"
    );
    let second = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "admin"), ("password", PASSWORD)],
        )
        .await;
    let s2 = cookie_of(&second);
    let res = app
        .post_form("/sign-in/mfa", Some(&s2), &[("code", &code)])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already been used"));
    assert_eq!(app.get("/api/v1/me", Some(&s2)).await.status(), 403);
    let refused = app
        .store
        .events(None, 20)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.event.action == "mfa.verify" && e.event.outcome == Outcome::Failure)
        .unwrap();
    assert_eq!(refused.event.details["reason"], "replayed_code");
    // The next step's code works.
    app.clock.advance(Duration::seconds(30));
    assert_eq!(
        app.post_form("/sign-in/mfa", Some(&s2), &[("code", &app.totp_code())])
            .await
            .headers()[LOCATION],
        "/"
    );
}

async fn a_third_administrator_is_refused_over_the_cap(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let sam = app.sign_in("staylor").await;
    let body = |p: &str| {
        format!(
            r#"{{"person_id": "{}", "reason": "Runs IT"}}"#,
            app.people[p]
        )
    };
    assert_eq!(
        app.post_json(
            &format!("/api/v1/practices/{river}/administrators"),
            &sam,
            &body("staylor")
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        app.post_json(
            &format!("/api/v1/practices/{river}/administrators"),
            &pm,
            &body("staylor")
        )
        .await
        .status(),
        201
    );
    assert_eq!(
        app.post_json(
            &format!("/api/v1/practices/{river}/administrators"),
            &pm,
            &body("rahmed")
        )
        .await
        .status(),
        201
    );
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/administrators"),
            &pm,
            &body("newstarter"),
        )
        .await;
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("limit")
    );
    let admins: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/administrators"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(admins["items"].as_array().unwrap().len(), 2);
    assert_eq!(admins["items"][0]["reason"], "Runs IT");
    // A nominated administrator must now use MFA: their next sign-in leads to enrolment.
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "staylor"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.headers()[LOCATION], "/account/mfa");
}

async fn api_tokens_are_scoped_to_a_practice_and_a_subset_of_permissions(app: TestApp) {
    let (river, hill) = (app.riverside.id, app.hillside.id);
    let pm = app.sign_in("rahmed").await;
    let res = app.post_json("/api/v1/me/tokens", &pm, &format!(r#"{{"name": "export", "practice_id": "{hill}", "permissions": ["people_view"], "expires_in_days": 30}}"#)).await;
    assert_eq!(res.status(), 422, "not a practice of theirs");
    let res = app.post_json("/api/v1/me/tokens", &pm, &format!(r#"{{"name": "export", "practice_id": "{river}", "permissions": ["provider_manage"], "expires_in_days": 30}}"#)).await;
    assert_eq!(res.status(), 422, "not a permission of theirs");
    let t: serde_json::Value = app
        .post_json("/api/v1/me/tokens", &pm, &format!(r#"{{"name": "export", "practice_id": "{river}", "permissions": ["practice_view", "people_view"], "expires_in_days": 30}}"#))
        .await
        .json()
        .await
        .unwrap();
    let secret = t["secret"].as_str().unwrap();
    assert!(secret.starts_with("cst_"));
    let call = |path: String| {
        app.http
            .get(app.url(&path))
            .header("authorization", format!("Bearer {secret}"))
            .send()
    };
    assert_eq!(
        call(format!("/api/v1/practices/{river}/people"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        call(format!("/api/v1/practices/{river}/access"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        call(format!("/api/v1/practices/{river}/tasks"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        call(format!("/api/v1/practices/{river}/leavers"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        call(format!("/api/v1/practices/{hill}"))
            .await
            .unwrap()
            .status(),
        404
    );
    let sam = app.people["staylor"];
    let res = app
        .http
        .post(app.url(&format!("/api/v1/practices/{river}/people/{sam}/unlock")))
        .header("authorization", format!("Bearer {secret}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "the practice manager can unlock, the token cannot"
    );
    let list: serde_json::Value = call("/api/v1/practices".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The token's use is recorded once in an hour, with the practice and the token's name.
    let uses = app.events("api_token.use").await;
    assert_eq!(uses.len(), 1, "seven requests, one hour");
    assert_eq!(uses[0].event.practice_id, Some(river));
    assert_eq!(uses[0].event.meta.actor, "rahmed");
    assert_eq!(uses[0].event.details["name"], "export");
    app.clock.advance(chrono::Duration::minutes(61));
    call(format!("/api/v1/practices/{river}/people"))
        .await
        .unwrap();
    let uses = app.events("api_token.use").await;
    assert_eq!(uses.len(), 2);
    assert!(uses[0].event.details["previous_use"].is_string());
    let pm = app.sign_in("rahmed").await;
    // A token cannot make tokens, and a tampered one is refused.
    let res = app
        .http
        .post(app.url("/api/v1/me/tokens"))
        .header("authorization", format!("Bearer {secret}"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(res.status() == 403 || res.status() == 422);
    let last = if secret.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &secret[..secret.len() - 1]);
    assert_eq!(
        app.http
            .get(app.url("/api/v1/me"))
            .header("authorization", format!("Bearer {forged}"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let id = t["token"]["id"].as_str().unwrap();
    assert_eq!(
        app.http
            .delete(app.url(&format!("/api/v1/me/tokens/{id}")))
            .header(COOKIE, &pm)
            .header("origin", &app.url)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        call(format!("/api/v1/practices/{river}/people"))
            .await
            .unwrap()
            .status(),
        401,
        "revoked"
    );
}

async fn a_flood_of_failed_sign_ins_from_one_address_is_throttled(app: TestApp) {
    let mut last = StatusCode::OK;
    for i in 0..31 {
        // Many different accounts, so per-account lockout does not stop it.
        last = app
            .post_form(
                "/sign-in",
                None,
                &[
                    ("login", &format!("nobody{i}")),
                    ("password", "guess guess guess"),
                ],
            )
            .await
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "rahmed"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "refused before the password is even checked"
    );
    assert!(res.text().await.unwrap().contains("Wait five minutes"));
}

async fn every_api_route_is_in_the_openapi_document(app: TestApp) {
    let doc: serde_json::Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    for route in custodian_web::route_table()
        .list()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
    {
        let op = &doc["paths"][route.path][route.method.as_str().to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is not documented in the OpenAPI document",
            route.method,
            route.path
        );
    }
}

async fn a_password_hashed_with_weaker_parameters_is_upgraded_at_sign_in(app: TestApp) {
    let sam = app.people["staylor"];
    let weak = custodian_app::Passwords::with_params(1, 8 * 1024, 1)
        .hash(PASSWORD)
        .await
        .unwrap();
    app.store
        .set_password(
            sam,
            &weak,
            &AuditMeta::cli().event(None, "person.password_change", "person", None),
        )
        .await
        .unwrap();
    app.sign_in("staylor").await;
    let stored = app
        .store
        .credentials("staylor")
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    let e = app
        .store
        .events(None, 5)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.event.action == "session.sign_in")
        .unwrap();
    assert_eq!(e.event.details["password_rehashed"], true);
}

async fn an_expired_password_leads_straight_to_the_change_form(app: TestApp) {
    let river = app.riverside.id;
    // Switching periodic change off needs a reason.
    let pm = app.sign_in("rahmed").await;
    let mut settings: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/settings"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        settings["password_max_age_days"], 365,
        "the policy's default"
    );
    settings["password_max_age_days"] = serde_json::Value::Null;
    let res = app
        .http
        .put(app.url(&format!("/api/v1/practices/{river}/settings")))
        .header(COOKIE, &pm)
        .header("origin", &app.url)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "password_max_age_off_reason");

    // A year and a day later, sign-in leads straight to the change form.
    app.clock.advance(Duration::days(366));
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "staylor"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.headers()[LOCATION], "/account/password");
    let cookie = cookie_of(&res);
    let page = app
        .get("/account/password", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("reached the age at which your practice asks for a new one"));
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 403);

    // A practice that switches periodic change off (with a reason) lets the same password in.
    let off = custodian_domain::settings::PracticeSettings {
        password_max_age_days: None,
        password_max_age_off_reason: Some("NCSC advice, agreed at the practice meeting".into()),
        ..Default::default()
    };
    app.store
        .set_settings(river, &off, &AuditMeta::cli())
        .await
        .unwrap();
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "staylor"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.headers()[LOCATION], "/");
}

async fn the_practice_sets_the_idle_timeout(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let mut settings: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/settings"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    settings["session_idle_minutes"] = 5.into();
    let res = app
        .http
        .put(app.url(&format!("/api/v1/practices/{river}/settings")))
        .header(COOKIE, &pm)
        .header("origin", &app.url)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let sam = app.sign_in("staylor").await;
    app.clock.advance(Duration::minutes(4));
    assert_eq!(app.get("/api/v1/me", Some(&sam)).await.status(), 200);
    app.clock.advance(Duration::minutes(6));
    assert_eq!(
        app.get("/api/v1/me", Some(&sam)).await.status(),
        401,
        "5 idle minutes end the session"
    );
}
