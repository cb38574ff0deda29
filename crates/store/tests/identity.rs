//! The identity-and-access part of the store conformance suite, on SQLite and (when
//! CUSTODIAN_TEST_DATABASE_URL is set) PostgreSQL.

#[macro_use]
mod common;

use chrono::{Duration, NaiveDate, SubsecRound, Utc};
use custodian_domain::identity::{NewAccessRequest, SessionStage};
use custodian_domain::settings::PracticeSettings;
use custodian_domain::{
    NewPerson, NewPractice, Permission, PersonId, Practice, PracticeRole, ProviderRole,
};
use custodian_store::{ApiToken, AuditMeta, NewAccount, NewSession, SharedStore, StoreError};

conformance!(
    settings_default_change_and_are_audited,
    ten_failed_sign_ins_lock_and_an_unlock_is_recorded,
    a_reset_issues_a_one_time_password_and_ends_every_session,
    security_answers_and_identity_checks,
    mfa_steps_are_never_reused_and_recovery_codes_work_once,
    api_tokens_live_until_revoked_expired_or_their_owner_leaves,
    a_starter_is_requested_approved_and_given_tasks_per_system,
    nobody_approves_their_own_request_and_decisions_are_final,
    a_mover_changes_roles_and_systems,
    a_leaver_loses_this_practice_and_is_deactivated_when_nothing_remains,
    administrators_are_nominated_up_to_the_cap,
);

fn by(p: PersonId, name: &str) -> AuditMeta {
    AuditMeta {
        actor_id: Some(p),
        actor: name.into(),
        ..Default::default()
    }
}

async fn practice(store: &SharedStore, name: &str, ods: &str) -> Practice {
    store
        .create_practice(
            &NewPractice {
                name: name.into(),
                ods_code: ods.into(),
            }
            .validate()
            .unwrap(),
            &AuditMeta::cli(),
        )
        .await
        .unwrap()
}

async fn person(
    store: &SharedStore,
    practice: Option<&Practice>,
    username: &str,
    roles: &[PracticeRole],
) -> PersonId {
    let p = store
        .create_person(
            &NewAccount {
                person: NewPerson {
                    username: username.into(),
                    email: None,
                    full_name: format!("{username} Person"),
                }
                .validate()
                .unwrap(),
                password_hash: Some("$argon2id$initial".into()),
                must_change_password: false,
                one_time_password_expires_at: None,
                provider_roles: vec![],
            },
            &AuditMeta::cli(),
        )
        .await
        .unwrap();
    if let Some(pr) = practice {
        store
            .add_member(pr.id, p.id, "Staff", roles, &AuditMeta::cli())
            .await
            .unwrap();
    }
    p.id
}

fn now() -> chrono::DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

async fn last_action(store: &SharedStore) -> custodian_store::StoredEvent {
    store.events(None, 1).await.unwrap().remove(0)
}

async fn settings_default_change_and_are_audited(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    assert_eq!(
        store.settings(p.id).await.unwrap(),
        PracticeSettings::default()
    );
    let new = PracticeSettings {
        session_idle_minutes: 10,
        mfa_required_for_all: true,
        ..Default::default()
    };
    store
        .set_settings(p.id, &new, &AuditMeta::cli())
        .await
        .unwrap();
    assert_eq!(store.settings(p.id).await.unwrap(), new);
    let e = last_action(&store).await;
    assert_eq!(e.event.action, "settings.update");
    assert_eq!(e.event.details["session_idle_minutes"]["old"], 15);
    assert_eq!(e.event.details["session_idle_minutes"]["new"], 10);
    assert!(
        e.event.details.get("administrator_cap").is_none(),
        "only changes are recorded"
    );
    let bad = PracticeSettings {
        password_max_age_days: None,
        ..Default::default()
    };
    assert!(matches!(
        store.set_settings(p.id, &bad, &AuditMeta::cli()).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.settings(p.id).await.unwrap(), new, "nothing changed");
}

async fn ten_failed_sign_ins_lock_and_an_unlock_is_recorded(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let sam = person(&store, Some(&p), "staylor", &[PracticeRole::Staff]).await;
    let until = now() + Duration::minutes(30);
    for i in 1..10 {
        let f = store.record_failed_sign_in(sam, until).await.unwrap();
        assert_eq!(f.failures, i);
        assert!(f.locked_until.is_none());
    }
    let f = store.record_failed_sign_in(sam, until).await.unwrap();
    assert_eq!(f.locked_until, Some(until), "the tenth failure locks");
    let c = store.credentials("staylor").await.unwrap().unwrap();
    assert_eq!(c.locked_until, Some(until));
    let locked = store.locked_accounts(p.id, now()).await.unwrap();
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0].person_id, sam);
    store
        .unlock_account(
            sam,
            &AuditMeta::cli().event(
                Some(p.id),
                "account.unlock",
                "person",
                Some(sam.to_string()),
            ),
        )
        .await
        .unwrap();
    assert!(store.locked_accounts(p.id, now()).await.unwrap().is_empty());
    assert_eq!(last_action(&store).await.event.action, "account.unlock");
    // A success clears the count.
    store.record_failed_sign_in(sam, until).await.unwrap();
    store
        .record_sign_in(sam, now(), false, Some("$argon2id$rehashed"))
        .await
        .unwrap();
    let c = store.credentials("staylor").await.unwrap().unwrap();
    assert_eq!(c.failed_sign_ins, 0);
    assert_eq!(c.password_hash.as_deref(), Some("$argon2id$rehashed"));
}

async fn a_reset_issues_a_one_time_password_and_ends_every_session(store: SharedStore) {
    let sam = person(&store, None, "staylor", &[]).await;
    let t = now();
    for h in ["a", "b"] {
        store
            .create_session(
                &NewSession {
                    stage: SessionStage::Full,
                    token_hash: h.into(),
                    person_id: sam,
                    created_at: t,
                    expires_at: t + Duration::hours(1),
                    idle_seconds: 900,
                    ip: None,
                    user_agent: None,
                },
                &AuditMeta::cli().event(None, "session.sign_in", "person", None),
            )
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .sessions_of(sam, t - Duration::minutes(1), t)
            .await
            .unwrap()
            .len(),
        2
    );
    let ev = AuditMeta::cli().event(
        None,
        "person.password_reset",
        "person",
        Some(sam.to_string()),
    );
    store
        .issue_one_time_password(sam, "$otp", t + Duration::hours(72), &ev)
        .await
        .unwrap();
    assert!(
        store
            .sessions_of(sam, t - Duration::minutes(1), t)
            .await
            .unwrap()
            .is_empty()
    );
    let c = store.credentials("staylor").await.unwrap().unwrap();
    assert!(c.must_change_password);
    assert_eq!(c.otp_expires_at, Some(t + Duration::hours(72)));
    store.record_sign_in(sam, t, true, None).await.unwrap();
    assert_eq!(
        store
            .credentials("staylor")
            .await
            .unwrap()
            .unwrap()
            .otp_used_at,
        Some(t)
    );
    for h in ["$one", "$two", "$three"] {
        store.set_password(sam, h, &ev).await.unwrap();
    }
    assert_eq!(
        store.password_history(sam, 2).await.unwrap(),
        vec!["$three", "$two"]
    );
    let c = store.credentials("staylor").await.unwrap().unwrap();
    assert!(!c.must_change_password && c.otp_expires_at.is_none());
}

async fn security_answers_and_identity_checks(store: SharedStore) {
    let sam = person(&store, None, "staylor", &[]).await;
    assert!(
        !store
            .credentials("staylor")
            .await
            .unwrap()
            .unwrap()
            .has_security_answers
    );
    let ev = AuditMeta::cli().event(None, "person.security_questions_set", "person", None);
    let answers = vec![
        ("Q1".to_string(), "h1".to_string()),
        ("Q2".into(), "h2".into()),
        ("Q3".into(), "h3".into()),
    ];
    store
        .set_security_answers(sam, &answers, &ev)
        .await
        .unwrap();
    assert_eq!(store.security_answers(sam).await.unwrap(), answers);
    assert!(
        store
            .credentials("staylor")
            .await
            .unwrap()
            .unwrap()
            .has_security_answers
    );
    let check = AuditMeta::cli().event(None, "identity.verify", "person", None);
    assert_eq!(
        store
            .record_identity_check(sam, false, &check)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .record_identity_check(sam, false, &check)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .record_identity_check(sam, true, &check)
            .await
            .unwrap(),
        0
    );
    for _ in 0..3 {
        store
            .record_identity_check(sam, false, &check)
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .credentials("staylor")
            .await
            .unwrap()
            .unwrap()
            .identity_check_failures,
        3
    );
    store.clear_identity_lock(sam, &check).await.unwrap();
    assert_eq!(
        store
            .credentials("staylor")
            .await
            .unwrap()
            .unwrap()
            .identity_check_failures,
        0
    );
}

async fn mfa_steps_are_never_reused_and_recovery_codes_work_once(store: SharedStore) {
    let sam = person(&store, None, "staylor", &[]).await;
    assert!(store.mfa_secret(sam).await.unwrap().is_none());
    let ev = AuditMeta::cli().event(None, "mfa.enrol", "person", None);
    store
        .enable_mfa(
            sam,
            "JBSWY3DPEHPK3PXP",
            &["r1".into(), "r2".into()],
            100,
            &ev,
        )
        .await
        .unwrap();
    assert_eq!(
        store.mfa_secret(sam).await.unwrap(),
        Some(("JBSWY3DPEHPK3PXP".into(), Some(100)))
    );
    assert!(
        store
            .credentials("staylor")
            .await
            .unwrap()
            .unwrap()
            .mfa_enrolled
    );
    assert!(
        !store.use_mfa_step(sam, 100).await.unwrap(),
        "the enrolment step cannot be replayed"
    );
    assert!(store.use_mfa_step(sam, 101).await.unwrap());
    assert!(!store.use_mfa_step(sam, 101).await.unwrap());
    assert!(!store.use_mfa_step(sam, 99).await.unwrap());
    assert!(store.use_recovery_code(sam, "r1", now()).await.unwrap());
    assert!(!store.use_recovery_code(sam, "r1", now()).await.unwrap());
    assert!(!store.use_recovery_code(sam, "nope", now()).await.unwrap());
    assert_eq!(store.recovery_codes_left(sam).await.unwrap(), 1);
}

async fn api_tokens_live_until_revoked_expired_or_their_owner_leaves(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let sam = person(&store, Some(&p), "staylor", &[PracticeRole::Staff]).await;
    let t = now();
    let token = ApiToken {
        id: custodian_domain::ApiTokenId::new(),
        person_id: sam,
        practice_id: p.id,
        name: "reporting".into(),
        permissions: vec![Permission::PracticeView, Permission::IncidentReport],
        created_at: t,
        expires_at: t + Duration::days(30),
        revoked_at: None,
        last_used_at: None,
    };
    let ev = AuditMeta::cli().event(Some(p.id), "api_token.create", "api_token", None);
    store
        .create_api_token(&token, "tokhash", &ev)
        .await
        .unwrap();
    let used = store
        .use_api_token("tokhash", t + Duration::days(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.permissions, token.permissions);
    assert_eq!(used.last_used_at, None, "never used before");
    let again = store
        .use_api_token("tokhash", t + Duration::days(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.last_used_at,
        Some(t + Duration::days(1)),
        "the use before this one"
    );
    assert!(
        store
            .use_api_token("tokhash", t + Duration::days(31))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(store.use_api_token("other", t).await.unwrap().is_none());
    assert!(
        !store
            .revoke_api_token(PersonId::new(), token.id, &ev)
            .await
            .unwrap(),
        "only the owner revokes"
    );
    assert!(store.revoke_api_token(sam, token.id, &ev).await.unwrap());
    assert!(
        store.use_api_token("tokhash", t).await.unwrap().is_none(),
        "revoked"
    );
    assert!(
        store.api_tokens_of(sam).await.unwrap()[0]
            .revoked_at
            .is_some()
    );
}

fn starter(
    systems: Vec<custodian_domain::SystemId>,
    manager: PersonId,
) -> custodian_domain::identity::ValidAccessRequest {
    NewAccessRequest {
        full_name: "Nia Starter".into(),
        username: "n.starter".into(),
        email: Some("n.starter@example.nhs.uk".into()),
        job_title: "Receptionist".into(),
        roles: vec![PracticeRole::Staff],
        systems,
        start_date: "2026-12-01".into(),
        line_manager_id: Some(manager),
    }
    .validate(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())
    .unwrap()
}

async fn a_starter_is_requested_approved_and_given_tasks_per_system(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let manager = person(
        &store,
        Some(&p),
        "jgreen",
        &[PracticeRole::Staff, PracticeRole::LineManager],
    )
    .await;
    let pm = person(&store, Some(&p), "rahmed", &[PracticeRole::PracticeManager]).await;
    let emis = store
        .add_system(p.id, "EMIS Web", &AuditMeta::cli())
        .await
        .unwrap();
    let mail = store
        .add_system(p.id, "NHSmail", &AuditMeta::cli())
        .await
        .unwrap();
    assert!(matches!(
        store.add_system(p.id, "NHSmail", &AuditMeta::cli()).await,
        Err(StoreError::Conflict { field: "name", .. })
    ));

    let req = store
        .create_access_request(
            p.id,
            None,
            &starter(vec![emis.id, mail.id], manager),
            &by(manager, "jgreen"),
        )
        .await
        .unwrap();
    assert_eq!(req.status.as_str(), "pending");
    assert!(
        req.reference.starts_with("STR-") && req.reference.ends_with("-0001"),
        "{}",
        req.reference
    );
    assert_eq!(store.access_requests(p.id, true).await.unwrap().len(), 1);

    let expires = now() + Duration::hours(72);
    let not_before = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let done = store
        .approve_access_request(
            p.id,
            req.id,
            "Offer accepted",
            Some(("$otp", expires)),
            Some(not_before),
            &by(pm, "rahmed"),
        )
        .await
        .unwrap();
    assert_eq!(done.status.as_str(), "approved");
    let nia = done.person_id.unwrap();
    let c = store.credentials("n.starter").await.unwrap().unwrap();
    assert_eq!(c.person_id, nia);
    assert!(c.must_change_password);
    assert_eq!(c.otp_expires_at, Some(expires));
    assert_eq!(c.not_before, Some(not_before));
    let m = store.member(p.id, nia).await.unwrap().unwrap();
    assert_eq!(m.roles, vec![PracticeRole::Staff]);
    assert_eq!(m.job_title, "Receptionist");
    let grants = store.access_grants(p.id, true).await.unwrap();
    assert_eq!(grants.len(), 2);
    assert!(
        grants
            .iter()
            .all(|g| g.action == "create" && g.person_id == nia)
    );
    let g = store
        .complete_access_grant(
            p.id,
            grants[0].id,
            "Login created, smartcard to follow",
            &by(pm, "rahmed"),
        )
        .await
        .unwrap();
    assert_eq!(g.system_name, grants[0].system_name);
    assert_eq!(store.access_grants(p.id, true).await.unwrap().len(), 1);
    assert!(matches!(
        store
            .complete_access_grant(p.id, grants[0].id, "again", &by(pm, "rahmed"))
            .await,
        Err(StoreError::Conflict { field: "grant", .. })
    ));
    // A system of another practice cannot be asked for.
    let other = practice(&store, "Hillside", "Z00002").await;
    let theirs = store
        .add_system(other.id, "SystmOne", &AuditMeta::cli())
        .await
        .unwrap();
    let mut r = starter(vec![theirs.id], manager);
    r.person.username = "x.other".into();
    r.person.email = None;
    assert!(matches!(
        store
            .create_access_request(p.id, None, &r, &by(manager, "jgreen"))
            .await,
        Err(StoreError::Invalid(_))
    ));
    // A username already taken is refused at request time.
    assert!(matches!(
        store
            .create_access_request(
                p.id,
                None,
                &starter(vec![], manager),
                &by(manager, "jgreen")
            )
            .await,
        Err(StoreError::Conflict {
            field: "username",
            ..
        })
    ));
}

async fn nobody_approves_their_own_request_and_decisions_are_final(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let pm = person(&store, Some(&p), "rahmed", &[PracticeRole::PracticeManager]).await;
    let dpl = person(
        &store,
        Some(&p),
        "tobrien",
        &[PracticeRole::DataProtectionLead],
    )
    .await;
    let req = store
        .create_access_request(p.id, None, &starter(vec![], pm), &by(pm, "rahmed"))
        .await
        .unwrap();
    let own = store
        .approve_access_request(
            p.id,
            req.id,
            "",
            Some(("$otp", now())),
            None,
            &by(pm, "rahmed"),
        )
        .await;
    assert!(
        matches!(own, Err(StoreError::Invalid(ref e)) if e.0[0].message.contains("request you made")),
        "{own:?}"
    );
    assert!(
        store.credentials("n.starter").await.unwrap().is_none(),
        "nothing created"
    );
    assert!(matches!(
        store
            .reject_access_request(p.id, req.id, "  ", &by(dpl, "tobrien"))
            .await,
        Err(StoreError::Invalid(_))
    ));
    let rejected = store
        .reject_access_request(p.id, req.id, "Post withdrawn", &by(dpl, "tobrien"))
        .await
        .unwrap();
    assert_eq!(rejected.status.as_str(), "rejected");
    let again = store
        .approve_access_request(
            p.id,
            req.id,
            "",
            Some(("$otp", now())),
            None,
            &by(dpl, "tobrien"),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { ref message, .. }) if message.contains("already rejected"))
    );
    let other = practice(&store, "Hillside", "Z00002").await;
    assert!(
        matches!(
            store
                .approve_access_request(
                    other.id,
                    req.id,
                    "",
                    Some(("$otp", now())),
                    None,
                    &by(dpl, "tobrien")
                )
                .await,
            Err(StoreError::NotFound(_))
        ),
        "a request is reachable only through its practice"
    );
}

async fn a_mover_changes_roles_and_systems(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let pm = person(&store, Some(&p), "rahmed", &[PracticeRole::PracticeManager]).await;
    let lm = person(&store, Some(&p), "jgreen", &[PracticeRole::LineManager]).await;
    let emis = store
        .add_system(p.id, "EMIS Web", &AuditMeta::cli())
        .await
        .unwrap();
    let docman = store
        .add_system(p.id, "Docman", &AuditMeta::cli())
        .await
        .unwrap();
    let req = store
        .create_access_request(p.id, None, &starter(vec![emis.id], lm), &by(lm, "jgreen"))
        .await
        .unwrap();
    let nia = store
        .approve_access_request(
            p.id,
            req.id,
            "",
            Some(("$otp", now())),
            None,
            &by(pm, "rahmed"),
        )
        .await
        .unwrap()
        .person_id
        .unwrap();
    // Nia moves to the admin team: line manager too, Docman instead of EMIS.
    let mut mv = starter(vec![docman.id], lm);
    mv.roles = vec![PracticeRole::Staff, PracticeRole::LineManager];
    mv.job_title = "Admin Team Leader".into();
    let req = store
        .create_access_request(p.id, Some(nia), &mv, &by(lm, "jgreen"))
        .await
        .unwrap();
    assert_eq!(req.kind, "mover");
    assert!(req.reference.starts_with("MOV-"));
    store
        .approve_access_request(p.id, req.id, "Promotion", None, None, &by(pm, "rahmed"))
        .await
        .unwrap();
    let m = store.member(p.id, nia).await.unwrap().unwrap();
    assert_eq!(
        m.roles,
        vec![PracticeRole::Staff, PracticeRole::LineManager]
    );
    assert_eq!(m.job_title, "Admin Team Leader");
    let open: Vec<_> = store
        .access_grants(p.id, true)
        .await
        .unwrap()
        .into_iter()
        .map(|g| (g.system_name, g.action))
        .collect();
    assert!(open.contains(&("Docman".to_string(), "create".to_string())));
    assert!(open.contains(&("EMIS Web".to_string(), "remove".to_string())));
}

async fn a_leaver_loses_this_practice_and_is_deactivated_when_nothing_remains(store: SharedStore) {
    let a = practice(&store, "Riverside", "Z00001").await;
    let b = practice(&store, "Hillside", "Z00002").await;
    let pm = person(&store, Some(&a), "rahmed", &[PracticeRole::PracticeManager]).await;
    let locum = person(&store, Some(&a), "locum", &[PracticeRole::Staff]).await;
    store
        .add_member(b.id, locum, "GP", &[PracticeRole::Staff], &AuditMeta::cli())
        .await
        .unwrap();
    let sam = person(
        &store,
        Some(&a),
        "staylor",
        &[PracticeRole::Staff, PracticeRole::LineManager],
    )
    .await;
    let emis = store
        .add_system(a.id, "EMIS Web", &AuditMeta::cli())
        .await
        .unwrap();
    // Sam holds an EMIS login (task done).
    let mut r = starter(vec![emis.id], pm);
    r.roles = vec![PracticeRole::Staff, PracticeRole::LineManager];
    let req = store
        .create_access_request(a.id, Some(sam), &r, &by(pm, "rahmed"))
        .await
        .unwrap();
    let dpl = person(
        &store,
        Some(&a),
        "tobrien",
        &[PracticeRole::DataProtectionLead],
    )
    .await;
    store
        .approve_access_request(a.id, req.id, "", None, None, &by(dpl, "tobrien"))
        .await
        .unwrap();
    let g = store.access_grants(a.id, true).await.unwrap()[0].clone();
    store
        .complete_access_grant(a.id, g.id, "done", &by(pm, "rahmed"))
        .await
        .unwrap();
    let t = now();
    store
        .create_session(
            &NewSession {
                stage: SessionStage::Full,
                token_hash: "samsession".into(),
                person_id: sam,
                created_at: t,
                expires_at: t + Duration::hours(1),
                idle_seconds: 900,
                ip: None,
                user_agent: None,
            },
            &AuditMeta::cli().event(None, "session.sign_in", "person", None),
        )
        .await
        .unwrap();

    // Sam is named in the asset register as having access to Docman.
    let iao = person(
        &store,
        Some(&a),
        "mkowalski",
        &[PracticeRole::InformationAssetOwner],
    )
    .await;
    let docman = custodian_domain::assets::AssetInput {
        name: "Docman".into(),
        asset_type: "patient_records".into(),
        format: "electronic".into(),
        volume_band: "under_1000".into(),
        iao_id: Some(iao),
        ..Default::default()
    };
    let docman = store
        .create_asset(
            a.id,
            &docman.validate(Utc::now().date_naive()).unwrap(),
            &AuditMeta::cli(),
        )
        .await
        .unwrap();
    let entry = |role: Option<PracticeRole>, person_id: Option<PersonId>| {
        custodian_domain::assets::AccessInput {
            role,
            person_id,
            level: "read".into(),
            reason: "Filing".into(),
        }
    };
    store
        .add_access(a.id, docman.id, &entry(None, Some(sam)), &AuditMeta::cli())
        .await
        .unwrap();
    let staff_entry = store
        .add_access(
            a.id,
            docman.id,
            &entry(Some(PracticeRole::Staff), None),
            &AuditMeta::cli(),
        )
        .await
        .unwrap();

    let date = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
    let l = store
        .record_leaver(a.id, sam, date, "Moving away", &by(pm, "rahmed"))
        .await
        .unwrap();
    assert_eq!(l.status.as_str(), "scheduled");
    assert!(matches!(
        store
            .record_leaver(a.id, sam, date, "again", &by(pm, "rahmed"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.scheduled_leavers().await.unwrap().len(), 1);
    let out = store
        .process_leaver(l.id, &AuditMeta::system("scheduler"))
        .await
        .unwrap()
        .unwrap();
    assert!(out.deactivated);
    assert_eq!(out.removal_tasks, 1);
    let left: Vec<_> = store
        .access_entries(a.id, Some(docman.id))
        .await
        .unwrap()
        .into_iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(
        left,
        [staff_entry.id],
        "the leaver's named entry ended; the role entry stays"
    );
    let removal = store
        .events(Some(a.id), 50)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.event.action == "asset_access.remove")
        .expect("the removal is on the asset's history");
    assert_eq!(
        removal.event.object_id.as_deref(),
        Some(docman.id.to_string().as_str())
    );
    assert!(
        store
            .process_leaver(l.id, &AuditMeta::system("scheduler"))
            .await
            .unwrap()
            .is_none(),
        "idempotent"
    );
    let c = store.credentials("staylor").await.unwrap().unwrap();
    assert_eq!(c.status, custodian_domain::AccountStatus::Deactivated);
    assert!(
        store.use_session("samsession", t).await.unwrap().is_none(),
        "sessions end"
    );
    let (roles, _) = store.roles(Some(a.id), sam).await.unwrap();
    assert!(roles.is_empty(), "every permission removed");
    assert!(
        store
            .members(a.id, &custodian_domain::PageRequest::first(50))
            .await
            .unwrap()
            .items
            .iter()
            .all(|m| m.person.id != sam)
    );
    assert!(
        store
            .member(a.id, sam)
            .await
            .unwrap()
            .unwrap()
            .left_at
            .is_some(),
        "the record stays"
    );
    let removal: Vec<_> = store
        .access_grants(a.id, true)
        .await
        .unwrap()
        .into_iter()
        .filter(|g| g.action == "remove")
        .collect();
    assert_eq!(removal.len(), 1);
    assert_eq!(removal[0].system_name, "EMIS Web");
    let actions: Vec<_> = store
        .events(Some(a.id), 3)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    assert_eq!(
        actions[..2],
        [
            "person.deactivate".to_string(),
            "leaver.process".to_string()
        ]
    );

    // The locum leaves Riverside but still works at Hillside: the account stays active.
    let l = store
        .record_leaver(a.id, locum, date, "End of contract", &by(pm, "rahmed"))
        .await
        .unwrap();
    let out = store
        .process_leaver(l.id, &AuditMeta::system("scheduler"))
        .await
        .unwrap()
        .unwrap();
    assert!(!out.deactivated);
    assert_eq!(
        store.credentials("locum").await.unwrap().unwrap().status,
        custodian_domain::AccountStatus::Active
    );
    let ms = store.memberships(locum).await.unwrap();
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].practice.name, "Hillside");

    // A scheduled leaver can be cancelled, a processed one cannot.
    let l = store
        .record_leaver(a.id, dpl, date, "Changed mind", &by(pm, "rahmed"))
        .await
        .unwrap();
    assert_eq!(
        store
            .cancel_leaver(a.id, l.id, &by(pm, "rahmed"))
            .await
            .unwrap()
            .person_id,
        dpl
    );
    assert!(
        store
            .process_leaver(l.id, &AuditMeta::system("scheduler"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        store.cancel_leaver(a.id, l.id, &by(pm, "rahmed")).await,
        Err(StoreError::Conflict {
            field: "leaver",
            ..
        })
    ));
    let _ = ProviderRole::Auditor;
}

async fn administrators_are_nominated_up_to_the_cap(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let pm = person(&store, Some(&p), "rahmed", &[PracticeRole::PracticeManager]).await;
    let a = person(&store, Some(&p), "mkowalski", &[PracticeRole::Staff]).await;
    let b = person(&store, Some(&p), "lchen", &[PracticeRole::Staff]).await;
    let c = person(&store, Some(&p), "third", &[PracticeRole::Staff]).await;
    let outsider = person(&store, None, "outsider", &[]).await;
    assert!(!store.is_system_administrator(a).await.unwrap());
    let n = store
        .nominate_administrator(p.id, a, "Runs the practice IT", 2, &by(pm, "rahmed"))
        .await
        .unwrap();
    assert_eq!(n.nominated_by_name, "rahmed Person");
    assert!(store.is_system_administrator(a).await.unwrap());
    assert!(matches!(
        store
            .nominate_administrator(p.id, a, "again", 2, &by(pm, "rahmed"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    store
        .nominate_administrator(p.id, b, "Deputy", 2, &by(pm, "rahmed"))
        .await
        .unwrap();
    let over = store
        .nominate_administrator(p.id, c, "Third", 2, &by(pm, "rahmed"))
        .await;
    assert!(
        matches!(over, Err(StoreError::Invalid(ref e)) if e.0[0].message.contains("limit")),
        "{over:?}"
    );
    assert!(
        !store.is_system_administrator(c).await.unwrap(),
        "nothing changed"
    );
    assert!(matches!(
        store
            .nominate_administrator(p.id, outsider, "x", 5, &by(pm, "rahmed"))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .nominate_administrator(p.id, c, " ", 5, &by(pm, "rahmed"))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.administrators(p.id).await.unwrap().len(), 2);
    store
        .end_administrator_nomination(p.id, b, "No longer needed", &by(pm, "rahmed"))
        .await
        .unwrap();
    assert!(!store.is_system_administrator(b).await.unwrap());
    store
        .nominate_administrator(p.id, c, "Replaces Li", 2, &by(pm, "rahmed"))
        .await
        .unwrap();
    let overview = store.access_overview(p.id).await.unwrap();
    assert_eq!(overview.len(), 4);
    assert!(
        overview
            .iter()
            .find(|o| o.person_id == c)
            .unwrap()
            .roles
            .contains(&PracticeRole::SystemAdministrator)
    );
}
