//! The practices: the provider's list, a practice's home page, its people and a person's page;
//! and the signed-in person's own home.

use crate::kit::layout::PracticeAddress;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::time::{show_date, show_day};
use custodian_domain::{
    FieldError, NewPracticeAndManager, PageRequest, Permission, PersonId, Practice,
    PracticeMember,
};

use serde::Deserialize;

use crate::identity::account::{MembershipRow, membership_rows};
use crate::kit::capability::{Capability, ProviderPage, Room};
use crate::kit::forms::PageQuery;
use crate::kit::layout::{Layout, provider_roles_text, render, render_with, roles_text};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::{InPractice, PracticeScope, RequestMeta, SignedIn};
use crate::{AppError, AppState, HttpError};

pub fn routes(r: &mut Routes) {
    use Reach::*;
    r.get("/", SignedIn, home)
        .get("/assets/app.css", Public, stylesheet)
        .get("/assets/app.js", Public, script)
        .get("/switch", SignedIn, switch_practice)
        .get("/practices", SignedIn, practices)
        .post("/practices", SignedIn, create_practice);
    r.pages()
        .get("", practice_home)
        .get("/people", people)
        .get("/people/{person_id}", person);
}

// ---- assets -----------------------------------------------------------------------------

async fn stylesheet() -> Response {
    asset(include_str!("../../assets/app.css"), "text/css; charset=utf-8")
}

/// The pages' one script: small improvements a page works without (a "Show" button beside a
/// masked answer).
async fn script() -> Response {
    asset(
        include_str!("../../assets/app.js"),
        "text/javascript; charset=utf-8",
    )
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

// ---- the person's own pages -------------------------------------------------------------

#[derive(Template)]
#[template(path = "practices/home.html")]
struct HomePage {
    layout: Layout,
    provider_name: String,
    provider_roles: String,
    memberships: Vec<MembershipRow>,
}

/// The signed-in person's home: someone on the staff of one practice only goes straight to it;
/// provider staff and people in several practices choose.
async fn home(State(state): State<AppState>, user: SignedIn) -> Result<Response, HttpError> {
    if let [only] = user.memberships.as_slice()
        && user.provider_roles.is_empty()
    {
        return Ok(Redirect::to(&only.practice.home()).into_response());
    }
    Ok(render(&HomePage {
        layout: Layout::new(&user, None, "/"),
        provider_name: state
            .store
            .provider_name()
            .await?
            .unwrap_or_else(|| "the IG provider".into()),
        provider_roles: provider_roles_text(&user.provider_roles),
        memberships: membership_rows(&user),
    }))
}

#[derive(Deserialize)]
struct SwitchQuery {
    #[serde(default)]
    practice: String,
}

/// The practice switcher (a plain GET form, so it works without JavaScript).
async fn switch_practice(
    _user: SignedIn,
    Query(q): Query<SwitchQuery>,
) -> Result<Response, HttpError> {
    let id: custodian_domain::PracticeId = q.practice.parse().map_err(|_| AppError::NotFound)?;
    Ok(Redirect::to(&id.home()).into_response())
}

// ---- practices ----------------------------------------------------------------------------

struct PracticeRow {
    home: String,
    name: String,
    ods_code: String,
    created: String,
    /// How far through its first day: "Set up", or "2 of 4 steps done".
    setup: String,
    set_up: bool,
}

#[derive(Template)]
#[template(path = "practices/practices.html")]
struct PracticesPage {
    layout: Layout,
    provider_name: String,
    practices: Vec<PracticeRow>,
    next_cursor: Option<String>,
    can_create: bool,
    errors: crate::kit::forms::Errors,
    form: PracticeForm,
}

/// The "Add a practice" form's values, as typed.
#[derive(Default)]
struct PracticeForm {
    name: String,
    ods_code: String,
    manager_name: String,
    manager_email: String,
    manager_phone: String,
    manager_username: String,
}

impl From<&NewPracticeAndManager> for PracticeForm {
    fn from(f: &NewPracticeAndManager) -> Self {
        PracticeForm {
            name: f.name.clone(),
            ods_code: f.ods_code.clone(),
            manager_name: f.manager_name.clone(),
            manager_email: f.manager_email.clone(),
            manager_phone: f.manager_phone.clone().unwrap_or_default(),
            manager_username: f.manager_username.clone().unwrap_or_default(),
        }
    }
}

async fn practices_page(
    state: &AppState,
    user: &SignedIn,
    cursor: Option<&str>,
    errors: Vec<FieldError>,
    form: PracticeForm,
) -> Result<Response, HttpError> {
    let access = user.provider_access();
    if !access.can(Permission::ProviderView) {
        // Practice staff see their own practices on the home page.
        return Ok(Redirect::to("/").into_response());
    }
    let page = PageRequest::parse(cursor, None)?;
    let list = state.store.practices(&page).await?;
    // Each practice's first day, so that a provider bringing many in sees which are set up.
    let progress = state.store.setup_progress_all().await?;
    let mut practices = Vec::with_capacity(list.items.len());
    for p in &list.items {
        let steps = custodian_domain::practice::setup_steps(
            &progress.get(&p.id).copied().unwrap_or_default(),
        );
        let done = steps.iter().filter(|s| s.done).count();
        practices.push(PracticeRow {
            home: p.home(),
            name: p.name.clone(),
            ods_code: p.ods_code.clone(),
            created: show_date(p.created_at),
            setup: if done == steps.len() {
                "Set up".into()
            } else {
                format!("{done} of {} steps done", steps.len())
            },
            set_up: done == steps.len(),
        });
    }
    let errors = crate::kit::forms::Errors(errors);
    let status = errors.status();
    Ok(render_with(
        status,
        &PracticesPage {
            layout: Layout::new(user, None, "/practices"),
            provider_name: custodian_app::practices::provider_name(state).await?,
            practices,
            next_cursor: list.next_cursor,
            can_create: access.can(Permission::ProviderManage),
            errors,
            form,
        },
    ))
}

async fn practices(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<PageQuery>,
) -> Result<Response, HttpError> {
    practices_page(
        &state,
        &user,
        q.cursor.as_deref(),
        vec![],
        PracticeForm::default(),
    )
    .await
}

/// A practice brought in with its first practice manager: the one-time password to read to
/// them, shown once.
async fn create_practice(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<NewPracticeAndManager>,
) -> Result<Response, HttpError> {
    let created = custodian_app::practices::create_practice(
        &state,
        &user.provider_access(),
        &meta,
        &form,
    )
    .await;
    match crate::kit::forms::submitted(created)? {
        Ok(c) => {
            let manager = &c.manager.person;
            Ok(render(&crate::kit::one_time_password::OtpPage {
                layout: Layout::new(&user, None, "/practices"),
                heading: format!("{} added", c.practice.name),
                intro: format!(
                    "{} is the practice's first practice manager. When they sign in they choose their own password, security questions and two-factor authentication, then bring the rest of the staff in.{}",
                    manager.full_name,
                    manager
                        .phone
                        .as_deref()
                        .map(|p| format!(" Their phone number: {p}."))
                        .unwrap_or_default()
                ),
                name: manager.full_name.clone(),
                username: manager.username.clone(),
                otp: c.one_time_password,
                expires: custodian_domain::time::show_datetime(c.expires_at),
                starts: None,
                back: c.practice.home(),
            }))
        }
        Err(errors) => practices_page(&state, &user, None, errors.0, (&form).into()).await,
    }
}

/// One line of a home page's lists: where, what, and when it is due.
struct HomeItem {
    href: String,
    text: String,
    /// "overdue since 3 Dec 2026", "due today", or empty.
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "practices/practice.html")]
struct PracticePage {
    layout: Layout,
    practice: Practice,
    roles: String,
    staff_count: Option<usize>,
    cards: Vec<(String, &'static str, &'static str)>,
    /// What this person must do themselves, soonest first.
    tasks: Vec<HomeItem>,
    /// The practice's problems, for those responsible.
    attention: Vec<HomeItem>,
    setup: Vec<custodian_domain::practice::SetupStep>,
    setup_done: usize,
}

async fn practice_home(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    let a = &scope.access;
    let base = scope.path("");
    let staff_count = if a.can(Permission::PeopleView) {
        Some(state.store.access_overview(scope.id()).await?.len())
    } else {
        None
    };
    // Provider staff who are not on this practice's staff have no record here: their card is
    // their account.
    let member = scope
        .user
        .memberships
        .iter()
        .any(|m| m.practice.id == scope.id());
    let mut cards = vec![if member {
        (
            format!("{base}/people/{}", scope.user.person_id()),
            "Your record",
            "Your roles and account in this practice.",
        )
    } else {
        (
            "/account".to_string(),
            "Your account",
            "Your password, security questions, two-factor authentication and sessions.",
        )
    }];
    for room in crate::CAPABILITIES.iter().flat_map(|c| c.rooms) {
        if (room.opens)(a) {
            cards.push((format!("{base}{}", room.path), room.title, room.description));
        }
    }
    let today = state.today();
    let (tasks, attention): (Vec<_>, Vec<_>) =
        custodian_app::home::needs_attention(&state, &scope.actor())
            .await?
            .into_iter()
            .partition(|item| item.task);
    let line = |item: custodian_app::home::Attention| HomeItem {
        href: format!("{base}{}", item.path),
        text: item.text,
        due: item
            .due
            .map(|d| custodian_app::home::due_text(d, today))
            .unwrap_or_default(),
        overdue: item.due.is_some_and(|d| d < today),
    };
    let tasks = tasks.into_iter().map(line).collect();
    let attention = attention.into_iter().map(line).collect();
    let setup = custodian_app::practices::setup_checklist(&state, &scope.actor()).await?;
    Ok(render(&PracticePage {
        setup_done: setup.iter().filter(|s| s.done).count(),
        setup,
        layout: scope.layout(&base),
        roles: if scope.roles.is_empty() {
            String::new()
        } else {
            roles_text(&scope.roles)
        },
        practice: scope.practice.clone(),
        staff_count,
        cards,
        tasks,
        attention,
    }))
}

struct PersonRow {
    id: String,
    full_name: String,
    job_title: String,
    roles: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "practices/people.html")]
struct PeoplePage {
    layout: Layout,
    practice: Practice,
    people: Vec<PersonRow>,
    next_cursor: Option<String>,
}

async fn people(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<PageQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::PeopleView, "people.list").await?;
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let list = state.store.members(scope.id(), &page).await?;
    scope
        .record_list("people.list", "person", list.items.len())
        .await?;
    let here = scope.path("/people");
    Ok(render(&PeoplePage {
        layout: scope.layout(&here),
        practice: scope.practice.clone(),
        people: list
            .items
            .iter()
            .map(|m: &PracticeMember| PersonRow {
                id: m.person.id.to_string(),
                full_name: m.person.full_name.clone(),
                job_title: m.job_title.clone(),
                roles: roles_text(&m.roles),
                status: m.person.status.as_str(),
            })
            .collect(),
        next_cursor: list.next_cursor,
    }))
}

#[derive(Template)]
#[template(path = "practices/person.html")]
struct PersonPage {
    layout: Layout,
    practice: Practice,
    member: PracticeMember,
    roles: String,
    joined: String,
    left: Option<String>,
    can_see_people: bool,
    actions: Vec<(String, &'static str)>,
    /// The practice's equipment they hold: (its page, what it is).
    equipment: Vec<(String, String)>,
}

async fn person(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(person_id): InPractice<String>,
) -> Result<Response, HttpError> {
    let person_id: PersonId = person_id.parse().map_err(|_| AppError::NotFound)?;
    let me = person_id == scope.user.person_id();
    if !me {
        scope.require(Permission::PeopleView, "person.view").await?;
    }
    let member = state
        .store
        .member(scope.id(), person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    scope
        .record(scope.event("person.view", "person", Some(person_id.to_string())))
        .await?;
    let here = scope.path(&format!("/people/{}", person_id));
    let a = &scope.access;
    let mut actions = Vec::new();
    let within_reach =
        custodian_domain::may_act_on(a, &member.roles, &member.person.provider_roles);
    if member.left_at.is_none() {
        if a.can(Permission::IdentityVerify) && !me && within_reach {
            actions.push((
                format!("{here}/verify-identity"),
                "Verify identity and reset password",
            ));
        }
        if a.can(Permission::StarterRequest) {
            actions.push((format!("{here}/move"), "Change role (mover)"));
        }
        if a.can(Permission::LeaverRecord) && within_reach {
            actions.push((format!("{here}/leaver"), "Record as a leaver"));
        }
    }
    let equipment = custodian_app::devices::held_by(&state, &scope.actor(), person_id)
        .await?
        .into_iter()
        .map(|d| {
            let since = d.issued_on.map(show_day).unwrap_or_default();
            (
                scope.path(&format!("/devices/{}", d.id)),
                format!("{} ({}, {}), since {since}", d.asset_tag, d.kind.label().to_lowercase(), d.make_model),
            )
        })
        .collect();
    Ok(render(&PersonPage {
        equipment,
        layout: scope.layout(&here),
        practice: scope.practice.clone(),
        roles: roles_text(&member.roles),
        joined: show_date(member.joined_at),
        left: member.left_at.map(show_date),
        member,
        can_see_people: scope.access.can(Permission::PeopleView),
        actions,
    }))
}

/// The practices: the provider's list, each practice's home and its staff.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: None,
    rooms: &[Room {
        path: "/people",
        title: "Staff",
        description: "Everyone who works here and their roles.",
        opens: |a| a.can(Permission::PeopleView),
    }],
    provider_pages: &[ProviderPage {
        path: "/practices",
        label: "Practices",
        opens: |a| a.can(Permission::ProviderView),
    }],
};
