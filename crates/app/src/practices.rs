//! Practices: the provider's list of the practices it serves.

/// Neither scheduled jobs nor items that need attention.
pub const CAPABILITY: crate::Capability = crate::Capability::PLAIN;

use custodian_domain::csv_import::ImportPlan;
use custodian_domain::practice::{FIRST_MANAGER_JOB_TITLE, FirstManager, username_candidates};
use custodian_domain::practice_import::{self, PracticeRow};
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
    let (account, one_time_password, expires_at) =
        first_manager_account(app, &manager, username).await?;
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

/// A first practice manager's account with a one-time password (returned to be read to them,
/// never kept) and its expiry.
async fn first_manager_account(
    app: &App,
    manager: &FirstManager,
    username: String,
) -> Result<(FirstManagerAccount, String, custodian_store::Timestamp), AppError> {
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
    Ok((account, one_time_password, expires_at))
}

/// Checks a provider's list of practices (CSV: a practice and its first manager per row)
/// against every ODS code, username and email address already in use.
pub async fn check_practice_list(
    app: &App,
    access: &Access,
    meta: &AuditMeta,
    bytes: &[u8],
) -> Result<ImportPlan<PracticeRow>, AppError> {
    app.require_access(access, meta, None, Permission::ProviderManage, "practice.import")
        .await?;
    let taken = app.store.names_in_use().await?;
    let bytes = bytes.to_vec();
    Ok(crate::heavy::run(move || practice_import::plan_import(&bytes, &taken)).await??)
}

/// Brings in the practices of a checked list as the uploader chose (every row, or the valid
/// ones), each with its first practice manager and their one-time password, all in one
/// transaction: if any cannot be created (someone took an ODS code or a username since the
/// check), none is.
pub async fn import_practices(
    app: &App,
    access: &Access,
    meta: &AuditMeta,
    import: Option<custodian_domain::ImportId>,
    plan: &ImportPlan<PracticeRow>,
    mode: crate::imports::ImportMode,
) -> Result<Vec<PracticeCreated>, AppError> {
    app.require_access(access, meta, None, Permission::ProviderManage, "practice.import")
        .await?;
    let summary = crate::imports::fits(plan.rows, plan.valid.len(), plan.invalid_rows(), mode)?;
    // The passwords are hashed side by side, on the hashing threads.
    let mut hashing = tokio::task::JoinSet::new();
    for (i, (_, (_, manager))) in plan.valid.iter().enumerate() {
        let (app, manager) = (app.clone(), manager.clone());
        hashing.spawn(async move {
            let username = match &manager.username {
                Some(u) => u.clone(),
                None => free_username(&app, &manager).await?,
            };
            first_manager_account(&app, &manager, username)
                .await
                .map(|a| (i, a))
        });
    }
    let mut accounts = Vec::with_capacity(plan.valid.len());
    while let Some(done) = hashing.join_next().await {
        accounts.push(done.map_err(|e| AppError::Internal(e.to_string()))??);
    }
    accounts.sort_by_key(|(i, _)| *i);
    let rows: Vec<_> = plan
        .valid
        .iter()
        .zip(&accounts)
        .map(|((_, (practice, _)), (_, (account, _, _)))| (practice.clone(), account.clone()))
        .collect();
    let created = app
        .store
        .import_practices(import, &rows, summary, meta)
        .await
        .map_err(as_manager_fields)?;
    Ok(created
        .into_iter()
        .zip(accounts)
        .map(|((practice, manager), (_, (_, one_time_password, expires_at)))| {
            PracticeCreated {
                practice,
                manager,
                one_time_password,
                expires_at,
            }
        })
        .collect())
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

/// The provider's name as pages show it: "The provider" until one is set.
pub async fn provider_name(app: &App) -> Result<String, AppError> {
    Ok(app
        .store
        .provider_name()
        .await?
        .unwrap_or_else(|| "The provider".into()))
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

/// The provider's defaults for new practices: provider staff may see them.
pub async fn provider_defaults(
    app: &App,
    access: &Access,
    meta: &AuditMeta,
) -> Result<custodian_domain::settings::PracticeSettings, AppError> {
    app.require_access(access, meta, None, Permission::ProviderView, "provider.defaults_view")
        .await?;
    Ok(app.store.provider_defaults().await?)
}

/// Sets the provider's defaults: each practice brought in from now on starts from them (its
/// risk matrix, password and sign-in rules, opening hours…); practices already here keep theirs.
pub async fn set_provider_defaults(
    app: &App,
    access: &Access,
    meta: &AuditMeta,
    settings: &custodian_domain::settings::PracticeSettings,
) -> Result<(), AppError> {
    app.require_access(access, meta, None, Permission::ProviderManage, "provider.defaults_update")
        .await?;
    settings.validate()?;
    Ok(app.store.set_provider_defaults(settings, meta).await?)
}
