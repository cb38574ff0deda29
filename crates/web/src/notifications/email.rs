//! Email: each person's choice of how they hear of each kind of notice (page and API), the
//! practice's delivery log (practice manager) and every practice's (provider administrators).

use super::*;
use axum::Form;
use custodian_app::notifications::email::{self as mail, EmailChoice};
use custodian_domain::notifications::Delivery;
use custodian_store::{MailAttempt, MailLogLine};

use crate::kit::forms::Errors;
use crate::kit::layout::render_with;
use crate::kit::session::{InPractice, PracticeScope};

#[derive(Template)]
#[template(path = "notifications/email.html")]
struct ChoicesPage {
    layout: Layout,
    errors: Errors,
    choices: Vec<EmailChoice>,
    saved: bool,
}

/// The three ways, as the page offers them.
const WAYS: [(&str, &str); 3] = [
    ("immediate", "At once"),
    ("digest", "In the daily digest"),
    ("off", "Not by email"),
];

impl ChoicesPage {
    fn ways(&self) -> &'static [(&'static str, &'static str)] {
        &WAYS
    }
}

#[derive(Deserialize)]
pub(super) struct SavedQuery {
    #[serde(default)]
    done: Option<String>,
}

pub(super) async fn choices_page(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<SavedQuery>,
) -> Result<Response, HttpError> {
    Ok(render(&ChoicesPage {
        layout: Layout::new(&user, None, "/notifications"),
        errors: Errors::none(),
        choices: mail::email_choices(&state, user.person_id()).await?,
        saved: q.done.is_some(),
    }))
}

pub(super) async fn save_choices(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let wanted: Vec<(String, String)> = pairs.into_iter().collect();
    let result = mail::set_email_choices(&state, user.person_id(), &meta, &wanted).await;
    match crate::kit::forms::submitted(result)? {
        Ok(_) => Ok(Redirect::to("/notifications/email?done=1").into_response()),
        Err(errors) => Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ChoicesPage {
                layout: Layout::new(&user, None, "/notifications"),
                errors,
                choices: mail::email_choices(&state, user.person_id()).await?,
                saved: false,
            },
        )),
    }
}

/// How you hear of each kind of notice.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct EmailChoices {
    choices: Vec<EmailChoice>,
}

/// New choices; kinds not named keep theirs.
#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct NewEmailChoices {
    choices: Vec<NewEmailChoice>,
}

/// How to hear of one kind of notice.
#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct NewEmailChoice {
    kind: custodian_domain::notifications::NoticeKind,
    delivery: Delivery,
}

#[utoipa::path(get, path = "/api/v1/me/email", tag = "me", summary = "How you hear of each kind of notice by email",
    description = "Every kind of notice with your choice (or its default): at once, in the daily digest, or not by email. A kind one of your practices requires cannot be off.",
    responses((status = 200, body = EmailChoices), (status = 401, body = Problem)))]
pub(super) async fn api_choices(
    State(state): State<AppState>,
    user: SignedIn,
) -> Result<Json<EmailChoices>, HttpError> {
    Ok(Json(EmailChoices {
        choices: mail::email_choices(&state, user.person_id()).await?,
    }))
}

#[utoipa::path(put, path = "/api/v1/me/email", tag = "me", summary = "Choose how you hear of kinds of notice by email",
    request_body = NewEmailChoices,
    responses((status = 200, body = EmailChoices), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn api_set_choices(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Json(body): Json<NewEmailChoices>,
) -> Result<Json<EmailChoices>, HttpError> {
    let wanted: Vec<(String, String)> = body
        .choices
        .iter()
        .map(|c| (c.kind.as_str().to_string(), c.delivery.as_str().to_string()))
        .collect();
    let choices = mail::set_email_choices(&state, user.person_id(), &meta, &wanted).await?;
    Ok(Json(EmailChoices { choices }))
}

/// A line of a delivery log, as the pages show it.
struct LogRow {
    id: String,
    kind: &'static str,
    status: &'static str,
    recipient: String,
    practice: String,
    about: String,
    attempts: i64,
    answer: String,
    queued: String,
    sent: String,
}

fn log_row(m: &MailLogLine) -> LogRow {
    LogRow {
        id: m.id.to_string(),
        kind: match m.kind {
            custodian_domain::notifications::MailKind::Notice => "At once",
            custodian_domain::notifications::MailKind::Digest => "Digest",
            custodian_domain::notifications::MailKind::Alert => "Alert",
        },
        status: m.status.as_str(),
        recipient: m.recipient.clone(),
        practice: m.practice.clone().unwrap_or_else(|| "The provider".into()),
        about: m.about.clone(),
        attempts: m.attempts,
        answer: m.last_answer.clone().unwrap_or_default(),
        queued: show_datetime(m.queued_at),
        sent: m.sent_at.map(show_datetime).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "notifications/mail_log.html")]
struct LogPage {
    layout: Layout,
    title: String,
    rows: Vec<LogRow>,
    /// Where a row's attempts are, or none (the provider's page lists answers only).
    attempts_base: Option<String>,
    configured: bool,
}

pub(super) async fn log_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    let lines = mail::delivery_log(&state, &scope.actor()).await?;
    scope.record_list("mail.log", "mail", lines.len()).await?;
    let here = scope.path("/mail");
    Ok(render(&LogPage {
        layout: scope.layout(&here),
        title: format!("Emails sent – {}", scope.practice.name),
        rows: lines.iter().map(log_row).collect(),
        attempts_base: Some(here),
        configured: state.mailer.is_some(),
    }))
}

#[derive(Template)]
#[template(path = "notifications/mail_attempts.html")]
struct AttemptsPage {
    layout: Layout,
    back: String,
    attempts: Vec<(String, String, String)>,
}

pub(super) async fn attempts_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    let attempts = mail::delivery_attempts(&state, &scope.actor(), &id).await?;
    let back = scope.path("/mail");
    Ok(render(&AttemptsPage {
        layout: scope.layout(&back),
        back,
        attempts: attempts
            .into_iter()
            .map(|a| (show_datetime(a.at), a.outcome, a.answer))
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/mail", tag = "notifications", summary = "The practice's delivery log",
    description = "The practice's emails, newest first (the last 500): to whom, what about, where each is (`queued`, `sending`, `sent`, `failed`, `dropped`) and the mail server's last answer. Practice managers.",
    params(crate::kit::forms::PracticeParam, PageQuery),
    responses((status = 200, body = Paged<MailLogLine>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn api_log(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<MailLogLine>>, HttpError> {
    let lines = mail::delivery_log(&state, &scope.actor()).await?;
    scope.record_list("mail.log", "mail", lines.len()).await?;
    Ok(Json(Paged::of_list(lines, &page, |m| m.id.to_string())?))
}

/// Every attempt to send one email.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct MailAttempts {
    items: Vec<MailAttempt>,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/mail/{mail_id}/attempts", tag = "notifications", summary = "Every attempt to send one email",
    params(crate::kit::forms::PracticeParam, ("mail_id" = String, Path, description = "The email's id")),
    responses((status = 200, body = MailAttempts), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn api_attempts(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Json<MailAttempts>, HttpError> {
    let items = mail::delivery_attempts(&state, &scope.actor(), &id).await?;
    Ok(Json(MailAttempts { items }))
}

pub(super) async fn provider_log_page(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
) -> Result<Response, HttpError> {
    let lines = mail::provider_delivery_log(&state, &user.provider_access(), &meta).await?;
    Ok(render(&LogPage {
        layout: Layout::new(&user, None, "/provider/mail"),
        title: "Emails sent across practices".into(),
        rows: lines.iter().map(log_row).collect(),
        attempts_base: None,
        configured: state.mailer.is_some(),
    }))
}

#[utoipa::path(get, path = "/api/v1/provider/mail", tag = "notifications", summary = "Every practice's delivery log",
    description = "Every email in every practice and the provider's alerts, newest first (the last 500). Provider administrators.",
    params(PageQuery),
    responses((status = 200, body = Paged<MailLogLine>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn api_provider_log(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<MailLogLine>>, HttpError> {
    let lines = mail::provider_delivery_log(&state, &user.provider_access(), &meta).await?;
    Ok(Json(Paged::of_list(lines, &page, |m| m.id.to_string())?))
}
