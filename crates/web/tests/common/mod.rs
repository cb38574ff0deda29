//! The test server: the real router on a free port with a fresh store and a controllable clock,
//! and the people every test starts with.
#![allow(dead_code, unused_imports)]

use std::sync::Arc;

use chrono::Duration;
use custodian_domain::{NewPerson, NewPractice, PersonId, Practice, PracticeRole, ProviderRole};
pub use custodian_store::testing::{TestStore, backends, fresh};
pub use custodian_store::{AuditMeta, Backend, NewAccount, Outcome, SharedStore};
use custodian_web::{AppState, Clock, ManualClock, WebConfig};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use tokio::sync::OnceCell;

pub const PASSWORD: &str = "a long and unremarkable passphrase";
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
pub const ANSWER: &str = "Oak Lane";

static HASH: OnceCell<String> = OnceCell::const_new();
static ANSWER_HASH: OnceCell<String> = OnceCell::const_new();

pub async fn answer_hash() -> String {
    ANSWER_HASH
        .get_or_init(|| async {
            custodian_app::Passwords::new(2)
                .hash(&custodian_domain::identity::normalise_answer(ANSWER))
                .await
                .unwrap()
        })
        .await
        .clone()
}

pub async fn password_hash() -> String {
    HASH.get_or_init(|| async {
        custodian_app::Passwords::new(2)
            .hash(PASSWORD)
            .await
            .unwrap()
    })
    .await
    .clone()
}

pub struct TestApp {
    pub url: String,
    pub store: SharedStore,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub http: reqwest::Client,
    pub riverside: Practice,
    pub hillside: Practice,
    pub people: std::collections::HashMap<&'static str, PersonId>,
    _db: TestStore,
}

impl TestApp {
    pub async fn start(backend: Backend) -> Option<TestApp> {
        let db = fresh(backend).await?;
        let store = db.store.clone();
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let mut state = AppState::new(
            store.clone(),
            WebConfig {
                max_body_bytes: 4096,
                ..WebConfig::default()
            },
        );
        state.clock = clock.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(custodian_web::serve(
            listener,
            state.clone(),
            std::future::pending(),
        ));

        let by = AuditMeta::cli();
        let riverside = store
            .create_practice(
                &NewPractice {
                    name: "Riverside Medical Centre".into(),
                    ods_code: "Z00001".into(),
                }
                .validate()
                .unwrap(),
                &by,
            )
            .await
            .unwrap();
        let hillside = store
            .create_practice(
                &NewPractice {
                    name: "Hillside Surgery".into(),
                    ods_code: "Z00002".into(),
                }
                .validate()
                .unwrap(),
                &by,
            )
            .await
            .unwrap();
        let mut app = TestApp {
            url,
            store,
            state,
            clock,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            riverside: riverside.clone(),
            hillside: hillside.clone(),
            people: Default::default(),
            _db: db,
        };
        use PracticeRole::*;
        app.person(
            "rahmed",
            "Rukhsana Ahmed",
            Some((&riverside, &[Staff, PracticeManager])),
            &[],
            false,
        )
        .await;
        app.person(
            "staylor",
            "Sam Taylor",
            Some((&riverside, &[Staff])),
            &[],
            false,
        )
        .await;
        app.person(
            "kmills",
            "Karen Mills",
            Some((&hillside, &[Staff, PracticeManager])),
            &[],
            false,
        )
        .await;
        app.person(
            "admin",
            "Alex Morgan",
            None,
            &[ProviderRole::ProviderAdministrator],
            false,
        )
        .await;
        app.person(
            "newstarter",
            "Nia Starter",
            Some((&riverside, &[Staff])),
            &[],
            true,
        )
        .await;
        Some(app)
    }

    pub async fn person(
        &mut self,
        username: &'static str,
        full_name: &str,
        practice: Option<(&Practice, &[PracticeRole])>,
        provider_roles: &[ProviderRole],
        one_time: bool,
    ) {
        let person = NewPerson {
            username: username.into(),
            email: Some(format!("{username}@example.nhs.uk")),
            full_name: full_name.into(),
        }
        .validate()
        .unwrap();
        let account = NewAccount {
            person,
            password_hash: Some(password_hash().await),
            must_change_password: one_time,
            one_time_password_expires_at: None,
            provider_roles: provider_roles.to_vec(),
        };
        let p = self
            .store
            .create_person(&account, &AuditMeta::cli())
            .await
            .unwrap();
        if let Some((practice, roles)) = practice {
            self.store
                .add_member(practice.id, p.id, "Staff", roles, &AuditMeta::cli())
                .await
                .unwrap();
        }
        if !one_time {
            // An established member of staff: security questions set, and MFA where required.
            let answer = answer_hash().await;
            let answers: Vec<(String, String)> = custodian_domain::identity::SECURITY_QUESTIONS
                [..3]
                .iter()
                .map(|q| (q.to_string(), answer.clone()))
                .collect();
            let ev = AuditMeta::cli().event(None, "person.security_questions_set", "person", None);
            self.store
                .set_security_answers(p.id, &answers, &ev)
                .await
                .unwrap();
            if !provider_roles.is_empty() {
                self.store
                    .enable_mfa(
                        p.id,
                        TOTP_SECRET,
                        &[],
                        0,
                        &AuditMeta::cli().event(None, "mfa.enrol", "person", None),
                    )
                    .await
                    .unwrap();
            }
        }
        self.people.insert(username, p.id);
    }

    /// The test database's address (for a second server on it).
    pub fn db_url(&self) -> String {
        self._db.url.clone()
    }

    /// The current authenticator code of the fixture's MFA users.
    pub fn totp_code(&self) -> String {
        custodian_domain::totp::code_at(
            &custodian_domain::totp::base32_decode(TOTP_SECRET).unwrap(),
            self.clock.now().timestamp(),
        )
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Signs in through the form (with the authenticator code when asked); returns the session
    /// cookie (`name=value`).
    pub async fn sign_in(&self, username: &str) -> String {
        let res = self
            .post_form(
                "/sign-in",
                None,
                &[("login", username), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in of {username}");
        let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
        let cookie = cookie.split(';').next().unwrap().to_string();
        if res.headers()[LOCATION] == "/sign-in/mfa" {
            // Each step is used once: move to a fresh one so codes never collide.
            self.clock.advance(Duration::seconds(30));
            let res = self
                .post_form(
                    "/sign-in/mfa",
                    Some(&cookie),
                    &[("code", &self.totp_code())],
                )
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "MFA of {username}");
            assert_eq!(
                res.headers()[LOCATION],
                "/",
                "MFA of {username} completes sign-in"
            );
        }
        cookie
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(self.url(path));
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.unwrap()
    }

    pub async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(self.url(path))
            .header("origin", &self.url)
            .header("sec-fetch-site", "same-origin")
            .form(form);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.unwrap()
    }

    /// Calls a route with its own method: an empty JSON body for the API, an empty form for pages.
    pub async fn call(
        &self,
        method: &reqwest::Method,
        path: &str,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        if *method == reqwest::Method::GET {
            return self.get(path, cookie).await;
        }
        let mut req = self
            .http
            .request(method.clone(), self.url(path))
            .header("origin", &self.url)
            .header("sec-fetch-site", "same-origin");
        req = if path.starts_with("/api/") {
            req.header(CONTENT_TYPE, "application/json").body("{}")
        } else {
            req.form(&[("x", "")])
        };
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, cookie: &str, body: &str) -> reqwest::Response {
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

    pub async fn put_json(&self, path: &str, cookie: &str, body: &str) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .header(COOKIE, cookie)
            .header("origin", &self.url)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }

    /// Posts a CSV file as an API request's body, as a script importing a register would.
    pub async fn post_csv(
        &self,
        path: &str,
        cookie: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header(COOKIE, cookie)
            .header("origin", &self.url)
            .header(CONTENT_TYPE, "text/csv")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn events(&self, action: &str) -> Vec<custodian_store::StoredEvent> {
        self.store
            .events(None, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event.action == action)
            .collect()
    }
}

/// Runs each named test on SQLite, and on PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.
#[macro_export]
macro_rules! backend_tests {
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

/// Posts `file` as a multipart form's `file` field, as a browser's file upload does.
pub async fn upload(app: &TestApp, path: &str, cookie: &str, file: &[u8]) -> reqwest::Response {
    upload_named(app, path, cookie, "register.csv", file).await
}

/// The same, naming the file.
pub async fn upload_named(
    app: &TestApp,
    path: &str,
    cookie: &str,
    name: &str,
    file: &[u8],
) -> reqwest::Response {
    let boundary = "----custodian-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.http
        .post(app.url(path))
        .header(COOKIE, cookie)
        .header("origin", app.url(""))
        .header("sec-fetch-site", "same-origin")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

/// An incident reported through the API by `who`, found out an hour ago: the new incident.
pub async fn report_incident(app: &TestApp, who: &str) -> serde_json::Value {
    let cookie = app.sign_in(who).await;
    let now = custodian_web::Clock::now(&*app.clock);
    let field = custodian_domain::time::moment_field;
    let body = serde_json::json!({
        "what_happened": "A discharge letter went to the wrong address",
        "kind": "wrong_recipient",
        "occurred_at": field(now - chrono::Duration::hours(3)),
        "discovered_at": field(now - chrono::Duration::hours(1)),
        "patient_data": true,
    });
    let res = app
        .post_json(
            &format!("/api/v1/practices/{}/incidents", app.riverside.id),
            &cookie,
            &body.to_string(),
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::CREATED);
    res.json().await.unwrap()
}

/// The quarterly report of the quarter the test's clock is in, drafted by `cookie`'s holder: its
/// page.
pub async fn quarterly_report_page(app: &TestApp, cookie: &str) -> String {
    let river = app.riverside.id;
    let today = custodian_domain::identity::london_today(custodian_web::Clock::now(&*app.clock));
    let quarter = custodian_domain::quarters::Quarter::containing(today, 1).key();
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-reports"),
            cookie,
            &format!(r#"{{"quarter": "{quarter}"}}"#),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    app.get(
        &format!("/practices/{river}/risk-reports/{quarter}"),
        Some(cookie),
    )
    .await
    .text()
    .await
    .unwrap()
}
