//! The records of notifications.

use custodian_domain::notifications::{Delivery, MailKind, MailStatus, NoticeKind};
use custodian_domain::{MailId, NoticeId, PersonId, PracticeId};

use crate::Timestamp;

/// Something that needs a person's attention in one of their practices.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub id: NoticeId,
    pub practice_id: PracticeId,
    pub practice_name: String,
    pub kind: NoticeKind,
    /// Where it points, under the practice (`/requests`).
    pub topic: String,
    /// What needs doing, in a line (counts and kinds, never personal details).
    pub text: String,
    #[schema(value_type = String, format = DateTime)]
    pub raised_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<Timestamp>,
    /// When the thing it is about stopped needing attention.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<Timestamp>,
}

/// One practice's line of the provider's view: what is waiting for someone's attention there.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PracticeNotices {
    pub practice_id: PracticeId,
    pub practice: String,
    pub ods_code: String,
    /// Notices whose thing still needs doing.
    pub live: i64,
    /// Of those, the ones nobody they are for has read.
    pub unread: i64,
    /// When the oldest of them was raised.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub oldest: Option<Timestamp>,
    /// Emails about the practice waiting to be sent (or tried again).
    pub mail_waiting: i64,
    /// Emails about the practice the mail server refused for good.
    pub mail_failed: i64,
}

/// A notice a practice member should have, as the notices job works it out: what it is about,
/// where it points, its line, and how the person hears of it beyond Custodian's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WantedNotice {
    pub kind: NoticeKind,
    pub topic: String,
    pub text: String,
    pub delivery: Delivery,
}

/// One notice an email tells of, as the sender reads it to write the email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailNotice {
    pub practice_name: String,
    pub practice_id: PracticeId,
    pub topic: String,
    pub text: String,
    /// Whether the thing is done (a digest leaves it out; an email of nothing but done
    /// things is not sent).
    pub done: bool,
}

/// An email the sender has claimed: to whom and what it tells of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMail {
    pub id: MailId,
    pub kind: MailKind,
    pub person_id: PersonId,
    /// The person's address now; `None` when it was removed since the email was queued.
    pub to: Option<String>,
    /// The attempt this is (1 for the first).
    pub attempt: u32,
    pub notices: Vec<MailNotice>,
    /// An alert's line and its path (from the site's root).
    pub alert: Option<(String, String)>,
}

/// One email in the delivery log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MailLogLine {
    pub id: MailId,
    pub kind: MailKind,
    pub status: MailStatus,
    /// Whom it is for.
    pub recipient: String,
    /// The practice it is about, if one.
    pub practice: Option<String>,
    /// What it tells of: the notice's line, "N notices" for a digest, or the alert's line.
    pub about: String,
    pub attempts: i64,
    /// The mail server's last answer (or why it was not sent).
    pub last_answer: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub queued_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: Timestamp,
}

/// One attempt to hand an email to the mail server.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MailAttempt {
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// `sent`, `retry`, `failed` or `dropped`.
    pub outcome: String,
    pub answer: String,
}
