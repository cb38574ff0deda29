//! The records of the equipment register.

use chrono::{DateTime, NaiveDate, Utc};
use custodian_domain::devices::{DeviceKind, DeviceStatus};
use custodian_domain::{AssetId, DeviceId, PersonId, PracticeId};

/// A device as the register keeps it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Device {
    pub id: DeviceId,
    pub practice_id: PracticeId,
    pub asset_tag: String,
    pub kind: DeviceKind,
    pub make_model: String,
    pub serial: String,
    pub operating_system: String,
    pub os_version: String,
    pub location: String,
    /// The information asset it is part of, with its name.
    pub asset_id: Option<AssetId>,
    pub asset_name: Option<String>,
    pub notes: String,
    pub status: DeviceStatus,
    /// While issued: to whom, since when, and whether they signed for it.
    pub holder_id: Option<PersonId>,
    pub holder_name: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub signed: bool,
    /// Once disposed of: when, and how its data was destroyed.
    pub disposed_on: Option<NaiveDate>,
    pub disposal_how: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which devices to list.
#[derive(Clone, Debug, Default)]
pub struct DeviceFilter {
    pub status: Option<DeviceStatus>,
    pub kind: Option<DeviceKind>,
    /// Only those issued to this person.
    pub holder: Option<PersonId>,
    pub limit: u32,
}

/// One step of a device's custody history.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CustodyEntry {
    /// `add`, `issue`, `return`, `repair`, `restock`, `lose` or `dispose`.
    pub step: String,
    /// The day it happened.
    pub on: NaiveDate,
    /// For an issue or a return: the member of staff.
    pub person_id: Option<PersonId>,
    pub person_name: Option<String>,
    pub signed: bool,
    pub note: String,
    /// When it was recorded, and by whom.
    pub at: DateTime<Utc>,
    pub by_name: String,
}

/// A member of staff's own device, declared for the practice's work.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PersonalDevice {
    pub id: uuid::Uuid,
    pub practice_id: PracticeId,
    pub owner_id: PersonId,
    pub owner_name: String,
    pub kind: custodian_domain::devices::personal::PersonalKind,
    pub make_model: String,
    pub operating_system: String,
    /// The work it is for.
    pub purpose: String,
    pub status: custodian_domain::devices::personal::PersonalStatus,
    pub declared_at: DateTime<Utc>,
    /// The line manager's decision on the business need: who, when, the need or why not.
    pub need_by_name: Option<String>,
    pub need_at: Option<DateTime<Utc>>,
    pub need_reason: Option<String>,
    /// The last check: who, when, each item's word and answer, and the note.
    pub checked_by_name: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
    pub answers: Vec<CheckAnswer>,
    pub check_note: Option<String>,
    /// The risk the last check raised from its failed items.
    pub risk_id: Option<custodian_domain::RiskId>,
    pub approved_on: Option<NaiveDate>,
    /// When the approval runs out and the owner attests again.
    pub expires_on: Option<NaiveDate>,
    /// No longer used: when, and who confirmed access removed and work data deleted.
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by_name: Option<String>,
}

/// One item of a personal device's check and its answer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CheckAnswer {
    /// The item's word in its kind's checklist (`encryption`, `pin_changed`...).
    pub item: String,
    /// `pass`, `fail` or `not_applicable`.
    pub answer: String,
}
