//! The demo: a provider, three fictional practices and their staff in every role, so a newcomer
//! sees every page populated. Created once; later runs reuse it.

use custodian_domain::{NewPerson, NewPractice, PracticeId, PracticeRole, ProviderRole};
use custodian_store::{AuditMeta, NewAccount, SharedStore, StoreError};

/// Every register's demo data, one line each, in the order it is made (each builds on what
/// the ones before it left in [`Demo`]). A new register adds its line here.
macro_rules! registers {
    ($($name:ident,)*) => {
        $(mod $name;)*
        async fn seed_registers(demo: &mut Demo<'_>) -> Result<(), StoreError> {
            $($name::seed(demo).await?;)*
            Ok(())
        }
    };
}

registers! {
    identity,
    assets,
    risks,
    incidents,
    devices,
}

#[cfg(test)]
mod homes_test;

/// The demo's practices and people, and what each register's demo data made that a later one
/// builds on.
struct Demo<'a> {
    store: &'a SharedStore,
    practices: Vec<PracticeId>,
    /// Practice staff by username.
    staff: std::collections::HashMap<&'static str, custodian_domain::PersonId>,
    /// Provider staff by username.
    provider: std::collections::HashMap<&'static str, custodian_domain::PersonId>,
    /// The hash of [`DEMO_PASSWORD`].
    password_hash: String,
    today: chrono::NaiveDate,
    /// Each practice's systems (identity), in the order of `SYSTEMS`.
    systems: Vec<Vec<custodian_domain::SystemId>>,
    /// Each practice's EMIS Web asset (assets).
    emis_assets: Vec<custodian_domain::AssetId>,
}

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

/// The demo's practices, in the order of `PRACTICES`.
async fn create_practices(
    store: &SharedStore,
    by: &AuditMeta,
) -> Result<Vec<PracticeId>, StoreError> {
    let mut ids = Vec::new();
    for (name, ods) in PRACTICES {
        let valid = NewPractice {
            name: name.into(),
            ods_code: ods.into(),
        }
        .validate()?;
        ids.push(store.create_practice(&valid, by).await?.id);
    }
    Ok(ids)
}

/// What a member of staff does, in the list of demo accounts: their roles (or job title) and
/// practice.
fn staff_description(job_title: &str, roles: &[PracticeRole], practice: usize) -> String {
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
    format!("{what}, {}", PRACTICES[practice].0)
}

/// Creates the demo data unless it is there already; returns the accounts to show.
pub async fn seed(store: &SharedStore) -> Result<Vec<DemoAccount>, StoreError> {
    let fresh = store.provider_name().await?.is_none();
    let by = AuditMeta::system("demo");
    let hash = custodian_app::Passwords::new(2)
        .hash(DEMO_PASSWORD)
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut accounts = Vec::new();
    let practice_ids = if fresh {
        create_practices(store, &by).await?
    } else {
        Vec::new()
    };
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
    let mut provider_ids: std::collections::HashMap<&'static str, custodian_domain::PersonId> =
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
    let mut created: std::collections::HashMap<&'static str, custodian_domain::PersonId> =
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
        accounts.push(DemoAccount {
            username: username.to_string(),
            description: staff_description(job_title, roles, *practice),
        });
    }
    if fresh {
        let mut demo = Demo {
            store,
            practices: practice_ids,
            staff: created,
            provider: provider_ids,
            password_hash: hash,
            today: custodian_domain::identity::london_today(chrono::Utc::now()),
            systems: Vec::new(),
            emis_assets: Vec::new(),
        };
        seed_registers(&mut demo).await?;
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

/// Where the demo's data is, in words: its folder, or the database `database_url` names
/// (without its password).
pub fn where_it_lives(config: &crate::config::Config) -> String {
    if config.database_url.is_empty() {
        config.data_dir.display().to_string()
    } else {
        custodian_store::redact_url(&config.database())
    }
}

pub fn print_welcome(url: &str, data_dir: &str, accounts: &[DemoAccount]) {
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
        "The demo's data lives in {data_dir} (delete it to start again). Press Ctrl-C to stop."
    );
    println!();
}
