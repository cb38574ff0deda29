//! The information risk register over HTTP: scores computed on the practice's matrix, bad input
//! named by field with nothing written, the SIRO above the appetite, actions and reviews, and
//! who may change what. SQLite always; PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use custodian_domain::PracticeRole;
use reqwest::StatusCode;

backend_tests!(
    risks_are_scored_on_the_practice_matrix_and_bad_input_changes_nothing,
    only_the_siro_accepts_above_the_appetite_and_reviews_say_why,
    risk_owners_edit_their_own_risks_and_actions_keep_to_the_plan,
    a_risk_register_exports_and_a_spreadsheet_imports_after_a_check
);

async fn setup(app: &mut TestApp) {
    let river = app.riverside.clone();
    app.person(
        "ivy",
        "Ivy Owner",
        Some((
            &river,
            &[PracticeRole::Staff, PracticeRole::InformationAssetOwner],
        )),
        &[],
        false,
    )
    .await;
    app.person(
        "siro",
        "Sid Siro",
        Some((&river, &[PracticeRole::Staff, PracticeRole::Siro])),
        &[],
        false,
    )
    .await;
}

fn risk_body(title: &str, owner: &str, residual: (u8, u8)) -> String {
    format!(
        r#"{{"title": "{title}", "threat": "A phishing email harvests a password", "vulnerability": "No two-factor authentication",
            "category": "people", "confidentiality": true, "confidentiality_reason": "Records read by an outsider",
            "owner_id": "{owner}", "inherent_likelihood": 4, "inherent_impact": 4,
            "residual_likelihood": {}, "residual_impact": {}, "treatment": "reduce", "controls": "Training"}}"#,
        residual.0, residual.1
    )
}

async fn count(app: &TestApp, cookie: &str) -> usize {
    let list: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{}/risks", app.riverside.id),
            Some(cookie),
        )
        .await
        .json()
        .await
        .unwrap();
    list["items"].as_array().unwrap().len()
}

async fn risks_are_scored_on_the_practice_matrix_and_bad_input_changes_nothing(mut app: TestApp) {
    setup(&mut app).await;
    let river = app.riverside.id;
    let ivy = app.people["ivy"].to_string();
    let pm = app.sign_in("rahmed").await;

    // From the library in one step: scored, numbered, owned by whoever added it.
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-library/ransomware"),
            &pm,
            "",
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let r: serde_json::Value = res.json().await.unwrap();
    assert_eq!(r["reference"], "RSK-0001");
    assert_eq!(r["inherent_score"], 15, "3 × 5 on the 5 × 5 matrix");
    assert_eq!(r["owner_name"], "Rukhsana Ahmed");

    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks"),
            &pm,
            &risk_body("Phishing", &ivy, (3, 4)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let r: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (r["inherent_score"].as_i64(), r["residual_score"].as_i64()),
        (Some(16), Some(12))
    );

    // Bad input: each named by field, nothing written.
    let zero = risk_body("Zero", &ivy, (3, 4))
        .replace("\"inherent_likelihood\": 4", "\"inherent_likelihood\": 0");
    let res = app
        .post_json(&format!("/api/v1/practices/{river}/risks"), &pm, &zero)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("inherent_likelihood")
            && text.contains("from 1 (Rare) to 5 (Almost certain)"),
        "{text}"
    );
    let karen = app.people["kmills"].to_string();
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks"),
            &pm,
            &risk_body("Stranger", &karen, (3, 4)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("owner_id"));
    let higher = risk_body("Worse", &ivy, (5, 5));
    let res = app
        .post_json(&format!("/api/v1/practices/{river}/risks"), &pm, &higher)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("cannot be higher than the inherent score")
    );
    assert_eq!(count(&app, &pm).await, 2);

    // On a 4 × 4 matrix a 5 is off the scale.
    let mut s = app.store.settings(river).await.unwrap();
    s.risk_matrix = "4x4".into();
    app.store
        .set_settings(river, &s, &custodian_store::AuditMeta::cli())
        .await
        .unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks"),
            &pm,
            &risk_body("Big", &ivy, (3, 5)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("from 1 (Minor) to 4 (Severe)")
    );
    assert_eq!(count(&app, &pm).await, 2);

    // The register page: the heat map and both risks; the form names a bad field.
    let page = app
        .get(&format!("/practices/{river}/risks"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<svg") && page.contains("Heat map of current residual risks"));
    assert!(
        page.contains("RSK-0001 Ransomware encrypts practice systems")
            && page.contains("RSK-0002 Phishing")
    );
    let res = app
        .post_form(
            &format!("/practices/{river}/risks"),
            Some(&pm),
            &[
                ("title", "Fire"),
                ("category", "physical"),
                ("inherent_likelihood", "0"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Enter the threat: what could happen"),
        "{page}"
    );
    assert!(
        page.contains("href=\"#inherent_likelihood\""),
        "the summary links to the field"
    );
    assert_eq!(count(&app, &pm).await, 2);
}

async fn only_the_siro_accepts_above_the_appetite_and_reviews_say_why(mut app: TestApp) {
    setup(&mut app).await;
    let river = app.riverside.id;
    let ivy = app.people["ivy"].to_string();
    let pm = app.sign_in("rahmed").await;
    let r: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks"),
            &pm,
            &risk_body("Phishing", &ivy, (3, 4)),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = r["id"].as_str().unwrap().to_string();
    let until = (chrono::Utc::now().date_naive() + chrono::Duration::days(90)).to_string();
    let accept = format!(
        r#"{{"reason": "Two-factor arrives with the new system in spring", "expires_on": "{until}"}}"#
    );

    // High is above the default appetite (medium): the practice manager cannot accept it.
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks/{id}/accept"),
            &pm,
            &accept,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("only the SIRO can accept it")
    );
    // And the page offers her no form she cannot submit: it says who can accept it.
    let page = app
        .get(&format!("/practices/{river}/risks/{id}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Accept the risk</button>"), "{page}");
    assert!(page.contains("Treat it further, or ask the SIRO"));
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks/{id}/accept"),
            &pm,
            r#"{"reason": "x"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Nor can anyone set the status by editing the risk.
    let edit = risk_body("Phishing", &ivy, (3, 4))
        .replace("\"treatment\"", "\"status\": \"accepted\", \"treatment\"");
    let res = app
        .put_json(&format!("/api/v1/practices/{river}/risks/{id}"), &pm, &edit)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("acceptance form"));
    let detail: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/risks/{id}"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["status"], "open");
    assert_eq!(detail["band"], "high");

    let siro = app.sign_in("siro").await;
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks/{id}/accept"),
            &siro,
            &accept,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let x: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (x["above_appetite"].as_bool(), x["band"].as_str()),
        (Some(true), Some("high"))
    );
    let detail: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/risks/{id}"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["status"], "accepted");
    assert_eq!(
        detail["next_review_on"],
        until.as_str(),
        "back for review when the acceptance ends"
    );

    // A review that changes the scores must say why; then the risk takes the new scores.
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks/{id}/review"),
            &pm,
            r#"{"residual_likelihood": 2, "residual_impact": 4}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Say why the scores changed")
    );
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks/{id}/review"),
            &pm,
            r#"{"residual_likelihood": 2, "residual_impact": 4, "notes": "Phishing simulation: click rate halved"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let detail: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/risks/{id}"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["residual_score"], 8);
    assert_eq!(detail["reviews"].as_array().unwrap().len(), 1);
    let page = app
        .get(&format!("/practices/{river}/risks/{id}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("accepted the risk") && page.contains("reviewed the risk"),
        "the history shows them"
    );
    assert!(
        page.contains("above the practice&#x27;s appetite (SIRO sign-off)")
            || page.contains("above the practice's appetite (SIRO sign-off)"),
        "{page}"
    );
}

async fn risk_owners_edit_their_own_risks_and_actions_keep_to_the_plan(mut app: TestApp) {
    setup(&mut app).await;
    let river = app.riverside.id;
    let ivy = app.people["ivy"].to_string();
    let sam = app.people["staylor"].to_string();
    let pm = app.sign_in("rahmed").await;
    let mine: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks"),
            &pm,
            &risk_body("Ivy's", &ivy, (3, 4)),
        )
        .await
        .json()
        .await
        .unwrap();
    let mine = mine["id"].as_str().unwrap().to_string();
    let rahmed = app.people["rahmed"].to_string();
    let theirs: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks"),
            &pm,
            &risk_body("Not Ivy's", &rahmed, (3, 4)),
        )
        .await
        .json()
        .await
        .unwrap();
    let theirs = theirs["id"].as_str().unwrap().to_string();

    let ivy_s = app.sign_in("ivy").await;
    let res = app
        .put_json(
            &format!("/api/v1/practices/{river}/risks/{mine}"),
            &ivy_s,
            &risk_body("Ivy's, reworded", &ivy, (3, 3)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .put_json(
            &format!("/api/v1/practices/{river}/risks/{theirs}"),
            &ivy_s,
            &risk_body("Taken over", &ivy, (3, 3)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // An owner cannot hand the risk to someone else; the register managers can.
    let res = app
        .put_json(
            &format!("/api/v1/practices/{river}/risks/{mine}"),
            &ivy_s,
            &risk_body("Ivy's", &sam, (3, 3)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Actions: not due before the risk was raised; overdue ones are listed on the register.
    let raised = chrono::Utc::now().date_naive();
    let before = (raised - chrono::Duration::days(1)).to_string();
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks/{mine}/actions"),
            &ivy_s,
            &format!(r#"{{"description": "Turn on two-factor", "owner_id": "{ivy}", "due_on": "{before}"}}"#),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("cannot be due before the risk was raised")
    );
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks/{mine}/actions"),
            &ivy_s,
            &format!(r#"{{"description": "Turn on two-factor", "owner_id": "{ivy}", "due_on": "{raised}"}}"#),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let action: serde_json::Value = res.json().await.unwrap();
    app.clock.advance(chrono::Duration::days(3));
    // Three days on, both sign in again.
    let pm = app.sign_in("rahmed").await;
    let ivy_s = app.sign_in("ivy").await;
    let page = app
        .get(&format!("/practices/{river}/risks"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Overdue actions") && page.contains("Turn on two-factor"),
        "{page}"
    );
    let res = app
        .put_json(
            &format!(
                "/api/v1/practices/{river}/risks/{mine}/actions/{}",
                action["id"].as_str().unwrap()
            ),
            &ivy_s,
            r#"{"status": "done"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let done: serde_json::Value = res.json().await.unwrap();
    assert!(done["done_at"].is_string());
    let page = app
        .get(&format!("/practices/{river}/risks"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Overdue actions"));
}

async fn a_risk_register_exports_and_a_spreadsheet_imports_after_a_check(mut app: TestApp) {
    setup(&mut app).await;
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    for key in ["phishing", "ransomware"] {
        app.post_json(
            &format!("/api/v1/practices/{river}/risk-library/{key}"),
            &pm,
            "",
        )
        .await;
    }
    let csv = app
        .get(&format!("/practices/{river}/risks-export"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("reference,title,description,threat"),
        "{csv}"
    );
    assert!(
        csv.contains("RSK-0002,Phishing email leads to a stolen password")
            || csv.contains("RSK-0001,Phishing email leads to a stolen password"),
        "{csv}"
    );
    assert_eq!(app.events("risk.export").await.len(), 1);
    // The download reads back in: every row is already in the register.
    let res = app
        .post_csv(
            &format!("/api/v1/practices/{river}/risks-import?dry_run=true"),
            &pm,
            csv,
        )
        .await;
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (
            report["rows"].as_u64(),
            report["rows_with_problems"].as_u64()
        ),
        (Some(2), Some(2)),
        "{report}"
    );
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already in the register")
    );

    // A spreadsheet with a good row and a bad one: checked, then the valid row imported.
    let file = "title,threat,vulnerability,category,confidentiality,confidentiality_reason,owner_username,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment\n\
                Fire in the records room,Fire destroys paper notes,No fire door,physical,yes,Notes lost,ivy,1,5,1,5,accept\n\
                Flood,Water in the basement,Server on the floor,physical,yes,Down,ivy,0,4,1,4,reduce\n";
    let res = upload(
        &app,
        &format!("/practices/{river}/risks-import"),
        &pm,
        file.as_bytes(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let check = res.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let page = app.get(&check, Some(&pm)).await.text().await.unwrap();
    assert!(
        page.contains("<td>3</td><td><code>inherent_likelihood</code></td>"),
        "{page}"
    );
    assert!(page.contains("Import the 1 valid row only"));
    let res = app
        .post_form(
            &check,
            Some(&pm),
            &[("decision", "valid_rows"), ("valid", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.get(&check, Some(&pm)).await.text().await.unwrap();
    assert!(page.contains("Imported</dt><dd>1 risk on"), "{page}");
    let list: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/risks"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    let fire = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"] == "Fire in the records room")
        .expect("imported");
    assert_eq!(fire["reference"], "RSK-0003");
    assert_eq!(fire["owner_name"], "Ivy Owner");
    assert_eq!(app.events("risk.import").await.len(), 1);

    // Every row or nothing: one bad row and nothing is written, the row and column named.
    let res = app
        .post_csv(
            &format!("/api/v1/practices/{river}/risks-import"),
            &pm,
            file.replace("Fire in the records room", "Lightning"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text().await.unwrap();
    assert!(text.contains("row 3: inherent_likelihood"), "{text}");
    assert_eq!(count(&app, &pm).await, 3);
    // An IAO without the register manager's permission cannot import.
    let ivy = app.sign_in("ivy").await;
    assert_eq!(
        app.get(&format!("/practices/{river}/risks-import"), Some(&ivy))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}
