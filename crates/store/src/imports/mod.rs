//! Spreadsheet imports' storage: a staged file until its uploader decides, then the rows written
//! in one transaction with their events.
//!
//! Its queries are in `queries.rs`, compiled for each backend (see `backends/`).

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::*;

use crate::*;

/// Staged register files and imports into the asset and risk registers, and of the provider's
/// list of practices. A staged file belongs to its practice, or (`None`) to the provider when
/// it is a list of practices.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Keeps an uploaded register file (checked by the caller) until its uploader chooses how
    /// to import it; records the upload with `summary` (rows, valid and invalid counts).
    async fn stage_import(
        &self,
        practice: Option<PracticeId>,
        register: &str,
        file_name: &str,
        content: &[u8],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<RegisterImport>;
    async fn register_import(
        &self,
        practice: Option<PracticeId>,
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
        practice: Option<PracticeId>,
        id: ImportId,
        by: &AuditMeta,
    ) -> Result<()>;
    /// Brings practices in, each with its first practice manager, in one transaction: all of
    /// them or none (a clash of ODS codes names `ods_code`, of usernames or emails the
    /// manager's column). With `import`, marks that staged list imported. Each practice, person
    /// and membership is recorded, and the import itself with `summary`.
    async fn import_practices(
        &self,
        import: Option<ImportId>,
        practices: &[(ValidPractice, FirstManagerAccount)],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<Vec<(Practice, PracticeMember)>>;
    /// What a list of practices must not repeat: every ODS code, username and email address
    /// in use.
    async fn names_in_use(&self) -> Result<custodian_domain::practice_import::NamesInUse>;
}
