//! The provider's practices and administrators.

use custodian_domain::{NewPerson, NewPractice, PageRequest, ProviderRole};
use custodian_store::{AuditMeta, NewAccount};

use crate::config::Config;
use crate::{Failure, open_store};

/// `custodian practice create`.
pub(crate) async fn create(config: &Config, name: String, ods_code: String) -> Result<(), Failure> {
    let store = open_store(config).await?;
    let valid = NewPractice { name, ods_code }
        .validate()
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let p = store
        .create_practice(&valid, &AuditMeta::cli())
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    println!("added {} ({}) with id {}", p.name, p.ods_code, p.id);
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
            "no practices yet: add one with `custodian practice create --name NAME --ods-code CODE`"
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
