//! The User Authorisation Process in a practice: starters and movers (request, approve),
//! password resets after an identity check, leavers (and the scheduler that carries them out),
//! access-grant tasks, the practice's systems, administrator nominations, the "who has access"
//! and security pages, and the practice's settings.
//!
//! The rules live in plain functions here (`approve_request`, `verify_identity`,
//! `record_leaver`, `process_due_leavers`...) that the pages, the API and the CLI all call.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use custodian_domain::identity::{self, NewAccessRequest, NewLeaver};
use custodian_domain::settings::{PERIODIC_CHANGE_ADVICE, PracticeSettings};
use custodian_domain::time::{show_date, show_datetime};
use custodian_domain::{Permission, PersonId, Practice, PracticeRole};
use custodian_store::{AccessRequest, Outcome};
use serde::Deserialize;

use crate::auth::PracticeScope;
use crate::forms::Errors;
use crate::pages::{Layout, render, render_with, roles_text};
use crate::routes::{Reach, Routes};
use crate::{AppError, AppState, HttpError};
use custodian_app::identity::{
    IdentityCheck, approve_request, nominate_administrator, record_leaver, reject_request,
    request_access, verify_identity,
};

pub fn routes(r: &mut Routes) {
    use Reach::Practice as P;
    r.get("/practices/{practice_id}/access", P, access_page)
        .get("/practices/{practice_id}/security", P, security_page)
        .post(
            "/practices/{practice_id}/people/{person_id}/unlock",
            P,
            unlock,
        )
        .post(
            "/practices/{practice_id}/people/{person_id}/clear-identity-lock",
            P,
            clear_identity_lock,
        )
        .get(
            "/practices/{practice_id}/people/{person_id}/verify-identity",
            P,
            verify_identity_page,
        )
        .post(
            "/practices/{practice_id}/people/{person_id}/verify-identity",
            P,
            verify_identity_submit,
        )
        .get(
            "/practices/{practice_id}/people/{person_id}/leaver",
            P,
            leaver_page,
        )
        .post(
            "/practices/{practice_id}/people/{person_id}/leaver",
            P,
            leaver_submit,
        )
        .get(
            "/practices/{practice_id}/people/{person_id}/move",
            P,
            mover_page,
        )
        .post(
            "/practices/{practice_id}/people/{person_id}/move",
            P,
            mover_submit,
        )
        .get("/practices/{practice_id}/leavers", P, leavers_page)
        .post(
            "/practices/{practice_id}/leavers/{leaver_id}/cancel",
            P,
            cancel_leaver,
        )
        .get("/practices/{practice_id}/requests", P, requests_page)
        .get("/practices/{practice_id}/requests/new", P, starter_page)
        .post("/practices/{practice_id}/requests", P, starter_submit)
        .get(
            "/practices/{practice_id}/requests/{request_id}",
            P,
            request_page,
        )
        .post(
            "/practices/{practice_id}/requests/{request_id}/approve",
            P,
            approve,
        )
        .post(
            "/practices/{practice_id}/requests/{request_id}/reject",
            P,
            reject,
        )
        .get("/practices/{practice_id}/tasks", P, tasks_page)
        .post(
            "/practices/{practice_id}/tasks/{grant_id}/done",
            P,
            task_done,
        )
        .get("/practices/{practice_id}/systems", P, systems_page)
        .post("/practices/{practice_id}/systems", P, add_system)
        .get(
            "/practices/{practice_id}/administrators",
            P,
            administrators_page,
        )
        .post("/practices/{practice_id}/administrators", P, nominate)
        .post(
            "/practices/{practice_id}/administrators/{person_id}/end",
            P,
            end_nomination,
        )
        .get("/practices/{practice_id}/settings", P, settings_page)
        .post("/practices/{practice_id}/settings", P, save_settings);
}

fn parse_id(s: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(s).map_err(|_| AppError::NotFound)
}

/// A member of this practice's current staff, or 404.
async fn member(
    state: &AppState,
    practice: &Practice,
    person: &str,
) -> Result<custodian_domain::PracticeMember, HttpError> {
    let id: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    state
        .store
        .member(practice.id, id)
        .await?
        .filter(|m| m.left_at.is_none())
        .ok_or(AppError::NotFound.into())
}

// ---- who has access, security ------------------------------------------------------------------

struct AccessRow {
    id: String,
    name: String,
    job_title: String,
    roles: String,
    mfa: bool,
    last_sign_in: String,
    password_age: String,
    open_grants: i64,
    flags: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "access.html")]
struct AccessPage {
    layout: Layout,
    practice: Practice,
    rows: Vec<AccessRow>,
    dormant_days: u32,
}

async fn access_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::PeopleView, "access.list").await?;
    let rows = state.store.access_overview(scope.id()).await?;
    let settings = state.store.settings(scope.id()).await?;
    let now = state.clock.now();
    scope
        .record(
            scope
                .event("access.list", "person", None)
                .details(serde_json::json!({ "records": rows.len() })),
        )
        .await?;
    let here = format!("/practices/{}/access", scope.id());
    Ok(render(&AccessPage {
        layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), &here),
        practice: scope.practice.clone(),
        dormant_days: settings.dormant_after_days,
        rows: rows
            .iter()
            .map(|r| {
                let mut flags = vec![];
                let last = r.last_sign_in_at.unwrap_or(r.joined_at);
                if now - last > Duration::days(settings.dormant_after_days as i64) {
                    flags.push("Dormant: remove?");
                }
                if identity::password_expired(
                    r.password_changed_at,
                    settings.password_max_age_days,
                    now,
                ) {
                    flags.push("Password expired");
                }
                if r.locked_until.is_some_and(|l| l > now) {
                    flags.push("Locked");
                }
                if r.roles.contains(&PracticeRole::SystemAdministrator) && !r.mfa_enrolled {
                    flags.push("Administrator without two-factor");
                }
                AccessRow {
                    id: r.person_id.to_string(),
                    name: r.full_name.clone(),
                    job_title: r.job_title.clone(),
                    roles: roles_text(&r.roles),
                    mfa: r.mfa_enrolled,
                    last_sign_in: r
                        .last_sign_in_at
                        .map(show_datetime)
                        .unwrap_or_else(|| "Never".into()),
                    password_age: r
                        .password_changed_at
                        .map(|c| format!("{} days", (now - c).num_days()))
                        .unwrap_or_else(|| "No password".into()),
                    open_grants: r.open_grants,
                    flags,
                }
            })
            .collect(),
    }))
}

struct LockedRow {
    id: String,
    name: String,
    username: String,
    locked_until: String,
    sign_in_locked: bool,
    identity_locked: bool,
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    layout: Layout,
    practice: Practice,
    locked: Vec<LockedRow>,
    can_unlock: bool,
    max_failures: i64,
    max_checks: i64,
    lockout_minutes: u32,
    failures_week: usize,
    lockouts_week: usize,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn security_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PeopleView, "security.view")
        .await?;
    let now = state.clock.now();
    let locked = state.store.locked_accounts(scope.id(), now).await?;
    scope
        .record(
            scope
                .event("security.view", "person", None)
                .details(serde_json::json!({ "records": locked.len() })),
        )
        .await?;
    let settings = state.store.settings(scope.id()).await?;
    // Failed sign-ins of this practice's staff in the last week.
    let staff: std::collections::HashSet<String> = state
        .store
        .access_overview(scope.id())
        .await?
        .into_iter()
        .map(|o| o.person_id.to_string())
        .collect();
    let week = now - Duration::days(7);
    let recent = state.store.events(None, 5000).await?;
    let mine = |e: &&custodian_store::StoredEvent| {
        e.occurred_at >= week
            && e.event
                .object_id
                .as_ref()
                .is_some_and(|o| staff.contains(o))
    };
    let failures_week = recent
        .iter()
        .filter(mine)
        .filter(|e| e.event.action == "session.sign_in" && e.event.outcome == Outcome::Failure)
        .count();
    let lockouts_week = recent
        .iter()
        .filter(mine)
        .filter(|e| e.event.action == "account.lock")
        .count();
    let here = format!("/practices/{}/security", scope.id());
    Ok(render(&SecurityPage {
        layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), &here),
        practice: scope.practice.clone(),
        can_unlock: scope.access.can(Permission::AccountUnlock),
        locked: locked
            .iter()
            .map(|l| LockedRow {
                id: l.person_id.to_string(),
                name: l.full_name.clone(),
                username: l.username.clone(),
                locked_until: l
                    .locked_until
                    .map(show_datetime)
                    .unwrap_or_else(|| "Not locked".into()),
                sign_in_locked: l.locked_until.is_some(),
                identity_locked: l.identity_checks_locked,
            })
            .collect(),
        max_failures: identity::MAX_FAILED_SIGN_INS,
        max_checks: identity::MAX_IDENTITY_CHECK_FAILURES,
        lockout_minutes: settings.lockout_minutes,
        failures_week,
        lockouts_week,
        notice: q.done.map(|d| {
            if d == "unlock" {
                "The account is unlocked.".into()
            } else {
                "The identity-check lock is cleared.".into()
            }
        }),
    }))
}

async fn unlock(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::AccountUnlock, "account.unlock")
        .await?;
    let m = member(&state, &scope.practice, &person).await?;
    let event = scope.event("account.unlock", "person", Some(m.person.id.to_string()));
    state.store.unlock_account(m.person.id, &event).await?;
    Ok(Redirect::to(&format!("/practices/{}/security?done=unlock", scope.id())).into_response())
}

async fn clear_identity_lock(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::AccountUnlock, "identity.unlock")
        .await?;
    let m = member(&state, &scope.practice, &person).await?;
    let event = scope.event("identity.unlock", "person", Some(m.person.id.to_string()));
    state.store.clear_identity_lock(m.person.id, &event).await?;
    Ok(Redirect::to(&format!("/practices/{}/security?done=identity", scope.id())).into_response())
}

// ---- identity check and reset -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "verify_identity.html")]
struct VerifyPage {
    layout: Layout,
    practice: Practice,
    errors: Errors,
    name: String,
    person_id: String,
    questions: Vec<(String, String)>,
    locked: bool,
    remaining: i64,
    max_checks: i64,
}

#[derive(Template)]
#[template(path = "otp_issued.html")]
struct OtpPage {
    layout: Layout,
    heading: String,
    intro: String,
    name: String,
    username: String,
    otp: String,
    expires: String,
    starts: Option<String>,
    back: String,
}

async fn verify_page_for(
    state: &AppState,
    scope: &PracticeScope,
    person: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let m = member(state, &scope.practice, person).await?;
    let creds = state
        .store
        .credentials(&m.person.username)
        .await?
        .ok_or(AppError::NotFound)?;
    let questions = state.store.security_answers(m.person.id).await?;
    let here = format!("/practices/{}/people", scope.id());
    let status = errors.status();
    Ok(render_with(
        status,
        &VerifyPage {
            layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), &here),
            practice: scope.practice.clone(),
            errors,
            name: m.person.full_name.clone(),
            person_id: m.person.id.to_string(),
            questions: questions
                .iter()
                .enumerate()
                .map(|(i, (q, _))| (format!("answer_{}", i + 1), q.clone()))
                .collect(),
            locked: creds.identity_check_failures >= identity::MAX_IDENTITY_CHECK_FAILURES,
            remaining: identity::MAX_IDENTITY_CHECK_FAILURES - creds.identity_check_failures,
            max_checks: identity::MAX_IDENTITY_CHECK_FAILURES,
        },
    ))
}

async fn verify_identity_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::IdentityVerify, "identity.verify")
        .await?;
    let m = member(&state, &scope.practice, &person).await?;
    // The page shows the person's security questions (never the answers).
    scope
        .record(scope.event(
            "person.security_questions_view",
            "person",
            Some(m.person.id.to_string()),
        ))
        .await?;
    verify_page_for(&state, &scope, &person, Errors::none()).await
}

async fn verify_identity_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let m = member(&state, &scope.practice, &person).await?;
    let answers: Vec<String> = (1..=3)
        .map(|n| {
            form.iter()
                .find(|(k, _)| *k == format!("answer_{n}"))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    match verify_identity(&state, &scope.actor(), m.person.id, &answers).await {
        Ok(IdentityCheck::Passed { one_time_password, expires }) => Ok(render(&OtpPage {
            layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), ""),
            heading: "Identity confirmed".into(),
            intro: format!("Every answer matched. {} has been signed out everywhere.", m.person.full_name),
            name: m.person.full_name.clone(),
            username: m.person.username.clone(),
            otp: one_time_password,
            expires: show_datetime(expires),
            starts: None,
            back: format!("/practices/{}/people/{}", scope.id(), m.person.id),
        })),
        Ok(IdentityCheck::Failed { remaining }) => {
            verify_page_for(&state, &scope, &person, Errors::one("answer_1", format!("The answers do not match the ones on record. Do not issue a password. {remaining} attempts remain."))).await
        }
        Ok(IdentityCheck::Locked) | Ok(IdentityCheck::NoQuestions) => verify_page_for(&state, &scope, &person, Errors::none()).await,
        Err(AppError::Invalid(i)) => verify_page_for(&state, &scope, &person, i.into()).await,
        Err(e) => Err(e.into()),
    }
}

// ---- leavers ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "leaver_new.html")]
struct LeaverPage {
    layout: Layout,
    practice: Practice,
    errors: Errors,
    name: String,
    person_id: String,
    exit_date: String,
    reason: String,
}

async fn leaver_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::LeaverRecord, "leaver.record")
        .await?;
    let m = member(&state, &scope.practice, &person).await?;
    Ok(render(&LeaverPage {
        layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), ""),
        practice: scope.practice.clone(),
        errors: Errors::none(),
        name: m.person.full_name,
        person_id: m.person.id.to_string(),
        exit_date: String::new(),
        reason: String::new(),
    }))
}

async fn leaver_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
    Form(form): Form<NewLeaver>,
) -> Result<Response, HttpError> {
    let m = member(&state, &scope.practice, &person).await?;
    match record_leaver(&state, &scope.actor(), m.person.id, &form).await {
        Ok(l) => Ok(Redirect::to(&format!(
            "/practices/{}/leavers?done={}",
            scope.id(),
            l.status
        ))
        .into_response()),
        Err(AppError::Invalid(i)) => Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LeaverPage {
                layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), ""),
                practice: scope.practice.clone(),
                errors: i.into(),
                name: m.person.full_name,
                person_id: m.person.id.to_string(),
                exit_date: form.exit_date,
                reason: form.reason,
            },
        )),
        Err(AppError::Conflict { field, message }) => Ok(render_with(
            StatusCode::CONFLICT,
            &LeaverPage {
                layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), ""),
                practice: scope.practice.clone(),
                errors: Errors::one(&field, message),
                name: m.person.full_name,
                person_id: m.person.id.to_string(),
                exit_date: form.exit_date,
                reason: form.reason,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

struct LeaverRow {
    id: String,
    name: String,
    exit_date: String,
    reason: String,
    status: String,
}

#[derive(Template)]
#[template(path = "leavers.html")]
struct LeaversPage {
    layout: Layout,
    practice: Practice,
    leavers: Vec<LeaverRow>,
    can_record: bool,
    notice: Option<String>,
}

async fn leavers_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::PeopleView, "leaver.list").await?;
    let leavers = state.store.leavers(scope.id()).await?;
    scope
        .record(
            scope
                .event("leaver.list", "person", None)
                .details(serde_json::json!({ "records": leavers.len() })),
        )
        .await?;
    let here = format!("/practices/{}/leavers", scope.id());
    Ok(render(&LeaversPage {
        layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), &here),
        practice: scope.practice.clone(),
        can_record: scope.access.can(Permission::LeaverRecord),
        notice: q.done.map(|d| match d.as_str() {
            "done" => "The leaver is recorded and, as the exit date has passed, carried out now."
                .to_string(),
            "cancelled" => "The leaver is cancelled.".to_string(),
            _ => {
                "The leaver is recorded. Their access ends at the end of the exit date.".to_string()
            }
        }),
        leavers: leavers
            .iter()
            .map(|l| LeaverRow {
                id: l.id.to_string(),
                name: l.person_name.clone(),
                exit_date: l.exit_date.format("%-d %b %Y").to_string(),
                reason: l.reason.clone(),
                status: l.status.clone(),
            })
            .collect(),
    }))
}

async fn cancel_leaver(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::LeaverRecord, "leaver.cancel")
        .await?;
    state
        .store
        .cancel_leaver(scope.id(), parse_id(&id)?, &scope.meta)
        .await?;
    Ok(Redirect::to(&format!("/practices/{}/leavers?done=cancelled", scope.id())).into_response())
}

// ---- starters and movers ------------------------------------------------------------------------

struct RequestRow {
    id: String,
    reference: String,
    kind: String,
    name: String,
    start: String,
    by: String,
    status: String,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    layout: Layout,
    practice: Practice,
    requests: Vec<RequestRow>,
    can_request: bool,
}

async fn requests_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    if !scope.access.can(Permission::StarterRequest) {
        scope
            .require(Permission::StarterApprove, "starter.list")
            .await?;
    }
    let list = state.store.access_requests(scope.id(), false).await?;
    scope
        .record(
            scope
                .event("access_request.list", "access_request", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    let here = format!("/practices/{}/requests", scope.id());
    Ok(render(&RequestsPage {
        layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), &here),
        practice: scope.practice.clone(),
        can_request: scope.access.can(Permission::StarterRequest),
        requests: list
            .iter()
            .map(|r| RequestRow {
                id: r.id.to_string(),
                reference: r.reference.clone(),
                kind: r.kind.clone(),
                name: r.full_name.clone(),
                start: r.start_date.format("%-d %b %Y").to_string(),
                by: r.requested_by_name.clone(),
                status: r.status.clone(),
            })
            .collect(),
    }))
}

#[derive(Default)]
struct RequestForm {
    full_name: String,
    username: String,
    email: String,
    job_title: String,
    start_date: String,
    roles: Vec<String>,
    systems: Vec<String>,
    line_manager_id: String,
}

impl RequestForm {
    fn from_pairs(form: &[(String, String)]) -> Self {
        let get = |k: &str| {
            form.iter()
                .find(|(f, _)| f == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let all = |k: &str| {
            form.iter()
                .filter(|(f, _)| f == k)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        RequestForm {
            full_name: get("full_name"),
            username: get("username"),
            email: get("email"),
            job_title: get("job_title"),
            start_date: get("start_date"),
            roles: all("roles"),
            systems: all("systems"),
            line_manager_id: get("line_manager_id"),
        }
    }

    fn to_request(&self) -> Result<NewAccessRequest, Errors> {
        let mut roles = Vec::new();
        for r in &self.roles {
            roles.push(
                r.parse::<PracticeRole>()
                    .map_err(|_| Errors::one("roles", format!("{r} is not a role")))?,
            );
        }
        let mut systems = Vec::new();
        for s in &self.systems {
            systems.push(
                uuid::Uuid::parse_str(s)
                    .map_err(|_| Errors::one("systems", "Choose systems from the list"))?,
            );
        }
        let line_manager_id = match self.line_manager_id.as_str() {
            "" => None,
            s => Some(s.parse::<PersonId>().map_err(|_| {
                Errors::one("line_manager_id", "Choose the line manager from the list")
            })?),
        };
        Ok(NewAccessRequest {
            full_name: self.full_name.clone(),
            username: self.username.clone(),
            email: Some(self.email.clone()).filter(|e| !e.is_empty()),
            job_title: self.job_title.clone(),
            roles,
            systems,
            start_date: self.start_date.clone(),
            line_manager_id,
        })
    }
}

#[derive(Template)]
#[template(path = "request_new.html")]
struct RequestNewPage {
    layout: Layout,
    practice: Practice,
    errors: Errors,
    heading: String,
    action: String,
    is_mover: bool,
    start_label: &'static str,
    form: RequestForm,
    roles: Vec<(&'static str, &'static str, bool)>,
    systems: Vec<(String, String, bool)>,
    managers: Vec<(String, String, bool)>,
}

async fn request_form(
    state: &AppState,
    scope: &PracticeScope,
    errors: Errors,
    form: RequestForm,
    mover: Option<&custodian_domain::PracticeMember>,
) -> Result<Response, HttpError> {
    let systems = state.store.systems(scope.id()).await?;
    let staff = state.store.access_overview(scope.id()).await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &RequestNewPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/requests", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            heading: match mover {
                Some(m) => format!("Change {}'s role", m.person.full_name),
                None => "Request access for a new starter".into(),
            },
            action: match mover {
                Some(m) => format!("/practices/{}/people/{}/move", scope.id(), m.person.id),
                None => format!("/practices/{}/requests", scope.id()),
            },
            is_mover: mover.is_some(),
            start_label: if mover.is_some() {
                "Date the change takes effect"
            } else {
                "Start date"
            },
            roles: PracticeRole::ALL
                .iter()
                .filter(|r| !matches!(r, PracticeRole::Staff | PracticeRole::SystemAdministrator))
                .map(|r| {
                    (
                        r.as_str(),
                        r.label(),
                        form.roles.iter().any(|x| x == r.as_str()),
                    )
                })
                .collect(),
            systems: systems
                .iter()
                .map(|s| {
                    (
                        s.id.to_string(),
                        s.name.clone(),
                        form.systems.contains(&s.id.to_string()),
                    )
                })
                .collect(),
            managers: staff
                .iter()
                .filter(|s| {
                    s.roles.contains(&PracticeRole::LineManager)
                        || s.roles.contains(&PracticeRole::PracticeManager)
                })
                .map(|s| {
                    (
                        s.person_id.to_string(),
                        s.full_name.clone(),
                        form.line_manager_id == s.person_id.to_string(),
                    )
                })
                .collect(),
            form,
        },
    ))
}

async fn starter_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::StarterRequest, "starter.request")
        .await?;
    let form = RequestForm {
        line_manager_id: scope.user.person_id().to_string(),
        ..Default::default()
    };
    request_form(&state, &scope, Errors::none(), form, None).await
}

async fn starter_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let form = RequestForm::from_pairs(&pairs);
    let input = match form.to_request() {
        Ok(i) => i,
        Err(errors) => return request_form(&state, &scope, errors, form, None).await,
    };
    match request_access(&state, &scope.actor(), None, &input).await {
        Ok(r) => Ok(
            Redirect::to(&format!("/practices/{}/requests/{}", scope.id(), r.id)).into_response(),
        ),
        Err(AppError::Invalid(i)) => request_form(&state, &scope, i.into(), form, None).await,
        Err(AppError::Conflict { field, message }) => {
            request_form(&state, &scope, Errors::one(&field, message), form, None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn mover_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::StarterRequest, "mover.request")
        .await?;
    let m = member(&state, &scope.practice, &person).await?;
    let held: Vec<String> = state
        .store
        .access_grants(scope.id(), false)
        .await?
        .into_iter()
        .filter(|g| g.person_id == m.person.id && g.action == "create")
        .map(|g| g.system_id.to_string())
        .collect();
    let form = RequestForm {
        job_title: m.job_title.clone(),
        start_date: identity::london_today(state.clock.now()).to_string(),
        roles: m.roles.iter().map(|r| r.as_str().to_string()).collect(),
        systems: held,
        ..Default::default()
    };
    request_form(&state, &scope, Errors::none(), form, Some(&m)).await
}

async fn mover_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let m = member(&state, &scope.practice, &person).await?;
    let mut form = RequestForm::from_pairs(&pairs);
    form.full_name = m.person.full_name.clone();
    form.username = m.person.username.clone();
    form.email = m.person.email.clone().unwrap_or_default();
    let input = match form.to_request() {
        Ok(i) => i,
        Err(errors) => return request_form(&state, &scope, errors, form, Some(&m)).await,
    };
    match request_access(&state, &scope.actor(), Some(m.person.id), &input).await {
        Ok(r) => Ok(
            Redirect::to(&format!("/practices/{}/requests/{}", scope.id(), r.id)).into_response(),
        ),
        Err(AppError::Invalid(i)) => request_form(&state, &scope, i.into(), form, Some(&m)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    layout: Layout,
    practice: Practice,
    errors: Errors,
    r: AccessRequest,
    roles: String,
    systems: String,
    start: String,
    requested: String,
    can_decide: bool,
}

async fn request_page_for(
    state: &AppState,
    scope: &PracticeScope,
    id: uuid::Uuid,
    errors: Errors,
) -> Result<Response, HttpError> {
    let r = state
        .store
        .access_request(scope.id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let systems = state.store.systems(scope.id()).await?;
    let names: Vec<String> = r
        .systems
        .iter()
        .filter_map(|s| systems.iter().find(|x| x.id == *s).map(|x| x.name.clone()))
        .collect();
    scope
        .record(scope.event(
            "access_request.view",
            "access_request",
            Some(id.to_string()),
        ))
        .await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &RequestPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/requests", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            roles: roles_text(&r.roles),
            systems: if names.is_empty() {
                "None".into()
            } else {
                names.join(", ")
            },
            start: r.start_date.format("%-d %B %Y").to_string(),
            requested: show_datetime(r.requested_at),
            can_decide: scope.access.can(Permission::StarterApprove)
                && r.requested_by != scope.user.person_id(),
            r,
        },
    ))
}

async fn request_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    if !scope.access.can(Permission::StarterRequest) {
        scope
            .require(Permission::StarterApprove, "access_request.view")
            .await?;
    }
    request_page_for(&state, &scope, parse_id(&id)?, Errors::none()).await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn approve(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, HttpError> {
    let id = parse_id(&id)?;
    match approve_request(&state, &scope.actor(), id, &form.reason).await {
        Ok((r, Some(otp))) => {
            let settings = state.store.settings(scope.id()).await?;
            Ok(render(&OtpPage {
                layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), ""),
                heading: format!("{} approved", r.reference),
                intro: format!(
                    "{}'s account is created, and a task is open for each other system they need.",
                    r.full_name
                ),
                name: r.full_name.clone(),
                username: r.username.clone(),
                otp,
                expires: show_datetime(
                    state.clock.now() + Duration::hours(settings.one_time_password_hours as i64),
                ),
                starts: (!settings.early_sign_in
                    && r.start_date > identity::london_today(state.clock.now()))
                .then(|| r.start_date.format("%-d %B %Y").to_string()),
                back: format!("/practices/{}/requests/{}", scope.id(), r.id),
            }))
        }
        Ok((r, None)) => Ok(
            Redirect::to(&format!("/practices/{}/requests/{}", scope.id(), r.id)).into_response(),
        ),
        Err(AppError::Invalid(i)) => request_page_for(&state, &scope, id, i.into()).await,
        Err(AppError::Conflict { field, message }) => {
            request_page_for(&state, &scope, id, Errors::one(&field, message)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn reject(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, HttpError> {
    let id = parse_id(&id)?;
    match reject_request(&state, &scope.actor(), id, &form.reason).await {
        Ok(r) => Ok(
            Redirect::to(&format!("/practices/{}/requests/{}", scope.id(), r.id)).into_response(),
        ),
        Err(AppError::Invalid(i)) => {
            let errors = Errors(
                i.0.into_iter()
                    .map(|mut e| {
                        if e.field == "reason" {
                            e.message = "Give the reason for rejecting the request".into()
                        }
                        e
                    })
                    .collect(),
            );
            request_page_for(&state, &scope, id, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- tasks, systems, administrators, settings -----------------------------------------------------

struct TaskRow {
    id: String,
    what: String,
    reason: String,
    opened: String,
    done: String,
    note: String,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    layout: Layout,
    practice: Practice,
    errors: Errors,
    open: Vec<TaskRow>,
    done: Vec<TaskRow>,
    can_complete: bool,
}

async fn tasks_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PeopleView, "access_grant.list")
        .await?;
    let grants = state.store.access_grants(scope.id(), false).await?;
    scope
        .record(
            scope
                .event("access_grant.list", "access_grant", None)
                .details(serde_json::json!({ "records": grants.len() })),
        )
        .await?;
    let row = |g: &custodian_store::AccessGrant| TaskRow {
        id: g.id.to_string(),
        what: format!(
            "{} {}'s login in {}",
            if g.action == "create" {
                "Create"
            } else {
                "Remove"
            },
            g.person_name,
            g.system_name
        ),
        reason: g.reason.clone(),
        opened: show_date(g.opened_at),
        done: g.done_at.map(show_datetime).unwrap_or_default(),
        note: g.note.clone().unwrap_or_default(),
    };
    let here = format!("/practices/{}/tasks", scope.id());
    Ok(render(&TasksPage {
        layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), &here),
        practice: scope.practice.clone(),
        errors: Errors::none(),
        open: grants
            .iter()
            .filter(|g| g.status == "open")
            .map(row)
            .collect(),
        done: grants
            .iter()
            .filter(|g| g.status == "done")
            .map(row)
            .collect(),
        can_complete: scope.access.can(Permission::AccessTasksManage),
    }))
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn task_done(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<NoteForm>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::AccessTasksManage, "access_grant.done")
        .await?;
    state
        .store
        .complete_access_grant(scope.id(), parse_id(&id)?, &form.note, &scope.meta)
        .await?;
    Ok(Redirect::to(&format!("/practices/{}/tasks", scope.id())).into_response())
}

#[derive(Template)]
#[template(path = "systems.html")]
struct SystemsPage {
    layout: Layout,
    practice: Practice,
    errors: Errors,
    systems: Vec<String>,
    can_manage: bool,
}

async fn systems_page_for(
    state: &AppState,
    scope: &PracticeScope,
    errors: Errors,
) -> Result<Response, HttpError> {
    let systems = state.store.systems(scope.id()).await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &SystemsPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/systems", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            systems: systems.into_iter().map(|s| s.name).collect(),
            can_manage: scope.access.can(Permission::PracticeSettingsManage),
        },
    ))
}

async fn systems_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::PeopleView, "system.list").await?;
    systems_page_for(&state, &scope, Errors::none()).await
}

#[derive(Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
}

async fn add_system(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(form): Form<NameForm>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PracticeSettingsManage, "system.create")
        .await?;
    match state
        .store
        .add_system(scope.id(), &form.name, &scope.meta)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/practices/{}/systems", scope.id())).into_response()),
        Err(custodian_store::StoreError::Invalid(i)) => {
            systems_page_for(&state, &scope, i.into()).await
        }
        Err(custodian_store::StoreError::Conflict { field, message }) => {
            systems_page_for(&state, &scope, Errors::one(field, message)).await
        }
        Err(e) => Err(e.into()),
    }
}

struct AdminRow {
    id: String,
    name: String,
    by: String,
    on: String,
    reason: String,
    mfa: &'static str,
    last: String,
}

#[derive(Template)]
#[template(path = "administrators.html")]
struct AdministratorsPage {
    layout: Layout,
    practice: Practice,
    errors: Errors,
    admins: Vec<AdminRow>,
    staff: Vec<(String, String)>,
    can_nominate: bool,
    cap: u32,
}

async fn administrators_page_for(
    state: &AppState,
    scope: &PracticeScope,
    errors: Errors,
) -> Result<Response, HttpError> {
    let admins = state.store.administrators(scope.id()).await?;
    let settings = state.store.settings(scope.id()).await?;
    let staff = state.store.access_overview(scope.id()).await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &AdministratorsPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/administrators", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            cap: settings.administrator_cap,
            can_nominate: scope.access.can(Permission::AdministratorNominate),
            staff: staff
                .iter()
                .filter(|s| !admins.iter().any(|a| a.person_id == s.person_id))
                .map(|s| (s.person_id.to_string(), s.full_name.clone()))
                .collect(),
            admins: admins
                .iter()
                .map(|a| AdminRow {
                    id: a.person_id.to_string(),
                    name: a.person_name.clone(),
                    by: a.nominated_by_name.clone(),
                    on: show_date(a.nominated_at),
                    reason: a.reason.clone(),
                    mfa: if a.mfa_enrolled {
                        "On"
                    } else {
                        "Not set up yet: required"
                    },
                    last: a
                        .last_sign_in_at
                        .map(show_datetime)
                        .unwrap_or_else(|| "Never".into()),
                })
                .collect(),
        },
    ))
}

async fn administrators_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    if !scope.access.can(Permission::AuditView) {
        scope
            .require(Permission::PeopleView, "administrator.list")
            .await?;
    }
    let n = state.store.administrators(scope.id()).await?.len();
    scope
        .record(
            scope
                .event("administrator.list", "person", None)
                .details(serde_json::json!({ "records": n })),
        )
        .await?;
    administrators_page_for(&state, &scope, Errors::none()).await
}

#[derive(Deserialize)]
struct NominateForm {
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    reason: String,
}

async fn nominate(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(form): Form<NominateForm>,
) -> Result<Response, HttpError> {
    let person: PersonId = match form.person_id.parse() {
        Ok(p) => p,
        Err(_) => {
            return administrators_page_for(
                &state,
                &scope,
                Errors::one("person_id", "Choose a member of staff"),
            )
            .await;
        }
    };
    match nominate_administrator(&state, &scope.actor(), person, &form.reason).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/practices/{}/administrators", scope.id())).into_response())
        }
        Err(AppError::Invalid(i)) => administrators_page_for(&state, &scope, i.into()).await,
        Err(AppError::Conflict { field, message }) => {
            administrators_page_for(&state, &scope, Errors::one(&field, message)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn end_nomination(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person)): Path<(String, String)>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::AdministratorNominate, "administrator.end")
        .await?;
    let person: PersonId = person.parse().map_err(|_| AppError::NotFound)?;
    let reason = if form.reason.trim().is_empty() {
        "No longer needed"
    } else {
        form.reason.trim()
    };
    state
        .store
        .end_administrator_nomination(scope.id(), person, reason, &scope.meta)
        .await?;
    Ok(Redirect::to(&format!("/practices/{}/administrators", scope.id())).into_response())
}

struct SettingsForm {
    password_min_length: String,
    password_max_age_days: String,
    password_max_age_off_reason: String,
    session_idle_minutes: String,
    one_time_password_hours: String,
    lockout_minutes: String,
    administrator_cap: String,
    dormant_after_days: String,
    leaver_deactivation_hour: String,
    opening_time: String,
    closing_time: String,
    bulk_read_multiple: String,
    risk_matrix: String,
    risk_appetite: String,
    quarter_start_month: String,
    mfa_required_for_all: bool,
    early_sign_in: bool,
    open_weekends: bool,
}

impl SettingsForm {
    fn from(s: &PracticeSettings) -> Self {
        SettingsForm {
            password_min_length: s.password_min_length.to_string(),
            password_max_age_days: s
                .password_max_age_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            password_max_age_off_reason: s.password_max_age_off_reason.clone().unwrap_or_default(),
            session_idle_minutes: s.session_idle_minutes.to_string(),
            one_time_password_hours: s.one_time_password_hours.to_string(),
            lockout_minutes: s.lockout_minutes.to_string(),
            administrator_cap: s.administrator_cap.to_string(),
            dormant_after_days: s.dormant_after_days.to_string(),
            leaver_deactivation_hour: s.leaver_deactivation_hour.to_string(),
            opening_time: s.opening_time.clone(),
            closing_time: s.closing_time.clone(),
            bulk_read_multiple: s.bulk_read_multiple.to_string(),
            risk_matrix: s.risk_matrix.clone(),
            risk_appetite: s.risk_appetite.as_str().to_string(),
            quarter_start_month: s.quarter_start_month.to_string(),
            mfa_required_for_all: s.mfa_required_for_all,
            early_sign_in: s.early_sign_in,
            open_weekends: s.open_weekends,
        }
    }

    fn parse(pairs: &[(String, String)]) -> (Self, Result<PracticeSettings, Errors>) {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(f, _)| f == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let form = SettingsForm {
            password_min_length: get("password_min_length"),
            password_max_age_days: get("password_max_age_days"),
            password_max_age_off_reason: get("password_max_age_off_reason"),
            session_idle_minutes: get("session_idle_minutes"),
            one_time_password_hours: get("one_time_password_hours"),
            lockout_minutes: get("lockout_minutes"),
            administrator_cap: get("administrator_cap"),
            dormant_after_days: get("dormant_after_days"),
            leaver_deactivation_hour: get("leaver_deactivation_hour"),
            opening_time: get("opening_time"),
            closing_time: get("closing_time"),
            bulk_read_multiple: get("bulk_read_multiple"),
            risk_matrix: get("risk_matrix"),
            risk_appetite: get("risk_appetite"),
            quarter_start_month: get("quarter_start_month"),
            mfa_required_for_all: get("mfa_required_for_all") == "true",
            early_sign_in: get("early_sign_in") == "true",
            open_weekends: get("open_weekends") == "true",
        };
        let mut errors = Errors::none();
        let appetite = custodian_domain::risks::Band::parse(&form.risk_appetite);
        let mut num = |field: &str, v: &str| -> u32 {
            v.parse().unwrap_or_else(|_| {
                errors.0.push(custodian_domain::FieldError {
                    field: field.into(),
                    message: "Enter a whole number".into(),
                });
                0
            })
        };
        let s = PracticeSettings {
            password_min_length: num("password_min_length", &form.password_min_length),
            password_max_age_days: if form.password_max_age_days.is_empty() {
                None
            } else {
                Some(num("password_max_age_days", &form.password_max_age_days))
            },
            password_max_age_off_reason: Some(form.password_max_age_off_reason.clone())
                .filter(|r| !r.is_empty()),
            session_idle_minutes: num("session_idle_minutes", &form.session_idle_minutes),
            one_time_password_hours: num("one_time_password_hours", &form.one_time_password_hours),
            lockout_minutes: num("lockout_minutes", &form.lockout_minutes),
            administrator_cap: num("administrator_cap", &form.administrator_cap),
            dormant_after_days: num("dormant_after_days", &form.dormant_after_days),
            leaver_deactivation_hour: num(
                "leaver_deactivation_hour",
                &form.leaver_deactivation_hour,
            ),
            opening_time: form.opening_time.clone(),
            closing_time: form.closing_time.clone(),
            open_weekends: form.open_weekends,
            bulk_read_multiple: num("bulk_read_multiple", &form.bulk_read_multiple),
            risk_matrix: form.risk_matrix.clone(),
            risk_appetite: appetite.unwrap_or(custodian_domain::risks::Band::Medium),
            quarter_start_month: num("quarter_start_month", &form.quarter_start_month),
            mfa_required_for_all: form.mfa_required_for_all,
            early_sign_in: form.early_sign_in,
        };
        if appetite.is_none() {
            errors.0.push(custodian_domain::FieldError {
                field: "risk_appetite".into(),
                message: "Choose the risk appetite from the list".into(),
            });
        }
        let result = if !errors.is_empty() {
            Err(errors)
        } else {
            s.validate().map(|_| s).map_err(Errors::from)
        };
        (form, result)
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    practice: Practice,
    errors: Errors,
    s: SettingsForm,
    advice: &'static str,
    can_manage: bool,
    notice: Option<String>,
    matrices: Vec<(&'static str, &'static str)>,
    bands: Vec<(&'static str, &'static str)>,
    months: Vec<(String, &'static str)>,
}

fn matrix_choices() -> Vec<(&'static str, &'static str)> {
    custodian_domain::risks::MATRICES
        .iter()
        .map(|m| (m.key, m.name))
        .collect()
}

fn month_choices() -> Vec<(String, &'static str)> {
    [
        (1, "January (calendar quarters)"),
        (4, "April (NHS financial year)"),
    ]
    .iter()
    .map(|(n, l)| (n.to_string(), *l))
    .collect()
}

fn band_choices() -> Vec<(&'static str, &'static str)> {
    custodian_domain::risks::Band::ALL
        .iter()
        .map(|b| (b.as_str(), b.label()))
        .collect()
}

async fn settings_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PeopleView, "settings.view")
        .await?;
    let s = state.store.settings(scope.id()).await?;
    Ok(render(&SettingsPage {
        layout: Layout::new(
            &scope.user,
            Some((&scope.practice, &scope.access)),
            &format!("/practices/{}/settings", scope.id()),
        ),
        practice: scope.practice.clone(),
        errors: Errors::none(),
        s: SettingsForm::from(&s),
        advice: PERIODIC_CHANGE_ADVICE,
        can_manage: scope.access.can(Permission::PracticeSettingsManage),
        notice: q.done.map(|_| "Settings saved.".into()),
        matrices: matrix_choices(),
        bands: band_choices(),
        months: month_choices(),
    }))
}

async fn save_settings(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::PracticeSettingsManage, "settings.update")
        .await?;
    let (form, parsed) = SettingsForm::parse(&pairs);
    let parsed = match parsed {
        Ok(s) => match crate::risks_web::check_matrix_change(&state, scope.id(), &s).await {
            Ok(()) => Ok(s),
            Err(HttpError(AppError::Invalid(i))) => Err(i.into()),
            Err(e) => return Err(e),
        },
        Err(e) => Err(e),
    };
    let errors = match parsed {
        Ok(s) => match state.store.set_settings(scope.id(), &s, &scope.meta).await {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/practices/{}/settings?done=1", scope.id()))
                        .into_response(),
                );
            }
            Err(custodian_store::StoreError::Invalid(i)) => i.into(),
            Err(e) => return Err(e.into()),
        },
        Err(errors) => errors,
    };
    Ok(render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &SettingsPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/settings", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            s: form,
            advice: PERIODIC_CHANGE_ADVICE,
            can_manage: true,
            notice: None,
            matrices: matrix_choices(),
            bands: band_choices(),
            months: month_choices(),
        },
    ))
}
