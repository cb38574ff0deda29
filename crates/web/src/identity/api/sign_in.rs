//! Signing in through the API, stage by stage.

use super::*;

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
pub(crate) async fn sign_in(
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
                crate::kit::session::session_cookie(&state, &token),
            );
            Ok(res)
        }
        SignInOutcome::Refused(why) => Err(AppError::Refused(
            why.0.first().map(|e| e.message.clone()).unwrap_or_default(),
        )
        .into()),
    }
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "sign-in", summary = "Sign out", responses((status = 204), (status = 401, body = Problem)))]
pub(crate) async fn sign_out(
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
    res.headers_mut().insert(
        header::SET_COOKIE,
        crate::kit::session::clear_cookie(&state),
    );
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

/// Where the session stands after a step: when the step was the one its stage asked for
/// (`finished`), the next stage, written to the session; otherwise the stage it is at.
pub(crate) async fn stage_after(
    state: &AppState,
    user: &SignedIn,
    finished: bool,
) -> Result<SessionOut, HttpError> {
    if !finished {
        return Ok(SessionOut {
            stage: user.session.stage.as_str().into(),
            next: String::new(),
        });
    }
    let stage = account::advance(state, user).await?;
    Ok(SessionOut {
        stage: stage.as_str().into(),
        next: stage.explain().into(),
    })
}

#[utoipa::path(post, path = "/api/v1/session/mfa", tag = "sign-in", summary = "Enter the authenticator code",
    description = "A used code is never accepted again; wrong codes count towards the account's lockout.",
    request_body = MfaBody, responses((status = 200, body = SessionOut), (status = 422, body = Problem)))]
pub(crate) async fn session_mfa(
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
    custodian_app::identity::sign_in::check_second_factor(
        &state,
        user.person_id(),
        &body.code,
        &body.recovery_code,
        &meta,
    )
    .await?;
    Ok(Json(stage_after(&state, &user, true).await?))
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
pub(crate) async fn change_password(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<PasswordBody>,
) -> Result<Json<SessionOut>, HttpError> {
    let forced = confirm_password(
        &state,
        &user,
        &meta,
        SessionStage::ChangePassword,
        ("current_password", &body.current_password),
    )
    .await?;
    own::change_password(&state, user.holder(), &body.new_password, &meta).await?;
    Ok(Json(stage_after(&state, &user, forced).await?))
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
pub(crate) async fn set_questions(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<QuestionsBody>,
) -> Result<Json<SessionOut>, HttpError> {
    let forced = confirm_password(
        &state,
        &user,
        &meta,
        SessionStage::SecurityQuestions,
        ("password", &body.password),
    )
    .await?;
    let pairs: Vec<(String, String)> = body
        .answers
        .iter()
        .map(|a| (a.question.clone(), a.answer.clone()))
        .collect();
    own::set_security_answers(&state, user.person_id(), &pairs, &meta).await?;
    Ok(Json(stage_after(&state, &user, forced).await?))
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
pub(crate) async fn mfa_start(user: SignedIn) -> Result<Json<MfaStart>, HttpError> {
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
pub(crate) async fn mfa_confirm(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<MfaConfirmBody>,
) -> Result<Json<MfaConfirmed>, HttpError> {
    let forced = confirm_password(
        &state,
        &user,
        &meta,
        SessionStage::EnrolMfa,
        ("password", &body.password),
    )
    .await?;
    let codes = own::enrol_mfa(&state, user.person_id(), &body.secret, &body.code, &meta).await?;
    let session = stage_after(&state, &user, forced).await?;
    Ok(Json(MfaConfirmed {
        recovery_codes: codes,
        session,
    }))
}

/// Whether the session is at `stage`, where the person is setting up their account and no
/// password is asked; otherwise the password in `given` (the field and its value) must be right
/// (the one re-authentication, [`account::password_is_right`]), or the answer names the field.
async fn confirm_password(
    state: &AppState,
    user: &SignedIn,
    meta: &custodian_store::AuditMeta,
    stage: SessionStage,
    given: (&str, &str),
) -> Result<bool, HttpError> {
    let forced = user.session.stage == stage;
    if !forced && !account::password_is_right(state, user, meta, given.1).await? {
        return Err(Invalid::one(given.0, "Your password is not right").into());
    }
    Ok(forced)
}
