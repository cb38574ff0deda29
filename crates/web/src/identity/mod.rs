//! Identity and access: signing in and the person's own account, the practice's User
//! Authorisation Process (starters, leavers, resets, administrators, settings), and their API.

pub mod account;
pub mod api;
pub mod staff;
