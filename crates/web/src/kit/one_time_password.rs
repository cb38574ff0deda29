//! The page that shows a one-time password once, to be read to its person: a starter approved,
//! a reset after the security questions, a new practice's first practice manager.

use askama::Template;

use crate::kit::layout::Layout;

#[derive(Template)]
#[template(path = "identity/otp_issued.html")]
pub(crate) struct OtpPage {
    pub(crate) layout: Layout,
    pub(crate) heading: String,
    pub(crate) intro: String,
    pub(crate) name: String,
    pub(crate) username: String,
    pub(crate) otp: String,
    pub(crate) expires: String,
    pub(crate) starts: Option<String>,
    pub(crate) back: String,
}
