//! What the DPO takes out of an incident: the Art. 33(3) notification draft to copy into the
//! DSPT incident reporting tool, and the whole record to print (its evidence files are the
//! evidence capability's, which the caller adds).

use custodian_domain::Permission;
use custodian_domain::incidents::{self as rules, DraftFacts};
use custodian_store::{Incident, IncidentEntry};

use crate::{Actor, App, AppError};

/// An incident with everything a printed copy holds.
pub struct IncidentRecord {
    pub incident: Incident,
    pub timeline: Vec<IncidentEntry>,
    pub draft: String,
}

/// The practice's DPO (name and email), if one is recorded.
async fn dpo(app: &App, actor: &Actor<'_>) -> Result<Option<(String, String)>, AppError> {
    let staff = app
        .store
        .members(
            actor.practice_id(),
            &custodian_domain::PageRequest::first(1_000),
        )
        .await?;
    Ok(staff
        .items
        .into_iter()
        .find(|m| {
            m.left_at.is_none()
                && m
                    .roles
                    .contains(&custodian_domain::PracticeRole::DataProtectionOfficer)
        })
        .map(|m| {
            (
                m.person.full_name,
                m.person.email.unwrap_or_else(|| "(no email recorded)".into()),
            )
        }))
}

/// Why the whole record is read: for its notification draft, or to print it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordFor {
    NotificationDraft,
    Printing,
}

impl RecordFor {
    fn action(self) -> &'static str {
        match self {
            RecordFor::NotificationDraft => "incident.notification_draft",
            RecordFor::Printing => "incident.print",
        }
    }
}

/// One incident's whole record with the draft of its notification, filled from the record
/// (those who handle incidents). The read is recorded as what it was for.
pub async fn whole_record(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    purpose: RecordFor,
) -> Result<IncidentRecord, AppError> {
    app.require(actor, Permission::IncidentsManage, purpose.action())
        .await?;
    let (incident, timeline) = super::read_one(app, actor, id).await?;
    let measures: Vec<String> = timeline
        .iter()
        .filter(|e| !matches!(e.step.as_str(), "reported" | "graded"))
        .map(|e| {
            format!(
                "{}: {}",
                custodian_domain::time::show_datetime(e.at),
                e.text
            )
        })
        .collect();
    let draft = rules::notification_draft(&DraftFacts {
        reference: &incident.reference,
        practice: &actor.practice.name,
        kind: incident.kind,
        what_happened: &incident.what_happened,
        occurred_at: incident.occurred_at,
        discovered_at: incident.discovered_at,
        patient_data: incident.patient_data,
        staff_data: incident.staff_data,
        vulnerable: incident.vulnerable,
        breach_types: &incident.breach_types,
        people_affected: incident.people_affected,
        records_affected: incident.records_affected,
        likelihood: incident.likelihood,
        severity: incident.severity,
        dpo: dpo(app, actor).await?,
        measures,
        lessons: incident.lessons.as_deref(),
        ico_reported_at: incident.ico_reported_at,
        now: app.clock.now(),
    });
    app.record_read(actor.event(purpose.action(), "incident", Some(incident.id.to_string())))
        .await?;
    Ok(IncidentRecord {
        incident,
        timeline,
        draft,
    })
}
