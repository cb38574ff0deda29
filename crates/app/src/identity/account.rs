//! A person's own account: the settings that bind them, where their sign-in stands, and what
//! they change themselves (their password, security questions and two-factor authentication).
//! The sign-in pages, the account pages and the API's `/me` all go through here; asking for the
//! current password again (the re-authentication) is the web's, since it counts as a sign-in.

use custodian_domain::identity::{self, SessionStage, SignInFacts};
use custodian_domain::password::{PasswordContext, check_new_password};
use custodian_domain::settings::PracticeSettings;
use custodian_domain::validation::Checker;
use custodian_domain::{
    Access, ApiTokenId, Invalid, Permission, PersonId, PracticeId, SessionId, totp,
};
use custodian_store::{ApiToken, AuditMeta, Credentials};
use sha2::{Digest, Sha256};

use crate::{App, AppError};

/// The person whose account it is, as their session knows them.
#[derive(Clone, Copy, Debug)]
pub struct Holder<'a> {
    pub person: PersonId,
    pub username: &'a str,
    pub full_name: &'a str,
}

/// The strictest settings of every practice the person works in.
pub async fn settings_for(app: &App, person: PersonId) -> Result<PracticeSettings, AppError> {
    let mut all = Vec::new();
    for m in app.store.memberships(person).await? {
        all.push(app.store.settings(m.practice.id).await?);
    }
    Ok(PracticeSettings::strictest(&all))
}

/// Whether this person must use MFA: provider staff, system administrators, and everyone in a
/// practice that requires it.
pub async fn mfa_required(
    app: &App,
    person: PersonId,
    settings: &PracticeSettings,
) -> Result<bool, AppError> {
    if settings.mfa_required_for_all {
        return Ok(true);
    }
    let (_, provider) = app.store.roles(None, person).await?;
    Ok(!provider.is_empty() || app.store.is_system_administrator(person).await?)
}

/// Where a signed-in person stands now, after the stage they were in was completed.
pub async fn next_stage(
    app: &App,
    creds: &Credentials,
    mfa_verified: bool,
) -> Result<SessionStage, AppError> {
    let settings = settings_for(app, creds.person_id).await?;
    Ok(identity::next_stage(SignInFacts {
        mfa_enrolled: creds.mfa_enrolled,
        mfa_verified,
        must_change_password: creds.must_change_password,
        password_expired: identity::password_expired(
            creds.password_changed_at,
            settings.password_max_age_days,
            app.clock.now(),
        ),
        has_security_answers: creds.has_security_answers,
        mfa_required: mfa_required(app, creds.person_id, &settings).await?,
    }))
}

/// The credentials of the account as they are now (gone: the session no longer stands).
pub async fn credentials(app: &App, who: Holder<'_>) -> Result<Credentials, AppError> {
    app.store
        .credentials(who.username)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// Checks a new password against the policy, the person's last passwords and their practices'
/// names. Errors name `new_password`.
pub async fn check_password_choice(
    app: &App,
    who: Holder<'_>,
    password: &str,
) -> Result<(), Invalid> {
    let settings = settings_for(app, who.person)
        .await
        .map_err(|_| Invalid::one("new_password", "Try again"))?;
    let names: Vec<String> = app
        .store
        .memberships(who.person)
        .await
        .map(|m| m.into_iter().map(|m| m.practice.name).collect())
        .unwrap_or_default();
    let words: Vec<&str> = names.iter().map(String::as_str).collect();
    check_new_password(
        password,
        &PasswordContext {
            min_length: settings.password_min_length as usize,
            username: who.username,
            full_name: who.full_name,
            context_words: &words,
        },
    )?;
    let history = app
        .store
        .password_history(who.person, identity::PASSWORD_HISTORY)
        .await
        .unwrap_or_default();
    for old in &history {
        if app
            .passwords
            .verify(password, Some(old))
            .await
            .unwrap_or(false)
        {
            return Err(Invalid::one(
                "new_password",
                format!(
                    "Choose a password you have not used for your last {} passwords",
                    identity::PASSWORD_HISTORY
                ),
            ));
        }
    }
    Ok(())
}

/// The person chooses a new password (after proving who they are): it must meet the policy and
/// differ from the current one; the change is recorded with whether it replaced a one-time
/// password.
pub async fn change_password(
    app: &App,
    who: Holder<'_>,
    new_password: &str,
    meta: &AuditMeta,
) -> Result<(), AppError> {
    let creds = credentials(app, who).await?;
    check_password_choice(app, who, new_password).await?;
    if app
        .passwords
        .verify(new_password, creds.password_hash.as_deref())
        .await?
    {
        return Err(Invalid::one(
            "new_password",
            "Choose a password different from your current one",
        )
        .into());
    }
    let hash = app.passwords.hash(new_password).await?;
    let event = meta
        .event(
            None,
            "person.password_change",
            "person",
            Some(who.person.to_string()),
        )
        .details(serde_json::json!({
            "password": "changed",
            "was_one_time": creds.must_change_password,
        }));
    app.store.set_password(who.person, &hash, &event).await?;
    Ok(())
}

/// The person sets their security questions: `(question, answer)` pairs, checked by the domain
/// rule; the answers are kept hashed (they are guessable).
pub async fn set_security_answers(
    app: &App,
    person: PersonId,
    pairs: &[(String, String)],
    meta: &AuditMeta,
) -> Result<(), AppError> {
    let answers = identity::check_security_answers(pairs)?;
    let mut stored = Vec::new();
    for (q, a) in &answers {
        stored.push((q.clone(), app.passwords.hash(a).await?));
    }
    let event = meta
        .event(
            None,
            "person.security_questions_set",
            "person",
            Some(person.to_string()),
        )
        .details(serde_json::json!({
            "questions": answers.iter().map(|(q, _)| q).collect::<Vec<_>>(),
            "answers": "set (hashed)",
        }));
    app.store
        .set_security_answers(person, &stored, &event)
        .await?;
    Ok(())
}

/// The person turns on two-factor authentication with the key they were shown (base32; one
/// that does not decode to at least 128 bits names `secret`) and a code their authenticator app
/// made from it. Returns their ten recovery codes, shown once and
/// kept only as hashes.
pub async fn enrol_mfa(
    app: &App,
    person: PersonId,
    secret: &str,
    code: &str,
    meta: &AuditMeta,
) -> Result<Vec<String>, AppError> {
    let key = totp::base32_decode(secret)
        .filter(|s| s.len() >= 16)
        .ok_or_else(|| Invalid::one("secret", "The enrolment key was damaged: start again"))?;
    let step = match totp::verify(&key, code, app.clock.now().timestamp(), None) {
        Ok(step) => step,
        Err(totp::TotpRefusal::Malformed) => {
            return Err(Invalid::one("code", "Enter the 6-digit code from the app").into());
        }
        Err(_) => {
            return Err(Invalid::one(
                "code",
                "That code is not right. Check you scanned this page's QR code, and that the time on your phone is correct.",
            )
            .into());
        }
    };
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_code_hash(c)).collect();
    let event = meta
        .event(None, "mfa.enrol", "person", Some(person.to_string()))
        .details(serde_json::json!({ "method": "totp", "recovery_codes": "10 issued (hashed)" }));
    app.store
        .enable_mfa(person, &totp::base32_encode(&key), &hashes, step, &event)
        .await?;
    Ok(codes)
}

/// What a person asks for in a new API token, as typed.
pub struct TokenRequest<'a> {
    pub name: &'a str,
    /// The practice's id: one of `practices`.
    pub practice: &'a str,
    /// Permission names, each one the person has in that practice.
    pub permissions: &'a [String],
    pub expires_in_days: &'a str,
}

/// API tokens read `cst_` + 64 hex characters, so they are easy to spot in a leaked file.
pub const API_TOKEN_PREFIX: &str = "cst_";

/// The person creates an API token for one of their `practices`, with some of the permissions
/// they hold there (never the provider's), for 1 to 365 days. Returns the token and its
/// secret, shown only now (only its hash is kept).
pub async fn issue_api_token(
    app: &App,
    who: Holder<'_>,
    practices: &[PracticeId],
    request: TokenRequest<'_>,
    meta: &AuditMeta,
) -> Result<(ApiToken, String), AppError> {
    let mut c = Checker::new();
    let name = c.text("name", "what the token is for", request.name, 100);
    let practice_id = request
        .practice
        .parse::<PracticeId>()
        .ok()
        .filter(|p| practices.contains(p));
    if practice_id.is_none() {
        c.fail("practice_id", "Choose one of your practices");
    }
    let days: Option<i64> = request
        .expires_in_days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=365).contains(d));
    if days.is_none() {
        c.fail("expires_in_days", "Enter a number of days from 1 to 365");
    }
    let mut perms = Vec::new();
    if let Some(pid) = practice_id {
        let (roles, provider) = app.store.roles(Some(pid), who.person).await?;
        let access = Access::new(who.person, &roles, &provider);
        for p in request.permissions {
            match Permission::ALL.into_iter().find(|x| x.as_str() == p) {
                Some(x)
                    if access.can(x)
                        && !matches!(x, Permission::ProviderManage | Permission::ProviderView) =>
                {
                    perms.push(x)
                }
                _ => c.fail(
                    "permissions",
                    format!("You do not have the permission {p} in that practice, so a token cannot have it"),
                ),
            }
        }
    }
    if request.permissions.is_empty() {
        c.fail("permissions", "Choose at least one permission");
    }
    c.finish()?;
    let (Some(practice_id), Some(days)) = (practice_id, days) else {
        unreachable!("a missing practice or duration is reported above");
    };
    let now = app.clock.now();
    let (secret, hash) = crate::secrets::new_token();
    let token = ApiToken {
        id: ApiTokenId::new(),
        person_id: who.person,
        practice_id,
        name,
        permissions: perms,
        created_at: now,
        expires_at: now + chrono::Duration::days(days),
        revoked_at: None,
        last_used_at: None,
    };
    let event = meta
        .event(
            Some(token.practice_id),
            "api_token.create",
            "api_token",
            Some(token.id.to_string()),
        )
        .details(serde_json::json!({
            "name": token.name,
            "permissions": token.permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            "expires_at": token.expires_at.to_rfc3339(),
        }));
    app.store.create_api_token(&token, &hash, &event).await?;
    Ok((token, format!("{API_TOKEN_PREFIX}{secret}")))
}

/// The person revokes one of their API tokens (someone else's is not found).
pub async fn revoke_api_token(
    app: &App,
    person: PersonId,
    id: ApiTokenId,
    meta: &AuditMeta,
) -> Result<(), AppError> {
    let event = meta.event(None, "api_token.revoke", "api_token", Some(id.to_string()));
    if app.store.revoke_api_token(person, id, &event).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The person ends one of their sessions from another (someone else's is not found).
pub async fn end_session(
    app: &App,
    person: PersonId,
    id: SessionId,
    meta: &AuditMeta,
) -> Result<(), AppError> {
    let event = meta
        .event(None, "session.end", "session", Some(id.to_string()))
        .details(serde_json::json!({ "why": "ended by its owner from another session" }));
    if app.store.end_session_by_id(person, id, &event).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Ten single-use recovery codes, readable, `xxxxx-xxxxx`.
pub fn new_recovery_codes() -> Vec<String> {
    (0..10)
        .map(|_| {
            let c = crate::secrets::random_code(10);
            format!("{}-{}", &c[..5], &c[5..])
        })
        .collect()
}

/// The hash under which a recovery code is kept: SHA-256 (the codes are random), of the code
/// without its separators and in lower case, so however it is typed back it matches.
pub fn recovery_code_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    hex::encode(Sha256::digest(norm.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recovery_code_matches_however_it_is_typed() {
        assert_eq!(
            recovery_code_hash("abcde-fghjk"),
            recovery_code_hash("ABCDE FGHJK")
        );
        assert_ne!(
            recovery_code_hash("abcde-fghjk"),
            recovery_code_hash("abcde-fghjm")
        );
        assert!(new_recovery_codes().iter().all(|c| c.len() == 11));
    }
}
