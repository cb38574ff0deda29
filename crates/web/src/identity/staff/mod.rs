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

use crate::kit::capability::{Capability, Room};
use crate::kit::forms::{Errors, submitted};
use crate::kit::layout::{Layout, render, render_with, roles_text};
use crate::kit::routes::{Reach, Routes};
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
mod leavers;
mod resets;
mod starters;
pub(crate) use access::*;
pub(crate) use administration::*;
pub(crate) use leavers::*;
pub(crate) use resets::*;
pub(crate) use starters::*;

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

/// The practice's User Authorisation Process.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: None,
    rooms: &[
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
    ],
    provider_pages: &[],
};
