//! The risk register's store conformance suite, on SQLite and (when
//! CUSTODIAN_TEST_DATABASE_URL is set) PostgreSQL.

#[macro_use]
mod common;
use common::{member, practice};

use chrono::NaiveDate;
use custodian_domain::assets::AssetInput;
use custodian_domain::holder::Holder;
use custodian_domain::risks::{
    AcceptanceInput, ActionInput, Band, MATRIX_5X5, ReviewInput, RiskInput,
};
use custodian_domain::{PersonId, PracticeRole};
use custodian_store::{ActionsOf, AuditMeta, RiskFilter, SharedStore, StoreError};

conformance!(
    risks_are_numbered_scored_and_kept_to_their_practice,
    actions_reviews_and_acceptances_are_recorded_with_the_risk,
    a_quarterly_report_is_made_once_and_kept_unchanged_once_signed,
    what_is_due_in_the_register_is_counted,
);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn as_person(id: PersonId, name: &str) -> AuditMeta {
    AuditMeta {
        actor_id: Some(id),
        actor: name.into(),
        ..Default::default()
    }
}

fn input(title: &str, owner: PersonId, l: u8, i: u8) -> RiskInput {
    RiskInput {
        title: title.into(),
        threat: "Something bad".into(),
        vulnerability: "A weakness".into(),
        category: "technology".into(),
        availability: true,
        availability_reason: "Systems down".into(),
        owner_id: Some(owner),
        inherent_likelihood: Some(5),
        inherent_impact: Some(5),
        residual_likelihood: Some(l),
        residual_impact: Some(i),
        treatment: "reduce".into(),
        raised_on: "2026-10-01".into(),
        ..Default::default()
    }
}

async fn risks_are_numbered_scored_and_kept_to_their_practice(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let other = practice(&store, "Hillside", "Z00002").await;
    let ivy = member(&store, &p, "ivy", &[PracticeRole::InformationAssetOwner]).await;
    let olga = member(&store, &other, "olga", &[]).await;
    let asset = store
        .create_asset(
            p.id,
            &AssetInput {
                name: "EMIS Web".into(),
                asset_type: "patient_records".into(),
                format: "electronic".into(),
                volume_band: "over_100000".into(),
                iao_id: Some(ivy),
                ..Default::default()
            }
            .validate(today())
            .unwrap(),
            &AuditMeta::cli(),
        )
        .await
        .unwrap();

    let mut r = input("Ransomware", ivy, 3, 5);
    r.asset_ids = vec![asset.id];
    let v = r.validate(&MATRIX_5X5, today(), None).unwrap();
    let ransomware = store
        .create_risk(p.id, &v, &AuditMeta::cli())
        .await
        .unwrap();
    assert_eq!(ransomware.reference, "RSK-0001");
    assert_eq!(
        (ransomware.inherent_score, ransomware.residual_score),
        (25, 15)
    );
    assert_eq!(
        ransomware.next_review_on,
        NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
    );
    assert_eq!(ransomware.owner_name, "ivy Person");
    let power = store
        .create_risk(
            p.id,
            &input("Power cut", ivy, 2, 2)
                .validate(&MATRIX_5X5, today(), None)
                .unwrap(),
            &AuditMeta::cli(),
        )
        .await
        .unwrap();
    assert_eq!(power.reference, "RSK-0002");

    // An owner from another practice, or an asset of another practice: refused, nothing written.
    let bad = input("Phishing", olga, 2, 2)
        .validate(&MATRIX_5X5, today(), None)
        .unwrap();
    let e = store
        .create_risk(p.id, &bad, &AuditMeta::cli())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(i) if i.0[0].field == "owner_id"),
        "{e}"
    );
    let mut bad = input("Phishing", ivy, 2, 2);
    bad.asset_ids = vec![custodian_domain::AssetId::new()];
    let e = store
        .create_risk(
            p.id,
            &bad.validate(&MATRIX_5X5, today(), None).unwrap(),
            &AuditMeta::cli(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(i) if i.0[0].field == "asset_ids"),
        "{e}"
    );
    let all = RiskFilter {
        limit: 100,
        ..Default::default()
    };
    let list = store.risks(p.id, &all).await.unwrap();
    assert_eq!(
        list.iter()
            .map(|r| r.reference.as_str())
            .collect::<Vec<_>>(),
        ["RSK-0001", "RSK-0002"],
        "highest residual score first"
    );
    assert!(store.risks(other.id, &all).await.unwrap().is_empty());
    assert!(store.risk(other.id, ransomware.id).await.unwrap().is_none());
    let by_asset = store
        .risks(
            p.id,
            &RiskFilter {
                asset: Some(asset.id),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(by_asset.len(), 1);

    // An update records what changed.
    let mut changed = ransomware.fields.clone();
    changed.residual_likelihood = Some(2);
    changed.controls = "Offline backups tested monthly".into();
    let updated = store
        .update_risk(
            p.id,
            ransomware.id,
            &changed.validate(&MATRIX_5X5, today(), None).unwrap(),
            &AuditMeta::cli(),
        )
        .await
        .unwrap();
    assert_eq!(updated.residual_score, 10);
    let events = store.events(Some(p.id), 20).await.unwrap();
    let update = events
        .iter()
        .find(|e| e.event.action == "risk.update")
        .unwrap();
    assert_eq!(update.event.details["residual_score"]["old"], 15);
    assert_eq!(update.event.details["residual_score"]["new"], 10);
    assert!(update.event.details.get("controls").is_some());
    assert_eq!(
        events
            .iter()
            .filter(|e| e.event.action == "risk.create")
            .count(),
        2
    );
}

async fn actions_reviews_and_acceptances_are_recorded_with_the_risk(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let ivy = member(&store, &p, "ivy", &[PracticeRole::InformationAssetOwner]).await;
    let siro = member(&store, &p, "sam", &[PracticeRole::Siro]).await;
    let risk = store
        .create_risk(
            p.id,
            &input("Ransomware", ivy, 3, 5)
                .validate(&MATRIX_5X5, today(), None)
                .unwrap(),
            &AuditMeta::cli(),
        )
        .await
        .unwrap();

    let action = ActionInput {
        description: "Test restoring the backups".into(),
        owner_id: Some(ivy),
        due_on: "2026-12-31".into(),
        ..Default::default()
    }
    .validate(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap())
    .unwrap();
    let a = store
        .add_action(p.id, Holder::Risk(risk.id), &action, &as_person(ivy, "ivy"))
        .await
        .unwrap();
    assert_eq!(
        (a.status.as_str(), a.owner_name.as_str()),
        ("open", "ivy Person")
    );
    let mut done = action.clone();
    done.input.status = "done".into();
    let a = store
        .update_action(p.id, a.id, &done, &as_person(ivy, "ivy"))
        .await
        .unwrap();
    assert!(a.done_at.is_some());
    let of_risk = ActionsOf::Record(Holder::Risk(risk.id));
    assert_eq!(store.actions(p.id, of_risk).await.unwrap().len(), 1);
    assert!(
        store
            .actions(p.id, ActionsOf::Register("incident"))
            .await
            .unwrap()
            .is_empty()
    );
    // An action is for a record of the practice's own.
    let elsewhere = store
        .add_action(
            p.id,
            Holder::Risk(custodian_domain::RiskId::new()),
            &action,
            &as_person(ivy, "ivy"),
        )
        .await;
    assert!(
        matches!(elsewhere, Err(StoreError::NotFound(_))),
        "{elsewhere:?}"
    );

    let review = ReviewInput {
        residual_likelihood: Some(2),
        residual_impact: Some(5),
        notes: "Backups now tested".into(),
        ..Default::default()
    }
    .validate(&MATRIX_5X5, (3, 5), 25, 3, today())
    .unwrap();
    let rv = store
        .review_risk(p.id, risk.id, &review, &as_person(ivy, "ivy"))
        .await
        .unwrap();
    assert!(rv.scores_changed);
    let after = store.risk(p.id, risk.id).await.unwrap().unwrap();
    assert_eq!(after.residual_score, 10);
    assert_eq!(after.fields.residual_likelihood, Some(2));
    assert_eq!(
        after.next_review_on,
        NaiveDate::from_ymd_opt(2027, 2, 26).unwrap()
    );
    assert_eq!(store.risk_reviews(p.id, risk.id).await.unwrap().len(), 1);

    let acceptance = AcceptanceInput {
        reason: "Cost of a second site outweighs the risk".into(),
        expires_on: "2027-01-31".into(),
    }
    .validate(Band::High, Band::Medium, true, today())
    .unwrap();
    let x = store
        .accept_risk(
            p.id,
            risk.id,
            &acceptance,
            Band::High,
            &as_person(siro, "sam"),
        )
        .await
        .unwrap();
    assert!(x.above_appetite);
    assert_eq!(x.accepted_by_name, "sam Person");
    let after = store.risk(p.id, risk.id).await.unwrap().unwrap();
    assert_eq!(after.fields.status, "accepted");
    assert_eq!(after.acceptance.as_ref().unwrap().band, "high");
    assert_eq!(
        after.next_review_on,
        NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
        "comes back for review when the acceptance ends"
    );
    let actions: Vec<String> = store
        .events(Some(p.id), 20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .filter(|a| a.starts_with("risk"))
        .collect();
    assert_eq!(
        actions,
        [
            "risk.accept",
            "risk.review",
            "risk_action.update",
            "risk_action.create",
            "risk.create"
        ]
    );
}

async fn a_quarterly_report_is_made_once_and_kept_unchanged_once_signed(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let other = practice(&store, "Hillside", "Z00002").await;
    let siro = member(&store, &p, "sam", &[PracticeRole::Siro]).await;
    let first = store
        .ensure_risk_report(
            p.id,
            "2026-Q3",
            "{\"v\":1}",
            &AuditMeta::system("scheduler"),
        )
        .await
        .unwrap();
    assert_eq!(
        (first.status.as_str(), first.created_by.as_str()),
        ("draft", "scheduler")
    );
    let again = store
        .ensure_risk_report(p.id, "2026-Q3", "{\"v\":2}", &AuditMeta::cli())
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.snapshot, "{\"v\":1}", "the first draft stands");
    assert!(
        store
            .risk_report(other.id, "2026-Q3")
            .await
            .unwrap()
            .is_none()
    );

    let by = as_person(siro, "sam");
    let r = store
        .record_report_minutes(p.id, "2026-Q3", "Discussed phishing", "Buy MFA tokens", &by)
        .await
        .unwrap();
    assert_eq!(r.decisions, "Buy MFA tokens");
    let signed = store
        .sign_risk_report(p.id, "2026-Q3", "{\"signed\":true}", &by)
        .await
        .unwrap();
    assert_eq!(signed.status.as_str(), "signed");
    assert_eq!(signed.signed_by_name.as_deref(), Some("sam Person"));
    use sha2::Digest as _;
    assert_eq!(
        signed.signed_sha256.as_deref(),
        Some(hex::encode(sha2::Sha256::digest(b"{\"signed\":true}")).as_str()),
        "the hash is of the stored copy"
    );
    assert_eq!(signed.signed_sha256.as_ref().unwrap().len(), 64);
    assert!(
        store
            .sign_risk_report(p.id, "2026-Q3", "{}", &by)
            .await
            .is_err()
    );
    assert!(
        store
            .record_report_minutes(p.id, "2026-Q3", "Rewritten", "", &by)
            .await
            .is_err()
    );
    // Even with direct database access, a signed report cannot be changed or deleted.
    for sql in [
        "UPDATE risk_reports SET signed_report = '{}'",
        "DELETE FROM risk_reports",
    ] {
        assert!(
            custodian_store::testing::raw_execute(&store, sql)
                .await
                .is_err(),
            "{sql}"
        );
    }
    assert_eq!(
        store
            .risk_report(p.id, "2026-Q3")
            .await
            .unwrap()
            .unwrap()
            .signed_report
            .as_deref(),
        Some("{\"signed\":true}")
    );
    let actions: Vec<String> = store
        .events(Some(p.id), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .filter(|a| a.starts_with("risk_report"))
        .collect();
    assert_eq!(
        actions,
        [
            "risk_report.sign",
            "risk_report.minutes",
            "risk_report.create"
        ]
    );

    // The provider's overview: every practice, with the quarter's report status.
    let ivy = member(&store, &p, "ivy", &[PracticeRole::InformationAssetOwner]).await;
    store
        .create_risk(
            p.id,
            &input("Ransomware", ivy, 3, 5)
                .validate(&MATRIX_5X5, today(), None)
                .unwrap(),
            &AuditMeta::cli(),
        )
        .await
        .unwrap();
    let overview = store
        .provider_risk_overview(
            NaiveDate::from_ymd_opt(2027, 6, 1).unwrap(),
            &["2026-Q3".into(), "2026-Q2".into()],
        )
        .await
        .unwrap();
    assert_eq!(overview.len(), 2);
    let river = overview.iter().find(|o| o.ods_code == "Z00001").unwrap();
    assert_eq!(river.residual_scores, [(15, 1)]);
    assert_eq!(river.overdue_reviews, 1);
    assert_eq!(
        river.reports,
        [("2026-Q3".to_string(), "signed".to_string())]
    );
    let hill = overview.iter().find(|o| o.ods_code == "Z00002").unwrap();
    assert_eq!((hill.residual_scores.len(), hill.reports.len()), (0, 0));
}

async fn what_is_due_in_the_register_is_counted(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let ivy = member(&store, &p, "ivy", &[PracticeRole::InformationAssetOwner]).await;
    let siro = member(&store, &p, "sam", &[PracticeRole::Siro]).await;
    let risk = store
        .create_risk(
            p.id,
            &input("Ransomware", ivy, 3, 5)
                .validate(&MATRIX_5X5, today(), None)
                .unwrap(),
            &AuditMeta::cli(),
        )
        .await
        .unwrap();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let nothing = store.risks_due(p.id, today(), today()).await.unwrap();
    assert_eq!(nothing, custodian_store::RisksDue::default());
    let action = ActionInput {
        description: "Test restoring the backups".into(),
        owner_id: Some(ivy),
        due_on: "2026-12-31".into(),
        ..Default::default()
    }
    .validate(today())
    .unwrap();
    store
        .add_action(p.id, Holder::Risk(risk.id), &action, &as_person(ivy, "ivy"))
        .await
        .unwrap();
    let acceptance = AcceptanceInput {
        reason: "Cost of a second site outweighs the risk".into(),
        expires_on: "2027-01-31".into(),
    }
    .validate(Band::High, Band::Medium, true, today())
    .unwrap();
    store
        .accept_risk(
            p.id,
            risk.id,
            &acceptance,
            Band::High,
            &as_person(siro, "sam"),
        )
        .await
        .unwrap();
    // On the action's due date it is not yet overdue; the day after it is.
    let due = store
        .risks_due(p.id, day("2026-12-31"), day("2027-01-30"))
        .await
        .unwrap();
    assert_eq!((due.actions_overdue, due.acceptances_ending), (0, 0));
    let due = store
        .risks_due(p.id, day("2027-01-01"), day("2027-01-31"))
        .await
        .unwrap();
    assert_eq!((due.actions_overdue, due.acceptances_ending), (1, 1));
    // Its review date passed: overdue (an accepted risk is still reviewed).
    let review = store
        .risk(p.id, risk.id)
        .await
        .unwrap()
        .unwrap()
        .next_review_on;
    let due = store
        .risks_due(p.id, review + chrono::Duration::days(1), review)
        .await
        .unwrap();
    assert_eq!(due.reviews_overdue, 1);
}
