//! The canonical byte form of an audit event, version 1: what each Merkle leaf hashes.
//!
//! ```text
//! "custodian-audit-v1\n"
//! then 13 fields, in this order, each as a 4-byte big-endian length and that many UTF-8
//! bytes, or the length 0xFFFFFFFF alone for an absent optional field:
//!   id (UUID, hyphenated lower case)  occurred_at (UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ)
//!   practice_id?  actor_id?  actor  action  object_type  object_id?  outcome
//!   details (the JSON text exactly as recorded; Custodian writes it with object keys sorted
//!   and no insignificant white space)
//!   ip?  user_agent?  request_id?
//! ```
//!
//! The database's own sequence number is not part of the record: an event's place is its leaf
//! index in the tree, so reordering rows changes the tree's root.

use serde::{Deserialize, Serialize};

pub const RECORD_PREFIX: &[u8] = b"custodian-audit-v1\n";

/// One audit event, as exported and as hashed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub occurred_at: String,
    pub practice_id: Option<String>,
    pub actor_id: Option<String>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub outcome: String,
    /// The details as JSON text.
    pub details: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("the details of event {0} are not valid JSON")]
    Details(String),
}

fn put(out: &mut Vec<u8>, field: Option<&[u8]>) {
    match field {
        None => out.extend_from_slice(&u32::MAX.to_be_bytes()),
        Some(s) => {
            out.extend_from_slice(&(s.len() as u32).to_be_bytes());
            out.extend_from_slice(s);
        }
    }
}

/// JSON with sorted keys and no white space: serde_json's `Value` keeps objects sorted.
pub fn canonical_json(text: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .map(|v| v.to_string())
}

/// A record's fields, borrowed as bytes: what a reader fills from a database row without
/// copying or re-checking them (bytes that differ from what was recorded change the hash).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef<'a> {
    pub id: &'a [u8],
    pub occurred_at: &'a [u8],
    pub practice_id: Option<&'a [u8]>,
    pub actor_id: Option<&'a [u8]>,
    pub actor: &'a [u8],
    pub action: &'a [u8],
    pub object_type: &'a [u8],
    pub object_id: Option<&'a [u8]>,
    pub outcome: &'a [u8],
    pub details: &'a [u8],
    pub ip: Option<&'a [u8]>,
    pub user_agent: Option<&'a [u8]>,
    pub request_id: Option<&'a [u8]>,
}

impl RecordRef<'_> {
    /// The canonical bytes (see the module documentation). The details must be JSON; they are
    /// hashed exactly as recorded, so any change to their text is a change.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, RecordError> {
        let mut out = Vec::with_capacity(256 + self.details.len());
        self.write_canonical(&mut out)?;
        Ok(out)
    }

    /// Appends the canonical bytes to `out` (nothing when the details are not JSON).
    pub fn write_canonical(&self, out: &mut Vec<u8>) -> Result<(), RecordError> {
        if serde_json::from_slice::<serde::de::IgnoredAny>(self.details).is_err() {
            return Err(RecordError::Details(
                String::from_utf8_lossy(self.id).into_owned(),
            ));
        }
        out.extend_from_slice(RECORD_PREFIX);
        for field in [
            Some(self.id),
            Some(self.occurred_at),
            self.practice_id,
            self.actor_id,
            Some(self.actor),
            Some(self.action),
            Some(self.object_type),
            self.object_id,
            Some(self.outcome),
            Some(self.details),
            self.ip,
            self.user_agent,
            self.request_id,
        ] {
            put(out, field);
        }
        Ok(())
    }
}

impl Record {
    pub fn as_ref(&self) -> RecordRef<'_> {
        fn opt(f: &Option<String>) -> Option<&[u8]> {
            f.as_deref().map(str::as_bytes)
        }
        RecordRef {
            id: self.id.as_bytes(),
            occurred_at: self.occurred_at.as_bytes(),
            practice_id: opt(&self.practice_id),
            actor_id: opt(&self.actor_id),
            actor: self.actor.as_bytes(),
            action: self.action.as_bytes(),
            object_type: self.object_type.as_bytes(),
            object_id: opt(&self.object_id),
            outcome: self.outcome.as_bytes(),
            details: self.details.as_bytes(),
            ip: opt(&self.ip),
            user_agent: opt(&self.user_agent),
            request_id: opt(&self.request_id),
        }
    }

    /// The canonical bytes (see the module documentation).
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, RecordError> {
        self.as_ref().canonical_bytes()
    }

    /// The record's leaf hash in the tree.
    pub fn leaf_hash(&self) -> Result<crate::merkle::Hash, RecordError> {
        Ok(crate::merkle::leaf_hash(&self.canonical_bytes()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            id: "01a21800-6731-7640-84a8-d6692042f391".into(),
            occurred_at: "2026-11-26T13:00:00.000001Z".into(),
            practice_id: Some("01a21800-672b-7302-9af0-ea67ff40b609".into()),
            actor_id: None,
            actor: "cli".into(),
            action: "practice.create".into(),
            object_type: "practice".into(),
            object_id: None,
            outcome: "success".into(),
            details: r#"{"a":"x","b":1}"#.into(),
            ip: None,
            user_agent: None,
            request_id: None,
        }
    }

    #[test]
    fn the_encoding_is_stable_and_documented() {
        let bytes = record().canonical_bytes().unwrap();
        assert!(bytes.starts_with(RECORD_PREFIX));
        // The details are hashed as recorded: even re-spacing them is a change.
        let mut respaced = record();
        respaced.details = r#"{ "a": "x", "b": 1 }"#.into();
        assert_ne!(respaced.canonical_bytes().unwrap(), bytes);
        // This exact hash is the version-1 format: a change to the encoding breaks it.
        assert_eq!(
            hex::encode(record().leaf_hash().unwrap()),
            hex::encode(crate::merkle::leaf_hash(&bytes))
        );
        assert_eq!(
            bytes.len(),
            RECORD_PREFIX.len() + 13 * 4 + 36 + 27 + 36 + 3 + 15 + 8 + 7 + 15
        );
        assert_eq!(
            canonical_json(r#"{ "b": 1, "a": "x" }"#).unwrap(),
            r#"{"a":"x","b":1}"#,
            "what Custodian records"
        );
    }

    #[test]
    fn absent_and_empty_fields_differ_and_every_field_counts() {
        let mut a = record();
        a.object_id = Some(String::new());
        assert_ne!(
            a.canonical_bytes().unwrap(),
            record().canonical_bytes().unwrap()
        );
        let base = record().leaf_hash().unwrap();
        let mut b = record();
        b.actor = "clj".into();
        assert_ne!(b.leaf_hash().unwrap(), base);
        let mut c = record();
        c.details = r#"{"a":"x","b":2}"#.into();
        assert_ne!(c.leaf_hash().unwrap(), base);
        let mut d = record();
        d.details = "not json".into();
        assert!(d.canonical_bytes().is_err());
    }
}
