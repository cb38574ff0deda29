//! The information asset register over HTTP: who may change what, bad input named by field,
//! flows, access and history. SQLite always; PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use custodian_domain::PracticeRole;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};

backend_tests!(
    a_part_of_one_asset_is_never_removed_through_another,
    iaos_edit_their_own_assets_and_the_register_managers_edit_all,
    bad_assets_flows_and_access_are_named_and_nothing_is_written,
    the_asset_page_shows_flows_access_and_history,
    a_spreadsheet_register_is_checked_then_imported_as_the_manager_chooses,
    the_import_api_names_each_bad_row_and_refuses_hostile_files,
    a_system_asset_shows_who_holds_a_login_and_flags_those_the_register_does_not_explain
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
        mine_list["items"].as_array().unwrap().len(),
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
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing written"
    );
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
        html.contains("added the asset")
            && html.contains("added a data flow from")
            && html.contains("gave access to"),
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
    let problems: Vec<String> = quality["items"]
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
    let emis = ropa["items"]
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

const IMPORT_HEAD: &str = "name,asset_type,format,volume_band,iao_username,confidentiality,confidentiality_reason,description\n";

async fn asset_names(app: &TestApp, cookie: &str) -> Vec<String> {
    // The whole register, a page at a time, as a client reads it.
    let mut names: Vec<String> = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: serde_json::Value = app
            .get(
                &format!(
                    "/api/v1/practices/{}/assets?limit=200&cursor={cursor}",
                    app.riverside.id
                ),
                Some(cookie),
            )
            .await
            .json()
            .await
            .unwrap();
        names.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    names.sort();
    names
}

async fn a_spreadsheet_register_is_checked_then_imported_as_the_manager_chooses(mut app: TestApp) {
    setup(&mut app).await;
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let page = app
        .get(&format!("/practices/{river}/assets-import"), Some(&pm))
        .await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("iao_username"));
    let template = app
        .get(
            &format!("/practices/{river}/assets-import/template"),
            Some(&pm),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(template.starts_with("name,description,asset_type"));

    let file = format!(
        "{IMPORT_HEAD}Docman,system,electronic,over_100000,ivy,4,Clinical letters,\n\
         Paper notes,Paper store,paper,Under 1000,oscar,7,Old notes,\n\
         Shared drive,shared_drive,electronic,none,IVY,,,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"\n"
    );
    let res = upload(
        &app,
        &format!("/practices/{river}/assets-import"),
        &pm,
        file.as_bytes(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let check = res.headers()[LOCATION].to_str().unwrap().to_string();
    let page = app.get(&check, Some(&pm)).await.text().await.unwrap();
    assert!(page.contains("Rows with problems</dt><dd>1"), "{page}");
    assert!(page.contains("<td>3</td><td><code>confidentiality</code></td><td>Rate confidentiality from 1 (low) to 5 (high)"), "{page}");
    assert!(page.contains("Import the 2 valid rows only"));
    assert!(
        asset_names(&app, &pm).await.is_empty(),
        "nothing written before the choice"
    );
    assert_eq!(app.events("asset.import_upload").await.len(), 1);

    // "Every row or nothing" is refused while a row is wrong; nothing is written.
    let res = app
        .post_form(&check, Some(&pm), &[("decision", "all"), ("valid", "2")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("1 of the 3 rows have problems, so nothing was imported")
    );
    assert!(asset_names(&app, &pm).await.is_empty());

    // The valid rows only.
    let res = app
        .post_form(
            &check,
            Some(&pm),
            &[("decision", "valid_rows"), ("valid", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(asset_names(&app, &pm).await, ["Docman", "Shared drive"]);
    let page = app.get(&check, Some(&pm)).await.text().await.unwrap();
    assert!(page.contains("Imported</dt><dd>2 assets"), "{page}");
    let import = app.events("asset.import").await;
    assert_eq!(import.len(), 1);
    assert_eq!(import[0].event.details["rows_left_out"], 1);
    // A second submit (a double click, the back button) writes nothing more.
    let res = app
        .post_form(
            &check,
            Some(&pm),
            &[("decision", "valid_rows"), ("valid", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(asset_names(&app, &pm).await.len(), 2);

    // The corrected file again: the rows already imported are named, not added twice.
    let fixed = file.replace(",7,", ",3,");
    let res = upload(
        &app,
        &format!("/practices/{river}/assets-import"),
        &pm,
        fixed.as_bytes(),
    )
    .await;
    let check = res.headers()[LOCATION].to_str().unwrap().to_string();
    let page = app.get(&check, Some(&pm)).await.text().await.unwrap();
    assert!(
        page.contains("An asset called “Docman” is already in the register"),
        "{page}"
    );
    let res = app
        .post_form(
            &check,
            Some(&pm),
            &[("decision", "valid_rows"), ("valid", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        asset_names(&app, &pm).await,
        ["Docman", "Paper notes", "Shared drive"]
    );

    // The formula is kept as text and neutralised in the export; the export reads back in.
    let csv = app
        .get(&format!("/practices/{river}/assets-export"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    let res = app
        .post_csv(
            &format!("/api/v1/practices/{river}/assets-import?dry_run=true"),
            &pm,
            csv,
        )
        .await;
    assert_eq!(res.status(), 200);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(report["rows"], 3);
    assert_eq!(
        report["rows_with_problems"], 3,
        "each is already there: {report}"
    );

    // A file that is not a register, and no file at all, are named on the upload page.
    let res = upload(
        &app,
        &format!("/practices/{river}/assets-import"),
        &pm,
        b"Asset name,Owner\nx,y\n",
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("column 1 “Asset name” is not a register column"),
        "{page}"
    );
    let res = upload(&app, &format!("/practices/{river}/assets-import"), &pm, b"").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A file over the limit is read to its end and refused on the form, naming the limit.
    let res = upload(
        &app,
        &format!("/practices/{river}/assets-import"),
        &pm,
        &vec![b'x'; 12 * 1024 * 1024],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().await.unwrap().contains("larger than 10 MB"),
        "the form names the limit"
    );

    // Discarding drops the file; an IAO who is not a register manager cannot import.
    let res = upload(
        &app,
        &format!("/practices/{river}/assets-import"),
        &pm,
        fixed.as_bytes(),
    )
    .await;
    let check = res.headers()[LOCATION].to_str().unwrap().to_string();
    app.post_form(&check, Some(&pm), &[("decision", "discard")])
        .await;
    assert!(
        app.get(&check, Some(&pm))
            .await
            .text()
            .await
            .unwrap()
            .contains("Discarded")
    );
    let ivy = app.sign_in("ivy").await;
    assert_eq!(
        app.get(&check, Some(&ivy)).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = upload(
        &app,
        &format!("/practices/{river}/assets-import"),
        &ivy,
        fixed.as_bytes(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn the_import_api_names_each_bad_row_and_refuses_hostile_files(mut app: TestApp) {
    setup(&mut app).await;
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let send = |query: &str, body: Vec<u8>| {
        let path = format!("/api/v1/practices/{river}/assets-import{query}");
        let (app, pm) = (&app, &pm);
        async move { Ok::<_, std::convert::Infallible>(app.post_csv(&path, pm, body).await) }
    };
    // 10,000 rows with one bad one: the error names its row and field; nothing is written.
    let mut file = String::from(IMPORT_HEAD);
    for i in 0..10_000 {
        let rating = if i == 7_321 { "9" } else { "3" };
        file.push_str(&format!(
            "Asset {i},system,electronic,under_1000,ivy,{rating},Some reason,\n"
        ));
    }
    let res = send("", file.clone().into_bytes()).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = res.json().await.unwrap();
    let errors = problem["errors"].as_array().unwrap();
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("1 of the 10000 rows have problems"),
        "{problem}"
    );
    assert_eq!(errors[1]["field"], "row 7323: confidentiality", "{problem}");
    assert!(asset_names(&app, &pm).await.is_empty());

    // The valid rows only, on request.
    let res = send("?mode=valid_rows", file.into_bytes()).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (
            report["written"].as_u64(),
            report["rows_with_problems"].as_u64()
        ),
        (Some(9_999), Some(1))
    );
    assert_eq!(report["errors"][0]["row"], 7_323);

    // Hostile files: wrong columns, too big, not UTF-8, nothing in it.
    let res = send(
        "",
        b"name,asset_type,format,volume_band,iao_username,owner\n".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("column 6 \\u201cowner\\u201d is not a register column")
            || text.contains("column 6 “owner” is not a register column"),
        "{text}"
    );
    let res = send("", vec![b'x'; 11 * 1024 * 1024]).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The server read the whole upload before refusing it, so the connection stays usable (the
    // next request below goes over it).
    assert!(res.headers().get("connection").is_none());
    assert!(res.text().await.unwrap().contains("larger than 10 MB"));
    let latin1 = [
        IMPORT_HEAD.as_bytes(),
        b"Caf\xe9,system,electronic,none,ivy,,,\n",
    ]
    .concat();
    let res = send("?dry_run=true", latin1).await.unwrap();
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(report["errors"][0]["column"], "name");
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
    let res = send("", Vec::new()).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The same register count as before the hostile files.
    assert_eq!(asset_names(&app, &pm).await.len(), 9_999);
}

async fn a_system_asset_shows_who_holds_a_login_and_flags_those_the_register_does_not_explain(
    mut app: TestApp,
) {
    let (ivy, _) = setup(&mut app).await;
    let river = app.riverside.clone();
    app.person(
        "dpl",
        "Dee Lead",
        Some((
            &river,
            &[PracticeRole::Staff, PracticeRole::DataProtectionLead],
        )),
        &[],
        false,
    )
    .await;
    let river = river.id;
    let pm = app.sign_in("rahmed").await;
    let dpl = app.sign_in("dpl").await;
    let emis: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/systems"),
            &pm,
            r#"{"name": "EMIS Web"}"#,
        )
        .await
        .json()
        .await
        .unwrap();
    let emis = emis["id"].as_str().unwrap().to_string();
    // A starter who needs an EMIS login, approved: the login is theirs from then on.
    use custodian_web::Clock;
    let today = custodian_domain::identity::london_today(app.clock.now()).to_string();
    let req: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/requests"),
            &pm,
            &format!(r#"{{"full_name": "Nia Starter", "username": "n.starter", "job_title": "Receptionist", "start_date": "{today}", "systems": ["{emis}"]}}"#),
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .post_json(
            &format!(
                "/api/v1/practices/{river}/requests/{}/approve",
                req["id"].as_str().unwrap()
            ),
            &dpl,
            r#"{"reason": "Offer accepted"}"#,
        )
        .await;
    assert_eq!(res.status(), 200);

    // An asset naming a system of another practice, or none, is refused.
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets"),
            &pm,
            &format!(r#"{{"name": "EMIS Web", "asset_type": "patient_records", "format": "electronic", "volume_band": "over_100000", "iao_id": "{ivy}", "system_id": "{}"}}"#, uuid::Uuid::now_v7()),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("system_id"));
    let asset: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets"),
            &pm,
            &format!(r#"{{"name": "EMIS Web", "asset_type": "patient_records", "format": "electronic", "volume_band": "over_100000", "iao_id": "{ivy}", "system_id": "{emis}"}}"#),
        )
        .await
        .json()
        .await
        .unwrap();
    let asset = asset["id"].as_str().unwrap().to_string();

    // The login holder is shown, and flagged until an access entry says why.
    let page = app
        .get(&format!("/practices/{river}/assets/{asset}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Logins to EMIS Web"), "{page}");
    assert!(
        page.contains(
            "<td>Nia Starter</td><td><span class=\"tag tag-warning\">No access entry says why"
        ),
        "{page}"
    );
    let gaps = app
        .get(
            &format!("/api/v1/practices/{river}/assets-quality"),
            Some(&pm),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        gaps.contains("1 person holds a login with no access entry saying why"),
        "{gaps}"
    );
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets/{asset}/access"),
            &pm,
            r#"{"role": "staff", "level": "write", "reason": "Reception books appointments and files letters"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let page = app
        .get(&format!("/practices/{river}/assets/{asset}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<td>Nia Starter</td><td>Yes</td>"), "{page}");
    let gaps = app
        .get(
            &format!("/api/v1/practices/{river}/assets-quality"),
            Some(&pm),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(!gaps.contains("holds a login"), "{gaps}");
    // The export names the system, so the file imports into the same link.
    let csv = app
        .get(&format!("/practices/{river}/assets-export"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",system"));
    assert!(csv.lines().nth(1).unwrap().ends_with(",EMIS Web"), "{csv}");
}

async fn a_part_of_one_asset_is_never_removed_through_another(mut app: TestApp) {
    // Ivy owns one asset and Oscar another. Ivy may edit hers, so she may remove its flows and
    // access entries; naming Oscar's flow or entry under her asset's address finds nothing.
    let (ivy, oscar) = setup(&mut app).await;
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let create = |name: &'static str, iao: String| {
        let pm = pm.clone();
        let app = &app;
        async move {
            let a: serde_json::Value = app
                .post_json(
                    &format!("/api/v1/practices/{river}/assets"),
                    &pm,
                    &body(name, &iao),
                )
                .await
                .json()
                .await
                .unwrap();
            a["id"].as_str().unwrap().to_string()
        }
    };
    let mine = create("Appointments", ivy.clone()).await;
    let theirs = create("CCTV", oscar.clone()).await;
    let flow: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets/{theirs}/flows"),
            &pm,
            r#"{"to_party": "Police", "data": "Footage", "purpose": "Evidence", "method": "nhsmail", "lifecycle_stage": "share"}"#,
        )
        .await
        .json()
        .await
        .unwrap();
    let entry: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/assets/{theirs}/access"),
            &pm,
            r#"{"role": "practice_manager", "level": "read", "reason": "Reviews incidents"}"#,
        )
        .await
        .json()
        .await
        .unwrap();
    let ivy_s = app.sign_in("ivy").await;
    for part in [
        format!("flows/{}", flow["id"].as_str().unwrap()),
        format!("access/{}", entry["id"].as_str().unwrap()),
    ] {
        let res = app
            .call(
                &reqwest::Method::DELETE,
                &format!("/api/v1/practices/{river}/assets/{mine}/{part}"),
                Some(&ivy_s),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{part}");
    }
    let detail: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/assets/{theirs}"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["flows"].as_array().unwrap().len(), 1, "{detail}");
    assert_eq!(detail["access"].as_array().unwrap().len(), 1, "{detail}");
}
