//! Signing in and a person's own account: the sign-in stages (authenticator code, new password,
//! security questions, MFA enrolment), sessions, and API tokens.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use chrono::Duration;
use custodian_domain::identity::{self, SessionStage, SignInFacts};
use custodian_domain::password::{PasswordContext, check_new_password};
use custodian_domain::settings::PracticeSettings;
use custodian_domain::time::{show_date, show_datetime};
use custodian_domain::{AccountStatus, Invalid, Permission, PersonId, totp};
use custodian_store::{ApiToken, AuditMeta, Credentials, NewSession, Outcome};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::kit::forms::Errors;
use crate::kit::layout::{Layout, provider_roles_text, render, render_with, roles_text};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::{self, RequestMeta, SignedIn};
use crate::{AppError, AppState, HttpError};

mod code;
mod mfa;
mod password;
mod questions;
mod sessions;
mod sign_in;
mod tokens;
pub(crate) use code::*;
pub(crate) use mfa::*;
pub(crate) use password::*;
pub(crate) use questions::*;
pub(crate) use sessions::*;
pub(crate) use sign_in::*;
pub(crate) use tokens::*;

pub fn routes(r: &mut Routes) {
    use Reach::*;
    r.get("/sign-in", Public, sign_in_page)
        .post("/sign-in", Public, sign_in)
        .post("/sign-out", Public, sign_out)
        .get("/sign-in/mfa", SignedIn, mfa_page)
        .post("/sign-in/mfa", SignedIn, mfa_verify)
        .get("/account", SignedIn, account)
        .get("/account/password", SignedIn, password_page)
        .post("/account/password", SignedIn, change_password)
        .get("/account/security-questions", SignedIn, questions_page)
        .post("/account/security-questions", SignedIn, set_questions)
        .get("/account/mfa", SignedIn, mfa_enrol_page)
        .post("/account/mfa", SignedIn, mfa_enrol)
        .post("/account/sessions/{session_id}/end", SignedIn, end_session)
        .get("/account/tokens", SignedIn, tokens_page)
        .post("/account/tokens", SignedIn, create_token)
        .post("/account/tokens/{token_id}/revoke", SignedIn, revoke_token);
}

// ---- the rules shared by the web pages, the API and the CLI ---------------------------------

/// The strictest settings of every practice the person works in.
pub async fn settings_for(
    state: &AppState,
    person: PersonId,
) -> Result<PracticeSettings, HttpError> {
    let mut all = Vec::new();
    for m in state.store.memberships(person).await? {
        all.push(state.store.settings(m.practice.id).await?);
    }
    Ok(PracticeSettings::strictest(&all))
}

/// Whether this person must use MFA: provider staff, system administrators, and everyone in a
/// practice that requires it.
pub async fn mfa_required(
    state: &AppState,
    person: PersonId,
    settings: &PracticeSettings,
) -> Result<bool, HttpError> {
    if settings.mfa_required_for_all {
        return Ok(true);
    }
    let (_, provider) = state.store.roles(None, person).await?;
    Ok(!provider.is_empty() || state.store.is_system_administrator(person).await?)
}

/// Where a signed-in person stands now, after the stage they were in was completed.
pub async fn next_stage_for(
    state: &AppState,
    creds: &Credentials,
    mfa_verified: bool,
) -> Result<SessionStage, HttpError> {
    let settings = settings_for(state, creds.person_id).await?;
    Ok(identity::next_stage(SignInFacts {
        mfa_enrolled: creds.mfa_enrolled,
        mfa_verified,
        must_change_password: creds.must_change_password,
        password_expired: identity::password_expired(
            creds.password_changed_at,
            settings.password_max_age_days,
            state.clock.now(),
        ),
        has_security_answers: creds.has_security_answers,
        mfa_required: mfa_required(state, creds.person_id, &settings).await?,
    }))
}

async fn advance(state: &AppState, user: &SignedIn) -> Result<SessionStage, HttpError> {
    let creds = state
        .store
        .credentials(&user.session.username)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let stage = next_stage_for(state, &creds, true).await?;
    state
        .store
        .set_session_stage(&user.token_hash, stage)
        .await?;
    Ok(stage)
}

/// The hash under which a security answer or recovery code is kept: Argon2id for answers (they
/// are guessable), SHA-256 for recovery codes (they are random).
pub fn recovery_code_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    hex::encode(Sha256::digest(norm.as_bytes()))
}

/// Whether `given` is the signed-in person's password: asked again before they change their
/// password or how they prove who they are (security questions, two-factor authentication).
/// The one re-authentication: it counts as a sign-in, so a wrong password counts towards the
/// account's lockout and the network's throttle, and a locked account or throttled network is
/// refused before any guess is checked.
pub async fn password_is_right(
    state: &AppState,
    user: &SignedIn,
    meta: &AuditMeta,
    given: &str,
) -> Result<bool, HttpError> {
    let creds = state
        .store
        .credentials(&user.session.username)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let ip: Option<std::net::IpAddr> = meta.ip.as_deref().and_then(|i| i.parse().ok());
    let now = state.clock.now();
    if state.throttle.blocked(ip) {
        return Err(AppError::TooMany(
            "Too many wrong passwords from your network. Wait five minutes and try again.".into(),
        )
        .into());
    }
    if let Some(until) = creds.locked_until.filter(|l| *l > now) {
        return Err(AppError::TooMany(format!(
            "Your account is locked after too many wrong passwords. Try again after {}, or ask your practice manager to unlock it.",
            show_datetime(until)
        ))
        .into());
    }
    let right = state
        .passwords
        .verify(given, creds.password_hash.as_deref())
        .await?;
    if !right {
        state.throttle.record_failure(ip);
        sign_in::wrong_password(state, meta, &user.session.username, now).await?;
    }
    Ok(right)
}

/// Checks a new password against the policy, the person's last passwords and their practices'
/// names. Errors name `new_password`.
pub async fn check_password_choice(
    state: &AppState,
    person: PersonId,
    username: &str,
    full_name: &str,
    password: &str,
) -> Result<(), Invalid> {
    let settings = settings_for(state, person)
        .await
        .map_err(|_| Invalid::one("new_password", "Try again"))?;
    let names: Vec<String> = state
        .store
        .memberships(person)
        .await
        .map(|m| m.into_iter().map(|m| m.practice.name).collect())
        .unwrap_or_default();
    let words: Vec<&str> = names.iter().map(String::as_str).collect();
    check_new_password(
        password,
        &PasswordContext {
            min_length: settings.password_min_length as usize,
            username,
            full_name,
            context_words: &words,
        },
    )?;
    let history = state
        .store
        .password_history(person, identity::PASSWORD_HISTORY)
        .await
        .unwrap_or_default();
    for old in &history {
        if state
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

/// A practice the signed-in person works in, with their roles there.
pub struct MembershipRow {
    pub id: String,
    pub name: String,
    pub ods_code: String,
    pub roles: String,
}

pub fn membership_rows(user: &SignedIn) -> Vec<MembershipRow> {
    user.memberships
        .iter()
        .map(|m| MembershipRow {
            id: m.practice.id.to_string(),
            name: m.practice.name.clone(),
            ods_code: m.practice.ods_code.clone(),
            roles: roles_text(&m.roles),
        })
        .collect()
}
