//! The server as a client meets it: the real router on a free port, spoken to over HTTP, on
//! SQLite always and on PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use chrono::Duration;
use common::*;
use custodian_web::kit::routes::Reach;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

backend_tests!(
    probes_answer_and_every_response_carries_security_headers,
    unknown_routes_and_bad_bodies_get_clear_errors,
    sign_in_sets_a_safe_cookie_and_sign_out_revokes_it_at_once,
    a_wrong_password_and_an_unknown_user_look_alike_and_are_recorded,
    sessions_end_after_the_idle_timeout,
    a_one_time_password_must_be_replaced_before_anything_else,
    cross_site_posts_are_refused,
    every_practice_route_answers_404_to_people_of_other_practices,
    every_route_that_needs_a_session_refuses_anonymous_callers,
    the_staff_list_is_permission_checked_and_every_read_recorded,
    the_api_pages_through_practices_with_a_cursor,
    only_provider_administrators_add_practices_and_bad_input_is_named,
    every_practice_page_records_exactly_the_expected_read,
);

async fn probes_answer_and_every_response_carries_security_headers(app: TestApp) {
    for (path, status) in [
        ("/healthz", 200),
        ("/readyz", 200),
        ("/sign-in", 200),
        ("/nope", 404),
        ("/api/v1/me", 401),
        ("/", 303),
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        let h = res.headers();
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            !h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["x-request-id"].to_str().unwrap().len(), 36, "{path}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
    assert_eq!(
        app.get("/readyz", None).await.text().await.unwrap(),
        "ready\n"
    );
}

async fn unknown_routes_and_bad_bodies_get_clear_errors(app: TestApp) {
    let res = app.get("/no/such/page", None).await;
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("<h1>Page not found</h1>")
    );

    let res = app.get("/api/v1/no/such", None).await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/problem+json");
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["status"], 404);
    assert_eq!(p["instance"], "/api/v1/no/such");

    let admin = app.sign_in("admin").await;
    let res = app
        .post_json("/api/v1/practices", &admin, "{\"name\": ")
        .await;
    assert_eq!(res.status(), 400);
    let p: serde_json::Value = res.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("JSON"), "{p}");

    let res = app
        .post_json("/api/v1/practices", &admin, "{\"name\": \"No code\"}")
        .await;
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("ods_code"), "{p}");

    let big = format!(
        "{{\"name\": \"{}\", \"ods_code\": \"Z00009\"}}",
        "x".repeat(10_000)
    );
    let res = app.post_json("/api/v1/practices", &admin, &big).await;
    assert_eq!(res.status(), 413);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/problem+json");

    // Nothing was created by any of these.
    let list: serde_json::Value = app
        .get("/api/v1/practices", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    // A 500 never shows internals; an unparseable page size is a 400 naming the parameter.
    let res = app.get("/api/v1/practices?limit=lots", Some(&admin)).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("limit"));
}

async fn sign_in_sets_a_safe_cookie_and_sign_out_revokes_it_at_once(app: TestApp) {
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[
                ("login", "RAhmed"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/account");
    let set = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();
    let token = cookie.split('=').nth(1).unwrap();
    assert_eq!(token.len(), 64, "256-bit token");

    // Only the hash is stored: the token itself appears nowhere in the audit trail or sessions.
    let me: serde_json::Value = app
        .get("/api/v1/me", Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "rahmed");
    assert_eq!(
        me["practices"][0]["practice"]["name"],
        "Riverside Medical Centre"
    );

    // A second sign-in gets a different token.
    let again = app.sign_in("rahmed").await;
    assert_ne!(again, cookie);

    // An off-site `next` is ignored.
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[
                ("login", "rahmed"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.headers()[LOCATION], "/");

    let res = app.post_form("/sign-out", Some(&cookie), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&cookie)).await.status(),
        401,
        "the old cookie is dead"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&again)).await.status(),
        200,
        "other sessions live on"
    );
    assert_eq!(app.events("session.sign_out").await.len(), 1);
    assert!(
        app.events("session.sign_in")
            .await
            .iter()
            .all(|e| e.event.outcome == Outcome::Success)
    );
}

async fn a_wrong_password_and_an_unknown_user_look_alike_and_are_recorded(app: TestApp) {
    let wrong = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "rahmed"), ("password", "not it at all")],
        )
        .await;
    let unknown = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "nobody"), ("password", "not it at all")],
        )
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let msg = "The username or password is not right";
    assert!(a.contains(msg) && b.contains(msg));
    assert!(
        a.contains("href=\"#login\""),
        "error summary links to the field"
    );
    let failures = app.events("session.sign_in").await;
    let reasons: Vec<_> = failures
        .iter()
        .map(|e| e.event.details["reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reasons, ["unknown_login", "wrong_password"]);
    assert!(failures.iter().all(|e| e.event.outcome == Outcome::Failure));
    assert!(
        !failures
            .iter()
            .any(|e| e.event.details.to_string().contains("not it at all")),
        "passwords are never recorded"
    );

    let empty = app
        .post_form("/sign-in", None, &[("login", ""), ("password", "")])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        empty.contains("Enter your username or email address")
            && empty.contains("Enter your password")
    );
}

async fn sessions_end_after_the_idle_timeout(app: TestApp) {
    let cookie = app.sign_in("rahmed").await;
    app.clock.advance(Duration::minutes(14));
    assert_eq!(
        app.get("/api/v1/me", Some(&cookie)).await.status(),
        200,
        "14 minutes idle is fine"
    );
    app.clock.advance(Duration::minutes(14));
    assert_eq!(
        app.get("/api/v1/me", Some(&cookie)).await.status(),
        200,
        "each request restarts the idle clock"
    );
    app.clock.advance(Duration::minutes(16));
    let res = app.get("/", Some(&cookie)).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "16 minutes idle signs you out"
    );
    assert_eq!(res.headers()[LOCATION], "/sign-in?ended=1");
    let page = app
        .get("/sign-in?ended=1", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("You were signed out because your session ended"),
        "the sign-in page says why"
    );
    assert!(
        res.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    // The screen lock is in the audit trail, once, as the person's own session ending.
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 401);
    let expired = app.events("session.expire").await;
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].event.meta.actor, "rahmed");
    assert_eq!(expired[0].event.details["reason"], "idle");
    assert_eq!(expired[0].event.details["idle_minutes"], 15);

    // The absolute lifetime ends even an active session.
    let cookie = app.sign_in("rahmed").await;
    let mut active = Duration::zero();
    while app.get("/api/v1/me", Some(&cookie)).await.status() == 200 && active < Duration::hours(13)
    {
        app.clock.advance(Duration::minutes(14));
        active += Duration::minutes(14);
    }
    assert!(
        active > Duration::hours(12) && active <= Duration::hours(12) + Duration::minutes(14),
        "ended after {active}"
    );
}

async fn a_one_time_password_must_be_replaced_before_anything_else(app: TestApp) {
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "newstarter"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.headers()[LOCATION], "/account/password");
    let cookie = res.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let home = app.get("/", Some(&cookie)).await;
    assert_eq!(home.headers()[LOCATION], "/account/password");
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 403);
    let page = app
        .get("/account/password", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("You signed in with a one-time password"));
    // A one-time password works once: a second sign-in with it is refused.
    let again = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "newstarter"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(again.status(), 401);
    assert!(again.text().await.unwrap().contains("already been used"));

    // Too short, then containing the username, then mismatched: each refused, naming the field.
    for (new, confirm, says) in [
        ("short", "short", "at least 12 characters"),
        (
            "newstarter-forever",
            "newstarter-forever",
            "must not contain your username",
        ),
        (
            "blue kettle morning walk",
            "blue kettle evening walk",
            "not the same",
        ),
    ] {
        let res = app
            .post_form(
                "/account/password",
                Some(&cookie),
                &[
                    ("current_password", PASSWORD),
                    ("new_password", new),
                    ("confirm_password", confirm),
                ],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains(says), "{says}");
    }
    assert!(
        !page.contains("current_password"),
        "a one-time password was just used: no need to type it again"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&cookie)).await.status(),
        403,
        "still blocked"
    );

    let res = app
        .post_form(
            "/account/password",
            Some(&cookie),
            &[
                ("current_password", PASSWORD),
                ("new_password", "blue kettle morning walk"),
                ("confirm_password", "blue kettle morning walk"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()[LOCATION],
        "/account/security-questions",
        "first sign-in goes on to security questions"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&cookie)).await.status(),
        403,
        "not until the questions are set"
    );
    let changes = app.events("person.password_change").await;
    assert_eq!(
        changes
            .iter()
            .filter(|e| e.event.outcome == Outcome::Success)
            .count(),
        1
    );
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[
                ("login", "newstarter"),
                ("password", "blue kettle morning walk"),
            ],
        )
        .await;
    assert_eq!(res.headers()[LOCATION], "/account/security-questions");
}

async fn cross_site_posts_are_refused(app: TestApp) {
    let cookie = app.sign_in("rahmed").await;
    for (origin, site) in [
        ("https://evil.example", "cross-site"),
        ("null", "cross-site"),
    ] {
        let res = app
            .http
            .post(app.url("/sign-out"))
            .header(COOKIE, &cookie)
            .header("origin", origin)
            .header("sec-fetch-site", site)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{origin}");
    }
    // A cookie-bearing POST with no origin information at all is refused too.
    let res = app
        .http
        .post(app.url("/sign-out"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        app.get("/api/v1/me", Some(&cookie)).await.status(),
        200,
        "the session survived every attempt"
    );
}

fn fill(path: &str, practice: &str, person: &str) -> String {
    let mut p = path
        .replace("{practice_id}", practice)
        .replace("{person_id}", person);
    // Any other id in the path: one that exists nowhere.
    while let (Some(a), Some(b)) = (p.find('{'), p.find('}')) {
        p.replace_range(a..=b, &uuid::Uuid::now_v7().to_string());
    }
    p
}

async fn every_practice_route_answers_404_to_people_of_other_practices(app: TestApp) {
    let outsider = app.sign_in("rahmed").await; // Riverside's practice manager
    let hill = app.hillside.id.to_string();
    let karen = app.people["kmills"].to_string();
    let mut checked = 0;
    for route in custodian_web::route_table()
        .list()
        .iter()
        .filter(|r| r.reach == Reach::Practice)
    {
        let path = fill(route.path, &hill, &karen);
        let res = app.call(&route.method, &path, Some(&outsider)).await;
        assert_eq!(res.status(), 404, "{} {}", route.method, route.path);
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("Hillside") && !body.contains("Karen"),
            "{} leaks data: {body}",
            route.path
        );
        checked += 1;
    }
    assert!(checked >= 6, "the route table lists the practice routes");
    // Every probe was recorded as a denied access.
    let probes = app.events("practice.access").await;
    assert_eq!(probes.len(), checked);
    assert!(
        probes
            .iter()
            .all(|e| e.event.outcome == Outcome::Denied && e.event.meta.actor == "rahmed")
    );

    // The same paths with a practice id that does not exist, or is not an id, answer the same.
    let ghost = uuid::Uuid::now_v7().to_string();
    for id in [ghost.as_str(), "not-an-id"] {
        let res = app
            .get(&format!("/api/v1/practices/{id}"), Some(&outsider))
            .await;
        assert_eq!(res.status(), 404);
    }
    // Someone who belongs there gets in.
    let insider = app.sign_in("kmills").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/practices/{hill}/people/{karen}"),
            Some(&insider)
        )
        .await
        .status(),
        200
    );
    // And a person of Riverside read through Hillside's id is not found, even by provider staff.
    let admin = app.sign_in("admin").await;
    let sam = app.people["staylor"];
    assert_eq!(
        app.get(
            &format!("/api/v1/practices/{hill}/people/{sam}"),
            Some(&admin)
        )
        .await
        .status(),
        404
    );
}

async fn every_route_that_needs_a_session_refuses_anonymous_callers(app: TestApp) {
    let river = app.riverside.id.to_string();
    let sam = app.people["staylor"].to_string();
    for route in custodian_web::route_table()
        .list()
        .iter()
        .filter(|r| r.reach != Reach::Public)
    {
        let path = fill(route.path, &river, &sam);
        let res = app.call(&route.method, &path, None).await;
        if path.starts_with("/api/") {
            assert_eq!(res.status(), 401, "{} {}", route.method, route.path);
        } else {
            assert_eq!(
                res.status(),
                StatusCode::SEE_OTHER,
                "{} {}",
                route.method,
                route.path
            );
            assert!(
                res.headers()[LOCATION]
                    .to_str()
                    .unwrap()
                    .starts_with("/sign-in"),
                "{}",
                route.path
            );
        }
        assert!(!res.text().await.unwrap().contains("Sam Taylor"));
    }
}

async fn the_staff_list_is_permission_checked_and_every_read_recorded(app: TestApp) {
    let river = app.riverside.id;
    let sam = app.sign_in("staylor").await; // staff: no people_view
    assert_eq!(
        app.get(&format!("/api/v1/practices/{river}/people"), Some(&sam))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get(&format!("/practices/{river}/people"), Some(&sam))
            .await
            .status(),
        403
    );
    // Staff can read their own record, not a colleague's.
    let sam_id = app.people["staylor"];
    assert_eq!(
        app.get(
            &format!("/api/v1/practices/{river}/people/{sam_id}"),
            Some(&sam)
        )
        .await
        .status(),
        200
    );
    let rukhsana = app.people["rahmed"];
    assert_eq!(
        app.get(
            &format!("/api/v1/practices/{river}/people/{rukhsana}"),
            Some(&sam)
        )
        .await
        .status(),
        403
    );
    let denied = app.store.events(Some(river), 100).await.unwrap();
    let denied: Vec<_> = denied
        .iter()
        .filter(|e| e.event.outcome == Outcome::Denied)
        .collect();
    assert_eq!(denied.len(), 3);
    assert!(
        denied
            .iter()
            .all(|e| e.event.object_id.as_deref() == Some("people_view"))
    );

    let pm = app.sign_in("rahmed").await;
    let list: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/people"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["person"]["full_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Nia Starter", "Rukhsana Ahmed", "Sam Taylor"]);
    let html = app
        .get(&format!("/practices/{river}/people"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Sam Taylor") && !html.contains("Karen Mills"));
    let lists: Vec<_> = app
        .events("people.list")
        .await
        .into_iter()
        .filter(|e| e.event.outcome == Outcome::Success)
        .collect();
    assert_eq!(lists.len(), 2);
    assert!(
        lists
            .iter()
            .all(|e| e.event.details["records"] == 3 && e.event.practice_id == Some(river))
    );
    app.get(&format!("/practices/{river}/people/{sam_id}"), Some(&pm))
        .await;
    let views = app.events("person.view").await;
    assert_eq!(
        views.last().unwrap().event.object_id.as_deref(),
        Some(sam_id.to_string().as_str())
    );
    assert!(views.iter().all(|e| {
        e.event
            .meta
            .request_id
            .as_deref()
            .is_some_and(|r| r.len() == 36)
    }));
    assert!(
        views
            .iter()
            .all(|e| e.event.meta.ip.as_deref() == Some("127.0.0.1"))
    );
}

async fn the_api_pages_through_practices_with_a_cursor(app: TestApp) {
    let admin = app.sign_in("admin").await;
    for i in 3..=7 {
        app.post_json(
            "/api/v1/practices",
            &admin,
            &practice_json(
                &format!("Practice {i}"),
                &format!("Z0000{i}"),
                &format!("pm{i}@nhs.net"),
            ),
        )
        .await;
    }
    let mut names = Vec::new();
    let mut path = "/api/v1/practices?limit=3".to_string();
    loop {
        let page: serde_json::Value = app.get(&path, Some(&admin)).await.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        names.extend(
            items
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/practices?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(names.len(), 7);
    assert_eq!(names[0], "Hillside Surgery");
    assert_eq!(names[6], "Riverside Medical Centre");

    let res = app
        .get("/api/v1/practices?cursor=forged", Some(&admin))
        .await;
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "cursor");
    let res = app.get("/api/v1/practices?limit=500", Some(&admin)).await;
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["errors"][0]["field"],
        "limit"
    );

    // A member of one practice sees only that one.
    let karen = app.sign_in("kmills").await;
    let page: serde_json::Value = app
        .get("/api/v1/practices", Some(&karen))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["name"], "Hillside Surgery");
}

/// A practice and its first manager, as the API takes them.
fn practice_json(name: &str, ods: &str, email: &str) -> String {
    serde_json::json!({
        "name": name,
        "ods_code": ods,
        "manager_name": "Pat Newman",
        "manager_email": email,
        "manager_phone": "01632 960001",
    })
    .to_string()
}

async fn only_provider_administrators_add_practices_and_bad_input_is_named(app: TestApp) {
    let count = || async {
        app.store
            .practices(&custodian_domain::PageRequest::first(50))
            .await
            .unwrap()
            .items
            .len()
    };
    let pm = app.sign_in("rahmed").await;
    let res = app
        .post_json(
            "/api/v1/practices",
            &pm,
            &practice_json("Mine", "Z00050", "mine@nhs.net"),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        app.events("practice.create")
            .await
            .iter()
            .filter(|e| e.event.outcome == Outcome::Denied)
            .count(),
        1
    );

    // The practice comes with its first practice manager and their one-time password.
    let admin = app.sign_in("admin").await;
    let res = app
        .post_json(
            "/api/v1/practices",
            &admin,
            &practice_json("Willow Bank", "z00050", "Pat.Newman@NHS.net"),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: serde_json::Value = res.json().await.unwrap();
    assert_eq!(created["practice"]["ods_code"], "Z00050");
    let manager = &created["manager"];
    assert_eq!(manager["person"]["username"], "p.newman");
    assert_eq!(manager["person"]["email"], "pat.newman@nhs.net");
    assert_eq!(manager["person"]["phone"], "01632 960001");
    assert_eq!(manager["job_title"], "Practice manager");
    assert_eq!(
        manager["roles"],
        serde_json::json!(["staff", "practice_manager"])
    );
    let otp = created["one_time_password"].as_str().unwrap();
    assert_eq!(otp.len(), 19);
    // The provider administrator is not on its staff: their card is their account, not a
    // record that does not exist; the setup checklist is there for them too.
    let home = format!("/practices/{}", created["practice"]["id"].as_str().unwrap());
    let html = app.get(&home, Some(&admin)).await.text().await.unwrap();
    assert!(html.contains("href=\"/account\">Your account"), "{html}");
    assert!(!html.contains(">Your record<"));
    assert!(html.contains("0 of 4 done"));
    // The manager signs in with it and must choose their own password.
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "p.newman"), ("password", otp)],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the one-time password works"
    );

    // A clash on the ODS code, or a manager whose email someone already has: nothing written.
    let res = app
        .post_json(
            "/api/v1/practices",
            &admin,
            &practice_json("Copy", "Z00050", "other@nhs.net"),
        )
        .await;
    assert_eq!(res.status(), 409);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "ods_code");
    let res = app
        .post_json(
            "/api/v1/practices",
            &admin,
            &practice_json("Copy", "Z00052", "pat.newman@nhs.net"),
        )
        .await;
    assert_eq!(res.status(), 409);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "manager_email");
    assert_eq!(count().await, 3, "no practice without its manager");

    let res = app
        .post_json(
            "/api/v1/practices",
            &admin,
            "{\"name\": \"\", \"ods_code\": \"123\", \"manager_name\": \" \", \"manager_email\": \"pat at nhs\"}",
        )
        .await;
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<_> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["name", "ods_code", "manager_name", "manager_email"]
    );

    // The HTML form shows the same errors against its fields and keeps what was typed.
    let res = app
        .post_form(
            "/practices",
            Some(&admin),
            &[
                ("name", "Typed Name"),
                ("ods_code", "bad"),
                ("manager_name", "Kim Lee"),
                ("manager_email", "kim.lee@nhs"),
                ("manager_phone", ""),
                ("manager_username", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#ods_code\"") && html.contains("value=\"Typed Name\""));
    assert!(html.contains("href=\"#manager_email\"") && html.contains("value=\"Kim Lee\""));
    let res = app
        .post_form(
            "/practices",
            Some(&admin),
            &[
                ("name", "Form Practice"),
                ("ods_code", "Z00051"),
                ("manager_name", "Kim Lee"),
                ("manager_email", "kim.lee@nhs.net"),
                ("manager_phone", ""),
                ("manager_username", "kim.lee"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Form Practice added"), "{html}");
    assert!(html.contains("kim.lee") && html.contains("class=\"otp\""));
    assert_eq!(count().await, 4);
}

/// What reading each practice page records: every route that shows personal or confidential
/// data records exactly one read event (with the request's id), and the others record none. A
/// new GET route must be added here, or this test fails.
fn expected_read(path: &str) -> Option<Option<&'static str>> {
    let p = path.trim_start_matches("/api/v1");
    Some(match p {
        "/practices/{practice_id}"
        | "/practices/{practice_id}/settings"
        | "/practices/{practice_id}/systems" => None,
        "/practices/{practice_id}/requests/new"
        | "/practices/{practice_id}/people/{person_id}/leaver"
        | "/practices/{practice_id}/people/{person_id}/move" => None,
        "/practices/{practice_id}/people" => Some("people.list"),
        "/practices/{practice_id}/people/{person_id}" => Some("person.view"),
        "/practices/{practice_id}/people/{person_id}/verify-identity" => {
            Some("person.security_questions_view")
        }
        "/practices/{practice_id}/access" => Some("access.list"),
        "/practices/{practice_id}/administrators" => Some("administrator.list"),
        "/practices/{practice_id}/leavers" => Some("leaver.list"),
        "/practices/{practice_id}/requests" => Some("access_request.list"),
        "/practices/{practice_id}/requests/{request_id}" => Some("access_request.view"),
        "/practices/{practice_id}/tasks" => Some("access_grant.list"),
        "/practices/{practice_id}/security" => Some("security.view"),
        "/practices/{practice_id}/audit" | "/practices/{practice_id}/audit/events" => {
            Some("audit.list")
        }
        "/practices/{practice_id}/audit/{seq}" | "/practices/{practice_id}/audit/events/{seq}" => {
            Some("audit.view")
        }
        "/practices/{practice_id}/audit-export" | "/practices/{practice_id}/audit/export" => {
            Some("audit.export")
        }
        "/practices/{practice_id}/audit/report" => Some("audit.report"),
        "/practices/{practice_id}/assets" => Some("asset.list"),
        "/practices/{practice_id}/assets/{asset_id}"
        | "/practices/{practice_id}/assets/{asset_id}/edit" => Some("asset.view"),
        "/practices/{practice_id}/assets/new"
        | "/practices/{practice_id}/assets/quality"
        | "/practices/{practice_id}/assets-quality" => None,
        "/practices/{practice_id}/assets-export" => Some("asset.export"),
        "/practices/{practice_id}/ropa" => None,
        "/practices/{practice_id}/mail" => Some("mail.log"),
        "/practices/{practice_id}/mail/{mail_id}"
        | "/practices/{practice_id}/mail/{mail_id}/attempts" => None,
        "/practices/{practice_id}/assets-import"
        | "/practices/{practice_id}/assets-import/template"
        | "/practices/{practice_id}/assets-import/{import_id}" => None,
        "/practices/{practice_id}/risks" => Some("risk.list"),
        "/practices/{practice_id}/risks/{risk_id}"
        | "/practices/{practice_id}/risks/{risk_id}/edit" => Some("risk.view"),
        "/practices/{practice_id}/risks/new"
        | "/practices/{practice_id}/risks/library"
        | "/practices/{practice_id}/risks/matrix"
        | "/practices/{practice_id}/risk-library" => None,
        "/practices/{practice_id}/risk-reports" => None,
        "/practices/{practice_id}/risks-export" => Some("risk.export"),
        "/practices/{practice_id}/risks-import"
        | "/practices/{practice_id}/risks-import/template"
        | "/practices/{practice_id}/risks-import/{import_id}" => None,
        "/practices/{practice_id}/risk-reports/{quarter}" => Some("risk_report.view"),
        "/practices/{practice_id}/risk-reports/{quarter}/pdf"
        | "/practices/{practice_id}/risk-reports/{quarter}/csv" => Some("risk_report.export"),
        "/practices/{practice_id}/incidents" => Some("incident.list"),
        "/practices/{practice_id}/incidents-export" => Some("incident.export"),
        "/practices/{practice_id}/incidents/new" => None,
        "/practices/{practice_id}/incidents/{incident_id}" => Some("incident.view"),
        "/practices/{practice_id}/incidents/{incident_id}/evidence" => Some("evidence.list"),
        "/practices/{practice_id}/incidents/{incident_id}/actions" => Some("incident_action.list"),
        "/practices/{practice_id}/incidents/{incident_id}/notification"
        | "/practices/{practice_id}/incidents/{incident_id}/notification-draft" => {
            Some("incident.notification_draft")
        }
        "/practices/{practice_id}/incidents/{incident_id}/pdf" => Some("incident.print"),
        "/practices/{practice_id}/devices" => Some("device.list"),
        "/practices/{practice_id}/devices/new" => None,
        "/practices/{practice_id}/devices/{device_id}"
        | "/practices/{practice_id}/devices/{device_id}/edit" => Some("device.view"),
        "/practices/{practice_id}/devices/personal"
        | "/practices/{practice_id}/personal-devices" => Some("personal_device.list"),
        "/practices/{practice_id}/devices/personal/new" => None,
        "/practices/{practice_id}/devices/personal/{personal_device_id}"
        | "/practices/{practice_id}/personal-devices/{personal_device_id}" => {
            Some("personal_device.view")
        }
        "/practices/{practice_id}/evidence/{evidence_id}" => Some("evidence.view"),
        "/practices/{practice_id}/evidence/{evidence_id}/download"
        | "/practices/{practice_id}/evidence/{evidence_id}/content" => Some("evidence.download"),
        _ => return None,
    })
}

async fn every_practice_page_records_exactly_the_expected_read(mut app: TestApp) {
    let riverside = app.riverside.clone();
    app.person(
        "iaowner",
        "Ivy Owner",
        Some((
            &riverside,
            &[custodian_domain::PracticeRole::InformationAssetOwner],
        )),
        &[],
        false,
    )
    .await;
    let river = app.riverside.id.to_string();
    let sam = app.people["staylor"].to_string();
    let pm = app.sign_in("rahmed").await;
    let req: serde_json::Value = app
        .post_json(&format!("/api/v1/practices/{river}/requests"), &pm, r#"{"full_name": "Page Test", "username": "page.test", "job_title": "Nurse", "start_date": "2026-12-01"}"#)
        .await
        .json()
        .await
        .unwrap();
    let request = req["id"].as_str().unwrap().to_string();
    let asset: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets"),
            &pm,
            &format!(r#"{{"name": "EMIS Web", "asset_type": "patient_records", "format": "electronic", "volume_band": "over_100000", "iao_id": "{}"}}"#, app.people["iaowner"]),
        )
        .await
        .json()
        .await
        .unwrap();
    let asset = asset["id"].as_str().expect("asset created").to_string();
    let import = app
        .store
        .stage_import(
            Some(app.riverside.id),
            "assets",
            "register.csv",
            b"name,asset_type,format,volume_band,iao_username\nDocman,system,electronic,none,iaowner\n",
            serde_json::json!({}),
            &custodian_store::AuditMeta {
                actor_id: Some(app.people["rahmed"]),
                actor: "rahmed".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
        .to_string();
    let risk_import = app
        .store
        .stage_import(
            Some(app.riverside.id),
            "risks",
            "risks.csv",
            b"title,threat,vulnerability,category,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment\nFire,Building burns,Paper notes,physical,1,5,1,5,accept\n",
            serde_json::json!({}),
            &custodian_store::AuditMeta {
                actor_id: Some(app.people["rahmed"]),
                actor: "rahmed".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
        .to_string();
    let risk: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-library/phishing"),
            &pm,
            "",
        )
        .await
        .json()
        .await
        .unwrap();
    let risk = risk["id"].as_str().expect("risk created").to_string();
    let quarter: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-reports"),
            &pm,
            &format!(
                r#"{{"quarter": "{}"}}"#,
                custodian_domain::quarters::Quarter::containing(chrono::Utc::now().date_naive(), 1)
                    .key()
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    let quarter = quarter["quarter"]
        .as_str()
        .expect("report drafted")
        .to_string();
    let incident: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/incidents"),
            &pm,
            r#"{"what_happened": "A letter to the wrong address", "kind": "wrong_recipient", "occurred_at": "2026-01-05T10:00", "discovered_at": "2026-01-05T11:00"}"#,
        )
        .await
        .json()
        .await
        .unwrap();
    let incident = incident["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{incident}"))
        .to_string();
    let evidence: serde_json::Value = app
        .http
        .post(app.url(&format!(
            "/api/v1/practices/{river}/incidents/{incident}/evidence?filename=scan.pdf"
        )))
        .header("cookie", &pm)
        .header("origin", app.url(""))
        .header("content-type", "application/octet-stream")
        .body("%PDF-1.7\n%%EOF\n")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let evidence = evidence["id"].as_str().expect("file attached").to_string();
    let device: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/devices"),
            &pm,
            r#"{"asset_tag": "LT-1", "kind": "laptop"}"#,
        )
        .await
        .json()
        .await
        .unwrap();
    let device = device["id"].as_str().expect("device added").to_string();
    let personal: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/personal-devices"),
            &pm,
            r#"{"kind": "mobile", "make_model": "iPhone 14", "purpose": "Codes"}"#,
        )
        .await
        .json()
        .await
        .unwrap();
    let personal = personal["id"].as_str().expect("declared").to_string();
    // The request's notice to its approver, and its email in the outbox.
    custodian_app::notifications::raise_notices(&app.state)
        .await
        .unwrap();
    let mail = app.store.mail_log(Some(app.riverside.id), 1).await.unwrap()[0]
        .id
        .to_string();
    let seq = app.store.events(Some(app.riverside.id), 1).await.unwrap()[0]
        .seq
        .to_string();
    let mut checked = 0;
    for route in custodian_web::route_table()
        .list()
        .iter()
        .filter(|r| r.reach == Reach::Practice && r.method == reqwest::Method::GET)
    {
        let expected = expected_read(route.path).unwrap_or_else(|| {
            panic!(
                "{} has no expected read event in this test: add one",
                route.path
            )
        });
        let path = route
            .path
            .replace("{practice_id}", &river)
            .replace("{person_id}", &sam)
            .replace("{request_id}", &request)
            .replace("{seq}", &seq)
            .replace("{asset_id}", &asset)
            .replace(
                "{import_id}",
                if route.path.contains("risks-import") {
                    &risk_import
                } else {
                    &import
                },
            )
            .replace("{risk_id}", &risk)
            .replace("{mail_id}", &mail)
            .replace("{incident_id}", &incident)
            .replace("{evidence_id}", &evidence)
            .replace("{personal_device_id}", &personal)
            .replace("{device_id}", &device)
            .replace("{quarter}", &quarter);
        let res = app.get(&path, Some(&pm)).await;
        assert_eq!(res.status(), 200, "{}", route.path);
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        let events: Vec<String> = app
            .store
            .events(None, 200)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event.meta.request_id.as_deref() == Some(id.as_str()))
            .map(|e| e.event.action)
            .collect();
        match expected {
            Some(action) => assert_eq!(events, [action.to_string()], "{}", route.path),
            None => assert!(events.is_empty(), "{} recorded {events:?}", route.path),
        }
        checked += 1;
    }
    assert!(checked >= 30, "{checked} pages checked");
}
