//! Signing in and a person's own account: the sign-in stages (authenticator code, new password,
//! security questions, MFA enrolment), sessions, and API tokens.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use chrono::Duration;
use custodian_domain::identity::{self, SessionStage};
use custodian_domain::time::{show_date, show_datetime};
use custodian_domain::{Permission, totp};
use custodian_store::{AuditMeta, Outcome};
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
pub(crate) use custodian_app::identity::sign_in::SignInOutcome;
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
pub(crate) use custodian_app::identity::account::settings_for;

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

/// Whether `given` is the signed-in person's password (the app's re-authentication, with this
/// server's throttle).
pub async fn password_is_right(
    state: &AppState,
    user: &SignedIn,
    meta: &AuditMeta,
    given: &str,
) -> Result<bool, HttpError> {
    let throttle = &state.throttle;
    Ok(
        custodian_app::identity::sign_in::password_is_right(state, throttle, user.holder(), meta, given)
            .await?,
    )
}

/// A practice the signed-in person works in, with their roles there.
pub struct MembershipRow {
    /// The practice's address (`PracticeAddress::home`).
    pub home: String,
    pub name: String,
    pub ods_code: String,
    pub roles: String,
}

pub fn membership_rows(user: &SignedIn) -> Vec<MembershipRow> {
    user.memberships
        .iter()
        .map(|m| MembershipRow {
            home: crate::kit::layout::PracticeAddress::home(&m.practice),
            name: m.practice.name.clone(),
            ods_code: m.practice.ods_code.clone(),
            roles: roles_text(&m.roles),
        })
        .collect()
}
