//! The server as a client meets it: the real router on a free port, spoken to over HTTP, on
//! SQLite always and on PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

use std::sync::Arc;

use chrono::Duration;
use custodian_domain::{NewPerson, NewPractice, PersonId, Practice, PracticeRole, ProviderRole};
use custodian_store::testing::{TestStore, backends, fresh};
use custodian_store::{AuditMeta, Backend, NewAccount, Outcome, SharedStore};
use custodian_web::routes::Reach;
use custodian_web::{AppState, Clock, ManualClock, WebConfig};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use tokio::sync::OnceCell;

const PASSWORD: &str = "a long and unremarkable passphrase";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const ANSWER: &str = "Oak Lane";

static HASH: OnceCell<String> = OnceCell::const_new();
static ANSWER_HASH: OnceCell<String> = OnceCell::const_new();

async fn answer_hash() -> String {
    ANSWER_HASH
        .get_or_init(|| async { custodian_web::auth::Passwords::new(2).hash(&custodian_domain::identity::normalise_answer(ANSWER)).await.unwrap() })
        .await
        .clone()
}

async fn password_hash() -> String {
    HASH.get_or_init(|| async { custodian_web::auth::Passwords::new(2).hash(PASSWORD).await.unwrap() }).await.clone()
}

struct TestApp {
    url: String,
    store: SharedStore,
    clock: Arc<ManualClock>,
    http: reqwest::Client,
    riverside: Practice,
    hillside: Practice,
    people: std::collections::HashMap<&'static str, PersonId>,
    _db: TestStore,
}

impl TestApp {
    async fn start(backend: Backend) -> Option<TestApp> {
        let db = fresh(backend).await?;
        let store = db.store.clone();
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let mut state = AppState::new(store.clone(), WebConfig { max_body_bytes: 4096, ..WebConfig::default() });
        state.clock = clock.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(custodian_web::serve(listener, state, std::future::pending()));

        let by = AuditMeta::cli();
        let riverside = store
            .create_practice(&NewPractice { name: "Riverside Medical Centre".into(), ods_code: "Z00001".into() }.validate().unwrap(), &by)
            .await
            .unwrap();
        let hillside = store
            .create_practice(&NewPractice { name: "Hillside Surgery".into(), ods_code: "Z00002".into() }.validate().unwrap(), &by)
            .await
            .unwrap();
        let mut app = TestApp {
            url,
            store,
            clock,
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            riverside: riverside.clone(),
            hillside: hillside.clone(),
            people: Default::default(),
            _db: db,
        };
        use PracticeRole::*;
        app.person("rahmed", "Rukhsana Ahmed", Some((&riverside, &[Staff, PracticeManager])), &[], false).await;
        app.person("staylor", "Sam Taylor", Some((&riverside, &[Staff])), &[], false).await;
        app.person("kmills", "Karen Mills", Some((&hillside, &[Staff, PracticeManager])), &[], false).await;
        app.person("admin", "Alex Morgan", None, &[ProviderRole::ProviderAdministrator], false).await;
        app.person("newstarter", "Nia Starter", Some((&riverside, &[Staff])), &[], true).await;
        Some(app)
    }

    async fn person(
        &mut self,
        username: &'static str,
        full_name: &str,
        practice: Option<(&Practice, &[PracticeRole])>,
        provider_roles: &[ProviderRole],
        one_time: bool,
    ) {
        let person = NewPerson { username: username.into(), email: None, full_name: full_name.into() }.validate().unwrap();
        let account = NewAccount {
            person,
            password_hash: Some(password_hash().await),
            must_change_password: one_time,
            provider_roles: provider_roles.to_vec(),
        };
        let p = self.store.create_person(&account, &AuditMeta::cli()).await.unwrap();
        if let Some((practice, roles)) = practice {
            self.store.add_member(practice.id, p.id, "Staff", roles, &AuditMeta::cli()).await.unwrap();
        }
        if !one_time {
            // An established member of staff: security questions set, and MFA where required.
            let answer = answer_hash().await;
            let answers: Vec<(String, String)> =
                custodian_domain::identity::SECURITY_QUESTIONS[..3].iter().map(|q| (q.to_string(), answer.clone())).collect();
            let ev = AuditMeta::cli().event(None, "person.security_questions_set", "person", None);
            self.store.set_security_answers(p.id, &answers, &ev).await.unwrap();
            if !provider_roles.is_empty() {
                self.store.enable_mfa(p.id, TOTP_SECRET, &[], 0, &AuditMeta::cli().event(None, "mfa.enrol", "person", None)).await.unwrap();
            }
        }
        self.people.insert(username, p.id);
    }

    /// The current authenticator code of the fixture's MFA users.
    fn totp_code(&self) -> String {
        custodian_domain::totp::code_at(&custodian_domain::totp::base32_decode(TOTP_SECRET).unwrap(), self.clock.now().timestamp())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Signs in through the form (with the authenticator code when asked); returns the session
    /// cookie (`name=value`).
    async fn sign_in(&self, username: &str) -> String {
        let res = self.post_form("/sign-in", None, &[("login", username), ("password", PASSWORD)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in of {username}");
        let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
        let cookie = cookie.split(';').next().unwrap().to_string();
        if res.headers()[LOCATION] == "/sign-in/mfa" {
            // Each step is used once: move to a fresh one so codes never collide.
            self.clock.advance(Duration::seconds(30));
            let res = self.post_form("/sign-in/mfa", Some(&cookie), &[("code", &self.totp_code())]).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "MFA of {username}");
            assert_eq!(res.headers()[LOCATION], "/", "MFA of {username} completes sign-in");
        }
        cookie
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(self.url(path));
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.unwrap()
    }

    async fn post_form(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> reqwest::Response {
        let mut req = self.http.post(self.url(path)).header("origin", &self.url).header("sec-fetch-site", "same-origin").form(form);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.unwrap()
    }

    /// Calls a route with its own method: an empty JSON body for the API, an empty form for pages.
    async fn call(&self, method: &reqwest::Method, path: &str, cookie: Option<&str>) -> reqwest::Response {
        if *method == reqwest::Method::GET {
            return self.get(path, cookie).await;
        }
        let mut req = self.http.request(method.clone(), self.url(path)).header("origin", &self.url).header("sec-fetch-site", "same-origin");
        req = if path.starts_with("/api/") { req.header(CONTENT_TYPE, "application/json").body("{}") } else { req.form(&[("x", "")]) };
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.unwrap()
    }

    async fn post_json(&self, path: &str, cookie: &str, body: &str) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header(COOKIE, cookie)
            .header("origin", &self.url)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }

    async fn events(&self, action: &str) -> Vec<custodian_store::StoredEvent> {
        self.store.events(None, 1000).await.unwrap().into_iter().filter(|e| e.event.action == action).collect()
    }
}

macro_rules! http_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::TestApp::start(super::Backend::Sqlite).await.unwrap()).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if !super::backends().contains(&super::Backend::Postgres) {
                    eprintln!("CUSTODIAN_TEST_DATABASE_URL is not set: PostgreSQL not tested here");
                    return;
                }
                super::$name(super::TestApp::start(super::Backend::Postgres).await.unwrap()).await;
            })*
        }
    };
}

http_tests!(
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
);

async fn probes_answer_and_every_response_carries_security_headers(app: TestApp) {
    for (path, status) in [("/healthz", 200), ("/readyz", 200), ("/sign-in", 200), ("/nope", 404), ("/api/v1/me", 401), ("/", 303)] {
        let res = app.get(path, None).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        let h = res.headers();
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
        assert!(!h["content-security-policy"].to_str().unwrap().contains("unsafe-inline"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["x-request-id"].to_str().unwrap().len(), 36, "{path}");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }
    assert_eq!(app.get("/readyz", None).await.text().await.unwrap(), "ready\n");
}

async fn unknown_routes_and_bad_bodies_get_clear_errors(app: TestApp) {
    let res = app.get("/no/such/page", None).await;
    assert_eq!(res.status(), 404);
    assert!(res.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(res.text().await.unwrap().contains("<h1>Page not found</h1>"));

    let res = app.get("/api/v1/no/such", None).await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/problem+json");
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["status"], 404);
    assert_eq!(p["instance"], "/api/v1/no/such");

    let admin = app.sign_in("admin").await;
    let res = app.post_json("/api/v1/practices", &admin, "{\"name\": ").await;
    assert_eq!(res.status(), 400);
    let p: serde_json::Value = res.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("JSON"), "{p}");

    let res = app.post_json("/api/v1/practices", &admin, "{\"name\": \"No code\"}").await;
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("ods_code"), "{p}");

    let big = format!("{{\"name\": \"{}\", \"ods_code\": \"Z00009\"}}", "x".repeat(10_000));
    let res = app.post_json("/api/v1/practices", &admin, &big).await;
    assert_eq!(res.status(), 413);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/problem+json");

    // Nothing was created by any of these.
    let list: serde_json::Value = app.get("/api/v1/practices", Some(&admin)).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    // A 500 never shows internals; an unparseable page size is a 400 naming the parameter.
    let res = app.get("/api/v1/practices?limit=lots", Some(&admin)).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("limit"));
}

async fn sign_in_sets_a_safe_cookie_and_sign_out_revokes_it_at_once(app: TestApp) {
    let res = app.post_form("/sign-in", None, &[("login", "RAhmed"), ("password", PASSWORD), ("next", "/account")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/account");
    let set = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    let token = cookie.split('=').nth(1).unwrap();
    assert_eq!(token.len(), 64, "256-bit token");

    // Only the hash is stored: the token itself appears nowhere in the audit trail or sessions.
    let me: serde_json::Value = app.get("/api/v1/me", Some(&cookie)).await.json().await.unwrap();
    assert_eq!(me["username"], "rahmed");
    assert_eq!(me["practices"][0]["practice"]["name"], "Riverside Medical Centre");

    // A second sign-in gets a different token.
    let again = app.sign_in("rahmed").await;
    assert_ne!(again, cookie);

    // An off-site `next` is ignored.
    let res = app.post_form("/sign-in", None, &[("login", "rahmed"), ("password", PASSWORD), ("next", "//evil.example/")]).await;
    assert_eq!(res.headers()[LOCATION], "/");

    let res = app.post_form("/sign-out", Some(&cookie), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 401, "the old cookie is dead");
    assert_eq!(app.get("/api/v1/me", Some(&again)).await.status(), 200, "other sessions live on");
    assert_eq!(app.events("session.sign_out").await.len(), 1);
    assert!(app.events("session.sign_in").await.iter().all(|e| e.event.outcome == Outcome::Success));
}

async fn a_wrong_password_and_an_unknown_user_look_alike_and_are_recorded(app: TestApp) {
    let wrong = app.post_form("/sign-in", None, &[("login", "rahmed"), ("password", "not it at all")]).await;
    let unknown = app.post_form("/sign-in", None, &[("login", "nobody"), ("password", "not it at all")]).await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let msg = "The username or password is not right";
    assert!(a.contains(msg) && b.contains(msg));
    assert!(a.contains("href=\"#login\""), "error summary links to the field");
    let failures = app.events("session.sign_in").await;
    let reasons: Vec<_> = failures.iter().map(|e| e.event.details["reason"].as_str().unwrap().to_string()).collect();
    assert_eq!(reasons, ["unknown_login", "wrong_password"]);
    assert!(failures.iter().all(|e| e.event.outcome == Outcome::Failure));
    assert!(!failures.iter().any(|e| e.event.details.to_string().contains("not it at all")), "passwords are never recorded");

    let empty = app.post_form("/sign-in", None, &[("login", ""), ("password", "")]).await.text().await.unwrap();
    assert!(empty.contains("Enter your username or email address") && empty.contains("Enter your password"));
}

async fn sessions_end_after_the_idle_timeout(app: TestApp) {
    let cookie = app.sign_in("rahmed").await;
    app.clock.advance(Duration::minutes(14));
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 200, "14 minutes idle is fine");
    app.clock.advance(Duration::minutes(14));
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 200, "each request restarts the idle clock");
    app.clock.advance(Duration::minutes(16));
    let res = app.get("/", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "16 minutes idle signs you out");
    assert_eq!(res.headers()[LOCATION], "/sign-in");
    assert!(res.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));

    // The absolute lifetime ends even an active session.
    let cookie = app.sign_in("rahmed").await;
    let mut active = Duration::zero();
    while app.get("/api/v1/me", Some(&cookie)).await.status() == 200 && active < Duration::hours(13) {
        app.clock.advance(Duration::minutes(14));
        active += Duration::minutes(14);
    }
    assert!(active > Duration::hours(12) && active <= Duration::hours(12) + Duration::minutes(14), "ended after {active}");
}

async fn a_one_time_password_must_be_replaced_before_anything_else(app: TestApp) {
    let res = app.post_form("/sign-in", None, &[("login", "newstarter"), ("password", PASSWORD)]).await;
    assert_eq!(res.headers()[LOCATION], "/account/password");
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    let home = app.get("/", Some(&cookie)).await;
    assert_eq!(home.headers()[LOCATION], "/account/password");
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 403);
    let page = app.get("/account/password", Some(&cookie)).await.text().await.unwrap();
    assert!(page.contains("You signed in with a one-time password"));
    // A one-time password works once: a second sign-in with it is refused.
    let again = app.post_form("/sign-in", None, &[("login", "newstarter"), ("password", PASSWORD)]).await;
    assert_eq!(again.status(), 401);
    assert!(again.text().await.unwrap().contains("already been used"));

    // Too short, then containing the username, then mismatched: each refused, naming the field.
    for (new, confirm, says) in [
        ("short", "short", "at least 12 characters"),
        ("newstarter-forever", "newstarter-forever", "must not contain your username"),
        ("blue kettle morning walk", "blue kettle evening walk", "not the same"),
    ] {
        let res = app
            .post_form("/account/password", Some(&cookie), &[("current_password", PASSWORD), ("new_password", new), ("confirm_password", confirm)])
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains(says), "{says}");
    }
    assert!(!page.contains("current_password"), "a one-time password was just used: no need to type it again");
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 403, "still blocked");

    let res = app
        .post_form("/account/password", Some(&cookie), &[("current_password", PASSWORD), ("new_password", "blue kettle morning walk"), ("confirm_password", "blue kettle morning walk")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/account/security-questions", "first sign-in goes on to security questions");
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 403, "not until the questions are set");
    let changes = app.events("person.password_change").await;
    assert_eq!(changes.iter().filter(|e| e.event.outcome == Outcome::Success).count(), 1);
    let res = app.post_form("/sign-in", None, &[("login", "newstarter"), ("password", "blue kettle morning walk")]).await;
    assert_eq!(res.headers()[LOCATION], "/account/security-questions");
}

async fn cross_site_posts_are_refused(app: TestApp) {
    let cookie = app.sign_in("rahmed").await;
    for (origin, site) in [("https://evil.example", "cross-site"), ("null", "cross-site")] {
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
    let res = app.http.post(app.url("/sign-out")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 200, "the session survived every attempt");
}

fn fill(path: &str, practice: &str, person: &str) -> String {
    let mut p = path.replace("{practice_id}", practice).replace("{person_id}", person);
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
    for route in custodian_web::route_table().list().iter().filter(|r| r.reach == Reach::Practice) {
        let path = fill(route.path, &hill, &karen);
        let res = app.call(&route.method, &path, Some(&outsider)).await;
        assert_eq!(res.status(), 404, "{} {}", route.method, route.path);
        let body = res.text().await.unwrap();
        assert!(!body.contains("Hillside") && !body.contains("Karen"), "{} leaks data: {body}", route.path);
        checked += 1;
    }
    assert!(checked >= 6, "the route table lists the practice routes");
    // Every probe was recorded as a denied access.
    let probes = app.events("practice.access").await;
    assert_eq!(probes.len(), checked);
    assert!(probes.iter().all(|e| e.event.outcome == Outcome::Denied && e.event.meta.actor == "rahmed"));

    // The same paths with a practice id that does not exist, or is not an id, answer the same.
    let ghost = uuid::Uuid::now_v7().to_string();
    for id in [ghost.as_str(), "not-an-id"] {
        let res = app.get(&format!("/api/v1/practices/{id}"), Some(&outsider)).await;
        assert_eq!(res.status(), 404);
    }
    // Someone who belongs there gets in.
    let insider = app.sign_in("kmills").await;
    assert_eq!(app.get(&format!("/api/v1/practices/{hill}/people/{karen}"), Some(&insider)).await.status(), 200);
    // And a person of Riverside read through Hillside's id is not found, even by provider staff.
    let admin = app.sign_in("admin").await;
    let sam = app.people["staylor"];
    assert_eq!(app.get(&format!("/api/v1/practices/{hill}/people/{sam}"), Some(&admin)).await.status(), 404);
}

async fn every_route_that_needs_a_session_refuses_anonymous_callers(app: TestApp) {
    let river = app.riverside.id.to_string();
    let sam = app.people["staylor"].to_string();
    for route in custodian_web::route_table().list().iter().filter(|r| r.reach != Reach::Public) {
        let path = fill(route.path, &river, &sam);
        let res = app.call(&route.method, &path, None).await;
        if path.starts_with("/api/") {
            assert_eq!(res.status(), 401, "{} {}", route.method, route.path);
        } else {
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{} {}", route.method, route.path);
            assert!(res.headers()[LOCATION].to_str().unwrap().starts_with("/sign-in"), "{}", route.path);
        }
        assert!(!res.text().await.unwrap().contains("Sam Taylor"));
    }
}

async fn the_staff_list_is_permission_checked_and_every_read_recorded(app: TestApp) {
    let river = app.riverside.id;
    let sam = app.sign_in("staylor").await; // staff: no people_view
    assert_eq!(app.get(&format!("/api/v1/practices/{river}/people"), Some(&sam)).await.status(), 403);
    assert_eq!(app.get(&format!("/practices/{river}/people"), Some(&sam)).await.status(), 403);
    // Staff can read their own record, not a colleague's.
    let sam_id = app.people["staylor"];
    assert_eq!(app.get(&format!("/api/v1/practices/{river}/people/{sam_id}"), Some(&sam)).await.status(), 200);
    let rukhsana = app.people["rahmed"];
    assert_eq!(app.get(&format!("/api/v1/practices/{river}/people/{rukhsana}"), Some(&sam)).await.status(), 403);
    let denied = app.store.events(Some(river), 100).await.unwrap();
    let denied: Vec<_> = denied.iter().filter(|e| e.event.outcome == Outcome::Denied).collect();
    assert_eq!(denied.len(), 3);
    assert!(denied.iter().all(|e| e.event.object_id.as_deref() == Some("people_view")));

    let pm = app.sign_in("rahmed").await;
    let list: serde_json::Value = app.get(&format!("/api/v1/practices/{river}/people"), Some(&pm)).await.json().await.unwrap();
    let names: Vec<_> = list["items"].as_array().unwrap().iter().map(|m| m["person"]["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Nia Starter", "Rukhsana Ahmed", "Sam Taylor"]);
    let html = app.get(&format!("/practices/{river}/people"), Some(&pm)).await.text().await.unwrap();
    assert!(html.contains("Sam Taylor") && !html.contains("Karen Mills"));
    let lists: Vec<_> = app.events("people.list").await.into_iter().filter(|e| e.event.outcome == Outcome::Success).collect();
    assert_eq!(lists.len(), 2);
    assert!(lists.iter().all(|e| e.event.details["records"] == 3 && e.event.practice_id == Some(river)));
    app.get(&format!("/practices/{river}/people/{sam_id}"), Some(&pm)).await;
    let views = app.events("person.view").await;
    assert_eq!(views.last().unwrap().event.object_id.as_deref(), Some(sam_id.to_string().as_str()));
    assert!(views.iter().all(|e| e.event.meta.request_id.as_deref().is_some_and(|r| r.len() == 36)));
    assert!(views.iter().all(|e| e.event.meta.ip.as_deref() == Some("127.0.0.1")));
}

async fn the_api_pages_through_practices_with_a_cursor(app: TestApp) {
    let admin = app.sign_in("admin").await;
    for i in 3..=7 {
        app.post_json("/api/v1/practices", &admin, &format!("{{\"name\": \"Practice {i}\", \"ods_code\": \"Z0000{i}\"}}")).await;
    }
    let mut names = Vec::new();
    let mut path = "/api/v1/practices?limit=3".to_string();
    loop {
        let page: serde_json::Value = app.get(&path, Some(&admin)).await.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        names.extend(items.iter().map(|p| p["name"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/practices?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(names.len(), 7);
    assert_eq!(names[0], "Hillside Surgery");
    assert_eq!(names[6], "Riverside Medical Centre");

    let res = app.get("/api/v1/practices?cursor=forged", Some(&admin)).await;
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "cursor");
    let res = app.get("/api/v1/practices?limit=500", Some(&admin)).await;
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["errors"][0]["field"], "limit");

    // A member of one practice sees only that one.
    let karen = app.sign_in("kmills").await;
    let page: serde_json::Value = app.get("/api/v1/practices", Some(&karen)).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["name"], "Hillside Surgery");
}

async fn only_provider_administrators_add_practices_and_bad_input_is_named(app: TestApp) {
    let pm = app.sign_in("rahmed").await;
    let res = app.post_json("/api/v1/practices", &pm, "{\"name\": \"Mine\", \"ods_code\": \"Z00050\"}").await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.events("practice.create").await.iter().filter(|e| e.event.outcome == Outcome::Denied).count(), 1);

    let admin = app.sign_in("admin").await;
    let res = app.post_json("/api/v1/practices", &admin, "{\"name\": \"Willow Bank\", \"ods_code\": \"z00050\"}").await;
    assert_eq!(res.status(), 201);
    let created: serde_json::Value = res.json().await.unwrap();
    assert_eq!(created["ods_code"], "Z00050");

    let res = app.post_json("/api/v1/practices", &admin, "{\"name\": \"Copy\", \"ods_code\": \"Z00050\"}").await;
    assert_eq!(res.status(), 409);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "ods_code");

    let res = app.post_json("/api/v1/practices", &admin, "{\"name\": \"\", \"ods_code\": \"123\"}").await;
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<_> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "ods_code"]);

    // The HTML form shows the same errors against its fields and keeps what was typed.
    let res = app.post_form("/practices", Some(&admin), &[("name", "Typed Name"), ("ods_code", "bad")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#ods_code\"") && html.contains("value=\"Typed Name\""));
    let res = app.post_form("/practices", Some(&admin), &[("name", "Form Practice"), ("ods_code", "Z00051")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.practices(&custodian_domain::PageRequest::first(50)).await.unwrap().items.len(), 4);
}
