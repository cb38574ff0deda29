//! Actions in the JSON API.

use super::*;
use crate::kit::forms::{PageQuery, Paged};
use axum::extract::Query;
use custodian_store::Action;

async fn added(
    state: &AppState,
    scope: &PracticeScope,
    holder: Holder,
    body: &ActionInput,
) -> Result<Response, HttpError> {
    let a = uc::add(state, &scope.actor(), holder, body).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risks/{risk_id}/actions", tag = "risks", summary = "Add an action to a risk's treatment plan",
    params(PracticeParam, ("risk_id" = String, Path, description = "The risk's id")), request_body = ActionInput,
    responses((status = 201, body = Action), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_add_risk_action(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<ActionInput>,
) -> Result<Response, HttpError> {
    added(&state, &scope, Holder::Risk(parse_id(&id)?), &body).await
}

#[utoipa::path(put, path = "/api/v1/practices/{practice_id}/risks/{risk_id}/actions/{action_id}", tag = "risks", summary = "Change an action (empty fields keep their value)",
    params(PracticeParam, ("risk_id" = String, Path, description = "The risk's id"), ("action_id" = String, Path, description = "The action's id")),
    request_body = ActionInput,
    responses((status = 200, body = Action), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_update_risk_action(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice((id, action)): InPractice<(String, String)>,
    Json(body): Json<ActionInput>,
) -> Result<Json<Action>, HttpError> {
    let holder = Holder::Risk(parse_id(&id)?);
    Ok(Json(uc::update(&state, &scope.actor(), holder, &action, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/actions", tag = "incidents", summary = "An incident's actions, by due date",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id"), PageQuery),
    responses((status = 200, body = Paged<Action>), (status = 404, body = Problem)))]
pub(crate) async fn api_incident_actions(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<Action>>, HttpError> {
    let holder = Holder::Incident(parse_id(&id)?);
    let actions = uc::of_record(&state, &scope.actor(), holder).await?;
    Ok(Json(Paged::of_list(actions, &page, |a| a.id.to_string())?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/actions", tag = "incidents", summary = "Add an action to an incident (those who handle incidents)",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")), request_body = ActionInput,
    responses((status = 201, body = Action), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_add_incident_action(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<ActionInput>,
) -> Result<Response, HttpError> {
    added(&state, &scope, Holder::Incident(parse_id(&id)?), &body).await
}

#[utoipa::path(put, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/actions/{action_id}", tag = "incidents", summary = "Change an incident's action (empty fields keep their value; its owner may update it)",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id"), ("action_id" = String, Path, description = "The action's id")),
    request_body = ActionInput,
    responses((status = 200, body = Action), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_update_incident_action(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice((id, action)): InPractice<(String, String)>,
    Json(body): Json<ActionInput>,
) -> Result<Json<Action>, HttpError> {
    let holder = Holder::Incident(parse_id(&id)?);
    Ok(Json(uc::update(&state, &scope.actor(), holder, &action, &body).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_add_risk_action,
        api_update_risk_action,
        api_incident_actions,
        api_add_incident_action,
        api_update_incident_action
    ),
    components(schemas(Action, ActionInput, custodian_domain::actions::ActionStatus))
)]
pub(crate) struct ActionsApi;
