//! The information asset register over HTTP: who may change what, bad input named by field,
//! flows, access and history. SQLite always; PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use custodian_domain::PracticeRole;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};

backend_tests!(
    iaos_edit_their_own_assets_and_the_register_managers_edit_all,
    bad_assets_flows_and_access_are_named_and_nothing_is_written,
    the_asset_page_shows_flows_access_and_history
);

async fn setup(app: &mut TestApp) -> (String, String) {
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
        "oscar",
        "Oscar Owner",
        Some((
            &river,
            &[PracticeRole::Staff, PracticeRole::InformationAssetOwner],
        )),
        &[],
        false,
    )
    .await;
    (
        app.people["ivy"].to_string(),
        app.people["oscar"].to_string(),
    )
}

fn body(name: &str, iao: &str) -> String {
    format!(
        r#"{{"name": "{name}", "asset_type": "system", "format": "electronic", "volume_band": "under_1000", "iao_id": "{iao}"}}"#
    )
}

async fn iaos_edit_their_own_assets_and_the_register_managers_edit_all(mut app: TestApp) {
    let (ivy, oscar) = setup(&mut app).await;
    let river = app.riverside.id;
    let ivy_s = app.sign_in("ivy").await;
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets"),
            &ivy_s,
            &body("Appointments", &ivy),
        )
        .await;
    assert_eq!(res.status(), 201, "an IAO adds an asset they own");
    let mine: serde_json::Value = res.json().await.unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets"),
            &ivy_s,
            &body("Not mine", &oscar),
        )
        .await;
    assert_eq!(res.status(), 403, "but not one owned by someone else");
    let pm = app.sign_in("rahmed").await;
    let oscars: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets"),
            &pm,
            &body("CCTV", &oscar),
        )
        .await
        .json()
        .await
        .unwrap();
    let put = |cookie: &str, id: &str, b: String| {
        app.http
            .put(app.url(&format!("/api/v1/practices/{river}/assets/{id}")))
            .header(COOKIE, cookie)
            .header("origin", &app.url)
            .header("content-type", "application/json")
            .body(b)
            .send()
    };
    assert_eq!(
        put(
            &ivy_s,
            mine["id"].as_str().unwrap(),
            body("Appointment book", &ivy)
        )
        .await
        .unwrap()
        .status(),
        200
    );
    assert_eq!(
        put(
            &ivy_s,
            oscars["id"].as_str().unwrap(),
            body("CCTV (mine now)", &ivy)
        )
        .await
        .unwrap()
        .status(),
        403,
        "Ivy cannot edit Oscar's asset"
    );
    assert_eq!(
        put(
            &ivy_s,
            mine["id"].as_str().unwrap(),
            body("Appointment book", &oscar)
        )
        .await
        .unwrap()
        .status(),
        422,
        "nor give hers away"
    );
    assert_eq!(
        put(
            &pm,
            oscars["id"].as_str().unwrap(),
            body("CCTV recordings", &ivy)
        )
        .await
        .unwrap()
        .status(),
        200,
        "the practice manager can reassign"
    );
    let sam = app.sign_in("staylor").await;
    assert_eq!(
        app.get(&format!("/api/v1/practices/{river}/assets"), Some(&sam))
            .await
            .status(),
        403,
        "staff do not see the register"
    );
    let mine_list: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/assets?iao=me"),
            Some(&ivy_s),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine_list.as_array().unwrap().len(),
        2,
        "my assets: Ivy owns both now"
    );
}

async fn bad_assets_flows_and_access_are_named_and_nothing_is_written(mut app: TestApp) {
    let (ivy, _) = setup(&mut app).await;
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let sam = app.people["staylor"].to_string();
    for (b, field) in [
        (format!(r#"{{"name": "X", "asset_type": "system", "format": "electronic", "volume_band": "none", "iao_id": "{ivy}", "confidentiality": 7}}"#), "confidentiality"),
        (body("X", &sam), "iao_id"),
        (format!(r#"{{"name": "X", "asset_type": "system", "format": "electronic", "volume_band": "none", "iao_id": "{ivy}", "retain_until": "2001-01-01"}}"#), "retain_until"),
        (r#"{"name": "", "asset_type": "system", "format": "electronic", "volume_band": "none"}"#.to_string(), "name"),
    ] {
        let res = app.post_json(&format!("/api/v1/practices/{river}/assets"), &pm, &b).await;
        assert_eq!(res.status(), 422, "{b}");
        let p: serde_json::Value = res.json().await.unwrap();
        assert!(p["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field}: {p}");
    }
    let list: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/assets"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert!(list.as_array().unwrap().is_empty(), "nothing written");
    let a: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets"),
            &pm,
            &body("EMIS Web", &ivy),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = a["id"].as_str().unwrap();
    let res = app
        .post_json(&format!("/api/v1/practices/{river}/assets/{id}/flows"), &pm, &format!(r#"{{"to_asset_id": "{id}", "data": "x", "purpose": "y", "method": "api", "lifecycle_stage": "share"}}"#))
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("to itself"));
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets/{id}/access"),
            &pm,
            r#"{"level": "god"}"#,
        )
        .await;
    assert_eq!(res.status(), 422);
}

async fn the_asset_page_shows_flows_access_and_history(mut app: TestApp) {
    let (ivy, _) = setup(&mut app).await;
    let river = app.riverside.id;
    let ivy_s = app.sign_in("ivy").await;
    let res = app
        .post_form(
            &format!("/practices/{river}/assets"),
            Some(&ivy_s),
            &[
                ("name", "EMIS Web"),
                ("asset_type", "patient_records"),
                ("format", "electronic"),
                ("volume_band", "over_100000"),
                ("iao_id", &ivy),
                ("confidentiality", "5"),
                ("confidentiality_reason", "Whole GP record"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = res.headers()[LOCATION].to_str().unwrap().to_string();
    let res = app
        .post_form(
            &format!("{page}/flows"),
            Some(&ivy_s),
            &[
                ("to_party", "Hospital trust"),
                ("data", "Referrals"),
                ("purpose", "Secondary care"),
                ("method", "nhsmail"),
                ("lifecycle_stage", "share"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post_form(
            &format!("{page}/access"),
            Some(&ivy_s),
            &[
                ("role", "staff"),
                ("level", "read"),
                ("reason", "Reception books appointments"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = app.get(&page, Some(&ivy_s)).await.text().await.unwrap();
    assert!(
        html.contains("Hospital trust")
            && html.contains("Not encrypted in transit")
            && html.contains("No data-sharing agreement")
    );
    assert!(
        html.contains("Everyone with the role Staff")
            && html.contains("Reception books appointments")
    );
    assert!(
        html.contains("asset.create")
            && html.contains("asset_flow.create")
            && html.contains("asset_access.create"),
        "history"
    );
    let quality: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/assets-quality"),
            Some(&ivy_s),
        )
        .await
        .json()
        .await
        .unwrap();
    let problems: Vec<String> = quality
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["problem"].as_str().unwrap().to_string())
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("No integrity, availability rating"))
    );
    assert!(problems.iter().any(|p| p.contains("not encrypted")));
    // A name that a spreadsheet would run as a formula is neutralised in the export.
    let pm = app.sign_in("rahmed").await;
    app.post_json(
        &format!("/api/v1/practices/{river}/assets"),
        &pm,
        &body("=HYPERLINK(\\\"http://evil\\\")", &ivy),
    )
    .await;
    let csv = app
        .get(&format!("/practices/{river}/assets-export"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    // Exports: the register as CSV (formula-safe) and the ROPA.
    let csv = app
        .get(&format!("/practices/{river}/assets-export"), Some(&ivy_s))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("name,description,asset_type"));
    assert!(csv.contains("EMIS Web") && csv.contains(",ivy,"));
    let ropa: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/ropa"), Some(&ivy_s))
        .await
        .json()
        .await
        .unwrap();
    let emis = ropa
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "EMIS Web")
        .expect("EMIS Web is in the ROPA");
    assert_eq!(emis["recipients"], "Hospital trust");
    assert_eq!(emis["purposes"], "Secondary care");
    let html = app
        .get(&format!("/practices/{river}/ropa"), Some(&ivy_s))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Record of processing activities") && html.contains("Hospital trust"));
    let bad = app
        .post_form(
            &format!("{page}/flows"),
            Some(&ivy_s),
            &[("data", "Referrals")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Choose where the data goes") && html.contains("href=\"#to_asset_id\""));
}
