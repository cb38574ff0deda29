//! Custodian's domain: the plain types and rules of information governance in a GP practice.
//!
//! Nothing here does I/O. Everything is a value or a function that can be unit-tested without a
//! database, a clock or a network.

pub mod access;
pub mod actions;
pub mod asset_import;
pub mod assets;
pub mod audit_text;
pub mod calendar;
pub mod csv_import;
pub mod devices;
pub mod evidence;
pub mod holder;
pub mod identity;
pub mod ids;
pub mod incidents;
pub mod notifications;
pub mod page;
pub mod password;
pub mod people;
pub mod practice;
pub mod practice_import;
pub mod quarters;
pub mod risk_import;
pub mod risk_report;
pub mod risks;
pub mod settings;
mod status;
pub mod time;
pub mod totp;
pub mod validation;

pub use access::{Access, Permission, PracticeRole, ProviderRole, could_grant, may_act_on};
pub use ids::{
    AcceptanceId, AccessEntryId, AccessReviewId, ActionId, ApiTokenId, AssetId, DeviceId,
    EvidenceId, FlowId, GrantId, ImportId, IncidentId, LeaverId, MailId, NominationId, NoticeId,
    PersonId, PersonalDeviceId, PracticeId, RequestId, RiskId, RiskReviewId, SessionId, SystemId,
};
pub use page::{Cursor, Page, PageRequest};
pub use people::{AccountStatus, NewPerson, Person, PracticeMember};
pub use practice::{NewPractice, NewPracticeAndManager, Practice};
pub use validation::{FieldError, Invalid};
