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

use crate::auth::{self, RequestMeta, SignedIn};
use crate::forms::Errors;
use crate::pages::{
    Layout, MembershipRow, membership_rows, provider_roles_text, render, render_with,
};
use crate::routes::{Reach, Routes};
use crate::{AppError, AppState, HttpError};

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

/// Whether `given` is the signed-in person's password: asked again before they change how
/// they prove who they are (security questions, two-factor authentication).
pub async fn password_is_right(
    state: &AppState,
    user: &SignedIn,
    given: &str,
) -> Result<bool, HttpError> {
    let creds = state
        .store
        .credentials(&user.session.username)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok(state
        .passwords
        .verify(given, creds.password_hash.as_deref())
        .await?)
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

// ---- sign-in --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    errors: Errors,
    login: String,
    next: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct SignInQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    signed_out: Option<String>,
}

/// Only a path on this site is a safe place to return to after sign-in.
fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains("://")
    {
        next.to_string()
    } else {
        "/".to_string()
    }
}

async fn sign_in_page(user: Option<SignedIn>, Query(q): Query<SignInQuery>) -> Response {
    if user.is_some_and(|u| u.session.stage == SessionStage::Full) {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    render(&SignInPage {
        layout: Layout::anonymous(),
        errors: Errors::none(),
        login: String::new(),
        next: safe_next(&q.next),
        notice: q.signed_out.map(|_| "You have signed out.".to_string()),
    })
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn sign_in(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<SignInForm>,
) -> Response {
    let next = safe_next(&form.next);
    let again = |status: StatusCode, errors: Errors| {
        render_with(
            status,
            &SignInPage {
                layout: Layout::anonymous(),
                errors,
                login: form.login.clone(),
                next: next.clone(),
                notice: None,
            },
        )
    };
    match authenticate(&state, meta, &form.login, &form.password).await {
        Ok(SignInOutcome::Session { token, stage }) => {
            let to = if stage == SessionStage::Full {
                next.clone()
            } else {
                stage.page().to_string()
            };
            let mut res = Redirect::to(&to).into_response();
            res.headers_mut()
                .insert(header::SET_COOKIE, auth::session_cookie(&state, &token));
            res
        }
        Ok(SignInOutcome::Refused(errors)) => again(StatusCode::UNAUTHORIZED, errors),
        Err(HttpError(AppError::TooMany(msg))) => {
            again(StatusCode::TOO_MANY_REQUESTS, Errors::one("login", msg))
        }
        Err(e) => e.into_response(),
    }
}

pub enum SignInOutcome {
    Session { token: String, stage: SessionStage },
    Refused(Errors),
}

/// The password step of signing in, with every rule: per-address throttling, per-account
/// lockout, deactivated accounts, one-time passwords (single use, expiry), the start date, and
/// the stage that follows. Every outcome is recorded.
pub async fn authenticate(
    state: &AppState,
    meta: AuditMeta,
    login: &str,
    password: &str,
) -> Result<SignInOutcome, HttpError> {
    let mut missing = Errors::none();
    if login.trim().is_empty() {
        missing.0.push(custodian_domain::FieldError {
            field: "login".into(),
            message: "Enter your username or email address".into(),
        });
    }
    if password.is_empty() {
        missing.0.push(custodian_domain::FieldError {
            field: "password".into(),
            message: "Enter your password".into(),
        });
    }
    if !missing.is_empty() {
        return Ok(SignInOutcome::Refused(missing));
    }
    let ip: Option<std::net::IpAddr> = meta.ip.as_deref().and_then(|i| i.parse().ok());
    let now = state.clock.now();
    let record_failure = |creds: Option<&Credentials>, reason: &str| {
        meta.event(None, "session.sign_in", "person", creds.map(|c| c.person_id.to_string()))
            .outcome(Outcome::Failure)
            .details(serde_json::json!({ "reason": reason, "login": login.trim().chars().take(128).collect::<String>() }))
    };
    if state.throttle.blocked(ip) {
        state
            .store
            .append_event(&record_failure(None, "throttled_address"))
            .await?;
        return Err(AppError::TooMany(
            "Too many failed sign-ins from your network. Wait five minutes and try again.".into(),
        )
        .into());
    }
    let generic = || {
        Errors::one(
            "login",
            "The username or password is not right. Check them and try again.",
        )
    };
    let creds = state.store.credentials(login).await?;
    if let Some(c) = &creds {
        if c.locked_until.is_some_and(|l| l > now) {
            state
                .store
                .append_event(&record_failure(creds.as_ref(), "account_locked"))
                .await?;
            state.throttle.record_failure(ip);
            let until = show_datetime(c.locked_until.unwrap());
            return Ok(SignInOutcome::Refused(Errors::one(
                "login",
                format!(
                    "This account is locked after too many failed sign-ins. Try again after {until}, or ask your practice manager to unlock it."
                ),
            )));
        }
    }
    let ok = state
        .passwords
        .verify(
            password,
            creds.as_ref().and_then(|c| c.password_hash.as_deref()),
        )
        .await?;
    let Some(c) = creds.filter(|_| ok) else {
        state.throttle.record_failure(ip);
        let creds = state.store.credentials(login).await?;
        state
            .store
            .append_event(&record_failure(
                creds.as_ref(),
                if creds.is_some() {
                    "wrong_password"
                } else {
                    "unknown_login"
                },
            ))
            .await?;
        if let Some(c) = &creds {
            let settings = settings_for(state, c.person_id).await?;
            let f = state
                .store
                .record_failed_sign_in(
                    c.person_id,
                    now + Duration::minutes(settings.lockout_minutes as i64),
                )
                .await?;
            if let Some(until) = f.locked_until {
                let e = meta.event(None, "account.lock", "person", Some(c.person_id.to_string())).details(serde_json::json!({
                    "failed_sign_ins": identity::MAX_FAILED_SIGN_INS, "locked_until": until.to_rfc3339(),
                }));
                state.store.append_event(&e).await?;
            }
        }
        return Ok(SignInOutcome::Refused(generic()));
    };
    if c.status != AccountStatus::Active {
        state
            .store
            .append_event(&record_failure(Some(&c), "account_deactivated"))
            .await?;
        return Ok(SignInOutcome::Refused(generic()));
    }
    if c.must_change_password {
        if c.otp_used_at.is_some() {
            state
                .store
                .append_event(&record_failure(Some(&c), "one_time_password_used"))
                .await?;
            return Ok(SignInOutcome::Refused(Errors::one(
                "password",
                "This one-time password has already been used. Ask your practice manager for a new one.",
            )));
        }
        if c.otp_expires_at.is_some_and(|e| e <= now) {
            state
                .store
                .append_event(&record_failure(Some(&c), "one_time_password_expired"))
                .await?;
            return Ok(SignInOutcome::Refused(Errors::one(
                "password",
                "This one-time password has expired. Ask your practice manager for a new one.",
            )));
        }
    }
    let settings = settings_for(state, c.person_id).await?;
    if let Some(start) = c.not_before {
        if identity::london_today(now) < start && !settings.early_sign_in {
            state
                .store
                .append_event(&record_failure(Some(&c), "before_start_date"))
                .await?;
            return Ok(SignInOutcome::Refused(Errors::one(
                "login",
                format!(
                    "Your account opens on your start date, {}.",
                    start.format("%-d %B %Y")
                ),
            )));
        }
    }
    let rehashed = match c.password_hash.as_deref() {
        Some(h) if state.passwords.needs_rehash(h) => Some(state.passwords.hash(password).await?),
        _ => None,
    };
    state
        .store
        .record_sign_in(
            c.person_id,
            now,
            c.must_change_password,
            rehashed.as_deref(),
        )
        .await?;
    let stage = next_stage_for(state, &c, false).await?;
    let (token, token_hash) = custodian_app::secrets::new_token();
    let idle = (settings.session_idle_minutes as u64 * 60).min(state.config.session_idle_seconds);
    let session = NewSession {
        stage,
        token_hash,
        person_id: c.person_id,
        created_at: now,
        expires_at: now + Duration::seconds(state.config.session_lifetime_seconds as i64),
        idle_seconds: idle as i64,
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
    };
    let mut meta = meta;
    meta.actor_id = Some(c.person_id);
    meta.actor = c.username.clone();
    let event = meta
        .event(
            None,
            "session.sign_in",
            "person",
            Some(c.person_id.to_string()),
        )
        .details(serde_json::json!({
            "next_step": stage.as_str(),
            "one_time_password": c.must_change_password,
            "password_rehashed": rehashed.is_some(),
        }));
    state.store.create_session(&session, &event).await?;
    Ok(SignInOutcome::Session { token, stage })
}

async fn sign_out(
    State(state): State<AppState>,
    user: Option<SignedIn>,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    if let Some(user) = user.filter(|u| !u.token_hash.is_empty()) {
        let event = meta.event(
            None,
            "session.sign_out",
            "person",
            Some(user.person_id().to_string()),
        );
        state.store.end_session(&user.token_hash, &event).await?;
    }
    let mut res = Redirect::to("/sign-in?signed_out=1").into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, auth::clear_cookie(&state));
    Ok(res)
}

// ---- the authenticator code -----------------------------------------------------------------

#[derive(Template)]
#[template(path = "sign_in_mfa.html")]
struct MfaPage {
    layout: Layout,
    errors: Errors,
}

async fn mfa_page(user: SignedIn) -> Response {
    if user.session.stage != SessionStage::VerifyMfa {
        return Redirect::to("/").into_response();
    }
    render(&MfaPage {
        layout: Layout::anonymous(),
        errors: Errors::none(),
    })
}

#[derive(Deserialize)]
struct MfaForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    recovery_code: String,
}

/// Checks an authenticator code (or a recovery code) for a person, with the replay guard;
/// a wrong code counts as a failed sign-in. Records the outcome.
pub async fn check_second_factor(
    state: &AppState,
    person: PersonId,
    code: &str,
    recovery_code: &str,
    meta: &AuditMeta,
) -> Result<Result<(), Errors>, HttpError> {
    let now = state.clock.now();
    let fail = |reason: &str| {
        meta.event(None, "mfa.verify", "person", Some(person.to_string()))
            .outcome(Outcome::Failure)
            .details(serde_json::json!({ "reason": reason }))
    };
    if !recovery_code.trim().is_empty() {
        if state
            .store
            .use_recovery_code(person, &recovery_code_hash(recovery_code), now)
            .await?
        {
            let left = state.store.recovery_codes_left(person).await?;
            state
                .store
                .append_event(
                    &meta
                        .event(
                            None,
                            "mfa.recovery_code_use",
                            "person",
                            Some(person.to_string()),
                        )
                        .details(serde_json::json!({ "codes_left": left })),
                )
                .await?;
            return Ok(Ok(()));
        }
        state
            .store
            .append_event(&fail("wrong_recovery_code"))
            .await?;
        return Ok(Err(Errors::one(
            "recovery_code",
            "That recovery code is not right, or has been used",
        )));
    }
    let Some((secret, last)) = state.store.mfa_secret(person).await? else {
        return Ok(Err(Errors::one(
            "code",
            "Two-factor authentication is not set up",
        )));
    };
    let secret = totp::base32_decode(&secret)
        .ok_or_else(|| AppError::Internal("stored TOTP secret is not base32".into()))?;
    let refusal = match totp::verify(&secret, code, now.timestamp(), last) {
        Ok(step) if state.store.use_mfa_step(person, step).await? => {
            state
                .store
                .append_event(&meta.event(None, "mfa.verify", "person", Some(person.to_string())))
                .await?;
            return Ok(Ok(()));
        }
        Ok(_) | Err(totp::TotpRefusal::Replayed) => (
            "replayed_code",
            "That code has already been used. Wait for the app to show a new one.",
        ),
        Err(totp::TotpRefusal::Malformed) => (
            "malformed_code",
            "Enter the 6-digit code from your authenticator app",
        ),
        Err(totp::TotpRefusal::Wrong) => (
            "wrong_code",
            "That code is not right. Check the time on your phone is correct.",
        ),
    };
    state.store.append_event(&fail(refusal.0)).await?;
    // Guessing codes is guessing a password: it counts towards the lockout.
    let settings = settings_for(state, person).await?;
    state
        .store
        .record_failed_sign_in(
            person,
            now + Duration::minutes(settings.lockout_minutes as i64),
        )
        .await?;
    Ok(Err(Errors::one("code", refusal.1)))
}

async fn mfa_verify(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<MfaForm>,
) -> Result<Response, HttpError> {
    if user.session.stage != SessionStage::VerifyMfa {
        return Ok(Redirect::to("/").into_response());
    }
    match check_second_factor(
        &state,
        user.person_id(),
        &form.code,
        &form.recovery_code,
        &meta,
    )
    .await?
    {
        Ok(()) => {
            let stage = advance(&state, &user).await?;
            Ok(Redirect::to(stage.page()).into_response())
        }
        Err(errors) => {
            let creds = state.store.credentials(&user.session.username).await?;
            if creds.is_some_and(|c| c.locked_until.is_some_and(|l| l > state.clock.now())) {
                state
                    .store
                    .end_session(
                        &user.token_hash,
                        &meta
                            .event(
                                None,
                                "session.end",
                                "person",
                                Some(user.person_id().to_string()),
                            )
                            .details(serde_json::json!({ "why": "account locked" })),
                    )
                    .await?;
                return Ok(Redirect::to("/sign-in").into_response());
            }
            Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &MfaPage {
                    layout: Layout::anonymous(),
                    errors,
                },
            ))
        }
    }
}

// ---- passwords ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    errors: Errors,
    forced: bool,
    reason: &'static str,
    min_length: u32,
}

async fn password_page_for(
    state: &AppState,
    user: &SignedIn,
    status: StatusCode,
    errors: Errors,
) -> Result<Response, HttpError> {
    let forced = user.session.stage == SessionStage::ChangePassword;
    let settings = settings_for(state, user.person_id()).await?;
    let layout = if forced {
        Layout::anonymous()
    } else {
        Layout::new(user, None, "/account/password")
    };
    Ok(render_with(
        status,
        &PasswordPage {
            layout,
            errors,
            forced,
            reason: if user.session.must_change_password {
                "You signed in with a one-time password."
            } else {
                "Your password has reached the age at which your practice asks for a new one."
            },
            min_length: settings.password_min_length,
        },
    ))
}

async fn password_page(
    State(state): State<AppState>,
    user: SignedIn,
) -> Result<Response, HttpError> {
    password_page_for(&state, &user, StatusCode::OK, Errors::none()).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<PasswordForm>,
) -> Result<Response, HttpError> {
    let forced = user.session.stage == SessionStage::ChangePassword;
    let again =
        |errors: Errors| password_page_for(&state, &user, StatusCode::UNPROCESSABLE_ENTITY, errors);
    let creds = state
        .store
        .credentials(&user.session.username)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !forced
        && !state
            .passwords
            .verify(&form.current_password, creds.password_hash.as_deref())
            .await?
    {
        let event = meta
            .event(
                None,
                "person.password_change",
                "person",
                Some(user.person_id().to_string()),
            )
            .outcome(Outcome::Failure)
            .details(serde_json::json!({ "reason": "wrong_current_password" }));
        state.store.append_event(&event).await?;
        return again(Errors::one(
            "current_password",
            "Your current password is not right",
        ))
        .await;
    }
    if let Err(e) = check_password_choice(
        &state,
        user.person_id(),
        &user.session.username,
        &user.session.full_name,
        &form.new_password,
    )
    .await
    {
        return again(e.into()).await;
    }
    if form.new_password != form.confirm_password {
        return again(Errors::one(
            "confirm_password",
            "The two new passwords are not the same",
        ))
        .await;
    }
    if state
        .passwords
        .verify(&form.new_password, creds.password_hash.as_deref())
        .await?
    {
        return again(Errors::one(
            "new_password",
            "Choose a password different from your current one",
        ))
        .await;
    }
    let hash = state.passwords.hash(&form.new_password).await?;
    let event = meta
        .event(None, "person.password_change", "person", Some(user.person_id().to_string()))
        .details(serde_json::json!({ "password": "changed", "was_one_time": creds.must_change_password }));
    state
        .store
        .set_password(user.person_id(), &hash, &event)
        .await?;
    if forced {
        let stage = advance(&state, &user).await?;
        return Ok(Redirect::to(stage.page()).into_response());
    }
    Ok(Redirect::to("/account?changed=password").into_response())
}

// ---- security questions -------------------------------------------------------------------

struct QuestionSlot {
    n: usize,
    question_field: String,
    answer_field: String,
    chosen: String,
}

#[derive(Template)]
#[template(path = "security_questions.html")]
struct QuestionsPage {
    layout: Layout,
    errors: Errors,
    needs_password: bool,
    questions: &'static [&'static str],
    slots: Vec<QuestionSlot>,
}

fn questions_page_for(user: &SignedIn, errors: Errors, chosen: &[String]) -> Response {
    let forced = user.session.stage == SessionStage::SecurityQuestions;
    let slots = (1..=identity::SECURITY_QUESTIONS_REQUIRED)
        .map(|n| QuestionSlot {
            n,
            question_field: format!("question_{n}"),
            answer_field: format!("answer_{n}"),
            chosen: chosen.get(n - 1).cloned().unwrap_or_default(),
        })
        .collect();
    let status = errors.status();
    render_with(
        status,
        &QuestionsPage {
            layout: if forced {
                Layout::anonymous()
            } else {
                Layout::new(user, None, "/account/security-questions")
            },
            errors,
            needs_password: !forced,
            questions: identity::SECURITY_QUESTIONS,
            slots,
        },
    )
}

async fn questions_page(user: SignedIn) -> Response {
    questions_page_for(&user, Errors::none(), &[])
}

async fn set_questions(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let get = |k: &str| {
        form.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let pairs: Vec<(String, String)> = (1..=identity::SECURITY_QUESTIONS_REQUIRED)
        .map(|n| (get(&format!("question_{n}")), get(&format!("answer_{n}"))))
        .collect();
    let chosen: Vec<String> = pairs.iter().map(|(q, _)| q.clone()).collect();
    let forced = user.session.stage == SessionStage::SecurityQuestions;
    if !forced {
        if !password_is_right(&state, &user, &get("password")).await? {
            return Ok(questions_page_for(
                &user,
                Errors::one("password", "Your password is not right"),
                &chosen,
            ));
        }
    }
    let answers = match identity::check_security_answers(&pairs) {
        Ok(a) => a,
        Err(e) => return Ok(questions_page_for(&user, e.into(), &chosen)),
    };
    let mut stored = Vec::new();
    for (q, a) in &answers {
        stored.push((q.clone(), state.passwords.hash(a).await?));
    }
    let event = meta
        .event(None, "person.security_questions_set", "person", Some(user.person_id().to_string()))
        .details(serde_json::json!({ "questions": answers.iter().map(|(q, _)| q).collect::<Vec<_>>(), "answers": "set (hashed)" }));
    state
        .store
        .set_security_answers(user.person_id(), &stored, &event)
        .await?;
    if forced {
        let stage = advance(&state, &user).await?;
        return Ok(Redirect::to(stage.page()).into_response());
    }
    Ok(Redirect::to("/account?changed=questions").into_response())
}

// ---- MFA enrolment ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "mfa_enrol.html")]
struct MfaEnrolPage {
    layout: Layout,
    errors: Errors,
    required: bool,
    needs_password: bool,
    secret: String,
    secret_display: String,
    qr_data_uri: String,
}

fn qr_data_uri(text: &str) -> Result<String, HttpError> {
    let code =
        qrcode::QrCode::new(text.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

fn mfa_enrol_page_for(
    user: &SignedIn,
    secret_b32: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let forced = user.session.stage == SessionStage::EnrolMfa;
    let secret = totp::base32_decode(secret_b32)
        .ok_or_else(|| AppError::BadRequest("The enrolment key was damaged: start again".into()))?;
    let uri = totp::provisioning_uri(&secret, "Custodian", &user.session.username);
    let display = secret_b32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let status = errors.status();
    Ok(render_with(
        status,
        &MfaEnrolPage {
            layout: if forced {
                Layout::anonymous()
            } else {
                Layout::new(user, None, "/account/mfa")
            },
            errors,
            required: forced,
            needs_password: !forced,
            secret: secret_b32.to_string(),
            secret_display: display,
            qr_data_uri: qr_data_uri(&uri)?,
        },
    ))
}

async fn mfa_enrol_page(user: SignedIn) -> Result<Response, HttpError> {
    let secret = totp::base32_encode(&custodian_app::secrets::random_bytes::<20>());
    mfa_enrol_page_for(&user, &secret, Errors::none())
}

#[derive(Deserialize)]
struct MfaEnrolForm {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
    next: String,
}

async fn mfa_enrol(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<MfaEnrolForm>,
) -> Result<Response, HttpError> {
    let forced = user.session.stage == SessionStage::EnrolMfa;
    let secret = totp::base32_decode(&form.secret)
        .filter(|s| s.len() >= 16)
        .ok_or_else(|| AppError::BadRequest("The enrolment key was damaged: start again".into()))?;
    if !forced {
        if !password_is_right(&state, &user, &form.password).await? {
            return mfa_enrol_page_for(
                &user,
                &form.secret,
                Errors::one("password", "Your password is not right"),
            );
        }
    }
    let step = match totp::verify(&secret, &form.code, state.clock.now().timestamp(), None) {
        Ok(step) => step,
        Err(totp::TotpRefusal::Malformed) => {
            return mfa_enrol_page_for(
                &user,
                &form.secret,
                Errors::one("code", "Enter the 6-digit code from the app"),
            );
        }
        Err(_) => {
            return mfa_enrol_page_for(
                &user,
                &form.secret,
                Errors::one(
                    "code",
                    "That code is not right. Check you scanned this page's QR code, and that the time on your phone is correct.",
                ),
            );
        }
    };
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_code_hash(c)).collect();
    let event = meta
        .event(
            None,
            "mfa.enrol",
            "person",
            Some(user.person_id().to_string()),
        )
        .details(serde_json::json!({ "method": "totp", "recovery_codes": "10 issued (hashed)" }));
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
    let next = if forced {
        advance(&state, &user).await?.page().to_string()
    } else {
        "/account?changed=mfa".to_string()
    };
    let layout = if forced {
        Layout::anonymous()
    } else {
        Layout::new(&user, None, "/account/mfa")
    };
    Ok(render(&RecoveryCodesPage {
        layout,
        codes,
        next,
    }))
}

/// Ten single-use recovery codes, readable, `xxxxx-xxxxx`.
pub fn new_recovery_codes() -> Vec<String> {
    (0..10)
        .map(|_| {
            let c = custodian_app::secrets::random_code(10);
            format!("{}-{}", &c[..5], &c[5..])
        })
        .collect()
}

// ---- the account page and sessions ----------------------------------------------------------

struct SessionRow {
    id: String,
    created: String,
    last_seen: String,
    from: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    person: custodian_domain::Person,
    provider_roles: String,
    memberships: Vec<MembershipRow>,
    session_expires: String,
    idle_minutes: u64,
    notice: Option<String>,
    mfa_enrolled: bool,
    recovery_left: i64,
    sessions: Vec<SessionRow>,
}

#[derive(Deserialize, Default)]
struct AccountQuery {
    #[serde(default)]
    changed: Option<String>,
}

fn describe_agent(ua: Option<&str>) -> &'static str {
    let ua = ua.unwrap_or("");
    if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Chrome/") {
        "Chrome"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "a program"
    }
}

async fn account(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<AccountQuery>,
) -> Result<Response, HttpError> {
    let person = state
        .store
        .person(user.person_id())
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let sessions = state
        .store
        .sessions_of(user.person_id(), now - Duration::hours(24), now)
        .await?;
    let creds = state
        .store
        .credentials(&user.session.username)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let settings = settings_for(&state, user.person_id()).await?;
    Ok(render(&AccountPage {
        layout: Layout::new(&user, None, "/account"),
        person,
        provider_roles: provider_roles_text(&user.provider_roles),
        memberships: membership_rows(&user),
        session_expires: show_datetime(user.session.expires_at),
        idle_minutes: (settings.session_idle_minutes as u64)
            .min(state.config.session_idle_seconds / 60),
        notice: q.changed.map(|c| match c.as_str() {
            "password" => "Your password has been changed.".to_string(),
            "questions" => "Your security questions have been changed.".to_string(),
            "mfa" => "Two-factor authentication is set up.".to_string(),
            "session" => "That session has been signed out.".to_string(),
            _ => "Saved.".to_string(),
        }),
        mfa_enrolled: creds.mfa_enrolled,
        recovery_left: state.store.recovery_codes_left(user.person_id()).await?,
        sessions: sessions
            .iter()
            .map(|s| SessionRow {
                id: s.id.to_string(),
                created: show_datetime(s.created_at),
                last_seen: show_datetime(s.last_seen_at),
                from: format!(
                    "{} at {}",
                    describe_agent(s.user_agent.as_deref()),
                    s.ip.as_deref().unwrap_or("an unknown address")
                ),
                current: s.token_hash == user.token_hash,
            })
            .collect(),
    }))
}

async fn end_session(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let event = meta
        .event(None, "session.end", "session", Some(id.to_string()))
        .details(serde_json::json!({ "why": "ended by its owner from another session" }));
    if !state
        .store
        .end_session_by_id(user.person_id(), id, &event)
        .await?
    {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to("/account?changed=session").into_response())
}

// ---- API tokens -------------------------------------------------------------------------------

struct TokenRow {
    id: String,
    name: String,
    practice: String,
    permissions: String,
    expires: String,
    last_used: String,
    live: bool,
    state: &'static str,
}

struct PracticeOption {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    errors: Errors,
    tokens: Vec<TokenRow>,
    practices: Vec<PracticeOption>,
    permissions: Vec<&'static str>,
    new_token: Option<String>,
}

async fn tokens_page_for(
    state: &AppState,
    user: &SignedIn,
    errors: Errors,
    new_token: Option<String>,
) -> Result<Response, HttpError> {
    let now = state.clock.now();
    let tokens = state.store.api_tokens_of(user.person_id()).await?;
    let name_of = |id: custodian_domain::PracticeId| {
        user.memberships
            .iter()
            .find(|m| m.practice.id == id)
            .map(|m| m.practice.name.clone())
            .unwrap_or_else(|| "(a practice you have left)".into())
    };
    let status = errors.status();
    Ok(render_with(
        status,
        &TokensPage {
            layout: Layout::new(user, None, "/account/tokens"),
            errors,
            tokens: tokens
                .iter()
                .map(|t| {
                    let live = t.revoked_at.is_none() && t.expires_at > now;
                    TokenRow {
                        id: t.id.to_string(),
                        name: t.name.clone(),
                        practice: name_of(t.practice_id),
                        permissions: t
                            .permissions
                            .iter()
                            .map(|p| p.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        expires: show_date(t.expires_at),
                        last_used: t
                            .last_used_at
                            .map(show_datetime)
                            .unwrap_or_else(|| "Never".into()),
                        live,
                        state: if t.revoked_at.is_some() {
                            "Revoked"
                        } else if live {
                            "Live"
                        } else {
                            "Expired"
                        },
                    }
                })
                .collect(),
            practices: user
                .memberships
                .iter()
                .map(|m| PracticeOption {
                    id: m.practice.id.to_string(),
                    name: m.practice.name.clone(),
                })
                .collect(),
            permissions: Permission::ALL
                .iter()
                .filter(|p| !matches!(p, Permission::ProviderManage | Permission::ProviderView))
                .map(|p| p.as_str())
                .collect(),
            new_token,
        },
    ))
}

async fn tokens_page(State(state): State<AppState>, user: SignedIn) -> Result<Response, HttpError> {
    if user.api_token.is_some() {
        return Err(AppError::Forbidden.into());
    }
    tokens_page_for(&state, &user, Errors::none(), None).await
}

/// Creates an API token for the signed-in person: a subset of their permissions in one of their
/// practices, with an expiry. Returns the token, shown once.
pub async fn issue_api_token(
    state: &AppState,
    user: &SignedIn,
    meta: &AuditMeta,
    name: &str,
    practice: &str,
    permissions: &[String],
    expires_in_days: &str,
) -> Result<Result<(ApiToken, String), Errors>, HttpError> {
    let mut c = custodian_domain::validation::Checker::new();
    let name = c.text("name", "what the token is for", name, 100);
    let practice_id = practice
        .parse::<custodian_domain::PracticeId>()
        .ok()
        .filter(|p| user.memberships.iter().any(|m| m.practice.id == *p));
    if practice_id.is_none() {
        c.fail("practice_id", "Choose one of your practices");
    }
    let days: Option<i64> = expires_in_days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=365).contains(d));
    if days.is_none() {
        c.fail("expires_in_days", "Enter a number of days from 1 to 365");
    }
    let mut perms = Vec::new();
    if let Some(pid) = practice_id {
        let (roles, provider) = state.store.roles(Some(pid), user.person_id()).await?;
        let access = custodian_domain::Access::new(user.person_id(), &roles, &provider);
        for p in permissions {
            match Permission::ALL.into_iter().find(|x| x.as_str() == p) {
                Some(x) if access.can(x) && !matches!(x, Permission::ProviderManage | Permission::ProviderView) => perms.push(x),
                _ => c.fail("permissions", format!("You do not have the permission {p} in that practice, so a token cannot have it")),
            }
        }
    }
    if permissions.is_empty() {
        c.fail("permissions", "Choose at least one permission");
    }
    if let Err(e) = c.finish() {
        return Ok(Err(e.into()));
    }
    let now = state.clock.now();
    let (secret, hash) = custodian_app::secrets::new_token();
    let token = ApiToken {
        id: uuid::Uuid::now_v7(),
        person_id: user.person_id(),
        practice_id: practice_id.unwrap(),
        name,
        permissions: perms,
        created_at: now,
        expires_at: now + Duration::days(days.unwrap()),
        revoked_at: None,
        last_used_at: None,
    };
    let event = meta.event(Some(token.practice_id), "api_token.create", "api_token", Some(token.id.to_string())).details(serde_json::json!({
        "name": token.name, "permissions": token.permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>(), "expires_at": token.expires_at.to_rfc3339(),
    }));
    state.store.create_api_token(&token, &hash, &event).await?;
    Ok(Ok((token, format!("{}{secret}", auth::API_TOKEN_PREFIX))))
}

async fn create_token(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    if user.api_token.is_some() {
        return Err(AppError::Forbidden.into());
    }
    let get = |k: &str| {
        form.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let perms: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "permissions")
        .map(|(_, v)| v.clone())
        .collect();
    match issue_api_token(
        &state,
        &user,
        &meta,
        &get("name"),
        &get("practice_id"),
        &perms,
        &get("expires_in_days"),
    )
    .await?
    {
        Ok((_, secret)) => tokens_page_for(&state, &user, Errors::none(), Some(secret)).await,
        Err(errors) => tokens_page_for(&state, &user, errors, None).await,
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let event = meta.event(None, "api_token.revoke", "api_token", Some(id.to_string()));
    if !state
        .store
        .revoke_api_token(user.person_id(), id, &event)
        .await?
    {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to("/account/tokens").into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn recovery_codes_compare_without_dashes_or_case() {
        assert_eq!(
            super::recovery_code_hash("abcde-fghjk"),
            super::recovery_code_hash("ABCDE FGHJK")
        );
        assert_ne!(
            super::recovery_code_hash("abcde-fghjk"),
            super::recovery_code_hash("abcde-fghjm")
        );
    }
}
