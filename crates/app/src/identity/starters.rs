//! Starters and movers: a line manager asks, a practice manager approves (never their own
//! request); approval opens the account with a one-time password to read out.

use chrono::Duration;
use custodian_domain::identity::{self, NewAccessRequest};
use custodian_domain::{Permission, PersonId};
use custodian_store::AccessRequest;

use crate::{Actor, App, AppError};

/// A line manager's request for a new starter (or, with `person`, a change of role).
pub async fn request_access(
    app: &App,
    actor: &Actor<'_>,
    person: Option<PersonId>,
    input: &NewAccessRequest,
) -> Result<AccessRequest, AppError> {
    app.require(
        actor,
        Permission::StarterRequest,
        if person.is_some() {
            "mover.request"
        } else {
            "starter.request"
        },
    )
    .await?;
    let valid = input.validate(identity::london_today(app.clock.now()))?;
    if person.is_some() && valid.line_manager_id == person {
        return Err(custodian_domain::Invalid::one(
            "line_manager_id",
            "Choose someone else as the line manager: nobody is their own line manager",
        )
        .into());
    }
    Ok(app
        .store
        .create_access_request(actor.practice.id, person, &valid, actor.meta)
        .await?)
}

/// A starter or mover request, for someone who may request or approve access; the read is
/// recorded.
pub async fn view_request(
    app: &App,
    actor: &Actor<'_>,
    id: custodian_domain::RequestId,
) -> Result<AccessRequest, AppError> {
    if !actor.access.can(Permission::StarterRequest) {
        app.require(actor, Permission::StarterApprove, "access_request.view")
            .await?;
    }
    let r = app
        .store
        .access_request(actor.practice_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    app.record_read(actor.event("access_request.view", "access_request", Some(id.to_string())))
        .await?;
    Ok(r)
}

/// Approves a request: for a starter, returns the one-time password to give them verbally.
pub async fn approve_request(
    app: &App,
    actor: &Actor<'_>,
    id: custodian_domain::RequestId,
    reason: &str,
) -> Result<(AccessRequest, Option<String>), AppError> {
    app.require(actor, Permission::StarterApprove, "starter.approve")
        .await?;
    let req = app
        .store
        .access_request(actor.practice.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Who may act on whom: an approver gives only roles they could grant, and changes the roles
    // only of someone within their reach.
    if !req
        .roles
        .iter()
        .all(|r| custodian_domain::could_grant(actor.access, *r))
    {
        return Err(app
            .refuse(
                actor,
                "starter.approve",
                "access_request",
                Some(id.to_string()),
            )
            .await);
    }
    if let Some(person) = req.person_id {
        app.target_of(actor, person, "starter.approve").await?;
    }
    let settings = app.store.settings(actor.practice.id).await?;
    let (otp, hash) = if req.person_id.is_none() {
        let otp = crate::secrets::one_time_password();
        let hash = app.passwords.hash(&otp).await?;
        (Some(otp), Some(hash))
    } else {
        (None, None)
    };
    let expires = app.clock.now() + Duration::hours(settings.one_time_password_hours as i64);
    let not_before = if settings.early_sign_in {
        None
    } else {
        Some(req.start_date)
    };
    let done = app
        .store
        .approve_access_request(
            actor.practice.id,
            id,
            reason.trim(),
            hash.as_deref().map(|h| (h, expires)),
            not_before,
            actor.meta,
        )
        .await?;
    Ok((done, otp))
}

pub async fn reject_request(
    app: &App,
    actor: &Actor<'_>,
    id: custodian_domain::RequestId,
    reason: &str,
) -> Result<AccessRequest, AppError> {
    app.require(actor, Permission::StarterApprove, "starter.reject")
        .await?;
    Ok(app
        .store
        .reject_access_request(actor.practice.id, id, reason, actor.meta)
        .await?)
}
