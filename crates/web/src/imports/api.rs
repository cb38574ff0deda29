//! Imports through the API.

use super::*;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `all` (the default: every row or nothing) or `valid_rows`.
    #[serde(default)]
    pub(crate) mode: Option<ImportMode>,
    /// Check the file and report, writing nothing.
    #[serde(default)]
    pub(crate) dry_run: bool,
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

impl ImportReport {
    pub(crate) fn of(
        rows: usize,
        valid_rows: usize,
        rows_with_problems: usize,
        written: usize,
        errors: &[RowError],
    ) -> Self {
        ImportReport {
            rows,
            valid_rows,
            rows_with_problems,
            written,
            errors: errors.iter().take(ERRORS_SHOWN).cloned().collect(),
            errors_not_listed: errors.len().saturating_sub(ERRORS_SHOWN),
        }
    }
}

pub(crate) fn report(checked: &Checked, written: usize) -> ImportReport {
    ImportReport::of(
        checked.rows(),
        checked.valid(),
        checked.invalid_rows(),
        written,
        checked.errors(),
    )
}

/// The CSV file an API call sends as its body, or the answer refusing one that is too big.
pub(crate) async fn read_api_body(body: Body) -> Result<Bytes, Response> {
    crate::kit::upload::read_capped(body, MAX_IMPORT_BYTES)
        .await
        .map_err(|e| {
            let drained = e == crate::kit::upload::UploadError::TooBig(true);
            let error = AppError::from(Invalid::one(
                "file",
                format!(
                    "The file is larger than {} MB, the largest Custodian imports",
                    MAX_IMPORT_BYTES / (1024 * 1024)
                ),
            ));
            let res = HttpError(error).into_response();
            if drained {
                res
            } else {
                crate::kit::error::close_connection(res)
            }
        })
}

/// A refused write (mode=all with bad rows) with the rows' problems, each as a field named by
/// row and column.
pub(crate) fn with_row_problems(refusal: Invalid, problems: &[RowError]) -> Invalid {
    let mut errors = refusal.0;
    errors.extend(
        problems
            .iter()
            .take(ERRORS_SHOWN)
            .map(|e| custodian_domain::FieldError {
                field: if e.column.is_empty() {
                    format!("row {}", e.row)
                } else {
                    format!("row {}: {}", e.row, e.column)
                },
                message: e.message.clone(),
            }),
    );
    Invalid(errors)
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
    let bytes = match read_api_body(body).await {
        Ok(b) => b,
        Err(res) => return Ok(res),
    };
    let checked = check_file(&state, register, scope.id(), scope.user.person_id(), &bytes).await?;
    if q.dry_run {
        return Ok(Json(report(&checked, 0)).into_response());
    }
    let mode = q.mode.unwrap_or(ImportMode::All);
    match write(&state, scope.id(), &scope.meta, None, &checked, mode).await {
        Ok(n) => Ok((StatusCode::CREATED, Json(report(&checked, n))).into_response()),
        Err(AppError::Invalid(i)) => Err(with_row_problems(i, checked.errors()).into()),
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
