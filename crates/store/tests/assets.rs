//! The asset register's store conformance suite, on SQLite and (when
//! CUSTODIAN_TEST_DATABASE_URL is set) PostgreSQL.

#[macro_use]
mod common;
use common::{member, practice};

use chrono::NaiveDate;
use custodian_domain::assets::{AccessInput, AssetInput, FlowInput};
use custodian_domain::{PersonId, PracticeRole};
use custodian_store::{AssetFilter, AuditMeta, SharedStore, StoreError};

conformance!(
    assets_need_an_iao_of_the_practice_and_record_their_changes,
    flows_and_access_entries_stay_within_the_practice,
    an_import_writes_every_asset_or_none_and_only_once,
    the_review_dates_of_assets_in_use_are_read,
);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn input(name: &str, iao: PersonId) -> AssetInput {
    AssetInput {
        name: name.into(),
        asset_type: "patient_records".into(),
        format: "electronic".into(),
        volume_band: "over_100000".into(),
        iao_id: Some(iao),
        confidentiality: Some(5),
        confidentiality_reason: "Full GP records".into(),
        ..Default::default()
    }
}

async fn assets_need_an_iao_of_the_practice_and_record_their_changes(store: SharedStore) {
    let a = practice(&store, "Riverside", "Z00001").await;
    let b = practice(&store, "Hillside", "Z00002").await;
    let iao = member(
        &store,
        &a,
        "mkowalski",
        &[PracticeRole::Staff, PracticeRole::InformationAssetOwner],
    )
    .await;
    let plain = member(&store, &a, "staylor", &[PracticeRole::Staff]).await;
    let elsewhere = member(&store, &b, "lchen", &[PracticeRole::InformationAssetOwner]).await;
    let by = AuditMeta::cli();
    for (who, says) in [
        (plain, "does not hold the Information Asset Owner role"),
        (elsewhere, "must be on this practice's staff"),
    ] {
        match store
            .create_asset(
                a.id,
                &input("EMIS Web", who).validate(today()).unwrap(),
                &by,
            )
            .await
        {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e.0[0].field, "iao_id");
                assert!(e.0[0].message.contains(says), "{}", e.0[0].message);
            }
            other => panic!("expected invalid, got {other:?}"),
        }
    }
    assert!(
        store
            .assets(
                a.id,
                &AssetFilter {
                    limit: 100,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty(),
        "nothing half-written"
    );
    let emis = store
        .create_asset(
            a.id,
            &input("EMIS Web", iao).validate(today()).unwrap(),
            &by,
        )
        .await
        .unwrap();
    assert_eq!(emis.iao_name, "mkowalski Person");
    assert_eq!(emis.fields.status, "active");
    store
        .create_asset(
            a.id,
            &input("CCTV recordings", iao).validate(today()).unwrap(),
            &by,
        )
        .await
        .unwrap();
    let mut changed = emis.fields.clone();
    changed.integrity = Some(4);
    changed.integrity_reason = "Clinical decisions rely on it".into();
    let updated = store
        .update_asset(a.id, emis.id, &changed.validate(today()).unwrap(), &by)
        .await
        .unwrap();
    assert_eq!(updated.fields.integrity, Some(4));
    let e = &store.events(Some(a.id), 1).await.unwrap()[0];
    assert_eq!(e.event.action, "asset.update");
    assert_eq!(e.event.details["integrity"]["new"], 4);
    assert!(e.event.details["integrity"]["old"].is_null());
    assert!(
        e.event.details.get("name").is_none(),
        "only changes are recorded"
    );
    // Listing: by name, search, filters; never another practice's.
    let all = store
        .assets(
            a.id,
            &AssetFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        all.iter()
            .map(|x| x.fields.name.as_str())
            .collect::<Vec<_>>(),
        ["CCTV recordings", "EMIS Web"]
    );
    let found = store
        .assets(
            a.id,
            &AssetFilter {
                search: Some("emis".into()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(
        store
            .assets(
                b.id,
                &AssetFilter {
                    limit: 100,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.asset(b.id, emis.id).await.unwrap().is_none());
}

async fn flows_and_access_entries_stay_within_the_practice(store: SharedStore) {
    let a = practice(&store, "Riverside", "Z00001").await;
    let b = practice(&store, "Hillside", "Z00002").await;
    let iao = member(
        &store,
        &a,
        "mkowalski",
        &[PracticeRole::Staff, PracticeRole::InformationAssetOwner],
    )
    .await;
    let iao_b = member(&store, &b, "lchen", &[PracticeRole::InformationAssetOwner]).await;
    let by = AuditMeta::cli();
    let emis = store
        .create_asset(
            a.id,
            &input("EMIS Web", iao).validate(today()).unwrap(),
            &by,
        )
        .await
        .unwrap();
    let docman = store
        .create_asset(a.id, &input("Docman", iao).validate(today()).unwrap(), &by)
        .await
        .unwrap();
    let theirs = store
        .create_asset(
            b.id,
            &input("SystmOne", iao_b).validate(today()).unwrap(),
            &by,
        )
        .await
        .unwrap();
    let flow = |to: Option<custodian_domain::AssetId>, party: &str| FlowInput {
        from_asset_id: Some(emis.id),
        to_asset_id: to,
        to_party: party.into(),
        data: "Letters".into(),
        purpose: "Filing".into(),
        method: "api".into(),
        lifecycle_stage: "share".into(),
        ..Default::default()
    };
    let f = store
        .add_flow(a.id, &flow(Some(docman.id), "").validate().unwrap(), &by)
        .await
        .unwrap();
    assert_eq!(
        (f.from_name.as_str(), f.to_name.as_deref()),
        ("EMIS Web", Some("Docman"))
    );
    store
        .add_flow(a.id, &flow(None, "Hospital trust").validate().unwrap(), &by)
        .await
        .unwrap();
    match store
        .add_flow(a.id, &flow(Some(theirs.id), "").validate().unwrap(), &by)
        .await
    {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "to_asset_id"),
        other => panic!("expected invalid, got {other:?}"),
    }
    assert_eq!(
        store.flows(a.id, Some(docman.id)).await.unwrap().len(),
        1,
        "flows into an asset count too"
    );
    assert_eq!(store.flows(a.id, None).await.unwrap().len(), 2);
    // Only through an asset it goes into or out of, and only in its practice.
    assert!(matches!(
        store
            .remove_flow(
                a.id,
                custodian_domain::AssetId(uuid::Uuid::now_v7()),
                f.id,
                &by
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    store.remove_flow(a.id, docman.id, f.id, &by).await.unwrap();
    assert_eq!(store.flows(a.id, None).await.unwrap().len(), 1);
    assert!(matches!(
        store.remove_flow(b.id, emis.id, f.id, &by).await,
        Err(StoreError::NotFound(_))
    ));

    let x = store
        .add_access(
            a.id,
            emis.id,
            &AccessInput {
                role: Some(PracticeRole::Staff),
                level: "read".into(),
                reason: "Reception books appointments".into(),
                ..Default::default()
            },
            &by,
        )
        .await
        .unwrap();
    assert_eq!(x.role, Some(PracticeRole::Staff));
    let named = store
        .add_access(
            a.id,
            emis.id,
            &AccessInput {
                person_id: Some(iao),
                level: "admin".into(),
                reason: "IT lead".into(),
                ..Default::default()
            },
            &by,
        )
        .await
        .unwrap();
    assert_eq!(named.person_name.as_deref(), Some("mkowalski Person"));
    assert!(matches!(
        store
            .add_access(
                a.id,
                emis.id,
                &AccessInput {
                    person_id: Some(iao_b),
                    level: "read".into(),
                    reason: "x".into(),
                    ..Default::default()
                },
                &by
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .add_access(
                b.id,
                emis.id,
                &AccessInput {
                    role: Some(PracticeRole::Staff),
                    level: "read".into(),
                    ..Default::default()
                },
                &by
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.remove_access(a.id, docman.id, x.id, &by).await,
        Err(StoreError::NotFound(_))
    ));
    store.remove_access(a.id, emis.id, x.id, &by).await.unwrap();
    assert_eq!(
        store
            .access_entries(a.id, Some(emis.id))
            .await
            .unwrap()
            .len(),
        1
    );
    // An access review: keep the named entry, drop a new role entry; signed off by the IAO.
    let extra = store
        .add_access(
            a.id,
            emis.id,
            &AccessInput {
                role: Some(PracticeRole::LineManager),
                level: "read".into(),
                reason: "Rotas".into(),
                ..Default::default()
            },
            &by,
        )
        .await
        .unwrap();
    let iao_meta = AuditMeta {
        actor_id: Some(iao),
        actor: "mkowalski".into(),
        ..Default::default()
    };
    assert!(matches!(
        store
            .review_access(
                a.id,
                emis.id,
                &[custodian_domain::AccessEntryId::new()],
                "",
                chrono::Utc::now(),
                &iao_meta
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    let review = store
        .review_access(
            a.id,
            emis.id,
            &[named.id],
            "Quarterly review",
            chrono::Utc::now(),
            &iao_meta,
        )
        .await
        .unwrap();
    assert_eq!((review.confirmed, review.removed), (1, 1));
    assert_eq!(review.reviewed_by_name, "mkowalski Person");
    let left: Vec<_> = store
        .access_entries(a.id, Some(emis.id))
        .await
        .unwrap()
        .into_iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(left, [named.id]);
    assert!(!left.contains(&extra.id));
    assert_eq!(store.access_reviews(a.id, emis.id).await.unwrap().len(), 1);
    // What the data-quality check counts: the one flow left (external, unencrypted, no
    // agreement) and an entry without a reason; nothing of the other practice.
    store
        .add_access(
            a.id,
            docman.id,
            &AccessInput {
                role: Some(PracticeRole::Staff),
                level: "read".into(),
                ..Default::default()
            },
            &by,
        )
        .await
        .unwrap();
    let (flows, no_reason) = store.register_facts(a.id).await.unwrap();
    assert_eq!(
        flows,
        [(
            emis.id,
            custodian_domain::assets::FlowFact {
                encrypted: false,
                has_agreement: false,
                external: true
            },
            1
        )]
    );
    assert_eq!(no_reason, [(docman.id, 1)]);
    let (flows, no_reason) = store.register_facts(b.id).await.unwrap();
    assert!(flows.is_empty() && no_reason.is_empty());
    let actions: Vec<String> = store
        .events(Some(a.id), 20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    for want in [
        "asset.create",
        "asset_flow.create",
        "asset_flow.remove",
        "asset_access.create",
        "asset_access.remove",
        "asset_access.review",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want} recorded");
    }
}

async fn an_import_writes_every_asset_or_none_and_only_once(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let ivy = member(&store, &p, "ivy", &[PracticeRole::InformationAssetOwner]).await;
    let sam = member(&store, &p, "sam", &[]).await;
    let uploader = AuditMeta {
        actor_id: Some(sam),
        actor: "sam".into(),
        ..Default::default()
    };
    let staged = store
        .stage_import(
            Some(p.id),
            "assets",
            "register.csv",
            b"name\nx\n",
            serde_json::json!({"rows": 1}),
            &uploader,
        )
        .await
        .unwrap();
    assert_eq!(staged.status.as_str(), "pending");
    assert_eq!(staged.uploaded_by_name, "sam Person");
    assert_eq!(staged.content.as_deref(), Some(&b"name\nx\n"[..]));
    assert_eq!(staged.sha256.len(), 64);

    // One asset whose owner is not an IAO: nothing is written, the file stays pending.
    let good = input("Docman", ivy).validate(today()).unwrap();
    let mut bad = input("Paper notes", ivy).validate(today()).unwrap();
    bad.input.iao_id = Some(sam);
    let err = store
        .import_assets(
            p.id,
            Some(staged.id),
            &[good.clone(), bad],
            serde_json::json!({}),
            &uploader,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert!(
        store
            .assets(
                p.id,
                &AssetFilter {
                    limit: 100,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .register_import(Some(p.id), staged.id)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "pending"
    );

    let second = input("Vision", ivy).validate(today()).unwrap();
    let n = store
        .import_assets(
            p.id,
            Some(staged.id),
            &[good.clone(), second],
            serde_json::json!({"mode": "all"}),
            &uploader,
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        store
            .assets(
                p.id,
                &AssetFilter {
                    limit: 100,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .len(),
        2
    );
    let done = store
        .register_import(Some(p.id), staged.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (done.status.as_str(), done.written, done.content),
        ("imported", 2, None)
    );
    // A second submit of the same file writes nothing.
    let again = store
        .import_assets(
            p.id,
            Some(staged.id),
            &[good],
            serde_json::json!({}),
            &uploader,
        )
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict { .. }));
    assert_eq!(
        store
            .assets(
                p.id,
                &AssetFilter {
                    limit: 100,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        store
            .discard_import(Some(p.id), staged.id, &uploader)
            .await
            .is_err()
    );

    // Each asset's creation names the import, and the import is recorded once.
    let events = store.events(Some(p.id), 50).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "asset.create").count(), 2);
    assert_eq!(actions.iter().filter(|a| **a == "asset.import").count(), 1);
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "asset.import_upload")
            .count(),
        1
    );
    let created = events
        .iter()
        .find(|e| e.event.action == "asset.create")
        .unwrap();
    assert_eq!(
        created.event.details["import"],
        serde_json::json!(staged.id)
    );

    // Another practice cannot see or use the staged file.
    let other = practice(&store, "Hillside", "Z00002").await;
    assert!(
        store
            .register_import(Some(other.id), staged.id)
            .await
            .unwrap()
            .is_none()
    );
    let staged2 = store
        .stage_import(
            Some(p.id),
            "assets",
            "b.csv",
            b"x",
            serde_json::json!({}),
            &uploader,
        )
        .await
        .unwrap();
    assert!(
        store
            .discard_import(Some(other.id), staged2.id, &uploader)
            .await
            .is_err()
    );
    store
        .discard_import(Some(p.id), staged2.id, &uploader)
        .await
        .unwrap();
    let gone = store
        .register_import(Some(p.id), staged2.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((gone.status.as_str(), gone.content), ("discarded", None));
}

async fn the_review_dates_of_assets_in_use_are_read(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let iao = member(&store, &p, "ivy", &[PracticeRole::InformationAssetOwner]).await;
    let by = AuditMeta::cli();
    let mut reviewed = input("EMIS Web", iao);
    reviewed.last_reviewed_on = "2026-06-01".into();
    reviewed.review_interval_months = Some(6);
    store
        .create_asset(p.id, &reviewed.validate(today()).unwrap(), &by)
        .await
        .unwrap();
    let mut retired = input("Old server", iao);
    retired.status = "retired".into();
    retired.retired_on = "2026-01-01".into();
    store
        .create_asset(p.id, &retired.validate(today()).unwrap(), &by)
        .await
        .unwrap();
    let dates = store.asset_review_dates(p.id).await.unwrap();
    assert_eq!(dates.len(), 1, "a retired asset is not reviewed");
    let (_, last, months, _) = dates[0];
    assert_eq!((last, months), (NaiveDate::from_ymd_opt(2026, 6, 1), 6));
}
