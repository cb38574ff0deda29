//! The demo's information asset registers: assets, flows, access entries and reviews.

use super::*;
use custodian_domain::assets::{AccessInput, FlowInput};

/// Each practice's register: its main systems and records, how data moves, who has access.
/// Each practice's register: EMIS Web (linked to the EMIS Web logins), Docman, CCTV and a
/// paper store, with flows and access entries. Returns each practice's EMIS Web asset.
pub(super) async fn seed(demo: &mut Demo<'_>) -> Result<(), StoreError> {
    let (store, today) = (demo.store, demo.today);
    let Demo { practices, staff, systems, .. } = &*demo;
    let mut emis_assets = Vec::new();
    use custodian_domain::assets::AssetInput;
    let owners = ["m.kowalski", "l.chen", "d.murphy"];
    let managers = ["r.ahmed", "k.mills", "f.begum"];
    for (i, practice) in practices.iter().enumerate() {
        let iao = staff[owners[i]];
        let by = AuditMeta {
            actor_id: Some(staff[managers[i]]),
            actor: managers[i].to_string(),
            ..AuditMeta::system("demo")
        };
        let asset = |name: &str,
                     kind: &str,
                     format: &str,
                     volume: &str,
                     c: u8,
                     i_: u8,
                     a: u8,
                     why: &str| AssetInput {
            name: name.into(),
            asset_type: kind.into(),
            format: format.into(),
            volume_band: volume.into(),
            iao_id: Some(iao),
            confidentiality: Some(c),
            confidentiality_reason: why.into(),
            integrity: Some(i_),
            integrity_reason: "Care decisions rely on it".into(),
            availability: Some(a),
            availability_reason: "Needed in every session".into(),
            classification: "Official-Sensitive".into(),
            lawful_basis: "Article 6(1)(e) public task".into(),
            retention_period: "As the Records Management Code of Practice 2021".into(),
            last_reviewed_on: (today - chrono::Duration::days(90)).to_string(),
            ..Default::default()
        };
        let mut emis = asset(
            "EMIS Web patient records",
            "patient_records",
            "electronic",
            "over_100000",
            5,
            5,
            5,
            "Whole GP records of every registered patient",
        );
        emis.special_category = true;
        emis.special_condition = "Article 9(2)(h) health or social care".into();
        emis.hosting = "supplier_hosted".into();
        emis.supplier_name = "EMIS Health".into();
        emis.supplier_dspt_status = "standards_met".into();
        emis.personal_data = "Demographics, consultations, prescriptions, results".into();
        emis.data_subjects = "Registered patients".into();
        emis.continuity_notes =
            "Recovery time 4 hours (supplier); paper templates in the reception safe".into();
        emis.system_id = systems.get(i).and_then(|s| s.first().copied());
        let emis = store
            .create_asset(*practice, &emis.validate(today)?, &by)
            .await?;
        emis_assets.push(emis.id);
        let docman = store
            .create_asset(
                *practice,
                &asset(
                    "Docman correspondence",
                    "system",
                    "electronic",
                    "10000_100000",
                    4,
                    4,
                    3,
                    "Letters about patients",
                )
                .validate(today)?,
                &by,
            )
            .await?;
        let mut cctv = asset(
            "CCTV recordings",
            "cctv",
            "electronic",
            "1000_10000",
            3,
            2,
            2,
            "Images of patients and staff",
        );
        cctv.availability = None; // a gap for the data-quality report
        cctv.availability_reason = String::new();
        let cctv = store
            .create_asset(*practice, &cctv.validate(today)?, &by)
            .await?;
        store
            .create_asset(
                *practice,
                &asset(
                    "Staff files",
                    "staff_records",
                    "paper",
                    "under_1000",
                    4,
                    3,
                    2,
                    "HR records of every member of staff",
                )
                .validate(today)?,
                &by,
            )
            .await?;
        seed_flows_and_access(store, *practice, iao, &by, [emis.id, docman.id, cctv.id]).await?;
    }
    demo.emis_assets = emis_assets;
    Ok(())
}

/// A practice's demo data flows (one unencrypted, one without an agreement) and access
/// entries, for the data-quality report to find.
async fn seed_flows_and_access(
    store: &SharedStore,
    practice: PracticeId,
    iao: custodian_domain::PersonId,
    by: &AuditMeta,
    [emis, docman, cctv]: [custodian_domain::AssetId; 3],
) -> Result<(), StoreError> {
    let flow = |to: Option<custodian_domain::AssetId>,
                party: &str,
                data: &str,
                purpose: &str,
                method: &str,
                encrypted: bool,
                dsa: &str,
                from: custodian_domain::AssetId| FlowInput {
        from_asset_id: Some(from),
        to_asset_id: to,
        to_party: party.into(),
        data: data.into(),
        purpose: purpose.into(),
        method: method.into(),
        encrypted,
        frequency: "Daily".into(),
        agreement_ref: dsa.into(),
        lifecycle_stage: "share".into(),
        ..Default::default()
    };
    let flows = [
        flow(
            None,
            "Hospital trust",
            "Referral letters",
            "Secondary care referrals",
            "nhsmail",
            true,
            "DSA-2025-014",
            emis,
        ),
        flow(
            Some(docman),
            "",
            "Scanned letters",
            "Filing in the record",
            "api",
            true,
            "",
            emis,
        ),
        flow(
            None,
            "Police",
            "CCTV footage",
            "Requests under Schedule 2",
            "removable_media",
            false,
            "",
            cctv,
        ),
    ];
    for f in flows {
        store.add_flow(practice, &f.validate()?, by).await?;
    }
    seed_access(store, practice, iao, by, emis, cctv).await
}

/// A practice's demo access entries (one without a reason).
async fn seed_access(
    store: &SharedStore,
    practice: PracticeId,
    iao: custodian_domain::PersonId,
    by: &AuditMeta,
    emis: custodian_domain::AssetId,
    cctv: custodian_domain::AssetId,
) -> Result<(), StoreError> {
    let access = |role: Option<custodian_domain::PracticeRole>,
                  person: Option<custodian_domain::PersonId>,
                  level: &str,
                  reason: &str| AccessInput {
        role,
        person_id: person,
        level: level.into(),
        reason: reason.into(),
    };
    store
        .add_access(
            practice,
            emis,
            &access(
                Some(custodian_domain::PracticeRole::Staff),
                None,
                "read",
                "Booking appointments and reading records for care",
            ),
            by,
        )
        .await?;
    store
        .add_access(
            practice,
            emis,
            &access(None, Some(iao), "admin", "Manages user accounts"),
            by,
        )
        .await?;
    store
        .add_access(
            practice,
            cctv,
            &access(
                Some(custodian_domain::PracticeRole::PracticeManager),
                None,
                "read",
                "",
            ),
            by,
        )
        .await?;
    Ok(())
}
