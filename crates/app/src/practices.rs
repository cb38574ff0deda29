//! Practices: the provider's list of the practices it serves.

/// Neither scheduled jobs nor items that need attention.
pub const CAPABILITY: crate::Capability = crate::Capability::PLAIN;

use custodian_domain::{Access, NewPractice, Permission, Practice};
use custodian_store::AuditMeta;

use crate::{App, AppError};

/// A provider administrator brings a new practice in; its ODS code must be unique (a clash
/// names `ods_code`).
pub async fn create_practice(
    app: &App,
    access: &Access,
    meta: &AuditMeta,
    input: &NewPractice,
) -> Result<Practice, AppError> {
    app.require_access(access, meta, None, Permission::ProviderManage, "practice.create")
        .await?;
    let valid = input.validate()?;
    Ok(app.store.create_practice(&valid, meta).await?)
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
