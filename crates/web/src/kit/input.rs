//! The one rule for text at the boundary: before any handler runs, every value of the query
//! string, of a form body and of a JSON body is at most [`TEXT_MAX`] characters (query values
//! [`QUERY_MAX`]) and holds no control character but tab, line feed and carriage return. So a
//! NUL byte (which PostgreSQL cannot store), an escape sequence or a megabyte-long "name" is
//! refused here, naming the field, whatever register the request is for; each field's own
//! tighter limit is then checked by its domain rule. Uploaded files (multipart) are read by
//! their own importers, which apply the same rule to each cell.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use custodian_domain::validation::{TEXT_MAX, text_problem};
use custodian_domain::{FieldError, Invalid};

use crate::kit::error::HttpError;
use crate::{AppError, AppState};

/// The longest value of a query parameter (a search, a cursor, a path to return to).
pub const QUERY_MAX: usize = 2_048;

/// What is wrong with one value, if anything ([`text_problem`] is the rule).
pub fn check_value(field: &str, value: &str, max: usize) -> Option<FieldError> {
    text_problem(value, max).map(|message| FieldError {
        field: field.to_string(),
        message: format!("This {message}"),
    })
}

fn check_pairs(bytes: &[u8], max: usize, errors: &mut Vec<FieldError>) {
    for (k, v) in form_urlencoded::parse(bytes) {
        errors.extend(check_value("field name", &k, 200));
        errors.extend(check_value(&k, &v, max));
    }
}

/// Walks a JSON body; `path` is the member being read (`actions[0].what`), one buffer reused
/// down the walk, so a clean body costs no allocation per member.
fn check_json(path: &mut String, v: &serde_json::Value, errors: &mut Vec<FieldError>) {
    let depth = path.len();
    match v {
        serde_json::Value::String(s) => errors.extend(check_value(path, s, TEXT_MAX)),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                check_json(path, item, errors);
                path.truncate(depth);
            }
        }
        serde_json::Value::Object(members) => {
            for (k, item) in members {
                errors.extend(check_value("member name", k, 200));
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                check_json(path, item, errors);
                path.truncate(depth);
            }
        }
        _ => {}
    }
}

/// Writes every number with a zero fraction (`2.0`) as the integer it is (`2`): JSON counts
/// both as the same integer, and so does the API's document, but the handlers' readers take
/// an integer only without a fraction (a decimal field reads either). Whether any changed.
fn whole_numbers(v: &mut serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                *v = serde_json::Value::from(f as i64);
                true
            }
            _ => false,
        },
        serde_json::Value::Array(items) => {
            items.iter_mut().fold(false, |c, x| whole_numbers(x) | c)
        }
        serde_json::Value::Object(m) => m.values_mut().fold(false, |c, x| whole_numbers(x) | c),
        _ => false,
    }
}

/// Whether a form field holds a date (`due_on`, `start_date`, `retain_until`, `from`, `to`).
fn is_date_field(name: &str) -> bool {
    name.ends_with("_on")
        || name.ends_with("_date")
        || name.ends_with("_until")
        || matches!(name, "from" | "to")
}

/// A form's dates typed the English way (`31/12/2026`) rewritten as `YYYY-MM-DD`, which every
/// rule reads, or the form's pairs unchanged (`None`); a date typed that way that is not a real
/// day is named (31/02/2026: "February 2026 has 28 days"). Forms only: the API takes
/// `YYYY-MM-DD` as its document says.
fn uk_dates(bytes: &[u8], errors: &mut Vec<FieldError>) -> Option<String> {
    let mut changed = false;
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(bytes) {
        let iso = if is_date_field(&k) {
            match custodian_domain::time::parse_uk_date(&v) {
                Ok(Some(d)) => Some(d.to_string()),
                Ok(None) => None,
                Err(message) => {
                    errors.push(FieldError {
                        field: k.to_string(),
                        message,
                    });
                    None
                }
            }
        } else {
            None
        };
        changed |= iso.is_some();
        out.append_pair(&k, iso.as_deref().unwrap_or(&v));
    }
    changed.then(|| out.finish())
}

/// The layer that applies the rule to every request.
pub async fn refuse_unclean_text(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let mut errors = Vec::new();
    let mut req = req;
    if let Some(q) = req.uri().query() {
        check_pairs(q.as_bytes(), QUERY_MAX, &mut errors);
        // A page's filter form (GET) may carry dates typed the English way too; one that is
        // not a real day is left for the page to name beside its filter.
        if errors.is_empty() && !req.uri().path().starts_with("/api/") {
            let path = req.uri().path().to_string();
            if let Some(query) = uk_dates(q.as_bytes(), &mut Vec::new())
                && let Ok(uri) = format!("{path}?{query}").parse()
            {
                *req.uri_mut() = uri;
            }
        }
    }
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let is_form = kind == "application/x-www-form-urlencoded";
    let is_json = kind == "application/json" || kind.ends_with("+json");
    if !errors.is_empty() || !(is_form || is_json) {
        return answer(errors, req, next).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let mut body = Body::from(bytes.clone());
    if is_form {
        check_pairs(&bytes, TEXT_MAX, &mut errors);
        if errors.is_empty()
            && let Some(rewritten) = uk_dates(&bytes, &mut errors)
        {
            body = Body::from(rewritten);
        }
    } else if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
        // A body that is not JSON is left for the handler's own error.
        check_json(&mut String::new(), &v, &mut errors);
        if whole_numbers(&mut v) {
            body = Body::from(serde_json::to_vec(&v).unwrap_or_else(|_| bytes.to_vec()));
        }
    }
    answer(errors, Request::from_parts(parts, body), next).await
}

async fn answer(errors: Vec<FieldError>, req: Request, next: Next) -> Response {
    if errors.is_empty() {
        next.run(req).await
    } else {
        HttpError(AppError::Invalid(Invalid(errors))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_typed_the_english_way_become_iso_in_date_fields_only() {
        let mut errors = Vec::new();
        let out = uk_dates(
            b"due_on=31%2F12%2F2026&description=1%2F2%2F2026&from=2026-01-01",
            &mut errors,
        );
        assert_eq!(
            out.as_deref(),
            Some("due_on=2026-12-31&description=1%2F2%2F2026&from=2026-01-01")
        );
        assert!(errors.is_empty());
        assert_eq!(uk_dates(b"due_on=2026-12-31", &mut errors), None);
        uk_dates(b"start_date=31%2F02%2F2026", &mut errors);
        assert_eq!(errors[0].field, "start_date");
        assert!(errors[0].message.contains("February 2026 has 28 days"));
    }

    #[test]
    fn control_characters_and_overlong_values_are_named() {
        assert!(check_value("name", "Tom's laptop\tA\r\nB", 100).is_none());
        let nul = check_value("login", "a\u{0}b", 100).unwrap();
        assert_eq!(nul.field, "login");
        assert!(
            nul.message.contains("control characters"),
            "{}",
            nul.message
        );
        for c in ['\u{1}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}'] {
            assert!(check_value("x", &format!("a{c}"), 100).is_some(), "{c:?}");
        }
        let long = check_value("notes", &"é".repeat(101), 100).unwrap();
        assert!(long.message.contains("100 characters or fewer"));
        assert!(check_value("notes", &"é".repeat(100), 100).is_none());
    }

    #[test]
    fn whole_numbers_with_a_fraction_are_read_as_integers() {
        let mut v = serde_json::json!({"likelihood": 2.0, "ratio": 0.5, "n": [3, -4.0]});
        assert!(whole_numbers(&mut v));
        assert_eq!(
            v,
            serde_json::json!({"likelihood": 2, "ratio": 0.5, "n": [3, -4]})
        );
        let mut clean = serde_json::json!({"likelihood": 2});
        assert!(!whole_numbers(&mut clean));
    }

    #[test]
    fn json_paths_name_the_member_at_fault() {
        let v = serde_json::json!({"title": "ok", "actions": [{"what": "a\u{0}"}]});
        let mut errors = Vec::new();
        check_json(&mut String::new(), &v, &mut errors);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "actions[0].what");
    }
}
