//! The provider's list of practices brought in from a spreadsheet: the same upload, check page
//! and decision as the registers' imports, at the provider's level; what is imported is a page
//! of first practice managers' one-time passwords, shown once.

use super::pages::{ColumnHelp, CheckPage, UploadPage, file_hint, read_upload};
use super::*;
use crate::kit::layout::PracticeAddress;
use crate::kit::session::{RequestMeta, SignedIn};
use custodian_app::practices::{PracticeCreated, check_practice_list, import_practices};
use custodian_domain::practice_import;
use custodian_domain::{ImportId, Permission};

const UPLOAD: &str = "/practices-import";
const REGISTER: &str = "practices";

pub(super) fn routes(r: &mut Routes) {
    use crate::kit::routes::Reach::SignedIn;
    let limit = || DefaultBodyLimit::max(UPLOAD_LIMIT);
    r.get(UPLOAD, SignedIn, upload_page)
        .post(UPLOAD, SignedIn, upload_submit.layer(limit()))
        .get("/practices-import/template", SignedIn, template)
        .get("/practices-import/{import_id}", SignedIn, check_page)
        .post("/practices-import/{import_id}", SignedIn, decide_submit)
        .post(
            "/api/v1/practices-import",
            SignedIn,
            api_import.layer(limit()),
        );
}

/// Only provider staff who may bring practices in (refusals are recorded).
async fn require(state: &AppState, user: &SignedIn, meta: &custodian_store::AuditMeta) -> Result<(), HttpError> {
    Ok(state
        .require_access(
            &user.provider_access(),
            meta,
            None,
            Permission::ProviderManage,
            "practice.import",
        )
        .await?)
}

fn columns() -> Vec<ColumnHelp> {
    practice_import::CSV_COLUMNS
        .iter()
        .map(|c| ColumnHelp {
            name: c,
            required: practice_import::REQUIRED_COLUMNS.contains(c),
            values: match *c {
                "name" => "the practice's name",
                "ods_code" => "a letter followed by 5 digits, like A81001; unique",
                "manager_name" => "the first practice manager's full name",
                "manager_email" => "their email address (their notices go there); unique",
                "manager_phone" => "to read them their one-time password",
                "manager_username" => "when empty, one is made from their name, like r.ahmed",
                _ => "",
            }
            .into(),
        })
        .collect()
}

fn upload_form(user: &SignedIn, provider: String, errors: Errors) -> Response {
    render_with(
        errors.status(),
        &UploadPage {
            layout: Layout::new(user, None, "/practices"),
            place: provider,
            errors,
            columns: columns(),
            file_hint: file_hint(),
            heading: "Import practices from a spreadsheet".into(),
            intro: "Upload a CSV file of the practices to bring in, one row for each practice with its first practice manager.".into(),
            not_twice: "A practice whose ODS code is already here is reported, not added twice.",
            action: UPLOAD.into(),
            back: "/practices".into(),
            back_label: "Back to the practices",
            export: None,
        },
    )
}

async fn upload_page(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    require(&state, &user, &meta).await?;
    Ok(upload_form(&user, custodian_app::practices::provider_name(&state).await?, Errors::none()))
}

async fn template(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    require(&state, &user, &meta).await?;
    Ok(crate::kit::csv::csv_response(
        "custodian-practices-template.csv",
        crate::kit::csv::csv_line(practice_import::CSV_COLUMNS),
    ))
}

async fn upload_submit(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    form: Multipart,
) -> Result<Response, HttpError> {
    require(&state, &user, &meta).await?;
    let provider = custodian_app::practices::provider_name(&state).await?;
    let (name, bytes) = match read_upload(form).await {
        Ok(u) => u,
        Err(e) => {
            return Ok(crate::kit::error::close_connection(upload_form(
                &user, provider, e,
            )));
        }
    };
    let plan = match check_practice_list(&state, &user.provider_access(), &meta, &bytes).await {
        Ok(p) => p,
        Err(AppError::Invalid(i)) => return Ok(upload_form(&user, provider, i.into())),
        Err(e) => return Err(e.into()),
    };
    let staged = state
        .store
        .stage_import(
            None,
            REGISTER,
            &name,
            &bytes,
            serde_json::json!({ "rows": plan.rows, "valid": plan.valid.len(), "rows_with_problems": plan.invalid_rows() }),
            &meta,
        )
        .await?;
    Ok(Redirect::to(&format!("{UPLOAD}/{}", staged.id)).into_response())
}

async fn load(state: &AppState, id: &str) -> Result<RegisterImport, HttpError> {
    let id: ImportId = custodian_app::parse_id(id)?;
    state
        .store
        .register_import(None, id)
        .await?
        .filter(|i| i.register == REGISTER)
        .ok_or(AppError::NotFound.into())
}

async fn check_form(
    state: &AppState,
    user: &SignedIn,
    meta: &custodian_store::AuditMeta,
    import: RegisterImport,
    errors: Errors,
) -> Result<Response, HttpError> {
    let plan = match &import.content {
        Some(bytes) => match check_practice_list(state, &user.provider_access(), meta, bytes).await {
            Ok(p) => p,
            Err(AppError::Invalid(i)) => {
                return Ok(upload_form(user, custodian_app::practices::provider_name(state).await?, i.into()));
            }
            Err(e) => return Err(e.into()),
        },
        None => ImportPlan::default(),
    };
    let preview = plan
        .valid
        .iter()
        .take(20)
        .map(|(row, (p, m))| {
            vec![
                row.to_string(),
                p.name.clone(),
                p.ods_code.clone(),
                m.full_name.clone(),
                m.email.clone(),
                m.username.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let problems: &[RowError] = &plan.errors;
    Ok(render_with(
        errors.status(),
        &CheckPage {
            layout: Layout::new(user, None, "/practices"),
            place: custodian_app::practices::provider_name(state).await?,
            back: "/practices".into(),
            back_label: "Back to the practices",
            done_label: "Go to the practices",
            upload: UPLOAD.into(),
            errors,
            uploaded_at: custodian_domain::time::show_datetime(import.created_at),
            completed_at: import
                .completed_at
                .map(custodian_domain::time::show_datetime)
                .unwrap_or_default(),
            rows: plan.rows,
            valid: plan.valid.len(),
            invalid_rows: plan.invalid_rows(),
            more_problems: problems.len().saturating_sub(ERRORS_SHOWN),
            problems: problems.iter().take(ERRORS_SHOWN).cloned().collect(),
            more_valid: plan.valid.len().saturating_sub(20),
            preview_head: vec!["Row", "Practice", "ODS code", "Practice manager", "Email", "Username"],
            preview,
            item: "practice",
            import,
        },
    ))
}

async fn check_page(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, HttpError> {
    require(&state, &user, &meta).await?;
    let import = load(&state, &id).await?;
    check_form(&state, &user, &meta, import, Errors::none()).await
}

/// One practice added, as the page of one-time passwords lists it.
struct Added {
    home: String,
    name: String,
    ods_code: String,
    manager: String,
    username: String,
    phone: String,
    otp: String,
}

#[derive(Template)]
#[template(path = "imports/practices_imported.html")]
struct ImportedPage {
    layout: Layout,
    heading: String,
    expires: String,
    added: Vec<Added>,
}

fn imported_page(user: &SignedIn, created: Vec<PracticeCreated>) -> Response {
    let expires = created
        .first()
        .map(|c| custodian_domain::time::show_datetime(c.expires_at))
        .unwrap_or_default();
    render_with(
        StatusCode::OK,
        &ImportedPage {
            layout: Layout::new(user, None, "/practices"),
            heading: custodian_domain::validation::counted(
                created.len(),
                "practice added",
                "practices added",
            ),
            expires,
            added: created
                .into_iter()
                .map(|c| Added {
                    home: c.practice.home(),
                    name: c.practice.name,
                    ods_code: c.practice.ods_code,
                    manager: c.manager.person.full_name,
                    username: c.manager.person.username,
                    phone: c.manager.person.phone.unwrap_or_default(),
                    otp: c.one_time_password,
                })
                .collect(),
        },
    )
}

async fn decide_submit(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(d): Form<Decision>,
) -> Result<Response, HttpError> {
    require(&state, &user, &meta).await?;
    let import = load(&state, &id).await?;
    let back = format!("{UPLOAD}/{}", import.id);
    if import.status != custodian_domain::csv_import::ImportStatus::Pending {
        let e = Errors::one("decision", "This file has already been imported or discarded");
        return check_form(&state, &user, &meta, import, e).await;
    }
    let mode = match d.decision.as_str() {
        "discard" => {
            state.store.discard_import(None, import.id, &meta).await?;
            return Ok(Redirect::to(&back).into_response());
        }
        "all" => ImportMode::All,
        "valid_rows" => ImportMode::ValidRows,
        _ => {
            let e = Errors::one("decision", "Choose how to import the file");
            return check_form(&state, &user, &meta, import, e).await;
        }
    };
    let bytes = import.content.clone().unwrap_or_default();
    let access = user.provider_access();
    let plan = check_practice_list(&state, &access, &meta, &bytes).await?;
    if d.valid.is_some_and(|n| n != plan.valid.len()) {
        let e = Errors::one(
            "decision",
            "The practices or their managers changed since this file was checked, so nothing was imported: check the rows below again",
        );
        return check_form(&state, &user, &meta, import, e).await;
    }
    match crate::kit::forms::submitted(
        import_practices(&state, &access, &meta, Some(import.id), &plan, mode).await,
    )? {
        Ok(created) => Ok(imported_page(&user, created)),
        Err(errors) => check_form(&state, &user, &meta, import, errors).await,
    }
}

/// What an import of practices found and did, with each practice added and its first
/// manager's one-time password.
#[derive(Serialize, ToSchema)]
pub struct PracticesImportReport {
    #[serde(flatten)]
    pub report: ImportReport,
    /// The practices added (empty on a dry run), each with its manager's one-time password,
    /// shown only now.
    pub practices: Vec<crate::openapi::PracticeAdded>,
}

#[utoipa::path(post, path = "/api/v1/practices-import", tag = "practices",
    summary = "Bring practices in from a CSV file, each with its first practice manager",
    description = "Provider administrators only. The body is the CSV file (UTF-8; columns name, ods_code, manager_name, \
        manager_email, manager_phone, manager_username, as the template on the import page). Every ODS code, username and email \
        must be new, in the file and across the provider. With mode=all nothing is written unless every row is valid (422 with the \
        rows' problems otherwise); with mode=valid_rows the valid rows are written and the others reported. dry_run=true checks only. \
        The answer lists each practice added with its manager's one-time password, shown only now.",
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = PracticesImportReport, description = "Written"),
        (status = 200, body = PracticesImportReport, description = "Dry run"),
        (status = 422, body = Problem, description = "The file, or (mode=all) a row, is not right; nothing written"),
        (status = 403, body = Problem)))]
async fn api_import(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Query(q): Query<ImportQuery>,
    body: Body,
) -> Result<Response, HttpError> {
    require(&state, &user, &meta).await?;
    let bytes = match read_api_body(body).await {
        Ok(b) => b,
        Err(res) => return Ok(res),
    };
    let access = user.provider_access();
    let plan = check_practice_list(&state, &access, &meta, &bytes).await?;
    let report = |written: usize| ImportReport::of(plan.rows, plan.valid.len(), plan.invalid_rows(), written, &plan.errors);
    if q.dry_run {
        return Ok(Json(PracticesImportReport { report: report(0), practices: vec![] }).into_response());
    }
    let mode = q.mode.unwrap_or(ImportMode::All);
    match import_practices(&state, &access, &meta, None, &plan, mode).await {
        Ok(created) => Ok((
            StatusCode::CREATED,
            Json(PracticesImportReport {
                report: report(created.len()),
                practices: created.into_iter().map(crate::openapi::PracticeAdded::from).collect(),
            }),
        )
            .into_response()),
        Err(AppError::Invalid(i)) => Err(with_row_problems(i, &plan.errors).into()),
        Err(e) => Err(e.into()),
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(api_import), components(schemas(PracticesImportReport)))]
pub struct PracticesImportApi;
