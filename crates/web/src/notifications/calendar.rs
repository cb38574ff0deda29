//! The person's calendar feed: the page that makes (or stops) its secret address, and the
//! address itself, which a calendar app fetches without signing in.

use super::*;
use axum::http::{HeaderMap, header};
use custodian_app::notifications::calendar as feeds;



#[derive(Template)]
#[template(path = "notifications/calendar.html")]
struct CalendarPage {
    layout: Layout,
    has_feed: bool,
    new_url: Option<String>,
}

async fn page_for(
    state: &AppState,
    user: &SignedIn,
    new_url: Option<String>,
) -> Result<Response, HttpError> {
    Ok(render(&CalendarPage {
        layout: Layout::new(user, None, "/notifications"),
        has_feed: feeds::has_feed(state, user.person_id()).await?,
        new_url,
    }))
}

pub(super) async fn calendar_page(
    State(state): State<AppState>,
    user: SignedIn,
) -> Result<Response, HttpError> {
    page_for(&state, &user, None).await
}

/// Where Custodian is reached: the configured public address, or the address of this request.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("localhost");
    format!("http://{host}")
}

pub(super) async fn open_feed(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let secret = feeds::open_feed(&state, user.person_id(), &meta).await?;
    let url = format!("{}/calendar/{secret}.ics", base_url(&state, &headers));
    page_for(&state, &user, Some(url)).await
}

pub(super) async fn stop_feed(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    feeds::close_feed(&state, user.person_id(), &meta).await?;
    Ok(Redirect::to("/notifications/calendar").into_response())
}

/// The feed: `text/calendar`, to whoever holds the address (an unknown or stopped one is not
/// found). Not cached by anything between.
pub(super) async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let secret = file.strip_suffix(".ics").unwrap_or(&file);
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(custodian_app::AppError::NotFound.into());
    }
    let body = feeds::feed(&state, secret, &base_url(&state, &headers)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}
