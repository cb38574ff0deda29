//! Importing a spreadsheet register (the asset register or the risk register): upload, check
//! every row, then the uploader chooses to write every row (only when all are valid) or only
//! the valid ones, or to discard the file. The API does the same in one call.

use askama::Template;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::csv_import::{ImportPlan, MAX_IMPORT_BYTES, RowError};
use custodian_domain::{Invalid, PersonId, assets, risks};
use custodian_store::RegisterImport;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::PracticeScope;
use crate::error::Problem;
use crate::forms::Errors;
use crate::pages::{Layout, render_with};
use crate::routes::{Reach, Routes};
use crate::{AppError, AppState, HttpError};
use custodian_app::imports::{Checked, ImportMode, Register, check_file, write};

/// The most of an upload read: a file up to four times the largest import is read to its end
/// (and refused), so the browser finishes sending and shows the refusal; beyond that the
/// connection is cut. Plus room for the multipart framing.
const UPLOAD_LIMIT: usize = 4 * MAX_IMPORT_BYTES + 64 * 1024;
/// Problems listed on the page and in the API answer; the count says how many more there are.
const ERRORS_SHOWN: usize = 1000;

/// Where a register's export lives, beside its import.
fn export_path(register: Register) -> &'static str {
    match register {
        Register::Assets => "assets-export",
        Register::Risks => "risks-export",
    }
}

macro_rules! register_routes {
    ($r:expr, $reg:expr, $base:literal) => {{
        use Reach::Practice as P;
        let limit = || DefaultBodyLimit::max(UPLOAD_LIMIT);
        $r.get(
            concat!("/practices/{practice_id}/", $base),
            P,
            |s: State<AppState>, scope: PracticeScope| upload_page(s, scope, $reg),
        )
        .post(
            concat!("/practices/{practice_id}/", $base),
            P,
            (|s: State<AppState>, scope: PracticeScope, form: Multipart| {
                upload_submit(s, scope, form, $reg)
            })
            .layer(limit()),
        )
        .get(
            concat!("/practices/{practice_id}/", $base, "/template"),
            P,
            |scope: PracticeScope| template(scope, $reg),
        )
        .get(
            concat!("/practices/{practice_id}/", $base, "/{import_id}"),
            P,
            |s: State<AppState>, scope: PracticeScope, p: Path<(String, String)>| {
                check_page(s, scope, p, $reg)
            },
        )
        .post(
            concat!("/practices/{practice_id}/", $base, "/{import_id}"),
            P,
            |s: State<AppState>,
             scope: PracticeScope,
             p: Path<(String, String)>,
             f: Form<Decision>| decide_submit(s, scope, p, f, $reg),
        )
        .post(
            concat!("/api/v1/practices/{practice_id}/", $base),
            P,
            (|s: State<AppState>, scope: PracticeScope, q: Query<ImportQuery>, body: Body| {
                api_import(s, scope, q, body, $reg)
            })
            .layer(limit()),
        );
    }};
}

pub fn routes(r: &mut Routes) {
    register_routes!(r, Register::Assets, "assets-import");
    register_routes!(r, Register::Risks, "risks-import");
}

async fn load(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    register: Register,
) -> Result<RegisterImport, HttpError> {
    let id = uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    state
        .store
        .register_import(scope.id(), id)
        .await?
        .filter(|i| i.register == register.key())
        .ok_or(AppError::NotFound.into())
}

// ---- pages -----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "register_import.html")]
struct UploadPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    columns: Vec<ColumnHelp>,
    file_hint: String,
    heading: String,
    base: &'static str,
    list: &'static str,
    export: &'static str,
    item: &'static str,
}

struct ColumnHelp {
    name: &'static str,
    required: bool,
    values: String,
}

fn values(list: &[(&str, &str)]) -> String {
    list.iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(", ")
}

fn column_help(register: Register) -> Vec<ColumnHelp> {
    register
        .columns()
        .iter()
        .map(|c| ColumnHelp {
            name: c,
            required: register.required().contains(c),
            values: match (register, *c) {
                (Register::Assets, "asset_type") => values(assets::ASSET_TYPES),
                (Register::Assets, "format") => values(assets::FORMATS),
                (Register::Assets, "hosting") => values(assets::HOSTING),
                (Register::Assets, "supplier_dspt_status") => values(assets::SUPPLIER_DSPT),
                (Register::Assets, "volume_band") => values(assets::VOLUME_BANDS),
                (Register::Assets, "status") => values(assets::STATUSES),
                (Register::Assets, "iao_username") => {
                    "the username of a member of staff with the IAO role".into()
                }
                (Register::Assets, "iaa_username") => "the username of a member of staff".into(),
                (Register::Assets, "special_category") => "yes or no".into(),
                (Register::Assets, "confidentiality" | "integrity" | "availability") => {
                    "1 (low) to 5 (high), with a reason in the next column".into()
                }
                (_, "retain_until" | "retired_on" | "last_reviewed_on" | "raised_on") => {
                    "a date, like 2026-11-01".into()
                }
                (Register::Assets, "review_interval_months") => "1 to 60; 12 when empty".into(),
                (Register::Assets, "system") => {
                    "the name of one of the practice's systems that staff get logins to, when the asset is one".into()
                }
                (Register::Risks, "category") => values(risks::CATEGORIES),
                (Register::Risks, "treatment") => values(risks::TREATMENTS),
                (Register::Risks, "status") => "open, treating or closed (accept a risk in Custodian)".into(),
                (Register::Risks, "confidentiality" | "integrity" | "availability") => {
                    "yes or no, with how in the next column".into()
                }
                (Register::Risks, "assets") => {
                    "names of assets in the register, separated by semicolons".into()
                }
                (Register::Risks, "owner_username") => {
                    "a member of staff; when empty, the IAO of the first asset".into()
                }
                (Register::Risks, c) if c.ends_with("_likelihood") || c.ends_with("_impact") => {
                    "a level of the practice's matrix, from 1".into()
                }
                (Register::Risks, "review_interval_months") => "1 to 24; 3 when empty".into(),
                (Register::Risks, "reference" | "inherent_score" | "residual_score" | "band" | "next_review_on") => {
                    "written by the download; ignored when imported".into()
                }
                _ => String::new(),
            },
        })
        .collect()
}

fn upload_form(scope: &PracticeScope, errors: Errors, register: Register) -> Response {
    let status = errors.status();
    let (base, list, heading) = match register {
        Register::Assets => (
            "assets-import",
            "assets",
            "Import assets from a spreadsheet",
        ),
        Register::Risks => ("risks-import", "risks", "Import risks from a spreadsheet"),
    };
    render_with(
        status,
        &UploadPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/{list}", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            columns: column_help(register),
            file_hint: format!(
                "Save the spreadsheet as \u{201c}CSV UTF-8 (Comma delimited)\u{201d}. Up to {} MB.",
                MAX_IMPORT_BYTES / (1024 * 1024)
            ),
            heading: heading.into(),
            base,
            list,
            export: export_path(register),
            item: register.item(),
        },
    )
}

async fn upload_page(
    State(_): State<AppState>,
    scope: PracticeScope,
    register: Register,
) -> Result<Response, HttpError> {
    scope
        .require(register.manage(), &format!("{}.import", register.item()))
        .await?;
    Ok(upload_form(&scope, Errors::none(), register))
}

async fn template(scope: PracticeScope, register: Register) -> Result<Response, HttpError> {
    scope
        .require(register.manage(), &format!("{}.import", register.item()))
        .await?;
    Ok(crate::report::csv_response(
        &format!("custodian-{}-register-template.csv", register.item()),
        crate::report::csv_line(register.columns()),
    ))
}

/// Reads the uploaded file out of the form, naming what is wrong with the upload itself.
async fn read_upload(mut form: Multipart) -> Result<(String, Bytes), Errors> {
    let too_big = || {
        Errors::one(
            "file",
            format!(
                "The file is larger than {} MB, the largest Custodian imports. Split the register into smaller files",
                MAX_IMPORT_BYTES / (1024 * 1024)
            ),
        )
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Err(Errors::one("file", "Choose a CSV file to upload")),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
            Err(e) => {
                return Err(Errors::one(
                    "file",
                    format!("The upload could not be read: {}", e.body_text()),
                ));
            }
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("").trim().to_string();
        let mut field = field;
        let mut kept = Vec::new();
        let mut size = 0usize;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    size += chunk.len();
                    if size <= MAX_IMPORT_BYTES {
                        kept.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
                Err(e) => {
                    return Err(Errors::one(
                        "file",
                        format!("The upload could not be read: {}", e.body_text()),
                    ));
                }
            }
        }
        if size > MAX_IMPORT_BYTES {
            // Read what follows too, so the browser hears the refusal, not a broken connection.
            while let Ok(Some(mut rest)) = form.next_field().await {
                while let Ok(Some(_)) = rest.chunk().await {}
            }
            return Err(too_big());
        }
        let bytes = Bytes::from(kept);
        if name.is_empty() && bytes.is_empty() {
            return Err(Errors::one("file", "Choose a CSV file to upload"));
        }
        let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
        return Ok((
            if name.is_empty() {
                "upload.csv".into()
            } else {
                name
            },
            bytes,
        ));
    }
}

async fn upload_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    form: Multipart,
    register: Register,
) -> Result<Response, HttpError> {
    scope
        .require(register.manage(), &format!("{}.import", register.item()))
        .await?;
    let (name, bytes) = match read_upload(form).await {
        Ok(u) => u,
        // The rest of the body may be unread: the browser must not reuse this connection.
        Err(e) => {
            return Ok(crate::error::close_connection(upload_form(
                &scope, e, register,
            )));
        }
    };
    let checked =
        match check_file(&state, register, scope.id(), scope.user.person_id(), &bytes).await {
            Ok(p) => p,
            Err(AppError::Invalid(i)) => return Ok(upload_form(&scope, i.into(), register)),
            Err(e) => return Err(e.into()),
        };
    let staged = state
        .store
        .stage_import(
            scope.id(),
            register.key(),
            &name,
            &bytes,
            serde_json::json!({ "rows": checked.rows(), "valid": checked.valid(), "rows_with_problems": checked.invalid_rows() }),
            &scope.meta,
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/practices/{}/{}-import/{}",
        scope.id(),
        register.key(),
        staged.id
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "register_import_check.html")]
struct CheckPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    import: RegisterImport,
    uploaded_at: String,
    completed_at: String,
    rows: usize,
    valid: usize,
    invalid_rows: usize,
    problems: Vec<RowError>,
    more_problems: usize,
    preview_head: Vec<&'static str>,
    preview: Vec<Vec<String>>,
    more_valid: usize,
    list: &'static str,
    item: &'static str,
}

/// The first valid rows, as the check page shows them.
fn preview(
    checked: &Checked,
    staff: &[custodian_store::AccessOverview],
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let who = |p: Option<PersonId>| {
        p.and_then(|p| staff.iter().find(|s| s.person_id == p))
            .map(|s| s.full_name.clone())
            .unwrap_or_default()
    };
    let cia = |r: Option<u8>| {
        r.filter(|r| *r > 0)
            .map(|r| r.to_string())
            .unwrap_or_else(|| "–".into())
    };
    match checked {
        Checked::Assets(plan) => (
            vec!["Row", "Asset", "Type", "Owner (IAO)", "C / I / A"],
            plan.valid
                .iter()
                .take(20)
                .map(|(row, v)| {
                    vec![
                        row.to_string(),
                        v.input.name.clone(),
                        assets::type_label(&v.input.asset_type).to_string(),
                        who(v.input.iao_id),
                        format!(
                            "{} / {} / {}",
                            cia(v.input.confidentiality),
                            cia(v.input.integrity),
                            cia(v.input.availability)
                        ),
                    ]
                })
                .collect(),
        ),
        Checked::Risks(plan) => (
            vec!["Row", "Risk", "Owner", "Inherent", "Residual"],
            plan.valid
                .iter()
                .take(20)
                .map(|(row, v)| {
                    vec![
                        row.to_string(),
                        v.input.title.clone(),
                        who(v.input.owner_id),
                        v.inherent_score.to_string(),
                        v.residual_score.to_string(),
                    ]
                })
                .collect(),
        ),
    }
}

async fn check_form(
    state: &AppState,
    scope: &PracticeScope,
    import: RegisterImport,
    errors: Errors,
    register: Register,
) -> Result<Response, HttpError> {
    let checked = match &import.content {
        Some(bytes) => {
            match check_file(state, register, scope.id(), import.uploaded_by, bytes).await {
                Ok(p) => p,
                Err(AppError::Invalid(i)) => return Ok(upload_form(scope, i.into(), register)),
                Err(e) => return Err(e.into()),
            }
        }
        None => match register {
            Register::Assets => Checked::Assets(ImportPlan::default()),
            Register::Risks => Checked::Risks(ImportPlan::default()),
        },
    };
    let staff = state.store.access_overview(scope.id()).await?;
    let (preview_head, preview) = preview(&checked, &staff);
    let status = errors.status();
    Ok(render_with(
        status,
        &CheckPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/{}", scope.id(), register.key()),
            ),
            practice: scope.practice.clone(),
            errors,
            uploaded_at: custodian_domain::time::show_datetime(import.created_at),
            completed_at: import
                .completed_at
                .map(custodian_domain::time::show_datetime)
                .unwrap_or_default(),
            rows: checked.rows(),
            valid: checked.valid(),
            invalid_rows: checked.invalid_rows(),
            more_problems: checked.errors().len().saturating_sub(ERRORS_SHOWN),
            problems: checked
                .errors()
                .iter()
                .take(ERRORS_SHOWN)
                .cloned()
                .collect(),
            more_valid: checked.valid().saturating_sub(20),
            preview_head,
            preview,
            list: register.key(),
            item: register.item(),
            import,
        },
    ))
}

async fn check_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    register: Register,
) -> Result<Response, HttpError> {
    scope
        .require(register.manage(), &format!("{}.import", register.item()))
        .await?;
    let import = load(&state, &scope, &id, register).await?;
    check_form(&state, &scope, import, Errors::none(), register).await
}

#[derive(Deserialize)]
struct Decision {
    /// all, valid_rows or discard.
    #[serde(default)]
    decision: String,
    /// The number of valid rows the person saw; if the practice changed since, check again.
    #[serde(default)]
    valid: Option<usize>,
}

async fn decide_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Form(d): Form<Decision>,
    register: Register,
) -> Result<Response, HttpError> {
    scope
        .require(register.manage(), &format!("{}.import", register.item()))
        .await?;
    let import = load(&state, &scope, &id, register).await?;
    let back = format!(
        "/practices/{}/{}-import/{}",
        scope.id(),
        register.key(),
        import.id
    );
    if import.status != "pending" {
        let e = Errors::one(
            "decision",
            "This file has already been imported or discarded",
        );
        return check_form(&state, &scope, import, e, register).await;
    }
    let mode = match d.decision.as_str() {
        "discard" => {
            state
                .store
                .discard_import(scope.id(), import.id, &scope.meta)
                .await?;
            return Ok(Redirect::to(&back).into_response());
        }
        "all" => ImportMode::All,
        "valid_rows" => ImportMode::ValidRows,
        _ => {
            let e = Errors::one("decision", "Choose how to import the file");
            return check_form(&state, &scope, import, e, register).await;
        }
    };
    let bytes = import.content.clone().unwrap_or_default();
    let checked = check_file(&state, register, scope.id(), import.uploaded_by, &bytes).await?;
    if d.valid.is_some_and(|n| n != checked.valid()) {
        let e = Errors::one(
            "decision",
            "The register or the staff changed since this file was checked, so nothing was imported: check the rows below again",
        );
        return check_form(&state, &scope, import, e, register).await;
    }
    match write(
        &state,
        scope.id(),
        &scope.meta,
        Some(import.id),
        &checked,
        mode,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&back).into_response()),
        Err(AppError::Invalid(i)) => check_form(&state, &scope, import, i.into(), register).await,
        Err(e) => Err(e.into()),
    }
}

// ---- API -------------------------------------------------------------------------------------

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `all` (the default: every row or nothing) or `valid_rows`.
    #[serde(default)]
    mode: Option<ImportMode>,
    /// Check the file and report, writing nothing.
    #[serde(default)]
    dry_run: bool,
}

/// What an import found and did.
#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// Rows read, not counting the header and empty rows.
    pub rows: usize,
    pub valid_rows: usize,
    pub rows_with_problems: usize,
    /// Rows written (0 on a dry run or when nothing could be written).
    pub written: usize,
    /// The problems, each naming its row and column (at most 1,000 listed).
    pub errors: Vec<RowError>,
    pub errors_not_listed: usize,
}

fn report(checked: &Checked, written: usize) -> ImportReport {
    ImportReport {
        rows: checked.rows(),
        valid_rows: checked.valid(),
        rows_with_problems: checked.invalid_rows(),
        written,
        errors: checked
            .errors()
            .iter()
            .take(ERRORS_SHOWN)
            .cloned()
            .collect(),
        errors_not_listed: checked.errors().len().saturating_sub(ERRORS_SHOWN),
    }
}

/// Reads a request body of at most `limit` bytes. A larger one is refused, but read on (and
/// dropped) up to four times the limit, so the client finishes sending and hears the refusal
/// (a server that stops reading mid-upload makes many clients report a broken connection
/// instead). `Err(true)` when the body was read to its end, `Err(false)` when it was abandoned
/// (the connection must then close).
async fn read_capped(body: Body, limit: usize) -> Result<Bytes, bool> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return Err(false) };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len();
        if seen > limit * 4 {
            return Err(false);
        }
        if seen <= limit {
            kept.extend_from_slice(&data);
        }
    }
    if seen > limit {
        Err(true)
    } else {
        Ok(Bytes::from(kept))
    }
}

async fn api_import(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ImportQuery>,
    body: Body,
    register: Register,
) -> Result<Response, HttpError> {
    scope
        .require(register.manage(), &format!("{}.import", register.item()))
        .await?;
    let bytes = match read_capped(body, MAX_IMPORT_BYTES).await {
        Ok(b) => b,
        Err(drained) => {
            let error = AppError::from(Invalid::one(
                "file",
                format!(
                    "The file is larger than {} MB, the largest Custodian imports",
                    MAX_IMPORT_BYTES / (1024 * 1024)
                ),
            ));
            let res = HttpError(error).into_response();
            return Ok(if drained {
                res
            } else {
                crate::error::close_connection(res)
            });
        }
    };
    let checked = check_file(&state, register, scope.id(), scope.user.person_id(), &bytes).await?;
    if q.dry_run {
        return Ok(Json(report(&checked, 0)).into_response());
    }
    let mode = q.mode.unwrap_or(ImportMode::All);
    match write(&state, scope.id(), &scope.meta, None, &checked, mode).await {
        Ok(n) => Ok((StatusCode::CREATED, Json(report(&checked, n))).into_response()),
        Err(AppError::Invalid(i)) => {
            // The rows' problems, each as a field named by row and column.
            let mut errors = i.0;
            errors.extend(checked.errors().iter().take(ERRORS_SHOWN).map(|e| {
                custodian_domain::FieldError {
                    field: if e.column.is_empty() {
                        format!("row {}", e.row)
                    } else {
                        format!("row {}: {}", e.row, e.column)
                    },
                    message: e.message.clone(),
                }
            }));
            Err(Invalid(errors).into())
        }
        Err(e) => Err(e.into()),
    }
}

// The API routes are closures over the register; these document them.
#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/assets-import", tag = "assets",
    summary = "Import an asset register from CSV",
    description = "The body is the CSV file (UTF-8, header row of the register's columns, as the CSV export writes them). \
        With mode=all nothing is written unless every row is valid (422 with the rows' problems otherwise); with \
        mode=valid_rows the valid rows are written and the others reported. dry_run=true checks only. The data \
        protection lead, practice manager or IG consultant.",
    params(("practice_id" = String, Path, description = "The practice's id"), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportReport, description = "Written"), (status = 200, body = ImportReport, description = "Dry run"),
        (status = 422, body = Problem, description = "The file, or (mode=all) a row, is not right; nothing written"),
        (status = 403, body = Problem)))]
#[allow(dead_code)]
fn doc_assets_import() {}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risks-import", tag = "risks",
    summary = "Import a risk register from CSV",
    description = "The body is the CSV file with the columns the risk register's CSV download writes (its computed columns are ignored). \
        Scores are computed on the practice's matrix. mode and dry_run as for the asset register's import. The data protection lead, \
        practice manager, SIRO or IG consultant.",
    params(("practice_id" = String, Path, description = "The practice's id"), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportReport, description = "Written"), (status = 200, body = ImportReport, description = "Dry run"),
        (status = 422, body = Problem, description = "The file, or (mode=all) a row, is not right; nothing written"),
        (status = 403, body = Problem)))]
#[allow(dead_code)]
fn doc_risks_import() {}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(doc_assets_import, doc_risks_import),
    components(schemas(ImportReport, RowError, ImportMode))
)]
pub struct ImportsApi;
