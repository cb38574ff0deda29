//! Actions with owners and due dates, one mechanism for every register: an incident's follow-up
//! given to a receptionist, who is told when it is overdue, sees it in their calendar and marks
//! it done; bad dates and other practices' ids refused. (The risk register's action plans, on
//! the same mechanism, are tested with the risks.) SQLite always; PostgreSQL when
//! CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use reqwest::StatusCode;

backend_tests!(
    an_incidents_actions_reach_their_owner_until_done,
    a_date_typed_the_english_way_is_read_and_a_day_that_does_not_exist_named,
);

async fn an_incidents_actions_reach_their_owner_until_done(app: TestApp) {
    let (river, hill) = (app.riverside.id, app.hillside.id);
    let i = report_incident(&app, "staylor").await;
    let id = i["id"].as_str().unwrap();
    let page = format!("/practices/{river}/incidents/{id}");
    let api = format!("/api/v1/practices/{river}/incidents/{id}/actions");
    let sam = app.people["staylor"].to_string();
    let today = custodian_domain::identity::london_today(custodian_web::Clock::now(&*app.clock));
    let pm = app.sign_in("rahmed").await;

    // Due before the incident was reported: refused, naming the field, nothing written.
    let early = (today - chrono::Duration::days(3)).to_string();
    let res = app
        .post_form(
            &format!("{page}/actions"),
            Some(&pm),
            &[
                ("description", "Retrieve the letter"),
                ("owner_id", &sam),
                ("due_on", &early),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("cannot be due before the incident was reported")
    );
    // The practice manager gives the receptionist an action, due in two days.
    let due = (today + chrono::Duration::days(2)).to_string();
    let res = app
        .post_form(
            &format!("{page}/actions"),
            Some(&pm),
            &[
                (
                    "description",
                    "Ring the new occupant and collect the letter",
                ),
                ("owner_id", &sam),
                ("due_on", &due),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = app.get(&page, Some(&pm)).await.text().await.unwrap();
    assert!(html.contains("Ring the new occupant and collect the letter"));

    // The reporter does not hand out actions; another practice does not reach them.
    let sam_cookie = app.sign_in("staylor").await;
    let body = format!(r#"{{"description": "x", "owner_id": "{sam}", "due_on": "{due}"}}"#);
    let res = app.post_json(&api, &sam_cookie, &body).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let karen = app.sign_in("kmills").await;
    let elsewhere = format!("/api/v1/practices/{hill}/incidents/{id}/actions");
    assert_eq!(
        app.get(&elsewhere, Some(&karen)).await.status(),
        StatusCode::NOT_FOUND
    );
    let listed: serde_json::Value = app.get(&api, Some(&pm)).await.json().await.unwrap();
    let action = listed["items"][0].clone();
    assert_eq!(action["register"], "incident");
    assert_eq!(action["status"], "open");
    let action_id = action["id"].as_str().unwrap();
    let done =
        |e: &custodian_store::StoredEvent| e.event.outcome == custodian_store::Outcome::Success;
    let created = app.events("incident_action.create").await;
    assert_eq!(created.iter().filter(|e| done(e)).count(), 1);
    assert_eq!(
        created.len(),
        2,
        "the receptionist's refusal is recorded too"
    );

    // Three days on it is overdue: the receptionist alone is told, and it is in their calendar.
    app.clock.advance(chrono::Duration::days(3));
    let sam_cookie = app.sign_in("staylor").await;
    let home = app
        .get(&format!("/practices/{river}"), Some(&sam_cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("1 action given to you past their due date"),
        "{home}"
    );
    let pm = app.sign_in("rahmed").await;
    let theirs = app
        .get(&format!("/practices/{river}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("given to you past their due date"));
    let dates = custodian_app::notifications::calendar::due_dates(
        &app.state,
        app.people["staylor"],
        "https://custodian.example",
    )
    .await
    .unwrap();
    assert!(dates.iter().any(
        |d| d.summary == "Incident action due" && d.url.ends_with(&format!("/incidents/{id}"))
    ));

    // The quarterly report lists it among the incidents' overdue actions.
    let report = quarterly_report_page(&app, &pm).await;
    let overdue = &report[report.find("Incidents' actions overdue").expect("listed")..];
    assert!(overdue.contains("Ring the new occupant and collect the letter"));

    // The owner marks it done from the incident's page (they may: it is theirs).
    let res = app
        .post_form(
            &format!("{page}/actions/{action_id}"),
            Some(&sam_cookie),
            &[("status", "done")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let listed: serde_json::Value = app.get(&api, Some(&pm)).await.json().await.unwrap();
    assert_eq!(listed["items"][0]["status"], "done");
    let updated = app.events("incident_action.update").await;
    assert_eq!(updated.iter().filter(|e| done(e)).count(), 1);
    let home = app
        .get(&format!("/practices/{river}"), Some(&sam_cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(!home.contains("given to you past their due date"));
}

async fn a_date_typed_the_english_way_is_read_and_a_day_that_does_not_exist_named(app: TestApp) {
    let river = app.riverside.id;
    let i = report_incident(&app, "staylor").await;
    let page = format!("/practices/{river}/incidents/{}", i["id"].as_str().unwrap());
    let sam = app.people["staylor"].to_string();
    let today = custodian_domain::identity::london_today(custodian_web::Clock::now(&*app.clock));
    let pm = app.sign_in("rahmed").await;
    let add = |due: String| {
        let (page, pm, sam) = (page.clone(), pm.clone(), sam.clone());
        let app = &app;
        async move {
            app.post_form(
                &format!("{page}/actions"),
                Some(&pm),
                &[
                    ("description", "Check the other letters"),
                    ("owner_id", &sam),
                    ("due_on", &due),
                ],
            )
            .await
        }
    };
    let res = add("31/02/2027".into()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("31/02/2027 is not a real date: February 2027 has 28 days")
    );
    assert!(
        app.events("incident_action.create").await.is_empty(),
        "nothing written"
    );
    let typed = today + chrono::Duration::days(9);
    let res = add(typed.format("%d/%m/%Y").to_string()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = app.get(&page, Some(&pm)).await.text().await.unwrap();
    assert!(
        html.contains(&custodian_domain::time::show_day(typed)),
        "{html}"
    );
    // The API keeps to its document: YYYY-MM-DD only.
    let api = format!(
        "/api/v1/practices/{river}/incidents/{}/actions",
        i["id"].as_str().unwrap()
    );
    let body = format!(
        r#"{{"description": "x", "owner_id": "{sam}", "due_on": "{}"}}"#,
        typed.format("%d/%m/%Y")
    );
    assert_eq!(
        app.post_json(&api, &pm, &body).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
