//! The equipment register's store conformance suite, on SQLite and (when
//! CUSTODIAN_TEST_DATABASE_URL is set) PostgreSQL: tags and serials unique in a practice, custody
//! steps checked against where a device stands, each practice's devices its own.

#[macro_use]
mod common;
use common::{member, practice};

use chrono::{NaiveDate, TimeZone, Utc};
use custodian_domain::devices::{Custody, DeviceInput, DeviceStatus};
use custodian_domain::{DeviceId, PracticeRole};
use custodian_store::{AuditMeta, DeviceFilter, SharedStore, StoreError};

conformance!(
    a_device_is_issued_returned_and_disposed_of_with_its_history,
    tags_and_serials_are_unique_in_a_practice_and_a_step_must_fit,
    a_practice_never_reaches_another_practices_devices,
    a_lost_device_reports_its_incident_in_the_same_step,
);

fn laptop(tag: &str, serial: &str) -> DeviceInput {
    DeviceInput {
        asset_tag: tag.into(),
        kind: "laptop".into(),
        make_model: "Dell Latitude 5440".into(),
        serial: serial.into(),
        ..Default::default()
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

async fn a_device_is_issued_returned_and_disposed_of_with_its_history(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let sam = member(&store, &p, "staylor", &[PracticeRole::Staff]).await;
    let by = AuditMeta::cli();
    let t = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let d = store
        .add_device(
            p.id,
            &laptop("RMC-LT-01", "7GH2KQ3").validate().unwrap(),
            t,
            &by,
        )
        .await
        .unwrap();
    assert_eq!(d.status, DeviceStatus::InStock);
    let issued = store
        .move_device(
            p.id,
            d.id,
            &Custody::Issue {
                to: sam,
                on: day(1),
                signed: true,
            },
            t,
            &by,
        )
        .await
        .unwrap();
    assert_eq!(issued.status, DeviceStatus::Issued);
    assert_eq!(issued.holder_id, Some(sam));
    assert_eq!(issued.holder_name.as_deref(), Some("staylor Person"));
    assert_eq!((issued.issued_on, issued.signed), (Some(day(1)), true));
    let held = DeviceFilter {
        holder: Some(sam),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(store.devices(p.id, &held).await.unwrap().len(), 1);

    let back = store
        .move_device(p.id, d.id, &Custody::Return { on: day(3) }, t, &by)
        .await
        .unwrap();
    assert_eq!(
        (back.status, back.holder_id, back.issued_on),
        (DeviceStatus::InStock, None, None)
    );
    assert!(store.devices(p.id, &held).await.unwrap().is_empty());
    let how = "Drive shredded by a certified contractor, certificate 4411".to_string();
    let gone = store
        .move_device(
            p.id,
            d.id,
            &Custody::Dispose {
                on: day(4),
                how: how.clone(),
            },
            t,
            &by,
        )
        .await
        .unwrap();
    assert_eq!(gone.status, DeviceStatus::Disposed);
    assert_eq!(
        (gone.disposed_on, gone.disposal_how),
        (Some(day(4)), Some(how))
    );

    let history = store.device_history(p.id, d.id).await.unwrap();
    let steps: Vec<_> = history.iter().map(|e| e.step.as_str()).collect();
    assert_eq!(steps, ["add", "issue", "return", "dispose"]);
    // The return names who handed it back.
    assert_eq!(history[2].person_name.as_deref(), Some("staylor Person"));
    assert_eq!(history[2].on, day(3));
}

async fn tags_and_serials_are_unique_in_a_practice_and_a_step_must_fit(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let by = AuditMeta::cli();
    let t = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let add = |tag: &'static str, serial: &'static str| {
        let store = store.clone();
        async move {
            store
                .add_device(
                    p.id,
                    &laptop(tag, serial).validate().unwrap(),
                    t,
                    &AuditMeta::cli(),
                )
                .await
        }
    };
    let d = add("RMC-LT-01", "SER-1").await.unwrap();
    for (tag, serial, field) in [
        ("RMC-LT-01", "SER-2", "asset_tag"),
        ("RMC-LT-02", "SER-1", "serial"),
    ] {
        match add(tag, serial).await {
            Err(StoreError::Conflict { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{tag} {serial}: {other:?}"),
        }
    }
    // Serial numbers left empty are not a clash.
    add("RMC-LT-03", "").await.unwrap();
    add("RMC-LT-04", "").await.unwrap();

    // A person of no practice's staff, and a second issue of an issued device, are refused.
    let stranger = member(
        &store,
        &practice(&store, "Hillside", "Z00002").await,
        "stranger",
        &[],
    )
    .await;
    match store
        .move_device(
            p.id,
            d.id,
            &Custody::Issue {
                to: stranger,
                on: day(1),
                signed: false,
            },
            t,
            &by,
        )
        .await
    {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "to"),
        other => panic!("{other:?}"),
    }
    let sam = member(&store, &p, "staylor", &[]).await;
    let issue = Custody::Issue {
        to: sam,
        on: day(1),
        signed: false,
    };
    store.move_device(p.id, d.id, &issue, t, &by).await.unwrap();
    match store.move_device(p.id, d.id, &issue, t, &by).await {
        Err(StoreError::Invalid(e)) => assert!(e.0[0].message.contains("record its return first")),
        other => panic!("{other:?}"),
    }
    // Nothing half-written: the refused steps left no history.
    assert_eq!(store.device_history(p.id, d.id).await.unwrap().len(), 2);

    // An information asset of another practice is refused.
    let mut linked = laptop("RMC-SV-01", "").validate().unwrap();
    linked.asset_id = Some(custodian_domain::AssetId::new());
    match store.add_device(p.id, &linked, t, &by).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "asset_id"),
        other => panic!("{other:?}"),
    }
}

async fn a_practice_never_reaches_another_practices_devices(store: SharedStore) {
    let river = practice(&store, "Riverside", "Z00001").await;
    let hill = practice(&store, "Hillside", "Z00002").await;
    let by = AuditMeta::cli();
    let t = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let d = store
        .add_device(
            river.id,
            &laptop("RMC-LT-01", "").validate().unwrap(),
            t,
            &by,
        )
        .await
        .unwrap();
    // The same tag in another practice is its own.
    store
        .add_device(
            hill.id,
            &laptop("RMC-LT-01", "").validate().unwrap(),
            t,
            &by,
        )
        .await
        .unwrap();
    assert!(store.device(hill.id, d.id).await.unwrap().is_none());
    assert!(
        store
            .device_history(hill.id, d.id)
            .await
            .unwrap()
            .is_empty()
    );
    for r in [
        store
            .move_device(hill.id, d.id, &Custody::Lose { on: day(1) }, t, &by)
            .await,
        store
            .change_device(hill.id, d.id, &laptop("X", "").validate().unwrap(), t, &by)
            .await,
        store
            .move_device(
                river.id,
                DeviceId::new(),
                &Custody::Lose { on: day(1) },
                t,
                &by,
            )
            .await,
    ] {
        assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    }
}

async fn a_lost_device_reports_its_incident_in_the_same_step(store: SharedStore) {
    use custodian_domain::devices::{CustodyInput, loss_report};
    use custodian_domain::incidents::IncidentStatus;
    let p = practice(&store, "Riverside", "Z00001").await;
    let sam = member(&store, &p, "staylor", &[PracticeRole::Staff]).await;
    let by = AuditMeta::cli();
    let t = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
    let d = store
        .add_device(p.id, &laptop("RMC-LT-01", "").validate().unwrap(), t, &by)
        .await
        .unwrap();
    let said = CustodyInput {
        what_happened: "Left on the train".into(),
        patient_data: true,
        ..Default::default()
    };
    let report = loss_report("RMC-LT-01", day(6), &said, t);
    let (lost, incident) = store
        .lose_device(p.id, d.id, day(6), &report, sam, t, &by)
        .await
        .unwrap();
    assert_eq!(lost.status, DeviceStatus::LostOrStolen);
    let i = store.incident(p.id, incident).await.unwrap().unwrap();
    assert_eq!(i.status, IncidentStatus::Reported);
    assert!(i.what_happened.contains("Left on the train"));
    assert_eq!(i.reported_by, sam);
    let involved = store.incident_involved(p.id, incident).await.unwrap();
    assert_eq!(involved.len(), 1);
    assert_eq!(involved[0].kind, "device");
    assert_eq!(involved[0].name, "RMC-LT-01 (Dell Latitude 5440)");

    // Lost again, it is refused, and no second incident is reported.
    let again = store
        .lose_device(p.id, d.id, day(6), &report, sam, t, &by)
        .await;
    assert!(matches!(again, Err(StoreError::Invalid(_))), "{again:?}");
    let all = custodian_store::IncidentFilter {
        limit: 50,
        ..Default::default()
    };
    assert_eq!(store.incidents(p.id, &all).await.unwrap().len(), 1);
}
