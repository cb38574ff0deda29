//! The JSON API for identity and access: signing in, a person's own password, questions, MFA
//! and API tokens, and the practice's User Authorisation Process. Each handler calls the same
//! rule the web page calls (`account.rs`, `uap.rs`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use custodian_domain::identity::{NewAccessRequest, NewLeaver, SessionStage};
use custodian_domain::settings::PracticeSettings;
use custodian_domain::{Invalid, Permission, PersonId, totp};
use custodian_store::{
    AccessGrant, AccessOverview, AccessRequest, AdministratorNomination, ApiToken, Leaver,
    PracticeSystem,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::identity::account::{self, SignInOutcome};

use crate::kit::error::Problem;
use crate::kit::forms::{PageQuery, Paged, PracticeParam};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::InPractice;
use crate::kit::session::{PracticeScope, RequestMeta, SignedIn};
use crate::{AppError, AppState, HttpError};
use custodian_app::identity::account as own;
use custodian_app::identity::{self as uap, IdentityCheck};

mod practice;
mod sign_in;
mod tokens;
pub(crate) use practice::*;
pub(crate) use sign_in::*;
pub(crate) use tokens::*;

pub fn routes(r: &mut Routes) {
    use Reach::*;
    r.post("/api/v1/session", Public, sign_in)
        .delete("/api/v1/session", SignedIn, sign_out)
        .post("/api/v1/session/mfa", SignedIn, session_mfa)
        .post("/api/v1/me/password", SignedIn, change_password)
        .post("/api/v1/me/security-questions", SignedIn, set_questions)
        .post("/api/v1/me/mfa", SignedIn, mfa_start)
        .post("/api/v1/me/mfa/confirm", SignedIn, mfa_confirm)
        .get("/api/v1/me/tokens", SignedIn, list_tokens)
        .post("/api/v1/me/tokens", SignedIn, create_token)
        .delete("/api/v1/me/tokens/{token_id}", SignedIn, revoke_token);
    r.api()
        .get("/access", access)
        .get("/requests", list_requests)
        .post("/requests", request_starter)
        .get("/requests/{request_id}", get_request)
        .post("/requests/{request_id}/approve", approve)
        .post("/requests/{request_id}/reject", reject)
        .post("/people/{person_id}/move", request_mover)
        .post("/people/{person_id}/verify-identity", verify_identity)
        .post("/people/{person_id}/unlock", unlock)
        .post("/people/{person_id}/leaver", record_leaver)
        .get("/leavers", list_leavers)
        .post("/leavers/{leaver_id}/cancel", cancel_leaver)
        .get("/tasks", list_tasks)
        .post("/tasks/{grant_id}/done", task_done)
        .get("/systems", list_systems)
        .post("/systems", add_system)
        .get("/administrators", list_administrators)
        .post("/administrators", nominate)
        .get("/settings", get_settings)
        .put("/settings", put_settings);
}


use custodian_app::parse_id;

/// Signing in, the person's own account and the User Authorisation Process, through the API:
/// its part of the API document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = <IdentityApi as utoipa::OpenApi>::openapi();
    doc.merge(<crate::identity::staff::ProviderDefaultsApi as utoipa::OpenApi>::openapi());
    doc
}
