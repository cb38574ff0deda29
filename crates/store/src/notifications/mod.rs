//! Notifications' storage: each person's notices, raised and settled from what needs their
//! attention (see `custodian_app::notifications`).
//!
//! Its queries are in `queries.rs`, compiled for each backend (see `backends/`).

mod records;
pub use records::*;

use async_trait::async_trait;
use custodian_domain::notifications::{Delivery, NoticeKind};
use custodian_domain::*;

use crate::*;

/// Each person's notices.
#[async_trait]
pub trait NoticeStore: Send + Sync {
    /// Brings a practice's live notices in line with what needs each member's attention now:
    /// `wanted` holds, for each person, their items (a person not in it has none). A topic with
    /// no live notice raises one, a live one whose text changed takes the new text (it is not
    /// raised again), and a live notice whose topic is no longer wanted is settled (done). A
    /// raised notice is queued for email as its `delivery` says (an email now, or the next
    /// digest) in the same transaction: the outbox. Nothing is written when nothing changed.
    /// Returns how many were raised.
    async fn sync_notices(
        &self,
        practice: PracticeId,
        wanted: &[(PersonId, Vec<WantedNotice>)],
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

/// Email: each person's choices, the daily digests, the outbox and its delivery log.
#[async_trait]
pub trait MailStore: Send + Sync {
    /// The kinds a person chose how to hear of (the others take their default).
    async fn notice_choices(&self, person: PersonId) -> Result<Vec<(NoticeKind, Delivery)>>;
    /// Every choice anyone made, for the notices job (one read a tick: few people choose).
    async fn all_notice_choices(&self) -> Result<Vec<(PersonId, NoticeKind, Delivery)>>;
    /// Replaces a person's choices; the event commits with them.
    async fn set_notice_choices(
        &self,
        person: PersonId,
        choices: &[(NoticeKind, Delivery)],
        event: &AuditEvent,
    ) -> Result<()>;
    /// Builds the practice's digest for `day` (once, whichever server gets there first): one
    /// email per person gathering their waiting notices that are still live. `None` when that
    /// day's digest was built already; otherwise how many emails were queued.
    async fn build_digest(
        &self,
        practice: PracticeId,
        day: &str,
        now: Timestamp,
    ) -> Result<Option<usize>>;
    /// The provider's administrators whose accounts are active (an alert goes to them).
    async fn provider_administrators(&self) -> Result<Vec<PersonId>>;
    /// Queues an alert to each of `people` (provider administrators): a line and its path.
    async fn queue_alert(
        &self,
        people: &[PersonId],
        text: &str,
        path: &str,
        now: Timestamp,
    ) -> Result<usize>;
    /// Claims up to `limit` emails that are due (waiting, or claimed by a sender whose claim
    /// ran out) until `lease_until`; another server never claims the same one meanwhile.
    async fn claim_mail(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutgoingMail>>;
    /// A sender still at work extends its claim on emails it has not sent yet, until
    /// `lease_until` (emails it no longer holds are left alone).
    async fn renew_mail_claim(&self, ids: &[MailId], lease_until: Timestamp) -> Result<()>;
    /// Records emails the mail server accepted, with its answers.
    async fn mail_sent(&self, sent: &[(MailId, String)], now: Timestamp) -> Result<()>;
    /// Records an attempt that did not deliver the email: it is tried again at `retry_at`, or
    /// given up (`None`), or dropped (`dropped`: what it told of was done first).
    async fn mail_not_sent(
        &self,
        id: MailId,
        answer: &str,
        retry_at: Option<Timestamp>,
        dropped: bool,
        now: Timestamp,
    ) -> Result<()>;
    /// The delivery log, newest first: a practice's emails, or every email (`None`).
    async fn mail_log(&self, practice: Option<PracticeId>, limit: u32) -> Result<Vec<MailLogLine>>;
    /// One email's attempts, oldest first (only if it is about `practice`, when given).
    async fn mail_attempts(
        &self,
        id: MailId,
        practice: Option<PracticeId>,
    ) -> Result<Option<Vec<MailAttempt>>>;
}
