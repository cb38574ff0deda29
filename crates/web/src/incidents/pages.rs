//! The incident pages: the report form, the register (or one's own reports), an incident with
//! its clocks, timeline and handling forms.

use super::*;
use crate::kit::layout::PracticeAddress;

/// "Report an incident" in every page's header, outside a practice: the form of the person's
/// practice, or a choice when they work in several.
pub(crate) async fn report_anywhere(user: SignedIn) -> Result<Response, HttpError> {
    match user.memberships.as_slice() {
        [] => Err(custodian_app::AppError::NotFound.into()),
        [one] => Ok(Redirect::to(&format!("{}/incidents/new", one.practice.home())).into_response()),
        several => {
            let page = ChoosePractice {
                layout: Layout::new(&user, None, "/report-incident"),
                practices: several
                    .iter()
                    .map(|m| (m.practice.home(), m.practice.name.clone()))
                    .collect(),
            };
            Ok(render(&page))
        }
    }
}

#[derive(Template)]
#[template(path = "incidents/choose_practice.html")]
pub(crate) struct ChoosePractice {
    pub(crate) layout: Layout,
    pub(crate) practices: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "incidents/report.html")]
pub(crate) struct ReportPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) r: IncidentReport,
    pub(crate) kinds: Options,
    pub(crate) assets: Options,
    /// The devices the reporter may name: those they hold, or all for those who run the
    /// register (none: the question is not asked).
    pub(crate) devices: Options,
}

async fn report_form(
    state: &AppState,
    scope: &PracticeScope,
    r: IncidentReport,
    errors: Errors,
) -> Result<Response, HttpError> {
    let kinds: Vec<(&str, &str)> = IncidentKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect();
    let asset_names = state.store.asset_choices(scope.id()).await?;
    let chosen = r.asset_id.map(|a| a.to_string()).unwrap_or_default();
    let mut assets: Options = vec![(String::new(), "None or not sure".into(), chosen.is_empty())];
    assets.extend(
        asset_names
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone(), id.to_string() == chosen)),
    );
    let chosen = r.device_id.map(|d| d.to_string()).unwrap_or_default();
    let nameable = if scope.access.can(Permission::DevicesManage) {
        let all = custodian_store::DeviceFilter {
            limit: custodian_domain::devices::REGISTER_MAX,
            ..Default::default()
        };
        // Choices for a form, not a read of the register.
        state.store.devices(scope.id(), &all).await?
    } else {
        custodian_app::devices::mine(state, &scope.actor()).await?
    };
    let mut devices: Options = vec![];
    if !nameable.is_empty() {
        devices.push((String::new(), "None".into(), chosen.is_empty()));
        devices.extend(nameable.iter().map(|d| {
            let id = d.id.to_string();
            let name = format!("{} ({}, {})", d.asset_tag, d.kind.label().to_lowercase(), d.make_model);
            let selected = id == chosen;
            (id, name, selected)
        }));
    }
    let page = ReportPage {
        layout: scope.layout(&scope.path("/incidents/new")),
        practice: scope.practice.clone(),
        kinds: choose(&kinds, &r.kind, Some("Choose one")),
        assets,
        devices,
        r,
        errors,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

pub(crate) async fn report_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::IncidentReport, "incident.report")
        .await?;
    let now = custodian_domain::time::moment_field(state.clock.now());
    let r = IncidentReport {
        discovered_at: now,
        ..Default::default()
    };
    report_form(&state, &scope, r, Errors::none()).await
}

/// The report form's fields as the use case takes them (boxes ticked are present), and the
/// asset's error when the one posted is not an id.
fn report_from(pairs: &[(String, String)]) -> (IncidentReport, Option<Errors>) {
    let ticked = |f: &str| !posted(pairs, f).is_empty();
    let asset = crate::kit::forms::posted_as(
        pairs,
        "asset_id",
        "Choose one of the practice's information assets",
    );
    let device = crate::kit::forms::posted_as(pairs, "device_id", "Choose one of the devices you hold");
    let report = IncidentReport {
        what_happened: posted(pairs, "what_happened"),
        kind: posted(pairs, "kind"),
        occurred_at: posted(pairs, "occurred_at"),
        discovered_at: posted(pairs, "discovered_at"),
        location: posted(pairs, "location"),
        patient_data: ticked("patient_data"),
        staff_data: ticked("staff_data"),
        near_miss: ticked("near_miss"),
        asset_id: asset.as_ref().ok().copied().flatten(),
        device_id: device.as_ref().ok().copied().flatten(),
        on_behalf_of: posted(pairs, "on_behalf_of"),
    };
    (report, asset.err().or(device.err()))
}

pub(crate) async fn report_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let (input, asset_error) = report_from(&pairs);
    if let Some(errors) = asset_error {
        return report_form(&state, &scope, input, errors).await;
    }
    match submitted(uc::report(&state, &scope.actor(), &input).await)? {
        Ok(i) => Ok(Redirect::to(&scope.path(&format!("/incidents/{}?reported=1", i.id))).into_response()),
        Err(errors) => report_form(&state, &scope, input, errors).await,
    }
}

/// The register's filters, as the list page and the API take them.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `reported`, `triage`, `investigating`, `contained` or `closed`.
    #[serde(default)]
    #[param(pattern = "^$|^(reported|triage|investigating|contained|closed)$")]
    pub status: String,
    /// One of the kinds.
    #[serde(default)]
    #[param(
        pattern = "^$|^(wrong_recipient|lost_or_stolen|inappropriate_access|malware_or_phishing|system_unavailable|other)$"
    )]
    pub kind: String,
    /// `yes` or `no`: graded reportable to the ICO or not.
    #[serde(default)]
    #[param(pattern = "^$|^(yes|no)$")]
    pub reportable: String,
    /// `1`: only incidents with a clock amber or red.
    #[serde(default)]
    #[param(pattern = "^$|^1?$")]
    pub clocks: String,
    /// Reported on or after this date (`YYYY-MM-DD`).
    #[serde(default)]
    pub from: String,
    /// Reported on or before this date (`YYYY-MM-DD`).
    #[serde(default)]
    pub to: String,
}

impl ListQuery {
    /// The store's filter, or the field at fault.
    pub(crate) fn filter(&self) -> Result<(IncidentFilter, bool), Errors> {
        let mut errors = Errors::none();
        let mut f = IncidentFilter {
            limit: uc::REGISTER_MAX,
            ..Default::default()
        };
        if !self.status.is_empty() {
            f.status = IncidentStatus::parse(&self.status);
            if f.status.is_none() {
                errors.0.push(field("status", "Choose a status from the list"));
            }
        }
        if !self.kind.is_empty() {
            f.kind = IncidentKind::parse(&self.kind);
            if f.kind.is_none() {
                errors.0.push(field("kind", "Choose a kind from the list"));
            }
        }
        f.reportable = match self.reportable.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.0.push(field("reportable", "Choose yes or no"));
                None
            }
        };
        let day = |s: &str, name: &str, errors: &mut Errors| {
            if s.is_empty() {
                return None;
            }
            let d = custodian_domain::time::parse_date(s);
            if d.is_none() {
                errors.0.push(field(name, "Enter a date as YYYY-MM-DD"));
            }
            d.map(custodian_domain::time::london_midnight)
        };
        f.from = day(&self.from, "from", &mut errors);
        f.until = day(&self.to, "to", &mut errors).map(|t| t + chrono::Duration::days(1));
        if errors.is_empty() {
            Ok((f, self.clocks == "1"))
        } else {
            Err(errors)
        }
    }
}

fn field(name: &str, message: &str) -> custodian_domain::FieldError {
    custodian_domain::FieldError {
        field: name.into(),
        message: message.into(),
    }
}

/// Incidents with their clocks, with only the clocks-pressing ones when asked.
pub(crate) fn with_clocks(
    state: &AppState,
    found: Vec<Incident>,
    pressing: bool,
) -> Vec<(Incident, Vec<Clock>)> {
    let now = state.clock.now();
    found
        .into_iter()
        .map(|i| {
            let c = uc::clocks(&i, now);
            (i, c)
        })
        .filter(|(_, c)| !pressing || rules::clocks_pressing(c))
        .collect()
}

/// The incidents the actor may see, with their clocks.
pub(crate) async fn listed(
    state: &AppState,
    scope: &PracticeScope,
    filter: IncidentFilter,
    pressing: bool,
) -> Result<Vec<(Incident, Vec<Clock>)>, HttpError> {
    let found = uc::list(state, &scope.actor(), filter).await?;
    Ok(with_clocks(state, found, pressing))
}

pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) reference: String,
    pub(crate) kind: &'static str,
    pub(crate) status: &'static str,
    pub(crate) reported: String,
    pub(crate) reporter: String,
    pub(crate) reportable: &'static str,
    pub(crate) clock: Option<ClockRow>,
}

#[derive(Template)]
#[template(path = "incidents/list.html")]
pub(crate) struct ListPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) register: bool,
    pub(crate) rows: Vec<Row>,
    pub(crate) q: ListQuery,
    pub(crate) statuses: Options,
    pub(crate) kinds: Options,
}

pub(crate) async fn list_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ListQuery>,
) -> Result<Response, HttpError> {
    let (errors, found) = match q.filter() {
        Ok((f, pressing)) => (Errors::none(), listed(&state, &scope, f, pressing).await?),
        Err(e) => (e, vec![]),
    };
    let rows = found
        .into_iter()
        .map(|(i, clocks)| {
            // The most pressing running clock.
            let clock = clock_rows(
                &clocks
                    .into_iter()
                    .filter(|c| c.state != ClockState::Stopped)
                    .min_by_key(|c| c.due_at)
                    .into_iter()
                    .collect::<Vec<_>>(),
            )
            .pop();
            Row {
                id: i.id.to_string(),
                reference: i.reference,
                kind: i.kind.label(),
                status: i.status.label(),
                reported: custodian_domain::time::show_datetime(i.reported_at),
                reporter: i.reported_by_name,
                reportable: match i.reportable {
                    None => "Not graded",
                    Some(true) => "Yes",
                    Some(false) => "No",
                },
                clock,
            }
        })
        .collect();
    let statuses: Vec<(&str, &str)> = IncidentStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect();
    let kinds: Vec<(&str, &str)> = IncidentKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect();
    let page = ListPage {
        layout: scope.layout(&scope.path("/incidents")),
        practice: scope.practice.clone(),
        register: scope.access.can(Permission::IncidentsView),
        rows,
        statuses: choose(&statuses, &q.status, Some("Any")),
        kinds: choose(&kinds, &q.kind, Some("Any")),
        q,
        errors,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

#[derive(Template)]
#[template(path = "incidents/incident.html")]
pub(crate) struct IncidentPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) i: Incident,
    pub(crate) just_reported: bool,
    pub(crate) details: Vec<(&'static str, String)>,
    pub(crate) clocks: Vec<ClockRow>,
    pub(crate) entries: Vec<(String, String, String)>,
    pub(crate) can_handle: bool,
    /// May read the notification draft and print the record (those who handle incidents).
    pub(crate) can_read_record: bool,
    pub(crate) likelihoods: Options,
    pub(crate) severities: Options,
    pub(crate) next_statuses: Options,
    pub(crate) now: String,
    pub(crate) evidence: crate::kit::evidence::EvidencePanel,
    pub(crate) actions: crate::kit::actions::ActionsPanel,
    pub(crate) involved: Vec<InvolvedRow>,
    pub(crate) involve_choices: InvolvedChoices,
    /// The practice's risks, to link one when closing.
    pub(crate) risks: Options,
    /// The risk the closing raised or linked: its page and title.
    pub(crate) risk: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Reported {
    #[serde(default)]
    reported: String,
}

pub(crate) async fn incident_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Query(q): Query<Reported>,
) -> Result<Response, HttpError> {
    incident_page_for(&state, &scope, &id, Errors::none(), q.reported == "1").await
}

pub(crate) async fn incident_page_for(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    errors: Errors,
    just_reported: bool,
) -> Result<Response, HttpError> {
    let (i, entries) = uc::view(state, &scope.actor(), id).await?;
    let now = state.clock.now();
    let asset_name = match i.asset_id {
        Some(a) => state
            .store
            .asset_choices(scope.id())
            .await?
            .into_iter()
            .find(|(id, _)| *id == a)
            .map(|(_, name)| name),
        None => None,
    };
    let grade_options = |labels: &[&str; 5], v: Option<i64>| -> Options {
        labels
            .iter()
            .enumerate()
            .map(|(n, l)| {
                let n = n as i64 + 1;
                (n.to_string(), format!("{n} – {l}"), v == Some(n))
            })
            .collect()
    };
    let next: Vec<(&str, &str)> = [
        IncidentStatus::Triage,
        IncidentStatus::Investigating,
        IncidentStatus::Contained,
    ]
    .iter()
    .map(|s| (s.as_str(), s.label()))
    .collect();
    let evidence = crate::kit::evidence::panel(
        state,
        scope,
        custodian_domain::evidence::Holder::Incident(i.id),
        scope.access.can(Permission::IncidentsManage),
    )
    .await?;
    let may_link = scope.access.can(Permission::IncidentsManage)
        && scope.access.can(Permission::RisksView)
        && i.closed_at.is_none();
    let risks: Vec<(String, String)> = if may_link {
        let all = custodian_store::RiskFilter {
            limit: 2_000,
            ..Default::default()
        };
        state
            .store
            .risks(scope.id(), &all)
            .await?
            .into_iter()
            .map(|r| (r.id.to_string(), r.fields.title))
            .collect()
    } else {
        vec![]
    };
    let risk = match i.risk_id {
        Some(r) => state
            .store
            .risk(scope.id(), r)
            .await?
            .map(|r| (scope.path(&format!("/risks/{}", r.id)), r.fields.title)),
        None => None,
    };
    let risk_options: Vec<(&str, &str)> =
        risks.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let actions = crate::kit::actions::panel(
        state,
        scope,
        custodian_domain::holder::Holder::Incident(i.id),
        scope.access.can(Permission::IncidentsManage),
    )
    .await?;
    let involved = involved_rows(state, scope, &i).await?;
    let involve_choices = involved_choices(state, scope, &risks).await?;
    let page = IncidentPage {
        involved,
        involve_choices,
        actions,
        risks: if risk_options.is_empty() {
            vec![]
        } else {
            choose(&risk_options, "", Some("Choose a risk"))
        },
        risk,
        evidence,
        layout: scope.layout(&scope.path("/incidents")),
        practice: scope.practice.clone(),
        clocks: clock_rows(&uc::clocks(&i, now)),
        details: details(&i, asset_name),
        entries: entries
            .into_iter()
            .map(|e: IncidentEntry| {
                (
                    custodian_domain::time::show_datetime(e.at),
                    e.by_name,
                    e.text,
                )
            })
            .collect(),
        can_handle: scope.access.can(Permission::IncidentsManage) && i.closed_at.is_none(),
        can_read_record: scope.access.can(Permission::IncidentsManage),
        likelihoods: grade_options(&rules::LIKELIHOOD, i.likelihood),
        severities: grade_options(&rules::SEVERITY, i.severity),
        next_statuses: choose(&next, "", None),
        now: custodian_domain::time::moment_field(now),
        just_reported,
        i,
        errors,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

pub(crate) fn details(i: &Incident, asset: Option<String>) -> Vec<(&'static str, String)> {
    let yes = |b: bool| if b { "Yes" } else { "No" }.to_string();
    let when = custodian_domain::time::show_datetime;
    let mut d = vec![
        ("Kind", i.kind.label().to_string()),
        ("Status", i.status.label().to_string()),
        ("What happened", i.what_happened.clone()),
        ("Where", crate::kit::history::or_dash(&i.location)),
        ("When it happened", when(i.occurred_at)),
        ("When it was found out", when(i.discovered_at)),
        (
            "Reported",
            format!("{} by {}", when(i.reported_at), i.reported_by_name),
        ),
        ("Patients' information", yes(i.patient_data)),
        ("Staff information", yes(i.staff_data)),
        ("Near miss (no data left our control)", yes(i.near_miss)),
    ];
    if let Some(who) = &i.on_behalf_of {
        d.push(("Reported on behalf of", who.clone()));
    }
    if let Some(name) = asset {
        d.push(("System or records", name));
    }
    if let (Some(l), Some(s)) = (i.likelihood, i.severity) {
        d.push((
            "Grading",
            format!(
                "Likelihood {l}, severity {s}{}: {}{}",
                if i.vulnerable { " (vulnerable groups)" } else { "" },
                if i.reportable == Some(true) {
                    "reportable to the ICO"
                } else {
                    "not reportable to the ICO"
                },
                if i.notify_dhsc == Some(true) {
                    "; DHSC to be told"
                } else {
                    ""
                }
            ),
        ));
        let types: Vec<&str> = i.breach_types.iter().map(|b| b.label()).collect();
        if !types.is_empty() {
            d.push(("Breach type", types.join(", ")));
        }
    }
    if let Some(t) = i.senior_told_at {
        d.push(("Senior management told", when(t)));
    }
    match i.ico_decision.as_deref() {
        Some("reported") => d.push((
            "ICO",
            format!(
                "Reported at {} (reference {})",
                i.ico_reported_at.map(when).unwrap_or_default(),
                i.ico_reference.clone().unwrap_or_default()
            ),
        )),
        Some(_) => d.push((
            "ICO",
            format!(
                "Not reportable: {}",
                i.ico_reason.clone().unwrap_or_default()
            ),
        )),
        None => {}
    }
    match (i.subjects_decision.as_deref(), &i.subjects_note) {
        (Some("told"), Some(n)) => d.push(("The people affected", format!("Told: {n}"))),
        (Some(_), Some(n)) => d.push(("The people affected", format!("Not to be told: {n}"))),
        _ => {}
    }
    if let Some(l) = &i.lessons {
        d.push(("Lessons learned", l.clone()));
    }
    d
}

/// A handling form's answer: back to the incident, or the page again with the errors.
async fn handled(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    result: Result<Incident, custodian_app::AppError>,
) -> Result<Response, HttpError> {
    match submitted(result)? {
        Ok(_) => Ok(Redirect::to(&scope.path(&format!("/incidents/{id}"))).into_response()),
        Err(errors) => incident_page_for(state, scope, id, errors, false).await,
    }
}

pub(crate) async fn grade_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let number = |f: &str| posted(&pairs, f).parse::<u32>().ok();
    let input = GradeInput {
        likelihood: posted(&pairs, "likelihood").parse().unwrap_or(0),
        severity: posted(&pairs, "severity").parse().unwrap_or(0),
        vulnerable: !posted(&pairs, "vulnerable").is_empty(),
        breach_types: pairs
            .iter()
            .filter(|(k, _)| k == "breach_types")
            .filter_map(|(_, v)| rules::BreachType::parse(v))
            .collect(),
        people_affected: number("people_affected"),
        records_affected: number("records_affected"),
    };
    let r = uc::grade(&state, &scope.actor(), &id, &input).await;
    handled(&state, &scope, &id, r).await
}

pub(crate) async fn ico_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let input = IcoDecision {
        reported: posted(&pairs, "decision") == "reported",
        reference: posted(&pairs, "reference"),
        reported_at: posted(&pairs, "reported_at"),
        reason: posted(&pairs, "reason"),
    };
    let r = uc::decide_ico(&state, &scope.actor(), &id, &input).await;
    handled(&state, &scope, &id, r).await
}

pub(crate) async fn people_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let input = rules::PeopleAffectedDecision {
        told: posted(&pairs, "told") == "yes",
        note: posted(&pairs, "note"),
    };
    let r = uc::decide_people_affected(&state, &scope.actor(), &id, &input).await;
    handled(&state, &scope, &id, r).await
}

pub(crate) async fn senior_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let r = uc::senior_told(&state, &scope.actor(), &id, &posted(&pairs, "told_at")).await;
    handled(&state, &scope, &id, r).await
}

pub(crate) async fn status_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let r = uc::set_status(&state, &scope.actor(), &id, &posted(&pairs, "status")).await;
    handled(&state, &scope, &id, r).await
}

pub(crate) async fn note_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let r = uc::add_note(&state, &scope.actor(), &id, &posted(&pairs, "text")).await;
    handled(&state, &scope, &id, r).await
}

pub(crate) async fn close_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let risk = match posted(&pairs, "risk").as_str() {
        "raise" => uc::RiskChoice::Raise(posted(&pairs, "new_risk_title")),
        "link" => uc::RiskChoice::Link(posted(&pairs, "risk_id")),
        _ => uc::RiskChoice::Nothing,
    };
    let r = uc::close(&state, &scope.actor(), &id, &posted(&pairs, "lessons"), risk).await;
    handled(&state, &scope, &id, r).await
}
