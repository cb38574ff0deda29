//! Importing a spreadsheet register: upload, check every row, then the uploader chooses to
//! write every row (only when all are valid) or only the valid ones, or to discard the file.
//! The API does the same in one call.

use askama::Template;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::asset_import::{
    self, CSV_COLUMNS, ImportContext, ImportPlan, MAX_IMPORT_BYTES, Member, RowError,
};
use custodian_domain::{Invalid, Permission, PracticeId, PracticeRole, assets};
use custodian_store::{AuditMeta, RegisterImport};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::PracticeScope;
use crate::error::Problem;
use crate::forms::Errors;
use crate::pages::{Layout, render_with};
use crate::routes::{Reach, Routes};
use crate::{AppError, AppState};

/// Room for the multipart framing around the largest file.
const UPLOAD_LIMIT: usize = MAX_IMPORT_BYTES + 64 * 1024;
/// Problems listed on the page and in the API answer; the count says how many more there are.
const ERRORS_SHOWN: usize = 1000;

pub fn routes(r: &mut Routes) {
    use Reach::Practice as P;
    let limit = || DefaultBodyLimit::max(UPLOAD_LIMIT);
    r.get("/practices/{practice_id}/assets-import", P, upload_page)
        .post(
            "/practices/{practice_id}/assets-import",
            P,
            upload_submit.layer(limit()),
        )
        .get(
            "/practices/{practice_id}/assets-import/template",
            P,
            template,
        )
        .get(
            "/practices/{practice_id}/assets-import/{import_id}",
            P,
            check_page,
        )
        .post(
            "/practices/{practice_id}/assets-import/{import_id}",
            P,
            decide_submit,
        )
        .post(
            "/api/v1/practices/{practice_id}/assets-import",
            P,
            api_import.layer(limit()),
        );
}

// ---- the rules, shared by pages and API ------------------------------------------------------

/// What the import needs to know about the practice: its staff by username and the names
/// already in its register.
async fn context(state: &AppState, practice: PracticeId) -> Result<ImportContext, AppError> {
    let staff = state.store.access_overview(practice).await?;
    let names = state.store.asset_choices(practice).await?;
    let systems = state.store.systems(practice).await?;
    Ok(ImportContext {
        members: staff
            .into_iter()
            .map(|s| {
                (
                    s.username.to_lowercase(),
                    Member {
                        id: s.person_id,
                        is_iao: s.roles.contains(&PracticeRole::InformationAssetOwner),
                    },
                )
            })
            .collect(),
        existing_names: names
            .iter()
            .map(|(_, n)| asset_import::name_key(n))
            .collect(),
        systems: systems
            .into_iter()
            .map(|s| (s.name.to_lowercase(), s.id))
            .collect(),
    })
}

/// Checks a register file against the practice as it is now.
pub async fn check_file(
    state: &AppState,
    practice: PracticeId,
    bytes: &[u8],
) -> Result<ImportPlan, AppError> {
    let ctx = context(state, practice).await?;
    let today = custodian_domain::identity::london_today(state.clock.now());
    Ok(asset_import::plan_import(bytes, &ctx, today)?)
}

/// How the uploader chose to write the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Every row or nothing: refused while any row has a problem.
    All,
    /// The valid rows; the others are reported and left out.
    ValidRows,
}

fn summary(plan: &ImportPlan, mode: ImportMode) -> serde_json::Value {
    serde_json::json!({
        "mode": mode,
        "rows": plan.rows,
        "written": plan.valid.len(),
        "rows_left_out": plan.invalid_rows(),
    })
}

/// Writes the plan as the uploader chose; nothing is written if the choice does not fit it.
/// The caller has checked that `by` may manage the register.
pub async fn write(
    state: &AppState,
    practice: PracticeId,
    by: &AuditMeta,
    import: Option<uuid::Uuid>,
    plan: &ImportPlan,
    mode: ImportMode,
) -> Result<usize, AppError> {
    let bad = plan.invalid_rows();
    if mode == ImportMode::All && bad > 0 {
        return Err(Invalid::one(
            "mode",
            format!(
                "{bad} of the {} rows have problems, so nothing was imported: correct them, or choose to import only the valid rows",
                plan.rows
            ),
        )
        .into());
    }
    if plan.valid.is_empty() {
        return Err(Invalid::one("mode", "No row is valid, so there is nothing to import").into());
    }
    let rows: Vec<assets::ValidAsset> = plan.valid.iter().map(|(_, v)| v.clone()).collect();
    Ok(state
        .store
        .import_assets(practice, import, &rows, summary(plan, mode), by)
        .await?)
}

async fn load(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
) -> Result<RegisterImport, AppError> {
    let id = uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    state
        .store
        .register_import(scope.id(), id)
        .await?
        .filter(|i| i.register == "assets")
        .ok_or(AppError::NotFound)
}

// ---- pages -----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "asset_import.html")]
struct UploadPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    columns: Vec<ColumnHelp>,
    file_hint: String,
}

struct ColumnHelp {
    name: &'static str,
    required: bool,
    values: String,
}

fn column_help() -> Vec<ColumnHelp> {
    let values = |list: &[(&str, &str)]| {
        list.iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join(", ")
    };
    CSV_COLUMNS
        .iter()
        .map(|c| ColumnHelp {
            name: c,
            required: asset_import::REQUIRED_COLUMNS.contains(c),
            values: match *c {
                "asset_type" => values(assets::ASSET_TYPES),
                "format" => values(assets::FORMATS),
                "hosting" => values(assets::HOSTING),
                "supplier_dspt_status" => values(assets::SUPPLIER_DSPT),
                "volume_band" => values(assets::VOLUME_BANDS),
                "status" => values(assets::STATUSES),
                "iao_username" => "the username of a member of staff with the IAO role".into(),
                "iaa_username" => "the username of a member of staff".into(),
                "special_category" => "yes or no".into(),
                "confidentiality" | "integrity" | "availability" => {
                    "1 (low) to 5 (high), with a reason in the next column".into()
                }
                "retain_until" | "retired_on" | "last_reviewed_on" => {
                    "a date, like 2026-11-01".into()
                }
                "review_interval_months" => "1 to 60; 12 when empty".into(),
                "system" => "the name of one of the practice's systems that staff get logins to, when the asset is one".into(),
                _ => String::new(),
            },
        })
        .collect()
}

async fn upload_form(scope: &PracticeScope, errors: Errors) -> Result<Response, AppError> {
    let status = errors.status();
    Ok(render_with(
        status,
        &UploadPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/assets", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            columns: column_help(),
            file_hint: format!(
                "Save the spreadsheet as \u{201c}CSV UTF-8 (Comma delimited)\u{201d}. Up to {} MB.",
                MAX_IMPORT_BYTES / (1024 * 1024)
            ),
        },
    ))
}

async fn upload_page(scope: PracticeScope) -> Result<Response, AppError> {
    scope
        .require(Permission::AssetsManage, "asset.import")
        .await?;
    upload_form(&scope, Errors::none()).await
}

async fn template(scope: PracticeScope) -> Result<Response, AppError> {
    scope
        .require(Permission::AssetsManage, "asset.import")
        .await?;
    Ok(crate::report::csv_response(
        "custodian-asset-register-template.csv",
        crate::report::csv_line(CSV_COLUMNS),
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
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
            Err(e) => {
                return Err(Errors::one(
                    "file",
                    format!("The upload could not be read: {}", e.body_text()),
                ));
            }
        };
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
) -> Result<Response, AppError> {
    scope
        .require(Permission::AssetsManage, "asset.import")
        .await?;
    let (name, bytes) = match read_upload(form).await {
        Ok(u) => u,
        Err(e) => return upload_form(&scope, e).await,
    };
    let plan = match check_file(&state, scope.id(), &bytes).await {
        Ok(p) => p,
        Err(AppError::Invalid(i)) => return upload_form(&scope, i.into()).await,
        Err(e) => return Err(e),
    };
    let staged = state
        .store
        .stage_import(
            scope.id(),
            "assets",
            &name,
            &bytes,
            serde_json::json!({ "rows": plan.rows, "valid": plan.valid.len(), "rows_with_problems": plan.invalid_rows() }),
            &scope.meta,
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/practices/{}/assets-import/{}",
        scope.id(),
        staged.id
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "asset_import_check.html")]
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
    preview: Vec<PreviewRow>,
    more_valid: usize,
}

struct PreviewRow {
    row: usize,
    name: String,
    kind: &'static str,
    iao: String,
    cia: String,
}

async fn check_form(
    state: &AppState,
    scope: &PracticeScope,
    import: RegisterImport,
    errors: Errors,
) -> Result<Response, AppError> {
    let plan = match &import.content {
        Some(bytes) => match check_file(state, scope.id(), bytes).await {
            Ok(p) => p,
            // The practice changed so much that the file no longer reads (cannot happen for
            // the header, which does not depend on the practice; kept for safety).
            Err(AppError::Invalid(i)) => {
                return upload_form(scope, i.into()).await;
            }
            Err(e) => return Err(e),
        },
        None => ImportPlan::default(),
    };
    let staff = state.store.access_overview(scope.id()).await?;
    let who = |p: Option<custodian_domain::PersonId>| {
        p.and_then(|p| staff.iter().find(|s| s.person_id == p))
            .map(|s| s.full_name.clone())
            .unwrap_or_default()
    };
    let cia = |r: Option<u8>| {
        r.filter(|r| *r > 0)
            .map(|r| r.to_string())
            .unwrap_or_else(|| "–".into())
    };
    let status = errors.status();
    Ok(render_with(
        status,
        &CheckPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/assets", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            uploaded_at: custodian_domain::time::show_datetime(import.created_at),
            completed_at: import
                .completed_at
                .map(custodian_domain::time::show_datetime)
                .unwrap_or_default(),
            rows: plan.rows,
            valid: plan.valid.len(),
            invalid_rows: plan.invalid_rows(),
            more_problems: plan.errors.len().saturating_sub(ERRORS_SHOWN),
            problems: plan.errors.iter().take(ERRORS_SHOWN).cloned().collect(),
            more_valid: plan.valid.len().saturating_sub(20),
            preview: plan
                .valid
                .iter()
                .take(20)
                .map(|(row, v)| PreviewRow {
                    row: *row,
                    name: v.input.name.clone(),
                    kind: assets::type_label(&v.input.asset_type),
                    iao: who(v.input.iao_id),
                    cia: format!(
                        "{} / {} / {}",
                        cia(v.input.confidentiality),
                        cia(v.input.integrity),
                        cia(v.input.availability)
                    ),
                })
                .collect(),
            import,
        },
    ))
}

async fn check_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    scope
        .require(Permission::AssetsManage, "asset.import")
        .await?;
    let import = load(&state, &scope, &id).await?;
    check_form(&state, &scope, import, Errors::none()).await
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
) -> Result<Response, AppError> {
    scope
        .require(Permission::AssetsManage, "asset.import")
        .await?;
    let import = load(&state, &scope, &id).await?;
    let back = format!("/practices/{}/assets-import/{}", scope.id(), import.id);
    if import.status != "pending" {
        let e = Errors::one(
            "decision",
            "This file has already been imported or discarded",
        );
        return check_form(&state, &scope, import, e).await;
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
            return check_form(&state, &scope, import, e).await;
        }
    };
    let bytes = import.content.clone().unwrap_or_default();
    let plan = check_file(&state, scope.id(), &bytes).await?;
    if d.valid.is_some_and(|n| n != plan.valid.len()) {
        let e = Errors::one(
            "decision",
            "The register or the staff changed since this file was checked, so nothing was imported: check the rows below again",
        );
        return check_form(&state, &scope, import, e).await;
    }
    match write(
        &state,
        scope.id(),
        &scope.meta,
        Some(import.id),
        &plan,
        mode,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&back).into_response()),
        Err(AppError::Invalid(i)) => check_form(&state, &scope, import, i.into()).await,
        Err(e) => Err(e),
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
    /// Assets written (0 on a dry run or when nothing could be written).
    pub written: usize,
    /// The problems, each naming its row and column (at most 1,000 listed).
    pub errors: Vec<RowError>,
    pub errors_not_listed: usize,
}

fn report(plan: &ImportPlan, written: usize) -> ImportReport {
    ImportReport {
        rows: plan.rows,
        valid_rows: plan.valid.len(),
        rows_with_problems: plan.invalid_rows(),
        written,
        errors: plan.errors.iter().take(ERRORS_SHOWN).cloned().collect(),
        errors_not_listed: plan.errors.len().saturating_sub(ERRORS_SHOWN),
    }
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/assets-import", tag = "assets",
    summary = "Import a register from CSV",
    description = "The body is the CSV file (UTF-8, header row of the register's columns, as the CSV export writes them). \
        With mode=all nothing is written unless every row is valid (422 with the rows' problems otherwise); with \
        mode=valid_rows the valid rows are written and the others reported. dry_run=true checks only. The data \
        protection lead, practice manager or IG consultant.",
    params(("practice_id" = String, Path, description = "The practice's id"), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportReport, description = "Written"), (status = 200, body = ImportReport, description = "Dry run"),
        (status = 422, body = Problem, description = "The file, or (mode=all) a row, is not right; nothing written"),
        (status = 403, body = Problem)))]
async fn api_import(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ImportQuery>,
    body: Body,
) -> Result<Response, AppError> {
    scope
        .require(Permission::AssetsManage, "asset.import")
        .await?;
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BYTES + 1)
        .await
        .map_err(|_| {
            Invalid::one(
                "file",
                format!(
                    "The file is larger than {} MB, the largest Custodian imports",
                    MAX_IMPORT_BYTES / (1024 * 1024)
                ),
            )
        })?;
    let plan = check_file(&state, scope.id(), &bytes).await?;
    if q.dry_run {
        return Ok(Json(report(&plan, 0)).into_response());
    }
    let mode = q.mode.unwrap_or(ImportMode::All);
    match write(&state, scope.id(), &scope.meta, None, &plan, mode).await {
        Ok(n) => Ok((StatusCode::CREATED, Json(report(&plan, n))).into_response()),
        Err(AppError::Invalid(i)) => {
            // The rows' problems, each as a field named by row and column.
            let mut errors = i.0;
            errors.extend(plan.errors.iter().take(ERRORS_SHOWN).map(|e| {
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
        Err(e) => Err(e),
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_import),
    components(schemas(ImportReport, RowError, ImportMode))
)]
pub struct AssetImportApi;
