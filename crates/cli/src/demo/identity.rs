//! The demo's people: staff in every role, provider staff, administrators, starters and leavers.

use super::*;

/// Security questions for everyone, MFA for those who must use it, nominated administrators,
/// each practice's systems with logins to create, a starter waiting for approval, and a
/// leaver due at the end of the month: so every identity page has something to show.
pub(super) async fn seed(demo: &mut Demo<'_>) -> Result<(), StoreError> {
    let (store, today) = (demo.store, demo.today);
    let Demo { practices, staff, provider, password_hash, .. } = &*demo;
    use custodian_domain::identity::SECURITY_QUESTIONS;
    let by = AuditMeta::system("demo");
    let passwords = custodian_app::Passwords::new(2);
    let answer = passwords
        .hash(DEMO_ANSWER)
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let answers: Vec<(String, String)> = SECURITY_QUESTIONS[..3]
        .iter()
        .map(|q| (q.to_string(), answer.clone()))
        .collect();
    let everyone: Vec<custodian_domain::PersonId> =
        staff.values().chain(provider.values()).copied().collect();
    for p in &everyone {
        store
            .set_security_answers(
                *p,
                &answers,
                &by.event(
                    None,
                    "person.security_questions_set",
                    "person",
                    Some(p.to_string()),
                ),
            )
            .await?;
        // The demo password is also its first password in the history.
        store
            .set_password(
                *p,
                password_hash,
                &by.event(
                    None,
                    "person.password_change",
                    "person",
                    Some(p.to_string()),
                ),
            )
            .await?;
    }
    for (username, practice, nominator, reason) in ADMINISTRATORS {
        store
            .nominate_administrator(
                practices[*practice],
                staff[username],
                reason,
                2,
                &as_person(staff[nominator], nominator),
            )
            .await?;
    }
    let mfa: Vec<custodian_domain::PersonId> = provider
        .values()
        .copied()
        .chain(ADMINISTRATORS.iter().map(|(u, _, _, _)| staff[u]))
        .collect();
    for p in mfa {
        store
            .enable_mfa(
                p,
                DEMO_TOTP_SECRET,
                &[],
                0,
                &by.event(None, "mfa.enrol", "person", Some(p.to_string())),
            )
            .await?;
    }
    let mut systems = Vec::new();
    for p in practices {
        // Each demo practice is past its first day: its settings were looked at and saved.
        store
            .set_settings(*p, &custodian_domain::settings::PracticeSettings::default(), &by)
            .await?;
        let mut ids = Vec::new();
        for name in SYSTEMS {
            ids.push(store.add_system(*p, name, &by).await?.id);
        }
        systems.push(ids);
    }
    seed_riverside(store, practices[0], staff, &systems, today).await?;
    demo.systems = systems;
    Ok(())
}

/// Someone acting in the demo's history.
fn as_person(id: custodian_domain::PersonId, name: &str) -> AuditMeta {
    AuditMeta {
        actor_id: Some(id),
        actor: name.to_string(),
        ..AuditMeta::system("demo")
    }
}

/// Riverside: a receptionist who started last month (logins created), a starter waiting for
/// approval, and a nurse leaving at the end of the month.
async fn seed_riverside(
    store: &SharedStore,
    riverside: PracticeId,
    staff: &std::collections::HashMap<&str, custodian_domain::PersonId>,
    systems: &[Vec<custodian_domain::SystemId>],
    today: chrono::NaiveDate,
) -> Result<(), StoreError> {
    use custodian_domain::identity::NewAccessRequest;
    let jasmine = staff["j.green"];
    let sam = staff["s.taylor"];
    let rukhsana = staff["r.ahmed"];
    let mover = NewAccessRequest {
        full_name: "Sam Taylor".into(),
        username: "s.taylor".into(),
        job_title: "Receptionist".into(),
        roles: vec![custodian_domain::PracticeRole::Staff],
        systems: vec![systems[0][0], systems[0][1], systems[0][2]],
        start_date: today.to_string(),
        line_manager_id: Some(jasmine),
        ..Default::default()
    }
    .validate(today)?;
    let r = store
        .create_access_request(riverside, Some(sam), &mover, &as_person(jasmine, "j.green"))
        .await?;
    store
        .approve_access_request(
            riverside,
            r.id,
            "Logins for the new reception rota",
            None,
            None,
            &as_person(rukhsana, "r.ahmed"),
        )
        .await?;
    let grants = store.access_grants(riverside, true).await?;
    if let Some(g) = grants.first() {
        store
            .complete_access_grant(
                riverside,
                g.id,
                "EMIS Web login created; smartcard booked",
                &as_person(staff["m.kowalski"], "m.kowalski"),
            )
            .await?;
    }
    let starter = NewAccessRequest {
        full_name: "Owen Price".into(),
        username: "o.price".into(),
        email: Some("o.price@example.nhs.uk".into()),
        job_title: "Healthcare Assistant".into(),
        roles: vec![custodian_domain::PracticeRole::Staff],
        systems: vec![systems[0][0], systems[0][1]],
        start_date: (today + chrono::Duration::days(7)).to_string(),
        line_manager_id: Some(jasmine),
    }
    .validate(today)?;
    store
        .create_access_request(riverside, None, &starter, &as_person(jasmine, "j.green"))
        .await?;
    let month_end = {
        use chrono::Datelike;
        let first_next = if today.month() == 12 {
            chrono::NaiveDate::from_ymd_opt(today.year() + 1, 1, 1)
        } else {
            chrono::NaiveDate::from_ymd_opt(today.year(), today.month() + 1, 1)
        };
        first_next.expect("a real date") - chrono::Duration::days(1)
    };
    let leave_date = if month_end > today {
        month_end
    } else {
        today + chrono::Duration::days(30)
    };
    store
        .record_leaver(
            riverside,
            staff["a.nwosu"],
            leave_date,
            "Moving to a hospital post",
            &as_person(rukhsana, "r.ahmed"),
        )
        .await?;
    Ok(())
}
