//! Identity and access: the practices' User Authorisation Process.

pub mod administrators;
pub mod leavers;
pub mod resets;
pub mod starters;

pub use administrators::nominate_administrator;
pub use leavers::{process_due_leavers, record_leaver};
pub use resets::{IdentityCheck, verify_identity};
pub use starters::{approve_request, reject_request, request_access};
