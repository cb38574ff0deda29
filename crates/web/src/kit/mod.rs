//! What every capability's handlers share: sessions and the practice scope, the layout and
//! rendering, forms, errors, routes, PDF writing, security headers and metrics.

pub mod actions;
pub mod capability;
pub mod csv;
pub mod entry_form;
pub mod error;
pub mod event_names;
pub mod evidence;
pub mod forms;
pub mod history;
pub mod input;
pub mod layout;
pub mod metrics;
pub mod one_time_password;
pub mod pdf;
pub mod routes;
pub mod security;
pub mod session;
pub mod upload;
