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
    /// Brings a practice's live notices in line with what needs each member's attention now:
    /// `wanted` holds, for each person, their `(topic, text)` items (a person not in it has
    /// none). A topic with no live notice raises one, a live one whose text changed takes the
    /// new text (it is not raised again), and a live notice whose topic is no longer wanted is
    /// settled (done). The changes are written in one transaction, and nothing is written when
    /// nothing changed. Returns how many were raised.
    async fn sync_notices(
        &self,
        practice: PracticeId,
        wanted: &[(PersonId, Vec<(String, String)>)],
        now: Timestamp,
    ) -> Result<usize>;
    /// A person's notices in every practice, newest first: the live ones, and with
    /// `with_settled` the settled ones too; at most `limit`.
    async fn notices(&self, person: PersonId, with_settled: bool, limit: u32)
    -> Result<Vec<Notice>>;
    /// Every practice, by name, with its live notices: how many, how many unread, the oldest.
    async fn practice_notices(&self) -> Result<Vec<PracticeNotices>>;
    /// How many of a person's live notices they have not read.
    async fn unread_notices(&self, person: PersonId) -> Result<i64>;
    /// Opens a person's calendar feed under the secret whose hash is `token_hash`, ending any
    /// feed they had; the event commits with it.
    async fn open_calendar_feed(
        &self,
        person: PersonId,
        token_hash: &str,
        event: &AuditEvent,
    ) -> Result<()>;
    /// Ends a person's calendar feed; false when they had none. The event commits with it.
    async fn close_calendar_feed(&self, person: PersonId, event: &AuditEvent) -> Result<bool>;
    /// Whether the person has a live calendar feed.
    async fn has_calendar_feed(&self, person: PersonId) -> Result<bool>;
    /// Whose live calendar feed this secret's hash opens (an active account only).
    async fn calendar_feed_owner(&self, token_hash: &str) -> Result<Option<PersonId>>;
    /// Marks one of a person's notices read and returns it; `None` when it is not theirs.
    async fn mark_notice_read(
        &self,
        person: PersonId,
        id: NoticeId,
        now: Timestamp,
    ) -> Result<Option<Notice>>;
}
