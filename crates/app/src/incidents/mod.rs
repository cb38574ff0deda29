//! The incident register's use cases: any member of staff reports an incident and follows
//! their own reports; those who handle incidents (DPL, DPO, Caldicott Guardian, SIRO, practice
//! manager) read every one, grade it on the NHS grid, keep its timeline and stop its clocks with
//! recorded decisions.

/// New incidents and clocks running out, for those who handle incidents.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[],
    attention: Some(attention),
};

use custodian_domain::validation::counted;
use custodian_domain::incidents::{
    self as rules, Clock, GradeInput, GradingRule, IcoDecision, IncidentKind, Involved,
    IncidentReport, Step,
};
use custodian_domain::devices::Custody;
use custodian_domain::notifications::NoticeKind;
use custodian_domain::{IncidentId, Invalid, Permission, PracticeRole};
use custodian_store::{Incident, IncidentEntry, IncidentFilter};

mod follow_up;
pub use follow_up::*;

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
            items.push(Attention::problem(
                NoticeKind::IncidentReported,
                "/incidents?status=reported",
                format!("{} reported, waiting for triage", counted(new, "incident", "incidents")),
            ));
        }
        if pressing > 0 {
            items.push(Attention::problem(
                NoticeKind::IncidentClock,
                "/incidents?clocks=1",
                format!("{} with a clock running out", counted(pressing, "incident", "incidents")),
            ));
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
    let (practice, person) = (actor.practice_id(), actor.access.person);
    let Some(device) = input.device_id else {
        return Ok(app
            .store
            .report_incident(practice, &valid, person, now, actor.meta)
            .await?);
    };
    // A device the reporter holds, or any for those who run the register; another is not
    // theirs to name.
    let named = app
        .store
        .device(practice, device)
        .await?
        .filter(|d| {
            d.holder_id == Some(person) || actor.access.can(Permission::DevicesManage)
        })
        .ok_or_else(|| Invalid::one("device_id", "Choose one of the devices you hold"))?;
    let lost = valid.kind == IncidentKind::LostOrStolen
        && Custody::Lose { on: app.today() }.allowed_from(named.status).is_ok();
    if lost {
        // Marked lost in the register as it is reported, on the day it happened.
        let on = custodian_domain::identity::london_today(valid.occurred_at);
        let (_, id) = app
            .store
            .lose_device(practice, device, on, &valid, person, now, actor.meta)
            .await?;
        return app.store.incident(practice, id).await?.ok_or(AppError::NotFound);
    }
    Ok(app
        .store
        .report_incident_involving(practice, &valid, person, Involved::Device(device), now, actor.meta)
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

/// Whether the actor may read this incident: those who read the register, and its reporter.
fn may_read(actor: &Actor<'_>, i: &Incident) -> bool {
    actor.access.can(Permission::IncidentsView)
        || (i.reported_by == actor.access.person && actor.access.can(Permission::IncidentReport))
}

/// Who may use an incident's evidence: those who may read it read its files and attach more
/// (a reporter adds the photo of the misdirected letter); those who handle incidents remove
/// them. To anyone else the incident does not exist.
pub async fn evidence_use(
    app: &App,
    actor: &Actor<'_>,
    id: IncidentId,
    use_: custodian_domain::evidence::EvidenceUse,
) -> Result<(), AppError> {
    app.store
        .incident(actor.practice_id(), id)
        .await?
        .filter(|i| may_read(actor, i))
        .ok_or(AppError::NotFound)?;
    if use_ == custodian_domain::evidence::EvidenceUse::Remove {
        app.require(actor, Permission::IncidentsManage, "evidence.remove")
            .await?;
    }
    Ok(())
}

/// The incident register's rule for an incident's actions: those who may read the incident
/// read them, those who handle incidents add and change them, and whoever an action is given to
/// updates it, whether or not they read the register; to anyone else the incident does not
/// exist. Actions cannot be due before the incident was reported: that date.
pub async fn action_rule(
    app: &App,
    actor: &Actor<'_>,
    id: IncidentId,
    action: &str,
    use_: custodian_domain::actions::ActionUse,
) -> Result<(chrono::NaiveDate, &'static str), AppError> {
    use custodian_domain::actions::ActionUse;
    let incident = app
        .store
        .incident(actor.practice_id(), id)
        .await?
        .filter(|i| use_ == ActionUse::ChangeOwn || may_read(actor, i))
        .ok_or(AppError::NotFound)?;
    if use_ == ActionUse::Change {
        app.require(actor, Permission::IncidentsManage, action)
            .await?;
    }
    let reported = custodian_domain::identity::london_today(incident.reported_at);
    Ok((reported, "the incident was reported"))
}

/// One incident with its timeline, for those who may read the register or its reporter; to
/// anyone else it does not exist. The read is recorded.
pub async fn view(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
) -> Result<(Incident, Vec<IncidentEntry>), AppError> {
    let (found, entries) = read_one(app, actor, id).await?;
    app.record_read(actor.event("incident.view", "incident", Some(found.id.to_string())))
        .await?;
    Ok((found, entries))
}

/// One incident and its timeline, if the actor may read it (not recorded: the caller records
/// what the read was for).
async fn read_one(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
) -> Result<(Incident, Vec<IncidentEntry>), AppError> {
    let id: IncidentId = parse_id(id)?;
    let found = app
        .store
        .incident(actor.practice_id(), id)
        .await?
        .filter(|i| may_read(actor, i))
        .ok_or(AppError::NotFound)?;
    let entries = app.store.incident_entries(actor.practice_id(), id).await?;
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

/// What closing an incident does in the risk register.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RiskChoice {
    /// Nothing: no risk follows from it.
    #[default]
    Nothing,
    /// Links an existing risk of the practice (by its id).
    Link(String),
    /// Raises a new risk with this title, filled from the incident (see
    /// [`rules::risk_from`]); the handler refines it in the register.
    Raise(String),
}

/// Closes the incident with the lessons learned, raising or linking a risk in the same step.
pub async fn close(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    lessons: &str,
    risk: RiskChoice,
) -> Result<Incident, AppError> {
    app.require(actor, Permission::IncidentsManage, "incident.handle")
        .await?;
    let lessons = rules::note_text("lessons", "the lessons learned", lessons)?;
    let incident = app
        .store
        .incident(actor.practice_id(), parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    if incident.closed_at.is_some() {
        return Err(AppError::Conflict {
            field: "status".into(),
            message: "This incident is closed: it takes no more steps".into(),
        });
    }
    let risk = match risk {
        RiskChoice::Nothing => None,
        RiskChoice::Link(risk_id) => Some(linked_risk(app, actor, &risk_id).await?),
        RiskChoice::Raise(title) => Some(raised_risk(app, actor, &incident, &lessons, &title).await?),
    };
    handle(app, actor, id, Step::Close { lessons, risk }).await
}

async fn linked_risk(
    app: &App,
    actor: &Actor<'_>,
    risk_id: &str,
) -> Result<rules::ClosingRisk, AppError> {
    let choose = || custodian_domain::Invalid::one("risk_id", "Choose one of the practice's risks");
    if risk_id.trim().is_empty() {
        return Err(choose().into());
    }
    let risk = crate::risks::load(app, actor, risk_id.trim())
        .await
        .map_err(|e| match e {
            AppError::NotFound => choose().into(),
            e => e,
        })?;
    Ok(rules::ClosingRisk {
        id: risk.id,
        title: risk.fields.title,
        raised: false,
    })
}

async fn raised_risk(
    app: &App,
    actor: &Actor<'_>,
    i: &Incident,
    lessons: &str,
    title: &str,
) -> Result<rules::ClosingRisk, AppError> {
    if title.trim().is_empty() {
        return Err(custodian_domain::Invalid::one("new_risk_title", "Give the new risk a title").into());
    }
    let (matrix, _) = crate::risks::matrix_of(app, actor).await?;
    let facts = rules::RiskFacts {
        reference: &i.reference,
        kind: i.kind,
        severity: i.severity,
        breach_types: &i.breach_types,
        asset_id: i.asset_id,
        lessons,
    };
    let input = rules::risk_from(&facts, title, matrix.size());
    let risk = crate::risks::create_risk(app, actor, &input)
        .await
        .map_err(|e| match e {
            // The title is the only field the handler typed here.
            AppError::Invalid(mut i) => {
                for f in &mut i.0 {
                    if f.field == "title" {
                        f.field = "new_risk_title".into();
                    }
                }
                AppError::Invalid(i)
            }
            e => e,
        })?;
    Ok(rules::ClosingRisk {
        id: risk.id,
        title: risk.fields.title,
        raised: true,
    })
}

/// Links who or what the incident involved: a member of staff, an information asset or a risk
/// of the practice (those who handle incidents).
pub async fn involve(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    who: Involved,
) -> Result<(), AppError> {
    app.require(actor, Permission::IncidentsManage, "incident.involve")
        .await?;
    let id: IncidentId = parse_id(id)?;
    let at = app.clock.now();
    Ok(app
        .store
        .involve_in_incident(actor.practice_id(), id, who, at, actor.meta)
        .await?)
}

/// Removes a link (those who handle incidents).
pub async fn release(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    who: Involved,
) -> Result<(), AppError> {
    app.require(actor, Permission::IncidentsManage, "incident.release")
        .await?;
    let id: IncidentId = parse_id(id)?;
    let at = app.clock.now();
    Ok(app
        .store
        .release_from_incident(actor.practice_id(), id, who, at, actor.meta)
        .await?)
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
