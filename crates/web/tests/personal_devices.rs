//! Personal devices as people use them: Sam declares his phone; he cannot decide on it himself,
//! nor can the practice manager decide on her own; the manager approves the need, checks the
//! phone (a failed item cannot be simply approved) and approves it with its risks for a year,
//! the failed item raised in the risk register;
//! eleven months on, Sam's home asks him to attest again; on his exit date the removal is a task.
//! SQLite always; PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use reqwest::StatusCode;

backend_tests!(
    a_phone_is_declared_its_need_approved_checked_and_attested_again_a_year_on,
    nobody_decides_on_their_own_device_and_bad_checks_are_named,
    a_checks_photo_is_kept_as_evidence_for_its_owner_and_management_only,
);

const PHONE: &str =
    r#"{"kind": "mobile", "make_model": "iPhone 14", "purpose": "Two-factor codes for NHSmail"}"#;

async fn declared(app: &TestApp, cookie: &str) -> String {
    let res = app
        .post_json(
            &format!("/api/v1/practices/{}/personal-devices", app.riverside.id),
            cookie,
            PHONE,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["status"], "declared");
    v["id"].as_str().unwrap().to_string()
}

fn mobile_answers(one_fails: bool) -> serde_json::Value {
    let mut a = serde_json::json!({
        "no_patient_photos": "pass", "pin_changed": "pass", "two_factor": "pass",
        "unused_apps_removed": "pass", "trusted_apps": "pass",
    });
    if one_fails {
        a["unused_apps_removed"] = "fail".into();
    }
    a
}

async fn a_phone_is_declared_its_need_approved_checked_and_attested_again_a_year_on(app: TestApp) {
    let river = app.riverside.id;
    let sam = app.sign_in("staylor").await;
    let pm = app.sign_in("rahmed").await;
    let id = declared(&app, &sam).await;
    let api = format!("/api/v1/practices/{river}/personal-devices/{id}");

    // Sam is no line manager; the manager sees it waiting on her home.
    let need =
        r#"{"approve": true, "no_practice_option": true, "reason": "Home visits need the codes"}"#;
    let res = app.post_json(&format!("{api}/need"), &sam, need).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let home = app
        .get(&format!("/practices/{river}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("1 personal device waiting for a decision on the business need"),
        "{home}"
    );

    let res = app.post_json(&format!("{api}/need"), &pm, need).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Decided once.
    let res = app.post_json(&format!("{api}/need"), &pm, need).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    let check = serde_json::json!({
        "answers": mobile_answers(true),
        "note": "Games and a second messaging app to remove",
        "outcome": "approved_with_risks",
    });
    let res = app
        .post_json(&format!("{api}/check"), &pm, &check.to_string())
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["status"], "approved_with_risks");
    let today = custodian_web::Clock::now(&*app.clock).date_naive();
    let year_on = today.checked_add_months(chrono::Months::new(12)).unwrap();
    assert_eq!(v["expires_on"], year_on.to_string());
    // Its failed item is a risk in the register, raised with the check.
    let risk = v["risk_id"].as_str().expect("a risk raised").to_string();
    let r: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/risks/{risk}"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    let title = r["title"].as_str().unwrap_or_default();
    assert!(title.contains("Sam Taylor's iPhone 14"), "{r}");

    // Eleven and a half months on, Sam's home asks him to attest again.
    let page = format!("/practices/{river}");
    let before = app.get(&page, Some(&sam)).await.text().await.unwrap();
    assert!(!before.contains("Attest again"));
    app.clock.advance(chrono::Duration::days(350));
    let sam = app.sign_in("staylor").await;
    let after = app.get(&page, Some(&sam)).await.text().await.unwrap();
    assert!(
        after.contains("Attest again that your iPhone 14 still meets the practice"),
        "{after}"
    );

    // On his exit date, the removal is a task for those who run the register.
    let sam_id = app.people["staylor"];
    let pm = app.sign_in("rahmed").await;
    let exit = (custodian_web::Clock::now(&*app.clock).date_naive() + chrono::Duration::days(3))
        .to_string();
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/people/{sam_id}/leaver"),
            &pm,
            &format!(r#"{{"exit_date": "{exit}", "reason": "Moving away"}}"#),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let home = app.get(&page, Some(&pm)).await.text().await.unwrap();
    assert!(
        home.contains("access from their iPhone 14 and confirm the work data on it is deleted"),
        "{home}"
    );
    // Confirmed, the task is gone.
    let res = app.post_json(&format!("{api}/withdraw"), &pm, "{}").await;
    assert_eq!(res.status(), StatusCode::OK);
    let home = app.get(&page, Some(&pm)).await.text().await.unwrap();
    assert!(!home.contains("access from their iPhone 14"));
}

async fn nobody_decides_on_their_own_device_and_bad_checks_are_named(app: TestApp) {
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let sam = app.sign_in("staylor").await;
    let base = format!("/api/v1/practices/{river}/personal-devices");
    let field = |v: &serde_json::Value| v["errors"][0]["field"].as_str().unwrap_or("").to_string();

    // Her own phone: refused, naming the decision.
    let own = declared(&app, &pm).await;
    let need = r#"{"approve": true, "no_practice_option": true, "reason": "On call"}"#;
    let res = app
        .post_json(&format!("{base}/{own}/need"), &pm, need)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&res.json().await.unwrap()), "approve");

    // A check before its need is decided is out of turn; a bad declaration names its fields.
    let id = declared(&app, &sam).await;
    let check = serde_json::json!({ "answers": mobile_answers(false), "outcome": "approved" });
    let res = app
        .post_json(&format!("{base}/{id}/check"), &pm, &check.to_string())
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = app
        .post_json(&base, &sam, r#"{"kind": "watch", "purpose": "x\u0007"}"#)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let res = app
        .post_json(
            &format!("{base}/{id}/need"),
            &pm,
            r#"{"approve": true, "reason": "Needed"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&res.json().await.unwrap()), "no_practice_option");
    let res = app.post_json(&format!("{base}/{id}/need"), &pm, need).await;
    assert_eq!(res.status(), StatusCode::OK);
    // A failed item cannot be simply approved; an outcome is needed; the laptop list is not a phone's.
    for (body, named) in [
        (
            serde_json::json!({ "answers": mobile_answers(true), "note": "Apps", "outcome": "approved" }),
            "outcome",
        ),
        (
            serde_json::json!({ "answers": mobile_answers(false) }),
            "outcome",
        ),
        (
            serde_json::json!({ "answers": { "encryption": "pass" }, "outcome": "approved" }),
            "no_patient_photos",
        ),
    ] {
        let res = app
            .post_json(&format!("{base}/{id}/check"), &pm, &body.to_string())
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(field(&res.json().await.unwrap()), named, "{body}");
    }
    // Nothing was written by the refusals: still waiting for its check.
    let v: serde_json::Value = app
        .get(&format!("{base}/{id}"), Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "need_approved");
    // Another practice's manager does not find it; Sam does not see others' devices.
    let karen = app.sign_in("kmills").await;
    let hill = app.hillside.id;
    let res = app
        .get(
            &format!("/api/v1/practices/{hill}/personal-devices/{id}"),
            Some(&karen),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.get(&format!("{base}/{own}"), Some(&sam)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let mine: serde_json::Value = app.get(&base, Some(&sam)).await.json().await.unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

/// The evidence of a check is retained: Sam attaches the screenshot of his phone's settings to
/// his declaration; the manager sees it; another practice's manager reaches neither.
async fn a_checks_photo_is_kept_as_evidence_for_its_owner_and_management_only(app: TestApp) {
    let river = app.riverside.id;
    let sam = app.sign_in("staylor").await;
    let pm = app.sign_in("rahmed").await;
    let id = declared(&app, &sam).await;
    let page = format!("/practices/{river}/devices/personal/{id}");
    let res = upload_named(&app, &format!("{page}/evidence"), &sam, "settings.png", PNG).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let html = app.get(&page, Some(&pm)).await.text().await.unwrap();
    assert!(html.contains("settings.png"), "{html}");
    // A web page renamed .png is refused, naming the file.
    let res = upload_named(
        &app,
        &format!("{page}/evidence"),
        &sam,
        "x.png",
        b"<html><script>",
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Another practice's manager cannot attach to it, through their practice or this one.
    let karen = app.sign_in("kmills").await;
    let hill = app.hillside.id;
    for path in [
        format!("/practices/{hill}/devices/personal/{id}/evidence"),
        format!("{page}/evidence"),
    ] {
        let res = upload_named(&app, &path, &karen, "mine.png", PNG).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let attached = app.events("evidence.attach").await;
    assert_eq!(attached.len(), 1);
}
