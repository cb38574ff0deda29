//! The person's API tokens.

use super::*;

pub(crate) struct TokenRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) practice: String,
    pub(crate) permissions: String,
    pub(crate) expires: String,
    pub(crate) last_used: String,
    pub(crate) live: bool,
    pub(crate) state: &'static str,
}

pub(crate) struct PracticeOption {
    pub(crate) id: String,
    pub(crate) name: String,
}

#[derive(Template)]
#[template(path = "identity/tokens.html")]
pub(crate) struct TokensPage {
    pub(crate) layout: Layout,
    pub(crate) errors: Errors,
    pub(crate) tokens: Vec<TokenRow>,
    pub(crate) practices: Vec<PracticeOption>,
    pub(crate) permissions: Vec<&'static str>,
    pub(crate) new_token: Option<String>,
}

pub(crate) async fn tokens_page_for(
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

pub(crate) async fn tokens_page(
    State(state): State<AppState>,
    user: SignedIn,
) -> Result<Response, HttpError> {
    if user.api_token.is_some() {
        return Err(AppError::Forbidden.into());
    }
    tokens_page_for(&state, &user, Errors::none(), None).await
}

pub(crate) async fn create_token(
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
    let request = own::TokenRequest {
        name: &get("name"),
        practice: &get("practice_id"),
        permissions: &perms,
        expires_in_days: &get("expires_in_days"),
    };
    let practices: Vec<_> = user.memberships.iter().map(|m| m.practice.id).collect();
    let issued = own::issue_api_token(&state, user.holder(), &practices, request, &meta).await;
    match crate::kit::forms::submitted(issued)? {
        Ok((_, secret)) => tokens_page_for(&state, &user, Errors::none(), Some(secret)).await,
        Err(errors) => tokens_page_for(&state, &user, errors, None).await,
    }
}

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    own::revoke_api_token(&state, user.person_id(), custodian_app::parse_id(&id)?, &meta).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
