//! Signing in and a person's own account: the sign-in stages (authenticator code, new password,
//! security questions, MFA enrolment), sessions, and API tokens.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use chrono::Duration;
use custodian_domain::identity::{self, SessionStage};
use custodian_domain::settings::PracticeSettings;
use custodian_domain::time::{show_date, show_datetime};
use custodian_domain::{AccountStatus, Permission, PersonId, totp};
use custodian_store::{AuditMeta, Credentials, NewSession, Outcome};
use serde::Deserialize;

use crate::kit::forms::Errors;
use crate::kit::layout::{Layout, provider_roles_text, render, render_with, roles_text};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::{self, RequestMeta, SignedIn};
use crate::{AppError, AppState, HttpError};
use custodian_app::identity::account as own;

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

// The rules of a person's own account are the app's; the pages and the API share them.
pub(crate) use custodian_app::identity::account::{recovery_code_hash, settings_for};

/// The session's next stage, once the stage it was at is done: written to the session.
pub(crate) async fn advance(state: &AppState, user: &SignedIn) -> Result<SessionStage, HttpError> {
    let creds = own::credentials(state, user.holder()).await?;
    let stage = own::next_stage(state, &creds, true).await?;
    state
        .store
        .set_session_stage(&user.token_hash, stage)
        .await?;
    Ok(stage)
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
