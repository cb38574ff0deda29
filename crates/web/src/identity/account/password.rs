//! Choosing and changing a password.

use super::*;

#[derive(Template)]
#[template(path = "identity/password.html")]
pub(crate) struct PasswordPage {
    pub(crate) layout: Layout,
    pub(crate) errors: Errors,
    pub(crate) forced: bool,
    pub(crate) reason: &'static str,
    pub(crate) min_length: u32,
}

pub(crate) async fn password_page_for(
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

pub(crate) async fn password_page(
    State(state): State<AppState>,
    user: SignedIn,
) -> Result<Response, HttpError> {
    password_page_for(&state, &user, StatusCode::OK, Errors::none()).await
}

#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    pub(crate) current_password: String,
    #[serde(default)]
    pub(crate) new_password: String,
    #[serde(default)]
    pub(crate) confirm_password: String,
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<PasswordForm>,
) -> Result<Response, HttpError> {
    let forced = user.session.stage == SessionStage::ChangePassword;
    let again =
        |errors: Errors| password_page_for(&state, &user, StatusCode::UNPROCESSABLE_ENTITY, errors);
    if !forced && !password_is_right(&state, &user, &meta, &form.current_password).await? {
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
    if form.new_password != form.confirm_password {
        return again(Errors::one(
            "confirm_password",
            "The two new passwords are not the same",
        ))
        .await;
    }
    match own::change_password(&state, user.holder(), &form.new_password, &meta).await {
        Err(AppError::Invalid(e)) => return again(e.into()).await,
        done => done?,
    }
    if forced {
        let stage = advance(&state, &user).await?;
        return Ok(Redirect::to(stage.page()).into_response());
    }
    Ok(Redirect::to("/account?changed=password").into_response())
}
