//! The authenticator code asked at sign-in.

use super::*;

#[derive(Template)]
#[template(path = "identity/sign_in_mfa.html")]
pub(crate) struct MfaPage {
    pub(crate) layout: Layout,
    pub(crate) errors: Errors,
}

pub(crate) async fn mfa_page(user: SignedIn) -> Response {
    if user.session.stage != SessionStage::VerifyMfa {
        return Redirect::to("/").into_response();
    }
    render(&MfaPage {
        layout: Layout::anonymous(),
        errors: Errors::none(),
    })
}

#[derive(Deserialize)]
pub(crate) struct MfaForm {
    #[serde(default)]
    pub(crate) code: String,
    #[serde(default)]
    pub(crate) recovery_code: String,
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

pub(crate) async fn mfa_verify(
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
