//! The information risk register in the web UI and the JSON API: risks scored on the practice's
//! matrix, the heat map, the threat library, treatment actions, reviews and acceptances.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::risks::{
    self, AcceptanceInput, ActionInput, Band, Matrix, ReviewInput, RiskInput, Threat,
};
use custodian_domain::time::show_datetime;
use custodian_domain::{Invalid, Permission, PersonId};
use custodian_store::{Risk, RiskAcceptance, RiskAction, RiskFilter, RiskReview};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kit::error::Problem;
use crate::kit::forms::Errors;
use crate::kit::layout::{Layout, render, render_with};
use crate::kit::routes::{Reach, Routes};
use crate::kit::session::PracticeScope;
use crate::{AppError, AppState, HttpError};

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

// ---- the rules, shared by pages and API ------------------------------------------------------

fn today(state: &AppState) -> chrono::NaiveDate {
    custodian_domain::identity::london_today(state.clock.now())
}

fn parse_id(s: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(s).map_err(|_| AppError::NotFound)
}

/// The practice's matrix and appetite.
async fn matrix_of(
    state: &AppState,
    scope: &PracticeScope,
) -> Result<(&'static Matrix, Band), HttpError> {
    let s = state.store.settings(scope.id()).await?;
    Ok((risks::matrix(&s.risk_matrix), s.risk_appetite))
}

async fn load(state: &AppState, scope: &PracticeScope, id: &str) -> Result<Risk, HttpError> {
    scope.require(Permission::RisksView, "risk.view").await?;
    state
        .store
        .risk(scope.id(), parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound.into())
}

/// The one check for changing a risk: register managers, or the risk's own owner.
async fn require_edit(
    scope: &PracticeScope,
    owner: Option<PersonId>,
    action: &str,
) -> Result<(), HttpError> {
    if risks::may_edit(&scope.access, owner) {
        return Ok(());
    }
    scope.require(Permission::RisksManage, action).await
}

/// The owner a new risk gets when none is chosen: the IAO of its first asset, or whoever adds it.
async fn default_owner(
    state: &AppState,
    scope: &PracticeScope,
    input: &RiskInput,
) -> Result<PersonId, HttpError> {
    if let Some(first) = input.asset_ids.first()
        && let Some(a) = state.store.asset(scope.id(), *first).await?
        && let Some(iao) = a.fields.iao_id
    {
        return Ok(iao);
    }
    Ok(scope.user.person_id())
}

pub async fn create_risk(
    state: &AppState,
    scope: &PracticeScope,
    input: &RiskInput,
) -> Result<Risk, HttpError> {
    let mut input = input.clone();
    if input.owner_id.is_none() {
        input.owner_id = Some(default_owner(state, scope, &input).await?);
    }
    require_edit(scope, input.owner_id, "risk.create").await?;
    let (m, _) = matrix_of(state, scope).await?;
    let valid = input.validate(m, today(state), None)?;
    Ok(state
        .store
        .create_risk(scope.id(), &valid, &scope.meta)
        .await?)
}

pub async fn update_risk(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    input: &RiskInput,
) -> Result<Risk, HttpError> {
    let old = load(state, scope, id).await?;
    require_edit(scope, old.fields.owner_id, "risk.update").await?;
    let mut input = input.clone();
    if input.owner_id.is_none() {
        input.owner_id = old.fields.owner_id;
    }
    if input.owner_id != old.fields.owner_id && !scope.access.can(Permission::RisksManage) {
        return Err(Invalid::one(
            "owner_id",
            "Only the data protection lead, practice manager or SIRO can give a risk to another owner",
        )
        .into());
    }
    let (m, _) = matrix_of(state, scope).await?;
    let valid = input.validate(m, today(state), Some(&old.fields.status))?;
    Ok(state
        .store
        .update_risk(scope.id(), old.id, &valid, &scope.meta)
        .await?)
}

pub async fn add_action(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    input: &ActionInput,
) -> Result<RiskAction, HttpError> {
    let risk = load(state, scope, id).await?;
    require_edit(scope, risk.fields.owner_id, "risk_action.create").await?;
    let raised =
        custodian_domain::identity::parse_date(&risk.fields.raised_on).unwrap_or(today(state));
    let valid = input.validate(raised)?;
    Ok(state
        .store
        .add_risk_action(scope.id(), risk.id, &valid, &scope.meta)
        .await?)
}

pub async fn update_action(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    action: &str,
    input: &ActionInput,
) -> Result<RiskAction, HttpError> {
    let risk = load(state, scope, id).await?;
    let action = parse_id(action)?;
    let actions = state.store.risk_actions(scope.id(), Some(risk.id)).await?;
    let old = actions
        .iter()
        .find(|a| a.id == action)
        .ok_or(AppError::NotFound)?;
    // Whoever the action is given to may update it, as may those who may edit the risk.
    if old.owner_id != scope.user.person_id() {
        require_edit(scope, risk.fields.owner_id, "risk_action.update").await?;
    }
    let mut input = input.clone();
    if input.description.trim().is_empty() {
        input.description = old.description.clone();
    }
    if input.owner_id.is_none() {
        input.owner_id = Some(old.owner_id);
    }
    if input.due_on.trim().is_empty() {
        input.due_on = old.due_on.to_string();
    }
    let raised =
        custodian_domain::identity::parse_date(&risk.fields.raised_on).unwrap_or(today(state));
    let valid = input.validate(raised)?;
    Ok(state
        .store
        .update_risk_action(scope.id(), action, &valid, &scope.meta)
        .await?)
}

pub async fn review(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    input: &ReviewInput,
) -> Result<RiskReview, HttpError> {
    let risk = load(state, scope, id).await?;
    require_edit(scope, risk.fields.owner_id, "risk.review").await?;
    let (m, _) = matrix_of(state, scope).await?;
    let current = (
        risk.fields.residual_likelihood.unwrap_or(0),
        risk.fields.residual_impact.unwrap_or(0),
    );
    let valid = input.validate(
        m,
        current,
        risk.inherent_score as u8,
        risk.fields.review_interval_months.unwrap_or(3),
        today(state),
    )?;
    Ok(state
        .store
        .review_risk(scope.id(), risk.id, &valid, &scope.meta)
        .await?)
}

pub async fn accept(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    input: &AcceptanceInput,
) -> Result<RiskAcceptance, HttpError> {
    let risk = load(state, scope, id).await?;
    let is_siro = scope.access.can(Permission::RiskAcceptAboveAppetite);
    if !is_siro {
        scope
            .require(Permission::RisksManage, "risk.accept")
            .await?;
    }
    if risk.fields.status == "closed" {
        return Err(Invalid::one(
            "reason",
            "This risk is closed: reopen it before accepting it",
        )
        .into());
    }
    let (m, appetite) = matrix_of(state, scope).await?;
    let band = m.band(risk.residual_score as u8);
    let valid = input.validate(band, appetite, is_siro, today(state))?;
    Ok(state
        .store
        .accept_risk(scope.id(), risk.id, &valid, band, &scope.meta)
        .await?)
}
