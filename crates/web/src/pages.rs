//! The HTML pages. Each handler: who is asking, the one permission check, the store, a template.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Duration;
use custodian_domain::password::{PasswordContext, check_new_password, DEFAULT_MIN_LENGTH};
use custodian_domain::time::{show_date, show_datetime};
use custodian_domain::{
    Access, FieldError, Invalid, NewPractice, PageRequest, Permission, PersonId, Practice, PracticeMember, PracticeRole,
    ProviderRole,
};
use custodian_store::{NewSession, Outcome};
use serde::Deserialize;

use crate::auth::{self, PracticeScope, RequestMeta, SignedIn};
use crate::routes::{Reach, Routes};
use crate::{AppError, AppState};

pub fn routes(r: &mut Routes) {
    use Reach::*;
    r.get("/", SignedIn, home)
        .get("/assets/app.css", Public, stylesheet)
        .get("/sign-in", Public, sign_in_page)
        .post("/sign-in", Public, sign_in)
        .post("/sign-out", Public, sign_out)
        .get("/account", SignedIn, account)
        .get("/account/password", SignedIn, password_page)
        .post("/account/password", SignedIn, change_password)
        .get("/switch", SignedIn, switch_practice)
        .get("/practices", SignedIn, practices)
        .post("/practices", SignedIn, create_practice)
        .get("/practices/{practice_id}", Practice, practice_home)
        .get("/practices/{practice_id}/people", Practice, people)
        .get("/practices/{practice_id}/people/{person_id}", Practice, person)
        .get("/api/docs", Public, crate::api::docs_page);
}

/// Renders a template as an HTML response.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

fn render_with(status: StatusCode, t: &impl Template) -> Response {
    let mut r = render(t);
    *r.status_mut() = status;
    r
}

// ---- the layout -------------------------------------------------------------------------

pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

pub struct SwitchItem {
    pub id: String,
    pub name: String,
    pub current: bool,
}

/// What the page frame shows: who is signed in, where they are, where they can go.
#[derive(Default)]
pub struct Layout {
    pub signed_in: bool,
    pub user_name: String,
    pub practice_name: Option<String>,
    pub nav: Vec<NavItem>,
    pub switcher: Vec<SwitchItem>,
}

impl Layout {
    pub fn anonymous() -> Self {
        Layout::default()
    }

    /// The frame for a signed-in person, optionally inside one practice; `here` is the path of
    /// the current page.
    pub fn new(user: &SignedIn, practice: Option<(&Practice, &Access)>, here: &str) -> Self {
        let mut nav = vec![NavItem { href: "/".into(), label: "Home", current: here == "/" }];
        if user.provider_access().can(Permission::ProviderView) {
            nav.push(NavItem { href: "/practices".into(), label: "Practices", current: here == "/practices" });
        }
        if let Some((p, access)) = practice {
            let base = format!("/practices/{}", p.id);
            nav.push(NavItem { href: base.clone(), label: "Practice home", current: here == base });
            if access.can(Permission::PeopleView) {
                let href = format!("{base}/people");
                nav.push(NavItem { current: here.starts_with(&href), href, label: "Staff" });
            }
        }
        let mut switcher: Vec<SwitchItem> = user
            .memberships
            .iter()
            .map(|m| SwitchItem {
                id: m.practice.id.to_string(),
                name: m.practice.name.clone(),
                current: practice.is_some_and(|(p, _)| p.id == m.practice.id),
            })
            .collect();
        if let Some((p, _)) = practice {
            if !switcher.iter().any(|s| s.current) {
                // Provider staff visiting a practice they are not a member of.
                switcher.insert(0, SwitchItem { id: p.id.to_string(), name: p.name.clone(), current: true });
            }
        }
        Layout {
            signed_in: true,
            user_name: user.session.full_name.clone(),
            practice_name: practice.map(|(p, _)| p.name.clone()),
            nav,
            switcher,
        }
    }
}

fn roles_text(roles: &[PracticeRole]) -> String {
    if roles.is_empty() { "No roles".into() } else { roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ") }
}

fn provider_roles_text(roles: &[ProviderRole]) -> String {
    roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")
}

fn has(errors: &[FieldError], field: &str) -> bool {
    errors.iter().any(|e| e.field == field)
}

// ---- error page -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    layout: Layout,
    title: String,
    detail: String,
    request_id: Option<String>,
}

impl ErrorPage {
    pub fn new(_status: StatusCode, title: &str, detail: &str, request_id: Option<&str>) -> Self {
        ErrorPage {
            layout: Layout::anonymous(),
            title: title.to_string(),
            detail: detail.to_string(),
            request_id: request_id.map(str::to_string),
        }
    }
    pub fn into_html(self) -> Html<String> {
        Html(self.render().unwrap_or_else(|_| "<!doctype html><title>Error</title><h1>Error</h1>".into()))
    }
}

// ---- assets -----------------------------------------------------------------------------

async fn stylesheet() -> Response {
    let mut r = include_str!("../assets/app.css").into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

// ---- sign-in and sign-out ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    errors: Vec<FieldError>,
    login: String,
    next: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct SignInQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    signed_out: Option<String>,
}

/// Only a path on this site is a safe place to return to after sign-in.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") && !next.contains("://") {
        next.to_string()
    } else {
        "/".to_string()
    }
}

async fn sign_in_page(user: Option<SignedIn>, Query(q): Query<SignInQuery>) -> Response {
    if user.is_some() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    render(&SignInPage {
        layout: Layout::anonymous(),
        errors: vec![],
        login: String::new(),
        next: safe_next(&q.next),
        notice: q.signed_out.map(|_| "You have signed out.".to_string()),
    })
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn sign_in(State(state): State<AppState>, RequestMeta(meta): RequestMeta, Form(form): Form<SignInForm>) -> Response {
    match try_sign_in(&state, meta, &form).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    }
}

async fn try_sign_in(state: &AppState, meta: custodian_store::AuditMeta, form: &SignInForm) -> Result<Response, AppError> {
    let next = safe_next(&form.next);
    let again = |errors: Vec<FieldError>| {
        render_with(
            StatusCode::UNAUTHORIZED,
            &SignInPage { layout: Layout::anonymous(), errors, login: form.login.clone(), next: next.clone(), notice: None },
        )
    };
    let mut missing = vec![];
    if form.login.trim().is_empty() {
        missing.push(FieldError { field: "login".into(), message: "Enter your username or email address".into() });
    }
    if form.password.is_empty() {
        missing.push(FieldError { field: "password".into(), message: "Enter your password".into() });
    }
    if !missing.is_empty() {
        return Ok(again(missing));
    }
    let creds = state.store.credentials(&form.login).await?;
    let ok = state.passwords.verify(&form.password, creds.as_ref().and_then(|c| c.password_hash.as_deref())).await?;
    let failure = match &creds {
        None => Some("unknown_login"),
        Some(_) if !ok => Some("wrong_password"),
        Some(c) if c.status != custodian_domain::AccountStatus::Active => Some("account_deactivated"),
        _ => None,
    };
    if let Some(reason) = failure {
        let event = meta
            .event(None, "session.sign_in", "person", creds.as_ref().map(|c| c.person_id.to_string()))
            .outcome(Outcome::Failure)
            .details(serde_json::json!({ "reason": reason, "login": form.login.trim().chars().take(128).collect::<String>() }));
        state.store.append_event(&event).await?;
        // The same words whatever the reason, so the page does not tell who has an account.
        return Ok(again(vec![FieldError {
            field: "login".into(),
            message: "The username or password is not right. Check them and try again.".into(),
        }]));
    }
    let creds = creds.expect("checked above");
    let (token, token_hash) = auth::new_token();
    let now = state.clock.now();
    let session = NewSession {
        token_hash,
        person_id: creds.person_id,
        created_at: now,
        expires_at: now + Duration::seconds(state.config.session_lifetime_seconds as i64),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
    };
    let mut meta = meta;
    meta.actor_id = Some(creds.person_id);
    meta.actor = creds.username.clone();
    let event = meta
        .event(None, "session.sign_in", "person", Some(creds.person_id.to_string()))
        .details(serde_json::json!({ "must_change_password": creds.must_change_password }));
    state.store.create_session(&session, &event).await?;
    let to = if creds.must_change_password { "/account/password".to_string() } else { next };
    let mut res = Redirect::to(&to).into_response();
    res.headers_mut().insert(header::SET_COOKIE, auth::session_cookie(state, &token));
    Ok(res)
}

async fn sign_out(State(state): State<AppState>, user: Option<SignedIn>, RequestMeta(meta): RequestMeta) -> Result<Response, AppError> {
    if let Some(user) = user {
        let event = meta.event(None, "session.sign_out", "person", Some(user.person_id().to_string()));
        state.store.end_session(&user.token_hash, &event).await?;
    }
    let mut res = Redirect::to("/sign-in?signed_out=1").into_response();
    res.headers_mut().insert(header::SET_COOKIE, auth::clear_cookie(&state));
    Ok(res)
}

// ---- the person's own pages -------------------------------------------------------------

struct MembershipRow {
    id: String,
    name: String,
    ods_code: String,
    roles: String,
}

fn membership_rows(user: &SignedIn) -> Vec<MembershipRow> {
    user.memberships
        .iter()
        .map(|m| MembershipRow {
            id: m.practice.id.to_string(),
            name: m.practice.name.clone(),
            ods_code: m.practice.ods_code.clone(),
            roles: roles_text(&m.roles),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    provider_name: String,
    provider_roles: String,
    memberships: Vec<MembershipRow>,
}

async fn home(State(state): State<AppState>, user: SignedIn) -> Result<Response, AppError> {
    Ok(render(&HomePage {
        layout: Layout::new(&user, None, "/"),
        provider_name: state.store.provider_name().await?.unwrap_or_else(|| "the IG provider".into()),
        provider_roles: provider_roles_text(&user.provider_roles),
        memberships: membership_rows(&user),
    }))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    person: custodian_domain::Person,
    provider_roles: String,
    memberships: Vec<MembershipRow>,
    session_expires: String,
    idle_minutes: u64,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct AccountQuery {
    #[serde(default)]
    changed: Option<String>,
}

async fn account(State(state): State<AppState>, user: SignedIn, Query(q): Query<AccountQuery>) -> Result<Response, AppError> {
    let person = state.store.person(user.person_id()).await?.ok_or(AppError::NotFound)?;
    Ok(render(&AccountPage {
        layout: Layout::new(&user, None, "/account"),
        person,
        provider_roles: provider_roles_text(&user.provider_roles),
        memberships: membership_rows(&user),
        session_expires: show_datetime(user.session.expires_at),
        idle_minutes: state.config.session_idle_seconds / 60,
        notice: q.changed.map(|_| "Your password has been changed.".into()),
    }))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    errors: Vec<FieldError>,
    forced: bool,
    min_length: usize,
}

impl PasswordPage {
    fn has_error(&self, field: &str) -> bool {
        has(&self.errors, field)
    }
}

async fn password_page(user: SignedIn) -> Response {
    render(&PasswordPage {
        forced: user.session.must_change_password,
        layout: Layout::new(&user, None, "/account/password"),
        errors: vec![],
        min_length: DEFAULT_MIN_LENGTH,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let again = |errors: Vec<FieldError>| {
        render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                forced: user.session.must_change_password,
                layout: Layout::new(&user, None, "/account/password"),
                errors,
                min_length: DEFAULT_MIN_LENGTH,
            },
        )
    };
    let creds = state.store.credentials(&user.session.username).await?.ok_or(AppError::Unauthenticated)?;
    if !state.passwords.verify(&form.current_password, creds.password_hash.as_deref()).await? {
        let event = meta
            .event(None, "person.password_change", "person", Some(user.person_id().to_string()))
            .outcome(Outcome::Failure)
            .details(serde_json::json!({ "reason": "wrong_current_password" }));
        state.store.append_event(&event).await?;
        return Ok(again(vec![FieldError { field: "current_password".into(), message: "Your current password is not right".into() }]));
    }
    let ctx = PasswordContext { min_length: DEFAULT_MIN_LENGTH, username: &user.session.username, full_name: &user.session.full_name };
    if let Err(Invalid(errors)) = check_new_password(&form.new_password, &ctx) {
        return Ok(again(errors));
    }
    if form.new_password != form.confirm_password {
        return Ok(again(vec![FieldError { field: "confirm_password".into(), message: "The two new passwords are not the same".into() }]));
    }
    if form.new_password == form.current_password {
        return Ok(again(vec![FieldError { field: "new_password".into(), message: "Choose a password different from your current one".into() }]));
    }
    let hash = state.passwords.hash(&form.new_password).await?;
    let event = meta
        .event(None, "person.password_change", "person", Some(user.person_id().to_string()))
        .details(serde_json::json!({ "password": "changed" }));
    state.store.set_password(user.person_id(), &hash, &event).await?;
    Ok(Redirect::to("/account?changed=1").into_response())
}

#[derive(Deserialize)]
struct SwitchQuery {
    #[serde(default)]
    practice: String,
}

/// The practice switcher (a plain GET form, so it works without JavaScript).
async fn switch_practice(_user: SignedIn, Query(q): Query<SwitchQuery>) -> Result<Response, AppError> {
    let id: custodian_domain::PracticeId = q.practice.parse().map_err(|_| AppError::NotFound)?;
    Ok(Redirect::to(&format!("/practices/{id}")).into_response())
}

// ---- practices ----------------------------------------------------------------------------

struct PracticeRow {
    id: String,
    name: String,
    ods_code: String,
    created: String,
}

#[derive(Template)]
#[template(path = "practices.html")]
struct PracticesPage {
    layout: Layout,
    provider_name: String,
    practices: Vec<PracticeRow>,
    next_cursor: Option<String>,
    can_create: bool,
    errors: Vec<FieldError>,
    form_name: String,
    form_ods_code: String,
}

impl PracticesPage {
    fn has_error(&self, field: &str) -> bool {
        has(&self.errors, field)
    }
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

async fn practices_page(
    state: &AppState,
    user: &SignedIn,
    cursor: Option<&str>,
    errors: Vec<FieldError>,
    form: NewPractice,
) -> Result<Response, AppError> {
    let access = user.provider_access();
    if !access.can(Permission::ProviderView) {
        // Practice staff see their own practices on the home page.
        return Ok(Redirect::to("/").into_response());
    }
    let page = PageRequest::parse(cursor, None)?;
    let list = state.store.practices(&page).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(render_with(
        status,
        &PracticesPage {
            layout: Layout::new(user, None, "/practices"),
            provider_name: state.store.provider_name().await?.unwrap_or_else(|| "The provider".into()),
            practices: list
                .items
                .iter()
                .map(|p| PracticeRow { id: p.id.to_string(), name: p.name.clone(), ods_code: p.ods_code.clone(), created: show_date(p.created_at) })
                .collect(),
            next_cursor: list.next_cursor,
            can_create: access.can(Permission::ProviderManage),
            errors,
            form_name: form.name,
            form_ods_code: form.ods_code,
        },
    ))
}

async fn practices(State(state): State<AppState>, user: SignedIn, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    practices_page(&state, &user, q.cursor.as_deref(), vec![], NewPractice::default()).await
}

async fn create_practice(
    State(state): State<AppState>,
    user: SignedIn,
    RequestMeta(meta): RequestMeta,
    Form(form): Form<NewPractice>,
) -> Result<Response, AppError> {
    if !user.provider_access().can(Permission::ProviderManage) {
        let event = meta.event(None, "practice.create", "permission", Some("provider_manage".into())).outcome(Outcome::Denied);
        state.store.append_event(&event).await?;
        return Err(AppError::Forbidden);
    }
    let valid = match form.validate() {
        Ok(v) => v,
        Err(Invalid(errors)) => return practices_page(&state, &user, None, errors, form).await,
    };
    match state.store.create_practice(&valid, &meta).await {
        Ok(p) => Ok(Redirect::to(&format!("/practices/{}", p.id)).into_response()),
        Err(custodian_store::StoreError::Conflict { field, message }) => {
            practices_page(&state, &user, None, vec![FieldError { field: field.into(), message }], form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "practice.html")]
struct PracticePage {
    layout: Layout,
    practice: Practice,
    roles: String,
    staff_count: Option<usize>,
    can_see_people: bool,
    me: PersonId,
}

async fn practice_home(State(state): State<AppState>, scope: PracticeScope) -> Result<Response, AppError> {
    let can_see_people = scope.access.can(Permission::PeopleView);
    let staff_count = if can_see_people {
        Some(state.store.members(scope.id(), &PageRequest::first(custodian_domain::page::MAX_PAGE)).await?.items.len())
    } else {
        None
    };
    let here = format!("/practices/{}", scope.id());
    Ok(render(&PracticePage {
        layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), &here),
        roles: if scope.roles.is_empty() { String::new() } else { roles_text(&scope.roles) },
        practice: scope.practice.clone(),
        staff_count,
        can_see_people,
        me: scope.user.person_id(),
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
#[template(path = "people.html")]
struct PeoplePage {
    layout: Layout,
    practice: Practice,
    people: Vec<PersonRow>,
    next_cursor: Option<String>,
}

async fn people(State(state): State<AppState>, scope: PracticeScope, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    scope.require(Permission::PeopleView, "people.list").await?;
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let list = state.store.members(scope.id(), &page).await?;
    scope.record(scope.event("people.list", "person", None).details(serde_json::json!({ "records": list.items.len() }))).await?;
    let here = format!("/practices/{}/people", scope.id());
    Ok(render(&PeoplePage {
        layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), &here),
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
#[template(path = "person.html")]
struct PersonPage {
    layout: Layout,
    practice: Practice,
    member: PracticeMember,
    roles: String,
    created: String,
    can_see_people: bool,
}

async fn person(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, person_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let person_id: PersonId = person_id.parse().map_err(|_| AppError::NotFound)?;
    if person_id != scope.user.person_id() {
        scope.require(Permission::PeopleView, "person.view").await?;
    }
    let member = state.store.member(scope.id(), person_id).await?.ok_or(AppError::NotFound)?;
    scope.record(scope.event("person.view", "person", Some(person_id.to_string()))).await?;
    let here = format!("/practices/{}/people/{}", scope.id(), person_id);
    Ok(render(&PersonPage {
        layout: Layout::new(&scope.user, Some((&scope.practice, &scope.access)), &here),
        practice: scope.practice.clone(),
        roles: roles_text(&member.roles),
        created: show_date(member.person.created_at),
        member,
        can_see_people: scope.access.can(Permission::PeopleView),
    }))
}
