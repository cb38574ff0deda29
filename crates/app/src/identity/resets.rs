//! Password resets after a caller answers their security questions.

use chrono::Duration;
use custodian_domain::identity::{self};
use custodian_domain::{Invalid, Permission, PersonId};
use custodian_store::Outcome;

use crate::{Actor, App, AppError};

/// What came of an identity check.
pub enum IdentityCheck {
    /// Every answer matched: the new one-time password, to read to the caller.
    Passed {
        one_time_password: String,
        expires: chrono::DateTime<chrono::Utc>,
    },
    /// Some answer did not match (which is not said); `remaining` attempts before the lock.
    Failed { remaining: i64 },
    /// Locked after too many failures, until a practice manager clears it.
    Locked,
    /// The person has no security questions yet.
    NoQuestions,
}

/// The password-reset route: an authoriser types the caller's answers; all must match.
pub async fn verify_identity(
    app: &App,
    actor: &Actor<'_>,
    person: PersonId,
    answers: &[String],
) -> Result<IdentityCheck, AppError> {
    app.require(actor, Permission::IdentityVerify, "identity.verify")
        .await?;
    if actor.meta.actor_id == Some(person) {
        return Err(Invalid::one(
            "person_id",
            "You cannot reset your own password this way: ask another authoriser",
        )
        .into());
    }
    let m = app.target_of(actor, person, "identity.verify").await?;
    let creds = app
        .store
        .credentials(&m.person.username)
        .await?
        .ok_or(AppError::NotFound)?;
    if creds.identity_check_failures >= identity::MAX_IDENTITY_CHECK_FAILURES {
        return Ok(IdentityCheck::Locked);
    }
    let stored = app.store.security_answers(person).await?;
    if stored.is_empty() {
        return Ok(IdentityCheck::NoQuestions);
    }
    let mut all = answers.len() == stored.len();
    for (i, (_, hash)) in stored.iter().enumerate() {
        let given = answers
            .get(i)
            .map(|a| identity::normalise_answer(a))
            .unwrap_or_default();
        // Check every answer (no early exit), so timing does not tell which one was wrong.
        let ok = !given.is_empty() && app.passwords.verify(&given, Some(hash)).await?;
        all &= ok;
    }
    let event = actor
        .meta
        .event(
            Some(actor.practice.id),
            "identity.verify",
            "person",
            Some(person.to_string()),
        )
        .outcome(if all {
            Outcome::Success
        } else {
            Outcome::Failure
        });
    let failures = app.store.record_identity_check(person, all, &event).await?;
    if !all {
        if failures >= identity::MAX_IDENTITY_CHECK_FAILURES {
            let e = actor.meta.event(
                Some(actor.practice.id),
                "identity.lock",
                "person",
                Some(person.to_string()),
            );
            app.store.append_event(&e).await?;
            return Ok(IdentityCheck::Locked);
        }
        return Ok(IdentityCheck::Failed {
            remaining: identity::MAX_IDENTITY_CHECK_FAILURES - failures,
        });
    }
    let settings = app.store.settings(actor.practice.id).await?;
    let otp = crate::secrets::one_time_password();
    let hash = app.passwords.hash(&otp).await?;
    let expires = app.clock.now() + Duration::hours(settings.one_time_password_hours as i64);
    let event = actor
        .meta
        .event(Some(actor.practice.id), "person.password_reset", "person", Some(person.to_string()))
        .details(serde_json::json!({ "password": "one-time password issued", "sessions": "all ended", "expires_at": expires.to_rfc3339() }));
    app.store
        .issue_one_time_password(person, &hash, expires, &event)
        .await?;
    Ok(IdentityCheck::Passed {
        one_time_password: otp,
        expires,
    })
}

/// Unlocks an account locked after failed sign-ins.
pub async fn unlock_account(
    app: &App,
    actor: &Actor<'_>,
    person: PersonId,
) -> Result<(), AppError> {
    app.require(actor, Permission::AccountUnlock, "account.unlock")
        .await?;
    let m = app.target_of(actor, person, "account.unlock").await?;
    let event = actor.event("account.unlock", "person", Some(m.person.id.to_string()));
    Ok(app.store.unlock_account(m.person.id, &event).await?)
}

/// Clears an identity check locked after wrong answers to the security questions.
pub async fn clear_identity_lock(
    app: &App,
    actor: &Actor<'_>,
    person: PersonId,
) -> Result<(), AppError> {
    app.require(actor, Permission::AccountUnlock, "identity.unlock")
        .await?;
    let m = app.target_of(actor, person, "identity.unlock").await?;
    let event = actor.event("identity.unlock", "person", Some(m.person.id.to_string()));
    Ok(app.store.clear_identity_lock(m.person.id, &event).await?)
}
