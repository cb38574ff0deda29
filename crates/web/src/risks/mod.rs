//! The information risk register in the web UI and the JSON API: risks scored on the practice's
//! matrix, the heat map, the threat library, treatment actions, reviews and acceptances.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::risks::{
    self, AcceptanceInput, Band, Matrix, ReviewInput, RiskInput, Threat,
};
use custodian_domain::{Permission, PersonId};
use custodian_store::{Risk, RiskAcceptance, RiskFilter, RiskReview};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kit::capability::{Capability, Room};
use crate::kit::entry_form::{create_submit, edit_submit};
use crate::kit::error::Problem;
use crate::kit::forms::{Errors, Options, PageQuery, Paged, PracticeParam, choose, submitted};
use crate::kit::layout::{Layout, render, render_with};
use crate::kit::routes::Routes;
use crate::kit::session::InPractice;
use crate::kit::session::PracticeScope;
use crate::{AppError, AppState, HttpError};
use custodian_app::risks::{
    accept, create_risk, load, matrix_of, require_edit, review,
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
    r.pages()
        .get("/risks", list_page)
        .post("/risks", create_submit::<RiskForm>)
        .get("/risks/new", new_page)
        .get("/risks/library", library_page)
        .post("/risks/library/{key}", library_submit)
        .get("/risks/matrix", matrix_page)
        .get("/risks-export", export_csv)
        .get("/risks/{risk_id}", risk_page)
        .get("/risks/{risk_id}/edit", edit_page)
        .post("/risks/{risk_id}/edit", edit_submit::<RiskForm>)
        .post("/risks/{risk_id}/review", review_submit)
        .post("/risks/{risk_id}/accept", accept_submit);
    r.api()
        .get("/risks", api_list)
        .post("/risks", api_create)
        .get("/risks/{risk_id}", api_get)
        .put("/risks/{risk_id}", api_update)
        .post("/risks/{risk_id}/review", api_review)
        .post("/risks/{risk_id}/accept", api_accept)
        .get("/risk-library", api_library)
        .post("/risk-library/{key}", api_from_library);
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
