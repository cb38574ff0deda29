//! The records of notifications.

use custodian_domain::{NoticeId, PracticeId};

use crate::Timestamp;

/// Something that needs a person's attention in one of their practices.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub id: NoticeId,
    pub practice_id: PracticeId,
    pub practice_name: String,
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
}
