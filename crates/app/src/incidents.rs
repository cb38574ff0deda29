//! The incident register's use cases: any member of staff reports an incident and follows
//! their own reports; those who handle incidents (DPL, DPO, Caldicott Guardian, SIRO, practice
//! manager) read every one, grade it on the NHS grid, keep its timeline and stop its clocks with
//! recorded decisions.

/// New incidents and clocks running out, for those who handle incidents.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[],
    attention: Some(attention),
};

use custodian_domain::incidents::{
    self as rules, Clock, GradeInput, GradingRule, IcoDecision,
    IncidentReport, Step,
};
use custodian_domain::notifications::NoticeKind;
use custodian_domain::{IncidentId, Permission, PracticeRole};
use custodian_store::{Incident, IncidentEntry, IncidentFilter};

use crate::home::Attention;
use crate::{Actor, App, AppError, parse_id};

/// The most incidents a register page or an API list reads at once.
pub const REGISTER_MAX: u32 = 5_000;

/// Whether the actor handles only incidents involving patients' information (a Caldicott
/// Guardian who holds no other role that handles incidents).
fn patient_data_only(actor: &Actor<'_>) -> bool {
    actor.roles.contains(&PracticeRole::CaldicottGuardian)
        && !actor.roles.iter().any(|r| {
            *r != PracticeRole::CaldicottGuardian
                && r.permissions().contains(&Permission::IncidentsManage)
        })
}

/// Incidents waiting for triage, and clocks amber or red (those who handle incidents; the
/// Caldicott Guardian for those involving patients' information).
pub fn attention<'a>(app: &'a App, actor: &'a Actor<'a>) -> crate::home::AttentionFuture<'a> {
    Box::pin(async move {
        if !actor.access.can(Permission::IncidentsManage) {
            return Ok(vec![]);
        }
        let open = IncidentFilter {
            open: true,
            limit: REGISTER_MAX,
            ..Default::default()
        };
        let only_patients = patient_data_only(actor);
        let now = app.clock.now();
        let (mut new, mut pressing) = (0, 0);
        for i in app.store.incidents(actor.practice_id(), &open).await? {
            if only_patients && !i.patient_data {
                continue;
            }
            if i.status == custodian_domain::incidents::IncidentStatus::Reported {
                new += 1;
            }
            if rules::clocks_pressing(&clocks(&i, now)) {
                pressing += 1;
            }
        }
        let mut items = Vec::new();
        if new > 0 {
            items.push(Attention {
                kind: NoticeKind::IncidentReported,
                path: "/incidents?status=reported".into(),
                text: format!("{new} incident(s) reported, waiting for triage"),
                person: None,
            });
        }
        if pressing > 0 {
            items.push(Attention {
                kind: NoticeKind::IncidentClock,
                path: "/incidents?clocks=1".into(),
                text: format!("{pressing} incident(s) with a clock running out"),
                person: None,
            });
        }
        Ok(items)
    })
}

/// An incident's clocks at `now` (the rule is the domain's `incident_clocks`).
pub fn clocks(i: &Incident, now: chrono::DateTime<chrono::Utc>) -> Vec<Clock> {
    rules::incident_clocks(
        rules::ClockFacts {
            aware: i.discovered_at,
            near_miss: i.near_miss,
            closed: i.closed_at.is_some(),
            senior_told: i.senior_told_at.is_some(),
            ico_decided: i.ico_decision.is_some(),
            subjects_decided: i.subjects_decision.is_some(),
        },
        now,
    )
}

/// Any member of staff reports an incident (for themselves, or for someone who told them).
pub async fn report(
    app: &App,
    actor: &Actor<'_>,
    input: &IncidentReport,
) -> Result<Incident, AppError> {
    app.require(actor, Permission::IncidentReport, "incident.report")
        .await?;
    let now = app.clock.now();
    let valid = input.validate(now)?;
    Ok(app
        .store
        .report_incident(
            actor.practice_id(),
            &valid,
            actor.access.person,
            now,
            actor.meta,
        )
        .await?)
}

/// The incidents the actor may see as the filter narrows them: every one for those who may read
/// the register, otherwise only their own reports. The read is recorded.
pub async fn list(
    app: &App,
    actor: &Actor<'_>,
    mut filter: IncidentFilter,
) -> Result<Vec<Incident>, AppError> {
    if !actor.access.can(Permission::IncidentsView) {
        app.require(actor, Permission::IncidentReport, "incident.list")
            .await?;
        filter.reported_by = Some(actor.access.person);
    }
    read(app, actor, filter, "incident.list").await
}

/// The register for a download, by those who may read it. The export is recorded.
pub async fn export(
    app: &App,
    actor: &Actor<'_>,
    filter: IncidentFilter,
) -> Result<Vec<Incident>, AppError> {
    app.require(actor, Permission::IncidentsView, "incident.export")
        .await?;
    read(app, actor, filter, "incident.export").await
}

async fn read(
    app: &App,
    actor: &Actor<'_>,
    mut filter: IncidentFilter,
    action: &str,
) -> Result<Vec<Incident>, AppError> {
    filter.limit = filter.limit.clamp(1, REGISTER_MAX);
    let found = app.store.incidents(actor.practice_id(), &filter).await?;
    app.record_read(
        actor
            .event(action, "incident", None)
            .details(serde_json::json!({ "count": found.len() })),
    )
    .await?;
    Ok(found)
}

/// One incident with its timeline, for those who may read the register or its reporter; to
/// anyone else it does not exist. The read is recorded.
pub async fn view(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
) -> Result<(Incident, Vec<IncidentEntry>), AppError> {
    let id: IncidentId = parse_id(id)?;
    let found = app
        .store
        .incident(actor.practice_id(), id)
        .await?
        .filter(|i| {
            actor.access.can(Permission::IncidentsView)
                || (i.reported_by == actor.access.person
                    && actor.access.can(Permission::IncidentReport))
        })
        .ok_or(AppError::NotFound)?;
    let entries = app.store.incident_entries(actor.practice_id(), id).await?;
    app.record_read(actor.event("incident.view", "incident", Some(id.to_string())))
        .await?;
    Ok((found, entries))
}

/// One step of handling, by those who handle incidents.
pub async fn handle(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    step: Step,
) -> Result<Incident, AppError> {
    app.require(actor, Permission::IncidentsManage, "incident.handle")
        .await?;
    let id: IncidentId = parse_id(id)?;
    Ok(app
        .store
        .handle_incident(actor.practice_id(), id, &step, app.clock.now(), actor.meta)
        .await?)
}

/// Grades the incident on the NHS grid; the grid says whether it is reportable.
pub async fn grade(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &GradeInput,
) -> Result<Incident, AppError> {
    input.validate()?;
    let grading = input.grading();
    let mut breach_types = input.breach_types.clone();
    breach_types.dedup();
    let step = Step::Grade {
        grading,
        assessment: grading.assess(GradingRule::default()),
        breach_types,
        people_affected: input.people_affected,
        records_affected: input.records_affected,
    };
    handle(app, actor, id, step).await
}

/// Records the ICO decision: reported (with the reference and time) or not reportable (with
/// the reason). Either stops the 72-hour clock.
pub async fn decide_ico(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &IcoDecision,
) -> Result<Incident, AppError> {
    let decision = input.validate(app.clock.now())?;
    handle(app, actor, id, Step::Ico(decision)).await
}

/// Records the Art. 34 decision: the people affected told (how) or not (why).
pub async fn decide_people_affected(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &rules::PeopleAffectedDecision,
) -> Result<Incident, AppError> {
    let step = input.step()?;
    handle(app, actor, id, step).await
}

/// Records that senior management was told (now, or at the moment given), stopping the
/// 12-hour clock.
pub async fn senior_told(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    at: &str,
) -> Result<Incident, AppError> {
    let now = app.clock.now();
    let at = if at.trim().is_empty() {
        now
    } else {
        custodian_domain::time::parse_moment(at)
            .filter(|t| *t <= now + chrono::Duration::minutes(5))
            .ok_or_else(|| {
                custodian_domain::Invalid::one(
                    "told_at",
                    "Enter when senior management was told as a date and time, not in the future",
                )
            })?
    };
    handle(app, actor, id, Step::SeniorTold { at }).await
}

/// Moves the incident on (triage, investigating, contained).
pub async fn set_status(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    status: &str,
) -> Result<Incident, AppError> {
    let step = rules::status_step(status)?;
    handle(app, actor, id, step).await
}

/// A dated note on the timeline.
pub async fn add_note(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    text: &str,
) -> Result<Incident, AppError> {
    let text = rules::note_text("text", "what was done", text)?;
    handle(app, actor, id, Step::Note(text)).await
}

/// Closes the incident with the lessons learned.
pub async fn close(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    lessons: &str,
) -> Result<Incident, AppError> {
    let lessons = rules::note_text("lessons", "the lessons learned", lessons)?;
    handle(app, actor, id, Step::Close { lessons }).await
}

/// Every practice's open incidents, reportable ones and clocks running out (provider staff).
pub async fn across_practices(
    app: &App,
    access: &custodian_domain::Access,
    meta: &custodian_store::AuditMeta,
) -> Result<Vec<rules::PracticeIncidents>, AppError> {
    app.require_access(access, meta, None, Permission::ProviderView, "provider.incidents")
        .await?;
    let now = app.clock.now();
    Ok(app
        .store
        .open_incidents_everywhere()
        .await?
        .into_iter()
        .map(|p| rules::PracticeIncidents::tally(p.practice_id, p.practice, p.ods_code, &p.open, now))
        .collect())
}
