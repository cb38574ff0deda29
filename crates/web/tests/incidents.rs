//! Information incidents as staff and handlers use them: a receptionist reports in one form and
//! sees only their own reports; the practice manager (who handles incidents) is told, grades it
//! on the grid, records the decisions that stop the clocks and closes it with lessons learned;
//! the clocks turn amber and red with time; bad and hostile input is named and changes nothing.
//! SQLite always; PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use reqwest::StatusCode;

backend_tests!(
    a_receptionist_reports_in_one_form_and_sees_only_their_own_reports,
    the_handler_grades_decides_and_closes_and_each_step_is_on_the_timeline,
    the_clocks_turn_amber_then_red_and_a_decision_stops_them,
    bad_input_is_named_and_nothing_is_half_written,
    sixteen_reporters_at_once_get_sixteen_references,
    the_provider_sees_every_practice_and_the_register_downloads_as_csv,
    the_quarterly_report_has_the_quarters_incidents_and_lessons,
    the_handler_links_the_staff_and_risks_involved,
);

async fn the_handler_links_the_staff_and_risks_involved(app: TestApp) {
    let river = app.riverside.id;
    let i = report(&app, "staylor", serde_json::json!({})).await;
    let base = format!(
        "/api/v1/practices/{river}/incidents/{}",
        i["id"].as_str().unwrap()
    );
    let pm = app.sign_in("rahmed").await;
    let risk: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-library/phishing"),
            &pm,
            "",
        )
        .await
        .json()
        .await
        .unwrap();
    let risk = risk["id"].as_str().unwrap();
    let sam = app.people["staylor"];
    // From the page: the receptionist who handed it over; from the API: the risk it shows.
    let page = base.trim_start_matches("/api/v1").to_string();
    let res = app
        .post_form(
            &format!("{page}/involved"),
            Some(&pm),
            &[("involved", &format!("person:{sam}"))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let body = format!(r#"{{"kind": "risk", "id": "{risk}"}}"#);
    let res = app.post_json(&format!("{base}/involved"), &pm, &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Again: nothing more. Another practice's member of staff: refused, naming the field.
    app.post_json(&format!("{base}/involved"), &pm, &body).await;
    let karen = app.people["kmills"];
    let res = app
        .post_json(
            &format!("{base}/involved"),
            &pm,
            &format!(r#"{{"kind": "person", "id": "{karen}"}}"#),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "involved_id");
    // The reporter does not link; the handler sees both, and the timeline says so.
    let sam_cookie = app.sign_in("staylor").await;
    let res = app
        .post_json(&format!("{base}/involved"), &sam_cookie, &body)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let detail: serde_json::Value = app.get(&base, Some(&pm)).await.json().await.unwrap();
    let involved: Vec<(&str, &str)> = detail["involved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["kind"].as_str().unwrap(), v["name"].as_str().unwrap()))
        .collect();
    assert_eq!(involved.len(), 2, "{involved:?}");
    assert!(involved.contains(&("person", "Sam Taylor")));
    assert!(
        involved
            .iter()
            .any(|(k, n)| *k == "risk" && n.contains("hishing"))
    );
    let html = app.get(&page, Some(&pm)).await.text().await.unwrap();
    assert!(html.contains(&format!("/risks/{risk}")));
    // Removed: gone, and on the timeline.
    let res = app
        .post_form(
            &format!("{page}/involved/remove"),
            Some(&pm),
            &[("involved", &format!("person:{sam}"))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let again = format!(r#"{{"kind": "person", "id": "{sam}"}}"#);
    let res = app
        .post_json(&format!("{base}/involved/remove"), &pm, &again)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "no longer linked");
    let detail: serde_json::Value = app.get(&base, Some(&pm)).await.json().await.unwrap();
    assert_eq!(detail["involved"].as_array().unwrap().len(), 1);
    let texts: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"Involved: member of staff Sam Taylor"));
    assert!(texts.contains(&"No longer involved: member of staff Sam Taylor"));
    let linked = app.events("incident.involve").await;
    let done =
        |e: &&custodian_store::StoredEvent| e.event.outcome == custodian_store::Outcome::Success;
    assert_eq!(
        linked.iter().filter(done).count(),
        2,
        "the repeat records nothing"
    );
}

async fn the_quarterly_report_has_the_quarters_incidents_and_lessons(app: TestApp) {
    let river = app.riverside.id;
    let i = report(&app, "staylor", serde_json::json!({})).await;
    let pm = app.sign_in("rahmed").await;
    let base = format!(
        "/api/v1/practices/{river}/incidents/{}",
        i["id"].as_str().unwrap()
    );
    for (path, body) in [
        (
            "grade",
            r#"{"likelihood": 4, "severity": 3, "breach_types": ["confidentiality"]}"#,
        ),
        (
            "close",
            r#"{"lessons": "Two people check every address on a discharge letter"}"#,
        ),
    ] {
        let res = app.post_json(&format!("{base}/{path}"), &pm, body).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    let page = quarterly_report_page(&app, &pm).await;
    let quarter = custodian_domain::quarters::Quarter::containing(now(&app).date_naive(), 1).key();
    let reference = i["reference"].as_str().unwrap();
    let section = &page[page.find("Incidents this quarter").expect("the section")..];
    assert!(section.contains("1 reported, 0 of them near misses"));
    assert!(section.contains("Reportable to the ICO"));
    assert!(section.contains(reference));
    assert!(section.contains("Likelihood 4, severity 3. ICO decision not yet recorded"));
    assert!(section.contains("Two people check every address on a discharge letter"));
    let pdf = app
        .get(
            &format!("/practices/{river}/risk-reports/{quarter}/pdf"),
            Some(&pm),
        )
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
}

fn now(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    custodian_web::Clock::now(&*app.clock)
}

fn field(t: chrono::DateTime<chrono::Utc>) -> String {
    custodian_domain::time::moment_field(t)
}

/// A report through the API by `who`; the new incident.
async fn report(app: &TestApp, who: &str, extra: serde_json::Value) -> serde_json::Value {
    let cookie = app.sign_in(who).await;
    let mut body = serde_json::json!({
        "what_happened": "A discharge letter went to the wrong address",
        "kind": "wrong_recipient",
        "occurred_at": field(now(app) - chrono::Duration::hours(3)),
        "discovered_at": field(now(app) - chrono::Duration::hours(1)),
        "patient_data": true,
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = app
        .post_json(
            &format!("/api/v1/practices/{}/incidents", app.riverside.id),
            &cookie,
            &body.to_string(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn a_receptionist_reports_in_one_form_and_sees_only_their_own_reports(app: TestApp) {
    let river = app.riverside.id;
    let sam = app.sign_in("staylor").await;
    // Every page carries the way to report, for someone with no other permission too.
    let home = app.get(&format!("/practices/{river}"), Some(&sam)).await;
    let html = home.text().await.unwrap();
    assert!(
        html.contains(&format!("/practices/{river}/incidents/new")),
        "Report an incident on the practice's home page"
    );
    let account = app.get("/account", Some(&sam)).await.text().await.unwrap();
    assert!(account.contains("/report-incident"));
    let res = app.get("/report-incident", Some(&sam)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let form = app
        .get(&format!("/practices/{river}/incidents/new"), Some(&sam))
        .await;
    assert_eq!(form.status(), StatusCode::OK);
    let occurred = field(now(&app) - chrono::Duration::minutes(30));
    let res = app
        .post_form(
            &format!("/practices/{river}/incidents"),
            Some(&sam),
            &[
                (
                    "what_happened",
                    "Gave a prescription to the wrong patient's relative",
                ),
                ("kind", "wrong_recipient"),
                ("occurred_at", &occurred),
                ("discovered_at", &occurred),
                ("location", "Reception"),
                ("patient_data", "1"),
                ("asset_id", ""),
                ("on_behalf_of", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let page = app.get(&to, Some(&sam)).await.text().await.unwrap();
    let year = custodian_domain::incidents::reference_year(now(&app));
    let reference = format!("INC-{year}-0001");
    assert!(
        page.contains(&format!("your report is {reference}")),
        "{page}"
    );
    assert!(
        !page.contains("Grade on the NHS"),
        "a reporter does not handle it"
    );

    // Another member's report, and the reporter's own list.
    let other = report(&app, "rahmed", serde_json::json!({})).await;
    assert_eq!(other["reference"], format!("INC-{year}-0002"));
    let mine: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/incidents"), Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    let refs: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, [reference.as_str()], "only their own");
    let theirs = format!(
        "/practices/{river}/incidents/{}",
        other["id"].as_str().unwrap()
    );
    assert_eq!(
        app.get(&theirs, Some(&sam)).await.status(),
        StatusCode::NOT_FOUND
    );
    let grade = app
        .post_json(
            &format!("/api/v1{theirs}/grade"),
            &sam,
            r#"{"likelihood": 3, "severity": 2}"#,
        )
        .await;
    assert_eq!(grade.status(), StatusCode::FORBIDDEN);

    // The practice manager, who handles incidents, sees both and is told at once.
    let pm = app.sign_in("rahmed").await;
    let all: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/incidents"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let home = app
        .get(&format!("/practices/{river}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("2 incidents reported, waiting for triage"),
        "{home}"
    );
    custodian_app::notifications::raise_notices(&app.state)
        .await
        .unwrap();
    let notices = app
        .store
        .notices(app.people["rahmed"], false, 50)
        .await
        .unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.kind == custodian_domain::notifications::NoticeKind::IncidentReported)
    );
    let sams = app
        .store
        .notices(app.people["staylor"], false, 50)
        .await
        .unwrap();
    assert!(
        sams.is_empty(),
        "a receptionist is not told of others' incidents"
    );
    // Another practice's manager cannot reach it.
    let karen = app.sign_in("kmills").await;
    assert_eq!(
        app.get(&theirs, Some(&karen)).await.status(),
        StatusCode::NOT_FOUND
    );
    // The report and its read are in the audit trail, without the description.
    let reported = app.events("incident.report").await;
    assert_eq!(reported.len(), 2);
    assert!(
        !reported[0]
            .event
            .details
            .to_string()
            .contains("wrong address")
    );
}

async fn the_handler_grades_decides_and_closes_and_each_step_is_on_the_timeline(app: TestApp) {
    let i = report(&app, "staylor", serde_json::json!({})).await;
    let pm = app.sign_in("rahmed").await;
    let base = format!(
        "/api/v1/practices/{}/incidents/{}",
        app.riverside.id,
        i["id"].as_str().unwrap()
    );
    let step = |path: &'static str, body: &'static str| {
        let (app, pm, base) = (&app, pm.clone(), base.clone());
        async move { app.post_json(&format!("{base}/{path}"), &pm, body).await }
    };
    let res = step("status", r#"{"status": "triage"}"#).await;
    assert_eq!(res.status(), StatusCode::OK);
    let graded: serde_json::Value = step(
        "grade",
        r#"{"likelihood": 3, "severity": 2, "breach_types": ["confidentiality"], "people_affected": 1}"#,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(graded["incident"]["reportable"], true);
    assert_eq!(graded["incident"]["notify_dhsc"], false);
    // Vulnerable groups lift "no adverse effect" to minor: still reportable at likelihood 3.
    let lifted: serde_json::Value = step(
        "grade",
        r#"{"likelihood": 3, "severity": 1, "vulnerable": true, "breach_types": ["confidentiality"], "people_affected": 1}"#,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(lifted["incident"]["reportable"], true);
    assert_eq!(
        lifted["incident"]["severity"], 1,
        "as graded; the grid lifts it"
    );

    // Not reportable without a reason is refused; the decision with its reference stops it.
    let res = step("ico-decision", r#"{"reported": false}"#).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "reason");
    let decided: serde_json::Value = app
        .post_json(
            &format!("{base}/ico-decision"),
            &pm,
            &serde_json::json!({
                "reported": true, "reference": "DSPT-2026-4411",
                "reported_at": field(now(&app)),
            })
            .to_string(),
        )
        .await
        .json()
        .await
        .unwrap();
    let ico = decided["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "ico")
        .unwrap();
    assert_eq!(ico["state"], "stopped");
    step("senior-told", "{}").await;
    let res = step(
        "notes",
        r#"{"text": "Rang the recipient; letter returned unopened"}"#,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Closing links a risk or raises one, not both.
    let res = app
        .post_json(
            &format!("{base}/close"),
            &pm,
            &serde_json::json!({
                "lessons": "x", "new_risk_title": "Letters",
                "risk_id": "0190b1c4-9b5e-7000-8000-000000000000",
            })
            .to_string(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // From the page: closed with the lessons learned, and a new risk raised in the same step.
    let page = base.trim_start_matches("/api/v1").to_string();
    let res = app
        .post_form(
            &format!("{page}/close"),
            Some(&pm),
            &[
                (
                    "lessons",
                    "Check the address against the spine before posting",
                ),
                ("risk", "raise"),
                ("new_risk_title", "Letters posted to out-of-date addresses"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let closed: serde_json::Value = app.get(&base, Some(&pm)).await.json().await.unwrap();
    assert_eq!(closed["incident"]["status"], "closed");
    let risk_id = closed["incident"]["risk_id"]
        .as_str()
        .expect("a risk linked");
    let risk: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{}/risks/{risk_id}", app.riverside.id),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(risk["title"], "Letters posted to out-of-date addresses");
    assert_eq!(risk["confidentiality"], true, "{risk}");
    assert_eq!(risk["category"], "people");
    let last = closed["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        last["text"]
            .as_str()
            .unwrap()
            .ends_with("Risk raised: Letters posted to out-of-date addresses")
    );
    let steps: Vec<&str> = closed["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "reported",
            "status",
            "graded",
            "graded",
            "ico_decision",
            "senior_told",
            "note",
            "closed"
        ]
    );
    // A closed incident takes no more steps.
    let res = step("notes", r#"{"text": "One more thing"}"#).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    for action in [
        "incident.graded",
        "incident.ico_decision",
        "incident.closed",
    ] {
        assert!(!app.events(action).await.is_empty(), "{action}");
    }
    // The page shows the timeline and no handling forms once closed.
    let page = app
        .get(base.trim_start_matches("/api/v1"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Reported to the ICO at") && page.contains("Lessons learned"));
    assert!(!page.contains("Close the incident"));
    assert!(page.contains(&format!(
        "/risks/{risk_id}\">Letters posted to out-of-date addresses"
    )));

    let page_path = base.trim_start_matches("/api/v1").to_string();
    // The DPO's draft for the DSPT tool, filled from the record, and the whole record on paper.
    let draft: serde_json::Value = app
        .get(&format!("{base}/notification-draft"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    let text = draft["text"].as_str().unwrap();
    for item in [
        "(a) Nature of the breach",
        "A discharge letter went to the wrong address",
        "Approximate number of people concerned: about 1",
        "(b) Data Protection Officer",
        "(c) Likely consequences",
        "(d) Measures taken or proposed",
        "Rang the recipient; letter returned unopened",
        "Proposed (lessons learned): Check the address",
    ] {
        assert!(text.contains(item), "{item} in\n{text}");
    }
    let html = app
        .get(&format!("{page_path}/notification"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("(c) Likely consequences"));
    let pdf = app.get(&format!("{page_path}/pdf"), Some(&pm)).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    // The reporter follows their report, but the draft and the record are the handlers'.
    let sam = app.sign_in("staylor").await;
    for path in [
        format!("{page_path}/notification"),
        format!("{page_path}/pdf"),
    ] {
        let status = app.get(&path, Some(&sam)).await.status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

async fn the_clocks_turn_amber_then_red_and_a_decision_stops_them(app: TestApp) {
    let i = report(&app, "staylor", serde_json::json!({})).await;
    let path = format!(
        "/api/v1/practices/{}/incidents/{}",
        app.riverside.id,
        i["id"].as_str().unwrap()
    );
    let clocks = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap().to_string(),
                    c["state"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let get = || async {
        let pm = app.sign_in("rahmed").await;
        app.get(&path, Some(&pm))
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    // Found out an hour ago: both running.
    let s = |a: &str, b: &str| {
        vec![
            ("senior_management".to_string(), a.to_string()),
            ("ico".to_string(), b.to_string()),
            ("people_affected".to_string(), b.to_string()),
        ]
    };
    assert_eq!(clocks(&get().await), s("running", "running"));
    // Ten hours on: the 12 hours are amber.
    app.clock.advance(chrono::Duration::hours(10));
    assert_eq!(clocks(&get().await), s("amber", "running"));
    let pm = app.sign_in("rahmed").await;
    let home = app
        .get(&format!("/practices/{}", app.riverside.id), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(home.contains("with a clock running out"));
    // Two days on (through whatever weekend): 12 hours red, 72 hours amber; then red.
    app.clock.advance(chrono::Duration::hours(40));
    assert_eq!(clocks(&get().await), s("red", "amber"));
    app.clock.advance(chrono::Duration::hours(22));
    let late = get().await;
    assert_eq!(clocks(&late), s("red", "red"));
    assert!(late["clocks"][1]["minutes_left"].as_i64().unwrap() < 0);
    // Recording the decisions stops them, however late.
    let pm = app.sign_in("rahmed").await;
    app.post_json(&format!("{path}/senior-told"), &pm, "{}")
        .await;
    let res = app
        .post_json(
            &format!("{path}/ico-decision"),
            &pm,
            r#"{"reported": false, "reason": "Returned unopened: no one else saw it"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let still: Vec<(String, String)> = clocks(&get().await);
    assert_eq!(still[2], ("people_affected".to_string(), "red".to_string()));
    // The Art. 34 decision needs its reason too.
    let res = app
        .post_json(
            &format!("{path}/people-affected"),
            &pm,
            r#"{"told": false}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post_json(
            &format!("{path}/people-affected"),
            &pm,
            r#"{"told": false, "note": "The risk to the patient is not high: the letter came back unopened"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(clocks(&get().await), s("stopped", "stopped"));
    // A near miss has no ICO clock.
    let near = report(&app, "staylor", serde_json::json!({"near_miss": true})).await;
    let near_path = format!(
        "/api/v1/practices/{}/incidents/{}",
        app.riverside.id,
        near["id"].as_str().unwrap()
    );
    let pm = app.sign_in("rahmed").await;
    let v: serde_json::Value = app.get(&near_path, Some(&pm)).await.json().await.unwrap();
    assert_eq!(v["clocks"].as_array().unwrap().len(), 1);
}

async fn bad_input_is_named_and_nothing_is_half_written(mut app: TestApp) {
    let hillside = app.hillside.clone();
    use custodian_domain::PracticeRole::{InformationAssetOwner, Staff};
    app.person(
        "hiao",
        "Hill Owner",
        Some((&hillside, &[Staff, InformationAssetOwner])),
        &[],
        false,
    )
    .await;
    let sam = app.sign_in("staylor").await;
    let url = format!("/api/v1/practices/{}/incidents", app.riverside.id);
    let fields = |res: serde_json::Value| -> Vec<String> {
        res["errors"]
            .as_array()
            .map(|e| {
                e.iter()
                    .map(|f| f["field"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = app.events("incident.report").await.len();
    let bad = |body: serde_json::Value| {
        let (app, sam, url) = (&app, sam.clone(), url.clone());
        async move {
            let res = app.post_json(&url, &sam, &body.to_string()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    let t = |h: i64| field(now(&app) - chrono::Duration::hours(h));
    // Found out before it happened.
    let e = bad(serde_json::json!({"what_happened": "x", "kind": "other", "occurred_at": t(1), "discovered_at": t(5)})).await;
    assert_eq!(fields(e), ["discovered_at"]);
    // A 100,000-character description: over this server's body limit (4 KiB in the tests), it
    // is refused before it is read; within the limit but over 10,000 characters, it is named
    // (the domain's tests hold that rule).
    let huge = serde_json::json!({"what_happened": "x".repeat(100_000), "kind": "other", "occurred_at": t(2), "discovered_at": t(1)});
    let res = app.post_json(&url, &sam, &huge.to_string()).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Another practice's asset.
    let karen = app.sign_in("kmills").await;
    let theirs: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{}/assets", app.hillside.id),
            &karen,
            &serde_json::json!({
                "name": "Hillside EMIS", "asset_type": "patient_records", "format": "electronic",
                "volume_band": "over_100000", "iao_id": app.people["hiao"].to_string(),
            })
            .to_string(),
        )
        .await
        .json()
        .await
        .unwrap();
    let asset = theirs["id"].as_str().unwrap_or_else(|| panic!("{theirs}"));
    // In its own practice the asset is taken, and the incident names it.
    let own: serde_json::Value = app
        .post_json(
            &format!("/api/v1/practices/{}/incidents", app.hillside.id),
            &karen,
            &serde_json::json!({
                "what_happened": "EMIS left signed in on the reception PC overnight",
                "kind": "inappropriate_access", "occurred_at": field(now(&app) - chrono::Duration::hours(9)),
                "discovered_at": field(now(&app) - chrono::Duration::hours(1)), "asset_id": asset,
            })
            .to_string(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["asset_id"], asset);
    let page = app
        .get(
            &format!(
                "/practices/{}/incidents/{}",
                app.hillside.id,
                own["id"].as_str().unwrap()
            ),
            Some(&karen),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("System or records") && page.contains("Hillside EMIS"));
    let e = bad(serde_json::json!({"what_happened": "x", "kind": "other", "occurred_at": t(2), "discovered_at": t(1), "asset_id": asset})).await;
    assert_eq!(fields(e), ["asset_id"]);
    // Control characters.
    let e = bad(serde_json::json!({"what_happened": "a\u{0}b", "kind": "other", "occurred_at": t(2), "discovered_at": t(1)})).await;
    assert!(e.to_string().contains("what_happened"), "{e}");
    assert_eq!(
        app.events("incident.report").await.len(),
        before + 1, // the Hillside report with its own asset, and nothing else
        "nothing written"
    );
    let none: serde_json::Value = app
        .get(&url, Some(&app.sign_in("rahmed").await))
        .await
        .json()
        .await
        .unwrap();
    assert!(none["items"].as_array().unwrap().is_empty());

    // A grading outside 1–5, and a status that is not a step.
    let i = report(&app, "staylor", serde_json::json!({})).await;
    let pm = app.sign_in("rahmed").await;
    let base = format!("{url}/{}", i["id"].as_str().unwrap());
    let res = app
        .post_json(
            &format!("{base}/grade"),
            &pm,
            r#"{"likelihood": 0, "severity": 6}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(res.json().await.unwrap()),
        ["likelihood", "severity"]
    );
    let res = app
        .post_json(&format!("{base}/status"), &pm, r#"{"status": "closed"}"#)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The form shows the same errors on the page.
    let page = app
        .post_form(
            &format!("/practices/{}/incidents", app.riverside.id),
            Some(&sam),
            &[
                ("what_happened", ""),
                ("kind", "nonsense"),
                ("occurred_at", "yesterday"),
                ("discovered_at", ""),
            ],
        )
        .await;
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(html.contains("Enter what happened") && html.contains("Choose what kind"));
    // Another practice's incident id is not found.
    let res = app
        .get(
            &format!(
                "/api/v1/practices/{}/incidents/{}",
                app.hillside.id,
                i["id"].as_str().unwrap()
            ),
            Some(&karen),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn sixteen_reporters_at_once_get_sixteen_references(app: TestApp) {
    let app = std::sync::Arc::new(app);
    let cookie = app.sign_in("staylor").await;
    let body = serde_json::json!({
        "what_happened": "Smartcard left in a reader overnight",
        "kind": "other",
        "occurred_at": field(now(&app) - chrono::Duration::hours(2)),
        "discovered_at": field(now(&app) - chrono::Duration::hours(1)),
    })
    .to_string();
    let url = format!("/api/v1/practices/{}/incidents", app.riverside.id);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (app, cookie, body, url) = (app.clone(), cookie.clone(), body.clone(), url.clone());
            tokio::spawn(async move {
                let res = app.post_json(&url, &cookie, &body).await;
                assert_eq!(res.status(), StatusCode::CREATED);
                res.json::<serde_json::Value>().await.unwrap()["reference"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
        })
        .collect();
    let mut refs = Vec::new();
    for t in tasks {
        refs.push(t.await.unwrap());
    }
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), 16, "{refs:?}");
    let year = custodian_domain::incidents::reference_year(now(&app));
    assert_eq!(refs[15], format!("INC-{year}-0016"));
}

async fn the_provider_sees_every_practice_and_the_register_downloads_as_csv(app: TestApp) {
    // Riverside: one reported an hour ago; one found out ten hours ago (12 hours amber).
    report(&app, "staylor", serde_json::json!({})).await;
    report(
        &app,
        "staylor",
        serde_json::json!({
            "what_happened": "=HYPERLINK(\"http://evil\")",
            "occurred_at": field(now(&app) - chrono::Duration::hours(11)),
            "discovered_at": field(now(&app) - chrono::Duration::hours(10)),
        }),
    )
    .await;
    let admin = app.sign_in("admin").await;
    let res = app.get("/api/v1/provider/incidents", Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let all: serde_json::Value = res.json().await.unwrap();
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "every practice, with incidents or not");
    assert_eq!(
        items[0]["practice"], "Riverside Medical Centre",
        "the most urgent first"
    );
    assert_eq!(items[0]["open"], 2);
    assert_eq!(items[0]["awaiting_triage"], 2);
    assert_eq!(items[0]["clocks_running_out"], 1);
    assert_eq!(items[1]["open"], 0);
    let page = app.get("/provider/incidents", Some(&admin)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Incidents across practices")
    );
    // Practice staff are not provider staff.
    let pm = app.sign_in("rahmed").await;
    assert_eq!(
        app.get("/api/v1/provider/incidents", Some(&pm))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // The register as CSV: every incident, a formula made harmless; a reporter may not.
    let csv = app
        .get(
            &format!("/practices/{}/incidents-export", app.riverside.id),
            Some(&pm),
        )
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("reference,kind,status,"));
    assert_eq!(text.lines().count(), 3);
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(!app.events("incident.export").await.is_empty());
    let sam = app.sign_in("staylor").await;
    let res = app
        .get(
            &format!("/practices/{}/incidents-export", app.riverside.id),
            Some(&sam),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
