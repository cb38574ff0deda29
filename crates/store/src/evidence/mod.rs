//! Evidence files' storage: the bytes once per practice and SHA-256, each attachment's row, and
//! its removal (kept, recoverable, until the scheduler deletes it for good).

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::evidence::Holder;
use custodian_domain::{EvidenceId, PracticeId};

use crate::{AuditMeta, Result, Timestamp};

#[async_trait]
pub trait EvidenceStore: Send + Sync {
    /// Keeps a file as evidence for `holder`: its bytes (once per practice and content), its row
    /// and its event, in one transaction.
    async fn attach_evidence(
        &self,
        practice: PracticeId,
        holder: Holder,
        file: &NewEvidence<'_>,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<EvidenceFile>;
    /// The files attached to `holder`, removed ones included, oldest first.
    async fn evidence_for(&self, practice: PracticeId, holder: Holder) -> Result<Vec<EvidenceFile>>;
    async fn evidence_file(
        &self,
        practice: PracticeId,
        id: EvidenceId,
    ) -> Result<Option<EvidenceFile>>;
    /// Sends a file's bytes to `to` part by part (`custodian_domain::evidence::PART_BYTES`
    /// each), in order, as one statement reads them, while the file is kept, removed or not; a
    /// part that cannot be read is sent as its error. Stops early when `to` is closed. How many
    /// parts were sent: none for a file that is not the practice's.
    async fn send_evidence(
        &self,
        practice: PracticeId,
        id: EvidenceId,
        to: &tokio::sync::mpsc::Sender<Result<Vec<u8>>>,
    ) -> Result<u32>;
    /// A file's bytes whole (its parts gathered); none for a file that is not the practice's.
    async fn evidence_content(
        &self,
        practice: PracticeId,
        id: EvidenceId,
    ) -> Result<Option<Vec<u8>>> {
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        let gather = async {
            let mut whole: Vec<u8> = Vec::new();
            while let Some(part) = rx.recv().await {
                let part: Vec<u8> = part?;
                whole.extend_from_slice(&part);
            }
            Ok::<_, crate::StoreError>(whole)
        };
        let send = async move { self.send_evidence(practice, id, &tx).await };
        let (sent, whole) = tokio::join!(send, gather);
        Ok((sent? > 0).then_some(whole?))
    }
    /// Marks a file removed (who, when, why) with its event. A file already removed is a
    /// conflict; one that is not the practice's is not found.
    async fn remove_evidence(
        &self,
        practice: PracticeId,
        id: EvidenceId,
        reason: &str,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<EvidenceFile>;
    /// Brings a removed file back, with its event. A file that is not removed is a conflict.
    async fn restore_evidence(
        &self,
        practice: PracticeId,
        id: EvidenceId,
        by: &AuditMeta,
    ) -> Result<EvidenceFile>;
    /// Deletes for good the files removed before `before`, and the bytes no file still uses;
    /// an event for each file. How many files were deleted.
    async fn purge_removed_evidence(&self, before: Timestamp, by: &AuditMeta) -> Result<u64>;
    /// The bytes kept, across every practice: how many distinct files and their total size.
    async fn evidence_storage(&self) -> Result<(i64, i64)>;
}
