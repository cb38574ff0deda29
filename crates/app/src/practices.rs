//! Practices: the provider's list of the practices it serves.

/// Neither scheduled jobs nor items that need attention.
pub const CAPABILITY: crate::Capability = crate::Capability::PLAIN;

use custodian_domain::practice::{FIRST_MANAGER_JOB_TITLE, FirstManager, username_candidates};
use custodian_domain::{
    Access, FieldError, Invalid, NewPerson, NewPracticeAndManager, Permission, Practice,
    PracticeMember,
};
use custodian_store::{AuditMeta, FirstManagerAccount, NewAccount};

use crate::{App, AppError};

/// A practice brought in, with its first practice manager and the one-time password to read to
/// them (shown once, never kept).
#[derive(Clone, Debug)]
pub struct PracticeCreated {
    pub practice: Practice,
    pub manager: PracticeMember,
    pub one_time_password: String,
    pub expires_at: custodian_store::Timestamp,
}

/// Provider staff bring a practice in together with its first practice manager, who signs in
/// with a one-time password and brings the rest of the staff in. Both are created or neither:
/// a clash of ODS codes names `ods_code`; a username or email already in use names
/// `manager_username` or `manager_email`. Without a username, one is made from the manager's
/// name (`r.ahmed`, then `rachel.ahmed`, then `r.ahmed2`…).
pub async fn create_practice(
    app: &App,
    access: &Access,
    meta: &AuditMeta,
    input: &NewPracticeAndManager,
) -> Result<PracticeCreated, AppError> {
    app.require_access(access, meta, None, Permission::ProviderManage, "practice.create")
        .await?;
    let (practice, manager) = input.validate()?;
    let username = match &manager.username {
        Some(u) => u.clone(),
        None => free_username(app, &manager).await?,
    };
    let one_time_password = crate::secrets::one_time_password();
    let hours = custodian_domain::settings::PracticeSettings::default().one_time_password_hours;
    let expires_at = app.clock.now() + chrono::Duration::hours(i64::from(hours));
    let person = NewPerson {
        username,
        email: Some(manager.email.clone()),
        full_name: manager.full_name.clone(),
    }
    .validate()
    .map_err(as_manager_fields)?;
    let account = FirstManagerAccount {
        account: NewAccount {
            person,
            password_hash: Some(app.passwords.hash(&one_time_password).await?),
            must_change_password: true,
            one_time_password_expires_at: Some(expires_at),
            provider_roles: vec![],
        },
        phone: manager.phone.clone(),
        job_title: FIRST_MANAGER_JOB_TITLE.into(),
    };
    let (practice, manager) = app
        .store
        .create_practice_with_manager(&practice, &account, meta)
        .await
        .map_err(|e| as_manager_fields(AppError::from(e)))?;
    Ok(PracticeCreated {
        practice,
        manager,
        one_time_password,
        expires_at,
    })
}

/// The first username made from the manager's name (or email) that nobody has.
async fn free_username(app: &App, manager: &FirstManager) -> Result<String, AppError> {
    for candidate in username_candidates(&manager.full_name, &manager.email) {
        if app.store.credentials(&candidate).await?.is_none() {
            return Ok(candidate);
        }
    }
    Err(Invalid::one(
        "manager_username",
        "Enter a username for the practice manager: none could be made from their name",
    )
    .into())
}

/// A person's field named as the manager's field of the practice form.
fn as_manager_fields<E: Into<AppError>>(e: E) -> AppError {
    match e.into() {
        AppError::Invalid(Invalid(errors)) => AppError::Invalid(Invalid(
            errors
                .into_iter()
                .map(|f| FieldError {
                    field: match f.field.as_str() {
                        "username" => "manager_username".into(),
                        "email" => "manager_email".into(),
                        "full_name" => "manager_name".into(),
                        _ => f.field,
                    },
                    message: f.message,
                })
                .collect(),
        )),
        AppError::Conflict { field, message } => AppError::Conflict {
            field: match field.as_str() {
                "username" => "manager_username".into(),
                "email" => "manager_email".into(),
                _ => field,
            },
            message,
        },
        other => other,
    }
}

/// Every practice the provider serves, by name (for the provider-wide pages and the scheduler).
pub async fn all_practices(app: &App) -> Result<Vec<Practice>, AppError> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = custodian_domain::PageRequest::parse(cursor.as_deref(), Some(200))?;
        let list = app.store.practices(&page).await?;
        all.extend(list.items);
        match list.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(all),
        }
    }
}

/// A new practice's setup checklist, for whoever may change its settings (the practice
/// manager): empty once every step is done, and for everyone else.
pub async fn setup_checklist(
    app: &App,
    actor: &crate::Actor<'_>,
) -> Result<Vec<custodian_domain::practice::SetupStep>, AppError> {
    if !actor.access.can(Permission::PracticeSettingsManage) {
        return Ok(vec![]);
    }
    let progress = app.store.setup_progress(actor.practice_id()).await?;
    let steps = custodian_domain::practice::setup_steps(&progress);
    Ok(if custodian_domain::practice::setup_unfinished(&steps) {
        steps
    } else {
        vec![]
    })
}
