//! An export of one practice's events for a period: each event with its inclusion proof against
//! one signed checkpoint, so an auditor can check it offline, without the database and without
//! seeing any other practice's events.

use serde::{Deserialize, Serialize};

use crate::checkpoint::PublicKey;
use crate::merkle::{Hash, verify_inclusion};
use crate::record::Record;

pub const EXPORT_FORMAT: &str = "custodian-audit-export-v1";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Export {
    pub format: String,
    pub practice_id: String,
    pub from: String,
    pub to: String,
    /// The signed checkpoint every proof leads to.
    pub checkpoint: String,
    pub count: usize,
    pub events: Vec<ExportedEvent>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExportedEvent {
    pub leaf_index: u64,
    pub record: Record,
    /// The inclusion proof, hex hashes from the leaf up.
    pub proof: Vec<String>,
}

/// What an intact export holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub events: usize,
    pub tree_size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("the file is not a Custodian audit export: {0}")]
    Malformed(String),
    #[error("the checkpoint: {0}")]
    Checkpoint(#[from] crate::checkpoint::CheckpointError),
    #[error("the file says it holds {said} events but holds {found}: it was cut or added to")]
    Count { said: usize, found: usize },
    #[error("event {position} of the file (leaf {leaf}) {what}")]
    Event {
        position: usize,
        leaf: u64,
        what: String,
    },
}

/// Checks an export offline against the log's public key.
pub fn verify_export(text: &str, public_key: &str) -> Result<Verified, ExportError> {
    let export: Export =
        serde_json::from_str(text).map_err(|e| ExportError::Malformed(e.to_string()))?;
    if export.format != EXPORT_FORMAT {
        return Err(ExportError::Malformed(format!(
            "unknown format '{}'",
            export.format
        )));
    }
    let key = PublicKey::parse(public_key)?;
    let checkpoint = key.verify(&export.checkpoint)?;
    if export.count != export.events.len() {
        return Err(ExportError::Count {
            said: export.count,
            found: export.events.len(),
        });
    }
    let mut last: Option<u64> = None;
    for (i, e) in export.events.iter().enumerate() {
        let fail = |what: String| ExportError::Event {
            position: i + 1,
            leaf: e.leaf_index,
            what,
        };
        if last.is_some_and(|l| e.leaf_index <= l) {
            return Err(fail("is out of order or repeated".into()));
        }
        last = Some(e.leaf_index);
        // An event of no practice is a member of staff's own (a sign-in, a password change).
        if e.record
            .practice_id
            .as_deref()
            .is_some_and(|p| p != export.practice_id)
        {
            return Err(fail("belongs to another practice".into()));
        }
        let leaf = e.record.leaf_hash().map_err(|err| fail(err.to_string()))?;
        let proof: Vec<Hash> = e
            .proof
            .iter()
            .map(|h| hex::decode(h).ok().and_then(|v| v.try_into().ok()))
            .collect::<Option<_>>()
            .ok_or_else(|| fail("has a proof that is not a list of SHA-256 hashes".into()))?;
        verify_inclusion(
            e.leaf_index,
            checkpoint.size,
            &leaf,
            &proof,
            &checkpoint.root,
        )
        .map_err(|err| {
            fail(format!(
                "does not match the signed checkpoint ({err}): it was changed"
            ))
        })?;
    }
    Ok(Verified {
        events: export.events.len(),
        tree_size: checkpoint.size,
    })
}
