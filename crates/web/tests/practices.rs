//! A provider's list of practices brought in from a spreadsheet: checked with every bad row
//! named, written whole or as its valid rows, once, each practice with its first practice
//! manager and their one-time password; only provider administrators. SQLite always;
//! PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use reqwest::StatusCode;

backend_tests!(
    a_list_of_practices_is_checked_then_brought_in_with_their_managers,
    a_new_practice_starts_from_the_providers_defaults,
);

const LIST: &str = "name,ods_code,manager_name,manager_email,manager_phone\n\
    Willow Bank Surgery,Z00061,Pat Newman,pat.newman@nhs.net,01632 960001\n\
    Oak Lane Practice,Z0006,Olu Lane,olu.lane@nhs.net,\n\
    Elm Tree Medical Centre,z00063,Erin Elm,erin.elm@nhs.net,\n";

async fn practices(app: &TestApp) -> usize {
    app.store
        .practices(&custodian_domain::PageRequest::first(100))
        .await
        .unwrap()
        .items
        .len()
}

async fn a_list_of_practices_is_checked_then_brought_in_with_their_managers(app: TestApp) {
    let before = practices(&app).await;
    // Practice staff cannot, and the refusal is recorded.
    let pm = app.sign_in("rahmed").await;
    assert_eq!(app.get("/practices-import", Some(&pm)).await.status(), 403);
    let res = app.post_csv("/api/v1/practices-import", &pm, LIST).await;
    assert_eq!(res.status(), 403);
    assert!(!app.events("practice.import").await.is_empty());

    // A dry run names the bad row and column and writes nothing.
    let admin = app.sign_in("admin").await;
    let res = app
        .post_csv("/api/v1/practices-import?dry_run=true", &admin, LIST)
        .await;
    assert_eq!(res.status(), 200);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (
            &report["rows"],
            &report["valid_rows"],
            &report["rows_with_problems"]
        ),
        (&3.into(), &2.into(), &1.into())
    );
    assert_eq!(report["errors"][0]["row"], 3);
    assert_eq!(report["errors"][0]["column"], "ods_code");
    assert_eq!(practices(&app).await, before);

    // Every row or nothing: refused, with the row's problem.
    let res = app.post_csv("/api/v1/practices-import", &admin, LIST).await;
    assert_eq!(res.status(), 422);
    let problem = res.text().await.unwrap();
    assert!(problem.contains("row 3: ods_code"), "{problem}");
    assert_eq!(practices(&app).await, before);

    // A file without the manager's columns is refused whole, naming them.
    let res = app
        .post_csv(
            "/api/v1/practices-import",
            &admin,
            "name,ods_code\nA,Z00070\n",
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("manager_name, manager_email")
    );

    // In the browser: upload, the check page, then the valid rows only.
    let res = upload(&app, "/practices-import", &admin, LIST.as_bytes()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let check = res.headers()["location"].to_str().unwrap().to_string();
    let page = app.get(&check, Some(&admin)).await.text().await.unwrap();
    assert!(page.contains("Rows with problems"), "{page}");
    assert!(page.contains("ODS code must be a letter followed by 5 digits"));
    assert!(page.contains("Import the 2 valid rows only"));
    // Seen with another count of valid rows (things changed since): checked again, nothing
    // written.
    let res = app
        .post_form(
            &check,
            Some(&admin),
            &[("decision", "valid_rows"), ("valid", "3")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(practices(&app).await, before);

    let res = app
        .post_form(
            &check,
            Some(&admin),
            &[("decision", "valid_rows"), ("valid", "2")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("2 practices added"), "{page}");
    assert!(page.contains("Willow Bank Surgery") && page.contains("Z00063"));
    assert!(!page.contains("Oak Lane"));
    assert_eq!(practices(&app).await, before + 2);
    // Each manager's one-time password is on the page, and works.
    let otp = page
        .split("<code>")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .unwrap()
        .to_string();
    assert_eq!(otp.len(), 19, "{otp}");
    let res = app
        .post_form(
            "/sign-in",
            None,
            &[("login", "p.newman"), ("password", &otp)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Once only: submitted again, the page says so and nothing more is written.
    let res = app
        .post_form(
            &check,
            Some(&admin),
            &[("decision", "valid_rows"), ("valid", "2")],
        )
        .await;
    assert!(res.text().await.unwrap().contains("already been imported"));
    assert_eq!(practices(&app).await, before + 2);

    // Through the API, the same list now clashes on the rows brought in; the new one is added
    // with its password.
    let more = "name,ods_code,manager_name,manager_email\n\
        Willow Bank Surgery,Z00061,Pat Newman,pat2@nhs.net\n\
        Ash Grove,Z00064,Ash Grove,ash@nhs.net\n";
    let res = app
        .post_csv("/api/v1/practices-import?mode=valid_rows", &admin, more)
        .await;
    assert_eq!(res.status(), 201);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(report["written"], 1);
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already exists")
    );
    assert_eq!(report["practices"][0]["practice"]["ods_code"], "Z00064");
    assert_eq!(
        report["practices"][0]["manager"]["person"]["username"],
        "a.grove"
    );
    assert_eq!(
        report["practices"][0]["one_time_password"]
            .as_str()
            .unwrap()
            .len(),
        19
    );
    // Another practice's id is not a staged list of the provider's.
    let res = app
        .get(
            &format!("/practices-import/{}", uuid::Uuid::new_v4()),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), 404);
}

async fn a_new_practice_starts_from_the_providers_defaults(app: TestApp) {
    let pm = app.sign_in("rahmed").await;
    let admin = app.sign_in("admin").await;
    let mut defaults: serde_json::Value = app
        .get("/api/v1/provider-defaults", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        defaults["risk_matrix"], "5x5",
        "the built-in defaults at first"
    );
    defaults["risk_matrix"] = "4x4".into();
    defaults["session_idle_minutes"] = 10.into();
    let body = defaults.to_string();
    // Practice staff cannot change them; provider administrators can.
    let res = app.put_json("/api/v1/provider-defaults", &pm, &body).await;
    assert_eq!(res.status(), 403);
    let res = app
        .put_json("/api/v1/provider-defaults", &admin, &body)
        .await;
    assert_eq!(res.status(), 200);
    assert!(!app.events("provider.defaults_update").await.is_empty());

    // Practices already here keep theirs; a practice brought in now starts from them, and its
    // setup checklist still asks its manager to check them.
    let res = app
        .post_json(
            "/api/v1/practices",
            &admin,
            &serde_json::json!({"name": "Willow Bank", "ods_code": "Z00081",
                "manager_name": "Pat Newman", "manager_email": "pat@nhs.net"})
            .to_string(),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: serde_json::Value = res.json().await.unwrap();
    let id: custodian_domain::PracticeId =
        created["practice"]["id"].as_str().unwrap().parse().unwrap();
    let new = app.store.settings(id).await.unwrap();
    assert_eq!(
        (new.risk_matrix.as_str(), new.session_idle_minutes),
        ("4x4", 10)
    );
    assert!(!app.store.setup_progress(id).await.unwrap().settings_saved);
    let old = app.store.settings(app.riverside.id).await.unwrap();
    assert_eq!(old.risk_matrix, "5x5");

    // The page names every bad value at once, and keeps what was typed.
    let page = app
        .get("/provider-defaults", Some(&admin))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Defaults for new practices"), "{page}");
    let res = app
        .post_form(
            "/provider-defaults",
            Some(&admin),
            &[
                ("password_min_length", "twelve"),
                ("session_idle_minutes", "15"),
                ("one_time_password_hours", "72"),
                ("lockout_minutes", "30"),
                ("administrator_cap", "3"),
                ("dormant_after_days", "90"),
                ("leaver_deactivation_hour", "24"),
                ("opening_time", "08:00"),
                ("closing_time", "07:00"),
                ("bulk_read_multiple", "5"),
                ("risk_matrix", "4x4"),
                ("risk_appetite", "medium"),
                ("quarter_start_month", "4"),
                ("digest_time", "07:00"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Enter a whole number"), "{page}");
    assert!(page.contains("must close after it opens"), "{page}");
    assert!(page.contains("value=\"twelve\""));
    // A practice's own settings page names every bad value the same way.
    let res = app
        .post_form(
            &format!("/practices/{}/settings", app.riverside.id),
            Some(&pm),
            &[
                ("password_min_length", "x"),
                ("opening_time", "9am"),
                ("closing_time", "17:00"),
            ],
        )
        .await;
    let page = res.text().await.unwrap();
    assert!(page.contains("Enter a whole number") && page.contains("opening time as HH:MM"));
}
