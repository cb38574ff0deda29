//! The tamper-evident log's storage: leaves, checkpoints, verification runs, events.
//!
//! Its queries are in `queries.rs`, compiled for each backend (see `backends/`).

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::*;

use crate::*;

/// The tamper-evident log over the audit events: leaves, checkpoints, verification runs.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Events not yet in the log among those with `after < seq <= up_to`, oldest first: each
    /// event's sequence number and the leaf hash computed when it was appended (`None` for
    /// events appended before hashes were stored).
    async fn unintegrated_leaves(
        &self,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<(i64, Option<String>)>>;
    /// The highest sequence number given to an event so far (0 for none).
    async fn last_event_seq(&self) -> Result<i64>;
    /// Appends leaves (event seq, leaf hash hex) after the log's current end, which must be
    /// `expected_size`; a different size (another server got there first) is a conflict.
    async fn append_leaves(&self, expected_size: i64, leaves: &[(i64, String)]) -> Result<()>;
    async fn log_size(&self) -> Result<i64>;
    /// The leaf hashes in `[from_index, to_index)`, in order.
    async fn leaf_hashes(&self, from_index: i64, to_index: i64) -> Result<Vec<String>>;
    /// Every leaf from `from_index` on, in order, with its event's canonical record, for
    /// verification: pages sent down a channel by a reader running beside the caller, ending
    /// after the last leaf or with the first error.
    fn log_leaves(&self, from_index: i64) -> tokio::sync::mpsc::Receiver<Result<LogPage>>;
    /// The leaf index of an event, once integrated.
    async fn leaf_of_event(&self, seq: i64) -> Result<Option<i64>>;
    async fn event(&self, seq: i64) -> Result<Option<StoredEvent>>;
    /// Events matching a filter, newest first.
    async fn search_events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>>;
    /// Events of one practice in a period, oldest first, with their leaf index (for export),
    /// and the events of no practice (sign-ins, password and MFA changes) of `people`, its staff.
    async fn practice_log(
        &self,
        practice: PracticeId,
        from: Timestamp,
        to: Timestamp,
        people: &[PersonId],
    ) -> Result<Vec<(i64, StoredEvent)>>;
    async fn add_checkpoint(&self, tree_size: i64, root_hash: &str, note: &str) -> Result<()>;
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>>;
    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>>;
    async fn record_verification(&self, ok: bool, summary: &str) -> Result<()>;
    async fn latest_verification(&self) -> Result<Option<VerificationRun>>;
    /// Events not in the log among those at or before `seq` (should be none once integrated).
    async fn count_unintegrated_before(&self, seq: i64) -> Result<i64>;
    /// The leaf index of the first event in the log that occurred at or after `at`; `None`
    /// when every remaining event is older.
    async fn first_leaf_since(&self, at: Timestamp) -> Result<Option<i64>>;
    /// Retention: removes the events at leaves `0..=through_leaf` that are still present and
    /// records `event` (the prune, naming the range) in the same transaction. The leaves and
    /// their hashes stay, so the tree and every checkpoint still verify. Returns how many events
    /// were removed. Only this operation gets past the database's append-only triggers.
    async fn prune_events(&self, through_leaf: i64, event: &AuditEvent) -> Result<u64>;
    /// The prune events that are in the log, with their leaf index, oldest first.
    async fn prunes(&self) -> Result<Vec<(i64, StoredEvent)>>;
}
