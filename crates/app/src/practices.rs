//! Practices: the provider's list of the practices it serves.

/// Neither scheduled jobs nor items that need attention.
pub const CAPABILITY: crate::Capability = crate::Capability::PLAIN;

use custodian_domain::Practice;

use crate::{App, AppError};

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
