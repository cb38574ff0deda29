//! The quarterly reports' JSON API.

use super::*;

/// A report with what it shows: the signed copy, or the draft built from the register today.
#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub record: RiskReport,
    pub content: SignedCopy,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/risk-reports", tag = "risks", summary = "The practice's quarterly reports, latest first",
    params(PracticeParam, PageQuery),
    responses((status = 200, body = Paged<RiskReport>), (status = 403, body = Problem)))]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::RisksView, "risk_report.list")
        .await?;
    let list = state.store.risk_reports(scope.id()).await?;
    Ok(Json(Paged::of_list(list, &page, |r| r.id.to_string())?).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risk-reports", tag = "risks", summary = "Make the draft report of a quarter (or return the existing one)",
    description = "Not for a quarter that has not started. The data protection lead, practice manager or SIRO.",
    params(PracticeParam), request_body = GenerateInput,
    responses((status = 201, body = RiskReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_generate(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(input): Json<GenerateInput>,
) -> Result<Response, HttpError> {
    let r = rr::generate(&state, &scope.actor(), &input.quarter).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/risk-reports/{quarter}", tag = "risks", summary = "A quarterly report with its content",
    description = "The PDF and CSV are at /practices/{practice_id}/risk-reports/{quarter}/pdf and /csv.",
    params(PracticeParam, ("quarter" = String, Path, description = "The quarter, like 2026-Q3")),
    responses((status = 200, body = ReportDetail), (status = 404, body = Problem)))]
pub(crate) async fn api_get(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(key): InPractice<String>,
) -> Result<Response, HttpError> {
    let (record, content) =
        rr::read(&state, &scope.actor(), &key, "risk_report.view", None).await?;
    Ok(Json(ReportDetail { record, content }).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risk-reports/{quarter}/minutes", tag = "risks", summary = "Record the practice meeting's minutes and decisions on a draft",
    params(PracticeParam, ("quarter" = String, Path, description = "The quarter, like 2026-Q3")),
    request_body = MinutesInput,
    responses((status = 200, body = RiskReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_minutes(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(key): InPractice<String>,
    Json(input): Json<MinutesInput>,
) -> Result<Response, HttpError> {
    Ok(Json(rr::record_minutes(&state, &scope.actor(), &key, &input).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risk-reports/{quarter}/sign", tag = "risks", summary = "The SIRO signs the report off; the signed copy is kept unchanged",
    description = "Only after the quarter has ended and the meeting's minutes are recorded.",
    params(PracticeParam, ("quarter" = String, Path, description = "The quarter, like 2026-Q3")),
    responses((status = 200, body = RiskReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_sign(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(key): InPractice<String>,
) -> Result<Response, HttpError> {
    Ok(Json(rr::sign(&state, &scope.actor(), &key).await?).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_list,
        api_generate,
        api_get,
        api_minutes,
        api_sign,
        api_provider,
        api_threats,
        api_add_threat,
        api_remove_threat,
        api_publish_matrix
    ),
    components(schemas(
        RiskReport,
        ReportDetail,
        SignedCopy,
        QuarterlyReport,
        GenerateInput,
        MinutesInput,
        ProviderRiskRow,
        PublishMatrix,
        Published,
        risks::Threat,
        risk_report::RiskLine,
        risk_report::TopRisk,
        risk_report::ThreatLine,
        risk_report::ActionLine,
        risk_report::BandCount
    ))
)]
pub struct RiskReportsApi;
