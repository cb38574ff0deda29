//! Rendering the one error type. A handler returns [`HttpError`] (an [`AppError`]); the `render_errors`
//! middleware turns it (and the framework's own rejections: unknown route, wrong method, body
//! too large, malformed JSON) into the right body for the caller: RFC 9457 problem+json under
//! `/api/`, the HTML error page elsewhere. Internal details are logged, never shown.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use custodian_domain::FieldError;
use serde::Serialize;

pub use custodian_app::AppError;

/// An [`AppError`] on its way to the caller as an HTTP answer: what every handler returns.
/// Anything that converts into an `AppError` (a store error, invalid input) converts into it,
/// so handlers use `?` on app and store calls alike.
#[derive(Debug)]
pub struct HttpError(pub AppError);

impl<E: Into<AppError>> From<E> for HttpError {
    fn from(e: E) -> Self {
        HttpError(e.into())
    }
}

/// The status that answers each kind of failure.
pub fn status(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthenticated | AppError::Refused(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden | AppError::CrossSite | AppError::Stage(_) => StatusCode::FORBIDDEN,
        AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Carried on an error response from the handler to `render_errors`.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let HttpError(e) = self;
        let status = status(&e);
        let detail = match &e {
            AppError::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                "Something went wrong on our side. It has been logged; try again, and tell your IG provider if it persists.".to_string()
            }
            other => other.to_string(),
        };
        let mut res = status.into_response();
        res.extensions_mut().insert(ErrorInfo {
            status,
            detail,
            errors: e.field_errors(),
        });
        res
    }
}

/// An RFC 9457 problem document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request path.
    pub instance: String,
    /// The request id, to quote when reporting the problem.
    pub request_id: Option<String>,
    /// The fields at fault, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

fn title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "You do not have permission to see this",
        StatusCode::UNAUTHORIZED => "Sign in to continue",
        StatusCode::UNPROCESSABLE_ENTITY => "There is a problem with what you entered",
        StatusCode::CONFLICT => "This clashes with an existing record",
        StatusCode::PAYLOAD_TOO_LARGE => "The request is too large",
        StatusCode::METHOD_NOT_ALLOWED => "This address does not accept that method",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Unsupported content type",
        StatusCode::TOO_MANY_REQUESTS => "Too many requests",
        s if s.is_server_error() => "Sorry, there is a problem with the service",
        _ => "The request could not be understood",
    }
}

/// Marks a response sent before the request's body was read to its end: the connection closes
/// after it, so a client does not send its next request into the unread rest of this one.
pub fn close_connection(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// Renders every error response in the caller's format. Runs on the way out of every route.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let is_api = path.starts_with("/api/");
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    if res.headers().get(header::CONTENT_TYPE).is_some_and(|c| {
        c.as_bytes().starts_with(b"text/html")
            || c.as_bytes().starts_with(b"application/problem+json")
    }) {
        return res; // already rendered (e.g. a form page re-shown with its errors)
    }
    let (parts, body) = res.into_parts();
    let info = match parts.extensions.get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None => {
            // A framework rejection: its text describes the caller's input, so a 4xx may show
            // it; a 5xx never shows anything.
            let text = axum::body::to_bytes(body, 16 * 1024)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&text).trim().to_string();
            let detail = match status {
                StatusCode::NOT_FOUND => {
                    "There is nothing at this address. Check it, or go back to the home page."
                        .to_string()
                }
                StatusCode::PAYLOAD_TOO_LARGE => {
                    "The request body is larger than this server accepts.".to_string()
                }
                s if s.is_server_error() => {
                    "Something went wrong on our side. Try again later.".to_string()
                }
                _ if text.is_empty() => title(status).to_string(),
                _ => text,
            };
            ErrorInfo {
                status,
                detail,
                errors: vec![],
            }
        }
    };
    let mut res = if status == StatusCode::UNAUTHORIZED && !is_api {
        // A browser without a session goes to the sign-in page, and comes back afterwards.
        let ended = parts
            .extensions
            .get::<crate::kit::session::SessionEnded>()
            .is_some();
        crate::kit::session::redirect_to_sign_in(&path_and_query, ended)
    } else if is_api {
        let problem = Problem {
            kind: "about:blank".into(),
            title: title(status).into(),
            status: status.as_u16(),
            detail: info.detail.clone(),
            instance: path,
            request_id,
            errors: info.errors.clone(),
        };
        let mut r = (status, axum::Json(problem)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        r
    } else {
        let page = crate::kit::layout::ErrorPage::new(
            status,
            title(status),
            &info.detail,
            request_id.as_deref(),
        );
        (status, page.into_html()).into_response()
    };
    // Keep headers set by the handler or inner layers (e.g. Allow on 405, Set-Cookie).
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            res.headers_mut().insert(name.clone(), value.clone());
        }
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return close_connection(res);
    }
    res
}
