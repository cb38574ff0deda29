//! Notifications: each person's list of what needs their attention (the count is in every
//! page's header), opened from here to the thing that needs doing; and the same through the
//! API under `/api/v1/me/notifications`.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_app::notifications as notes;
use custodian_domain::time::show_datetime;
use custodian_store::{Notice, PracticeNotices};
use serde::{Deserialize, Serialize};

use crate::kit::capability::{Capability, ProviderPage, Room};
use custodian_domain::Permission;
use crate::kit::error::Problem;
use crate::kit::forms::{PageQuery, Paged};
use crate::kit::layout::{Layout, PracticeAddress, render};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::{RequestMeta, SignedIn};
use crate::{AppState, HttpError};

/// The person's notifications, in pages and through the API.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(<NotificationsApi as utoipa::OpenApi>::openapi),
    rooms: &[Room {
        path: "/mail",
        title: "Emails sent",
        description: "The delivery log: every notification email, where it is, and the mail server's answers.",
        opens: |a| a.can(Permission::PracticeSettingsManage),
    }],
    provider_pages: &[
        ProviderPage {
            path: "/provider/notices",
            label: "Notifications across practices",
            opens: |a| a.can(Permission::ProviderView),
        },
        ProviderPage {
            path: "/provider/mail",
            label: "Emails sent",
            opens: |a| a.can(Permission::ProviderManage),
        },
    ],
};

mod calendar;
mod email;

fn routes(r: &mut Routes) {
    use Reach::*;
    r.get("/notifications/calendar", SignedIn, calendar::calendar_page)
        .post("/notifications/calendar", SignedIn, calendar::open_feed)
        .post("/notifications/calendar/stop", SignedIn, calendar::stop_feed)
        .get("/calendar/{file}", Public, calendar::feed)
        .get("/provider/notices", SignedIn, provider_page)
        .get("/api/v1/provider/notices", SignedIn, api_provider)
        .get("/notifications", SignedIn, list_page)
        .post("/notifications/{notice_id}/open", SignedIn, open)
        .get("/api/v1/me/notifications", SignedIn, api_list)
        .post("/api/v1/me/notifications/{notice_id}/read", SignedIn, api_read)
        .get("/notifications/email", SignedIn, email::choices_page)
        .post("/notifications/email", SignedIn, email::save_choices)
        .get("/api/v1/me/email", SignedIn, email::api_choices)
        .put("/api/v1/me/email", SignedIn, email::api_set_choices)
        .get("/provider/mail", SignedIn, email::provider_log_page)
        .get("/api/v1/provider/mail", SignedIn, email::api_provider_log);
    r.pages()
        .get("/mail", email::log_page)
        .get("/mail/{mail_id}", email::attempts_page);
    r.api()
        .get("/mail", email::api_log)
        .get("/mail/{mail_id}/attempts", email::api_attempts);
}

struct NoticeRow {
    id: String,
    text: String,
    practice: String,
    raised: String,
    unread: bool,
}

fn row(n: &Notice) -> NoticeRow {
    NoticeRow {
        id: n.id.to_string(),
        text: n.text.clone(),
        practice: n.practice_name.clone(),
        raised: show_datetime(n.done_at.unwrap_or(n.raised_at)),
        unread: n.read_at.is_none(),
    }
}

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    layout: Layout,
    notices: Vec<NoticeRow>,
    settled: Vec<NoticeRow>,
}

async fn list_page(State(state): State<AppState>, user: SignedIn) -> Result<Response, HttpError> {
    let all = notes::notices_of(&state, user.person_id(), true).await?;
    let (live, settled): (Vec<&Notice>, Vec<&Notice>) =
        all.iter().partition(|n| n.done_at.is_none());
    Ok(render(&ListPage {
        layout: Layout::new(&user, None, "/notifications"),
        notices: live.into_iter().map(row).collect(),
        settled: settled.into_iter().take(20).map(row).collect(),
    }))
}

/// Opens a notice: marks it read and goes to the thing that needs doing.
async fn open(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let id = custodian_app::parse_id(&id)?;
    let notice = notes::mark_read(&state, user.person_id(), id).await?;
    let to = format!("{}{}", notice.practice_id.home(), notice.topic);
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `true` to include the notices whose thing is done (the last 200 in all).
    #[serde(default)]
    with_done: bool,
}

#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "me", summary = "Your notifications",
    description = "What needs your attention in your practices, newest first: `topic` is the path under the practice (`/practices/{practice_id}{topic}`). A notice is done (`done_at`) when the thing no longer needs attention.",
    params(ListQuery, PageQuery), responses((status = 200, body = Paged<Notice>), (status = 401, body = Problem)))]
async fn api_list(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<Notice>>, HttpError> {
    let list = notes::notices_of(&state, user.person_id(), q.with_done).await?;
    Ok(Json(Paged::of_list(list, &page, |n| n.id.to_string())?))
}

#[utoipa::path(post, path = "/api/v1/me/notifications/{notice_id}/read", tag = "me", summary = "Mark a notification read",
    params(("notice_id" = String, Path, description = "The notice's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn api_read(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    notes::mark_read(&state, user.person_id(), custodian_app::parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

struct ProviderRow {
    home: String,
    practice: String,
    ods_code: String,
    live: i64,
    unread: i64,
    oldest: String,
}

#[derive(Template)]
#[template(path = "notifications/provider.html")]
struct ProviderNoticesPage {
    layout: Layout,
    rows: Vec<ProviderRow>,
}

async fn provider_page(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    let all = notes::across_practices(&state, &user.provider_access(), &meta).await?;
    let rows = all
        .into_iter()
        .map(|p| ProviderRow {
            home: p.practice_id.home(),
            practice: p.practice,
            ods_code: p.ods_code,
            live: p.live,
            unread: p.unread,
            oldest: p.oldest.map(show_datetime).unwrap_or_else(|| "–".into()),
        })
        .collect();
    Ok(render(&ProviderNoticesPage {
        layout: Layout::new(&user, None, "/provider/notices"),
        rows,
    }))
}

#[utoipa::path(get, path = "/api/v1/provider/notices", tag = "notifications", summary = "What is waiting in every practice",
    description = "Every practice with its notices whose thing still needs doing, how many nobody has read, and when the oldest was raised. Provider staff.",
    params(PageQuery), responses((status = 200, body = Paged<PracticeNotices>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn api_provider(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<PracticeNotices>>, HttpError> {
    let all = notes::across_practices(&state, &user.provider_access(), &meta).await?;
    Ok(Json(Paged::of_list(all, &page, |p| p.practice_id.to_string())?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_list,
        api_read,
        api_provider,
        email::api_choices,
        email::api_set_choices,
        email::api_log,
        email::api_attempts,
        email::api_provider_log
    ),
    components(schemas(
        Notice,
        PracticeNotices,
        custodian_store::MailLogLine,
        custodian_store::MailAttempt
    ))
)]
struct NotificationsApi;
