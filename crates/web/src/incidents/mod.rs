//! Information incidents in the web UI and the JSON API: the report form every member of staff
//! reaches from every page, their own reports, and for those who handle incidents the register,
//! the grading on the NHS grid, the clocks and the timeline.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_app::incidents as uc;
use custodian_domain::Permission;
use custodian_domain::incidents::{
    self as rules, Clock, ClockState, GradeInput, IcoDecision, IncidentKind, IncidentReport,
    IncidentStatus,
};
use custodian_store::{Incident, IncidentEntry, IncidentFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kit::capability::{Capability, ProviderPage, Room};
use crate::kit::error::Problem;
use crate::kit::forms::{
    Errors, Options, PageQuery, Paged, PracticeParam, choose, posted, submitted,
};
use crate::kit::layout::{Layout, render, render_with};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::{InPractice, PracticeScope, SignedIn};
use crate::{AppState, HttpError};

mod api;
mod follow_up;
mod involved;
mod pages;
mod provider;
pub(crate) use api::*;
pub(crate) use follow_up::*;
pub(crate) use involved::*;
pub(crate) use pages::*;
pub(crate) use provider::*;

pub fn routes(r: &mut Routes) {
    r.get("/report-incident", Reach::SignedIn, report_anywhere)
        .get("/provider/incidents", Reach::SignedIn, provider_page)
        .get("/api/v1/provider/incidents", Reach::SignedIn, api_provider);
    r.pages()
        .get("/incidents", list_page)
        .get("/incidents-export", export_csv)
        .post("/incidents", report_submit)
        .get("/incidents/new", report_page)
        .get("/incidents/{incident_id}", incident_page)
        .post("/incidents/{incident_id}/grade", grade_submit)
        .post("/incidents/{incident_id}/ico", ico_submit)
        .post("/incidents/{incident_id}/people-affected", people_submit)
        .post("/incidents/{incident_id}/senior-told", senior_submit)
        .post("/incidents/{incident_id}/status", status_submit)
        .post("/incidents/{incident_id}/notes", note_submit)
        .post("/incidents/{incident_id}/close", close_submit)
        .post("/incidents/{incident_id}/involved", involve_submit)
        .post("/incidents/{incident_id}/involved/remove", release_submit)
        .get("/incidents/{incident_id}/notification", notification_page)
        .get("/incidents/{incident_id}/pdf", incident_pdf);
    r.api()
        .get("/incidents", api_list)
        .post("/incidents", api_report)
        .get("/incidents/{incident_id}", api_get)
        .post("/incidents/{incident_id}/grade", api_grade)
        .post("/incidents/{incident_id}/ico-decision", api_ico)
        .post("/incidents/{incident_id}/people-affected", api_people)
        .post("/incidents/{incident_id}/senior-told", api_senior)
        .post("/incidents/{incident_id}/status", api_status)
        .post("/incidents/{incident_id}/notes", api_note)
        .post("/incidents/{incident_id}/close", api_close)
        .post("/incidents/{incident_id}/involved", api_involve)
        .post("/incidents/{incident_id}/involved/remove", api_release)
        .get(
            "/incidents/{incident_id}/notification-draft",
            api_notification,
        );
}

/// The incident register.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(<IncidentsApi as utoipa::OpenApi>::openapi),
    rooms: &[Room {
        path: "/incidents",
        title: "Incidents",
        description: "Report an incident or near miss; follow it until it is closed.",
        opens: |a| a.can(Permission::IncidentReport),
    }],
    provider_pages: &[ProviderPage {
        path: "/provider/incidents",
        label: "Incidents across practices",
        opens: |a| a.can(Permission::ProviderView),
    }],
};

/// An incident's clocks as a page shows them: what, due when, how it stands.
pub(crate) struct ClockRow {
    pub(crate) label: &'static str,
    pub(crate) due: String,
    pub(crate) state: &'static str,
    pub(crate) left: String,
}

pub(crate) fn clock_rows(clocks: &[Clock]) -> Vec<ClockRow> {
    clocks
        .iter()
        .map(|c| ClockRow {
            label: c.kind.label(),
            due: custodian_domain::time::show_datetime(c.due_at),
            state: match c.state {
                ClockState::Stopped => "stopped",
                ClockState::Running => "running",
                ClockState::Amber => "amber",
                ClockState::Red => "red",
            },
            left: c
                .minutes_left
                .map(rules::time_left)
                .unwrap_or_else(|| "Decided".into()),
        })
        .collect()
}
