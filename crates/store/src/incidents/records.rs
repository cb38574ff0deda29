//! The records of the incident register.

use chrono::{DateTime, Utc};
use custodian_domain::incidents::{BreachType, IncidentKind, IncidentStatus};
use custodian_domain::{AssetId, IncidentId, PersonId, PracticeId, RiskId};

/// An incident as the register keeps it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Incident {
    pub id: IncidentId,
    pub practice_id: PracticeId,
    /// Said on the phone: INC-2026-0042.
    pub reference: String,
    pub kind: IncidentKind,
    pub status: IncidentStatus,
    pub what_happened: String,
    pub location: String,
    pub occurred_at: DateTime<Utc>,
    /// When the reporter found out: the practice's clocks start here.
    pub discovered_at: DateTime<Utc>,
    pub reported_at: DateTime<Utc>,
    pub reported_by: PersonId,
    pub reported_by_name: String,
    /// Who told the reporter, when they reported for someone else.
    pub on_behalf_of: Option<String>,
    pub patient_data: bool,
    pub staff_data: bool,
    pub near_miss: bool,
    pub asset_id: Option<AssetId>,
    /// The grading, once graded.
    pub likelihood: Option<i64>,
    pub severity: Option<i64>,
    pub vulnerable: bool,
    pub reportable: Option<bool>,
    pub notify_dhsc: Option<bool>,
    pub breach_types: Vec<BreachType>,
    pub people_affected: Option<i64>,
    pub records_affected: Option<i64>,
    pub senior_told_at: Option<DateTime<Utc>>,
    /// `reported` or `not_reportable`, once decided.
    pub ico_decision: Option<String>,
    pub ico_reference: Option<String>,
    pub ico_reported_at: Option<DateTime<Utc>>,
    pub ico_reason: Option<String>,
    /// The Art. 34 decision: `told` or `not_told`, with how or why.
    pub subjects_decision: Option<String>,
    pub subjects_note: Option<String>,
    pub lessons: Option<String>,
    /// The risk its closing raised or linked in the risk register.
    pub risk_id: Option<RiskId>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// Which incidents to list.
#[derive(Clone, Debug, Default)]
pub struct IncidentFilter {
    /// Only those this person reported (a reporter's own list).
    pub reported_by: Option<PersonId>,
    pub status: Option<IncidentStatus>,
    pub kind: Option<IncidentKind>,
    /// Only those not closed.
    pub open: bool,
    pub reportable: Option<bool>,
    /// Reported on or after, and before.
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: u32,
}

/// One dated entry of an incident's timeline.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct IncidentEntry {
    pub at: DateTime<Utc>,
    pub by_name: String,
    /// `reported`, `status`, `graded`, `senior_told`, `ico_decision`, `note` or `closed`.
    pub step: String,
    pub text: String,
}

/// A practice and its open incidents: see [`crate::IncidentStore::open_incidents_everywhere`].
#[derive(Clone, Debug)]
pub struct PracticeOpenIncidents {
    pub practice_id: PracticeId,
    pub practice: String,
    pub ods_code: String,
    pub open: Vec<custodian_domain::incidents::OpenIncident>,
}

/// A member of staff, an asset or a risk an incident involves, with its name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct InvolvedEntry {
    #[serde(skip)]
    pub involved: custodian_domain::incidents::Involved,
    /// `person`, `asset` or `risk`.
    pub kind: &'static str,
    pub id: uuid::Uuid,
    /// The person's full name, the asset's name or the risk's reference and title.
    pub name: String,
}
