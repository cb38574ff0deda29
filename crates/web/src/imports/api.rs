//! Imports through the API.

use super::*;

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

pub(crate) fn report(checked: &Checked, written: usize) -> ImportReport {
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

pub(crate) async fn api_import(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ImportQuery>,
    body: Body,
    register: Register,
) -> Result<Response, HttpError> {
    scope
        .require(register.manage(), &format!("{}.import", register.item()))
        .await?;
    let bytes = match crate::kit::upload::read_capped(body, MAX_IMPORT_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            let drained = e == crate::kit::upload::UploadError::TooBig(true);
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
                crate::kit::error::close_connection(res)
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
    params(PracticeParam, ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportReport, description = "Written"), (status = 200, body = ImportReport, description = "Dry run"),
        (status = 422, body = Problem, description = "The file, or (mode=all) a row, is not right; nothing written"),
        (status = 403, body = Problem)))]
#[allow(dead_code)]
pub(crate) fn doc_assets_import() {}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risks-import", tag = "risks",
    summary = "Import a risk register from CSV",
    description = "The body is the CSV file with the columns the risk register's CSV download writes (its computed columns are ignored). \
        Scores are computed on the practice's matrix. mode and dry_run as for the asset register's import. The data protection lead, \
        practice manager, SIRO or IG consultant.",
    params(PracticeParam, ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportReport, description = "Written"), (status = 200, body = ImportReport, description = "Dry run"),
        (status = 422, body = Problem, description = "The file, or (mode=all) a row, is not right; nothing written"),
        (status = 403, body = Problem)))]
#[allow(dead_code)]
pub(crate) fn doc_risks_import() {}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(doc_assets_import, doc_risks_import),
    components(schemas(ImportReport, RowError, ImportMode))
)]
pub struct ImportsApi;
