//! The asset register's JSON API.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct AssetDetail {
    pub asset: Asset,
    pub flows: Vec<AssetFlow>,
    pub access: Vec<AssetAccess>,
}

#[derive(Deserialize)]
pub(crate) struct ApiListQuery {
    pub(crate) search: Option<String>,
    pub(crate) asset_type: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) iao: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/assets", tag = "assets", summary = "The information asset register",
    params(PracticeParam, ("search" = Option<String>, Query, description = "Part of the name"),
           ("asset_type" = Option<String>, Query, description = "A type"), ("status" = Option<String>, Query, description = "active, retiring or retired"),
           ("iao" = Option<String>, Query, description = "An IAO's person id, or `me`",
            pattern = "^$|^me$|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"), PageQuery),
    responses((status = 200, body = Paged<Asset>), (status = 403, body = Problem)))]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ApiListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<Asset>>, HttpError> {
    scope.require(Permission::AssetsView, "asset.list").await?;
    let iao = match q.iao.as_deref() {
        None | Some("") => None,
        Some("me") => Some(scope.user.person_id()),
        Some(p) => Some(
            p.parse()
                .map_err(|_| Invalid::one("iao", "Give a person id or `me`"))?,
        ),
    };
    let list = state
        .store
        .assets(
            scope.id(),
            &AssetFilter {
                search: q.search,
                asset_type: q.asset_type,
                status: q.status,
                iao,
                limit: assets::REGISTER_MAX,
            },
        )
        .await?;
    let page = Paged::of_list(list, &page, |a| a.id.to_string())?;
    scope
        .record_list("asset.list", "asset", page.items.len())
        .await?;
    Ok(Json(page))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/assets", tag = "assets", summary = "Add an asset",
    description = "The data protection lead, practice manager or IG consultant; or an IAO adding an asset they own.",
    params(PracticeParam), request_body = AssetInput,
    responses((status = 201, body = Asset), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_create(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<AssetInput>,
) -> Result<Response, HttpError> {
    let a = create_asset(&state, &scope.actor(), &body).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/assets/{asset_id}", tag = "assets", summary = "One asset with its flows and access",
    params(PracticeParam, ("asset_id" = String, Path, description = "The asset's id")),
    responses((status = 200, body = AssetDetail), (status = 404, body = Problem)))]
pub(crate) async fn api_get(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<AssetDetail>, HttpError> {
    let asset = custodian_app::assets::view(&state, &scope.actor(), &id).await?;
    let flows = state.store.flows(scope.id(), Some(asset.id)).await?;
    let access = state
        .store
        .access_entries(scope.id(), Some(asset.id))
        .await?;
    Ok(Json(AssetDetail {
        asset,
        flows,
        access,
    }))
}

#[utoipa::path(put, path = "/api/v1/practices/{practice_id}/assets/{asset_id}", tag = "assets", summary = "Change an asset",
    params(PracticeParam, ("asset_id" = String, Path, description = "The asset's id")), request_body = AssetInput,
    responses((status = 200, body = Asset), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_update(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<AssetInput>,
) -> Result<Json<Asset>, HttpError> {
    Ok(Json(
        update_asset(&state, &scope.actor(), &id, &body).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/assets/{asset_id}/flows", tag = "assets", summary = "Add a data flow out of an asset",
    params(PracticeParam, ("asset_id" = String, Path, description = "The asset's id")), request_body = FlowInput,
    responses((status = 201, body = AssetFlow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_add_flow(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<FlowInput>,
) -> Result<Response, HttpError> {
    let f = add_flow(&state, &scope.actor(), &id, &body).await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/practices/{practice_id}/assets/{asset_id}/flows/{flow_id}", tag = "assets", summary = "Remove a data flow",
    params(PracticeParam, ("asset_id" = String, Path, description = "The asset's id"), ("flow_id" = String, Path, description = "The flow's id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn api_remove_flow(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice((id, flow)): InPractice<(String, String)>,
) -> Result<StatusCode, HttpError> {
    custodian_app::assets::remove_flow(&state, &scope.actor(), &id, &flow).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/assets/{asset_id}/access", tag = "assets", summary = "Record who has access and why",
    params(PracticeParam, ("asset_id" = String, Path, description = "The asset's id")), request_body = AccessInput,
    responses((status = 201, body = AssetAccess), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_add_access(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<AccessInput>,
) -> Result<Response, HttpError> {
    let x = add_access(&state, &scope.actor(), &id, &body).await?;
    Ok((StatusCode::CREATED, Json(x)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/practices/{practice_id}/assets/{asset_id}/access/{entry_id}", tag = "assets", summary = "Remove an access entry",
    params(PracticeParam, ("asset_id" = String, Path, description = "The asset's id"), ("entry_id" = String, Path, description = "The entry's id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn api_remove_access(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice((id, entry)): InPractice<(String, String)>,
) -> Result<StatusCode, HttpError> {
    custodian_app::assets::remove_access(&state, &scope.actor(), &id, &entry).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/assets-quality", tag = "assets", summary = "Gaps in the register",
    params(PracticeParam, PageQuery), responses((status = 200, body = Paged<Gap>)))]
pub(crate) async fn api_quality(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<Gap>>, HttpError> {
    scope
        .require(Permission::AssetsView, "asset.quality")
        .await?;
    let gaps = quality(&state, &scope.actor()).await?;
    Ok(Json(Paged::of_list(gaps, &page, |g| {
        format!("{} {}", g.asset_id, g.problem)
    })?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_list,
        api_create,
        api_get,
        api_update,
        api_add_flow,
        api_remove_flow,
        api_add_access,
        api_remove_access,
        api_quality,
        api_review,
        api_ropa
    ),
    components(schemas(
        RopaRow,
        Asset,
        AssetFlow,
        AssetAccess,
        AssetDetail,
        AssetInput,
        FlowInput,
        AccessInput,
        Gap,
        ReviewBody,
        custodian_store::AccessReview
    ))
)]
pub struct AssetsApi;
