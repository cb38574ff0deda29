//! The one error type of every use case. The web renders it (a status with a problem+json body
//! or an error page, `custodian_web::kit::error`); the CLI prints it. Internal details are for
//! the log, never for the person.

use custodian_domain::{FieldError, Invalid};
use custodian_store::StoreError;

/// What went wrong, in terms the caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not signed in (or the session ended).
    #[error("Sign in to continue.")]
    Unauthenticated,
    /// Signed in, but this person may not do this.
    #[error("You do not have permission to do this. If you need it, ask your practice manager.")]
    Forbidden,
    /// No such thing — or a thing in a practice the caller may not see, which must look the same.
    #[error("There is nothing at this address. Check it, or go back to the home page.")]
    NotFound,
    /// Input that failed validation, with every field at fault.
    #[error("{0}")]
    Invalid(Invalid),
    /// A clash with existing data (a duplicate ODS code, username...).
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// A request we cannot read (bad query string, bad cursor...).
    #[error("{0}")]
    BadRequest(String),
    /// Signed in, but sign-in is not complete (a new password, MFA...): says what to do.
    #[error("{0}")]
    Stage(&'static str),
    /// Sign-in refused: says why in words safe to show (never which of login or password).
    #[error("{0}")]
    Refused(String),
    /// Too many attempts: try later.
    #[error("{0}")]
    TooMany(String),
    /// The request came from another site.
    #[error("This request came from another site and was refused.")]
    CrossSite,
    /// Anything else: logged in full, shown as a bare 500.
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { field, message } => AppError::Conflict {
                field: field.to_string(),
                message,
            },
            StoreError::Invalid(i) => AppError::Invalid(i),
            StoreError::NotFound(_) => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(e)
    }
}

impl AppError {
    /// The fields at fault, for a form to mark or an API answer to list.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            AppError::Invalid(i) => i.0.clone(),
            AppError::Conflict { field, message } => vec![FieldError {
                field: field.clone(),
                message: message.clone(),
            }],
            _ => vec![],
        }
    }
}
