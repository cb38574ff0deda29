//! The JSON API for identity and access: signing in, a person's own password, questions, MFA
//! and API tokens, and the practice's User Authorisation Process. Each handler calls the same
//! rule the web page calls (`account.rs`, `uap.rs`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use custodian_domain::identity::{self, NewAccessRequest, NewLeaver, SessionStage};
use custodian_domain::settings::PracticeSettings;
use custodian_domain::{Invalid, Permission, PersonId, totp};
use custodian_store::{
    AccessGrant, AccessOverview, AccessRequest, AdministratorNomination, ApiToken, Leaver,
    PracticeSystem,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::identity::account::{self, SignInOutcome};
use crate::kit::capability::Capability;
use crate::kit::error::Problem;
use crate::kit::forms::{PageQuery, Paged, PracticeParam};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::InPractice;
use crate::kit::session::{PracticeScope, RequestMeta, SignedIn};
use crate::{AppError, AppState, HttpError};
use custodian_app::identity::{self as uap, IdentityCheck};

mod practice;
mod sign_in;
mod tokens;
pub(crate) use practice::*;
pub(crate) use sign_in::*;
pub(crate) use tokens::*;

pub fn routes(r: &mut Routes) {
    use Reach::*;
    r.add(axum::http::Method::POST, "/api/v1/session", Public, sign_in)
        .add(
            axum::http::Method::DELETE,
            "/api/v1/session",
            SignedIn,
            sign_out,
        )
        .post("/api/v1/session/mfa", SignedIn, session_mfa)
        .post("/api/v1/me/password", SignedIn, change_password)
        .post("/api/v1/me/security-questions", SignedIn, set_questions)
        .post("/api/v1/me/mfa", SignedIn, mfa_start)
        .post("/api/v1/me/mfa/confirm", SignedIn, mfa_confirm)
        .get("/api/v1/me/tokens", SignedIn, list_tokens)
        .post("/api/v1/me/tokens", SignedIn, create_token)
        .add(
            axum::http::Method::DELETE,
            "/api/v1/me/tokens/{token_id}",
            SignedIn,
            revoke_token,
        )
        .get("/api/v1/practices/{practice_id}/access", Practice, access)
        .get(
            "/api/v1/practices/{practice_id}/requests",
            Practice,
            list_requests,
        )
        .post(
            "/api/v1/practices/{practice_id}/requests",
            Practice,
            request_starter,
        )
        .get(
            "/api/v1/practices/{practice_id}/requests/{request_id}",
            Practice,
            get_request,
        )
        .post(
            "/api/v1/practices/{practice_id}/requests/{request_id}/approve",
            Practice,
            approve,
        )
        .post(
            "/api/v1/practices/{practice_id}/requests/{request_id}/reject",
            Practice,
            reject,
        )
        .post(
            "/api/v1/practices/{practice_id}/people/{person_id}/move",
            Practice,
            request_mover,
        )
        .post(
            "/api/v1/practices/{practice_id}/people/{person_id}/verify-identity",
            Practice,
            verify_identity,
        )
        .post(
            "/api/v1/practices/{practice_id}/people/{person_id}/unlock",
            Practice,
            unlock,
        )
        .post(
            "/api/v1/practices/{practice_id}/people/{person_id}/leaver",
            Practice,
            record_leaver,
        )
        .get(
            "/api/v1/practices/{practice_id}/leavers",
            Practice,
            list_leavers,
        )
        .post(
            "/api/v1/practices/{practice_id}/leavers/{leaver_id}/cancel",
            Practice,
            cancel_leaver,
        )
        .get(
            "/api/v1/practices/{practice_id}/tasks",
            Practice,
            list_tasks,
        )
        .post(
            "/api/v1/practices/{practice_id}/tasks/{grant_id}/done",
            Practice,
            task_done,
        )
        .get(
            "/api/v1/practices/{practice_id}/systems",
            Practice,
            list_systems,
        )
        .post(
            "/api/v1/practices/{practice_id}/systems",
            Practice,
            add_system,
        )
        .get(
            "/api/v1/practices/{practice_id}/administrators",
            Practice,
            list_administrators,
        )
        .post(
            "/api/v1/practices/{practice_id}/administrators",
            Practice,
            nominate,
        )
        .get(
            "/api/v1/practices/{practice_id}/settings",
            Practice,
            get_settings,
        )
        .add(
            axum::http::Method::PUT,
            "/api/v1/practices/{practice_id}/settings",
            Practice,
            put_settings,
        );
}

fn invalid(errors: crate::kit::forms::Errors) -> AppError {
    AppError::Invalid(Invalid(errors.0))
}

fn parse_id(s: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(s).map_err(|_| AppError::NotFound)
}

/// Signing in, the person's own account and the User Authorisation Process, through the API.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(<IdentityApi as utoipa::OpenApi>::openapi),
    rooms: &[],
    provider_pages: &[],
};
