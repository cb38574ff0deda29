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

use crate::account::{self, SignInOutcome};
use crate::auth::{PracticeScope, RequestMeta, SignedIn};
use crate::error::Problem;
use crate::routes::{Reach, Routes};
use crate::{AppError, AppState, HttpError};
use custodian_app::identity::{self as uap, IdentityCheck};

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

fn invalid(errors: crate::forms::Errors) -> AppError {
    AppError::Invalid(Invalid(errors.0))
}

fn parse_id(s: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(s).map_err(|_| AppError::NotFound)
}

// ---- signing in ---------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
pub struct SignInBody {
    /// Username or email address.
    pub login: String,
    pub password: String,
}

/// Where a new session stands.
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    /// `full`, or what must be done first: `verify_mfa`, `change_password`,
    /// `security_questions`, `enrol_mfa`.
    pub stage: String,
    pub next: String,
}

#[utoipa::path(post, path = "/api/v1/session", tag = "sign-in", summary = "Sign in",
    description = "Checks the password and sets the session cookie. The stage says what must be done before the rest of the API opens. Throttled per address; ten failures lock the account.",
    request_body = SignInBody, security(()),
    responses((status = 201, body = SessionOut), (status = 401, body = Problem), (status = 429, body = Problem)))]
async fn sign_in(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<SignInBody>,
) -> Result<Response, HttpError> {
    match account::authenticate(&state, meta, &body.login, &body.password).await? {
        SignInOutcome::Session { token, stage } => {
            let mut res = (
                StatusCode::CREATED,
                Json(SessionOut {
                    stage: stage.as_str().into(),
                    next: stage.explain().into(),
                }),
            )
                .into_response();
            res.headers_mut().insert(
                header::SET_COOKIE,
                crate::auth::session_cookie(&state, &token),
            );
            Ok(res)
        }
        SignInOutcome::Refused(errors) => Err(AppError::Refused(
            errors
                .0
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        )
        .into()),
    }
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "sign-in", summary = "Sign out", responses((status = 204), (status = 401, body = Problem)))]
async fn sign_out(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    if !user.token_hash.is_empty() {
        state
            .store
            .end_session(
                &user.token_hash,
                &meta.event(
                    None,
                    "session.sign_out",
                    "person",
                    Some(user.person_id().to_string()),
                ),
            )
            .await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, crate::auth::clear_cookie(&state));
    Ok(res)
}

#[derive(Deserialize, ToSchema)]
pub struct MfaBody {
    /// The 6-digit authenticator code.
    #[serde(default)]
    pub code: String,
    /// Or one of the recovery codes.
    #[serde(default)]
    pub recovery_code: String,
}

async fn stage_after(state: &AppState, user: &SignedIn) -> Result<SessionOut, HttpError> {
    let creds = state
        .store
        .credentials(&user.session.username)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let stage = account::next_stage_for(state, &creds, true).await?;
    state
        .store
        .set_session_stage(&user.token_hash, stage)
        .await?;
    Ok(SessionOut {
        stage: stage.as_str().into(),
        next: stage.explain().into(),
    })
}

#[utoipa::path(post, path = "/api/v1/session/mfa", tag = "sign-in", summary = "Enter the authenticator code",
    description = "A used code is never accepted again; wrong codes count towards the account's lockout.",
    request_body = MfaBody, responses((status = 200, body = SessionOut), (status = 422, body = Problem)))]
async fn session_mfa(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<MfaBody>,
) -> Result<Json<SessionOut>, HttpError> {
    if user.session.stage != SessionStage::VerifyMfa {
        return Err(AppError::BadRequest(
            "This session is not waiting for an authenticator code".into(),
        )
        .into());
    }
    account::check_second_factor(
        &state,
        user.person_id(),
        &body.code,
        &body.recovery_code,
        &meta,
    )
    .await?
    .map_err(invalid)?;
    Ok(Json(stage_after(&state, &user).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    /// Not needed when the session's stage is `change_password`.
    #[serde(default)]
    pub current_password: String,
    pub new_password: String,
}

#[utoipa::path(post, path = "/api/v1/me/password", tag = "me", summary = "Change your password",
    description = "At least the practice's minimum length (12 by default), at most 128; not a common or breached password, not your name or username or the practice's name, not one of your last 5.",
    request_body = PasswordBody, responses((status = 200, body = SessionOut), (status = 422, body = Problem)))]
async fn change_password(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<PasswordBody>,
) -> Result<Json<SessionOut>, HttpError> {
    if user.api_token.is_some() {
        return Err(AppError::Forbidden.into());
    }
    let forced = user.session.stage == SessionStage::ChangePassword;
    let creds = state
        .store
        .credentials(&user.session.username)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !forced
        && !state
            .passwords
            .verify(&body.current_password, creds.password_hash.as_deref())
            .await?
    {
        return Err(Invalid::one("current_password", "Your current password is not right").into());
    }
    account::check_password_choice(
        &state,
        user.person_id(),
        &user.session.username,
        &user.session.full_name,
        &body.new_password,
    )
    .await?;
    if state
        .passwords
        .verify(&body.new_password, creds.password_hash.as_deref())
        .await?
    {
        return Err(Invalid::one(
            "new_password",
            "Choose a password different from your current one",
        )
        .into());
    }
    let hash = state.passwords.hash(&body.new_password).await?;
    let event = meta
        .event(
            None,
            "person.password_change",
            "person",
            Some(user.person_id().to_string()),
        )
        .details(serde_json::json!({ "password": "changed" }));
    state
        .store
        .set_password(user.person_id(), &hash, &event)
        .await?;
    if forced {
        return Ok(Json(stage_after(&state, &user).await?));
    }
    Ok(Json(SessionOut {
        stage: user.session.stage.as_str().into(),
        next: String::new(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct QuestionAnswer {
    pub question: String,
    pub answer: String,
}

#[derive(Deserialize, ToSchema)]
pub struct QuestionsBody {
    /// Three different questions from the list in `questions` of the error, or the documentation.
    pub answers: Vec<QuestionAnswer>,
    /// Needed unless the session's stage is `security_questions`.
    #[serde(default)]
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/me/security-questions", tag = "me", summary = "Set your security questions",
    request_body = QuestionsBody, responses((status = 200, body = SessionOut), (status = 422, body = Problem)))]
async fn set_questions(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<QuestionsBody>,
) -> Result<Json<SessionOut>, HttpError> {
    if user.api_token.is_some() {
        return Err(AppError::Forbidden.into());
    }
    let forced = user.session.stage == SessionStage::SecurityQuestions;
    if !forced {
        if !account::password_is_right(&state, &user, &body.password).await? {
            return Err(Invalid::one("password", "Your password is not right").into());
        }
    }
    let pairs: Vec<(String, String)> = body
        .answers
        .iter()
        .map(|a| (a.question.clone(), a.answer.clone()))
        .collect();
    let answers = identity::check_security_answers(&pairs)?;
    let mut stored = Vec::new();
    for (q, a) in &answers {
        stored.push((q.clone(), state.passwords.hash(a).await?));
    }
    let event = meta.event(
        None,
        "person.security_questions_set",
        "person",
        Some(user.person_id().to_string()),
    );
    state
        .store
        .set_security_answers(user.person_id(), &stored, &event)
        .await?;
    if forced {
        return Ok(Json(stage_after(&state, &user).await?));
    }
    Ok(Json(SessionOut {
        stage: user.session.stage.as_str().into(),
        next: String::new(),
    }))
}

/// A new TOTP secret to confirm.
#[derive(Serialize, ToSchema)]
pub struct MfaStart {
    /// Base32, for manual entry; send it back with a code to confirm.
    pub secret: String,
    /// The otpauth:// URI an authenticator app reads (as a QR code).
    pub uri: String,
}

#[utoipa::path(post, path = "/api/v1/me/mfa", tag = "me", summary = "Start setting up two-factor authentication",
    responses((status = 200, body = MfaStart)))]
async fn mfa_start(user: SignedIn) -> Result<Json<MfaStart>, HttpError> {
    if user.api_token.is_some() {
        return Err(AppError::Forbidden.into());
    }
    let secret = custodian_app::secrets::random_bytes::<20>();
    Ok(Json(MfaStart {
        secret: totp::base32_encode(&secret),
        uri: totp::provisioning_uri(&secret, "Custodian", &user.session.username),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct MfaConfirmBody {
    pub secret: String,
    pub code: String,
    /// Needed unless the session's stage is `enrol_mfa`.
    #[serde(default)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct MfaConfirmed {
    /// Ten single-use recovery codes, shown only now.
    pub recovery_codes: Vec<String>,
    pub session: SessionOut,
}

#[utoipa::path(post, path = "/api/v1/me/mfa/confirm", tag = "me", summary = "Confirm two-factor authentication with a code",
    request_body = MfaConfirmBody, responses((status = 200, body = MfaConfirmed), (status = 422, body = Problem)))]
async fn mfa_confirm(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<MfaConfirmBody>,
) -> Result<Json<MfaConfirmed>, HttpError> {
    if user.api_token.is_some() {
        return Err(AppError::Forbidden.into());
    }
    let forced = user.session.stage == SessionStage::EnrolMfa;
    if !forced {
        if !account::password_is_right(&state, &user, &body.password).await? {
            return Err(Invalid::one("password", "Your password is not right").into());
        }
    }
    let secret = totp::base32_decode(&body.secret)
        .filter(|s| s.len() >= 16)
        .ok_or_else(|| Invalid::one("secret", "The secret is not one this server issued"))?;
    let step = totp::verify(&secret, &body.code, state.clock.now().timestamp(), None)
        .map_err(|_| Invalid::one("code", "That code is not right"))?;
    let codes = account::new_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| account::recovery_code_hash(c))
        .collect();
    let event = meta
        .event(
            None,
            "mfa.enrol",
            "person",
            Some(user.person_id().to_string()),
        )
        .details(serde_json::json!({ "method": "totp" }));
    state
        .store
        .enable_mfa(
            user.person_id(),
            &totp::base32_encode(&secret),
            &hashes,
            step,
            &event,
        )
        .await?;
    let session = if forced {
        stage_after(&state, &user).await?
    } else {
        SessionOut {
            stage: user.session.stage.as_str().into(),
            next: String::new(),
        }
    };
    Ok(Json(MfaConfirmed {
        recovery_codes: codes,
        session,
    }))
}

// ---- API tokens --------------------------------------------------------------------------------

#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me", summary = "Your API tokens", responses((status = 200, body = Vec<ApiToken>)))]
async fn list_tokens(
    State(state): State<AppState>,
    user: SignedIn,
) -> Result<Json<Vec<ApiToken>>, HttpError> {
    Ok(Json(state.store.api_tokens_of(user.person_id()).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenBody {
    pub name: String,
    pub practice_id: String,
    pub permissions: Vec<String>,
    pub expires_in_days: u32,
}

#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    pub token: ApiToken,
    /// The secret, shown only now: send it as `Authorization: Bearer <secret>`.
    pub secret: String,
}

#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "me", summary = "Create an API token",
    description = "For one of your practices, with a subset of your permissions there, for 1 to 365 days. Only a signed-in session can create tokens.",
    request_body = TokenBody, responses((status = 201, body = TokenCreated), (status = 422, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<TokenBody>,
) -> Result<Response, HttpError> {
    if user.api_token.is_some() {
        return Err(AppError::Forbidden.into());
    }
    let (token, secret) = account::issue_api_token(
        &state,
        &user,
        &meta,
        &body.name,
        &body.practice_id,
        &body.permissions,
        &body.expires_in_days.to_string(),
    )
    .await?
    .map_err(invalid)?;
    Ok((StatusCode::CREATED, Json(TokenCreated { token, secret })).into_response())
}

#[utoipa::path(delete, path = "/api/v1/me/tokens/{token_id}", tag = "me", summary = "Revoke an API token",
    params(("token_id" = String, Path, description = "The token's id")), responses((status = 204), (status = 404, body = Problem)))]
async fn revoke_token(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let id = parse_id(&id)?;
    if !state
        .store
        .revoke_api_token(
            user.person_id(),
            id,
            &meta.event(None, "api_token.revoke", "api_token", Some(id.to_string())),
        )
        .await?
    {
        return Err(AppError::NotFound.into());
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---- the practice's User Authorisation Process ------------------------------------------------

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/access", tag = "access", summary = "Who has access",
    description = "Every member of staff with roles, two-factor status, last sign-in, password age and open login tasks. Recorded in the audit trail.",
    params(("practice_id" = String, Path, description = "The practice's id")), responses((status = 200, body = Vec<AccessOverview>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn access(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<Vec<AccessOverview>>, HttpError> {
    scope.require(Permission::PeopleView, "access.list").await?;
    let rows = state.store.access_overview(scope.id()).await?;
    scope
        .record(
            scope
                .event("access.list", "person", None)
                .details(serde_json::json!({ "records": rows.len() })),
        )
        .await?;
    Ok(Json(rows))
}

#[derive(Deserialize, Default)]
struct PendingQuery {
    #[serde(default)]
    pending: bool,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/requests", tag = "access", summary = "Starter and mover requests",
    params(("practice_id" = String, Path, description = "The practice's id"), ("pending" = Option<bool>, Query, description = "Only those waiting for a decision")),
    responses((status = 200, body = Vec<AccessRequest>), (status = 403, body = Problem)))]
async fn list_requests(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<PendingQuery>,
) -> Result<Json<Vec<AccessRequest>>, HttpError> {
    if !scope.access.can(Permission::StarterRequest) {
        scope
            .require(Permission::StarterApprove, "starter.list")
            .await?;
    }
    let list = state.store.access_requests(scope.id(), q.pending).await?;
    scope
        .record(
            scope
                .event("access_request.list", "access_request", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    Ok(Json(list))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/requests", tag = "access", summary = "Request access for a new starter",
    params(("practice_id" = String, Path, description = "The practice's id")), request_body = NewAccessRequest,
    responses((status = 201, body = AccessRequest), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn request_starter(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<NewAccessRequest>,
) -> Result<Response, HttpError> {
    let r = uap::request_access(&state, &scope.actor(), None, &body).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/people/{person_id}/move", tag = "access", summary = "Request a change of role (mover)",
    description = "The body's roles and systems are the person's new full set; systems no longer needed get removal tasks on approval.",
    params(("practice_id" = String, Path, description = "The practice's id"), ("person_id" = String, Path, description = "The person's id")), request_body = NewAccessRequest,
    responses((status = 201, body = AccessRequest), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn request_mover(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
    Json(mut body): Json<NewAccessRequest>,
) -> Result<Response, HttpError> {
    let person: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    let m = state
        .store
        .member(scope.id(), person)
        .await?
        .filter(|m| m.left_at.is_none())
        .ok_or(AppError::NotFound)?;
    body.full_name = m.person.full_name.clone();
    body.username = m.person.username.clone();
    body.email = m.person.email.clone();
    let r = uap::request_access(&state, &scope.actor(), Some(person), &body).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/requests/{request_id}", tag = "access", summary = "One request",
    params(("practice_id" = String, Path, description = "The practice's id"), ("request_id" = String, Path, description = "The request's id")),
    responses((status = 200, body = AccessRequest), (status = 404, body = Problem)))]
async fn get_request(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<AccessRequest>, HttpError> {
    if !scope.access.can(Permission::StarterRequest) {
        scope
            .require(Permission::StarterApprove, "access_request.view")
            .await?;
    }
    let id = parse_id(&id)?;
    let r = state
        .store
        .access_request(scope.id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    scope
        .record(scope.event(
            "access_request.view",
            "access_request",
            Some(id.to_string()),
        ))
        .await?;
    Ok(Json(r))
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonBody {
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Approved {
    pub request: AccessRequest,
    /// For a starter: the one-time password to give them verbally. Shown only now.
    pub one_time_password: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/requests/{request_id}/approve", tag = "access", summary = "Approve a request",
    description = "Practice manager or data protection lead; never your own request.",
    params(("practice_id" = String, Path, description = "The practice's id"), ("request_id" = String, Path, description = "The request's id")), request_body = ReasonBody,
    responses((status = 200, body = Approved), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn approve(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<ReasonBody>,
) -> Result<Json<Approved>, HttpError> {
    let (request, one_time_password) =
        uap::approve_request(&state, &scope.actor(), parse_id(&id)?, &body.reason).await?;
    Ok(Json(Approved {
        request,
        one_time_password,
    }))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/requests/{request_id}/reject", tag = "access", summary = "Reject a request (with a reason)",
    params(("practice_id" = String, Path, description = "The practice's id"), ("request_id" = String, Path, description = "The request's id")), request_body = ReasonBody,
    responses((status = 200, body = AccessRequest), (status = 422, body = Problem)))]
async fn reject(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<ReasonBody>,
) -> Result<Json<AccessRequest>, HttpError> {
    Ok(Json(
        uap::reject_request(&state, &scope.actor(), parse_id(&id)?, &body.reason).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswersBody {
    /// The caller's answers, in the order of their questions.
    pub answers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IdentityResult {
    pub passed: bool,
    /// When passed: the new one-time password, to read to the caller. Shown only now.
    pub one_time_password: Option<String>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When failed: attempts left before identity checks lock for this person.
    pub attempts_left: Option<i64>,
    pub locked: bool,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/people/{person_id}/verify-identity", tag = "access", summary = "Check a caller's security answers and reset their password",
    description = "All answers must match. On success every session of the person ends and a one-time password is returned. Three failures lock this for the person until a practice manager clears it. Not for your own account.",
    params(("practice_id" = String, Path, description = "The practice's id"), ("person_id" = String, Path, description = "The person's id")), request_body = AnswersBody,
    responses((status = 200, body = IdentityResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn verify_identity(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<AnswersBody>,
) -> Result<Json<IdentityResult>, HttpError> {
    let person: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(
        match uap::verify_identity(&state, &scope.actor(), person, &body.answers).await? {
            IdentityCheck::Passed {
                one_time_password,
                expires,
            } => IdentityResult {
                passed: true,
                one_time_password: Some(one_time_password),
                expires_at: Some(expires),
                attempts_left: None,
                locked: false,
            },
            IdentityCheck::Failed { remaining } => IdentityResult {
                passed: false,
                one_time_password: None,
                expires_at: None,
                attempts_left: Some(remaining),
                locked: false,
            },
            IdentityCheck::Locked => IdentityResult {
                passed: false,
                one_time_password: None,
                expires_at: None,
                attempts_left: Some(0),
                locked: true,
            },
            IdentityCheck::NoQuestions => {
                return Err(Invalid::one(
                    "person_id",
                    "This person has not set security questions yet",
                )
                .into());
            }
        },
    ))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/people/{person_id}/unlock", tag = "access", summary = "Unlock an account locked after failed sign-ins",
    params(("practice_id" = String, Path, description = "The practice's id"), ("person_id" = String, Path, description = "The person's id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn unlock(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
) -> Result<StatusCode, HttpError> {
    scope
        .require(Permission::AccountUnlock, "account.unlock")
        .await?;
    let person: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    state
        .store
        .member(scope.id(), person)
        .await?
        .filter(|m| m.left_at.is_none())
        .ok_or(AppError::NotFound)?;
    state
        .store
        .unlock_account(
            person,
            &scope.event("account.unlock", "person", Some(person.to_string())),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/people/{person_id}/leaver", tag = "access", summary = "Record a leaver",
    description = "At the end of the exit date (Europe/London) the person's roles and permissions here are removed, removal tasks open for their logins elsewhere, and if they work nowhere else the account is deactivated. A past exit date takes effect at once.",
    params(("practice_id" = String, Path, description = "The practice's id"), ("person_id" = String, Path, description = "The person's id")), request_body = NewLeaver,
    responses((status = 201, body = Leaver), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_leaver(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<NewLeaver>,
) -> Result<Response, HttpError> {
    let person: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    let l = uap::record_leaver(&state, &scope.actor(), person, &body).await?;
    Ok((StatusCode::CREATED, Json(l)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/leavers", tag = "access", summary = "Leavers",
    params(("practice_id" = String, Path, description = "The practice's id")), responses((status = 200, body = Vec<Leaver>)))]
async fn list_leavers(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<Vec<Leaver>>, HttpError> {
    scope.require(Permission::PeopleView, "leaver.list").await?;
    let list = state.store.leavers(scope.id()).await?;
    scope
        .record(
            scope
                .event("leaver.list", "person", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    Ok(Json(list))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/leavers/{leaver_id}/cancel", tag = "access", summary = "Cancel a leaver before the exit date",
    params(("practice_id" = String, Path, description = "The practice's id"), ("leaver_id" = String, Path, description = "The leaver's id")),
    responses((status = 200, body = Leaver), (status = 422, body = Problem)))]
async fn cancel_leaver(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Leaver>, HttpError> {
    scope
        .require(Permission::LeaverRecord, "leaver.cancel")
        .await?;
    Ok(Json(
        state
            .store
            .cancel_leaver(scope.id(), parse_id(&id)?, &scope.meta)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/tasks", tag = "access", summary = "Login tasks in other systems",
    params(("practice_id" = String, Path, description = "The practice's id")), responses((status = 200, body = Vec<AccessGrant>)))]
async fn list_tasks(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<Vec<AccessGrant>>, HttpError> {
    scope
        .require(Permission::PeopleView, "access_grant.list")
        .await?;
    let list = state.store.access_grants(scope.id(), false).await?;
    scope
        .record(
            scope
                .event("access_grant.list", "access_grant", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    Ok(Json(list))
}

#[derive(Deserialize, ToSchema)]
pub struct NoteBody {
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/tasks/{grant_id}/done", tag = "access", summary = "Mark a login task done",
    params(("practice_id" = String, Path, description = "The practice's id"), ("grant_id" = String, Path, description = "The task's id")), request_body = NoteBody,
    responses((status = 200, body = AccessGrant), (status = 422, body = Problem)))]
async fn task_done(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<NoteBody>,
) -> Result<Json<AccessGrant>, HttpError> {
    scope
        .require(Permission::AccessTasksManage, "access_grant.done")
        .await?;
    Ok(Json(
        state
            .store
            .complete_access_grant(scope.id(), parse_id(&id)?, &body.note, &scope.meta)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/systems", tag = "access", summary = "The practice's other systems",
    params(("practice_id" = String, Path, description = "The practice's id")), responses((status = 200, body = Vec<PracticeSystem>)))]
async fn list_systems(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<Vec<PracticeSystem>>, HttpError> {
    Ok(Json(state.store.systems(scope.id()).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NameBody {
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/systems", tag = "access", summary = "Add a system",
    params(("practice_id" = String, Path, description = "The practice's id")), request_body = NameBody,
    responses((status = 201, body = PracticeSystem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_system(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<NameBody>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PracticeSettingsManage, "system.create")
        .await?;
    let s = state
        .store
        .add_system(scope.id(), &body.name, &scope.meta)
        .await?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/administrators", tag = "access", summary = "Nominated system administrators (DSPT 4.3.1)",
    params(("practice_id" = String, Path, description = "The practice's id")), responses((status = 200, body = Vec<AdministratorNomination>)))]
async fn list_administrators(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<Vec<AdministratorNomination>>, HttpError> {
    if !scope.access.can(Permission::AuditView) {
        scope
            .require(Permission::PeopleView, "administrator.list")
            .await?;
    }
    let list = state.store.administrators(scope.id()).await?;
    scope
        .record(
            scope
                .event("administrator.list", "person", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    Ok(Json(list))
}

#[derive(Deserialize, ToSchema)]
pub struct NominateBody {
    pub person_id: PersonId,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/administrators", tag = "access", summary = "Nominate a system administrator",
    description = "Practice manager or SIRO, with a reason, within the practice's cap (2 by default).",
    params(("practice_id" = String, Path, description = "The practice's id")), request_body = NominateBody,
    responses((status = 201, body = AdministratorNomination), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn nominate(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<NominateBody>,
) -> Result<Response, HttpError> {
    let n =
        uap::nominate_administrator(&state, &scope.actor(), body.person_id, &body.reason).await?;
    Ok((StatusCode::CREATED, Json(n)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/settings", tag = "access", summary = "The practice's identity settings",
    params(("practice_id" = String, Path, description = "The practice's id")), responses((status = 200, body = PracticeSettings)))]
async fn get_settings(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<PracticeSettings>, HttpError> {
    scope
        .require(Permission::PeopleView, "settings.view")
        .await?;
    Ok(Json(state.store.settings(scope.id()).await?))
}

#[utoipa::path(put, path = "/api/v1/practices/{practice_id}/settings", tag = "access", summary = "Change the practice's settings",
    description = "Switching off periodic password change needs a reason (the NCSC and NIST advise against forced periodic change; the practices' policy asks for it).",
    params(("practice_id" = String, Path, description = "The practice's id")), request_body = PracticeSettings,
    responses((status = 200, body = PracticeSettings), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn put_settings(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<PracticeSettings>,
) -> Result<Json<PracticeSettings>, HttpError> {
    scope
        .require(Permission::PracticeSettingsManage, "settings.update")
        .await?;
    body.validate()?;
    crate::risks_web::check_matrix_change(&state, scope.id(), &body).await?;
    state
        .store
        .set_settings(scope.id(), &body, &scope.meta)
        .await?;
    Ok(Json(body))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        sign_in,
        sign_out,
        session_mfa,
        change_password,
        set_questions,
        mfa_start,
        mfa_confirm,
        list_tokens,
        create_token,
        revoke_token,
        access,
        list_requests,
        request_starter,
        request_mover,
        get_request,
        approve,
        reject,
        verify_identity,
        unlock,
        record_leaver,
        list_leavers,
        cancel_leaver,
        list_tasks,
        task_done,
        list_systems,
        add_system,
        list_administrators,
        nominate,
        get_settings,
        put_settings
    ),
    components(schemas(
        SignInBody,
        SessionOut,
        MfaBody,
        PasswordBody,
        QuestionAnswer,
        QuestionsBody,
        MfaStart,
        MfaConfirmBody,
        MfaConfirmed,
        TokenBody,
        TokenCreated,
        ReasonBody,
        Approved,
        AnswersBody,
        IdentityResult,
        NoteBody,
        NameBody,
        NominateBody,
        ApiToken,
        AccessOverview,
        AccessRequest,
        AccessGrant,
        Leaver,
        PracticeSystem,
        AdministratorNomination,
        PracticeSettings,
        NewAccessRequest,
        NewLeaver
    ))
)]
pub struct IdentityApi;
