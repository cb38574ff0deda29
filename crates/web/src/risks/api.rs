//! The risk register's JSON API.

use super::*;

/// A risk with its treatment actions and reviews.
#[derive(Serialize, ToSchema)]
pub struct RiskDetail {
    #[serde(flatten)]
    pub risk: Risk,
    /// The residual band on the practice's matrix.
    pub band: Band,
    pub actions: Vec<custodian_store::Action>,
    pub reviews: Vec<RiskReview>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskQuery {
    /// Part of the title.
    #[serde(default)]
    search: Option<String>,
    /// open, treating, accepted or closed.
    #[serde(default)]
    status: Option<String>,
    /// people, process, technology, supplier or physical.
    #[serde(default)]
    category: Option<String>,
    /// Risks that threaten this asset.
    #[serde(default)]
    asset_id: Option<custodian_domain::AssetId>,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/risks", tag = "risks", summary = "The practice's risks, highest residual score first",
    params(PracticeParam, RiskQuery, PageQuery),
    responses((status = 200, body = Paged<Risk>), (status = 403, body = Problem)))]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<RiskQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.list").await?;
    let list = state
        .store
        .risks(
            scope.id(),
            &RiskFilter {
                search: q.search.filter(|s| !s.trim().is_empty()),
                status: q.status.filter(|s| !s.is_empty()),
                category: q.category.filter(|s| !s.is_empty()),
                owner: None,
                asset: q.asset_id,
                limit: 50_000,
            },
        )
        .await?;
    let page = Paged::of_list(list, &page, |r| r.id.to_string())?;
    scope
        .record_list("risk.list", "risk", page.items.len())
        .await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risks", tag = "risks", summary = "Add a risk",
    description = "Scores are computed from likelihood × impact on the practice's matrix. The data protection lead, practice manager or SIRO; or an IAO adding a risk they own. Without owner_id the owner is the IAO of the first asset.",
    params(PracticeParam), request_body = RiskInput,
    responses((status = 201, body = Risk), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_create(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<RiskInput>,
) -> Result<Response, HttpError> {
    let r = create_risk(&state, &scope.actor(), &body).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/risks/{risk_id}", tag = "risks", summary = "One risk with its actions and reviews",
    params(PracticeParam, ("risk_id" = String, Path, description = "The risk's id")),
    responses((status = 200, body = RiskDetail), (status = 404, body = Problem)))]
pub(crate) async fn api_get(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    let risk = custodian_app::risks::view(&state, &scope.actor(), &id).await?;
    let (m, _) = matrix_of(&state, &scope.actor()).await?;
    Ok(Json(RiskDetail {
        band: m.band(risk.residual_score as u8),
        actions: state
            .store
            .actions(
                scope.id(),
                custodian_store::ActionsOf::Record(custodian_domain::holder::Holder::Risk(risk.id)),
            )
            .await?,
        reviews: state.store.risk_reviews(scope.id(), risk.id).await?,
        risk,
    })
    .into_response())
}

#[utoipa::path(put, path = "/api/v1/practices/{practice_id}/risks/{risk_id}", tag = "risks", summary = "Change a risk",
    params(PracticeParam, ("risk_id" = String, Path, description = "The risk's id")), request_body = RiskInput,
    responses((status = 200, body = Risk), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_update(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<RiskInput>,
) -> Result<Response, HttpError> {
    Ok(Json(update_risk(&state, &scope.actor(), &id, &body).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risks/{risk_id}/review", tag = "risks", summary = "Record a review of a risk",
    params(PracticeParam, ("risk_id" = String, Path, description = "The risk's id")), request_body = ReviewInput,
    responses((status = 201, body = RiskReview), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_review(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<ReviewInput>,
) -> Result<Response, HttpError> {
    let r = review(&state, &scope.actor(), &id, &body).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risks/{risk_id}/accept", tag = "risks", summary = "Accept a risk until a date",
    description = "Above the practice's risk appetite only the SIRO may accept. An acceptance lasts at most a year; the risk comes back for review when it ends.",
    params(PracticeParam, ("risk_id" = String, Path, description = "The risk's id")), request_body = AcceptanceInput,
    responses((status = 201, body = RiskAcceptance), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_accept(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<AcceptanceInput>,
) -> Result<Response, HttpError> {
    let a = accept(&state, &scope.actor(), &id, &body).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// A library entry as a risk on the practice's matrix.
#[derive(Serialize, ToSchema)]
pub struct LibraryItem {
    /// A word for a built-in threat, an id for one the provider added.
    pub key: String,
    pub from_provider: bool,
    pub risk: RiskInput,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/risk-library", tag = "risks", summary = "Common GP-practice threats, scored on the practice's matrix",
    params(PracticeParam, PageQuery),
    responses((status = 200, body = Paged<LibraryItem>)))]
pub(crate) async fn api_library(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.library").await?;
    let (m, _) = matrix_of(&state, &scope.actor()).await?;
    let items: Vec<LibraryItem> = library(&state)
        .await?
        .into_iter()
        .map(|e| LibraryItem {
            risk: e.to_input(m),
            from_provider: e.from_provider,
            key: e.key,
        })
        .collect();
    Ok(Json(Paged::of_list(items, &page, |i| i.key.clone())?).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risk-library/{key}", tag = "risks", summary = "Add a library threat to the register in one step",
    params(PracticeParam, ("key" = String, Path, description = "The library entry, e.g. phishing")),
    responses((status = 201, body = Risk), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn api_from_library(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(key): InPractice<String>,
) -> Result<Response, HttpError> {
    let r = from_library(&state, &scope, &key).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_list,
        api_create,
        api_get,
        api_update,
        api_review,
        api_accept,
        api_library,
        api_from_library
    ),
    components(schemas(
        Risk,
        RiskDetail,
        RiskInput,
        RiskReview,
        RiskAcceptance,
        ReviewInput,
        AcceptanceInput,
        Band,
        LibraryItem
    ))
)]
pub struct RisksApi;
