//! Identity and access: signing in and the person's own account, the practice's User
//! Authorisation Process (starters, leavers, resets, administrators, settings), and their API.

pub mod account;
pub mod api;
pub mod staff;

use crate::kit::capability::Capability;
use crate::kit::routes::Routes;

/// Signing in and the person's own account, the practice's User Authorisation Process, and both
/// through the API.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(api::document),
    rooms: staff::ROOMS,
    provider_pages: &[],
};

fn routes(r: &mut Routes) {
    account::routes(r);
    staff::routes(r);
    api::routes(r);
}
