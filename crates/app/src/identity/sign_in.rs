//! Signing in: the password step with every rule (per-address throttling, per-account lockout,
//! deactivated accounts, one-time passwords, the start date), the session it opens, and the
//! password asked again before a person changes how they prove who they are. Every outcome is
//! recorded. The sign-in page and the API's `/session` both call [`authenticate`]; the web
//! keeps only the cookie.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::Instant;

use chrono::Duration;
use custodian_domain::identity::{self, SessionStage};
use custodian_domain::settings::PracticeSettings;
use custodian_domain::time::show_datetime;
use custodian_domain::{AccountStatus, FieldError, Invalid, PersonId, totp};
use custodian_store::{AuditEvent, AuditMeta, Credentials, NewSession, Outcome};

use super::account::{self, Holder};
use crate::{App, AppError};
use custodian_store::Timestamp;

/// Failed sign-ins per network address: past `limit` in `window`, further attempts from that
/// address are refused for a while, whichever accounts they name (per-account lockout is in the
/// store). Kept in memory: it is a brake on a flood, not a record.
pub struct Throttle {
    limit: usize,
    window: std::time::Duration,
    failures: std::sync::Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Throttle {
    pub fn new(limit: usize, window: std::time::Duration) -> Self {
        Throttle {
            limit,
            window,
            failures: Default::default(),
        }
    }

    fn prune(q: &mut VecDeque<Instant>, window: std::time::Duration) {
        let now = Instant::now();
        while q.front().is_some_and(|t| now.duration_since(*t) > window) {
            q.pop_front();
        }
    }

    /// Whether this address has used up its failures.
    pub fn blocked(&self, ip: Option<IpAddr>) -> bool {
        let Some(ip) = ip else { return false };
        let mut map = self.failures.lock().unwrap();
        match map.get_mut(&ip) {
            Some(q) => {
                Self::prune(q, self.window);
                q.len() >= self.limit
            }
            None => false,
        }
    }

    pub fn record_failure(&self, ip: Option<IpAddr>) {
        let Some(ip) = ip else { return };
        let mut map = self.failures.lock().unwrap();
        if map.len() > 100_000 {
            map.clear(); // bounded memory under a spray from many addresses
        }
        let q = map.entry(ip).or_default();
        Self::prune(q, self.window);
        q.push_back(Instant::now());
    }
}

/// How long the deployment lets a session live: at most `lifetime_seconds` from sign-in, and
/// at most `idle_seconds` unused (a practice may ask for less).
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    pub idle_seconds: u64,
    pub lifetime_seconds: u64,
}

/// Where the password step left the person.
pub enum SignInOutcome {
    /// Signed in: the session's secret (for the cookie) and the stage it is at.
    Session { token: String, stage: SessionStage },
    /// Not signed in, and what to tell them (never which of login and password was wrong).
    Refused(Invalid),
}

/// The password step of signing in, with every rule: per-address throttling, per-account
/// lockout, deactivated accounts, one-time passwords (single use, expiry), the start date, and
/// the stage that follows. Every outcome is recorded.
pub async fn authenticate(
    app: &App,
    throttle: &Throttle,
    limits: SessionLimits,
    meta: AuditMeta,
    login: &str,
    password: &str,
) -> Result<SignInOutcome, AppError> {
    if let Err(missing) = missing_fields(login, password) {
        return Ok(SignInOutcome::Refused(missing));
    }
    let ip = address(&meta);
    let now = app.clock.now();
    if throttle.blocked(ip) {
        app.store
            .append_event(&failure_event(&meta, login, None, "throttled_address"))
            .await?;
        return Err(AppError::TooMany(
            "Too many failed sign-ins from your network. Wait five minutes and try again.".into(),
        ));
    }
    let creds = app.store.credentials(login).await?;
    if let Some(c) = &creds
        && let Some(until) = c.locked_until.filter(|l| *l > now)
    {
        app.store
            .append_event(&failure_event(&meta, login, Some(c), "account_locked"))
            .await?;
        throttle.record_failure(ip);
        let until = show_datetime(until);
        return Ok(SignInOutcome::Refused(Invalid::one(
            "login",
            format!(
                "This account is locked after too many failed sign-ins. Try again after {until}, or ask your practice manager to unlock it."
            ),
        )));
    }
    let ok = app
        .passwords
        .verify(
            password,
            creds.as_ref().and_then(|c| c.password_hash.as_deref()),
        )
        .await?;
    let Some(c) = creds.filter(|_| ok) else {
        throttle.record_failure(ip);
        wrong_password(app, &meta, login, now).await?;
        return Ok(SignInOutcome::Refused(not_right()));
    };
    let settings = account::settings_for(app, c.person_id).await?;
    if let Some((reason, refusal)) = account_refusal(&c, &settings, now) {
        app.store
            .append_event(&failure_event(&meta, login, Some(&c), reason))
            .await?;
        return Ok(SignInOutcome::Refused(refusal));
    }
    open_session(app, limits, meta, &c, password, &settings, now).await
}

/// Whether `given` is the signed-in person's password: asked again before they change their
/// password or how they prove who they are (security questions, two-factor authentication).
/// The one re-authentication: it counts as a sign-in, so a wrong password counts towards the
/// account's lockout and the network's throttle, and a locked account or throttled network is
/// refused before any guess is checked.
pub async fn password_is_right(
    app: &App,
    throttle: &Throttle,
    who: Holder<'_>,
    meta: &AuditMeta,
    given: &str,
) -> Result<bool, AppError> {
    let creds = account::credentials(app, who).await?;
    let ip = address(meta);
    let now = app.clock.now();
    if throttle.blocked(ip) {
        return Err(AppError::TooMany(
            "Too many wrong passwords from your network. Wait five minutes and try again.".into(),
        ));
    }
    if let Some(until) = creds.locked_until.filter(|l| *l > now) {
        return Err(AppError::TooMany(format!(
            "Your account is locked after too many wrong passwords. Try again after {}, or ask your practice manager to unlock it.",
            show_datetime(until)
        )));
    }
    let right = app
        .passwords
        .verify(given, creds.password_hash.as_deref())
        .await?;
    if !right {
        throttle.record_failure(ip);
        wrong_password(app, meta, who.username, now).await?;
    }
    Ok(right)
}

/// Checks an authenticator code (or a recovery code) for a person, with the replay guard;
/// a wrong code counts as a failed sign-in. Records the outcome.
pub async fn check_second_factor(
    app: &App,
    person: PersonId,
    code: &str,
    recovery_code: &str,
    meta: &AuditMeta,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let fail = |reason: &str| {
        meta.event(None, "mfa.verify", "person", Some(person.to_string()))
            .outcome(Outcome::Failure)
            .details(serde_json::json!({ "reason": reason }))
    };
    if !recovery_code.trim().is_empty() {
        if app
            .store
            .use_recovery_code(person, &account::recovery_code_hash(recovery_code), now)
            .await?
        {
            let left = app.store.recovery_codes_left(person).await?;
            app
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
            return Ok(());
        }
        app
            .store
            .append_event(&fail("wrong_recovery_code"))
            .await?;
        return Err(Invalid::one(
            "recovery_code",
            "That recovery code is not right, or has been used",
        )
        .into());
    }
    let Some((secret, last)) = app.store.mfa_secret(person).await? else {
        return Err(Invalid::one("code", "Two-factor authentication is not set up").into());
    };
    let secret = totp::base32_decode(&secret)
        .ok_or_else(|| AppError::Internal("stored TOTP secret is not base32".into()))?;
    let refusal = match totp::verify(&secret, code, now.timestamp(), last) {
        Ok(step) if app.store.use_mfa_step(person, step).await? => {
            app
                .store
                .append_event(&meta.event(None, "mfa.verify", "person", Some(person.to_string())))
                .await?;
            return Ok(());
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
    app.store.append_event(&fail(refusal.0)).await?;
    // Guessing codes is guessing a password: it counts towards the lockout.
    let settings = account::settings_for(app, person).await?;
    app
        .store
        .record_failed_sign_in(
            person,
            now + Duration::minutes(settings.lockout_minutes as i64),
        )
        .await?;
    Err(Invalid::one("code", refusal.1).into())
}

fn address(meta: &AuditMeta) -> Option<IpAddr> {
    meta.ip.as_deref().and_then(|i| i.parse().ok())
}

/// The fields a sign-in needs and did not get.
fn missing_fields(login: &str, password: &str) -> Result<(), Invalid> {
    let mut missing = Vec::new();
    if login.trim().is_empty() {
        missing.push(FieldError {
            field: "login".into(),
            message: "Enter your username or email address".into(),
        });
    }
    if password.is_empty() {
        missing.push(FieldError {
            field: "password".into(),
            message: "Enter your password".into(),
        });
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Invalid(missing))
    }
}

/// The refusal that never says which of the login and the password was wrong.
fn not_right() -> Invalid {
    Invalid::one(
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
) -> AuditEvent {
    let login: String = login.trim().chars().take(128).collect();
    meta.event(
        None,
        "session.sign_in",
        "person",
        creds.map(|c| c.person_id.to_string()),
    )
    .outcome(Outcome::Failure)
    .details(serde_json::json!({ "reason": reason, "login": login }))
}

/// Records a wrong password (or an unknown login) and counts it against the account, locking
/// it at the limit.
async fn wrong_password(
    app: &App,
    meta: &AuditMeta,
    login: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let creds = app.store.credentials(login).await?;
    let reason = if creds.is_some() {
        "wrong_password"
    } else {
        "unknown_login"
    };
    app.store
        .append_event(&failure_event(meta, login, creds.as_ref(), reason))
        .await?;
    if let Some(c) = &creds {
        let settings = account::settings_for(app, c.person_id).await?;
        let lock_until = now + Duration::minutes(settings.lockout_minutes as i64);
        let f = app.store.record_failed_sign_in(c.person_id, lock_until).await?;
        if let Some(until) = f.locked_until {
            let e = meta
                .event(None, "account.lock", "person", Some(c.person_id.to_string()))
                .details(serde_json::json!({
                    "failed_sign_ins": identity::MAX_FAILED_SIGN_INS,
                    "locked_until": until.to_rfc3339(),
                }));
            app.store.append_event(&e).await?;
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
    now: Timestamp,
) -> Option<(&'static str, Invalid)> {
    if c.status != AccountStatus::Active {
        return Some(("account_deactivated", not_right()));
    }
    let ask_again = "Ask your practice manager for a new one.";
    if c.must_change_password && c.otp_used_at.is_some() {
        let message = format!("This one-time password has already been used. {ask_again}");
        return Some(("one_time_password_used", Invalid::one("password", message)));
    }
    if c.must_change_password && c.otp_expires_at.is_some_and(|e| e <= now) {
        let message = format!("This one-time password has expired. {ask_again}");
        return Some(("one_time_password_expired", Invalid::one("password", message)));
    }
    match c.not_before {
        Some(start) if identity::london_today(now) < start && !settings.early_sign_in => {
            let opens = custodian_domain::time::show_day(start);
            let message = format!("Your account opens on your start date, {opens}.");
            Some(("before_start_date", Invalid::one("login", message)))
        }
        _ => None,
    }
}

/// Signs the person in: the password rehashed if its parameters are old, the sign-in
/// recorded, a new session at the stage that comes next.
async fn open_session(
    app: &App,
    limits: SessionLimits,
    meta: AuditMeta,
    c: &Credentials,
    password: &str,
    settings: &PracticeSettings,
    now: Timestamp,
) -> Result<SignInOutcome, AppError> {
    let rehashed = match c.password_hash.as_deref() {
        Some(h) if app.passwords.needs_rehash(h) => Some(app.passwords.hash(password).await?),
        _ => None,
    };
    app.store
        .record_sign_in(
            c.person_id,
            now,
            c.must_change_password,
            rehashed.as_deref(),
        )
        .await?;
    let stage = account::next_stage(app, c, false).await?;
    let (token, token_hash) = crate::secrets::new_token();
    let idle = (settings.session_idle_minutes as u64 * 60).min(limits.idle_seconds);
    let session = NewSession {
        stage,
        token_hash,
        person_id: c.person_id,
        created_at: now,
        expires_at: now + Duration::seconds(limits.lifetime_seconds as i64),
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
    app.store.create_session(&session, &event).await?;
    Ok(SignInOutcome::Session { token, stage })
}
