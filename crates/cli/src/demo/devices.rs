//! The demo's equipment registers: in each practice the manager's laptop and the reception
//! desktop issued and signed for, the router issued to whoever owns the network, a phone in
//! stock, the laptop lost on the train with the incident of that name, and an old desktop
//! disposed of with its certificate; at Riverside, the laptop of the nurse who is leaving, the
//! reception team leader's phone approved for two-factor codes, and the locum's laptop refused
//! after its check found it unencrypted.

use super::*;
use chrono::{Duration, Utc};
use custodian_domain::devices::{Custody, DeviceInput};
use custodian_domain::incidents::{IncidentKind, Involved};
use custodian_store::IncidentFilter;

pub(super) async fn seed(demo: &mut Demo<'_>) -> Result<(), StoreError> {
    let store = demo.store;
    let now = Utc::now();
    let today = demo.today;
    let managers = ["r.ahmed", "k.mills", "f.begum"];
    let network = ["m.kowalski", "k.mills", "d.murphy"];
    for (i, practice) in demo.practices.iter().copied().enumerate() {
        let by = AuditMeta {
            actor_id: Some(demo.staff[managers[i]]),
            actor: managers[i].to_string(),
            ..AuditMeta::system("demo")
        };
        let reception = STAFF
            .iter()
            .find(|s| s.3 == i && s.4 == [PracticeRole::Staff])
            .map_or(managers[i], |s| s.0);
        let mut holders = vec![
            ("LT-001", "laptop", "Dell Latitude 5440", "Windows 11 Pro", Some(managers[i])),
            ("DT-001", "desktop", "HP ProDesk 400 G9", "Windows 11 Pro", Some(reception)),
            ("FW-001", "router_firewall", "Draytek Vigor 2865", "DrayOS 4.4", Some(network[i])),
            ("PH-001", "smartphone", "Samsung Galaxy A55", "Android 14", None),
            ("LT-002", "laptop", "Lenovo ThinkPad E14", "Windows 11 Pro", None),
            ("DT-000", "desktop", "Dell OptiPlex 3020", "Windows 10 Pro", None),
        ];
        if i == 0 {
            holders.push(("LT-003", "laptop", "Dell Latitude 5440", "Windows 11 Pro", Some("a.nwosu")));
        }
        for (n, (tag, kind, model, os, holder)) in holders.into_iter().enumerate() {
            let input = DeviceInput {
                asset_tag: tag.into(),
                kind: kind.into(),
                make_model: model.into(),
                serial: format!("DEMO{i}{n:03}"),
                operating_system: os.into(),
                location: if kind == "router_firewall" { "Comms cupboard" } else { "" }.into(),
                ..Default::default()
            };
            let valid = input
                .validate()
                .map_err(StoreError::Invalid)?;
            let added = now - Duration::days(400);
            let d = store.add_device(practice, &valid, added, &by).await?;
            let on = today - Duration::days(300);
            if let Some(who) = holder {
                let issue = Custody::Issue { to: demo.staff[who], on, signed: true };
                store.move_device(practice, d.id, &issue, added, &by).await?;
            }
            let later = now - Duration::days(20);
            match tag {
                // Lost on the train with the day's home-visit list (the incident of that name).
                "LT-002" => {
                    store
                        .move_device(practice, d.id, &Custody::Lose { on: today - Duration::days(20) }, later, &by)
                        .await?;
                    let lost = IncidentFilter {
                        kind: Some(IncidentKind::LostOrStolen),
                        limit: 10,
                        ..Default::default()
                    };
                    for i in store.incidents(practice, &lost).await? {
                        store
                            .involve_in_incident(practice, i.id, Involved::Device(d.id), later, &by)
                            .await?;
                    }
                }
                "DT-000" => {
                    let how = "Hard drive shredded by a certified contractor, certificate WEEE-2026-0187".to_string();
                    store
                        .move_device(practice, d.id, &Custody::Dispose { on: today - Duration::days(60), how }, later, &by)
                        .await?;
                }
                _ => {}
            }
        }
    }
    personal(demo).await
}

/// Riverside's personal devices: a phone approved, a laptop refused after a failed check.
async fn personal(demo: &mut Demo<'_>) -> Result<(), StoreError> {
    use custodian_domain::devices::personal::{self as rules, CheckInput, Declaration, PersonalKind};
    let (store, practice, today) = (demo.store, demo.practices[0], demo.today);
    let manager = AuditMeta {
        actor_id: Some(demo.staff["r.ahmed"]),
        actor: "r.ahmed".into(),
        ..AuditMeta::system("demo")
    };
    let when = Utc::now() - Duration::days(30);
    let cases = [
        ("j.green", "mobile", "Samsung Galaxy S23", "Two-factor codes for NHSmail when on call", None),
        ("dr.locum", "laptop", "MacBook Air (2019)", "Letters and referrals from home", Some("encryption")),
    ];
    for (who, kind, model, purpose, failing) in cases {
        let owner = AuditMeta {
            actor_id: Some(demo.staff[who]),
            actor: who.into(),
            ..AuditMeta::system("demo")
        };
        let declared = Declaration {
            kind: kind.into(),
            make_model: model.into(),
            purpose: purpose.into(),
            ..Default::default()
        }
        .validate()
        .map_err(StoreError::Invalid)?;
        let d = store
            .declare_personal(practice, demo.staff[who], &declared, when, &owner)
            .await?;
        store
            .decide_personal_need(practice, d.id, (true, "No practice-issued device goes home with them"), when, &manager)
            .await?;
        let kind = PersonalKind::parse(kind).expect("a kind");
        let answers = kind
            .checklist()
            .iter()
            .map(|(w, _)| (w.to_string(), if Some(*w) == failing { "fail" } else { "pass" }.to_string()))
            .collect();
        let check = CheckInput {
            answers,
            note: if failing.is_some() { "FileVault is off and the owner would not turn it on".into() } else { String::new() },
            outcome: if failing.is_some() { "refused" } else { "approved" }.into(),
        }
        .validate(kind)
        .map_err(StoreError::Invalid)?;
        let approved = today - Duration::days(30);
        let expires = rules::approval_expires(approved, rules::APPROVAL_MONTHS);
        // Its failed item raised as a risk, as a check in the web does.
        let matrix = custodian_domain::risks::matrix(&store.settings(practice).await?.risk_matrix);
        let failed = check.failed(kind);
        let risk = match failed.is_empty() {
            true => None,
            false => Some(
                rules::risk_from_check(model, &d.owner_name, &failed, &check.note, matrix.size(), demo.staff["r.ahmed"])
                    .validate(matrix, today, None)
                    .map_err(StoreError::Invalid)?,
            ),
        };
        store
            .check_personal(practice, d.id, &check, risk.as_ref(), (approved, expires), when, &manager)
            .await?;
    }
    Ok(())
}
