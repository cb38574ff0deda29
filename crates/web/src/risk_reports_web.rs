//! The quarterly threats-and-vulnerabilities report: drafted by the scheduler at the start of
//! each quarter (or on request), shown as a printable page, downloaded as PDF or CSV, minuted
//! after the practice meeting and signed off by the SIRO, after which the signed copy is kept
//! unchanged. And the provider's view of every practice's risks.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::quarters::Quarter;
use custodian_domain::risk_report::{self, QuarterlyReport};
use custodian_domain::risks::{self, Band};
use custodian_domain::time::show_datetime;
use custodian_domain::{Permission, Practice};
use custodian_store::{AuditMeta, RiskReport};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{PracticeScope, RequestMeta, SignedIn, require_provider};
use crate::error::Problem;
use crate::forms::Errors;
use crate::pages::{Layout, render_with};
use crate::routes::{Reach, Routes};
use crate::{AppError, AppState, HttpError};
use custodian_app::risk_reports::{self as rr, MinutesInput, SignedCopy};

pub fn routes(r: &mut Routes) {
    use Reach::Practice as P;
    r.get("/practices/{practice_id}/risk-reports", P, list_page)
        .post("/practices/{practice_id}/risk-reports", P, generate_submit)
        .get(
            "/practices/{practice_id}/risk-reports/{quarter}",
            P,
            report_page,
        )
        .get(
            "/practices/{practice_id}/risk-reports/{quarter}/pdf",
            P,
            report_pdf,
        )
        .get(
            "/practices/{practice_id}/risk-reports/{quarter}/csv",
            P,
            report_csv,
        )
        .post(
            "/practices/{practice_id}/risk-reports/{quarter}/minutes",
            P,
            minutes_submit,
        )
        .post(
            "/practices/{practice_id}/risk-reports/{quarter}/sign",
            P,
            sign_submit,
        )
        .get("/api/v1/practices/{practice_id}/risk-reports", P, api_list)
        .post(
            "/api/v1/practices/{practice_id}/risk-reports",
            P,
            api_generate,
        )
        .get(
            "/api/v1/practices/{practice_id}/risk-reports/{quarter}",
            P,
            api_get,
        )
        .post(
            "/api/v1/practices/{practice_id}/risk-reports/{quarter}/minutes",
            P,
            api_minutes,
        )
        .post(
            "/api/v1/practices/{practice_id}/risk-reports/{quarter}/sign",
            P,
            api_sign,
        )
        .get("/provider/risks", Reach::SignedIn, provider_page)
        .get("/api/v1/provider/risks", Reach::SignedIn, api_provider)
        .post("/provider/threats", Reach::SignedIn, threat_submit)
        .post(
            "/provider/threats/{threat_id}/remove",
            Reach::SignedIn,
            threat_remove_submit,
        )
        .post("/provider/risk-matrix", Reach::SignedIn, matrix_submit)
        .get("/api/v1/provider/threats", Reach::SignedIn, api_threats)
        .post("/api/v1/provider/threats", Reach::SignedIn, api_add_threat)
        .add(
            axum::http::Method::DELETE,
            "/api/v1/provider/threats/{threat_id}",
            Reach::SignedIn,
            api_remove_threat,
        )
        .post(
            "/api/v1/provider/risk-matrix",
            Reach::SignedIn,
            api_publish_matrix,
        );
}

// ---- rendering -------------------------------------------------------------------------------

fn date(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn change(now: usize, before: Option<usize>) -> String {
    match before {
        None => "–".into(),
        Some(b) if now > b => format!("+{}", now - b),
        Some(b) if now < b => format!("−{}", b - now),
        Some(_) => "no change".into(),
    }
}

/// The report as a PDF.
pub fn pdf(copy: &SignedCopy, record: &RiskReport) -> Vec<u8> {
    let r = &copy.report;
    let m = risks::matrix(&r.matrix);
    let title = format!("Threats and vulnerabilities report, {}", r.quarter_label);
    let mut d = crate::pdf::Doc::new(
        &title,
        &format!(
            "{} ({}) \u{2013} {}",
            r.practice, r.ods_code, r.quarter_label
        ),
    );
    d.heading(&format!("{} \u{2013} {}", r.practice, title), 16.0);
    d.para(
        &format!(
            "Period {} to {}. Generated {}; reviews and actions judged as at {}. Matrix {}; the practice accepts up to {} without the SIRO.",
            date(r.period_start),
            date(r.period_end),
            show_datetime(r.generated_at),
            date(r.as_at),
            m.name,
            r.appetite.label()
        ),
        9.0,
    );
    d.para(&status_line(record), 9.0);
    d.heading("Current residual risks", 12.0);
    d.heat_map(
        m,
        &r.cells,
        "Heat map of current residual risks (likelihood by impact)",
    );
    let bands: Vec<Vec<String>> = r
        .bands
        .iter()
        .map(|b| {
            vec![
                b.band.label().to_string(),
                m.band_range(b.band),
                b.now.to_string(),
                b.before
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "–".into()),
                change(b.now, b.before),
            ]
        })
        .collect();
    d.table(
        &["Band", "Scores", "Now", "Last quarter", "Change"],
        &[0.2, 0.2, 0.2, 0.2, 0.2],
        &bands,
    );
    d.heading("Top risks by residual score", 12.0);
    let top: Vec<Vec<String>> = r
        .top_risks
        .iter()
        .map(|t| {
            vec![
                format!("{} {}", t.line.reference, t.line.title),
                t.line.owner.clone(),
                format!("{} {}", t.line.residual_score, t.line.band.label()),
                t.line.status.clone(),
                format!(
                    "{} done, {} open, {} overdue",
                    t.actions_done, t.actions_open, t.actions_overdue
                ),
            ]
        })
        .collect();
    d.table(
        &["Risk", "Owner", "Residual", "Status", "Actions"],
        &[0.38, 0.16, 0.12, 0.12, 0.22],
        &top,
    );
    for (heading, lines) in [
        ("New risks this quarter", &r.new_risks),
        ("Risks changed or reviewed this quarter", &r.changed_risks),
        ("Risks closed this quarter", &r.closed_risks),
        ("Risks accepted this quarter", &r.accepted_risks),
        ("Reviews overdue", &r.overdue_reviews),
    ] {
        d.heading(heading, 12.0);
        if lines.is_empty() {
            d.para("None.", 9.0);
            continue;
        }
        let rows: Vec<Vec<String>> = lines
            .iter()
            .map(|l| {
                vec![
                    format!("{} {}", l.reference, l.title),
                    l.owner.clone(),
                    format!("{} {}", l.residual_score, l.band.label()),
                    l.note.clone(),
                ]
            })
            .collect();
        d.table(
            &["Risk", "Owner", "Residual", "Note"],
            &[0.36, 0.16, 0.12, 0.36],
            &rows,
        );
    }
    d.heading("Actions overdue", 12.0);
    if r.overdue_actions.is_empty() {
        d.para("None.", 9.0);
    } else {
        let rows: Vec<Vec<String>> = r
            .overdue_actions
            .iter()
            .map(|a| {
                vec![
                    a.reference.clone(),
                    a.description.clone(),
                    a.owner.clone(),
                    date(a.due_on),
                ]
            })
            .collect();
        d.table(
            &["Risk", "Action", "Who", "Due"],
            &[0.14, 0.5, 0.2, 0.16],
            &rows,
        );
    }
    d.heading(
        "Threats and vulnerabilities by confidentiality, integrity and availability",
        12.0,
    );
    for (dim, lines) in &r.by_cia {
        d.heading(dim, 10.0);
        if lines.is_empty() {
            d.para("No current risk threatens it.", 9.0);
            continue;
        }
        let rows: Vec<Vec<String>> = lines
            .iter()
            .map(|t| {
                vec![
                    t.reference.clone(),
                    t.threat.clone(),
                    t.vulnerability.clone(),
                    t.why.clone(),
                    format!("{} {}", t.residual_score, t.band.label()),
                ]
            })
            .collect();
        d.table(
            &["Risk", "Threat", "Vulnerability", "How", "Residual"],
            &[0.12, 0.28, 0.26, 0.22, 0.12],
            &rows,
        );
    }
    d.heading("Threats and vulnerabilities by asset", 12.0);
    for (asset, lines) in &r.by_asset {
        d.heading(asset, 10.0);
        let rows: Vec<Vec<String>> = lines
            .iter()
            .map(|t| {
                vec![
                    t.reference.clone(),
                    t.threat.clone(),
                    t.vulnerability.clone(),
                    format!("{} {}", t.residual_score, t.band.label()),
                ]
            })
            .collect();
        d.table(
            &["Risk", "Threat", "Vulnerability", "Residual"],
            &[0.14, 0.4, 0.34, 0.12],
            &rows,
        );
    }
    d.heading("Practice meeting", 12.0);
    d.heading("Minutes", 10.0);
    d.para(
        if copy.minutes.is_empty() {
            "Not recorded yet."
        } else {
            &copy.minutes
        },
        9.0,
    );
    d.heading("Decisions", 10.0);
    d.para(
        if copy.decisions.is_empty() {
            "Not recorded yet."
        } else {
            &copy.decisions
        },
        9.0,
    );
    d.finish()
}

fn status_line(record: &RiskReport) -> String {
    match (
        &record.signed_at,
        &record.signed_by_name,
        &record.signed_sha256,
    ) {
        (Some(at), Some(by), Some(sha)) => format!(
            "Signed off by {by} (SIRO) on {}. SHA-256 of the signed copy: {sha}",
            show_datetime(*at)
        ),
        _ => format!(
            "Draft, made {} by {}. Not yet signed off by the SIRO.",
            show_datetime(record.created_at),
            record.created_by
        ),
    }
}

/// The report's rows as CSV: one row per risk per section, and the overdue actions.
pub fn csv(copy: &SignedCopy) -> String {
    use crate::report::csv_line;
    let r = &copy.report;
    let mut out = csv_line(&[
        "quarter",
        "section",
        "reference",
        "title",
        "owner",
        "residual_score",
        "band",
        "status",
        "note",
    ]);
    let mut rows = |section: &str, lines: &[risk_report::RiskLine]| {
        for l in lines {
            out.push_str(&csv_line(&[
                r.quarter.clone(),
                section.to_string(),
                l.reference.clone(),
                l.title.clone(),
                l.owner.clone(),
                l.residual_score.to_string(),
                l.band.as_str().to_string(),
                l.status.clone(),
                l.note.clone(),
            ]));
        }
    };
    let top: Vec<risk_report::RiskLine> = r.top_risks.iter().map(|t| t.line.clone()).collect();
    rows("top", &top);
    rows("new", &r.new_risks);
    rows("changed", &r.changed_risks);
    rows("closed", &r.closed_risks);
    rows("accepted", &r.accepted_risks);
    rows("review_overdue", &r.overdue_reviews);
    for a in &r.overdue_actions {
        out.push_str(&csv_line(&[
            r.quarter.clone(),
            "action_overdue".into(),
            a.reference.clone(),
            a.description.clone(),
            a.owner.clone(),
            String::new(),
            String::new(),
            String::new(),
            format!("due {}", a.due_on),
        ]));
    }
    out
}

// ---- pages -----------------------------------------------------------------------------------

struct ReportRow {
    key: String,
    label: String,
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "risk_reports.html")]
struct ListPage {
    layout: Layout,
    practice: Practice,
    errors: Errors,
    reports: Vec<ReportRow>,
    quarters: Vec<(String, String)>,
    can_generate: bool,
}

async fn list_form(
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
            status: if r.status == "signed" {
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
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/risks", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            reports,
            quarters,
            can_generate: scope.access.can(Permission::RisksManage),
        },
    ))
}

async fn list_page(
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
    pub quarter: String,
}

async fn generate_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(input): Form<GenerateInput>,
) -> Result<Response, HttpError> {
    match rr::generate(&state, &scope.actor(), &input.quarter).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/practices/{}/risk-reports/{}",
            scope.id(),
            r.quarter
        ))
        .into_response()),
        Err(AppError::Invalid(i)) => list_form(&state, &scope, i.into()).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "risk_report.html")]
struct ReportPage {
    layout: Layout,
    practice: Practice,
    errors: Errors,
    record: RiskReport,
    status_line: String,
    r: QuarterlyReport,
    minutes: String,
    decisions: String,
    heat_map: String,
    previous_heat_map: Option<String>,
    bands: Vec<(Band, String, usize, String, String)>,
    generated: String,
    period: String,
    as_at: String,
    matrix_name: &'static str,
    can_minute: bool,
    can_sign: bool,
    in_progress: bool,
    sections: Vec<(&'static str, Vec<risk_report::RiskLine>)>,
    overdue_actions: Vec<(String, String, String, String)>,
}

async fn report_form(
    state: &AppState,
    scope: &PracticeScope,
    key: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let (record, copy) = rr::read(state, &scope.actor(), key, "risk_report.view", None).await?;
    let r = copy.report;
    let m = risks::matrix(&r.matrix);
    let draft = record.status == "draft";
    let page = ReportPage {
        layout: Layout::new(
            &scope.user,
            Some((&scope.practice, &scope.access)),
            &format!("/practices/{}/risks", scope.id()),
        ),
        practice: scope.practice.clone(),
        errors,
        status_line: status_line(&record),
        heat_map: crate::risk_chart::heat_map_svg(
            m,
            &r.cells,
            "Heat map of current residual risks",
        ),
        previous_heat_map: r
            .previous_cells
            .as_ref()
            .map(|c| crate::risk_chart::heat_map_svg(m, c, "Heat map at last quarter's report")),
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

async fn report_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, key)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    report_form(&state, &scope, &key, Errors::none()).await
}

async fn report_pdf(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, key)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let (record, copy) = rr::read(
        &state,
        &scope.actor(),
        &key,
        "risk_report.export",
        Some("pdf"),
    )
    .await?;
    let bytes = pdf(&copy, &record);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"custodian-risk-report-{}-{}.pdf\"",
                    scope.practice.ods_code, record.quarter
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn report_csv(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, key)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let (record, copy) = rr::read(
        &state,
        &scope.actor(),
        &key,
        "risk_report.export",
        Some("csv"),
    )
    .await?;
    Ok(crate::report::csv_response(
        &format!(
            "custodian-risk-report-{}-{}.csv",
            scope.practice.ods_code, record.quarter
        ),
        csv(&copy),
    ))
}

async fn minutes_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, key)): Path<(String, String)>,
    Form(input): Form<MinutesInput>,
) -> Result<Response, HttpError> {
    match rr::record_minutes(&state, &scope.actor(), &key, &input).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/practices/{}/risk-reports/{}#meeting",
            scope.id(),
            r.quarter
        ))
        .into_response()),
        Err(AppError::Invalid(i)) => report_form(&state, &scope, &key, i.into()).await,
        Err(e) => Err(e.into()),
    }
}

async fn sign_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, key)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    match rr::sign(&state, &scope.actor(), &key).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/practices/{}/risk-reports/{}",
            scope.id(),
            r.quarter
        ))
        .into_response()),
        Err(AppError::Invalid(i)) => report_form(&state, &scope, &key, i.into()).await,
        Err(e) => Err(e.into()),
    }
}

// ---- the provider's view ---------------------------------------------------------------------

/// One practice's line of the provider's risk overview.
#[derive(Serialize, ToSchema)]
pub struct ProviderRiskRow {
    pub practice_id: String,
    pub practice: String,
    pub ods_code: String,
    pub low: usize,
    pub medium: usize,
    pub high: usize,
    pub extreme: usize,
    pub overdue_reviews: i64,
    /// `2026-Q3`: the last full quarter, on each practice's own quarters.
    pub last_quarter: String,
    /// signed, draft or none.
    pub last_report: String,
}

async fn provider_rows(state: &AppState) -> Result<Vec<ProviderRiskRow>, HttpError> {
    let today = state.today();
    // Each practice reports on its own quarters: calendar ones, or a year from April.
    let calendar = Quarter::containing(today, 1).previous();
    let april = Quarter::containing(today, 4).previous();
    let overview = state
        .store
        .provider_risk_overview(today, &[calendar.key(), april.key()])
        .await?;
    Ok(overview
        .into_iter()
        .map(|o| {
            let m = risks::matrix(&o.settings.risk_matrix);
            let q = Quarter::containing(today, o.settings.quarter_start_month).previous();
            let status = o
                .reports
                .iter()
                .find(|(k, _)| *k == q.key())
                .map(|(_, s)| s.clone());
            let count = |b: Band| -> usize {
                o.residual_scores
                    .iter()
                    .filter(|(score, _)| m.band(*score as u8) == b)
                    .map(|(_, n)| *n as usize)
                    .sum()
            };
            ProviderRiskRow {
                practice_id: o.practice_id.to_string(),
                practice: o.practice.clone(),
                ods_code: o.ods_code.clone(),
                low: count(Band::Low),
                medium: count(Band::Medium),
                high: count(Band::High),
                extreme: count(Band::Extreme),
                overdue_reviews: o.overdue_reviews,
                last_quarter: q.key(),
                last_report: status.unwrap_or_else(|| "none".into()),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "provider_risks.html")]
struct ProviderPage {
    layout: Layout,
    errors: Errors,
    rows: Vec<ProviderRiskRow>,
    quarter: String,
    threats: Vec<risks::Threat>,
    t: risks::Threat,
    levels: Vec<(u8, &'static str)>,
    categories: &'static [(&'static str, &'static str)],
    matrices: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    notice: Option<String>,
}

async fn provider_form(
    state: &AppState,
    user: &SignedIn,
    errors: Errors,
    t: risks::Threat,
    notice: Option<String>,
) -> Result<Response, HttpError> {
    let rows = provider_rows(state).await?;
    let page = ProviderPage {
        layout: Layout::new(user, None, "/provider/risks"),
        quarter: Quarter::containing(state.today(), 1).previous().label(),
        rows,
        threats: state.store.provider_threats().await?,
        t,
        levels: (1..=5)
            .map(|n| (n, risks::MATRIX_5X5.likelihood_label(n)))
            .collect(),
        categories: risks::CATEGORIES,
        matrices: risks::MATRICES.iter().map(|m| (m.key, m.name)).collect(),
        can_manage: user.provider_access().can(Permission::ProviderManage),
        notice,
        errors,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

#[derive(Deserialize, Default)]
struct Notice {
    #[serde(default)]
    published: Option<String>,
}

async fn provider_page(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    axum::extract::Query(q): axum::extract::Query<Notice>,
) -> Result<Response, HttpError> {
    require_provider(
        &state,
        &user,
        &meta,
        Permission::ProviderView,
        "provider.risks",
    )
    .await?;
    let notice = q.published.map(|m| {
        format!(
            "The {} matrix is now every practice's risk matrix.",
            risks::matrix(&m).name
        )
    });
    provider_form(
        &state,
        &user,
        Errors::none(),
        risks::Threat::default(),
        notice,
    )
    .await
}

/// Adds a threat to the provider's library (provider administrators).
pub async fn add_threat(
    state: &AppState,
    user: &SignedIn,
    meta: &AuditMeta,
    t: &risks::Threat,
) -> Result<risks::Threat, HttpError> {
    require_provider(
        state,
        user,
        meta,
        Permission::ProviderManage,
        "provider_threat.create",
    )
    .await?;
    let valid = t.validate()?;
    Ok(state.store.add_provider_threat(&valid, meta).await?)
}

fn threat_from_form(pairs: &[(String, String)]) -> risks::Threat {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    risks::Threat {
        title: get("title"),
        threat: get("threat"),
        vulnerability: get("vulnerability"),
        category: get("category"),
        confidentiality: get("confidentiality") == "true",
        integrity: get("integrity") == "true",
        availability: get("availability") == "true",
        likelihood: get("likelihood").parse().unwrap_or(0),
        impact: get("impact").parse().unwrap_or(0),
        controls: get("controls"),
        ..Default::default()
    }
}

async fn threat_submit(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let t = threat_from_form(&pairs);
    match add_threat(&state, &user, &meta, &t).await {
        Ok(_) => Ok(Redirect::to("/provider/risks#library").into_response()),
        Err(HttpError(AppError::Invalid(i))) => {
            provider_form(&state, &user, i.into(), t, None).await
        }
        Err(e) => Err(e),
    }
}

async fn remove_threat(
    state: &AppState,
    user: &SignedIn,
    meta: &AuditMeta,
    id: &str,
) -> Result<(), HttpError> {
    require_provider(
        state,
        user,
        meta,
        Permission::ProviderManage,
        "provider_threat.remove",
    )
    .await?;
    let id = uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    Ok(state.store.remove_provider_threat(id, meta).await?)
}

async fn threat_remove_submit(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    remove_threat(&state, &user, &meta, &id).await?;
    Ok(Redirect::to("/provider/risks#library").into_response())
}

/// The matrix to publish.
#[derive(Deserialize, ToSchema)]
pub struct PublishMatrix {
    /// `5x5` or `4x4`.
    #[serde(default)]
    pub matrix: String,
}

/// Makes `matrix` every practice's risk matrix (provider administrators). Each practice's
/// settings change is recorded. Returns how many practices changed.
pub async fn publish_matrix(
    state: &AppState,
    user: &SignedIn,
    meta: &AuditMeta,
    matrix: &str,
) -> Result<usize, HttpError> {
    require_provider(
        state,
        user,
        meta,
        Permission::ProviderManage,
        "provider.risk_matrix",
    )
    .await?;
    if !risks::MATRICES.iter().any(|m| m.key == matrix) {
        return Err(custodian_domain::Invalid::one(
            "matrix",
            "Choose the risk matrix from the list",
        )
        .into());
    }
    let m = risks::matrix(matrix);
    let practices = custodian_app::practices::all_practices(state).await?;
    // Nothing changes unless every practice's risks fit the matrix.
    let mut misfits = Vec::new();
    for p in &practices {
        let n = crate::risks_web::risks_off_matrix(state, p.id, m).await?;
        if n > 0 {
            misfits.push(format!("{} ({n})", p.name));
        }
    }
    if !misfits.is_empty() {
        return Err(custodian_domain::Invalid::one(
            "matrix",
            format!(
                "Some risks use levels beyond the {} matrix and would fall off it; rescore them first: {}",
                m.name,
                misfits.join(", ")
            ),
        )
        .into());
    }
    let mut changed = 0;
    {
        for p in &practices {
            let mut s = state.store.settings(p.id).await?;
            if s.risk_matrix != matrix {
                s.risk_matrix = matrix.to_string();
                state.store.set_settings(p.id, &s, meta).await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

async fn matrix_submit(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<PublishMatrix>,
) -> Result<Response, HttpError> {
    match publish_matrix(&state, &user, &meta, &form.matrix).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/provider/risks?published={}", form.matrix)).into_response())
        }
        Err(HttpError(AppError::Invalid(i))) => {
            provider_form(&state, &user, i.into(), risks::Threat::default(), None).await
        }
        Err(e) => Err(e),
    }
}

#[utoipa::path(get, path = "/api/v1/provider/threats", tag = "risks", summary = "The threats the provider added to the library",
    responses((status = 200, body = Vec<risks::Threat>), (status = 403, body = Problem)))]
async fn api_threats(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    require_provider(
        &state,
        &user,
        &meta,
        Permission::ProviderView,
        "provider.threats",
    )
    .await?;
    Ok(Json(state.store.provider_threats().await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/provider/threats", tag = "risks", summary = "Add a threat to the library every practice sees",
    description = "Provider administrators. Likelihood and impact are suggested on the 5 × 5 matrix.",
    request_body = risks::Threat,
    responses((status = 201, body = risks::Threat), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_add_threat(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(t): Json<risks::Threat>,
) -> Result<Response, HttpError> {
    let t = add_threat(&state, &user, &meta, &t).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/provider/threats/{threat_id}", tag = "risks", summary = "Remove a threat the provider added",
    params(("threat_id" = String, Path, description = "The threat's id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn api_remove_threat(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    remove_threat(&state, &user, &meta, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// How many practices took the published matrix.
#[derive(Serialize, ToSchema)]
pub struct Published {
    pub matrix: String,
    pub practices_changed: usize,
}

#[utoipa::path(post, path = "/api/v1/provider/risk-matrix", tag = "risks", summary = "Publish a risk matrix to every practice",
    request_body = PublishMatrix,
    responses((status = 200, body = Published), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_publish_matrix(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(form): Json<PublishMatrix>,
) -> Result<Response, HttpError> {
    let n = publish_matrix(&state, &user, &meta, &form.matrix).await?;
    Ok(Json(Published {
        matrix: form.matrix,
        practices_changed: n,
    })
    .into_response())
}

#[utoipa::path(get, path = "/api/v1/provider/risks", tag = "risks", summary = "Every practice's risks by band, overdue reviews and last quarter's report",
    responses((status = 200, body = Vec<ProviderRiskRow>), (status = 403, body = Problem)))]
async fn api_provider(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    require_provider(
        &state,
        &user,
        &meta,
        Permission::ProviderView,
        "provider.risks",
    )
    .await?;
    Ok(Json(provider_rows(&state).await?).into_response())
}

// ---- API -------------------------------------------------------------------------------------

/// A report with what it shows: the signed copy, or the draft built from the register today.
#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub record: RiskReport,
    pub content: SignedCopy,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/risk-reports", tag = "risks", summary = "The practice's quarterly reports, latest first",
    params(("practice_id" = String, Path, description = "The practice's id")),
    responses((status = 200, body = Vec<RiskReport>), (status = 403, body = Problem)))]
async fn api_list(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::RisksView, "risk_report.list")
        .await?;
    Ok(Json(state.store.risk_reports(scope.id()).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risk-reports", tag = "risks", summary = "Make the draft report of a quarter (or return the existing one)",
    description = "Not for a quarter that has not started. The data protection lead, practice manager or SIRO.",
    params(("practice_id" = String, Path, description = "The practice's id")), request_body = GenerateInput,
    responses((status = 201, body = RiskReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_generate(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(input): Json<GenerateInput>,
) -> Result<Response, HttpError> {
    let r = rr::generate(&state, &scope.actor(), &input.quarter).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/risk-reports/{quarter}", tag = "risks", summary = "A quarterly report with its content",
    description = "The PDF and CSV are at /practices/{practice_id}/risk-reports/{quarter}/pdf and /csv.",
    params(("practice_id" = String, Path, description = "The practice's id"), ("quarter" = String, Path, description = "The quarter, like 2026-Q3")),
    responses((status = 200, body = ReportDetail), (status = 404, body = Problem)))]
async fn api_get(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, key)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let (record, content) =
        rr::read(&state, &scope.actor(), &key, "risk_report.view", None).await?;
    Ok(Json(ReportDetail { record, content }).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risk-reports/{quarter}/minutes", tag = "risks", summary = "Record the practice meeting's minutes and decisions on a draft",
    params(("practice_id" = String, Path, description = "The practice's id"), ("quarter" = String, Path, description = "The quarter, like 2026-Q3")),
    request_body = MinutesInput,
    responses((status = 200, body = RiskReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_minutes(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, key)): Path<(String, String)>,
    Json(input): Json<MinutesInput>,
) -> Result<Response, HttpError> {
    Ok(Json(rr::record_minutes(&state, &scope.actor(), &key, &input).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risk-reports/{quarter}/sign", tag = "risks", summary = "The SIRO signs the report off; the signed copy is kept unchanged",
    description = "Only after the quarter has ended and the meeting's minutes are recorded.",
    params(("practice_id" = String, Path, description = "The practice's id"), ("quarter" = String, Path, description = "The quarter, like 2026-Q3")),
    responses((status = 200, body = RiskReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_sign(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, key)): Path<(String, String)>,
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
