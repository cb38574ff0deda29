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

pub(crate) async fn mfa_verify(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<MfaForm>,
) -> Result<Response, HttpError> {
    if user.session.stage != SessionStage::VerifyMfa {
        return Ok(Redirect::to("/").into_response());
    }
    let checked = custodian_app::identity::sign_in::check_second_factor(
        &state,
        user.person_id(),
        &form.code,
        &form.recovery_code,
        &meta,
    )
    .await;
    match crate::kit::forms::submitted(checked)? {
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
