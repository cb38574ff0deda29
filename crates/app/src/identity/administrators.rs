//! System administrators: nominated with a reason, within the practice's cap.

use custodian_domain::{Permission, PersonId};

use crate::{Actor, App, AppError};

/// Nominates a system administrator, within the practice's cap.
pub async fn nominate_administrator(
    app: &App,
    actor: &Actor<'_>,
    person: PersonId,
    reason: &str,
) -> Result<custodian_store::AdministratorNomination, AppError> {
    app.require(
        actor,
        Permission::AdministratorNominate,
        "administrator.nominate",
    )
    .await?;
    app.target_of(actor, person, "administrator.nominate")
        .await?;
    let settings = app.store.settings(actor.practice.id).await?;
    Ok(app
        .store
        .nominate_administrator(
            actor.practice.id,
            person,
            reason,
            settings.administrator_cap,
            actor.meta,
        )
        .await?)
}
