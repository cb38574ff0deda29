//! The records of the audit trail: events as written and as stored, the log's pages and
//! checkpoints, searches and verification runs.

use custodian_domain::{PersonId, PracticeId};
use serde_json::Value;

use crate::Timestamp;

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
