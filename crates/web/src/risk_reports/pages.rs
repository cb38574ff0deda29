//! The quarterly reports' pages: the list, a report, its minutes and sign-off.

use super::*;
use crate::kit::layout::PracticeAddress;
use custodian_domain::risk_report::ReportStatus;

pub(crate) struct ReportRow {
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) status: String,
    pub(crate) created: String,
}

#[derive(Template)]
#[template(path = "risk_reports/risk_reports.html")]
pub(crate) struct ListPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) errors: Errors,
    pub(crate) reports: Vec<ReportRow>,
    pub(crate) quarters: Vec<(String, String)>,
    pub(crate) can_generate: bool,
}

pub(crate) async fn list_form(
    state: &AppState,
    scope: &PracticeScope,
    errors: Errors,
) -> Result<Response, HttpError> {
    let fm = rr::first_month(state, &scope.actor()).await?;
    let reports = state
        .store
        .risk_reports(scope.id())
        .await?
        .into_iter()
        .map(|r| ReportRow {
            label: Quarter::parse(&r.quarter, fm)
                .map(|q| q.label())
                .unwrap_or_else(|| r.quarter.clone()),
            key: r.quarter.clone(),
            status: if r.status == ReportStatus::Signed {
                format!(
                    "Signed off by {} on {}",
                    r.signed_by_name.clone().unwrap_or_default(),
                    r.signed_at.map(show_datetime).unwrap_or_default()
                )
            } else {
                "Draft: waiting for the practice meeting and the SIRO".into()
            },
            created: format!("{} by {}", show_datetime(r.created_at), r.created_by),
        })
        .collect();
    let mut q = Quarter::containing(state.today(), fm);
    let mut quarters = Vec::new();
    for _ in 0..6 {
        quarters.push((q.key(), q.label()));
        q = q.previous();
    }
    let status = errors.status();
    Ok(render_with(
        status,
        &ListPage {
            layout: scope.layout(&scope.path("/risks")),
            practice: scope.practice.clone(),
            errors,
            reports,
            quarters,
            can_generate: scope.access.can(Permission::RisksManage),
        },
    ))
}

pub(crate) async fn list_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::RisksView, "risk_report.list")
        .await?;
    list_form(&state, &scope, Errors::none()).await
}

#[derive(Deserialize, ToSchema)]
pub struct GenerateInput {
    /// The quarter, like `2026-Q3`.
    #[serde(default)]
    #[schema(required = true, pattern = "^(19|20|21)[0-9]{2}-Q[1-4]$")]
    pub quarter: String,
}

pub(crate) async fn generate_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(input): Form<GenerateInput>,
) -> Result<Response, HttpError> {
    match submitted(rr::generate(&state, &scope.actor(), &input.quarter).await)? {
        Ok(r) => Ok(Redirect::to(&format!(
            "/practices/{}/risk-reports/{}",
            scope.id(),
            r.quarter
        ))
        .into_response()),
        Err(errors) => list_form(&state, &scope, errors).await,
    }
}

#[derive(Template)]
#[template(path = "risk_reports/risk_report.html")]
pub(crate) struct ReportPage {
    pub(crate) layout: Layout,
    pub(crate) practice: Practice,
    pub(crate) errors: Errors,
    pub(crate) record: RiskReport,
    pub(crate) status_line: String,
    pub(crate) r: QuarterlyReport,
    pub(crate) minutes: String,
    pub(crate) decisions: String,
    pub(crate) heat_map: String,
    pub(crate) previous_heat_map: Option<String>,
    pub(crate) bands: Vec<(Band, String, usize, String, String)>,
    pub(crate) generated: String,
    pub(crate) period: String,
    pub(crate) as_at: String,
    pub(crate) matrix_name: &'static str,
    pub(crate) can_minute: bool,
    pub(crate) can_sign: bool,
    pub(crate) in_progress: bool,
    pub(crate) sections: Vec<(&'static str, Vec<risk_report::RiskLine>)>,
    pub(crate) overdue_actions: Vec<(String, String, String, String)>,
}

pub(crate) async fn report_form(
    state: &AppState,
    scope: &PracticeScope,
    key: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let (record, copy) = rr::read(state, &scope.actor(), key, "risk_report.view", None).await?;
    let r = copy.report;
    let m = risks::matrix(&r.matrix);
    let draft = record.status == ReportStatus::Draft;
    let page = ReportPage {
        layout: scope.layout(&scope.path("/risks")),
        practice: scope.practice.clone(),
        errors,
        status_line: status_line(&record),
        heat_map: crate::risks::chart::heat_map_svg(
            m,
            &r.cells,
            "Heat map of current residual risks",
        ),
        previous_heat_map: r
            .previous_cells
            .as_ref()
            .map(|c| crate::risks::chart::heat_map_svg(m, c, "Heat map at last quarter's report")),
        bands: r
            .bands
            .iter()
            .map(|b| {
                (
                    b.band,
                    m.band_range(b.band),
                    b.now,
                    b.before
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "–".into()),
                    change(b.now, b.before),
                )
            })
            .collect(),
        generated: show_datetime(r.generated_at),
        period: format!("{} to {}", date(r.period_start), date(r.period_end)),
        as_at: date(r.as_at),
        matrix_name: m.name,
        can_minute: draft && scope.access.can(Permission::RisksManage),
        can_sign: draft && scope.access.can(Permission::RiskAcceptAboveAppetite),
        in_progress: Quarter::parse(
            &record.quarter,
            rr::first_month(state, &scope.actor()).await?,
        )
        .is_some_and(|q| q.in_progress(state.today())),
        sections: vec![
            ("New risks this quarter", r.new_risks.clone()),
            (
                "Risks changed or reviewed this quarter",
                r.changed_risks.clone(),
            ),
            ("Risks closed this quarter", r.closed_risks.clone()),
            ("Risks accepted this quarter", r.accepted_risks.clone()),
            ("Reviews overdue", r.overdue_reviews.clone()),
        ],
        overdue_actions: r
            .overdue_actions
            .iter()
            .map(|a| {
                (
                    a.reference.clone(),
                    a.description.clone(),
                    a.owner.clone(),
                    date(a.due_on),
                )
            })
            .collect(),
        minutes: copy.minutes,
        decisions: copy.decisions,
        record,
        r,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

pub(crate) async fn report_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(key): InPractice<String>,
) -> Result<Response, HttpError> {
    report_form(&state, &scope, &key, Errors::none()).await
}

pub(crate) async fn report_pdf(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(key): InPractice<String>,
) -> Result<Response, HttpError> {
    let (record, copy, name) = exported(&state, &scope, &key, "pdf").await?;
    let bytes = custodian_app::heavy::run(move || pdf(&copy, &record)).await?;
    Ok(crate::kit::csv::download(&name, "application/pdf", bytes))
}

pub(crate) async fn report_csv(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(key): InPractice<String>,
) -> Result<Response, HttpError> {
    let (_, copy, name) = exported(&state, &scope, &key, "csv").await?;
    Ok(crate::kit::csv::csv_response(&name, csv(&copy)))
}

/// A report read for export as `ext`, and the file's name.
async fn exported(
    state: &AppState,
    scope: &PracticeScope,
    key: &str,
    ext: &str,
) -> Result<(custodian_store::RiskReport, rr::SignedCopy, String), HttpError> {
    let (record, copy) = rr::read(state, &scope.actor(), key, "risk_report.export", Some(ext)).await?;
    let name = format!(
        "custodian-risk-report-{}-{}.{ext}",
        scope.practice.ods_code, record.quarter
    );
    Ok((record, copy, name))
}

pub(crate) async fn minutes_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(key): InPractice<String>,
    Form(input): Form<MinutesInput>,
) -> Result<Response, HttpError> {
    match submitted(rr::record_minutes(&state, &scope.actor(), &key, &input).await)? {
        Ok(r) => Ok(Redirect::to(&format!(
            "/practices/{}/risk-reports/{}#meeting",
            scope.id(),
            r.quarter
        ))
        .into_response()),
        Err(errors) => report_form(&state, &scope, &key, errors).await,
    }
}

pub(crate) async fn sign_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(key): InPractice<String>,
) -> Result<Response, HttpError> {
    match submitted(rr::sign(&state, &scope.actor(), &key).await)? {
        Ok(r) => Ok(Redirect::to(&format!(
            "/practices/{}/risk-reports/{}",
            scope.id(),
            r.quarter
        ))
        .into_response()),
        Err(errors) => report_form(&state, &scope, &key, errors).await,
    }
}
