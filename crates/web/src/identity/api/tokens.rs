//! API tokens through the API.

use super::*;

#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me", summary = "Your API tokens", params(PageQuery), responses((status = 200, body = Paged<ApiToken>)))]
pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    user: SignedIn,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<ApiToken>>, HttpError> {
    Ok(Json(Paged::of_list(
        state.store.api_tokens_of(user.person_id()).await?,
        &page,
        |r| r.id.to_string(),
    )?))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenBody {
    pub name: String,
    pub practice_id: String,
    pub permissions: Vec<String>,
    pub expires_in_days: u32,
}

#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    pub token: ApiToken,
    /// The secret, shown only now: send it as `Authorization: Bearer <secret>`.
    pub secret: String,
}

#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "me", summary = "Create an API token",
    description = "For one of your practices, with a subset of your permissions there, for 1 to 365 days. Only a signed-in session can create tokens.",
    request_body = TokenBody, responses((status = 201, body = TokenCreated), (status = 422, body = Problem)))]
pub(crate) async fn create_token(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<TokenBody>,
) -> Result<Response, HttpError> {
    let request = own::TokenRequest {
        name: &body.name,
        practice: &body.practice_id,
        permissions: &body.permissions,
        expires_in_days: &body.expires_in_days.to_string(),
    };
    let practices: Vec<_> = user.memberships.iter().map(|m| m.practice.id).collect();
    let (token, secret) =
        own::issue_api_token(&state, user.holder(), &practices, request, &meta).await?;
    Ok((StatusCode::CREATED, Json(TokenCreated { token, secret })).into_response())
}

#[utoipa::path(delete, path = "/api/v1/me/tokens/{token_id}", tag = "me", summary = "Revoke an API token",
    params(("token_id" = String, Path, description = "The token's id")), responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    own::revoke_api_token(&state, user.person_id(), parse_id(&id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
