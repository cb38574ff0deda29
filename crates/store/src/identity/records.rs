//! The records of people, sessions, tokens, starters, leavers and administrators.

use chrono::{DateTime, Utc};
use custodian_domain::{
    AccountStatus, ApiTokenId, GrantId, LeaverId, NominationId, PersonId, Practice, PracticeId,
    PracticeRole, RequestId, SessionId, SystemId,
};

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
    pub id: SessionId,
    pub stage: custodian_domain::identity::SessionStage,
    pub person_id: PersonId,
    pub username: String,
    pub full_name: String,
    pub must_change_password: bool,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// One of a person's sessions, for "your sessions" (never the token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: SessionId,
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
    pub id: SystemId,
    pub name: String,
}

/// A new-starter or mover request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AccessRequest {
    pub id: RequestId,
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
    pub systems: Vec<SystemId>,
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
    pub id: GrantId,
    pub practice_id: PracticeId,
    pub person_id: PersonId,
    pub person_name: String,
    pub system_id: SystemId,
    pub system_name: String,
    /// `create` or `remove`.
    pub action: String,
    /// `open` or `done`.
    pub status: custodian_domain::identity::GrantStatus,
    pub reason: String,
    pub opened_at: DateTime<Utc>,
    pub done_by: Option<PersonId>,
    pub done_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// A recorded leaver.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Leaver {
    pub id: LeaverId,
    pub practice_id: PracticeId,
    pub person_id: PersonId,
    pub person_name: String,
    pub exit_date: chrono::NaiveDate,
    pub reason: String,
    pub recorded_by: PersonId,
    pub recorded_at: DateTime<Utc>,
    /// `scheduled`, `done` or `cancelled`.
    pub status: custodian_domain::identity::LeaverStatus,
    pub processed_at: Option<DateTime<Utc>>,
}

/// A system administrator's nomination: the DSPT 4.3.1 evidence.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AdministratorNomination {
    pub id: NominationId,
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
    pub id: ApiTokenId,
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
