//! The provider's practices and administrators.

use custodian_domain::{NewPerson, NewPracticeAndManager, PageRequest, ProviderRole};
use custodian_store::{AuditMeta, NewAccount};

use crate::args::PracticeImportArgs;
use crate::config::Config;
use crate::{Failure, app_failure, open_store};

/// `custodian practice create`: a practice and its first practice manager, as a named provider
/// administrator; prints the manager's one-time password.
pub(crate) async fn create(
    config: &Config,
    acting_as: &str,
    input: &NewPracticeAndManager,
) -> Result<(), Failure> {
    let store = open_store(config).await?;
    let (_, access, meta) = crate::access::provider_administrator(&store, acting_as, None).await?;
    let app = custodian_app::App::new(store);
    let c = custodian_app::practices::create_practice(&app, &access, &meta, input)
        .await
        .map_err(app_failure)?;
    let m = &c.manager.person;
    println!(
        "added {} ({}) with id {}",
        c.practice.name, c.practice.ods_code, c.practice.id
    );
    println!("first practice manager: {} ({})", m.full_name, m.username);
    println!("one-time password: {}", c.one_time_password);
    println!(
        "It works once, until {}. Read it to them by phone or in person{}: they choose their own password,",
        custodian_domain::time::show_datetime(c.expires_at),
        m.phone
            .as_deref()
            .map(|p| format!(" (phone {p})"))
            .unwrap_or_default()
    );
    println!("security questions and two-factor authentication when they first sign in.");
    Ok(())
}

/// `custodian practice import`: a list of practices, each with its first practice manager, as
/// a named provider administrator; lists every bad row, then prints each manager's one-time
/// password.
pub(crate) async fn import(config: &Config, args: PracticeImportArgs) -> Result<(), Failure> {
    let bytes = args.file.read()?;
    let store = open_store(config).await?;
    let (_, access, meta) =
        crate::access::provider_administrator(&store, &args.acting_as, None).await?;
    let app = custodian_app::App::new(store);
    let plan = custodian_app::practices::check_practice_list(&app, &access, &meta, &bytes)
        .await
        .map_err(app_failure)?;
    let counts = (plan.rows, plan.valid.len(), plan.invalid_rows());
    let Some(mode) = args.file.report(&plan.errors, counts.0, counts.1, counts.2) else {
        return Ok(());
    };
    let created =
        custodian_app::practices::import_practices(&app, &access, &meta, None, &plan, mode)
            .await
            .map_err(app_failure)?;
    println!(
        "{}; {} added",
        args.file.summary(counts.0, counts.1, counts.2),
        custodian_domain::validation::counted(created.len(), "practice", "practices")
    );
    println!("ODS code\tpractice\tpractice manager\tusername\tphone\tone-time password");
    for c in &created {
        let m = &c.manager.person;
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            c.practice.ods_code,
            c.practice.name,
            m.full_name,
            m.username,
            m.phone.as_deref().unwrap_or(""),
            c.one_time_password
        );
    }
    if let Some(c) = created.first() {
        println!(
            "Each works once, until {}. Read each to its practice manager by phone or in person.",
            custodian_domain::time::show_datetime(c.expires_at)
        );
    }
    Ok(())
}

/// `custodian practice list`.
pub(crate) async fn list(config: &Config) -> Result<(), Failure> {
    let store = open_store(config).await?;
    let mut page = PageRequest::first(200);
    let mut any = false;
    loop {
        let list = store
            .practices(&page)
            .await
            .map_err(|e| Failure::Failed(e.to_string()))?;
        for p in &list.items {
            any = true;
            println!("{}\t{}\t{}", p.ods_code, p.id, p.name);
        }
        match list.next_cursor {
            Some(c) => {
                page = PageRequest::parse(Some(&c), Some(200))
                    .map_err(|e| Failure::Failed(e.to_string()))?
            }
            None => break,
        }
    }
    if !any {
        eprintln!(
            "no practices yet: add one with `custodian practice create --as USERNAME --name NAME --ods-code CODE --manager-name NAME --manager-email EMAIL`"
        );
    }
    Ok(())
}

/// `custodian admin create`: the first provider administrator, with a one-time password.
pub(crate) async fn create_admin(
    config: &Config,
    username: String,
    name: String,
    email: Option<String>,
) -> Result<(), Failure> {
    let store = open_store(config).await?;
    let person = NewPerson {
        username,
        email,
        full_name: name,
    }
    .validate()
    .map_err(|e| Failure::Failed(e.to_string()))?;
    let otp = custodian_app::secrets::one_time_password();
    let hash = custodian_app::Passwords::new(1)
        .hash(&otp)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let account = NewAccount {
        person,
        password_hash: Some(hash),
        must_change_password: true,
        one_time_password_expires_at: Some(chrono::Utc::now() + chrono::Duration::hours(72)),
        provider_roles: vec![ProviderRole::ProviderAdministrator],
    };
    let p = store
        .create_person(&account, &AuditMeta::cli())
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    println!(
        "created provider administrator {} ({})",
        p.full_name, p.username
    );
    println!("one-time password: {otp}");
    println!(
        "It works once, within 72 hours. Give it to them in person or by phone: they choose their own password,"
    );
    println!("security questions and two-factor authentication when they first sign in.");
    Ok(())
}
