//! The User Authorisation Process in a practice: starters and movers (request, approve),
//! password resets after an identity check, leavers (and the scheduler that carries them out),
//! access-grant tasks, the practice's systems, administrator nominations, the "who has access"
//! and security pages, and the practice's settings.
//!
//! The rules live in plain functions here (`approve_request`, `verify_identity`,
//! `record_leaver`, `process_due_leavers`...) that the pages, the API and the CLI all call.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use custodian_domain::identity::{self, NewAccessRequest, NewLeaver};
use custodian_domain::settings::{PERIODIC_CHANGE_ADVICE, PracticeSettings};
use custodian_domain::time::{show_date, show_datetime};
use custodian_domain::{Permission, PersonId, Practice, PracticeRole};
use custodian_store::{AccessRequest, Outcome};
use serde::Deserialize;

use crate::kit::capability::Room;
use crate::kit::forms::{Errors, submitted};
use crate::kit::layout::{Layout, render, render_with, roles_text};
use crate::kit::routes::Routes;
use crate::kit::session::InPractice;
use crate::kit::session::PracticeScope;
use crate::{AppError, AppState, HttpError};
use custodian_app::identity as uap;
use custodian_app::identity::{
    IdentityCheck, approve_request, nominate_administrator, record_leaver, reject_request,
    request_access, verify_identity,
};

mod access;
mod administration;
mod defaults;
mod leavers;
mod resets;
mod starters;
pub(crate) use access::*;
pub(crate) use administration::*;
pub(crate) use leavers::*;
pub(crate) use resets::*;
pub(crate) use starters::*;

pub fn routes(r: &mut Routes) {
    r.pages()
        .get("/access", access_page)
        .get("/security", security_page)
        .post("/people/{person_id}/unlock", unlock)
        .post(
            "/people/{person_id}/clear-identity-lock",
            clear_identity_lock,
        )
        .get("/people/{person_id}/verify-identity", verify_identity_page)
        .post(
            "/people/{person_id}/verify-identity",
            verify_identity_submit,
        )
        .get("/people/{person_id}/leaver", leaver_page)
        .post("/people/{person_id}/leaver", leaver_submit)
        .get("/people/{person_id}/move", mover_page)
        .post("/people/{person_id}/move", mover_submit)
        .get("/leavers", leavers_page)
        .post("/leavers/{leaver_id}/cancel", cancel_leaver)
        .get("/requests", requests_page)
        .get("/requests/new", starter_page)
        .post("/requests", starter_submit)
        .get("/requests/{request_id}", request_page)
        .post("/requests/{request_id}/approve", approve)
        .post("/requests/{request_id}/reject", reject)
        .get("/tasks", tasks_page)
        .post("/tasks/{grant_id}/done", task_done)
        .get("/systems", systems_page)
        .post("/systems", add_system)
        .get("/administrators", administrators_page)
        .post("/administrators", nominate)
        .post("/administrators/{person_id}/end", end_nomination)
        .get("/settings", settings_page)
        .post("/settings", save_settings);
    defaults::routes(r);
}

pub(crate) use defaults::ProviderDefaultsApi;

use custodian_app::parse_id;

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

/// The practice's User Authorisation Process, as rooms on the practice's home page.
pub const ROOMS: &[Room] = &[
        Room {
            path: "/access",
            title: "Who has access",
            description: "Roles, two-factor, last sign-in, password age, dormant accounts.",
            opens: |a| a.can(Permission::PeopleView),
        },
        Room {
            path: "/requests",
            title: "Starters and movers",
            description: "Request and approve access for new staff and changes of role.",
            opens: |a| a.can(Permission::StarterRequest) || a.can(Permission::StarterApprove),
        },
        Room {
            path: "/leavers",
            title: "Leavers",
            description: "Access that ends on an exit date.",
            opens: |a| a.can(Permission::PeopleView),
        },
        Room {
            path: "/tasks",
            title: "Logins in other systems",
            description: "Tasks to create and remove logins in the practice's systems.",
            opens: |a| a.can(Permission::PeopleView),
        },
        Room {
            path: "/security",
            title: "Account security",
            description: "Locked accounts and failed sign-ins.",
            opens: |a| a.can(Permission::PeopleView),
        },
        Room {
            path: "/administrators",
            title: "System administrators",
            description: "Nominated administrators: DSPT 4.3.1 evidence.",
            opens: |a| a.can(Permission::PeopleView) || a.can(Permission::AuditView),
        },
        Room {
            path: "/systems",
            title: "Systems",
            description: "The other systems staff need logins for.",
            opens: |a| a.can(Permission::PeopleView),
        },
        Room {
            path: "/settings",
            title: "Settings",
            description: "Passwords, sign-in timeouts, two-factor, administrators, the risk matrix.",
            opens: |a| a.can(Permission::PeopleView),
        },
];
