//! Spreadsheet imports' storage: a staged file until its uploader decides, then the rows written
//! in one transaction with their events.
//!
//! Its queries are in `queries.rs`, compiled for each backend (see `backends/`).

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::*;

use crate::*;

/// Staged register files and imports into the asset and risk registers.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Keeps an uploaded register file (checked by the caller) until its uploader chooses how
    /// to import it; records the upload with `summary` (rows, valid and invalid counts).
    async fn stage_import(
        &self,
        practice: PracticeId,
        register: &str,
        file_name: &str,
        content: &[u8],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<RegisterImport>;
    async fn register_import(
        &self,
        practice: PracticeId,
        id: ImportId,
    ) -> Result<Option<RegisterImport>>;
    /// Writes imported assets in one transaction: all of them or none. With `import`, marks that
    /// staged file imported (once only: a second attempt is a conflict) and drops its content.
    /// Each asset's creation is recorded, and the import itself with `summary`.
    async fn import_assets(
        &self,
        practice: PracticeId,
        import: Option<ImportId>,
        assets: &[custodian_domain::assets::ValidAsset],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<usize>;
    /// Drops a staged file without importing it.
    async fn discard_import(
        &self,
        practice: PracticeId,
        id: ImportId,
        by: &AuditMeta,
    ) -> Result<()>;
}
