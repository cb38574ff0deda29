//! Shared by the benchmarks: a server on a free port over a fresh SQLite store, and latency
//! statistics. Everything runs in this one process, so each figure is compared with a baseline
//! measured in the same run on the same machine: ratios hold where single timings drift.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use custodian_store::AuditMeta;
use custodian_web::{AppState, WebConfig};

pub struct Server {
    pub url: String,
    pub state: AppState,
    pub db: custodian_store::testing::TestStore,
}

pub async fn server() -> Server {
    server_on(custodian_store::Backend::Sqlite).await.unwrap()
}

/// A server on a fresh database of `backend`; `None` for PostgreSQL when
/// `CUSTODIAN_TEST_DATABASE_URL` is not set.
pub async fn server_on(backend: custodian_store::Backend) -> Option<Server> {
    let db = custodian_store::testing::fresh(backend).await?;
    let state = AppState::new(db.store.clone(), WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(custodian_web::serve(
        listener,
        state.clone(),
        std::future::pending(),
    ));
    Some(Server { url, state, db })
}

/// Creates a practice with `n` members of staff (security questions set, so sign-in completes),
/// all with `password`. Returns the practice id and usernames.
pub async fn practice_with_staff(
    s: &Server,
    n: usize,
    password: &str,
) -> (custodian_domain::PracticeId, Vec<String>) {
    use custodian_domain::PracticeRole;
    let (p, staff) = practice_with(
        s,
        n,
        password,
        &[PracticeRole::Staff, PracticeRole::PracticeManager],
    )
    .await;
    (p, staff.into_iter().map(|(u, _)| u).collect())
}

/// As `practice_with_staff`, with the given roles; returns each username with the person's id.
pub async fn practice_with(
    s: &Server,
    n: usize,
    password: &str,
    roles: &[custodian_domain::PracticeRole],
) -> (
    custodian_domain::PracticeId,
    Vec<(String, custodian_domain::PersonId)>,
) {
    use custodian_domain::{NewPerson, NewPractice};
    static PRACTICES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = PRACTICES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let prefix = if k == 0 {
        String::new()
    } else {
        format!("p{k}")
    };
    let store = &s.state.store;
    let by = AuditMeta::cli();
    let p = store
        .create_practice(
            &NewPractice {
                name: format!("Bench Surgery {prefix}"),
                ods_code: format!("Z0{:04}", 9999 - k),
            }
            .validate()
            .unwrap(),
            &by,
        )
        .await
        .unwrap();
    let hash = s.state.passwords.hash(password).await.unwrap();
    let answer = s.state.passwords.hash("answer").await.unwrap();
    let answers: Vec<(String, String)> = custodian_domain::identity::SECURITY_QUESTIONS[..3]
        .iter()
        .map(|q| (q.to_string(), answer.clone()))
        .collect();
    let mut names = Vec::new();
    for i in 0..n {
        let username = format!("{prefix}user{i:03}");
        let person = NewPerson {
            username: username.clone(),
            email: None,
            full_name: format!("Bench User {i}"),
        }
        .validate()
        .unwrap();
        let account = custodian_store::NewAccount {
            person,
            password_hash: Some(hash.clone()),
            must_change_password: false,
            one_time_password_expires_at: None,
            provider_roles: vec![],
        };
        let person = store.create_person(&account, &by).await.unwrap();
        store
            .add_member(p.id, person.id, "Staff", roles, &by)
            .await
            .unwrap();
        store
            .set_security_answers(person.id, &answers, &by.event(None, "x", "person", None))
            .await
            .unwrap();
        names.push((username, person.id));
    }
    (p.id, names)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .build()
        .unwrap()
}

/// Signs in over HTTP; returns the cookie and how long it took.
pub async fn sign_in(
    c: &reqwest::Client,
    url: &str,
    username: &str,
    password: &str,
) -> (String, Duration) {
    let t = Instant::now();
    let res = c
        .post(format!("{url}/sign-in"))
        .header("origin", url)
        .form(&[("login", username), ("password", password)])
        .send()
        .await
        .unwrap();
    let took = t.elapsed();
    assert_eq!(res.status(), 303, "sign-in of {username}");
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    (cookie, took)
}

/// A member of the provider's staff with `role` (security questions set, two-factor enrolled
/// with `secret`, as provider staff must be), signed in through both steps: the session cookie.
pub async fn provider_session(
    s: &Server,
    c: &reqwest::Client,
    username: &str,
    role: custodian_domain::ProviderRole,
    password: &str,
    secret: &str,
) -> String {
    use custodian_domain::NewPerson;
    use custodian_store::NewAccount;
    let store = &s.state.store;
    let by = AuditMeta::cli();
    let hash = s.state.passwords.hash(password).await.unwrap();
    let admin = store
        .create_person(
            &NewAccount {
                person: NewPerson {
                    username: username.into(),
                    email: None,
                    full_name: username.into(),
                }
                .validate()
                .unwrap(),
                password_hash: Some(hash),
                must_change_password: false,
                one_time_password_expires_at: None,
                provider_roles: vec![role],
            },
            &by,
        )
        .await
        .unwrap();
    let answer = s.state.passwords.hash("answer").await.unwrap();
    let answers: Vec<(String, String)> = custodian_domain::identity::SECURITY_QUESTIONS[..3]
        .iter()
        .map(|q| (q.to_string(), answer.clone()))
        .collect();
    store
        .set_security_answers(admin.id, &answers, &by.event(None, "x", "person", None))
        .await
        .unwrap();
    store
        .enable_mfa(
            admin.id,
            secret,
            &[],
            0,
            &by.event(None, "mfa.enrol", "person", None),
        )
        .await
        .unwrap();
    let (cookie, _) = sign_in(c, &s.url, username, password).await;
    let code = custodian_domain::totp::code_at(
        &custodian_domain::totp::base32_decode(secret).unwrap(),
        chrono::Utc::now().timestamp(),
    );
    let res = c
        .post(format!("{}/sign-in/mfa", s.url))
        .header("origin", &s.url)
        .header("cookie", &cookie)
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "MFA");
    cookie
}

#[derive(Debug, Clone)]
pub struct Stats {
    pub n: usize,
    pub median: Duration,
    pub p95: Duration,
    pub p99: Duration,
}

pub fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    Stats {
        n: v.len(),
        median: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A page's HTML, read with the session `cookie` (to check what a benchmark is about to time).
pub async fn page_text(c: &reqwest::Client, url: &str, path: &str, cookie: &str) -> String {
    c.get(format!("{url}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// GETs `url` + `path` with the session `cookie`, expects 200 and reads the whole body: one
/// call of a page under [`load`].
pub async fn get_ok(c: reqwest::Client, url: String, path: String, cookie: String) {
    let r = c
        .get(format!("{url}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    std::hint::black_box(r.bytes().await.unwrap());
}

/// Runs `concurrency` workers calling `call` for `run_for`; returns every latency.
pub async fn load<F, Fut>(concurrency: usize, run_for: Duration, call: F) -> Vec<Duration>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let until = Instant::now() + run_for;
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                call(w).await;
                out.push(t.elapsed());
            }
            out
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

/// The process's peak resident memory, from /proc (Linux).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// A person written through the store (no password: benchmarks do not sign them in).
pub async fn person(
    store: &custodian_store::SharedStore,
    username: String,
    email: Option<String>,
) -> custodian_domain::PersonId {
    let account = custodian_store::NewAccount {
        person: custodian_domain::NewPerson {
            username: username.clone(),
            email,
            full_name: username,
        }
        .validate()
        .unwrap(),
        password_hash: None,
        must_change_password: false,
        one_time_password_expires_at: None,
        provider_roles: vec![],
    };
    store
        .create_person(&account, &custodian_store::AuditMeta::cli())
        .await
        .unwrap()
        .id
}

/// The kinds of incident the seeders report, in turn.
pub const INCIDENT_KINDS: [&str; 6] = [
    "wrong_recipient",
    "lost_or_stolen",
    "inappropriate_access",
    "malware_or_phishing",
    "system_unavailable",
    "other",
];
/// Incidents of each seeded practice still open.
pub const OPEN_INCIDENTS: usize = 10;

/// Seeds `per_practice` incidents in `practice`, reported by `reporter`; all but [`OPEN_INCIDENTS`] closed.
pub async fn seed_incidents(
    store: custodian_store::SharedStore,
    practice: custodian_domain::PracticeId,
    reporter: custodian_domain::PersonId,
    per_practice: usize,
) -> custodian_domain::IncidentId {
    let now = chrono::Utc::now();
    let by = AuditMeta {
        actor_id: Some(reporter),
        actor: "reporter".into(),
        ..AuditMeta::cli()
    };
    let mut first = None;
    for i in 0..per_practice {
        let ago = chrono::Duration::minutes(((per_practice - i) * 90) as i64);
        let moment = |d: chrono::Duration| custodian_domain::time::moment_field(now - d);
        let report = custodian_domain::incidents::IncidentReport {
            what_happened: format!("Incident {i}: a letter went to the wrong address"),
            kind: INCIDENT_KINDS[i % INCIDENT_KINDS.len()].into(),
            occurred_at: moment(ago + chrono::Duration::hours(1)),
            discovered_at: moment(ago),
            patient_data: i % 2 == 0,
            near_miss: i % 7 == 0,
            ..Default::default()
        }
        .validate(now)
        .unwrap();
        let at = now - ago;
        let incident = store
            .report_incident(practice, &report, reporter, at, &by)
            .await
            .unwrap();
        first.get_or_insert(incident.id);
        if i < per_practice - OPEN_INCIDENTS {
            let close = custodian_domain::incidents::Step::Close {
                lessons: "Check the address before posting".into(),
                risk: None,
            };
            store
                .handle_incident(practice, incident.id, &close, at, &by)
                .await
                .unwrap();
        }
    }
    first.unwrap()
}

/// A risk from the library (the `i`th threat), owned by `owner`, raised on `raised` (its
/// first review is due three months later), with an action due `today`.
pub async fn risk_with_action_due(
    store: &custodian_store::SharedStore,
    practice: custodian_domain::PracticeId,
    owner: custodian_domain::PersonId,
    i: usize,
    raised: chrono::NaiveDate,
    today: chrono::NaiveDate,
) {
    use custodian_domain::risks::{ActionInput, LIBRARY, MATRIX_5X5};
    let by = AuditMeta::cli();
    let mut input = LIBRARY[i % LIBRARY.len()].to_input(&MATRIX_5X5);
    if i > 0 {
        input.title = format!("{} ({i})", input.title);
    }
    input.owner_id = Some(owner);
    input.raised_on = raised.to_string();
    let v = input.validate(&MATRIX_5X5, today, None).unwrap();
    let risk = store.create_risk(practice, &v, &by).await.unwrap();
    let action = ActionInput {
        description: "Put the control in place".into(),
        owner_id: Some(owner),
        due_on: today.to_string(),
        ..Default::default()
    }
    .validate(today)
    .unwrap();
    let holder = custodian_domain::holder::Holder::Risk(risk.id);
    store
        .add_action(practice, holder, &action, &by)
        .await
        .unwrap();
}

/// An information asset owned by `owner`, last reviewed 400 days before `today` (so its yearly
/// review is overdue).
pub async fn asset_due_review(
    store: &custodian_store::SharedStore,
    practice: custodian_domain::PracticeId,
    owner: custodian_domain::PersonId,
    name: &str,
    today: chrono::NaiveDate,
) {
    let asset = custodian_domain::assets::AssetInput {
        name: name.into(),
        asset_type: "system".into(),
        format: "electronic".into(),
        volume_band: "over_100000".into(),
        iao_id: Some(owner),
        last_reviewed_on: (today - chrono::Duration::days(400)).to_string(),
        ..Default::default()
    };
    let valid = asset.validate(today).unwrap();
    store
        .create_asset(practice, &valid, &AuditMeta::cli())
        .await
        .unwrap();
}
