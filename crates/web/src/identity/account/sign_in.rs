//! Signing in and out.

use super::*;
use custodian_app::identity::sign_in::{self, SessionLimits, SignInOutcome};

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
    /// Set when a session that had been signed in came back ended (idle too long, or ended
    /// elsewhere).
    #[serde(default)]
    pub(crate) ended: Option<String>,
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
        notice: match (q.signed_out, q.ended) {
            (Some(_), _) => Some("You have signed out.".to_string()),
            (None, Some(_)) => Some(
                "You were signed out because your session ended: after a time without activity, or from another device. Sign in again to carry on where you were."
                    .to_string(),
            ),
            (None, None) => None,
        },
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
        Ok(SignInOutcome::Refused(why)) => again(StatusCode::UNAUTHORIZED, why.into()),
        Err(AppError::TooMany(msg)) => {
            again(StatusCode::TOO_MANY_REQUESTS, Errors::one("login", msg))
        }
        Err(e) => HttpError::from(e).into_response(),
    }
}

/// The deployment's limits on a session's life, for the app's sign-in.
pub(crate) fn session_limits(state: &AppState) -> SessionLimits {
    SessionLimits {
        idle_seconds: state.config.session_idle_seconds,
        lifetime_seconds: state.config.session_lifetime_seconds,
    }
}

/// The password step of signing in (the app's), with this server's throttle and limits.
pub(crate) async fn authenticate(
    state: &AppState,
    meta: AuditMeta,
    login: &str,
    password: &str,
) -> Result<SignInOutcome, AppError> {
    let limits = session_limits(state);
    sign_in::authenticate(state, &state.throttle, limits, meta, login, password).await
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
