//! The records of a register's spreadsheet imports.

use chrono::{DateTime, Utc};
use custodian_domain::{PersonId, PracticeId};

/// A register CSV uploaded and checked, waiting for its uploader to choose how to write it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RegisterImport {
    pub id: custodian_domain::ImportId,
    /// `assets`, `risks` or `practices`.
    pub register: String,
    /// Empty for a list of practices, which is the provider's.
    pub practice_id: Option<PracticeId>,
    pub uploaded_by: PersonId,
    pub uploaded_by_name: String,
    pub file_name: String,
    /// SHA-256 of the file as uploaded, in hex.
    pub sha256: String,
    pub status: custodian_domain::csv_import::ImportStatus,
    /// Rows written (assets, risks or practices), once imported.
    pub written: i64,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The file itself while it is pending; dropped once it is imported or discarded.
    #[serde(skip)]
    pub content: Option<Vec<u8>>,
}
