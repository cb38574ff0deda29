//! The demo: a provider, three fictional practices and their staff in every role, so a newcomer
//! sees every page populated. Created once; later runs reuse it.

use custodian_domain::{NewPerson, NewPractice, PracticeId, PracticeRole, ProviderRole};
use custodian_store::{AuditMeta, NewAccount, SharedStore, StoreError};

/// The password of every demo account. Printed at start: this is fictional data only.
pub const DEMO_PASSWORD: &str = "demo-custodian-2026";

/// The authenticator key of every demo account that must use two-factor authentication
/// (provider staff, system administrators). Printed at start.
pub const DEMO_TOTP_SECRET: &str = "DEMODEMODEMODEMODEMODEMODEMODEMO";

/// Every demo person's security answers (to the first three questions) are this.
pub const DEMO_ANSWER: &str = "demo";

const SYSTEMS: [&str; 5] = [
    "EMIS Web",
    "NHSmail",
    "Shared drive",
    "Docman",
    "Smartcard (RA)",
];

pub struct DemoAccount {
    pub username: String,
    pub description: String,
}

const PRACTICES: [(&str, &str); 3] = [
    ("Riverside Medical Centre", "Z00001"),
    ("Hillside Surgery", "Z00002"),
    ("Old Mill Health Centre", "Z00003"),
];

/// (username, full name, job title, practice index, roles)
type Staff = (
    &'static str,
    &'static str,
    &'static str,
    usize,
    &'static [PracticeRole],
);

const STAFF: &[Staff] = {
    use PracticeRole::*;
    &[
        (
            "r.ahmed",
            "Rukhsana Ahmed",
            "Practice Manager",
            0,
            &[Staff, PracticeManager, LineManager],
        ),
        (
            "t.obrien",
            "Tom O'Brien",
            "Assistant Practice Manager",
            0,
            &[Staff, DataProtectionLead, LineManager],
        ),
        (
            "dr.hughes",
            "Dr Eleanor Hughes",
            "GP Partner",
            0,
            &[Staff, CaldicottGuardian, Siro],
        ),
        (
            "m.kowalski",
            "Marek Kowalski",
            "IT Lead",
            0,
            &[Staff, InformationAssetOwner],
        ),
        (
            "j.green",
            "Jasmine Green",
            "Reception Team Leader",
            0,
            &[Staff, LineManager],
        ),
        ("s.taylor", "Sam Taylor", "Receptionist", 0, &[Staff]),
        ("a.nwosu", "Ada Nwosu", "Practice Nurse", 0, &[Staff]),
        ("dr.locum", "Dr Priya Shah", "Locum GP", 0, &[Staff]),
        (
            "k.mills",
            "Karen Mills",
            "Practice Manager",
            1,
            &[Staff, PracticeManager, DataProtectionLead, LineManager],
        ),
        (
            "dr.evans",
            "Dr Gareth Evans",
            "GP Partner",
            1,
            &[Staff, CaldicottGuardian, Siro],
        ),
        (
            "l.chen",
            "Li Chen",
            "Administrator",
            1,
            &[Staff, InformationAssetOwner],
        ),
        ("b.wright", "Ben Wright", "Receptionist", 1, &[Staff]),
        ("dr.locum", "Dr Priya Shah", "Sessional GP", 1, &[Staff]),
        (
            "f.begum",
            "Farzana Begum",
            "Practice Manager",
            2,
            &[Staff, PracticeManager, LineManager],
        ),
        (
            "d.murphy",
            "Declan Murphy",
            "Data Quality Lead",
            2,
            &[Staff, DataProtectionLead, InformationAssetOwner],
        ),
        (
            "dr.okoro",
            "Dr Chinedu Okoro",
            "GP Partner",
            2,
            &[Staff, CaldicottGuardian, Siro],
        ),
        ("h.jones", "Hannah Jones", "Dispenser", 2, &[Staff]),
    ]
};

/// (username, full name, provider roles, DPO of every practice)
const PROVIDER_STAFF: &[(&str, &str, &[ProviderRole], bool)] = &[
    (
        "admin",
        "Alex Morgan",
        &[ProviderRole::ProviderAdministrator],
        false,
    ),
    (
        "c.okafor",
        "Chioma Okafor",
        &[ProviderRole::IgConsultant],
        true,
    ),
    ("auditor", "Robin Fletcher", &[ProviderRole::Auditor], false),
];

/// System administrators: (username, practice index, nominated by, reason).
const ADMINISTRATORS: &[(&str, usize, &str, &str)] = &[
    (
        "m.kowalski",
        0,
        "r.ahmed",
        "Runs the practice's IT: user accounts in EMIS Web and the shared drive",
    ),
    (
        "l.chen",
        1,
        "k.mills",
        "Manages NHSmail and smartcard access for the practice",
    ),
    (
        "f.begum",
        2,
        "dr.okoro",
        "Only person on site trained to administer the clinical system",
    ),
];

/// Creates the demo data unless it is there already; returns the accounts to show.
pub async fn seed(store: &SharedStore) -> Result<Vec<DemoAccount>, StoreError> {
    let fresh = store.provider_name().await?.is_none();
    let by = AuditMeta::system("demo");
    let hash = custodian_app::Passwords::new(2)
        .hash(DEMO_PASSWORD)
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut accounts = Vec::new();
    let mut practice_ids: Vec<PracticeId> = Vec::new();
    if fresh {
        for (name, ods) in PRACTICES {
            let valid = NewPractice {
                name: name.into(),
                ods_code: ods.into(),
            }
            .validate()?;
            practice_ids.push(store.create_practice(&valid, &by).await?.id);
        }
    }
    let account = |username: &str,
                   full_name: &str,
                   provider_roles: Vec<ProviderRole>|
     -> Result<NewAccount, StoreError> {
        Ok(NewAccount {
            person: NewPerson {
                username: username.into(),
                email: Some(format!("{}@example.nhs.uk", username.replace("dr.", ""))),
                full_name: full_name.into(),
            }
            .validate()?,
            password_hash: Some(hash.clone()),
            must_change_password: false,
            one_time_password_expires_at: None,
            provider_roles,
        })
    };
    let mut provider_ids: std::collections::HashMap<&str, custodian_domain::PersonId> =
        Default::default();
    for (username, full_name, roles, dpo) in PROVIDER_STAFF {
        if fresh {
            let p = store
                .create_person(&account(username, full_name, roles.to_vec())?, &by)
                .await?;
            provider_ids.insert(username, p.id);
            if *dpo {
                for id in &practice_ids {
                    store
                        .add_member(
                            *id,
                            p.id,
                            "Data Protection Officer (IG provider)",
                            &[PracticeRole::DataProtectionOfficer],
                            &by,
                        )
                        .await?;
                }
            }
        }
        let mut description = roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", ");
        if *dpo {
            description.push_str("; DPO of every practice");
        }
        accounts.push(DemoAccount {
            username: username.to_string(),
            description,
        });
    }
    let mut created: std::collections::HashMap<&str, custodian_domain::PersonId> =
        Default::default();
    for (username, full_name, job_title, practice, roles) in STAFF {
        if fresh {
            let id = match created.get(username) {
                Some(id) => *id,
                None => {
                    let p = store
                        .create_person(&account(username, full_name, vec![])?, &by)
                        .await?;
                    created.insert(username, p.id);
                    p.id
                }
            };
            store
                .add_member(practice_ids[*practice], id, job_title, roles, &by)
                .await?;
        }
        let roles_text = roles
            .iter()
            .filter(|r| **r != PracticeRole::Staff)
            .map(|r| r.label())
            .collect::<Vec<_>>();
        let what = if roles_text.is_empty() {
            job_title.to_string()
        } else {
            roles_text.join(", ")
        };
        accounts.push(DemoAccount {
            username: username.to_string(),
            description: format!("{what}, {}", PRACTICES[*practice].0),
        });
    }
    if fresh {
        seed_identity(store, &practice_ids, &created, &provider_ids, &hash).await?;
        store
            .set_provider_name("Northshire IG Services", &by)
            .await?;
    }
    for (username, _, _, _) in ADMINISTRATORS {
        if let Some(a) = accounts.iter_mut().find(|a| a.username == *username) {
            a.description = format!("System administrator, {}", a.description);
        }
    }
    Ok(accounts)
}

/// Security questions for everyone, MFA for those who must use it, nominated administrators,
/// each practice's systems with logins to create, a starter waiting for approval, and a
/// leaver due at the end of the month: so every identity page has something to show.
async fn seed_identity(
    store: &SharedStore,
    practices: &[PracticeId],
    staff: &std::collections::HashMap<&str, custodian_domain::PersonId>,
    provider: &std::collections::HashMap<&str, custodian_domain::PersonId>,
    password_hash: &str,
) -> Result<(), StoreError> {
    use custodian_domain::identity::{NewAccessRequest, SECURITY_QUESTIONS};
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
    let as_person = |id: custodian_domain::PersonId, name: &str| AuditMeta {
        actor_id: Some(id),
        actor: name.to_string(),
        ..AuditMeta::system("demo")
    };
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
        let mut ids = Vec::new();
        for name in SYSTEMS {
            ids.push(store.add_system(*p, name, &by).await?.id);
        }
        systems.push(ids);
    }
    // Riverside: a receptionist who started last month (logins created), a starter waiting for
    // approval, and a nurse leaving at the end of the month.
    let today = custodian_domain::identity::london_today(chrono::Utc::now());
    let riverside = practices[0];
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
    let emis_assets = seed_assets(store, practices, staff, &systems, today).await?;
    seed_risks(store, practices, staff, &emis_assets, today).await
}

/// Each practice's register: its main systems and records, how data moves, who has access.
/// Each practice's register: EMIS Web (linked to the EMIS Web logins), Docman, CCTV and a
/// paper store, with flows and access entries. Returns each practice's EMIS Web asset.
async fn seed_assets(
    store: &SharedStore,
    practices: &[PracticeId],
    staff: &std::collections::HashMap<&str, custodian_domain::PersonId>,
    systems: &[Vec<uuid::Uuid>],
    today: chrono::NaiveDate,
) -> Result<Vec<uuid::Uuid>, StoreError> {
    let mut emis_assets = Vec::new();
    use custodian_domain::assets::{AccessInput, AssetInput, FlowInput};
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
        let flow = |to: Option<uuid::Uuid>,
                    party: &str,
                    data: &str,
                    purpose: &str,
                    method: &str,
                    encrypted: bool,
                    dsa: &str,
                    from: uuid::Uuid| FlowInput {
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
        store
            .add_flow(
                *practice,
                &flow(
                    None,
                    "Hospital trust",
                    "Referral letters",
                    "Secondary care referrals",
                    "nhsmail",
                    true,
                    "DSA-2025-014",
                    emis.id,
                )
                .validate()?,
                &by,
            )
            .await?;
        store
            .add_flow(
                *practice,
                &flow(
                    Some(docman.id),
                    "",
                    "Scanned letters",
                    "Filing in the record",
                    "api",
                    true,
                    "",
                    emis.id,
                )
                .validate()?,
                &by,
            )
            .await?;
        store
            .add_flow(
                *practice,
                &flow(
                    None,
                    "Police",
                    "CCTV footage",
                    "Requests under Schedule 2",
                    "removable_media",
                    false,
                    "",
                    cctv.id,
                )
                .validate()?,
                &by,
            )
            .await?;
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
                *practice,
                emis.id,
                &access(
                    Some(custodian_domain::PracticeRole::Staff),
                    None,
                    "read",
                    "Booking appointments and reading records for care",
                ),
                &by,
            )
            .await?;
        store
            .add_access(
                *practice,
                emis.id,
                &access(None, Some(iao), "admin", "Manages user accounts"),
                &by,
            )
            .await?;
        store
            .add_access(
                *practice,
                cctv.id,
                &access(
                    Some(custodian_domain::PracticeRole::PracticeManager),
                    None,
                    "read",
                    "",
                ),
                &by,
            )
            .await?;
    }
    Ok(emis_assets)
}

/// Each practice's risk register: threats from the library linked to EMIS Web, one with an
/// overdue action, one reviewed, and one accepted by the SIRO above the appetite.
async fn seed_risks(
    store: &SharedStore,
    practices: &[PracticeId],
    staff: &std::collections::HashMap<&str, custodian_domain::PersonId>,
    emis: &[uuid::Uuid],
    today: chrono::NaiveDate,
) -> Result<(), StoreError> {
    use custodian_domain::risks::{
        self, AcceptanceInput, ActionInput, Band, MATRIX_5X5, ReviewInput,
    };
    let owners = ["m.kowalski", "l.chen", "d.murphy"];
    let managers = ["r.ahmed", "k.mills", "f.begum"];
    let siros = ["dr.hughes", "dr.evans", "dr.okoro"];
    let raised = today - chrono::Duration::days(60);
    for (i, practice) in practices.iter().enumerate() {
        let iao = staff[owners[i]];
        let as_ = |who: &str| AuditMeta {
            actor_id: Some(staff[who]),
            actor: who.to_string(),
            ..AuditMeta::system("demo")
        };
        let mut ids = Vec::new();
        for (key, residual, controls) in [
            (
                "phishing",
                (3, 4),
                "NHSmail filtering; annual training; two-factor for administrators",
            ),
            (
                "ransomware",
                (2, 5),
                "Anti-malware everywhere; NHS-managed firewall; supplier-hosted clinical system",
            ),
            (
                "lost_device",
                (2, 3),
                "Practice laptops encrypted; device register",
            ),
            (
                "misdirected_email",
                (3, 3),
                "NHSmail encryption; check-before-send habit",
            ),
            (
                "password_sharing",
                (2, 3),
                "Screen lock after 15 minutes; smartcards",
            ),
        ] {
            let entry = risks::library_entry(key).expect("in the library");
            let mut input = entry.to_input(&MATRIX_5X5);
            input.asset_ids = emis.get(i).copied().into_iter().collect();
            input.owner_id = Some(iao);
            input.residual_likelihood = Some(residual.0);
            input.residual_impact = Some(residual.1);
            input.controls = controls.into();
            // Raised at different times: the one raised 120 days ago is overdue for its
            // quarterly review.
            let days = match key {
                "misdirected_email" => 120,
                "lost_device" => 100,
                "password_sharing" => 30,
                _ => 60,
            };
            input.raised_on = (today - chrono::Duration::days(days)).to_string();
            if key == "phishing" {
                input.target_likelihood = Some(2);
                input.target_impact = Some(3);
                input.status = "treating".into();
            }
            let r = store
                .create_risk(
                    *practice,
                    &input.validate(&MATRIX_5X5, today, None)?,
                    &as_(managers[i]),
                )
                .await?;
            ids.push(r.id);
        }
        // Phishing: an action done and one overdue.
        for (what, due, status) in [
            (
                "Turn on two-factor authentication for NHSmail",
                today - chrono::Duration::days(14),
                "open",
            ),
            (
                "Run a phishing awareness session at the practice meeting",
                today - chrono::Duration::days(40),
                "done",
            ),
        ] {
            let action = ActionInput {
                description: what.into(),
                owner_id: Some(iao),
                due_on: due.to_string(),
                status: status.into(),
            }
            .validate(raised)?;
            store
                .add_risk_action(*practice, ids[0], &action, &as_(owners[i]))
                .await?;
        }
        // Lost device: reviewed last month.
        let review = ReviewInput {
            residual_likelihood: Some(2),
            residual_impact: Some(3),
            notes: "Device register checked: every laptop encrypted".into(),
            next_review_on: (today + chrono::Duration::days(60)).to_string(),
        }
        .validate(&MATRIX_5X5, (2, 3), 12, 3, today)?;
        store
            .review_risk(*practice, ids[2], &review, &as_(owners[i]))
            .await?;
        // Ransomware (2 × 5 = 10, high): accepted by the SIRO above the appetite.
        let acceptance = AcceptanceInput {
            reason: "Clinical system hosted by the supplier; a second site costs more than the residual risk".into(),
            expires_on: (today + chrono::Duration::days(180)).to_string(),
        }
        .validate(Band::High, Band::Medium, true, today)?;
        store
            .accept_risk(*practice, ids[1], &acceptance, Band::High, &as_(siros[i]))
            .await?;
    }
    Ok(())
}

pub fn print_welcome(url: &str, data_dir: &std::path::Path, accounts: &[DemoAccount]) {
    println!();
    println!("Custodian demo: {url}");
    println!();
    println!(
        "Sign in with any of these fictional accounts. Every demo password is: {DEMO_PASSWORD}"
    );
    println!(
        "Provider staff and system administrators also use two-factor authentication: add the key"
    );
    println!("{DEMO_TOTP_SECRET} to any authenticator app (TOTP, 6 digits, 30 seconds).");
    println!("Every demo person's security answers are: {DEMO_ANSWER}");
    println!();
    for a in accounts {
        println!("  {:<12} {}", a.username, a.description);
    }
    println!();
    println!(
        "The demo's data lives in {} (delete it to start again). Press Ctrl-C to stop.",
        data_dir.display()
    );
    println!();
}
