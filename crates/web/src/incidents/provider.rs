//! The provider's view of every practice's incidents, and a practice's register as CSV.

use super::*;
use crate::kit::layout::PracticeAddress;
use crate::kit::session::RequestMeta;
use custodian_domain::incidents::PracticeIncidents;

/// The practices with clocks overdue first, then running out, then the most open incidents.
fn by_urgency(mut all: Vec<PracticeIncidents>) -> Vec<PracticeIncidents> {
    all.sort_by(|a, b| {
        (b.clocks_overdue, b.clocks_running_out, b.open)
            .cmp(&(a.clocks_overdue, a.clocks_running_out, a.open))
            .then_with(|| a.practice.cmp(&b.practice))
    });
    all
}

#[derive(Template)]
#[template(path = "incidents/provider.html")]
pub(crate) struct ProviderIncidentsPage {
    pub(crate) layout: Layout,
    pub(crate) rows: Vec<(String, PracticeIncidents)>,
    pub(crate) totals: (usize, usize, usize, usize, usize),
}

pub(crate) async fn provider_page(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    let all = by_urgency(uc::across_practices(&state, &user.provider_access(), &meta).await?);
    let totals = all.iter().fold((0, 0, 0, 0, 0), |t, p| {
        (
            t.0 + p.open,
            t.1 + p.awaiting_triage,
            t.2 + p.reportable,
            t.3 + p.clocks_running_out,
            t.4 + p.clocks_overdue,
        )
    });
    Ok(render(&ProviderIncidentsPage {
        layout: Layout::new(&user, None, "/provider/incidents"),
        rows: all
            .into_iter()
            .map(|p| (p.practice_id.home(), p))
            .collect(),
        totals,
    }))
}

#[utoipa::path(get, path = "/api/v1/provider/incidents", tag = "incidents", summary = "Every practice's open incidents and clocks",
    description = "Every practice with its open incidents, those awaiting triage, those reportable to the ICO, and those whose clocks are running out or overdue; the most urgent first. Provider staff.",
    params(PageQuery), responses((status = 200, body = Paged<PracticeIncidents>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub(crate) async fn api_provider(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<PracticeIncidents>>, HttpError> {
    let all = by_urgency(uc::across_practices(&state, &user.provider_access(), &meta).await?);
    Ok(Json(Paged::of_list(all, &page, |p| {
        p.practice_id.to_string()
    })?))
}

/// The columns of the register's CSV export.
const CSV_COLUMNS: &[&str] = &[
    "reference",
    "kind",
    "status",
    "reported_at",
    "reported_by",
    "on_behalf_of",
    "occurred_at",
    "discovered_at",
    "location",
    "patient_data",
    "staff_data",
    "near_miss",
    "likelihood",
    "severity",
    "vulnerable",
    "reportable",
    "notify_dhsc",
    "breach_types",
    "people_affected",
    "records_affected",
    "senior_told_at",
    "ico_decision",
    "ico_reference",
    "ico_reported_at",
    "ico_reason",
    "closed_at",
    "lessons",
    "what_happened",
];

/// The register as CSV, as the filters narrow it (cells a spreadsheet would run as formulas are
/// neutralised). For those who may read the register; the export is recorded.
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ListQuery>,
) -> Result<Response, HttpError> {
    let (filter, pressing) = q
        .filter()
        .map_err(|e| custodian_app::AppError::Invalid(custodian_domain::Invalid(e.0)))?;
    let found = uc::export(&state, &scope.actor(), filter).await?;
    let list = with_clocks(&state, found, pressing);
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    let maybe = |b: Option<bool>| b.map(yes).unwrap_or_default();
    let mut out = crate::kit::csv::csv_line(CSV_COLUMNS);
    for (i, _) in &list {
        let types: Vec<&str> = i.breach_types.iter().map(|b| b.as_str()).collect();
        out.push_str(&crate::kit::csv::csv_line(&[
            i.reference.clone(),
            i.kind.as_str().into(),
            i.status.as_str().into(),
            time(Some(i.reported_at)),
            i.reported_by_name.clone(),
            i.on_behalf_of.clone().unwrap_or_default(),
            time(Some(i.occurred_at)),
            time(Some(i.discovered_at)),
            i.location.clone(),
            yes(i.patient_data),
            yes(i.staff_data),
            yes(i.near_miss),
            n(i.likelihood),
            n(i.severity),
            yes(i.vulnerable),
            maybe(i.reportable),
            maybe(i.notify_dhsc),
            types.join(","),
            n(i.people_affected),
            n(i.records_affected),
            time(i.senior_told_at),
            i.ico_decision.clone().unwrap_or_default(),
            i.ico_reference.clone().unwrap_or_default(),
            time(i.ico_reported_at),
            i.ico_reason.clone().unwrap_or_default(),
            time(i.closed_at),
            i.lessons.clone().unwrap_or_default(),
            i.what_happened.clone(),
        ]));
    }
    Ok(crate::kit::csv::csv_response(
        &format!("custodian-incidents-{}.csv", scope.practice.ods_code),
        out,
    ))
}
