//! The equipment register as people use it: the practice manager adds a laptop and issues it to
//! Sam, who sees it as his equipment and nobody else's; a tag already in the register, a person
//! of another practice and a step that does not fit are named; another practice's device is not
//! found; Sam's exit date puts the laptop's collection on the manager's home. SQLite always;
//! PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use reqwest::StatusCode;

backend_tests!(
    a_laptop_is_added_issued_and_seen_by_its_holder_only,
    bad_and_hostile_custody_is_named_and_nothing_is_written,
    a_leavers_equipment_is_a_task_on_the_managers_home,
    a_lost_laptop_is_reported_as_an_incident_with_it_linked,
    a_holder_reports_their_laptop_stolen_from_the_incident_form,
);

const LAPTOP: &str = r#"{"asset_tag": "RMC-LT-01", "kind": "laptop", "make_model": "Dell Latitude 5440", "serial": "7GH2KQ3"}"#;

async fn add_laptop(app: &TestApp, pm: &str) -> String {
    let res = app
        .post_json(
            &format!("/api/v1/practices/{}/devices", app.riverside.id),
            pm,
            LAPTOP,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: serde_json::Value = res.json().await.unwrap();
    v["id"].as_str().unwrap().to_string()
}

async fn a_laptop_is_added_issued_and_seen_by_its_holder_only(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let sam = app.sign_in("staylor").await;

    // Added from the form, it lands on its page, in stock.
    let res = app
        .post_form(
            &format!("/practices/{river}/devices"),
            Some(&pm),
            &[
                ("asset_tag", "RMC-LT-02"),
                ("kind", "laptop"),
                ("make_model", "Dell Latitude 5440"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = res.headers()["location"].to_str().unwrap().to_string();
    let html = app.get(&page, Some(&pm)).await.text().await.unwrap();
    assert!(html.contains("RMC-LT-02: Laptop"), "{html}");
    assert!(html.contains("In stock"));

    // Issued to Sam, who signed for it.
    let sam_id = app.people["staylor"].to_string();
    let res = app
        .post_form(
            &format!("{page}/custody"),
            Some(&pm),
            &[
                ("step", "issue"),
                ("to", &sam_id),
                ("signed", "1"),
                ("on", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = app.get(&page, Some(&pm)).await.text().await.unwrap();
    assert!(
        html.contains("Issued to Sam Taylor, who signed for it"),
        "{html}"
    );
    assert!(html.contains("Record its return"));
    assert!(
        !html.contains("Issue it to a member of staff"),
        "issued once"
    );

    // Sam sees it as his; the register's other device is not his to see.
    let mine = app
        .get(&format!("/practices/{river}/devices"), Some(&sam))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        mine.contains("My equipment") && mine.contains("RMC-LT-02"),
        "{mine}"
    );
    let other = add_laptop(&app, &pm).await;
    assert!(!mine.contains("RMC-LT-01"));
    assert_eq!(app.get(&page, Some(&sam)).await.status(), StatusCode::OK);
    let theirs = format!("/practices/{river}/devices/{other}");
    assert_eq!(
        app.get(&theirs, Some(&sam)).await.status(),
        StatusCode::NOT_FOUND
    );
    // Sam cannot add or move devices.
    let res = app
        .post_json(&format!("/api/v1/practices/{river}/devices"), &sam, LAPTOP)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/devices/{other}/custody"),
            &sam,
            r#"{"step": "lose"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let done = |events: Vec<custodian_store::StoredEvent>| {
        events
            .iter()
            .filter(|e| e.event.outcome == custodian_store::Outcome::Success)
            .count()
    };
    assert_eq!(
        done(app.events("device.add").await),
        2,
        "Sam's refusal added nothing"
    );
    assert_eq!(done(app.events("device.issue").await), 1);
}

async fn bad_and_hostile_custody_is_named_and_nothing_is_written(app: TestApp) {
    let river = app.riverside.id;
    let hill = app.hillside.id;
    let pm = app.sign_in("rahmed").await;
    let id = add_laptop(&app, &pm).await;
    let api = format!("/api/v1/practices/{river}/devices");
    let field = |v: &serde_json::Value| v["errors"][0]["field"].as_str().unwrap_or("").to_string();

    // The same tag again, and a kind not on the list.
    let res = app.post_json(&api, &pm, LAPTOP).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let same_serial = r#"{"asset_tag": "RMC-LT-09", "kind": "laptop", "serial": "7GH2KQ3"}"#;
    let res = app.post_json(&api, &pm, same_serial).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = app
        .post_json(&api, &pm, r#"{"asset_tag": "X1", "kind": "toaster"}"#)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&res.json().await.unwrap()), "kind");

    // Issued to a member of another practice's staff, or on a day in the future.
    let karen = app.people["kmills"];
    let body = format!(r#"{{"step": "issue", "to": "{karen}"}}"#);
    let res = app
        .post_json(&format!("{api}/{id}/custody"), &pm, &body)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&res.json().await.unwrap()), "to");
    let res = app
        .post_json(
            &format!("{api}/{id}/custody"),
            &pm,
            r#"{"step": "lose", "on": "2999-01-01"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&res.json().await.unwrap()), "on");
    // Returned when it was never issued: the page names the step, its form open again.
    let res = app
        .post_form(
            &format!("/practices/{river}/devices/{id}/custody"),
            Some(&pm),
            &[("step", "dispose"), ("how", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter how its data was destroyed"), "{html}");
    assert!(html.contains(r#"<details class="form-panel" open>"#));
    // A control character in a field is refused before anything runs.
    let res = app
        .post_json(
            &api,
            &pm,
            r#"{"asset_tag": "RMC\u0000LT", "kind": "laptop"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Another practice's manager reaches neither the device nor its steps.
    let karen_cookie = app.sign_in("kmills").await;
    for res in [
        app.get(
            &format!("/api/v1/practices/{hill}/devices/{id}"),
            Some(&karen_cookie),
        )
        .await,
        app.post_json(
            &format!("/api/v1/practices/{hill}/devices/{id}/custody"),
            &karen_cookie,
            r#"{"step": "lose", "what_happened": "Not theirs to lose"}"#,
        )
        .await,
        app.get(
            &format!("/api/v1/practices/{river}/devices/{id}"),
            Some(&karen_cookie),
        )
        .await,
        app.get(&format!("{api}/not-an-id"), Some(&pm)).await,
    ] {
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    // Only the first add and nothing after it was written.
    let res = app.get(&format!("{api}/{id}"), Some(&pm)).await;
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["device"]["status"], "in_stock");
    assert_eq!(v["custody"].as_array().unwrap().len(), 1);
    let added = app.events("device.add").await;
    assert_eq!(added.len(), 1, "{added:?}");
}

async fn a_leavers_equipment_is_a_task_on_the_managers_home(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let id = add_laptop(&app, &pm).await;
    let sam = app.people["staylor"];
    let body = format!(r#"{{"step": "issue", "to": "{sam}", "signed": true}}"#);
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/devices/{id}/custody"),
            &pm,
            &body,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let home = format!("/practices/{river}");
    let before = app.get(&home, Some(&pm)).await.text().await.unwrap();
    assert!(!before.contains("Collect RMC-LT-01"));

    let exit = (chrono::Utc::now().date_naive() + chrono::Duration::days(5)).to_string();
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/people/{sam}/leaver"),
            &pm,
            &format!(r#"{{"exit_date": "{exit}", "reason": "Moving away"}}"#),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let after = app.get(&home, Some(&pm)).await.text().await.unwrap();
    assert!(
        after.contains("Collect RMC-LT-01 (laptop) from Sam Taylor, who is leaving"),
        "{after}"
    );
    // Returned, the task is gone.
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/devices/{id}/custody"),
            &pm,
            r#"{"step": "return"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let done = app.get(&home, Some(&pm)).await.text().await.unwrap();
    assert!(!done.contains("Collect RMC-LT-01"));
}

async fn a_lost_laptop_is_reported_as_an_incident_with_it_linked(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let id = add_laptop(&app, &pm).await;
    let page = format!("/practices/{river}/devices/{id}");
    // Without saying what happened, nothing is written and the form says so.
    let res = app
        .post_form(&format!("{page}/custody"), Some(&pm), &[("step", "lose")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Enter what happened"));
    assert!(app.events("incident.report").await.is_empty());

    let res = app
        .post_form(
            &format!("{page}/custody"),
            Some(&pm),
            &[
                ("step", "lose"),
                ("what_happened", "Left in a taxi after a home visit"),
                ("patient_data", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let incident = res.headers()["location"].to_str().unwrap().to_string();
    assert!(
        incident.contains("/incidents/") && incident.ends_with("?reported=1"),
        "{incident}"
    );
    let html = app.get(&incident, Some(&pm)).await.text().await.unwrap();
    assert!(html.contains("Thank you: your report is INC-"), "{html}");
    assert!(html.contains("RMC-LT-01 (Dell Latitude 5440) lost or stolen. Left in a taxi"));
    assert!(
        html.contains(&format!(r#"href="/practices/{river}/devices/{id}""#)),
        "linked"
    );
    let device = app.get(&page, Some(&pm)).await.text().await.unwrap();
    assert!(device.contains("Lost or stolen"));
    // Through the API, the step answers with the incident it reported.
    let other = app
        .post_json(
            &format!("/api/v1/practices/{river}/devices"),
            &pm,
            r#"{"asset_tag": "RMC-PH-01", "kind": "smartphone"}"#,
        )
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let res = app
        .post_json(
            &format!(
                "/api/v1/practices/{river}/devices/{}/custody",
                other["id"].as_str().unwrap()
            ),
            &pm,
            r#"{"step": "lose", "what_happened": "Stolen from a car"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["device"]["status"], "lost_or_stolen");
    assert!(v["incident_id"].is_string(), "{v}");
    assert_eq!(app.events("incident.report").await.len(), 2);
}

/// Sam reports the laptop he holds stolen, as any incident: the register marks it so and the
/// incident names it. A device he does not hold is not his to name.
async fn a_holder_reports_their_laptop_stolen_from_the_incident_form(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let sam = app.sign_in("staylor").await;
    let laptop = add_laptop(&app, &pm).await;
    let sam_id = app.people["staylor"];
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/devices/{laptop}/custody"),
            &pm,
            &format!(r#"{{"step": "issue", "to": "{sam_id}"}}"#),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let phone = app
        .post_json(
            &format!("/api/v1/practices/{river}/devices"),
            &pm,
            r#"{"asset_tag": "RMC-PH-01", "kind": "smartphone"}"#,
        )
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let now = custodian_web::Clock::now(&*app.clock);
    let field = custodian_domain::time::moment_field;
    let report = |device: &str| {
        serde_json::json!({
            "what_happened": "My bag was taken from the car",
            "kind": "lost_or_stolen",
            "occurred_at": field(now - chrono::Duration::hours(3)),
            "discovered_at": field(now - chrono::Duration::hours(1)),
            "device_id": device,
        })
        .to_string()
    };
    let api = format!("/api/v1/practices/{river}/incidents");
    // Sam's report form offers his laptop, and only it.
    let form = app
        .get(&format!("/practices/{river}/incidents/new"), Some(&sam))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("RMC-LT-01 (laptop, Dell Latitude 5440)"),
        "{form}"
    );
    assert!(!form.contains("RMC-PH-01"));
    // The phone is not his.
    let res = app.post_json(&api, &sam, &report(&phone)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["errors"][0]["field"], "device_id");
    // The laptop is, and is marked stolen as the incident is reported.
    let res = app.post_json(&api, &sam, &report(&laptop)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let incident: serde_json::Value = res.json().await.unwrap();
    let id = incident["id"].as_str().unwrap();
    let detail: serde_json::Value = app
        .get(&format!("{api}/{id}"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["involved"][0]["kind"], "device", "{detail}");
    let device: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/devices/{laptop}"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(device["device"]["status"], "lost_or_stolen");
    assert_eq!(
        app.events("incident.report").await.len(),
        1,
        "one report, the refused one none"
    );
}
