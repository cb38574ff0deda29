//! What an outside security test of the running server found (issue #15), each finding replayed
//! against the real router over HTTP: on SQLite always, and on PostgreSQL when
//! CUSTODIAN_TEST_DATABASE_URL is set (a NUL byte is PostgreSQL's own fault line).

#[macro_use]
mod common;

use common::*;
use custodian_domain::{PracticeRole, ProviderRole};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

backend_tests!(
    a_return_path_never_leaves_the_site_and_never_answers_500,
    signing_in_over_an_ended_session_keeps_the_new_one,
    an_api_client_finishes_each_sign_in_stage_through_the_api,
    nobody_resets_someone_whose_reach_is_beyond_their_own,
    an_api_token_never_manages_its_owners_account,
    the_practice_name_is_refused_at_the_forced_password_change,
    wrong_current_passwords_count_towards_the_lockout,
    control_characters_and_overlong_text_are_refused_naming_the_field,
    loose_dates_and_settings_out_of_range_are_refused,
    what_the_api_document_allows_is_not_refused_for_its_form,
);

fn problem_fields(p: &serde_json::Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn a_return_path_never_leaves_the_site_and_never_answers_500(app: TestApp) {
    let pm = app.sign_in("rahmed").await;
    // Signed in: the sign-in page sends the browser on at once.
    for next in [
        "%2F%09%2Fevil.example%2Fphish",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "https%3A%2F%2Fevil.example",
        "%2Faccount%0D%0ASet-Cookie%3A%20evil%3D1",
    ] {
        let res = app.get(&format!("/sign-in?next={next}"), Some(&pm)).await;
        assert!(!res.status().is_server_error(), "{next}: {}", res.status());
        if let Some(to) = res.headers().get(LOCATION) {
            assert_eq!(to, "/", "{next}");
        }
    }
    let res = app.get("/sign-in?next=%2Faccount", Some(&pm)).await;
    assert_eq!(
        res.headers()[LOCATION],
        "/account",
        "a path on the site is kept"
    );
    // Signing in with a return path that carries a header: refused or sent home, never 500.
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[
                ("login", "staylor"),
                ("password", PASSWORD),
                ("next", "/account\r\nSet-Cookie: evil=1"),
            ],
        )
        .await;
    assert!(!res.status().is_server_error(), "{}", res.status());
    assert!(
        res.headers()
            .get_all(SET_COOKIE)
            .iter()
            .all(|c| !c.to_str().unwrap().contains("evil")),
        "no header injected"
    );
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[
                ("login", "staylor"),
                ("password", PASSWORD),
                ("next", "/\t/evil.example"),
            ],
        )
        .await;
    assert!(!res.status().is_server_error());
    if let Some(to) = res.headers().get(LOCATION) {
        assert_eq!(to, "/");
    }
}

async fn signing_in_over_an_ended_session_keeps_the_new_one(app: TestApp) {
    let old = app.sign_in("staylor").await;
    let res = app.post_form("/sign-out", Some(&old), &[]).await;
    assert!(res.status().is_redirection());
    // The browser still sends the ended cookie when it signs in again.
    let res = app
        .post_form(
            "/sign-in",
            Some(&old),
            &[("login", "staylor"), ("password", PASSWORD), ("next", "/")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookies: Vec<String> = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .collect();
    let last = cookies.last().expect("a session cookie");
    let value = last.split(';').next().unwrap();
    assert!(
        value.split_once('=').is_some_and(|(_, v)| !v.is_empty()),
        "the last cookie set is the new session, not a clearing one: {cookies:?}"
    );
    // Signed in with it: in one practice only, home is that practice's page.
    let home = app.get("/", Some(value)).await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER, "signed in with it");
    let practice = home.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(practice.starts_with("/practices/"), "{practice}");
    let home = app.get(&practice, Some(value)).await;
    assert_eq!(home.status(), StatusCode::OK, "signed in with it");
}

async fn an_api_client_finishes_each_sign_in_stage_through_the_api(app: TestApp) {
    // Two-factor authentication: the code is entered through the API.
    let (res, cookie) = api_sign_in(&app, &as_fixture("admin")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["stage"], "verify_mfa");
    let res = app
        .post_json(
            "/api/v1/session/mfa",
            &cookie,
            &format!(r#"{{"code": "{}"}}"#, app.totp_code()),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let res = app.get("/api/v1/practices", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK, "the API opens after the code");

    // A one-time password: the new password is set through the API.
    let (res, cookie) = api_sign_in(&app, &as_fixture("newstarter")).await;
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["stage"], "change_password");
    let res = app
        .post_json(
            "/api/v1/me/password",
            &cookie,
            r#"{"new_password": "kettle orbit pancake lantern"}"#,
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["stage"], "security_questions");
}

/// Signs in through the API with `body`; returns the answer and its session cookie (empty when
/// none was set).
async fn api_sign_in(app: &TestApp, body: &str) -> (reqwest::Response, String) {
    let res = app
        .http
        .post(app.url("/api/v1/session"))
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get(SET_COOKIE)
        .map(|_| session_cookie(&res))
        .unwrap_or_default();
    (res, cookie)
}

/// The sign-in body of a fixture person (every one has the same password).
fn as_fixture(login: &str) -> String {
    format!(r#"{{"login": "{login}", "password": "{PASSWORD}"}}"#)
}

fn session_cookie(res: &reqwest::Response) -> String {
    res.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn nobody_resets_someone_whose_reach_is_beyond_their_own(mut app: TestApp) {
    let river = app.riverside.clone();
    app.person(
        "consult",
        "Corin Sultan",
        Some((&river, &[PracticeRole::Staff])),
        &[ProviderRole::IgConsultant],
        false,
    )
    .await;
    app.person(
        "sysadmin",
        "Sid Admin",
        Some((
            &river,
            &[PracticeRole::Staff, PracticeRole::SystemAdministrator],
        )),
        &[],
        false,
    )
    .await;
    app.person(
        "dpl",
        "Dana Lead",
        Some((
            &river,
            &[PracticeRole::Staff, PracticeRole::DataProtectionLead],
        )),
        &[],
        false,
    )
    .await;
    // System administrators sign in with two-factor authentication.
    app.store
        .enable_mfa(
            app.people["sysadmin"],
            TOTP_SECRET,
            &[],
            0,
            &custodian_store::AuditMeta::cli().event(None, "mfa.enrol", "person", None),
        )
        .await
        .unwrap();
    let answers = format!(r#"{{"answers": ["{ANSWER}", "{ANSWER}", "{ANSWER}"]}}"#);
    let verify = |who: &str| {
        format!(
            "/api/v1/practices/{}/people/{}/verify-identity",
            river.id, app.people[who]
        )
    };
    let pm = app.sign_in("rahmed").await;
    // The practice manager may not reset provider staff, even one who works here.
    let res = app.post_json(&verify("consult"), &pm, &answers).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let refused = app.events("identity.verify").await;
    assert!(
        refused
            .iter()
            .any(|e| e.event.outcome == custodian_store::Outcome::Denied),
        "the refusal is recorded"
    );
    for path in ["unlock", "leaver"] {
        let res = app
            .post_json(
                &format!(
                    "/api/v1/practices/{}/people/{}/{path}",
                    river.id, app.people["consult"]
                ),
                &pm,
                r#"{"exit_date": "2030-01-01", "reason": "left"}"#,
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // Nor may a change of their role be approved by someone without the reach: the practice
    // manager asks, the data protection lead (who may approve) is refused.
    let today = custodian_domain::identity::london_today(custodian_web::Clock::now(&*app.clock));
    // Nobody is their own line manager.
    let res = app
        .post_json(
            &format!(
                "/api/v1/practices/{}/people/{}/move",
                river.id, app.people["consult"]
            ),
            &pm,
            &format!(
                r#"{{"full_name": "Corin Sultan", "username": "consult", "job_title": "Consultant", "roles": ["line_manager"], "start_date": "{today}", "line_manager_id": "{}"}}"#,
                app.people["consult"]
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "line_manager_id");
    let res = app
        .post_json(
            &format!(
                "/api/v1/practices/{}/people/{}/move",
                river.id, app.people["consult"]
            ),
            &pm,
            &format!(
                r#"{{"full_name": "Corin Sultan", "username": "consult", "job_title": "Consultant", "roles": ["line_manager"], "start_date": "{today}"}}"#
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let request: serde_json::Value = res.json().await.unwrap();
    let dpl = app.sign_in("dpl").await;
    let res = app
        .post_json(
            &format!(
                "/api/v1/practices/{}/requests/{}/approve",
                river.id,
                request["id"].as_str().unwrap()
            ),
            &dpl,
            r#"{"reason": "agreed"}"#,
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "approving a provider consultant's move"
    );

    // A system administrator may reset plain staff, but not the practice manager.
    let sa = app.sign_in("sysadmin").await;
    let res = app.post_json(&verify("rahmed"), &sa, &answers).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("permission"));
    let res = app.post_json(&verify("staylor"), &sa, &answers).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The practice manager still resets the people within their reach.
    let res = app.post_json(&verify("sysadmin"), &pm, &answers).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    // A provider administrator may reset provider staff.
    let admin = app.sign_in("admin").await;
    let res = app.post_json(&verify("consult"), &admin, &answers).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn an_api_token_never_manages_its_owners_account(app: TestApp) {
    let pm = app.sign_in("rahmed").await;
    let mut secrets = Vec::new();
    for name in ["read only", "another"] {
        let res = app
            .post_json(
                "/api/v1/me/tokens",
                &pm,
                &format!(
                    r#"{{"name": "{name}", "practice_id": "{}", "permissions": ["practice_view"], "expires_in_days": 30}}"#,
                    app.riverside.id
                ),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: serde_json::Value = res.json().await.unwrap();
        secrets.push((
            body["secret"].as_str().unwrap().to_string(),
            body["token"]["id"].as_str().unwrap().to_string(),
        ));
    }
    let bearer = format!("Bearer {}", secrets[0].0);
    let with_token = |method: reqwest::Method, path: &str| {
        app.http
            .request(method, app.url(path))
            .header(AUTHORIZATION, &bearer)
            .header(CONTENT_TYPE, "application/json")
            .body("{}")
    };
    let res = with_token(reqwest::Method::GET, "/api/v1/me/tokens")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "listing tokens");
    let res = with_token(
        reqwest::Method::DELETE,
        &format!("/api/v1/me/tokens/{}", secrets[1].1),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "revoking another token"
    );
    let res = with_token(reqwest::Method::POST, "/api/v1/me/password")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "changing the password");
    // The token still does what it was made for, and the other token still exists.
    let res = with_token(
        reqwest::Method::GET,
        &format!("/api/v1/practices/{}", app.riverside.id),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let list: serde_json::Value = app
        .get("/api/v1/me/tokens", Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

async fn the_practice_name_is_refused_at_the_forced_password_change(app: TestApp) {
    let (_, cookie) = api_sign_in(&app, &as_fixture("newstarter")).await;
    for pw in ["Riverside Medical Centre", "Riverside Medical Centre 1"] {
        let res = app
            .post_json(
                "/api/v1/me/password",
                &cookie,
                &format!(r#"{{"new_password": "{pw}"}}"#),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{pw}");
        let p: serde_json::Value = res.json().await.unwrap();
        assert_eq!(problem_fields(&p), ["new_password"]);
        assert!(p.to_string().contains("practice's name"), "{p}");
    }
}

async fn wrong_current_passwords_count_towards_the_lockout(app: TestApp) {
    let cookie = app.sign_in("staylor").await;
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let res = app
            .post_form(
                "/account/password",
                Some(&cookie),
                &[
                    ("current_password", "not my password at all"),
                    ("new_password", "kettle orbit pancake lantern"),
                    ("confirm_password", "kettle orbit pancake lantern"),
                ],
            )
            .await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(
        statuses.last(),
        Some(&429),
        "the eleventh guess meets the lock: {statuses:?}"
    );
    // Even the right password is refused while the account is locked.
    let res = app
        .post_form(
            "/account/password",
            Some(&cookie),
            &[
                ("current_password", PASSWORD),
                ("new_password", "kettle orbit pancake lantern"),
                ("confirm_password", "kettle orbit pancake lantern"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        !app.events("account.lock").await.is_empty(),
        "the lock is recorded"
    );
}

async fn control_characters_and_overlong_text_are_refused_naming_the_field(app: TestApp) {
    // Before signing in: a NUL in the login.
    let (res, _) = api_sign_in(&app, r#"{"login": "a\u0000b", "password": "x"}"#).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem_fields(&p), ["login"]);
    let res = app
        .post_form("/sign-in", None, &[("login", "a\0b"), ("password", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let pm = app.sign_in("rahmed").await;
    let river = app.riverside.id;
    let asset = |name: &str, extra: &str| {
        format!(
            r#"{{"name": "{name}", "asset_type": "system", "format": "electronic", "volume_band": "none"{extra}}}"#
        )
    };
    for (body, field) in [
        (asset("EMIS\\u0000Web", ""), "name"),
        (asset("EMIS\\u001b[31mWeb", ""), "name"),
        (
            asset(
                "EMIS Web",
                &format!(
                    r#", "confidentiality": 3, "confidentiality_reason": "{}""#,
                    "x".repeat(600)
                ),
            ),
            "confidentiality_reason",
        ),
    ] {
        let res = app
            .post_json(&format!("/api/v1/practices/{river}/assets"), &pm, &body)
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let p: serde_json::Value = res.json().await.unwrap();
        assert!(
            problem_fields(&p).contains(&field.to_string()),
            "{field}: {p}"
        );
    }
    // Searches: a NUL, and a term far longer than any name, on the web and the API.
    for path in [
        format!("/api/v1/practices/{river}/assets?search=a%00b"),
        format!("/practices/{river}/assets?search=a%00b"),
        format!(
            "/api/v1/practices/{river}/risks?search={}",
            "ab".repeat(30_000)
        ),
        format!("/practices/{river}/risks?search={}", "ab".repeat(30_000)),
        format!("/practices/{river}/audit?action=a%00b"),
    ] {
        let res = app.get(&path, Some(&pm)).await;
        assert!(
            res.status() == StatusCode::UNPROCESSABLE_ENTITY
                || res.status() == StatusCode::BAD_REQUEST
                || res.status() == StatusCode::URI_TOO_LONG,
            "{}: {}",
            &path[..60.min(path.len())],
            res.status()
        );
    }
    // A search of an ordinary length still works on both backends.
    let res = app
        .get(
            &format!(
                "/api/v1/practices/{river}/assets?search={}",
                "a".repeat(1000)
            ),
            Some(&pm),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Nothing was written, and the server still answers.
    let list: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/assets"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
    let _ = COOKIE;
}

async fn loose_dates_and_settings_out_of_range_are_refused(app: TestApp) {
    let pm = app.sign_in("rahmed").await;
    let river = app.riverside.id;
    for date in ["26-01-01", "-2026-01-01", "+2026-01-01", "2026-1-1"] {
        let body = format!(
            r#"{{"name": "EMIS Web", "asset_type": "system", "format": "electronic", "volume_band": "none", "retain_until": "{date}"}}"#
        );
        let res = app
            .post_json(&format!("/api/v1/practices/{river}/assets"), &pm, &body)
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        let p: serde_json::Value = res.json().await.unwrap();
        assert!(
            problem_fields(&p).contains(&"retain_until".to_string()),
            "{date}: {p}"
        );
    }
    let mut settings: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/settings"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    settings["quarter_start_month"] = 13.into();
    let res = app
        .put_json(
            &format!("/api/v1/practices/{river}/settings"),
            &pm,
            &settings.to_string(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem_fields(&p), ["quarter_start_month"]);
    let saved: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/settings"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["quarter_start_month"], 1, "nothing saved");
}

/// Found by schemathesis's `positive_data_acceptance` (the document allows it, so the server
/// must not refuse it as malformed): a well-formed cursor whose row has gone is a conflict with
/// the list's state (409, naming `cursor`), not a bad request; `2.0` is the integer 2, as JSON
/// and the document count it; and a body's member names are held to the text rule.
async fn what_the_api_document_allows_is_not_refused_for_its_form(app: TestApp) {
    let pm = app.sign_in("rahmed").await;
    let river = app.riverside.id;
    let gone = format!("{}.{}", uuid::Uuid::now_v7().simple(), "6162");
    let res = app
        .get(
            &format!("/api/v1/practices/{river}/systems?cursor={gone}"),
            Some(&pm),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem_fields(&p), ["cursor"]);
    // A cursor not in the server's form is still malformed.
    let res = app
        .get(
            &format!("/api/v1/practices/{river}/systems?cursor=not-a-cursor"),
            Some(&pm),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let settings: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/settings"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    let mut changed = settings.clone();
    changed["session_idle_minutes"] = serde_json::json!(20.0);
    let res = app
        .put_json(
            &format!("/api/v1/practices/{river}/settings"),
            &pm,
            &changed.to_string(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let now: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/settings"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["session_idle_minutes"], 20);

    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/systems"),
            &pm,
            r#"{"name": "Docman", "a\u0000b": 1}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
