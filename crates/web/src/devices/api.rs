//! The equipment register's JSON API.

use super::*;

/// A device with its custody history.
#[derive(Serialize, ToSchema)]
pub struct DeviceDetail {
    pub device: Device,
    pub custody: Vec<CustodyEntry>,
    /// After a custody step that lost the device: the incident reported with it.
    pub incident_id: Option<custodian_domain::IncidentId>,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/devices", tag = "devices", summary = "The equipment register (those who run it)",
    params(PracticeParam, ListQuery, PageQuery), responses((status = 200, body = Paged<Device>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<Device>>, HttpError> {
    let filter = q
        .filter()
        .map_err(|e| custodian_app::AppError::Invalid(custodian_domain::Invalid(e.0)))?;
    let found = uc::list(&state, &scope.actor(), filter).await?;
    Ok(Json(Paged::of_list(found, &page, |d| d.id.to_string())?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/devices", tag = "devices", summary = "Add a device to the register, in stock",
    params(PracticeParam), request_body = DeviceInput,
    responses((status = 201, body = Device), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_add(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<DeviceInput>,
) -> Result<Response, HttpError> {
    let d = uc::add(&state, &scope.actor(), &body).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

async fn detail(state: &AppState, scope: &PracticeScope, id: &str) -> Result<Json<DeviceDetail>, HttpError> {
    let (device, custody) = uc::view(state, &scope.actor(), id).await?;
    Ok(Json(DeviceDetail {
        device,
        custody,
        incident_id: None,
    }))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/devices/{device_id}", tag = "devices", summary = "One device with its custody history (those who run the register, and whoever holds it)",
    params(PracticeParam, ("device_id" = String, Path, description = "The device's id")),
    responses((status = 200, body = DeviceDetail), (status = 404, body = Problem)))]
pub(crate) async fn api_get(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<DeviceDetail>, HttpError> {
    detail(&state, &scope, &id).await
}

#[utoipa::path(put, path = "/api/v1/practices/{practice_id}/devices/{device_id}", tag = "devices", summary = "Change a device's details",
    params(PracticeParam, ("device_id" = String, Path, description = "The device's id")), request_body = DeviceInput,
    responses((status = 200, body = Device), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_change(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<DeviceInput>,
) -> Result<Json<Device>, HttpError> {
    Ok(Json(uc::change(&state, &scope.actor(), &id, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/devices/{device_id}/custody", tag = "devices", summary = "A custody step: issue, return, repair, restock, lose (reporting its incident) or dispose",
    params(PracticeParam, ("device_id" = String, Path, description = "The device's id")), request_body = CustodyInput,
    responses((status = 200, body = DeviceDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_custody(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<CustodyInput>,
) -> Result<Json<DeviceDetail>, HttpError> {
    let (_, incident) = uc::custody(&state, &scope.actor(), &id, &body).await?;
    let Json(done) = detail(&state, &scope, &id).await?;
    Ok(Json(DeviceDetail {
        incident_id: incident,
        ..done
    }))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_list,
        api_add,
        api_get,
        api_change,
        api_custody,
        api_provider,
        api_personal_list,
        api_declare,
        api_personal,
        api_need,
        api_check,
        api_withdraw
    ),
    components(schemas(
        Device,
        CustodyEntry,
        DeviceDetail,
        DeviceInput,
        CustodyInput,
        DeviceKind,
        DeviceStatus,
        custodian_domain::devices::PracticeDevices,
        custodian_store::PersonalDevice,
        custodian_store::CheckAnswer,
        custodian_domain::devices::personal::Declaration,
        custodian_domain::devices::personal::NeedDecision,
        custodian_domain::devices::personal::CheckInput,
        custodian_domain::devices::personal::PersonalKind,
        custodian_domain::devices::personal::PersonalStatus
    ))
)]
pub struct DevicesApi;
