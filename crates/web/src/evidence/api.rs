//! Evidence files in the JSON API.

use super::*;

/// A file attached to a record as evidence.
#[derive(Serialize, ToSchema)]
pub struct EvidenceFileView {
    pub id: String,
    /// The register of the record it belongs to: `incident`.
    pub holder: &'static str,
    pub holder_id: String,
    pub filename: String,
    pub kind: custodian_domain::evidence::EvidenceKind,
    /// In bytes.
    pub size: i64,
    /// The SHA-256 of its bytes, in lower-case hex.
    pub sha256: String,
    pub added_at: chrono::DateTime<chrono::Utc>,
    pub added_by_name: String,
    /// When, by whom and why it was removed, if it was (only those who may recover removed
    /// files see them).
    pub removed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub removed_by_name: Option<String>,
    pub removed_reason: Option<String>,
}

impl From<EvidenceFile> for EvidenceFileView {
    fn from(f: EvidenceFile) -> Self {
        EvidenceFileView {
            id: f.id.to_string(),
            holder: f.holder.register(),
            holder_id: f.holder.id().to_string(),
            filename: f.filename,
            kind: f.kind,
            size: f.size,
            sha256: f.sha256,
            added_at: f.added_at,
            added_by_name: f.added_by_name,
            removed_at: f.removed_at,
            removed_by_name: f.removed_by_name,
            removed_reason: f.removed_reason,
        }
    }
}

/// The name of the file being attached.
#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct EvidenceUploadQuery {
    /// Its name, with the extension of its kind (`.pdf`, `.png`, `.jpg`, `.docx`, `.xlsx`,
    /// `.csv`, `.txt`, `.eml`); the content must agree.
    #[param(
        required = true,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^/\\\x00-\x1F\x7F-\x9F]*[^/\\\s.\x00-\x1F\x7F-\x9F][^/\\\x00-\x1F\x7F-\x9F]*\.([Pp][Dd][Ff]|[Pp][Nn][Gg]|[Jj][Pp][Ee]?[Gg]|[Dd][Oo][Cc][Xx]|[Xx][Ll][Ss][Xx]|[Cc][Ss][Vv]|[Tt][Xx][Tt]|[Ee][Mm][Ll])$"
    )]
    pub filename: String,
}

/// Why a file is removed.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct EvidenceRemoveBody {
    #[schema(required = true, min_length = 1, max_length = 1000)]
    pub removal_reason: String,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/evidence", tag = "evidence",
    summary = "An incident's evidence files",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id"), PageQuery),
    responses((status = 200, body = Paged<EvidenceFileView>), (status = 404, body = Problem)))]
pub(crate) async fn api_incident_files(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<EvidenceFileView>>, HttpError> {
    let files = uc::list(&state, &scope.actor(), incident(&id)?).await?;
    let items: Vec<EvidenceFileView> = files.into_iter().map(Into::into).collect();
    Ok(Json(Paged::of_list(items, &page, |f| f.id.clone())?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/incidents/{incident_id}/evidence", tag = "evidence",
    summary = "Attach a file to an incident",
    description = "The body is the file's bytes. Its kind is decided by its content, which must be a PDF, PNG, JPEG, Word (.docx), \
        Excel (.xlsx), CSV, text or email (.eml) file agreeing with the name's extension (an HTML page named .pdf is refused), \
        within the deployment's size limit (20 MB unless set otherwise). Those who may read the incident.",
    params(PracticeParam, ("incident_id" = String, Path, description = "The incident's id"), EvidenceUploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = EvidenceFileView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_attach_to_incident(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Query(q): Query<EvidenceUploadQuery>,
    body: Body,
) -> Result<Response, HttpError> {
    let holder = incident(&id)?;
    let bytes = match read_capped(body, state.evidence.max_file_bytes).await {
        Ok(b) => b,
        Err(e) => {
            let cut = e == UploadError::TooBig(false);
            let res = HttpError(AppError::from(upload_refusal(&state, e))).into_response();
            return Ok(if cut { close_connection(res) } else { res });
        }
    };
    let file = uc::attach(&state, &scope.actor(), holder, &q.filename, &bytes).await?;
    Ok((StatusCode::CREATED, Json(EvidenceFileView::from(file))).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/evidence/{evidence_id}", tag = "evidence",
    summary = "One evidence file's description",
    params(PracticeParam, ("evidence_id" = String, Path, description = "The file's id")),
    responses((status = 200, body = EvidenceFileView), (status = 404, body = Problem)))]
pub(crate) async fn api_file(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<EvidenceFileView>, HttpError> {
    Ok(Json(uc::file(&state, &scope.actor(), &id).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/evidence/{evidence_id}/content", tag = "evidence",
    summary = "Download an evidence file (each download is recorded in the audit trail)",
    params(PracticeParam, ("evidence_id" = String, Path, description = "The file's id")),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            ("application/pdf"), ("image/png"), ("image/jpeg"),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("text/csv"), ("text/plain"), ("message/rfc822"))),
        (status = 404, body = Problem)))]
pub(crate) async fn api_content(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    Ok(attachment(uc::download(&state, &scope.actor(), &id).await?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/evidence/{evidence_id}/remove", tag = "evidence",
    summary = "Remove an evidence file, saying why (it stays recoverable until the retention for removed files passes)",
    params(PracticeParam, ("evidence_id" = String, Path, description = "The file's id")),
    request_body = EvidenceRemoveBody,
    responses((status = 200, body = EvidenceFileView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_remove(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<EvidenceRemoveBody>,
) -> Result<Json<EvidenceFileView>, HttpError> {
    let file = uc::remove(&state, &scope.actor(), &id, &body.removal_reason).await?;
    Ok(Json(file.into()))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/evidence/{evidence_id}/restore", tag = "evidence",
    summary = "Bring back a removed evidence file (the DPO)",
    params(PracticeParam, ("evidence_id" = String, Path, description = "The file's id")),
    responses((status = 200, body = EvidenceFileView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn api_restore(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<EvidenceFileView>, HttpError> {
    Ok(Json(uc::restore(&state, &scope.actor(), &id).await?.into()))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_incident_files, api_attach_to_incident, api_file, api_content, api_remove, api_restore),
    components(schemas(EvidenceFileView, EvidenceRemoveBody, custodian_domain::evidence::EvidenceKind))
)]
pub(crate) struct EvidenceApi;
