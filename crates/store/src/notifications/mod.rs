//! Notifications' storage: each person's notices, raised and settled from what needs their
//! attention (see `custodian_app::notifications`).
//!
//! Its queries are in `queries.rs`, compiled for each backend (see `backends/`).

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::*;

use crate::*;

/// Each person's notices.
#[async_trait]
pub trait NoticeStore: Send + Sync {
    /// Brings a person's live notices in a practice in line with what needs their attention now,
    /// `(topic, text)` each, in one transaction: a topic with no live notice raises one, a live
    /// one whose text changed takes the new text (it is not raised again), and a live notice
    /// whose topic is no longer there is settled (done). Returns how many were raised.
    async fn sync_notices(
        &self,
        practice: PracticeId,
        person: PersonId,
        live: &[(String, String)],
        now: Timestamp,
    ) -> Result<usize>;
    /// A person's notices in every practice, newest first: the live ones, and with
    /// `with_settled` the settled ones too; at most `limit`.
    async fn notices(&self, person: PersonId, with_settled: bool, limit: u32)
    -> Result<Vec<Notice>>;
    /// How many of a person's live notices they have not read.
    async fn unread_notices(&self, person: PersonId) -> Result<i64>;
    /// Marks one of a person's notices read; false when it is not theirs.
    async fn mark_notice_read(&self, person: PersonId, id: NoticeId, now: Timestamp)
    -> Result<bool>;
}
