//! The inappropriate-use report's page and API.

use super::*;
use crate::kit::layout::PracticeAddress;

#[derive(Deserialize, Default)]
pub(crate) struct ReportQuery {
    #[serde(default)]
    pub(crate) from: String,
    #[serde(default)]
    pub(crate) to: String,
    #[serde(default)]
    pub(crate) format: String,
}

pub(crate) struct ReportPeriod {
    pub(crate) from: DateTime<Utc>,
    pub(crate) to: DateTime<Utc>,
    pub(crate) from_value: String,
    pub(crate) to_value: String,
}

pub(crate) fn report_period(
    state: &AppState,
    q: &ReportQuery,
) -> Result<ReportPeriod, custodian_domain::Invalid> {
    let today = custodian_domain::identity::london_today(state.clock.now());
    let from_value = if q.from.trim().is_empty() {
        (today - chrono::Duration::days(29)).to_string()
    } else {
        q.from.trim().to_string()
    };
    let to_value = if q.to.trim().is_empty() {
        today.to_string()
    } else {
        q.to.trim().to_string()
    };
    let from = day(&from_value, "from", false)?.expect("set");
    let to = day(&to_value, "to", true)?.expect("set");
    if from >= to {
        return Err(custodian_domain::Invalid::one(
            "to",
            "The 'to' date must not be before the 'from' date",
        ));
    }
    if to - from > chrono::Duration::days(400) {
        return Err(custodian_domain::Invalid::one(
            "from",
            "Choose a period of at most 400 days",
        ));
    }
    Ok(ReportPeriod {
        from,
        to,
        from_value,
        to_value,
    })
}

/// Builds the report: the period's events of the practice and its staff, and the 30 days
/// before (each person's usual day).
pub(crate) async fn build_report(
    state: &AppState,
    scope: &PracticeScope,
    p: &ReportPeriod,
) -> Result<Vec<custodian_app::audit::inappropriate_use::Section>, HttpError> {
    let overview = state.store.access_overview(scope.id()).await?;
    let people: Vec<custodian_domain::PersonId> = overview.iter().map(|o| o.person_id).collect();
    let mut events = Vec::new();
    let mut before = None;
    loop {
        let filter = EventFilter {
            practice: Some(scope.id()),
            people: people.clone(),
            from: Some(p.from - chrono::Duration::days(30)),
            to: Some(p.to),
            before_seq: before,
            limit: 1000,
            ..Default::default()
        };
        let page = state.store.search_events(&filter).await?;
        let done = page.len() < 1000 || events.len() > 200_000;
        before = page.last().map(|e| e.seq);
        events.extend(page);
        if done {
            break;
        }
    }
    events.reverse();
    let settings = state.store.settings(scope.id()).await?;
    let mut administrators: std::collections::HashSet<custodian_domain::PersonId> = state
        .store
        .administrators(scope.id())
        .await?
        .into_iter()
        .map(|a| a.person_id)
        .collect();
    let actors: std::collections::HashSet<custodian_domain::PersonId> = events
        .iter()
        .filter_map(|e| e.event.meta.actor_id)
        .collect();
    for a in actors {
        if let Some(person) = state.store.person(a).await?
            && person
                .provider_roles
                .contains(&custodian_domain::ProviderRole::ProviderAdministrator)
        {
            administrators.insert(a);
        }
    }
    let facts = custodian_app::audit::inappropriate_use::Facts {
        from: p.from,
        to: p.to,
        settings: &settings,
        mfa: overview
            .iter()
            .map(|o| (o.person_id, o.mfa_enrolled))
            .collect(),
        administrators,
    };
    Ok(custodian_app::audit::inappropriate_use::inappropriate_use(
        &events, &facts,
    ))
}

#[derive(Template)]
#[template(path = "audit/report.html")]
pub(crate) struct ReportPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) from_value: String,
    pub(crate) to_value: String,
    pub(crate) sections: Vec<custodian_app::audit::inappropriate_use::Section>,
}

impl ReportPage {
    fn when(&self, t: &DateTime<Utc>) -> String {
        show_datetime(*t)
    }
}

pub(crate) async fn report_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ReportQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::AuditView, "audit.report").await?;
    let layout = scope.layout(&scope.path("/audit"));
    let period = match report_period(&state, &q) {
        Ok(p) => p,
        Err(e) => {
            return Ok(render_with(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &ReportPage {
                    layout,
                    practice: scope.practice.clone(),
                    errors: e.into(),
                    from: String::new(),
                    to: String::new(),
                    from_value: q.from.clone(),
                    to_value: q.to.clone(),
                    sections: vec![],
                },
            ));
        }
    };
    let sections = build_report(&state, &scope, &period).await?;
    let lines: usize = sections.iter().map(|s| s.lines.len()).sum();
    scope.record(scope.event("audit.report", "audit_event", None).details(serde_json::json!({ "records": lines, "from": period.from_value, "to": period.to_value }))).await?;
    if q.format == "csv" {
        let mut csv = crate::kit::csv::csv_line(&["section", "event", "when", "who", "what"]);
        for s in &sections {
            for l in &s.lines {
                csv.push_str(&crate::kit::csv::csv_line(&[
                    s.title.to_string(),
                    l.seq.to_string(),
                    show_datetime(l.when),
                    l.who.clone(),
                    l.what.clone(),
                ]));
            }
        }
        let name = format!(
            "custodian-inappropriate-use-{}-{}-{}.csv",
            scope.practice.ods_code, period.from_value, period.to_value
        );
        return Ok(crate::kit::csv::csv_response(&name, csv));
    }
    Ok(render(&ReportPage {
        layout,
        practice: scope.practice.clone(),
        errors: Errors::none(),
        from: custodian_domain::time::show_date(period.from),
        to: custodian_domain::time::show_date(period.to - chrono::Duration::seconds(1)),
        from_value: period.from_value,
        to_value: period.to_value,
        sections,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    pub from: String,
    pub to: String,
    pub sections: Vec<custodian_app::audit::inappropriate_use::Section>,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/audit/report", tag = "audit", summary = "The inappropriate-use report",
    description = "Out-of-hours sign-ins and reads, failed sign-ins and lockouts, refused access and probes of other practices, unusually many records read in a day, activity after deactivation or an exit date, administrators' actions, and sensitive actions without two-factor authentication. Default period: the last 30 days.",
    params(PracticeParam, ("from" = Option<String>, Query, description = "First day"), ("to" = Option<String>, Query, description = "Last day")),
    responses((status = 200, body = ReportOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_report(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ReportQuery>,
) -> Result<Json<ReportOut>, HttpError> {
    scope.require(Permission::AuditView, "audit.report").await?;
    let period = report_period(&state, &q)?;
    let sections = build_report(&state, &scope, &period).await?;
    let lines: usize = sections.iter().map(|s| s.lines.len()).sum();
    scope
        .record_list("audit.report", "audit_event", lines)
        .await?;
    Ok(Json(ReportOut {
        from: period.from_value,
        to: period.to_value,
        sections,
    }))
}
