//! The information risk register in the web UI and the JSON API: risks scored on the practice's
//! matrix, the heat map, the threat library, treatment actions, reviews and acceptances.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::risks::{
    self, AcceptanceInput, ActionInput, Band, Matrix, ReviewInput, RiskInput, Threat,
};
use custodian_domain::{Permission, PersonId};
use custodian_store::{Risk, RiskAcceptance, RiskAction, RiskFilter, RiskReview};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kit::capability::{Capability, Room};
use crate::kit::error::Problem;
use crate::kit::forms::{Errors, Options, PageQuery, Paged, PracticeParam, choose, submitted};
use crate::kit::layout::{Layout, render, render_with};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::InPractice;
use crate::kit::session::PracticeScope;
use crate::{AppError, AppState, HttpError};
use custodian_app::risks::{
    accept, add_action, create_risk, load, matrix_of, require_edit, review, update_action,
    update_risk,
};

mod api;
pub mod chart;
mod form;
mod library;
mod pages;
mod record;
pub(crate) use api::*;
pub(crate) use form::*;
pub(crate) use library::*;
pub(crate) use pages::*;
pub(crate) use record::*;

pub fn routes(r: &mut Routes) {
    use Reach::Practice as P;
    r.get("/practices/{practice_id}/risks", P, list_page)
        .post("/practices/{practice_id}/risks", P, create_submit)
        .get("/practices/{practice_id}/risks/new", P, new_page)
        .get("/practices/{practice_id}/risks/library", P, library_page)
        .post(
            "/practices/{practice_id}/risks/library/{key}",
            P,
            library_submit,
        )
        .get("/practices/{practice_id}/risks/matrix", P, matrix_page)
        .get("/practices/{practice_id}/risks-export", P, export_csv)
        .get("/practices/{practice_id}/risks/{risk_id}", P, risk_page)
        .get(
            "/practices/{practice_id}/risks/{risk_id}/edit",
            P,
            edit_page,
        )
        .post(
            "/practices/{practice_id}/risks/{risk_id}/edit",
            P,
            edit_submit,
        )
        .post(
            "/practices/{practice_id}/risks/{risk_id}/actions",
            P,
            action_submit,
        )
        .post(
            "/practices/{practice_id}/risks/{risk_id}/actions/{action_id}",
            P,
            action_update_submit,
        )
        .post(
            "/practices/{practice_id}/risks/{risk_id}/review",
            P,
            review_submit,
        )
        .post(
            "/practices/{practice_id}/risks/{risk_id}/accept",
            P,
            accept_submit,
        )
        .get("/api/v1/practices/{practice_id}/risks", P, api_list)
        .post("/api/v1/practices/{practice_id}/risks", P, api_create)
        .get(
            "/api/v1/practices/{practice_id}/risks/{risk_id}",
            P,
            api_get,
        )
        .add(
            Method::PUT,
            "/api/v1/practices/{practice_id}/risks/{risk_id}",
            P,
            api_update,
        )
        .post(
            "/api/v1/practices/{practice_id}/risks/{risk_id}/actions",
            P,
            api_add_action,
        )
        .add(
            Method::PUT,
            "/api/v1/practices/{practice_id}/risks/{risk_id}/actions/{action_id}",
            P,
            api_update_action,
        )
        .post(
            "/api/v1/practices/{practice_id}/risks/{risk_id}/review",
            P,
            api_review,
        )
        .post(
            "/api/v1/practices/{practice_id}/risks/{risk_id}/accept",
            P,
            api_accept,
        )
        .get(
            "/api/v1/practices/{practice_id}/risk-library",
            P,
            api_library,
        )
        .post(
            "/api/v1/practices/{practice_id}/risk-library/{key}",
            P,
            api_from_library,
        );
}

/// The information risk register.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(<RisksApi as utoipa::OpenApi>::openapi),
    rooms: &[Room {
        path: "/risks",
        title: "Information risks",
        description: "Threats to the practice's information, scored, treated and reviewed.",
        opens: |a| a.can(Permission::RisksView),
    }],
    provider_pages: &[],
};
