//! Notifications over HTTP: what needs a person's attention becomes their notice (the header
//! counts it, the list opens it), only for those whose roles make it theirs, and it goes when
//! the thing is done. SQLite always; PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use custodian_domain::PracticeRole;
use reqwest::StatusCode;

backend_tests!(
    a_starter_request_reaches_the_approvers_and_goes_when_approved,
    an_overdue_risk_action_is_noticed_until_it_is_done,
    the_calendar_feed_parses_and_a_stopped_address_is_not_found
);

fn today(app: &TestApp) -> chrono::NaiveDate {
    custodian_domain::identity::london_today(custodian_web::Clock::now(&*app.clock))
}

async fn notices(app: &TestApp, cookie: &str, query: &str) -> Vec<serde_json::Value> {
    let res = app
        .get(&format!("/api/v1/me/notifications{query}"), Some(cookie))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: serde_json::Value = res.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn a_starter_request_reaches_the_approvers_and_goes_when_approved(mut app: TestApp) {
    use PracticeRole::*;
    let river = app.riverside.id;
    let riverside = app.riverside.clone();
    app.person(
        "dpatel",
        "Dev Patel",
        Some((&riverside, &[Staff, PracticeManager])),
        &[],
        false,
    )
    .await;
    let pm = app.sign_in("rahmed").await;
    let body = format!(
        r#"{{"full_name": "Nia Newcomer", "username": "n.newcomer", "job_title": "Receptionist", "start_date": "{}"}}"#,
        today(&app)
    );
    let res = app
        .post_json(&format!("/api/v1/practices/{river}/requests"), &pm, &body)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let request: serde_json::Value = res.json().await.unwrap();

    // The scheduler's job raises the notices; running it again raises nothing more.
    let state = &app.state;
    assert!(
        custodian_app::notifications::raise_notices(state)
            .await
            .unwrap()
            >= 2
    );
    assert_eq!(
        custodian_app::notifications::raise_notices(state)
            .await
            .unwrap(),
        0
    );

    // The provider sees what is waiting in every practice; practice staff may not look.
    let admin = app.sign_in("admin").await;
    let res = app.get("/api/v1/provider/notices", Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let across: serde_json::Value = res.json().await.unwrap();
    let line = across["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ods_code"] == "Z00001")
        .unwrap()
        .clone();
    assert!(line["live"].as_i64().unwrap() >= 2 && line["unread"] == line["live"]);
    let hillside = across["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ods_code"] == "Z00002")
        .unwrap()
        .clone();
    assert_eq!(
        (hillside["live"].as_i64(), hillside["oldest"].is_null()),
        (Some(0), true)
    );
    let page = app
        .get("/provider/notices", Some(&admin))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Riverside Medical Centre") && page.contains("Hillside Surgery"));
    let staff = app.sign_in("staylor").await;
    assert_eq!(
        app.get("/provider/notices", Some(&staff)).await.status(),
        StatusCode::FORBIDDEN
    );

    // Dev may approve it: the header counts it, the list says what and where.
    let dev = app.sign_in("dpatel").await;
    let home = app
        .get(&format!("/practices/{river}"), Some(&dev))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("Notifications <span class=\"count\">1"),
        "{home}"
    );
    let page = app
        .get("/notifications", Some(&dev))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("1 starter or mover request waiting for your approval"));
    assert!(page.contains("Riverside Medical Centre"));
    let mine = notices(&app, &dev, "").await;
    let waiting = mine
        .iter()
        .find(|n| n["topic"] == "/requests")
        .expect("a notice about the request");
    assert_eq!(waiting["practice_id"], river.to_string());

    // Sam (staff) and Karen (another practice) are told nothing.
    let sam = app.sign_in("staylor").await;
    assert!(notices(&app, &sam, "").await.is_empty());
    let karen = app.sign_in("kmills").await;
    assert!(notices(&app, &karen, "").await.is_empty());
    // Nobody opens or reads someone else's notice.
    let id = waiting["id"].as_str().unwrap();
    let res = app
        .post_json(&format!("/api/v1/me/notifications/{id}/read"), &karen, "")
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Opening it goes to the requests and marks it read.
    let res = app
        .post_form(&format!("/notifications/{id}/open"), Some(&dev), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/practices/{river}/requests").as_str()
    );
    let home = app
        .get(&format!("/practices/{river}"), Some(&dev))
        .await
        .text()
        .await
        .unwrap();
    assert!(!home.contains("class=\"count\""));
    assert!(!notices(&app, &dev, "").await[0]["read_at"].is_null());

    // Dev approves it: at the next run the notice is done, for Rukhsana too.
    let res = app
        .post_json(
            &format!(
                "/api/v1/practices/{river}/requests/{}/approve",
                request["id"].as_str().unwrap()
            ),
            &dev,
            "{}",
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    custodian_app::notifications::raise_notices(&app.state)
        .await
        .unwrap();
    for who in [&dev, &pm] {
        let live = notices(&app, who, "").await;
        assert!(live.iter().all(|n| n["topic"] != "/requests"), "{live:?}");
        let all = notices(&app, who, "?with_done=true").await;
        let done = all.iter().find(|n| n["topic"] == "/requests").unwrap();
        assert!(!done["done_at"].is_null());
    }
}

async fn an_overdue_risk_action_is_noticed_until_it_is_done(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-library/phishing"),
            &pm,
            "",
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let risk: serde_json::Value = res.json().await.unwrap();
    let risk = risk["id"].as_str().unwrap();
    let rahmed = app.people["rahmed"];
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks/{risk}/actions"),
            &pm,
            &format!(
                r#"{{"description": "Phishing training for everyone", "owner_id": "{rahmed}", "due_on": "{}"}}"#,
                today(&app)
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let action: serde_json::Value = res.json().await.unwrap();
    let overdue = |list: &[serde_json::Value]| {
        list.iter()
            .any(|n| n["topic"] == "/risks#overdue-actions" && n["done_at"].is_null())
    };
    custodian_app::notifications::raise_notices(&app.state)
        .await
        .unwrap();
    assert!(!overdue(&notices(&app, &pm, "").await), "not yet overdue");

    // Two days later the action is overdue: the practice manager is told, Sam is not.
    app.clock.advance(chrono::Duration::days(2));
    custodian_app::notifications::raise_notices(&app.state)
        .await
        .unwrap();
    let pm = app.sign_in("rahmed").await;
    let mine = notices(&app, &pm, "").await;
    assert!(overdue(&mine), "{mine:?}");
    let text = mine
        .iter()
        .find(|n| n["topic"] == "/risks#overdue-actions")
        .unwrap()["text"]
        .clone();
    assert_eq!(text, "1 risk action overdue");
    let home = app
        .get(&format!("/practices/{river}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("1 risk action overdue"),
        "the home page says so too"
    );
    let sam = app.sign_in("staylor").await;
    assert!(!overdue(&notices(&app, &sam, "").await));

    // Done: the notice goes at the next run.
    let res = app
        .put_json(
            &format!(
                "/api/v1/practices/{river}/risks/{risk}/actions/{}",
                action["id"].as_str().unwrap()
            ),
            &pm,
            r#"{"status": "done"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    custodian_app::notifications::raise_notices(&app.state)
        .await
        .unwrap();
    assert!(!overdue(&notices(&app, &pm, "").await));
}

/// Makes a calendar address on the page and returns its path (`/calendar/….ics`).
async fn calendar_address(app: &TestApp, cookie: &str) -> String {
    let res = app
        .post_form("/notifications/calendar", Some(cookie), &[])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    let at = page.find("/calendar/").expect("the new address is shown");
    let end = at + page[at..].find(".ics").unwrap() + 4;
    page[at..end].to_string()
}

/// The events of a feed, read by a real iCalendar parser: (summary, start) pairs.
fn events(ics: &str) -> Vec<(String, String)> {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let calendar = calendars.next().expect("one calendar").expect("it parses");
    assert!(calendars.next().is_none());
    calendar
        .events
        .iter()
        .map(|e| {
            let get = |name: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            (get("SUMMARY"), get("DTSTART"))
        })
        .collect()
}

async fn the_calendar_feed_parses_and_a_stopped_address_is_not_found(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-library/phishing"),
            &pm,
            "",
        )
        .await;
    let risk: serde_json::Value = res.json().await.unwrap();
    let rahmed = app.people["rahmed"];
    let due_on = today(&app) + chrono::Duration::days(10);
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks/{}/actions", risk["id"].as_str().unwrap()),
            &pm,
            &format!(
                r#"{{"description": "Phishing training; for, everyone", "owner_id": "{rahmed}", "due_on": "{due_on}"}}"#
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let address = calendar_address(&app, &pm).await;
    // The calendar app fetches it without signing in.
    let res = app.get(&address, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = res.text().await.unwrap();
    let got = events(&ics);
    let when = due_on.format("%Y%m%d").to_string();
    assert!(
        got.iter()
            .any(|(s, d)| s == "Risk action due" && *d == when),
        "{got:?}"
    );
    assert!(got.iter().any(|(s, _)| s == "DSPT submission deadline"));
    assert!(
        got.iter()
            .any(|(s, _)| s.starts_with("Risk review due (RSK-"))
    );
    assert!(
        !ics.contains("Phishing training"),
        "what is due, never what about"
    );

    // Sam owns nothing and keeps no settings: an empty calendar, still a calendar.
    let sam = app.sign_in("staylor").await;
    let sams = calendar_address(&app, &sam).await;
    let res = app.get(&sams, None).await;
    assert!(events(&res.text().await.unwrap()).is_empty());

    // A new address ends the old one; stopping ends the new one; a made-up one is not found.
    let again = calendar_address(&app, &pm).await;
    assert_eq!(
        app.get(&address, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&again, None).await.status(), StatusCode::OK);
    let res = app
        .post_form("/notifications/calendar/stop", Some(&pm), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&again, None).await.status(), StatusCode::NOT_FOUND);
    for made_up in [
        "/calendar/nothing.ics",
        &format!("/calendar/{}.ics", "0".repeat(64)),
    ] {
        assert_eq!(app.get(made_up, None).await.status(), StatusCode::NOT_FOUND);
    }
}
