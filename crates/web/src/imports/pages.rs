//! The import pages: upload, check, decide.

use super::*;

#[derive(Template)]
#[template(path = "imports/register_import.html")]
pub(crate) struct UploadPage {
    pub(crate) layout: Layout,
    /// The practice's name, or the provider's for its list of practices.
    pub(crate) place: String,
    pub(crate) errors: Errors,
    pub(crate) columns: Vec<ColumnHelp>,
    pub(crate) file_hint: String,
    pub(crate) heading: String,
    pub(crate) intro: String,
    /// What the import leaves out as already there.
    pub(crate) not_twice: &'static str,
    /// Where the file is posted (its template is beside it).
    pub(crate) action: String,
    pub(crate) back: String,
    pub(crate) back_label: &'static str,
    pub(crate) export: Option<String>,
}

/// The help under the upload form: a file hint for a file of up to `MAX_IMPORT_BYTES`.
pub(crate) fn file_hint() -> String {
    format!(
        "Save the spreadsheet as \u{201c}CSV UTF-8 (Comma delimited)\u{201d}. Up to {} MB.",
        MAX_IMPORT_BYTES / (1024 * 1024)
    )
}

pub(crate) struct ColumnHelp {
    pub(crate) name: &'static str,
    pub(crate) required: bool,
    pub(crate) values: String,
}

pub(crate) fn values(list: &[(&str, &str)]) -> String {
    list.iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn column_help(register: Register) -> Vec<ColumnHelp> {
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

pub(crate) fn upload_form(scope: &PracticeScope, errors: Errors, register: Register) -> Response {
    let status = errors.status();
    let list = register.key();
    render_with(
        status,
        &UploadPage {
            layout: scope.layout(&scope.path(&format!("/{list}"))),
            place: scope.practice.name.clone(),
            errors,
            columns: column_help(register),
            file_hint: file_hint(),
            heading: format!("Import {list} from a spreadsheet"),
            intro: format!(
                "Upload the practice's existing {} register as a CSV file.",
                register.item()
            ),
            not_twice: match register {
                Register::Assets => "Assets already in the register (by name) are not added twice.",
                Register::Risks => "Risks already in the register (by title) are not added twice.",
            },
            action: scope.path(&format!("/{list}-import")),
            back: scope.path(&format!("/{list}")),
            back_label: "Back to the register",
            export: Some(scope.path(&format!("/{}", export_path(register)))),
        },
    )
}

pub(crate) async fn upload_page(
    State(_): State<AppState>,
    scope: PracticeScope,
    register: Register,
) -> Result<Response, HttpError> {
    scope
        .require(register.manage(), &format!("{}.import", register.item()))
        .await?;
    Ok(upload_form(&scope, Errors::none(), register))
}

pub(crate) async fn template(
    scope: PracticeScope,
    register: Register,
) -> Result<Response, HttpError> {
    scope
        .require(register.manage(), &format!("{}.import", register.item()))
        .await?;
    Ok(crate::kit::csv::csv_response(
        &format!("custodian-{}-register-template.csv", register.item()),
        crate::kit::csv::csv_line(register.columns()),
    ))
}

/// Reads the uploaded file out of the form, naming what is wrong with the upload itself.
pub(crate) async fn read_upload(form: Multipart) -> Result<(String, Bytes), Errors> {
    use crate::kit::upload::{UploadError, read_file_field};
    let (name, bytes) = read_file_field(form, MAX_IMPORT_BYTES)
        .await
        .map_err(|e| match e {
            UploadError::TooBig(_) => Errors::one(
                "file",
                format!(
                    "The file is larger than {} MB, the largest Custodian imports. Split the register into smaller files",
                    MAX_IMPORT_BYTES / (1024 * 1024)
                ),
            ),
            UploadError::Missing => Errors::one("file", "Choose a CSV file to upload"),
            UploadError::Unreadable(why) => {
                Errors::one("file", format!("The upload could not be read: {why}"))
            }
        })?;
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    Ok((
        if name.is_empty() {
            "upload.csv".into()
        } else {
            name
        },
        bytes,
    ))
}

pub(crate) async fn upload_submit(
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
            return Ok(crate::kit::error::close_connection(upload_form(
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
            Some(scope.id()),
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
#[template(path = "imports/register_import_check.html")]
pub(crate) struct CheckPage {
    pub(crate) layout: Layout,
    /// The practice's name, or the provider's for its list of practices.
    pub(crate) place: String,
    pub(crate) back: String,
    pub(crate) back_label: &'static str,
    /// Where the next step goes once imported.
    pub(crate) done_label: &'static str,
    /// The upload page; a staged file's page is under it.
    pub(crate) upload: String,
    pub(crate) errors: Errors,
    pub(crate) import: RegisterImport,
    pub(crate) uploaded_at: String,
    pub(crate) completed_at: String,
    pub(crate) rows: usize,
    pub(crate) valid: usize,
    pub(crate) invalid_rows: usize,
    pub(crate) problems: Vec<RowError>,
    pub(crate) more_problems: usize,
    pub(crate) preview_head: Vec<&'static str>,
    pub(crate) preview: Vec<Vec<String>>,
    pub(crate) more_valid: usize,
    pub(crate) item: &'static str,
}

/// The first valid rows, as the check page shows them.
pub(crate) fn preview(
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
            first_rows(&plan.valid, |v| {
                vec![
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
            }),
        ),
        Checked::Risks(plan) => (
            vec!["Row", "Risk", "Owner", "Inherent", "Residual"],
            first_rows(&plan.valid, |v| {
                vec![
                    v.input.title.clone(),
                    who(v.input.owner_id),
                    v.inherent_score.to_string(),
                    v.residual_score.to_string(),
                ]
            }),
        ),
    }
}

/// The first 20 valid rows of a file, each led by its row number.
fn first_rows<T>(valid: &[(usize, T)], cells: impl Fn(&T) -> Vec<String>) -> Vec<Vec<String>> {
    valid
        .iter()
        .take(20)
        .map(|(row, v)| {
            let mut line = vec![row.to_string()];
            line.extend(cells(v));
            line
        })
        .collect()
}

pub(crate) async fn check_form(
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
            layout: scope.layout(&scope.path(&format!("/{}", register.key()))),
            place: scope.practice.name.clone(),
            back: scope.path(&format!("/{}", register.key())),
            back_label: "Back to the register",
            done_label: "Go to the register",
            upload: scope.path(&format!("/{}-import", register.key())),
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
            item: register.item(),
            import,
        },
    ))
}

pub(crate) async fn check_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    register: Register,
) -> Result<Response, HttpError> {
    scope
        .require(register.manage(), &format!("{}.import", register.item()))
        .await?;
    let import = load(&state, &scope, &id, register).await?;
    check_form(&state, &scope, import, Errors::none(), register).await
}

#[derive(Deserialize)]
pub(crate) struct Decision {
    /// all, valid_rows or discard.
    #[serde(default)]
    pub(crate) decision: String,
    /// The number of valid rows the person saw; if the practice changed since, check again.
    #[serde(default)]
    pub(crate) valid: Option<usize>,
}

pub(crate) async fn decide_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
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
    if import.status != custodian_domain::csv_import::ImportStatus::Pending {
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
                .discard_import(Some(scope.id()), import.id, &scope.meta)
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
