//! The quarterly threats-and-vulnerabilities report over HTTP: the scheduler drafts the quarter
//! just ended (with a controllable clock), the page, PDF and CSV show it, the meeting's minutes
//! are recorded, the SIRO signs it off and the signed copy stays as it was; and the provider's
//! view of every practice. SQLite always; PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set.

#[macro_use]
mod common;

use common::*;
use custodian_domain::PracticeRole;
use custodian_domain::quarters::Quarter;
use custodian_web::Clock;
use reqwest::StatusCode;

backend_tests!(
    the_scheduler_drafts_the_quarter_just_ended_and_the_siro_signs_it_off,
    a_quarter_in_the_future_or_a_bad_quarter_is_refused_and_the_provider_sees_every_practice
);

/// The text a PDF shows: every string drawn with `Tj`, decoded from WinAnsi.
fn pdf_text(pdf: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let decode = |b: u8| -> char {
        match b {
            0x91 => '\u{2018}',
            0x92 => '\u{2019}',
            0x93 => '\u{201c}',
            0x94 => '\u{201d}',
            0x96 => '\u{2013}',
            0x97 => '\u{2014}',
            _ => b as char,
        }
    };
    while i < pdf.len() {
        match pdf[i] {
            b'(' => {
                let mut s = Vec::new();
                let mut depth = 1;
                i += 1;
                while i < pdf.len() && depth > 0 {
                    match pdf[i] {
                        b'\\' => {
                            i += 1;
                            match pdf[i] {
                                b'n' => s.push(b'\n'),
                                b'0'..=b'7' => {
                                    let oct = std::str::from_utf8(&pdf[i..i + 3]).unwrap();
                                    s.push(u8::from_str_radix(oct, 8).unwrap());
                                    i += 2;
                                }
                                c => s.push(c),
                            }
                        }
                        b'(' => {
                            depth += 1;
                            s.push(b'(');
                        }
                        b')' => {
                            depth -= 1;
                            if depth > 0 {
                                s.push(b')');
                            }
                        }
                        c => s.push(c),
                    }
                    i += 1;
                }
                if pdf[i..].starts_with(b" Tj") {
                    out.extend(s.into_iter().map(decode));
                    out.push('\n');
                }
            }
            b'<' if pdf.get(i + 1) != Some(&b'<') && pdf.get(i.wrapping_sub(1)) != Some(&b'<') => {
                let end = i + pdf[i..].iter().position(|b| *b == b'>').unwrap();
                let hex = std::str::from_utf8(&pdf[i + 1..end]).unwrap_or("");
                if pdf[end + 1..].starts_with(b" Tj") && hex.chars().all(|c| c.is_ascii_hexdigit())
                {
                    let bytes: Vec<u8> = (0..hex.len() / 2)
                        .map(|k| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).unwrap())
                        .collect();
                    out.extend(bytes.into_iter().map(decode));
                    out.push('\n');
                }
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    out
}

async fn setup(app: &mut TestApp) {
    let river = app.riverside.clone();
    app.person(
        "siro",
        "Sid Siro",
        Some((&river, &[PracticeRole::Staff, PracticeRole::Siro])),
        &[],
        false,
    )
    .await;
}

async fn the_scheduler_drafts_the_quarter_just_ended_and_the_siro_signs_it_off(mut app: TestApp) {
    setup(&mut app).await;
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    for key in ["ransomware", "phishing"] {
        let res = app
            .post_json(
                &format!("/api/v1/practices/{river}/risk-library/{key}"),
                &pm,
                "",
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let rahmed = app.people["rahmed"];
    let risks: serde_json::Value = app
        .get(&format!("/api/v1/practices/{river}/risks"), Some(&pm))
        .await
        .json()
        .await
        .unwrap();
    let ransomware = risks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"] == "Ransomware encrypts practice systems")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let today = custodian_domain::identity::london_today(app.clock.now());
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risks/{ransomware}/actions"),
            &pm,
            &format!(r#"{{"description": "Test restoring the backups", "owner_id": "{rahmed}", "due_on": "{today}"}}"#),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // The scheduler drafts last quarter's report for every practice, once.
    let made = custodian_app::risk_reports::draft_quarterly_reports(&app.state)
        .await
        .unwrap();
    assert_eq!(made, 2, "Riverside and Hillside");
    assert_eq!(
        custodian_app::risk_reports::draft_quarterly_reports(&app.state)
            .await
            .unwrap(),
        0
    );

    // The next quarter begins: this quarter's draft is made, with the risks raised in it.
    let this = Quarter::containing(today, 1);
    let days = (this.end() - today).num_days() + 1;
    app.clock
        .advance(chrono::Duration::days(days) + chrono::Duration::hours(2));
    assert_eq!(
        custodian_app::risk_reports::draft_quarterly_reports(&app.state)
            .await
            .unwrap(),
        2
    );
    let created = app.events("risk_report.create").await;
    assert!(created.iter().all(|e| e.event.meta.actor == "scheduler"));
    let key = this.key();
    let pm = app.sign_in("rahmed").await;
    let home = app
        .get(&format!("/practices/{river}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("threats and vulnerabilities report is ready for the practice meeting"),
        "{home}"
    );

    let page = app
        .get(&format!("/practices/{river}/risk-reports/{key}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&this.label()), "{page}");
    assert!(page.contains("<svg") && page.contains("Heat map of current residual risks"));
    assert!(page.contains("New risks this quarter"));
    assert!(page.contains("Ransomware encrypts practice systems"));
    assert!(
        page.contains("1 open, <strong>1 overdue</strong>"),
        "the action is overdue now: {page}"
    );

    // The PDF, made by Custodian itself: the heat map and the top risks are in its text.
    let res = app
        .get(
            &format!("/practices/{river}/risk-reports/{key}/pdf"),
            Some(&pm),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for expected in [
        "Heat map of current residual risks (likelihood by impact)",
        "Top risks by residual score",
        // Table cells wrap at the column's width.
        "RSK-0001 Ransomware encrypts practice\nsystems",
        "Almost certain",
        "Catastrophic",
        "Riverside Medical Centre",
    ] {
        assert!(
            text.contains(expected),
            "{expected} in the PDF's text:\n{text}"
        );
    }
    assert!(
        String::from_utf8_lossy(&pdf).matches(" re\n").count() >= 25,
        "the heat map's 25 cells are drawn"
    );
    let csv = app
        .get(
            &format!("/practices/{river}/risk-reports/{key}/csv"),
            Some(&pm),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("quarter,section,reference,title"));
    assert!(
        csv.contains(&format!(
            "{key},new,RSK-0001,Ransomware encrypts practice systems"
        )),
        "{csv}"
    );
    assert!(csv.contains(",action_overdue,RSK-0001,Test restoring the backups"));

    // Sign-off: the SIRO only, and only after the minutes are recorded.
    let siro = app.sign_in("siro").await;
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-reports/{key}/sign"),
            &siro,
            "",
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Record the practice meeting's minutes")
    );
    let res = app
        .post_form(
            &format!("/practices/{river}/risk-reports/{key}/minutes"),
            Some(&pm),
            &[
                ("minutes", "Ransomware discussed; backups to be tested"),
                ("decisions", "Buy an offline backup drive"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-reports/{key}/sign"),
            &pm,
            "",
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "the practice manager is not the SIRO"
    );
    let res = app
        .post_form(
            &format!("/practices/{river}/risk-reports/{key}/sign"),
            Some(&siro),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let detail: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/risk-reports/{key}"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["status"], "signed");
    assert_eq!(detail["signed_by_name"], "Sid Siro");
    assert_eq!(
        detail["content"]["minutes"],
        "Ransomware discussed; backups to be tested"
    );
    assert_eq!(detail["signed_sha256"].as_str().unwrap().len(), 64);

    // The signed copy does not change when the register does; nor can the minutes.
    app.post_json(
        &format!("/api/v1/practices/{river}/risk-library/lost_device"),
        &pm,
        "",
    )
    .await;
    let again: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/risk-reports/{key}"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["content"], detail["content"]);
    let res = app
        .post_form(
            &format!("/practices/{river}/risk-reports/{key}/minutes"),
            Some(&pm),
            &[("minutes", "Rewritten")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = app
        .get(&format!("/practices/{river}/risk-reports/{key}"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Signed off by Sid Siro (SIRO)"));
    assert!(!page.contains("A laptop, phone or memory stick is lost or stolen"));
    let signed: Vec<_> = app
        .events("risk_report.sign")
        .await
        .into_iter()
        .filter(|e| e.event.outcome == custodian_store::Outcome::Success)
        .collect();
    assert_eq!(
        signed.len(),
        1,
        "and the practice manager's attempt is recorded as refused"
    );
    assert_eq!(signed[0].event.details["sha256"], detail["signed_sha256"]);
}

async fn a_quarter_in_the_future_or_a_bad_quarter_is_refused_and_the_provider_sees_every_practice(
    mut app: TestApp,
) {
    setup(&mut app).await;
    let river = app.riverside.id;
    let pm = app.sign_in("rahmed").await;
    let today = custodian_domain::identity::london_today(app.clock.now());
    let next = {
        let q = Quarter::containing(today, 1);
        Quarter::containing(q.end() + chrono::Duration::days(1), 1)
    };
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-reports"),
            &pm,
            &format!(r#"{{"quarter": "{}"}}"#, next.key()),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("has not started yet"));
    let res = app
        .post_form(
            &format!("/practices/{river}/risk-reports"),
            Some(&pm),
            &[("quarter", "2026-Q9")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("like 2026-Q3"));
    let reports: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/risk-reports"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        reports["items"].as_array().unwrap().is_empty(),
        "nothing was made"
    );
    // The current quarter can be drafted (an interim view), but not signed off.
    let this = Quarter::containing(today, 1).key();
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-reports"),
            &pm,
            &format!(r#"{{"quarter": "{this}"}}"#),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    app.post_json(
        &format!("/api/v1/practices/{river}/risk-reports/{this}/minutes"),
        &pm,
        r#"{"minutes": "Interim look"}"#,
    )
    .await;
    let siro = app.sign_in("siro").await;
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-reports/{this}/sign"),
            &siro,
            "",
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("has not ended yet"));

    // The provider's view: every practice; practice staff are refused.
    app.post_json(
        &format!("/api/v1/practices/{river}/risk-library/ransomware"),
        &pm,
        "",
    )
    .await;
    let admin = app.sign_in("admin").await;
    let rows: serde_json::Value = app
        .get("/api/v1/provider/risks", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let rows = rows["items"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let riverside = rows
        .iter()
        .find(|r| r["ods_code"] == app.riverside.ods_code)
        .unwrap();
    assert_eq!(riverside["extreme"], 1, "ransomware: 3 × 5 = 15");
    assert_eq!(riverside["last_report"], "none");
    let page = app
        .get("/provider/risks", Some(&admin))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Information risks across practices") && page.contains("Riverside"));
    assert_eq!(
        app.get("/provider/risks", Some(&pm)).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.events("provider.risks").await.len(),
        1,
        "the refusal is recorded"
    );

    // The provider's own threats join every practice's library.
    let res = app
        .post_json(
            "/api/v1/provider/threats",
            &admin,
            r#"{"title": "USB sticks from conferences", "threat": "Malware on a free memory stick", "vulnerability": "Autorun not blocked", "category": "technology", "integrity": true, "likelihood": 2, "impact": 5}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let threat: serde_json::Value = res.json().await.unwrap();
    let key = threat["key"].as_str().unwrap().to_string();
    let res = app
        .post_json(
            "/api/v1/provider/threats",
            &admin,
            r#"{"title": "No threat", "likelihood": 9}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("threat") && text.contains("likelihood"),
        "{text}"
    );
    let library = app
        .get(&format!("/practices/{river}/risks/library"), Some(&pm))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        library.contains("USB sticks from conferences")
            && library.contains("From your IG provider")
    );
    let res = app
        .post_json(
            &format!("/api/v1/practices/{river}/risk-library/{key}"),
            &pm,
            "",
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let r: serde_json::Value = res.json().await.unwrap();
    assert_eq!(r["inherent_score"], 10);
    let res = app
        .call(
            &reqwest::Method::DELETE,
            &format!("/api/v1/provider/threats/{key}"),
            Some(&pm),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "practice staff cannot change the provider's library"
    );
    let res = app
        .call(
            &reqwest::Method::DELETE,
            &format!("/api/v1/provider/threats/{key}"),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let library: serde_json::Value = app
        .get(
            &format!("/api/v1/practices/{river}/risk-library?limit=200"),
            Some(&pm),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        library["items"].as_array().unwrap().len(),
        custodian_domain::risks::LIBRARY.len()
    );

    // Publishing a 4 × 4 matrix is refused while a practice has risks scored 5: nothing changes.
    let res = app
        .post_json(
            "/api/v1/provider/risk-matrix",
            &admin,
            r#"{"matrix": "4x4"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Riverside"));
    assert_eq!(app.store.settings(river).await.unwrap().risk_matrix, "5x5");
    let mut s = app.store.settings(river).await.unwrap();
    s.risk_matrix = "4x4".into();
    let res = app
        .put_json(
            &format!("/api/v1/practices/{river}/settings"),
            &pm,
            &serde_json::to_string(&s).unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("rescore them first"));
    // Hillside has none: the matrix is published there.
    let hill = app.hillside.id;
    let res = app
        .post_json(
            "/api/v1/provider/risk-matrix",
            &admin,
            r#"{"matrix": "5x5"}"#,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.store.settings(hill).await.unwrap().risk_matrix, "5x5");
}
