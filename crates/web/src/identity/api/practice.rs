//! The practice's User Authorisation Process through the API.

use super::*;

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/access", tag = "access", summary = "Who has access",
    description = "Every member of staff with roles, two-factor status, last sign-in, password age and open login tasks. Recorded in the audit trail.",
    params(PageQuery, PracticeParam), responses((status = 200, body = Paged<AccessOverview>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn access(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<AccessOverview>>, HttpError> {
    scope.require(Permission::PeopleView, "access.list").await?;
    let rows = state.store.access_overview(scope.id()).await?;
    let rows = Paged::of_list(rows, &page, |r| r.person_id.to_string())?;
    scope
        .record_list("access.list", "person", rows.items.len())
        .await?;
    Ok(Json(rows))
}

#[derive(Deserialize, Default)]
pub(crate) struct PendingQuery {
    #[serde(default)]
    pub(crate) pending: bool,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/requests", tag = "access", summary = "Starter and mover requests",
    params(PageQuery, PracticeParam, ("pending" = Option<bool>, Query, description = "Only those waiting for a decision")),
    responses((status = 200, body = Paged<AccessRequest>), (status = 403, body = Problem)))]
pub(crate) async fn list_requests(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<PendingQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<AccessRequest>>, HttpError> {
    if !scope.access.can(Permission::StarterRequest) {
        scope
            .require(Permission::StarterApprove, "starter.list")
            .await?;
    }
    let list = state.store.access_requests(scope.id(), q.pending).await?;
    let list = Paged::of_list(list, &page, |r| r.id.to_string())?;
    scope
        .record_list("access_request.list", "access_request", list.items.len())
        .await?;
    Ok(Json(list))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/requests", tag = "access", summary = "Request access for a new starter",
    params(PracticeParam), request_body = NewAccessRequest,
    responses((status = 201, body = AccessRequest), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn request_starter(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<NewAccessRequest>,
) -> Result<Response, HttpError> {
    let r = uap::request_access(&state, &scope.actor(), None, &body).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/people/{person_id}/move", tag = "access", summary = "Request a change of role (mover)",
    description = "The body's roles and systems are the person's new full set; systems no longer needed get removal tasks on approval.",
    params(PracticeParam, ("person_id" = String, Path, description = "The person's id")), request_body = NewAccessRequest,
    responses((status = 201, body = AccessRequest), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn request_mover(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
    Json(mut body): Json<NewAccessRequest>,
) -> Result<Response, HttpError> {
    let person: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    let m = state
        .store
        .member(scope.id(), person)
        .await?
        .filter(|m| m.left_at.is_none())
        .ok_or(AppError::NotFound)?;
    body.full_name = m.person.full_name.clone();
    body.username = m.person.username.clone();
    body.email = m.person.email.clone();
    let r = uap::request_access(&state, &scope.actor(), Some(person), &body).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/requests/{request_id}", tag = "access", summary = "One request",
    params(PracticeParam, ("request_id" = String, Path, description = "The request's id")),
    responses((status = 200, body = AccessRequest), (status = 404, body = Problem)))]
pub(crate) async fn get_request(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<AccessRequest>, HttpError> {
    let r = uap::view_request(&state, &scope.actor(), parse_id(&id)?).await?;
    Ok(Json(r))
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonBody {
    #[serde(default)]
    pub reason: String,
}

/// A rejection says why.
#[derive(Deserialize, ToSchema)]
pub struct RejectBody {
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Approved {
    pub request: AccessRequest,
    /// For a starter: the one-time password to give them verbally. Shown only now.
    pub one_time_password: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/requests/{request_id}/approve", tag = "access", summary = "Approve a request",
    description = "Practice manager or data protection lead; never your own request.",
    params(PracticeParam, ("request_id" = String, Path, description = "The request's id")), request_body = ReasonBody,
    responses((status = 200, body = Approved), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn approve(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<ReasonBody>,
) -> Result<Json<Approved>, HttpError> {
    let (request, one_time_password) =
        uap::approve_request(&state, &scope.actor(), parse_id(&id)?, &body.reason).await?;
    Ok(Json(Approved {
        request,
        one_time_password,
    }))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/requests/{request_id}/reject", tag = "access", summary = "Reject a request (with a reason)",
    params(PracticeParam, ("request_id" = String, Path, description = "The request's id")), request_body = RejectBody,
    responses((status = 200, body = AccessRequest), (status = 422, body = Problem)))]
pub(crate) async fn reject(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<RejectBody>,
) -> Result<Json<AccessRequest>, HttpError> {
    Ok(Json(
        uap::reject_request(&state, &scope.actor(), parse_id(&id)?, &body.reason).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswersBody {
    /// The caller's answers, in the order of their questions.
    pub answers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IdentityResult {
    pub passed: bool,
    /// When passed: the new one-time password, to read to the caller. Shown only now.
    pub one_time_password: Option<String>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When failed: attempts left before identity checks lock for this person.
    pub attempts_left: Option<i64>,
    pub locked: bool,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/people/{person_id}/verify-identity", tag = "access", summary = "Check a caller's security answers and reset their password",
    description = "All answers must match. On success every session of the person ends and a one-time password is returned. Three failures lock this for the person until a practice manager clears it. Not for your own account.",
    params(PracticeParam, ("person_id" = String, Path, description = "The person's id")), request_body = AnswersBody,
    responses((status = 200, body = IdentityResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn verify_identity(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
    Json(body): Json<AnswersBody>,
) -> Result<Json<IdentityResult>, HttpError> {
    let person: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(
        match uap::verify_identity(&state, &scope.actor(), person, &body.answers).await? {
            IdentityCheck::Passed {
                one_time_password,
                expires,
            } => IdentityResult {
                passed: true,
                one_time_password: Some(one_time_password),
                expires_at: Some(expires),
                attempts_left: None,
                locked: false,
            },
            IdentityCheck::Failed { remaining } => IdentityResult {
                passed: false,
                one_time_password: None,
                expires_at: None,
                attempts_left: Some(remaining),
                locked: false,
            },
            IdentityCheck::Locked => IdentityResult {
                passed: false,
                one_time_password: None,
                expires_at: None,
                attempts_left: Some(0),
                locked: true,
            },
            IdentityCheck::NoQuestions => {
                return Err(Invalid::one(
                    "person_id",
                    "This person has not set security questions yet",
                )
                .into());
            }
        },
    ))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/people/{person_id}/unlock", tag = "access", summary = "Unlock an account locked after failed sign-ins",
    params(PracticeParam, ("person_id" = String, Path, description = "The person's id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn unlock(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
) -> Result<StatusCode, HttpError> {
    let person: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    uap::unlock_account(&state, &scope.actor(), person).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/people/{person_id}/leaver", tag = "access", summary = "Record a leaver",
    description = "At the end of the exit date (Europe/London) the person's roles and permissions here are removed, removal tasks open for their logins elsewhere, and if they work nowhere else the account is deactivated. A past exit date takes effect at once.",
    params(PracticeParam, ("person_id" = String, Path, description = "The person's id")), request_body = NewLeaver,
    responses((status = 201, body = Leaver), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn record_leaver(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person): InPractice<String>,
    Json(body): Json<NewLeaver>,
) -> Result<Response, HttpError> {
    let person: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    let l = uap::record_leaver(&state, &scope.actor(), person, &body).await?;
    Ok((StatusCode::CREATED, Json(l)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/leavers", tag = "access", summary = "Leavers",
    params(PageQuery, PracticeParam), responses((status = 200, body = Paged<Leaver>)))]
pub(crate) async fn list_leavers(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<Leaver>>, HttpError> {
    scope.require(Permission::PeopleView, "leaver.list").await?;
    let list = state.store.leavers(scope.id()).await?;
    let list = Paged::of_list(list, &page, |r| r.id.to_string())?;
    scope
        .record_list("leaver.list", "person", list.items.len())
        .await?;
    Ok(Json(list))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/leavers/{leaver_id}/cancel", tag = "access", summary = "Cancel a leaver before the exit date",
    params(PracticeParam, ("leaver_id" = String, Path, description = "The leaver's id")),
    responses((status = 200, body = Leaver), (status = 422, body = Problem)))]
pub(crate) async fn cancel_leaver(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<Leaver>, HttpError> {
    scope
        .require(Permission::LeaverRecord, "leaver.cancel")
        .await?;
    Ok(Json(
        state
            .store
            .cancel_leaver(scope.id(), parse_id(&id)?, &scope.meta)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/tasks", tag = "access", summary = "Login tasks in other systems",
    params(PageQuery, PracticeParam), responses((status = 200, body = Paged<AccessGrant>)))]
pub(crate) async fn list_tasks(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<AccessGrant>>, HttpError> {
    scope
        .require(Permission::PeopleView, "access_grant.list")
        .await?;
    let list = state.store.access_grants(scope.id(), false).await?;
    let list = Paged::of_list(list, &page, |r| r.id.to_string())?;
    scope
        .record_list("access_grant.list", "access_grant", list.items.len())
        .await?;
    Ok(Json(list))
}

#[derive(Deserialize, ToSchema)]
pub struct NoteBody {
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/tasks/{grant_id}/done", tag = "access", summary = "Mark a login task done",
    params(PracticeParam, ("grant_id" = String, Path, description = "The task's id")), request_body = NoteBody,
    responses((status = 200, body = AccessGrant), (status = 422, body = Problem)))]
pub(crate) async fn task_done(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<NoteBody>,
) -> Result<Json<AccessGrant>, HttpError> {
    scope
        .require(Permission::AccessTasksManage, "access_grant.done")
        .await?;
    Ok(Json(
        state
            .store
            .complete_access_grant(scope.id(), parse_id(&id)?, &body.note, &scope.meta)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/systems", tag = "access", summary = "The practice's other systems",
    params(PageQuery, PracticeParam), responses((status = 200, body = Paged<PracticeSystem>)))]
pub(crate) async fn list_systems(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<PracticeSystem>>, HttpError> {
    Ok(Json(Paged::of_list(
        state.store.systems(scope.id()).await?,
        &page,
        |r| r.id.to_string(),
    )?))
}

#[derive(Deserialize, ToSchema)]
pub struct NameBody {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/systems", tag = "access", summary = "Add a system",
    params(PracticeParam), request_body = NameBody,
    responses((status = 201, body = PracticeSystem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn add_system(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<NameBody>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PracticeSettingsManage, "system.create")
        .await?;
    let s = state
        .store
        .add_system(scope.id(), &body.name, &scope.meta)
        .await?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/administrators", tag = "access", summary = "Nominated system administrators (DSPT 4.3.1)",
    params(PageQuery, PracticeParam), responses((status = 200, body = Paged<AdministratorNomination>)))]
pub(crate) async fn list_administrators(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<AdministratorNomination>>, HttpError> {
    if !scope.access.can(Permission::AuditView) {
        scope
            .require(Permission::PeopleView, "administrator.list")
            .await?;
    }
    let list = state.store.administrators(scope.id()).await?;
    let list = Paged::of_list(list, &page, |r| r.id.to_string())?;
    scope
        .record_list("administrator.list", "person", list.items.len())
        .await?;
    Ok(Json(list))
}

#[derive(Deserialize, ToSchema)]
pub struct NominateBody {
    pub person_id: PersonId,
    #[schema(min_length = 1)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/administrators", tag = "access", summary = "Nominate a system administrator",
    description = "Practice manager or SIRO, with a reason, within the practice's cap (2 by default).",
    params(PracticeParam), request_body = NominateBody,
    responses((status = 201, body = AdministratorNomination), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn nominate(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<NominateBody>,
) -> Result<Response, HttpError> {
    let n =
        uap::nominate_administrator(&state, &scope.actor(), body.person_id, &body.reason).await?;
    Ok((StatusCode::CREATED, Json(n)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/settings", tag = "access", summary = "The practice's identity settings",
    params(PracticeParam), responses((status = 200, body = PracticeSettings)))]
pub(crate) async fn get_settings(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<PracticeSettings>, HttpError> {
    scope
        .require(Permission::PeopleView, "settings.view")
        .await?;
    Ok(Json(state.store.settings(scope.id()).await?))
}

#[utoipa::path(put, path = "/api/v1/practices/{practice_id}/settings", tag = "access", summary = "Change the practice's settings",
    description = "Switching off periodic password change needs a reason (the NCSC and NIST advise against forced periodic change; the practices' policy asks for it).",
    params(PracticeParam), request_body = PracticeSettings,
    responses((status = 200, body = PracticeSettings), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn put_settings(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<PracticeSettings>,
) -> Result<Json<PracticeSettings>, HttpError> {
    scope
        .require(Permission::PracticeSettingsManage, "settings.update")
        .await?;
    body.validate()?;
    custodian_app::risks::check_matrix_change(&state, scope.id(), &body).await?;
    state
        .store
        .set_settings(scope.id(), &body, &scope.meta)
        .await?;
    Ok(Json(body))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        sign_in,
        sign_out,
        session_mfa,
        change_password,
        set_questions,
        mfa_start,
        mfa_confirm,
        list_tokens,
        create_token,
        revoke_token,
        access,
        list_requests,
        request_starter,
        request_mover,
        get_request,
        approve,
        reject,
        verify_identity,
        unlock,
        record_leaver,
        list_leavers,
        cancel_leaver,
        list_tasks,
        task_done,
        list_systems,
        add_system,
        list_administrators,
        nominate,
        get_settings,
        put_settings
    ),
    components(schemas(
        SignInBody,
        SessionOut,
        MfaBody,
        PasswordBody,
        QuestionAnswer,
        QuestionsBody,
        MfaStart,
        MfaConfirmBody,
        MfaConfirmed,
        TokenBody,
        TokenCreated,
        ReasonBody,
        Approved,
        AnswersBody,
        IdentityResult,
        NoteBody,
        NameBody,
        NominateBody,
        ApiToken,
        AccessOverview,
        AccessRequest,
        AccessGrant,
        Leaver,
        PracticeSystem,
        AdministratorNomination,
        PracticeSettings,
        NewAccessRequest,
        NewLeaver
    ))
)]
pub struct IdentityApi;
