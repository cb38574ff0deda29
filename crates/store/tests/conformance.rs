//! The store conformance suite: every behaviour the rest of Custodian relies on, run on SQLite
//! always and on PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set. Each test gets its own
//! fresh database.

#[macro_use]
mod common;

use custodian_domain::{
    AccountStatus, NewPerson, NewPractice, PageRequest, PersonId, PracticeId, PracticeRole,
    ProviderRole,
};
use custodian_store::{AuditMeta, NewAccount, NewSession, Outcome, SharedStore, StoreError};

conformance!(
    migrations_are_applied_once,
    practices_are_created_listed_and_paged_by_name,
    duplicate_ods_code_is_a_conflict_naming_the_field,
    a_practice_and_its_first_manager_are_created_together_or_not_at_all,
    a_staged_list_of_practices_is_imported_whole_or_not_at_all_and_once,
    people_join_practices_with_roles_and_stay_in_their_practice,
    duplicate_username_or_email_is_a_conflict,
    roles_combine_practice_and_provider_roles,
    sessions_expire_go_idle_and_end,
    changes_and_reads_leave_audit_events,
    audit_events_cannot_be_changed_or_deleted,
    provider_name_is_kept_and_audited,
    a_chosen_password_replaces_the_one_time_password,
    concurrent_appends_share_commits_and_each_gets_its_own_place,
);

fn cli() -> AuditMeta {
    AuditMeta::cli()
}

async fn practice(store: &SharedStore, name: &str, ods: &str) -> custodian_domain::Practice {
    let valid = NewPractice {
        name: name.into(),
        ods_code: ods.into(),
    }
    .validate()
    .unwrap();
    store.create_practice(&valid, &cli()).await.unwrap()
}

async fn person(
    store: &SharedStore,
    username: &str,
    full_name: &str,
    provider_roles: Vec<ProviderRole>,
) -> custodian_domain::Person {
    let valid = NewPerson {
        username: username.into(),
        email: Some(format!("{username}@nhs.net")),
        full_name: full_name.into(),
    }
    .validate()
    .unwrap();
    store
        .create_person(
            &NewAccount {
                person: valid,
                password_hash: Some("$argon2id$fake".into()),
                must_change_password: true,
                one_time_password_expires_at: None,
                provider_roles,
            },
            &cli(),
        )
        .await
        .unwrap()
}

async fn migrations_are_applied_once(store: SharedStore) {
    assert_eq!(
        store.applied_migrations().await.unwrap(),
        (1..=20).collect::<Vec<i64>>()
    );
    store.ping().await.unwrap();
}

async fn practices_are_created_listed_and_paged_by_name(store: SharedStore) {
    let names = [
        "willow Surgery",
        "Ash Tree Practice",
        "Birchwood Medical Centre",
        "Oak Lane Surgery",
        "Elm Road Health Centre",
    ];
    for (i, n) in names.iter().enumerate() {
        practice(&store, n, &format!("A8100{i}")).await;
    }
    let mut seen = Vec::new();
    let mut page = PageRequest::first(2);
    loop {
        let p = store.practices(&page).await.unwrap();
        assert!(p.items.len() <= 2);
        seen.extend(p.items.iter().map(|p| p.name.clone()));
        match p.next_cursor {
            Some(c) => page = PageRequest::parse(Some(&c), Some(2)).unwrap(),
            None => break,
        }
    }
    // Alphabetical, ignoring case, each exactly once.
    assert_eq!(
        seen,
        [
            "Ash Tree Practice",
            "Birchwood Medical Centre",
            "Elm Road Health Centre",
            "Oak Lane Surgery",
            "willow Surgery"
        ]
    );

    let first = store
        .practices(&PageRequest::first(10))
        .await
        .unwrap()
        .items[0]
        .clone();
    assert_eq!(store.practice(first.id).await.unwrap(), Some(first));
    assert_eq!(store.practice(PracticeId::new()).await.unwrap(), None);
}

fn first_manager(username: &str, email: &str) -> custodian_store::FirstManagerAccount {
    custodian_store::FirstManagerAccount {
        account: NewAccount {
            person: NewPerson {
                username: username.into(),
                email: Some(email.into()),
                full_name: "Pat Newman".into(),
            }
            .validate()
            .unwrap(),
            password_hash: Some("$argon2id$fake".into()),
            must_change_password: true,
            one_time_password_expires_at: Some(chrono::Utc::now() + chrono::Duration::hours(72)),
            provider_roles: vec![],
        },
        phone: Some("01632 960001".into()),
        job_title: "Practice manager".into(),
    }
}

async fn a_practice_and_its_first_manager_are_created_together_or_not_at_all(store: SharedStore) {
    let valid = |ods: &str| {
        NewPractice {
            name: "Willow Bank".into(),
            ods_code: ods.into(),
        }
        .validate()
        .unwrap()
    };
    let (p, m) = store
        .create_practice_with_manager(
            &valid("Y05555"),
            &first_manager("p.newman", "pat@nhs.net"),
            &cli(),
        )
        .await
        .unwrap();
    assert_eq!(m.practice_id, p.id);
    assert_eq!(
        m.roles,
        [PracticeRole::Staff, PracticeRole::PracticeManager]
    );
    assert_eq!(m.job_title, "Practice manager");
    assert_eq!(m.person.phone.as_deref(), Some("01632 960001"));
    let creds = store.credentials("p.newman").await.unwrap().unwrap();
    assert!(creds.must_change_password);
    assert!(
        creds.otp_expires_at.is_some(),
        "the one-time password runs out"
    );
    let setup = store.setup_progress(p.id).await.unwrap();
    assert_eq!(setup.staff, 1);
    assert_eq!(
        store.setup_progress_all().await.unwrap()[&p.id],
        setup,
        "the list's reading too"
    );
    assert_eq!(
        (setup.systems, setup.assets, setup.starter_requests),
        (0, 0, 0)
    );
    assert!(!setup.settings_saved);

    // The manager's username is taken: no practice either; the ODS code is taken: no account.
    match store
        .create_practice_with_manager(
            &valid("Y06666"),
            &first_manager("p.newman", "other@nhs.net"),
            &cli(),
        )
        .await
    {
        Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "username"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    match store
        .create_practice_with_manager(
            &valid("Y05555"),
            &first_manager("s.other", "s@nhs.net"),
            &cli(),
        )
        .await
    {
        Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "ods_code"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        store
            .practices(&PageRequest::first(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(store.credentials("s.other").await.unwrap().is_none());
    assert!(store.practice_by_ods("Y06666").await.unwrap().is_none());
    store
        .set_settings(
            p.id,
            &custodian_domain::settings::PracticeSettings::default(),
            &cli(),
        )
        .await
        .unwrap();
    assert!(store.setup_progress(p.id).await.unwrap().settings_saved);
}

async fn a_staged_list_of_practices_is_imported_whole_or_not_at_all_and_once(store: SharedStore) {
    let admin = person(
        &store,
        "admin",
        "Ada Admin",
        vec![ProviderRole::ProviderAdministrator],
    )
    .await;
    let by = AuditMeta {
        actor_id: Some(admin.id),
        actor: "admin".into(),
        ..Default::default()
    };
    let valid = |name: &str, ods: &str| {
        NewPractice {
            name: name.into(),
            ods_code: ods.into(),
        }
        .validate()
        .unwrap()
    };
    let existing = practice(&store, "Riverside", "Y01234").await;
    let staged = store
        .stage_import(
            None,
            "practices",
            "practices.csv",
            b"name\n",
            serde_json::json!({"rows": 2}),
            &by,
        )
        .await
        .unwrap();
    assert_eq!(staged.practice_id, None);
    // A practice's own staged files and the provider's are apart.
    assert!(
        store
            .register_import(Some(existing.id), staged.id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .register_import(None, staged.id)
            .await
            .unwrap()
            .unwrap()
            .register,
        "practices"
    );

    // The second row's ODS code is taken: neither practice nor either manager is created.
    let clash = [
        (
            valid("Willow Bank", "Y05555"),
            first_manager("p.newman", "pat@nhs.net"),
        ),
        (
            valid("Oak Lane", "Y01234"),
            first_manager("o.lane", "oak@nhs.net"),
        ),
    ];
    match store
        .import_practices(Some(staged.id), &clash, serde_json::json!({}), &by)
        .await
    {
        Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "ods_code"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(store.practice_by_ods("Y05555").await.unwrap().is_none());
    assert!(store.credentials("p.newman").await.unwrap().is_none());
    let still = store
        .register_import(None, staged.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status.as_str(), "pending", "nothing marked imported");

    let rows = [
        (
            valid("Willow Bank", "Y05555"),
            first_manager("p.newman", "pat@nhs.net"),
        ),
        (
            valid("Oak Lane", "Y06666"),
            first_manager("o.lane", "oak@nhs.net"),
        ),
    ];
    let created = store
        .import_practices(Some(staged.id), &rows, serde_json::json!({"rows": 2}), &by)
        .await
        .unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(created[1].0.ods_code, "Y06666");
    assert_eq!(created[1].1.person.username, "o.lane");
    assert_eq!(
        created[1].1.roles,
        [PracticeRole::Staff, PracticeRole::PracticeManager]
    );
    let done = store
        .register_import(None, staged.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (done.status.as_str(), done.written, done.content),
        ("imported", 2, None)
    );
    let taken = store.names_in_use().await.unwrap();
    assert!(taken.ods_codes.contains("Y06666") && taken.ods_codes.contains("Y01234"));
    assert!(taken.usernames.contains("o.lane") && taken.emails.contains("oak@nhs.net"));

    // Once only: a second submission of the same file writes nothing.
    let again = [(
        valid("Elm", "Y07777"),
        first_manager("e.elm", "elm@nhs.net"),
    )];
    assert!(matches!(
        store
            .import_practices(Some(staged.id), &again, serde_json::json!({}), &by)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(store.practice_by_ods("Y07777").await.unwrap().is_none());
    // And a discarded list cannot be imported either.
    let other = store
        .stage_import(
            None,
            "practices",
            "more.csv",
            b"name\n",
            serde_json::json!({}),
            &by,
        )
        .await
        .unwrap();
    store.discard_import(None, other.id, &by).await.unwrap();
    assert!(store.discard_import(None, other.id, &by).await.is_err());
}

async fn duplicate_ods_code_is_a_conflict_naming_the_field(store: SharedStore) {
    practice(&store, "Riverside", "Y01234").await;
    let dup = NewPractice {
        name: "Other".into(),
        ods_code: "y01234".into(),
    }
    .validate()
    .unwrap();
    match store.create_practice(&dup, &cli()).await {
        Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "ods_code"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Nothing half-written: still one practice, and one creation event.
    assert_eq!(
        store
            .practices(&PageRequest::first(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let creates = store
        .events(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == "practice.create")
        .count();
    assert_eq!(creates, 1);
}

async fn people_join_practices_with_roles_and_stay_in_their_practice(store: SharedStore) {
    let a = practice(&store, "Riverside", "Y01234").await;
    let b = practice(&store, "Hillside", "Y05678").await;
    let locum = person(&store, "locum", "Dr Lee Locum", vec![]).await;
    let pm = person(&store, "pmanager", "Pat Manager", vec![]).await;
    store
        .add_member(a.id, locum.id, "Locum GP", &[PracticeRole::Staff], &cli())
        .await
        .unwrap();
    store
        .add_member(
            b.id,
            locum.id,
            "Sessional GP",
            &[PracticeRole::Staff, PracticeRole::LineManager],
            &cli(),
        )
        .await
        .unwrap();
    let m = store
        .add_member(
            a.id,
            pm.id,
            "Practice Manager",
            &[PracticeRole::PracticeManager, PracticeRole::Staff],
            &cli(),
        )
        .await
        .unwrap();
    assert_eq!(
        m.roles,
        vec![PracticeRole::Staff, PracticeRole::PracticeManager]
    );
    assert_eq!(m.person.status, AccountStatus::Active);

    // The locum is in both practices, with different roles in each.
    let ms = store.memberships(locum.id).await.unwrap();
    assert_eq!(
        ms.iter()
            .map(|m| m.practice.name.as_str())
            .collect::<Vec<_>>(),
        ["Hillside", "Riverside"]
    );
    assert_eq!(
        ms[0].roles,
        vec![PracticeRole::Staff, PracticeRole::LineManager]
    );

    // Hillside's staff list holds only the locum; the practice manager of Riverside is not
    // reachable through Hillside's id.
    let hill = store.members(b.id, &PageRequest::first(50)).await.unwrap();
    assert_eq!(hill.items.len(), 1);
    assert_eq!(hill.items[0].job_title, "Sessional GP");
    assert!(store.member(b.id, pm.id).await.unwrap().is_none());
    assert_eq!(
        store
            .member(a.id, pm.id)
            .await
            .unwrap()
            .unwrap()
            .person
            .full_name,
        "Pat Manager"
    );

    // Adding twice is a conflict; adding to a missing practice is "not found"; a blank job
    // title is refused naming the field; none of these writes anything.
    assert!(matches!(
        store.add_member(a.id, pm.id, "Again", &[], &cli()).await,
        Err(StoreError::Conflict {
            field: "person_id",
            ..
        })
    ));
    assert!(matches!(
        store
            .add_member(PracticeId::new(), pm.id, "X", &[], &cli())
            .await,
        Err(StoreError::NotFound("practice"))
    ));
    assert!(matches!(
        store
            .add_member(b.id, PersonId::new(), "X", &[], &cli())
            .await,
        Err(StoreError::NotFound("person"))
    ));
    match store.add_member(b.id, pm.id, "  ", &[], &cli()).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "job_title"),
        other => panic!("expected invalid, got {other:?}"),
    }
    assert!(store.member(b.id, pm.id).await.unwrap().is_none());

    // Paging through staff.
    let page1 = store.members(a.id, &PageRequest::first(1)).await.unwrap();
    assert_eq!(page1.items[0].person.full_name, "Dr Lee Locum");
    let page2 = store
        .members(
            a.id,
            &PageRequest::parse(page1.next_cursor.as_deref(), Some(1)).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(page2.items[0].person.full_name, "Pat Manager");
    assert!(page2.next_cursor.is_none());
}

async fn duplicate_username_or_email_is_a_conflict(store: SharedStore) {
    person(&store, "jsmith", "Jo Smith", vec![]).await;
    let again = NewPerson {
        username: "JSmith".into(),
        email: None,
        full_name: "Other".into(),
    }
    .validate()
    .unwrap();
    let r = store
        .create_person(
            &NewAccount {
                person: again,
                password_hash: None,
                must_change_password: false,
                one_time_password_expires_at: None,
                provider_roles: vec![],
            },
            &cli(),
        )
        .await;
    assert!(
        matches!(
            r,
            Err(StoreError::Conflict {
                field: "username",
                ..
            })
        ),
        "{r:?}"
    );
    let same_email = NewPerson {
        username: "jo2".into(),
        email: Some("JSMITH@nhs.net".into()),
        full_name: "Other".into(),
    }
    .validate()
    .unwrap();
    let r = store
        .create_person(
            &NewAccount {
                person: same_email,
                password_hash: None,
                must_change_password: false,
                one_time_password_expires_at: None,
                provider_roles: vec![],
            },
            &cli(),
        )
        .await;
    assert!(
        matches!(r, Err(StoreError::Conflict { field: "email", .. })),
        "{r:?}"
    );
}

async fn roles_combine_practice_and_provider_roles(store: SharedStore) {
    let a = practice(&store, "Riverside", "Y01234").await;
    let consultant = person(
        &store,
        "consultant",
        "Casey Consultant",
        vec![ProviderRole::IgConsultant, ProviderRole::Auditor],
    )
    .await;
    assert_eq!(
        consultant.provider_roles,
        vec![ProviderRole::IgConsultant, ProviderRole::Auditor]
    );
    let (pr, prov) = store.roles(Some(a.id), consultant.id).await.unwrap();
    assert!(pr.is_empty());
    assert_eq!(prov.len(), 2);
    store
        .add_member(
            a.id,
            consultant.id,
            "DPO (contracted)",
            &[PracticeRole::DataProtectionOfficer],
            &cli(),
        )
        .await
        .unwrap();
    let (pr, _) = store.roles(Some(a.id), consultant.id).await.unwrap();
    assert_eq!(pr, vec![PracticeRole::DataProtectionOfficer]);
    let (pr, prov) = store.roles(None, consultant.id).await.unwrap();
    assert!(pr.is_empty());
    assert_eq!(prov.len(), 2);
    assert_eq!(
        store
            .count_provider_role(ProviderRole::Auditor)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .count_provider_role(ProviderRole::ProviderAdministrator)
            .await
            .unwrap(),
        0
    );
}

async fn sessions_expire_go_idle_and_end(store: SharedStore) {
    use chrono::{Duration, SubsecRound, Utc};
    let p = person(&store, "jsmith", "Jo Smith", vec![]).await;
    let creds = store
        .credentials(" JSmith@NHS.net ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(creds.person_id, p.id);
    assert!(creds.must_change_password);
    assert!(store.credentials("nobody").await.unwrap().is_none());

    let t0 = Utc::now().trunc_subsecs(6);
    let ev = AuditMeta {
        actor_id: Some(p.id),
        actor: "jsmith".into(),
        ..Default::default()
    }
    .event(None, "session.sign_in", "person", Some(p.id.to_string()));
    store
        .create_session(
            &NewSession {
                stage: custodian_domain::identity::SessionStage::Full,
                token_hash: "h1".into(),
                person_id: p.id,
                created_at: t0,
                expires_at: t0 + Duration::hours(12),
                idle_seconds: 900,
                ip: None,
                user_agent: None,
            },
            &ev,
        )
        .await
        .unwrap();

    // Used within the idle window: live, and the use moves the window on.
    let t1 = t0 + Duration::minutes(10);
    let s = store.use_session("h1", t1).await.unwrap().unwrap().session;
    assert_eq!(s.person_id, p.id);
    assert_eq!(s.username, "jsmith");
    let t2 = t1 + Duration::minutes(14);
    assert!(store.use_session("h1", t2).await.unwrap().is_some());
    // Idle for longer than the window: gone.
    let t3 = t2 + Duration::minutes(16);
    assert!(store.use_session("h1", t3).await.unwrap().is_none());
    // Past the absolute lifetime: gone, however recently used.
    let t4 = t0 + Duration::hours(12) + Duration::seconds(1);
    assert!(store.use_session("h1", t4).await.unwrap().is_none());
    // Unknown token.
    assert!(store.use_session("nope", t1).await.unwrap().is_none());

    store
        .create_session(
            &NewSession {
                stage: custodian_domain::identity::SessionStage::Full,
                token_hash: "h2".into(),
                person_id: p.id,
                created_at: t0,
                expires_at: t0 + Duration::hours(12),
                idle_seconds: 900,
                ip: Some("127.0.0.1".into()),
                user_agent: None,
            },
            &ev,
        )
        .await
        .unwrap();
    store.end_session("h2", &ev.clone()).await.unwrap();
    assert!(store.use_session("h2", t1).await.unwrap().is_none());
}

async fn changes_and_reads_leave_audit_events(store: SharedStore) {
    let a = practice(&store, "Riverside", "Y01234").await;
    let p = person(&store, "jsmith", "Jo Smith", vec![]).await;
    store
        .add_member(a.id, p.id, "Receptionist", &[PracticeRole::Staff], &cli())
        .await
        .unwrap();
    let viewer = AuditMeta {
        actor_id: Some(p.id),
        actor: "jsmith".into(),
        ip: Some("10.0.0.1".into()),
        user_agent: Some("test".into()),
        request_id: Some("r1".into()),
    };
    let seq = store
        .append_event(
            &viewer
                .event(Some(a.id), "person.view", "person", Some(p.id.to_string()))
                .details(serde_json::json!({"records": 1})),
        )
        .await
        .unwrap();
    let denied = store
        .append_event(
            &viewer
                .event(Some(a.id), "audit.list", "audit", None)
                .outcome(Outcome::Denied),
        )
        .await
        .unwrap();
    assert!(denied > seq, "sequence numbers grow");

    let all = store.events(None, 100).await.unwrap();
    let actions: Vec<_> = all.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "audit.list",
            "person.view",
            "member.add",
            "person.create",
            "practice.create"
        ]
    );
    assert_eq!(all[0].event.outcome, Outcome::Denied);
    assert_eq!(all[1].event.meta, viewer);
    assert_eq!(all[1].event.details["records"], 1);
    // The person's creation names the password but never stores it.
    let created = &all[3].event.details;
    assert_eq!(created["username"]["new"], "jsmith");
    assert!(!created.to_string().contains("argon2"));
    // A practice's view holds only its own events.
    let other = practice(&store, "Hillside", "Y05678").await;
    assert_eq!(store.events(Some(other.id), 100).await.unwrap().len(), 1);
    assert_eq!(store.events(Some(a.id), 100).await.unwrap().len(), 4);
}

async fn audit_events_cannot_be_changed_or_deleted(store: SharedStore) {
    practice(&store, "Riverside", "Y01234").await;
    for sql in [
        "UPDATE audit_events SET actor = 'mallory'",
        "DELETE FROM audit_events",
    ] {
        let err = raw_execute(&store, sql).await.expect_err(sql);
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(
        store.events(None, 10).await.unwrap()[0].event.meta.actor,
        "cli"
    );
}

async fn raw_execute(store: &SharedStore, sql: &str) -> Result<u64, String> {
    custodian_store::testing::raw_execute(store, sql)
        .await
        .map_err(|e| e.to_string())
}

async fn provider_name_is_kept_and_audited(store: SharedStore) {
    assert_eq!(store.provider_name().await.unwrap(), None);
    store
        .set_provider_name("Northshire IG Services", &cli())
        .await
        .unwrap();
    store
        .set_provider_name("Northshire IG Services Ltd", &cli())
        .await
        .unwrap();
    assert_eq!(
        store.provider_name().await.unwrap().as_deref(),
        Some("Northshire IG Services Ltd")
    );
    let e = &store.events(None, 1).await.unwrap()[0];
    assert_eq!(e.event.action, "provider.rename");
    assert_eq!(e.event.details["name"]["old"], "Northshire IG Services");
    assert!(matches!(
        store.set_provider_name("  ", &cli()).await,
        Err(StoreError::Invalid(_))
    ));
}

async fn a_chosen_password_replaces_the_one_time_password(store: SharedStore) {
    let p = person(&store, "jsmith", "Jo Smith", vec![]).await;
    let ev = cli().event(
        None,
        "person.password_change",
        "person",
        Some(p.id.to_string()),
    );
    store
        .set_password(p.id, "$argon2id$new", &ev)
        .await
        .unwrap();
    let c = store.credentials("jsmith").await.unwrap().unwrap();
    assert_eq!(c.password_hash.as_deref(), Some("$argon2id$new"));
    assert!(!c.must_change_password);
    assert_eq!(
        store.events(None, 1).await.unwrap()[0].event.action,
        "person.password_change"
    );
    assert!(matches!(
        store.set_password(PersonId::new(), "x", &ev).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn concurrent_appends_share_commits_and_each_gets_its_own_place(store: SharedStore) {
    let mut tasks = Vec::new();
    for i in 0..200 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let e = cli().event(None, "person.view", "person", Some(format!("p{i}")));
            store.append_event(&e).await.unwrap()
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort();
    seqs.dedup();
    assert_eq!(seqs.len(), 200, "every append got its own sequence number");
    let stored = store.events(None, 500).await.unwrap();
    assert_eq!(stored.len(), 200, "and every one is stored");
}
