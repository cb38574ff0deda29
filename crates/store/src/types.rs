//! Records the store reads and writes that are not domain types of their own.

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
    pub status: AccountStatus,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
}

/// A session to record at sign-in. Only the hash of its token is stored.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub token_hash: String,
    pub person_id: PersonId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A live session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
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
        AuditMeta { actor: "cli".into(), ..Default::default() }
    }
    /// An act done by the system itself (the scheduler, the demo seed).
    pub fn system(what: &str) -> Self {
        AuditMeta { actor: what.into(), ..Default::default() }
    }

    /// An event by this actor.
    pub fn event(&self, practice_id: Option<PracticeId>, action: &str, object_type: &str, object_id: Option<String>) -> AuditEvent {
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
    pub occurred_at: Timestamp,
    pub event: AuditEvent,
}
