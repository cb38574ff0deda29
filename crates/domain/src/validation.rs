//! Validation results that name the field at fault, so a form can link its error summary to
//! the field and the API can say which member of the body is wrong.

use serde::Serialize;

/// One problem with one field of some input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name as it appears in the form and the JSON body (e.g. `ods_code`).
    pub field: String,
    /// What is wrong, in words a practice manager understands.
    pub message: String,
}

/// Input that failed validation: every problem found, not just the first.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", summary(.0))]
pub struct Invalid(pub Vec<FieldError>);

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Invalid {
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        Invalid(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }
}

/// The longest value any text field takes (the longest note: a meeting's minutes).
pub const TEXT_MAX: usize = 20_000;

/// The one rule every text value meets, wherever it comes from (a form, the API, a CSV cell):
/// no control character but tab, line feed and carriage return (so no NUL, which PostgreSQL
/// cannot store, and no terminal escapes), and at most `max` characters. Says what is wrong.
pub fn text_problem(value: &str, max: usize) -> Option<String> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some("must not contain control characters (such as NUL)".to_string())
    } else if value.chars().count() > max {
        Some(format!("must be {max} characters or fewer"))
    } else {
        None
    }
}

/// A required text on its own (a name, a reason): present and at most `max` characters once
/// trimmed (`message` otherwise, saying what to enter), and meeting [`text_problem`]. Returns it
/// trimmed.
pub fn required_text<'a>(
    field: &str,
    value: &'a str,
    max: usize,
    message: &str,
) -> Result<&'a str, Invalid> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(Invalid::one(field, message));
    }
    match text_problem(v, max) {
        Some(problem) => Err(Invalid::one(field, format!("This {problem}"))),
        None => Ok(v),
    }
}

/// A count with its noun, singular or plural as English wants: `counted(1, "leaver", "leavers")`
/// is "1 leaver", `counted(3, …)` "3 leavers" (never "leaver(s)").
pub fn counted<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let word = if n == N::from(1) { one } else { many };
    format!("{n} {word}")
}

/// Collects field errors while checking input.
#[derive(Default, Debug)]
pub struct Checker(Vec<FieldError>);

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }
    /// Checks that a required text is present and not longer than `max` characters; returns it
    /// trimmed.
    pub fn text(&mut self, field: &str, label: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, format!("Enter {label}"));
        } else if let Some(problem) = text_problem(v, max) {
            self.fail(field, format!("{} {problem}", capitalise(label)));
        }
        v.to_string()
    }
    pub fn finish(self) -> Result<(), Invalid> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Invalid(self.0))
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
