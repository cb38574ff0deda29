//! The incident register's JSON API.

use super::*;

/// An incident with its clocks and timeline.
#[derive(Serialize, ToSchema)]
pub struct IncidentDetail {
    pub incident: Incident,
    pub clocks: Vec<Clock>,
    pub timeline: Vec<IncidentEntry>,
    /// The members of staff, assets and risks linked to it.
    pub involved: Vec<custodian_store::InvolvedEntry>,
}

/// An incident in a list, with its clocks.
#[derive(Serialize, ToSchema)]
pub struct IncidentItem {
    #[serde(flatten)]
    pub incident: Incident,
    pub clocks: Vec<Clock>,
}

/// The time senior management was told (now when empty).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct IncidentSeniorToldBody {
    /// `YYYY-MM-DDTHH:MM` (London) or RFC 3339; empty for now.
    #[schema(pattern = "^$|^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub told_at: String,
}

/// Where the incident has got to: `triage`, `investigating` or `contained`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct IncidentStatusBody {
    #[schema(required = true, pattern = "^(triage|investigating|contained)$")]
    pub status: String,
}

/// A dated note of what was done.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct IncidentNoteBody {
    #[schema(required = true, min_length = 1, max_length = 5000)]
    pub text: String,
}

/// Closing: the lessons learned, and at most one of a risk to link or a new risk to raise.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct IncidentCloseBody {
    #[schema(required = true, min_length = 1, max_length = 5000)]
    pub lessons: String,
    /// An existing risk of the practice's register to link.
    pub risk_id: Option<custodian_domain::RiskId>,
    /// The title of a new risk to raise from the incident (filled from it; refine it in the
    /// register).
    #[schema(max_length = 200)]
    pub new_risk_title: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/incidents", tag = "incidents", summary = "The incident register (or, for a reporter, their own reports)",
    params(PracticeParam, ListQuery, PageQuery), responses((status = 200, body = Paged<IncidentItem>), (status = 422, body = Problem)))]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<IncidentItem>>, HttpError> {
    let (filter, pressing) = q
        .filter()
        .map_err(|e| custodian_app::AppError::Invalid(custodian_domain::Invalid(e.0)))?;
    let items: Vec<IncidentItem> = listed(&state, &scope, filter, pressing)
        .await?
        .into_iter()
        .map(|(incident, clocks)| IncidentItem { incident, clocks })
        .collect();
    Ok(Json(Paged::of_list(items, &page, |i| {
        i.incident.id.to_string()
    })?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents", tag = "incidents", summary = "Report an incident or near miss (any member of staff)",
    params(PracticeParam), request_body = IncidentReport,
    responses((status = 201, body = Incident), (status = 422, body = Problem)))]
pub(crate) async fn api_report(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<IncidentReport>,
) -> Result<Response, HttpError> {
    let i = uc::report(&state, &scope.actor(), &body).await?;
    Ok((StatusCode::CREATED, Json(i)).into_response())
}

pub(crate) async fn detail(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
) -> Result<Json<IncidentDetail>, HttpError> {
    let (incident, timeline) = uc::view(state, &scope.actor(), id).await?;
    let clocks = uc::clocks(&incident, state.clock.now());
    let involved = state.store.incident_involved(scope.id(), incident.id).await?;
    Ok(Json(IncidentDetail {
        incident,
        clocks,
        timeline,
        involved,
    }))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}", tag = "incidents", summary = "One incident with its clocks and timeline",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")),
    responses((status = 200, body = IncidentDetail), (status = 404, body = Problem)))]
pub(crate) async fn api_get(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<IncidentDetail>, HttpError> {
    detail(&state, &scope, &id).await
}

/// A handling step's answer: the incident as it now is.
async fn stepped(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    result: Result<Incident, custodian_app::AppError>,
) -> Result<Json<IncidentDetail>, HttpError> {
    result?;
    detail(state, scope, id).await
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/grade", tag = "incidents", summary = "Grade an incident on the NHS breach assessment grid",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")), request_body = GradeInput,
    responses((status = 200, body = IncidentDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_grade(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<GradeInput>,
) -> Result<Json<IncidentDetail>, HttpError> {
    let r = uc::grade(&state, &scope.actor(), &id, &body).await;
    stepped(&state, &scope, &id, r).await
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/ico-decision", tag = "incidents", summary = "Record the ICO decision: reported (reference, time) or not reportable (reason)",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")), request_body = IcoDecision,
    responses((status = 200, body = IncidentDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_ico(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<IcoDecision>,
) -> Result<Json<IncidentDetail>, HttpError> {
    let r = uc::decide_ico(&state, &scope.actor(), &id, &body).await;
    stepped(&state, &scope, &id, r).await
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/people-affected", tag = "incidents", summary = "Record the Art. 34 decision: the people affected told (how) or not (why)",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")), request_body = rules::PeopleAffectedDecision,
    responses((status = 200, body = IncidentDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_people(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<rules::PeopleAffectedDecision>,
) -> Result<Json<IncidentDetail>, HttpError> {
    let r = uc::decide_people_affected(&state, &scope.actor(), &id, &body).await;
    stepped(&state, &scope, &id, r).await
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/senior-told", tag = "incidents", summary = "Record that senior management was told (the 12-hour clock)",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")), request_body = IncidentSeniorToldBody,
    responses((status = 200, body = IncidentDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_senior(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<IncidentSeniorToldBody>,
) -> Result<Json<IncidentDetail>, HttpError> {
    let r = uc::senior_told(&state, &scope.actor(), &id, &body.told_at).await;
    stepped(&state, &scope, &id, r).await
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/status", tag = "incidents", summary = "Move an incident on (triage, investigating, contained)",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")), request_body = IncidentStatusBody,
    responses((status = 200, body = IncidentDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_status(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<IncidentStatusBody>,
) -> Result<Json<IncidentDetail>, HttpError> {
    let r = uc::set_status(&state, &scope.actor(), &id, &body.status).await;
    stepped(&state, &scope, &id, r).await
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/notes", tag = "incidents", summary = "Add a dated note to the timeline",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")), request_body = IncidentNoteBody,
    responses((status = 200, body = IncidentDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_note(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<IncidentNoteBody>,
) -> Result<Json<IncidentDetail>, HttpError> {
    let r = uc::add_note(&state, &scope.actor(), &id, &body.text).await;
    stepped(&state, &scope, &id, r).await
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/close", tag = "incidents", summary = "Close an incident with the lessons learned",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id")), request_body = IncidentCloseBody,
    responses((status = 200, body = IncidentDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_close(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<IncidentCloseBody>,
) -> Result<Json<IncidentDetail>, HttpError> {
    let risk = match (body.risk_id, body.new_risk_title) {
        (Some(_), Some(_)) => {
            return Err(custodian_app::AppError::from(custodian_domain::Invalid::one(
                "new_risk_title",
                "Link a risk or raise a new one, not both",
            ))
            .into());
        }
        (Some(r), None) => uc::RiskChoice::Link(r.to_string()),
        (None, Some(title)) => uc::RiskChoice::Raise(title),
        (None, None) => uc::RiskChoice::Nothing,
    };
    let r = uc::close(&state, &scope.actor(), &id, &body.lessons, risk).await;
    stepped(&state, &scope, &id, r).await
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_list, api_report, api_get, api_grade, api_ico, api_people, api_senior, api_status,
        api_note, api_close, api_provider, api_notification, api_involve, api_release
    ),
    components(schemas(
        IncidentNotificationDraft,
        IncidentInvolvedBody,
        custodian_store::InvolvedEntry,
        Incident,
        IncidentEntry,
        IncidentDetail,
        IncidentItem,
        IncidentReport,
        GradeInput,
        IcoDecision,
        IncidentSeniorToldBody,
        IncidentStatusBody,
        IncidentNoteBody,
        IncidentCloseBody,
        Clock,
        rules::ClockKind,
        ClockState,
        IncidentKind,
        IncidentStatus,
        rules::BreachType,
        rules::PracticeIncidents,
        rules::PeopleAffectedDecision
    ))
)]
pub struct IncidentsApi;
