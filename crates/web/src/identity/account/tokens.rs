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
        id: custodian_domain::ApiTokenId::new(),
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
    Ok(Ok((
        token,
        format!("{}{secret}", session::API_TOKEN_PREFIX),
    )))
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

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let id: custodian_domain::ApiTokenId = custodian_app::parse_id(&id)?;
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
