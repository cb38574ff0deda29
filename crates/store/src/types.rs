//! Records the store reads and writes that are not domain types of their own.

use chrono::{DateTime, Utc};
use custodian_domain::{AccountStatus, PersonId, Practice, PracticeId, PracticeRole};
use serde_json::Value;

use crate::Timestamp;

/// A practice a person belongs to, with their roles there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub practice: Practice,
    pub roles: Vec<PracticeRole>,
}

/// What sign-in needs to know about an account.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub person_id: PersonId,
    pub username: String,
    pub full_name: String,
    pub status: AccountStatus,
    pub password_hash: Option<String>,
    /// The password is a one-time password (from a starter approval or a reset).
    pub must_change_password: bool,
    pub password_changed_at: Option<Timestamp>,
    pub failed_sign_ins: i64,
    pub locked_until: Option<Timestamp>,
    pub otp_expires_at: Option<Timestamp>,
    pub otp_used_at: Option<Timestamp>,
    /// A starter cannot sign in before this date.
    pub not_before: Option<chrono::NaiveDate>,
    pub mfa_enrolled: bool,
    pub has_security_answers: bool,
    pub identity_check_failures: i64,
}

/// A session to record at sign-in. Only the hash of its token is stored.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub stage: custodian_domain::identity::SessionStage,
    pub token_hash: String,
    pub person_id: PersonId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Seconds without a request after which the session ends.
    pub idle_seconds: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A live session with what every request needs of its person, read in one query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveSession {
    pub session: SessionInfo,
    pub provider_roles: Vec<custodian_domain::ProviderRole>,
    /// The practices the person currently works for, by name, with their roles in each.
    pub memberships: Vec<Membership>,
}

/// A live session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: uuid::Uuid,
    pub stage: custodian_domain::identity::SessionStage,
    pub person_id: PersonId,
    pub username: String,
    pub full_name: String,
    pub must_change_password: bool,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Who did something and from where: carried from the request (or the CLI, or the scheduler)
/// into every audit event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditMeta {
    pub actor_id: Option<PersonId>,
    /// The actor as people read it: a username, `cli`, `scheduler` or `anonymous`.
    pub actor: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl AuditMeta {
    /// An act done from the command line on this machine.
    pub fn cli() -> Self {
        AuditMeta {
            actor: "cli".into(),
            ..Default::default()
        }
    }
    /// An act done by the system itself (the scheduler, the demo seed).
    pub fn system(what: &str) -> Self {
        AuditMeta {
            actor: what.into(),
            ..Default::default()
        }
    }

    /// An event by this actor.
    pub fn event(
        &self,
        practice_id: Option<PracticeId>,
        action: &str,
        object_type: &str,
        object_id: Option<String>,
    ) -> AuditEvent {
        AuditEvent {
            meta: self.clone(),
            practice_id,
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id,
            outcome: Outcome::Success,
            details: Value::Object(Default::default()),
        }
    }
}

/// How an audited act ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "success" => Some(Outcome::Success),
            "failure" => Some(Outcome::Failure),
            "denied" => Some(Outcome::Denied),
            _ => None,
        }
    }
}

/// An event to append to the audit trail.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    pub meta: AuditMeta,
    pub practice_id: Option<PracticeId>,
    /// What happened, as `object.verb`: `practice.create`, `person.view`, `session.sign_in`.
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub outcome: Outcome,
    /// What changed (field names with old and new values; secrets named, never stored), or for
    /// a list, how many records it returned.
    pub details: Value,
}

impl AuditEvent {
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }
    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// An event as stored, with its place in the trail.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub seq: i64,
    pub id: uuid::Uuid,
    pub occurred_at: Timestamp,
    pub event: AuditEvent,
    /// The details exactly as stored (what the log's leaf hashes).
    pub details_text: String,
}

/// One of a person's sessions, for "your sessions" (never the token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: uuid::Uuid,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// What happened when a sign-in failed with a wrong password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailedSignIn {
    /// Failures since the last success or lock.
    pub failures: i64,
    /// Set when this failure locked the account.
    pub locked_until: Option<DateTime<Utc>>,
}

/// An account locked after failed sign-ins, for the practice's security page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedAccount {
    pub person_id: PersonId,
    pub full_name: String,
    pub username: String,
    pub locked_until: Option<DateTime<Utc>>,
    /// Locked out of identity checks (password reset by phone) after repeated failures.
    pub identity_checks_locked: bool,
}

/// A member of staff with what the "who has access" page shows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AccessOverview {
    pub person_id: PersonId,
    pub full_name: String,
    pub username: String,
    pub job_title: String,
    pub status: AccountStatus,
    pub roles: Vec<PracticeRole>,
    pub mfa_enrolled: bool,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub password_changed_at: Option<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
    pub open_grants: i64,
    pub joined_at: DateTime<Utc>,
}

/// A system of the practice's that staff need logins for (clinical system, NHSmail, ...).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PracticeSystem {
    pub id: uuid::Uuid,
    pub name: String,
}

/// A new-starter or mover request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AccessRequest {
    pub id: uuid::Uuid,
    /// Said aloud: STR-2026-0001 (starter) or MOV-2026-0001 (mover).
    pub reference: String,
    pub practice_id: PracticeId,
    pub kind: String,
    /// The person, once created (starter) or from the start (mover).
    pub person_id: Option<PersonId>,
    pub full_name: String,
    pub username: String,
    pub email: Option<String>,
    pub job_title: String,
    pub roles: Vec<PracticeRole>,
    pub systems: Vec<uuid::Uuid>,
    pub start_date: chrono::NaiveDate,
    pub line_manager_id: Option<PersonId>,
    pub requested_by: PersonId,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    pub status: custodian_domain::identity::RequestStatus,
    pub decided_by: Option<PersonId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
}

/// A task to create or remove a login in another system.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AccessGrant {
    pub id: uuid::Uuid,
    pub practice_id: PracticeId,
    pub person_id: PersonId,
    pub person_name: String,
    pub system_id: uuid::Uuid,
    pub system_name: String,
    /// `create` or `remove`.
    pub action: String,
    /// `open` or `done`.
    pub status: String,
    pub reason: String,
    pub opened_at: DateTime<Utc>,
    pub done_by: Option<PersonId>,
    pub done_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// A recorded leaver.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Leaver {
    pub id: uuid::Uuid,
    pub practice_id: PracticeId,
    pub person_id: PersonId,
    pub person_name: String,
    pub exit_date: chrono::NaiveDate,
    pub reason: String,
    pub recorded_by: PersonId,
    pub recorded_at: DateTime<Utc>,
    /// `scheduled`, `done` or `cancelled`.
    pub status: String,
    pub processed_at: Option<DateTime<Utc>>,
}

/// A system administrator's nomination: the DSPT 4.3.1 evidence.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AdministratorNomination {
    pub id: uuid::Uuid,
    pub practice_id: PracticeId,
    pub person_id: PersonId,
    pub person_name: String,
    pub nominated_by: PersonId,
    pub nominated_by_name: String,
    pub reason: String,
    pub nominated_at: DateTime<Utc>,
    pub mfa_enrolled: bool,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// An API token as its owner sees it (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: uuid::Uuid,
    pub person_id: PersonId,
    pub practice_id: PracticeId,
    pub name: String,
    pub permissions: Vec<custodian_domain::Permission>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// What the outcome of processing a leaver was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaverOutcome {
    /// The account was deactivated (the person has no other practice and no provider role).
    pub deactivated: bool,
    pub removal_tasks: usize,
}

/// A page of the audit log as verification reads it: its leaves, and their events' canonical
/// records, rebuilt from the rows as stored, one after another in one buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogPage {
    pub leaves: Vec<LogLeaf>,
    pub records: Vec<u8>,
}

impl LogPage {
    /// A leaf's record: its bytes, what is wrong with its row, or `None` when the row is gone.
    pub fn record<'a>(&'a self, leaf: &'a LogLeaf) -> Option<Result<&'a [u8], &'a str>> {
        match &leaf.record {
            None => None,
            Some(Ok(range)) => Some(Ok(&self.records[range.clone()])),
            Some(Err(what)) => Some(Err(what)),
        }
    }
}

/// One leaf of the audit log as verification reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLeaf {
    pub leaf_index: i64,
    pub event_seq: i64,
    /// The leaf hash recorded when the event was logged (`None` when the stored text is not a
    /// hash).
    pub leaf_hash: Option<[u8; 32]>,
    /// Where the event's record lies in its page's `records`, or what is wrong with the row;
    /// `None` when the row is gone.
    pub record: Option<std::result::Result<std::ops::Range<usize>, String>>,
}

/// A signed checkpoint as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub tree_size: i64,
    pub root_hash: String,
    pub note: String,
    pub created_at: Timestamp,
}

/// Which events to list: every filter optional; newest first, before `before_seq`.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub practice: Option<PracticeId>,
    /// With `practice`: also the events of no practice (sign-ins, password changes...) done by
    /// or to these people (the practice's staff).
    pub people: Vec<PersonId>,
    pub actor: Option<String>,
    /// An action or the start of one (`session.` for every session event).
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub before_seq: Option<i64>,
    pub limit: u32,
}

/// One run of the audit log's verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationRun {
    pub ran_at: Timestamp,
    pub ok: bool,
    pub summary: String,
}

/// An information asset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Asset {
    pub id: custodian_domain::AssetId,
    pub practice_id: PracticeId,
    #[serde(flatten)]
    pub fields: custodian_domain::assets::AssetInput,
    pub iao_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A data flow out of (or into) an asset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AssetFlow {
    pub id: uuid::Uuid,
    pub from_name: String,
    pub to_name: Option<String>,
    #[serde(flatten)]
    pub fields: custodian_domain::assets::FlowInput,
    pub created_at: DateTime<Utc>,
}

/// One "who has access and why" entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AssetAccess {
    pub id: uuid::Uuid,
    pub asset_id: custodian_domain::AssetId,
    pub role: Option<PracticeRole>,
    pub person_id: Option<PersonId>,
    pub person_name: Option<String>,
    pub level: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// Which assets to list.
#[derive(Clone, Debug, Default)]
pub struct AssetFilter {
    /// Part of the name (case-insensitive).
    pub search: Option<String>,
    pub asset_type: Option<String>,
    pub status: Option<String>,
    pub iao: Option<PersonId>,
    pub limit: u32,
}

/// What the data-quality check needs: see [`crate::AssetStore::register_facts`].
pub type RegisterFacts = (
    Vec<(
        custodian_domain::AssetId,
        custodian_domain::assets::FlowFact,
        usize,
    )>,
    Vec<(custodian_domain::AssetId, usize)>,
);

/// A signed-off review of who has access to an asset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AccessReview {
    pub id: uuid::Uuid,
    pub asset_id: custodian_domain::AssetId,
    pub reviewed_by: PersonId,
    pub reviewed_by_name: String,
    pub reviewed_at: DateTime<Utc>,
    pub confirmed: i64,
    pub removed: i64,
    pub notes: String,
}

/// A register CSV uploaded and checked, waiting for its uploader to choose how to write it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RegisterImport {
    pub id: uuid::Uuid,
    /// `assets` or `risks`.
    pub register: String,
    pub practice_id: PracticeId,
    pub uploaded_by: PersonId,
    pub uploaded_by_name: String,
    pub file_name: String,
    /// SHA-256 of the file as uploaded, in hex.
    pub sha256: String,
    /// pending, imported or discarded.
    pub status: String,
    /// Assets written, once imported.
    pub written: i64,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The file itself while it is pending; dropped once it is imported or discarded.
    #[serde(skip)]
    pub content: Option<Vec<u8>>,
}

/// A risk in the practice's risk register.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Risk {
    pub id: custodian_domain::RiskId,
    pub practice_id: PracticeId,
    /// Said aloud: RSK-0007.
    pub reference: String,
    #[serde(flatten)]
    pub fields: custodian_domain::risks::RiskInput,
    pub owner_name: String,
    /// Computed from likelihood × impact on the practice's matrix.
    pub inherent_score: i64,
    pub residual_score: i64,
    pub target_score: Option<i64>,
    #[schema(value_type = String)]
    pub next_review_on: chrono::NaiveDate,
    /// The latest acceptance, if the risk was ever accepted.
    pub acceptance: Option<RiskAcceptance>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which risks to list.
#[derive(Clone, Debug, Default)]
pub struct RiskFilter {
    pub search: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub owner: Option<PersonId>,
    /// Risks that threaten this asset.
    pub asset: Option<custodian_domain::AssetId>,
    pub limit: u32,
}

/// An action of a risk's treatment plan.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RiskAction {
    pub id: uuid::Uuid,
    pub risk_id: custodian_domain::RiskId,
    pub description: String,
    pub owner_id: PersonId,
    pub owner_name: String,
    #[schema(value_type = String)]
    pub due_on: chrono::NaiveDate,
    /// open, in_progress or done.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

/// A review of a risk.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RiskReview {
    pub id: uuid::Uuid,
    pub risk_id: custodian_domain::RiskId,
    pub reviewed_by: PersonId,
    pub reviewed_by_name: String,
    pub reviewed_at: DateTime<Utc>,
    pub residual_likelihood: i64,
    pub residual_impact: i64,
    pub residual_score: i64,
    pub scores_changed: bool,
    pub notes: String,
    #[schema(value_type = String)]
    pub next_review_on: chrono::NaiveDate,
}

/// An acceptance of a risk, signed off by the SIRO when above the practice's appetite.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RiskAcceptance {
    pub id: uuid::Uuid,
    pub risk_id: custodian_domain::RiskId,
    pub accepted_by: PersonId,
    pub accepted_by_name: String,
    pub accepted_at: DateTime<Utc>,
    /// The residual band when accepted.
    pub band: String,
    pub above_appetite: bool,
    pub reason: String,
    #[schema(value_type = String)]
    pub expires_on: chrono::NaiveDate,
}

/// A quarterly threats-and-vulnerabilities report of a practice.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RiskReport {
    pub id: uuid::Uuid,
    pub practice_id: PracticeId,
    /// `2026-Q3`.
    pub quarter: String,
    /// draft or signed.
    pub status: custodian_domain::risk_report::ReportStatus,
    pub created_at: DateTime<Utc>,
    /// Who made the draft: a username, or `scheduler`.
    pub created_by: String,
    /// The report as first produced (JSON), the baseline for next quarter's comparison.
    #[serde(skip)]
    pub snapshot: String,
    /// The practice meeting's minutes and decisions, recorded after the meeting.
    pub minutes: String,
    pub decisions: String,
    pub signed_by: Option<PersonId>,
    pub signed_by_name: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    /// The report as signed off (JSON), kept unchanged.
    #[serde(skip)]
    pub signed_report: Option<String>,
    /// SHA-256 of the signed report, in hex.
    pub signed_sha256: Option<String>,
}

/// One practice's line of the provider's risk overview.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PracticeRiskSummary {
    pub practice_id: PracticeId,
    pub practice: String,
    pub ods_code: String,
    /// The practice's settings (its matrix and its quarters).
    #[serde(skip)]
    pub settings: custodian_domain::settings::PracticeSettings,
    /// Current (not closed) risks by residual score: (score, count).
    pub residual_scores: Vec<(i64, i64)>,
    pub overdue_reviews: i64,
    /// The practice's reports for the quarters asked about: (quarter, status).
    pub reports: Vec<(String, String)>,
}

/// The canonical record (what the event's Merkle leaf hashes) of an event with the id, time and
/// details text it is stored with.
pub fn audit_record(
    id: uuid::Uuid,
    occurred_at: chrono::DateTime<chrono::Utc>,
    event: &AuditEvent,
    details_text: &str,
) -> custodian_audit::Record {
    custodian_audit::Record {
        id: id.hyphenated().to_string(),
        occurred_at: crate::backends::log_reader::canonical_time(&occurred_at),
        practice_id: event.practice_id.map(|p| p.to_string()),
        actor_id: event.meta.actor_id.map(|p| p.to_string()),
        actor: event.meta.actor.clone(),
        action: event.action.clone(),
        object_type: event.object_type.clone(),
        object_id: event.object_id.clone(),
        outcome: event.outcome.as_str().to_string(),
        details: details_text.to_string(),
        ip: event.meta.ip.clone(),
        user_agent: event.meta.user_agent.clone(),
        request_id: event.meta.request_id.clone(),
    }
}
