//! Evidence files as people use them on an incident: the reporter attaches a scan from the
//! incident's page, the handler one through the API; every download is an attachment and an
//! audited read; refused kinds and sizes are named and keep nothing; another practice's file
//! is not found; a removed file keeps its reason, the DPO brings it back, and the retention
//! deletes it for good. SQLite always; PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use reqwest::StatusCode;

backend_tests!(
    files_are_attached_from_the_page_and_the_api_and_each_download_is_recorded,
    refused_kinds_and_sizes_are_named_and_nothing_is_kept,
    another_practices_files_and_incidents_are_not_found,
    a_removed_file_keeps_its_reason_until_the_dpo_restores_it_or_the_retention_passes,
    a_file_of_several_parts_downloads_whole_with_its_length,
);

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

/// Sam (reception) reports an incident through the API; its id.
async fn reported(app: &TestApp) -> String {
    let v = report_incident(app, "staylor").await;
    v["id"].as_str().unwrap().to_string()
}

/// Posts `bytes` through the API as `filename`.
async fn api_attach(
    app: &TestApp,
    cookie: &str,
    incident: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    app.http
        .post(app.url(&format!(
            "/api/v1/practices/{}/incidents/{incident}/evidence?filename={filename}",
            app.riverside.id
        )))
        .header("cookie", cookie)
        .header("origin", app.url(""))
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn files(app: &TestApp, cookie: &str, incident: &str) -> Vec<serde_json::Value> {
    let res = app
        .get(
            &format!(
                "/api/v1/practices/{}/incidents/{incident}/evidence",
                app.riverside.id
            ),
            Some(cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = res.json().await.unwrap();
    v["items"].as_array().unwrap().clone()
}

async fn files_are_attached_from_the_page_and_the_api_and_each_download_is_recorded(app: TestApp) {
    let river = app.riverside.id;
    let incident = reported(&app).await;
    let sam = app.sign_in("staylor").await;
    let page = format!("/practices/{river}/incidents/{incident}");

    // The reporter attaches the scan of the letter from the incident's page.
    let res = upload_named(
        &app,
        &format!("{page}/evidence"),
        &sam,
        "C:\\Scans\\Letter to Mrs Jones.pdf",
        PDF,
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = app.get(&page, Some(&sam)).await.text().await.unwrap();
    assert!(
        html.contains("Letter to Mrs Jones.pdf"),
        "listed by its name"
    );
    assert!(html.contains("PDF document"));

    // The practice manager adds a photo through the API.
    let rukhsana = app.sign_in("rahmed").await;
    let res = api_attach(&app, &rukhsana, &incident, "envelope.png", PNG.to_vec()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let png: serde_json::Value = res.json().await.unwrap();
    assert_eq!(png["kind"], "png");
    assert_eq!(png["size"], PNG.len());
    assert_eq!(
        png["sha256"],
        custodian_domain::evidence::address(PNG),
        "addressed by its SHA-256"
    );
    let listed = files(&app, &sam, &incident).await;
    assert_eq!(listed.len(), 2);
    let pdf_id = listed[0]["id"].as_str().unwrap().to_string();

    // Each download is an attachment, never rendered, and a recorded read.
    for (path, who) in [
        (
            format!("/practices/{river}/evidence/{pdf_id}/download"),
            &sam,
        ),
        (
            format!("/api/v1/practices/{river}/evidence/{pdf_id}/content"),
            &rukhsana,
        ),
    ] {
        let res = app.get(&path, Some(who)).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let h = res.headers().clone();
        assert_eq!(h["content-type"], "application/pdf");
        assert_eq!(h["x-content-type-options"], "nosniff");
        let disposition = h["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(
            disposition.contains("filename*=UTF-8''Letter%20to%20Mrs%20Jones.pdf"),
            "{disposition}"
        );
        assert_eq!(&res.bytes().await.unwrap()[..], PDF);
    }
    let downloads = app.events("evidence.download").await;
    assert_eq!(downloads.len(), 2, "one audited read per download");
    assert!(
        downloads
            .iter()
            .all(|e| e.event.object_id.as_deref() == Some(pdf_id.as_str()))
    );
    assert_eq!(app.events("evidence.attach").await.len(), 2);
}

async fn refused_kinds_and_sizes_are_named_and_nothing_is_kept(app: TestApp) {
    let river = app.riverside.id;
    let incident = reported(&app).await;
    let sam = app.sign_in("staylor").await;
    let page = format!("/practices/{river}/incidents/{incident}/evidence");

    // A web page renamed .pdf: refused on the form, naming what it is.
    let html_page = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
    let res = upload_named(&app, &page, &sam, "report.pdf", html_page).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("named as a PDF document but its content is a web page (HTML)"),
        "the refusal names the problem"
    );

    // Through the API: a program, a name that lies about a PNG, an empty file.
    for (name, bytes, says) in [
        ("setup.exe", b"MZ\x90\0\x03".to_vec(), "none of these"),
        ("photo.png", PDF.to_vec(), "its content is PDF document"),
        ("empty.txt", vec![], "The file is empty"),
    ] {
        let res = api_attach(&app, &sam, &incident, name, bytes).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let problem: serde_json::Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "file", "{name}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{name}: {message}");
    }

    // Over the 20 MB limit, by the API and by the form: named, with the limit.
    let limit = custodian_domain::evidence::megabytes(20);
    let mut big = PDF.to_vec();
    big.resize(limit + 1, b' ');
    let res = api_attach(&app, &sam, &incident, "big.pdf", big.clone()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 20 MB")
    );
    let res = upload_named(&app, &page, &sam, "big.pdf", &big).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("larger than 20 MB"));
    // Exactly at the limit is kept.
    big.truncate(limit);
    let res = api_attach(&app, &sam, &incident, "just-fits.pdf", big).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let kept = files(&app, &sam, &incident).await;
    assert_eq!(kept.len(), 1, "only the file within the rules");
    assert_eq!(app.events("evidence.attach").await.len(), 1);
}

async fn another_practices_files_and_incidents_are_not_found(app: TestApp) {
    let (river, hill) = (app.riverside.id, app.hillside.id);
    let incident = reported(&app).await;
    let sam = app.sign_in("staylor").await;
    let res = api_attach(&app, &sam, &incident, "scan.pdf", PDF.to_vec()).await;
    let id = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Hillside's practice manager, through their own practice and through Riverside's.
    let karen = app.sign_in("kmills").await;
    for path in [
        format!("/practices/{hill}/evidence/{id}/download"),
        format!("/api/v1/practices/{hill}/evidence/{id}/content"),
        format!("/api/v1/practices/{hill}/evidence/{id}"),
        format!("/api/v1/practices/{hill}/incidents/{incident}/evidence"),
        format!("/practices/{river}/evidence/{id}/download"),
    ] {
        let res = app.get(&path, Some(&karen)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = upload_named(
        &app,
        &format!("/practices/{hill}/incidents/{incident}/evidence"),
        &karen,
        "x.pdf",
        PDF,
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "attaching to another's incident"
    );
    let res = app
        .post_json(
            &format!("/api/v1/practices/{hill}/evidence/{id}/remove"),
            &karen,
            r#"{"removal_reason":"mine now"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(app.events("evidence.download").await.is_empty());
    assert_eq!(files(&app, &sam, &incident).await.len(), 1, "still there");
}

async fn a_removed_file_keeps_its_reason_until_the_dpo_restores_it_or_the_retention_passes(
    mut app: TestApp,
) {
    use custodian_domain::PracticeRole::*;
    let riverside = app.riverside.clone();
    app.person(
        "cokafor",
        "Chidi Okafor",
        Some((&riverside, &[Staff, DataProtectionOfficer])),
        &[],
        false,
    )
    .await;
    let river = riverside.id;
    let incident = reported(&app).await;
    let sam = app.sign_in("staylor").await;
    let res = api_attach(&app, &sam, &incident, "scan.pdf", PDF.to_vec()).await;
    let id = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The reporter may not remove it; the handler must say why.
    let remove = format!("/api/v1/practices/{river}/evidence/{id}/remove");
    let res = app
        .post_json(&remove, &sam, r#"{"removal_reason":"oops"}"#)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let rukhsana = app.sign_in("rahmed").await;
    let res = app
        .post_form(
            &format!("/practices/{river}/evidence-removals"),
            Some(&rukhsana),
            &[("evidence_id", id.as_str()), ("removal_reason", "  ")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Say why the file is removed")
    );
    let res = app
        .post_form(
            &format!("/practices/{river}/evidence-removals"),
            Some(&rukhsana),
            &[
                ("evidence_id", id.as_str()),
                ("removal_reason", "Attached to the wrong incident"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let again = app
        .post_json(&remove, &rukhsana, r#"{"removal_reason":"twice"}"#)
        .await;
    assert_eq!(
        again.status(),
        StatusCode::NOT_FOUND,
        "gone from their sight"
    );

    // Gone for the reporter and the handler; kept, with who and why, for the DPO.
    assert!(files(&app, &sam, &incident).await.is_empty());
    assert!(files(&app, &rukhsana, &incident).await.is_empty());
    let content = format!("/api/v1/practices/{river}/evidence/{id}/content");
    assert_eq!(
        app.get(&content, Some(&sam)).await.status(),
        StatusCode::NOT_FOUND
    );
    let chidi = app.sign_in("cokafor").await;
    let seen = files(&app, &chidi, &incident).await;
    assert_eq!(seen[0]["removed_reason"], "Attached to the wrong incident");
    assert_eq!(seen[0]["removed_by_name"], "Rukhsana Ahmed");
    let page = app
        .get(
            &format!("/practices/{river}/incidents/{incident}"),
            Some(&chidi),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Restore scan.pdf"));

    // The DPO brings it back; it is everyone's again.
    let restore = format!("/api/v1/practices/{river}/evidence/{id}/restore");
    let res = app.post_json(&restore, &rukhsana, "{}").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "only the DPO restores");
    let res = app.post_json(&restore, &chidi, "{}").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(files(&app, &sam, &incident).await.len(), 1);
    let restored = app.events("evidence.restore").await;
    let done =
        |e: &&custodian_store::StoredEvent| e.event.outcome == custodian_store::Outcome::Success;
    assert_eq!(restored.iter().filter(done).count(), 1);

    // Removed again, and the retention (90 days) passes: deleted for good, bytes and all.
    let res = app
        .post_json(&remove, &rukhsana, r#"{"removal_reason":"duplicate"}"#)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.clock.advance(chrono::Duration::days(89));
    assert_eq!(
        custodian_app::evidence::purge_removed(&app.state)
            .await
            .unwrap(),
        0
    );
    let chidi = app.sign_in("cokafor").await; // a new day, a new session
    assert!(
        app.get(&content, Some(&chidi)).await.status() == StatusCode::OK,
        "still recoverable within the retention"
    );
    app.clock.advance(chrono::Duration::days(2));
    let chidi = app.sign_in("cokafor").await;
    assert_eq!(
        custodian_app::evidence::purge_removed(&app.state)
            .await
            .unwrap(),
        1
    );
    assert!(files(&app, &chidi, &incident).await.is_empty());
    assert_eq!(
        app.get(&content, Some(&chidi)).await.status(),
        StatusCode::NOT_FOUND
    );
    let purged = app.events("evidence.purge").await;
    assert_eq!(purged.len(), 1, "{purged:#?}");
}

/// A file kept in several parts (`PART_BYTES` each) is sent part by part: it arrives whole, with
/// its length announced first.
async fn a_file_of_several_parts_downloads_whole_with_its_length(app: TestApp) {
    let sam = app.sign_in("staylor").await;
    let incident = reported(&app).await;
    let mut big = PDF.to_vec();
    let part = custodian_domain::evidence::PART_BYTES;
    big.extend((0..part * 5 / 2).map(|i| (i % 253) as u8));
    let res = api_attach(&app, &sam, &incident, "scan.pdf", big.clone()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = files(&app, &sam, &incident).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .get(
            &format!(
                "/api/v1/practices/{}/evidence/{id}/content",
                app.riverside.id
            ),
            Some(&sam),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-length"],
        big.len().to_string().as_str()
    );
    let got = res.bytes().await.unwrap();
    assert!(
        got[..] == big[..],
        "{} bytes came back of {}",
        got.len(),
        big.len()
    );
}
