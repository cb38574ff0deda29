//! The records of evidence files.

use chrono::{DateTime, Utc};
use custodian_domain::evidence::{EvidenceKind, Holder};
use custodian_domain::{EvidenceId, PracticeId};

/// A file about to be kept: its checked name and kind, its address and its bytes.
pub struct NewEvidence<'a> {
    pub filename: &'a str,
    pub kind: EvidenceKind,
    /// The SHA-256 of `bytes`, in lower-case hex.
    pub sha256: &'a str,
    pub bytes: &'a [u8],
}

/// A file attached to a record.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceFile {
    pub id: EvidenceId,
    pub practice_id: PracticeId,
    pub holder: Holder,
    pub filename: String,
    pub kind: EvidenceKind,
    pub size: i64,
    pub sha256: String,
    pub added_at: DateTime<Utc>,
    pub added_by_name: String,
    pub removed_at: Option<DateTime<Utc>>,
    pub removed_by_name: Option<String>,
    pub removed_reason: Option<String>,
}
