//! Signing in and out.

use super::*;

#[derive(Template)]
#[template(path = "identity/sign_in.html")]
pub(crate) struct SignInPage {
    pub(crate) layout: Layout,
    pub(crate) errors: Errors,
    pub(crate) login: String,
    pub(crate) next: String,
    pub(crate) notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct SignInQuery {
    #[serde(default)]
    pub(crate) next: String,
    #[serde(default)]
    pub(crate) signed_out: Option<String>,
}

/// Only a path on this site is a safe place to return to after sign-in (the one rule is
/// [`crate::kit::security::same_site_path`]).
pub(crate) fn safe_next(next: &str) -> String {
    crate::kit::security::same_site_path(next).to_string()
}

pub(crate) async fn sign_in_page(user: Option<SignedIn>, Query(q): Query<SignInQuery>) -> Response {
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
pub(crate) struct SignInForm {
    #[serde(default)]
    pub(crate) login: String,
    #[serde(default)]
    pub(crate) password: String,
    #[serde(default)]
    pub(crate) next: String,
}

pub(crate) async fn sign_in(
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
                .insert(header::SET_COOKIE, session::session_cookie(&state, &token));
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
    let missing = missing_fields(login, password);
    if !missing.is_empty() {
        return Ok(SignInOutcome::Refused(missing));
    }
    let ip: Option<std::net::IpAddr> = meta.ip.as_deref().and_then(|i| i.parse().ok());
    let now = state.clock.now();
    if state.throttle.blocked(ip) {
        state
            .store
            .append_event(&failure_event(&meta, login, None, "throttled_address"))
            .await?;
        return Err(AppError::TooMany(
            "Too many failed sign-ins from your network. Wait five minutes and try again.".into(),
        )
        .into());
    }
    let creds = state.store.credentials(login).await?;
    if let Some(c) = &creds
        && let Some(until) = c.locked_until.filter(|l| *l > now)
    {
        state
            .store
            .append_event(&failure_event(&meta, login, Some(c), "account_locked"))
            .await?;
        state.throttle.record_failure(ip);
        let until = show_datetime(until);
        return Ok(SignInOutcome::Refused(Errors::one(
            "login",
            format!(
                "This account is locked after too many failed sign-ins. Try again after {until}, or ask your practice manager to unlock it."
            ),
        )));
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
        wrong_password(state, &meta, login, now).await?;
        return Ok(SignInOutcome::Refused(not_right()));
    };
    let settings = settings_for(state, c.person_id).await?;
    if let Some((reason, errors)) = account_refusal(&c, &settings, now) {
        state
            .store
            .append_event(&failure_event(&meta, login, Some(&c), reason))
            .await?;
        return Ok(SignInOutcome::Refused(errors));
    }
    open_session(state, meta, &c, password, &settings, now).await
}

/// The fields a sign-in needs and did not get.
fn missing_fields(login: &str, password: &str) -> Errors {
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
    missing
}

/// The refusal that never says which of the login and the password was wrong.
fn not_right() -> Errors {
    Errors::one(
        "login",
        "The username or password is not right. Check them and try again.",
    )
}

/// A failed sign-in, for the audit trail: why, and the login as typed (at most 128 characters).
fn failure_event(
    meta: &AuditMeta,
    login: &str,
    creds: Option<&Credentials>,
    reason: &str,
) -> custodian_store::AuditEvent {
    meta.event(None, "session.sign_in", "person", creds.map(|c| c.person_id.to_string()))
        .outcome(Outcome::Failure)
        .details(serde_json::json!({ "reason": reason, "login": login.trim().chars().take(128).collect::<String>() }))
}

/// Records a wrong password (or an unknown login) and counts it against the account, locking
/// it at the limit.
pub(super) async fn wrong_password(
    state: &AppState,
    meta: &AuditMeta,
    login: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), HttpError> {
    let creds = state.store.credentials(login).await?;
    let reason = if creds.is_some() {
        "wrong_password"
    } else {
        "unknown_login"
    };
    state
        .store
        .append_event(&failure_event(meta, login, creds.as_ref(), reason))
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
    Ok(())
}

/// Why an account whose password was right may not sign in now, if it may not: deactivated, a
/// one-time password used or expired, or before the start date. (The reason recorded, and what
/// the person is told.)
fn account_refusal(
    c: &Credentials,
    settings: &PracticeSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<(&'static str, Errors)> {
    if c.status != AccountStatus::Active {
        return Some(("account_deactivated", not_right()));
    }
    if c.must_change_password && c.otp_used_at.is_some() {
        return Some((
            "one_time_password_used",
            Errors::one(
                "password",
                "This one-time password has already been used. Ask your practice manager for a new one.",
            ),
        ));
    }
    if c.must_change_password && c.otp_expires_at.is_some_and(|e| e <= now) {
        return Some((
            "one_time_password_expired",
            Errors::one(
                "password",
                "This one-time password has expired. Ask your practice manager for a new one.",
            ),
        ));
    }
    match c.not_before {
        Some(start) if identity::london_today(now) < start && !settings.early_sign_in => Some((
            "before_start_date",
            Errors::one(
                "login",
                format!(
                    "Your account opens on your start date, {}.",
                    start.format("%-d %B %Y")
                ),
            ),
        )),
        _ => None,
    }
}

/// Signs the person in: the password rehashed if its parameters are old, the sign-in
/// recorded, a new session at the stage that comes next.
async fn open_session(
    state: &AppState,
    meta: AuditMeta,
    c: &Credentials,
    password: &str,
    settings: &PracticeSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SignInOutcome, HttpError> {
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
    let stage = own::next_stage(state, c, false).await?;
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

pub(crate) async fn sign_out(
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
        .insert(header::SET_COOKIE, session::clear_cookie(&state));
    Ok(res)
}
