//! Form errors as templates use them: the error summary at the top, the message by the field.

use custodian_domain::{FieldError, Invalid};
use serde::Deserialize;

#[derive(Clone, Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn none() -> Self {
        Errors(vec![])
    }
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        Errors(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }
    /// The message for a field, or "" (templates show it when `has`).
    pub fn message(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
            .unwrap_or("")
    }
    pub fn all(&self) -> &[FieldError] {
        &self.0
    }
    /// The status of a form page: 200, or 422 when it is shown again with errors.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

impl From<Invalid> for Errors {
    fn from(i: Invalid) -> Self {
        Errors(i.0)
    }
}

/// A list page's place: the cursor from the previous page and how many to show.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}
