//! Form errors as templates use them: the error summary at the top, the message by the field.

use custodian_domain::{FieldError, Invalid};
use serde::Deserialize;
use utoipa::IntoParams;

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
    /// Whether any of these fields (their names apart by spaces) has an error: a folded form
    /// opens again when one of its own fields has a problem.
    pub fn any_of(&self, fields: &str) -> bool {
        fields.split_whitespace().any(|f| self.has(f))
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
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page; absent for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// How many items a page holds, 1 to 200 (default 50).
    #[serde(default)]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The page asked for, or the error naming `cursor` or `limit`.
    pub fn request(&self) -> Result<custodian_domain::PageRequest, Invalid> {
        custodian_domain::PageRequest::parse(self.cursor.as_deref(), self.limit)
    }
}

/// One page of a list: what every list endpoint of the API answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to read the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Paged<T> {
    /// A page of a list read whole in its own order, each item named by a unique key (its id).
    pub fn of_list(
        rows: Vec<T>,
        q: &PageQuery,
        key_of: impl Fn(&T) -> String,
    ) -> Result<Self, crate::AppError> {
        let request = q.request()?;
        // A cursor in the server's form whose row has gone (or never was): the list has changed
        // since; a conflict with its state, not a malformed request.
        let page = custodian_domain::Page::of_list(rows, &request, key_of).map_err(|gone| {
            crate::AppError::Conflict {
                field: "cursor".into(),
                message: gone.0.into_iter().map(|e| e.message).collect(),
            }
        })?;
        Ok(Paged {
            items: page.items,
            next_cursor: page.next_cursor,
        })
    }
}

/// The value a form posted for `field`, trimmed; empty when it posted none. (Forms whose
/// fields repeat, or that map onto a register's input, read their pairs with this.)
pub fn posted(pairs: &[(String, String)], field: &str) -> String {
    pairs
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// The value a form posted for `field` read as a `T` (an id, a role), or `None` when it posted
/// none; a value that is not one is the field's error, saying `choose`.
pub fn posted_as<T: std::str::FromStr>(
    pairs: &[(String, String)],
    field: &str,
    choose: &str,
) -> Result<Option<T>, Errors> {
    match posted(pairs, field).as_str() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| Errors::one(field, choose)),
    }
}

/// A select's options as templates show them: (value, label, selected).
pub type Options = Vec<(String, String, bool)>;

/// The options of a select from (value, label) pairs with `current` selected, after a blank
/// first option when `blank` names one.
pub fn choose(list: &[(&str, &str)], current: &str, blank: Option<&str>) -> Options {
    let mut v: Options = blank
        .map(|b| vec![(String::new(), b.to_string(), current.is_empty())])
        .unwrap_or_default();
    v.extend(
        list.iter()
            .map(|(k, l)| (k.to_string(), l.to_string(), *k == current)),
    );
    v
}

/// A form's submission as a handler answers it: `Ok(Ok(value))` when the use case succeeded,
/// `Ok(Err(errors))` when the input was invalid, or clashed with the register's state on a
/// field (a conflict), and the form is to be shown again with the fields marked, and `Err` for
/// anything else (refused permission, not found, an internal error), which answers as an error
/// page.
pub fn submitted<T>(
    result: Result<T, custodian_app::AppError>,
) -> Result<Result<T, Errors>, crate::HttpError> {
    use custodian_app::AppError;
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(AppError::Invalid(i)) => Ok(Err(i.into())),
        Err(AppError::Conflict { field, message }) => Ok(Err(Errors::one(&field, message))),
        Err(e) => Err(e.into()),
    }
}

/// The practice in an API path, as the OpenAPI document describes it.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PracticeParam {
    /// The practice's id
    pub practice_id: String,
}
