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

use crate::auth::PracticeScope;
use crate::error::Problem;
use crate::forms::Errors;
use crate::pages::{Layout, render, render_with};
use crate::routes::{Reach, Routes};
use crate::{AppError, AppState, HttpError};

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

/// How many of the practice's risks use a likelihood or impact beyond matrix `m` (they would
/// fall off its heat map): a practice cannot move to a smaller matrix until they are rescored.
pub async fn risks_off_matrix(
    state: &AppState,
    practice: custodian_domain::PracticeId,
    m: &Matrix,
) -> Result<usize, HttpError> {
    let list = state
        .store
        .risks(
            practice,
            &RiskFilter {
                limit: 50_000,
                ..Default::default()
            },
        )
        .await?;
    Ok(list
        .iter()
        .filter(|r| {
            let f = &r.fields;
            [
                f.inherent_likelihood,
                f.inherent_impact,
                f.residual_likelihood,
                f.residual_impact,
                f.target_likelihood,
                f.target_impact,
            ]
            .iter()
            .any(|v| v.is_some_and(|v| v > m.size()))
        })
        .count())
}

/// Refuses a settings change to a matrix the practice's risks do not fit.
pub async fn check_matrix_change(
    state: &AppState,
    practice: custodian_domain::PracticeId,
    settings: &custodian_domain::settings::PracticeSettings,
) -> Result<(), HttpError> {
    let m = risks::matrix(&settings.risk_matrix);
    let n = risks_off_matrix(state, practice, m).await?;
    if n > 0 {
        return Err(Invalid::one(
            "risk_matrix",
            format!(
                "{n} of the practice's risks use levels beyond the {} matrix and would fall off it: rescore them first",
                m.name
            ),
        )
        .into());
    }
    Ok(())
}

/// The owner a new risk gets when none is chosen: the IAO of its first asset, or whoever adds it.
async fn default_owner(
    state: &AppState,
    scope: &PracticeScope,
    input: &RiskInput,
) -> Result<PersonId, HttpError> {
    if let Some(first) = input.asset_ids.first() {
        if let Some(a) = state.store.asset(scope.id(), *first).await? {
            if let Some(iao) = a.fields.iao_id {
                return Ok(iao);
            }
        }
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

// ---- pages -----------------------------------------------------------------------------------

struct RiskRow {
    id: String,
    reference: String,
    title: String,
    owner: String,
    category: &'static str,
    inherent: String,
    residual: String,
    band: Band,
    status: &'static str,
    next_review: String,
    attention: Vec<String>,
}

struct ActionRow {
    id: String,
    risk_id: String,
    risk: String,
    description: String,
    owner: String,
    due: String,
    status: String,
    status_label: &'static str,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "risks.html")]
struct ListPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    risks: Vec<RiskRow>,
    heat_map: String,
    bands: Vec<(Band, usize)>,
    overdue_reviews: usize,
    overdue_actions: Vec<ActionRow>,
    search: String,
    status: String,
    category: String,
    mine: bool,
    can_add: bool,
    can_import: bool,
    statuses: &'static [(&'static str, &'static str)],
    categories: &'static [(&'static str, &'static str)],
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    search: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    mine: String,
}

fn scored(m: &Matrix, score: i64) -> String {
    let b = m.band(score as u8);
    format!("{score} {}", b.label())
}

fn attention(risk: &Risk, today: chrono::NaiveDate) -> Vec<String> {
    risks::attention(
        &risk.fields.status,
        risk.next_review_on,
        risk.acceptance.as_ref().map(|a| a.expires_on),
        today,
    )
}

async fn list_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ListQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.list").await?;
    let (m, _) = matrix_of(&state, &scope).await?;
    let mine = !q.mine.is_empty();
    let filter = RiskFilter {
        search: Some(q.search.clone()).filter(|s| !s.trim().is_empty()),
        status: Some(q.status.clone()).filter(|s| !s.is_empty()),
        category: Some(q.category.clone()).filter(|s| !s.is_empty()),
        owner: mine.then(|| scope.user.person_id()),
        asset: None,
        limit: 50_000,
    };
    let list = state.store.risks(scope.id(), &filter).await?;
    scope
        .record(
            scope
                .event("risk.list", "risk", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    let today = today(&state);
    let live: Vec<&Risk> = list
        .iter()
        .filter(|r| r.fields.status != "closed")
        .collect();
    let mut cells: Vec<(u8, u8, usize)> = Vec::new();
    for r in &live {
        if let (Some(l), Some(i)) = (r.fields.residual_likelihood, r.fields.residual_impact) {
            match cells.iter_mut().find(|(cl, ci, _)| *cl == l && *ci == i) {
                Some(c) => c.2 += 1,
                None => cells.push((l, i, 1)),
            }
        }
    }
    let bands = Band::ALL
        .iter()
        .map(|b| {
            (
                *b,
                live.iter()
                    .filter(|r| m.band(r.residual_score as u8) == *b)
                    .count(),
            )
        })
        .collect();
    let names: std::collections::HashMap<uuid::Uuid, (String, String)> = list
        .iter()
        .map(|r| (r.id, (r.reference.clone(), r.fields.title.clone())))
        .collect();
    let overdue_actions = state
        .store
        .risk_actions(scope.id(), None)
        .await?
        .into_iter()
        .filter(|a| risks::action_overdue(&a.status, a.due_on, today))
        .filter_map(|a| {
            let (reference, title) = names.get(&a.risk_id)?;
            Some(action_row(&a, format!("{reference} {title}"), today))
        })
        .collect();
    Ok(render(&ListPage {
        layout: Layout::new(
            &scope.user,
            Some((&scope.practice, &scope.access)),
            &format!("/practices/{}/risks", scope.id()),
        ),
        practice: scope.practice.clone(),
        errors: Errors::none(),
        heat_map: crate::risk_chart::heat_map_svg(m, &cells, "Heat map of current residual risks"),
        bands,
        overdue_reviews: live.iter().filter(|r| r.next_review_on < today).count(),
        overdue_actions,
        risks: list
            .iter()
            .map(|r| RiskRow {
                id: r.id.to_string(),
                reference: r.reference.clone(),
                title: r.fields.title.clone(),
                owner: r.owner_name.clone(),
                category: risks::category_label(&r.fields.category),
                inherent: scored(m, r.inherent_score),
                residual: scored(m, r.residual_score),
                band: m.band(r.residual_score as u8),
                status: risks::status_label(&r.fields.status),
                next_review: r.next_review_on.format("%-d %b %Y").to_string(),
                attention: attention(r, today),
            })
            .collect(),
        search: q.search,
        status: q.status,
        category: q.category,
        mine,
        can_add: scope.access.can(Permission::RisksManage)
            || custodian_domain::assets::may_own(&scope.roles),
        can_import: scope.access.can(Permission::RisksManage),
        statuses: risks::STATUSES,
        categories: risks::CATEGORIES,
    }))
}

fn action_row(a: &RiskAction, risk: String, today: chrono::NaiveDate) -> ActionRow {
    ActionRow {
        id: a.id.to_string(),
        risk_id: a.risk_id.to_string(),
        risk,
        description: a.description.clone(),
        owner: a.owner_name.clone(),
        due: a.due_on.format("%-d %b %Y").to_string(),
        status: a.status.clone(),
        status_label: risks::action_status_label(&a.status),
        overdue: risks::action_overdue(&a.status, a.due_on, today),
    }
}

type Options = Vec<(String, String, bool)>;

#[derive(Template)]
#[template(path = "risk_form.html")]
struct FormPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    heading: String,
    action: String,
    f: RiskInput,
    category: Options,
    treatment: Options,
    status: Options,
    owner: Options,
    levels: Vec<(&'static str, &'static str, Options)>,
    interval: String,
    assets: Vec<(String, String, bool)>,
}

fn form_to_input(pairs: &[(String, String)]) -> Result<RiskInput, Errors> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let level = |k: &str| -> Result<Option<u8>, Errors> {
        match get(k).as_str() {
            "" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| Errors::one(k, "Choose a level from the list")),
        }
    };
    let mut asset_ids = Vec::new();
    for (k, v) in pairs.iter().filter(|(k, _)| k == "asset_ids") {
        asset_ids.push(
            v.parse()
                .map_err(|_| Errors::one(k, "Choose assets from the list"))?,
        );
    }
    Ok(RiskInput {
        title: get("title"),
        description: get("description"),
        threat: get("threat"),
        vulnerability: get("vulnerability"),
        asset_ids,
        confidentiality: get("confidentiality") == "true",
        confidentiality_reason: get("confidentiality_reason"),
        integrity: get("integrity") == "true",
        integrity_reason: get("integrity_reason"),
        availability: get("availability") == "true",
        availability_reason: get("availability_reason"),
        category: get("category"),
        owner_id: match get("owner_id").as_str() {
            "" => None,
            v => Some(
                v.parse()
                    .map_err(|_| Errors::one("owner_id", "Choose a person from the list"))?,
            ),
        },
        inherent_likelihood: level("inherent_likelihood")?,
        inherent_impact: level("inherent_impact")?,
        controls: get("controls"),
        residual_likelihood: level("residual_likelihood")?,
        residual_impact: level("residual_impact")?,
        treatment: get("treatment"),
        target_likelihood: level("target_likelihood")?,
        target_impact: level("target_impact")?,
        status: get("status"),
        review_interval_months: match get("review_interval_months").as_str() {
            "" => None,
            v => Some(v.parse().map_err(|_| {
                Errors::one("review_interval_months", "Enter a whole number of months")
            })?),
        },
        raised_on: get("raised_on"),
    })
}

fn choose(list: &[(&str, &str)], current: &str, blank: Option<&str>) -> Options {
    let mut v: Options = blank
        .map(|b| vec![(String::new(), b.to_string(), current.is_empty())])
        .unwrap_or_default();
    v.extend(
        list.iter()
            .map(|(k, l)| (k.to_string(), l.to_string(), *k == current)),
    );
    v
}

async fn form_page(
    state: &AppState,
    scope: &PracticeScope,
    f: RiskInput,
    errors: Errors,
    existing: Option<&Risk>,
) -> Result<Response, HttpError> {
    let (m, _) = matrix_of(state, scope).await?;
    let staff = state.store.access_overview(scope.id()).await?;
    let assets = state.store.asset_choices(scope.id()).await?;
    let level = |labels: &[&str], v: Option<u8>, blank: &str| -> Options {
        let mut o = vec![(String::new(), blank.to_string(), v.is_none())];
        o.extend(labels.iter().enumerate().map(|(i, l)| {
            let n = i as u8 + 1;
            (n.to_string(), format!("{n} – {l}"), v == Some(n))
        }));
        o
    };
    let mut owner = vec![(
        String::new(),
        "The IAO of the first asset (or you)".to_string(),
        f.owner_id.is_none(),
    )];
    owner.extend(staff.iter().map(|s| {
        (
            s.person_id.to_string(),
            s.full_name.clone(),
            f.owner_id == Some(s.person_id),
        )
    }));
    let statuses: Vec<(&str, &str)> = risks::STATUSES
        .iter()
        .copied()
        .filter(|(k, _)| {
            *k != "accepted" || existing.is_some_and(|r| r.fields.status == "accepted")
        })
        .collect();
    let page = FormPage {
        layout: Layout::new(
            &scope.user,
            Some((&scope.practice, &scope.access)),
            &format!("/practices/{}/risks", scope.id()),
        ),
        practice: scope.practice.clone(),
        heading: match existing {
            Some(r) => format!("Edit {} {}", r.reference, r.fields.title),
            None => "Add a risk".into(),
        },
        action: match existing {
            Some(r) => format!("/practices/{}/risks/{}/edit", scope.id(), r.id),
            None => format!("/practices/{}/risks", scope.id()),
        },
        category: choose(risks::CATEGORIES, &f.category, Some("Choose")),
        treatment: choose(risks::TREATMENTS, &f.treatment, Some("Choose")),
        status: choose(
            &statuses,
            if f.status.is_empty() {
                "open"
            } else {
                &f.status
            },
            None,
        ),
        owner,
        levels: vec![
            (
                "inherent_likelihood",
                "Inherent likelihood (before controls)",
                level(m.likelihood, f.inherent_likelihood, "Choose"),
            ),
            (
                "inherent_impact",
                "Inherent impact",
                level(m.impact, f.inherent_impact, "Choose"),
            ),
            (
                "residual_likelihood",
                "Residual likelihood (with the controls in place)",
                level(m.likelihood, f.residual_likelihood, "Choose"),
            ),
            (
                "residual_impact",
                "Residual impact",
                level(m.impact, f.residual_impact, "Choose"),
            ),
            (
                "target_likelihood",
                "Target likelihood (optional)",
                level(m.likelihood, f.target_likelihood, "None"),
            ),
            (
                "target_impact",
                "Target impact (optional)",
                level(m.impact, f.target_impact, "None"),
            ),
        ],
        interval: f
            .review_interval_months
            .map(|n| n.to_string())
            .unwrap_or_else(|| "3".into()),
        assets: assets
            .into_iter()
            .map(|(id, name)| {
                let on = f.asset_ids.contains(&id);
                (id.to_string(), name, on)
            })
            .collect(),
        f,
        errors,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

async fn new_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    require_edit(&scope, Some(scope.user.person_id()), "risk.create").await?;
    let f = RiskInput {
        status: "open".into(),
        ..Default::default()
    };
    form_page(&state, &scope, f, Errors::none(), None).await
}

async fn create_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let input = match form_to_input(&pairs) {
        Ok(i) => i,
        Err(e) => return form_page(&state, &scope, RiskInput::default(), e, None).await,
    };
    match create_risk(&state, &scope, &input).await {
        Ok(r) => {
            Ok(Redirect::to(&format!("/practices/{}/risks/{}", scope.id(), r.id)).into_response())
        }
        Err(HttpError(AppError::Invalid(i))) => {
            form_page(&state, &scope, input, i.into(), None).await
        }
        Err(e) => Err(e),
    }
}

async fn edit_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let r = load(&state, &scope, &id).await?;
    require_edit(&scope, r.fields.owner_id, "risk.update").await?;
    scope
        .record(scope.event("risk.view", "risk", Some(r.id.to_string())))
        .await?;
    form_page(&state, &scope, r.fields.clone(), Errors::none(), Some(&r)).await
}

async fn edit_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let old = load(&state, &scope, &id).await?;
    let input = match form_to_input(&pairs) {
        Ok(i) => i,
        Err(e) => return form_page(&state, &scope, old.fields.clone(), e, Some(&old)).await,
    };
    match update_risk(&state, &scope, &id, &input).await {
        Ok(r) => {
            Ok(Redirect::to(&format!("/practices/{}/risks/{}", scope.id(), r.id)).into_response())
        }
        Err(HttpError(AppError::Invalid(i))) => {
            form_page(&state, &scope, input, i.into(), Some(&old)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "risk_library.html")]
struct LibraryPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    entries: Vec<LibraryRow>,
    can_add: bool,
}

struct LibraryRow {
    key: String,
    title: String,
    threat: String,
    vulnerability: String,
    category: &'static str,
    cia: String,
    score: String,
    from_provider: bool,
}

/// The library a practice sees: the built-in threats, then the provider's own.
pub async fn library(state: &AppState) -> Result<Vec<Threat>, HttpError> {
    let mut all: Vec<Threat> = risks::LIBRARY.iter().map(Threat::from).collect();
    all.extend(state.store.provider_threats().await?);
    Ok(all)
}

async fn library_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.library").await?;
    let (m, _) = matrix_of(&state, &scope).await?;
    Ok(render(&LibraryPage {
        layout: Layout::new(
            &scope.user,
            Some((&scope.practice, &scope.access)),
            &format!("/practices/{}/risks", scope.id()),
        ),
        practice: scope.practice.clone(),
        can_add: scope.access.can(Permission::RisksManage)
            || custodian_domain::assets::may_own(&scope.roles),
        entries: library(&state)
            .await?
            .into_iter()
            .map(|e| {
                let i = e.to_input(m);
                let (l, im) = (
                    i.inherent_likelihood.unwrap_or(1),
                    i.inherent_impact.unwrap_or(1),
                );
                LibraryRow {
                    category: risks::category_label(&e.category),
                    cia: cia_letters(e.confidentiality, e.integrity, e.availability),
                    score: format!("{} × {} = {}", l, im, scored(m, i64::from(m.score(l, im)))),
                    from_provider: e.from_provider,
                    key: e.key,
                    title: e.title,
                    threat: e.threat,
                    vulnerability: e.vulnerability,
                }
            })
            .collect(),
    }))
}

fn cia_letters(c: bool, i: bool, a: bool) -> String {
    [("C", c), ("I", i), ("A", a)]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(l, _)| *l)
        .collect::<Vec<_>>()
        .join(" ")
}

async fn from_library(
    state: &AppState,
    scope: &PracticeScope,
    key: &str,
) -> Result<Risk, HttpError> {
    scope.require(Permission::RisksView, "risk.create").await?;
    let entry = library(state)
        .await?
        .into_iter()
        .find(|t| t.key == key)
        .ok_or(AppError::NotFound)?;
    let (m, _) = matrix_of(state, scope).await?;
    let input = entry.to_input(m);
    create_risk(state, scope, &input).await
}

async fn library_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, key)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let r = from_library(&state, &scope, &key).await?;
    Ok(Redirect::to(&format!("/practices/{}/risks/{}", scope.id(), r.id)).into_response())
}

#[derive(Template)]
#[template(path = "risk_matrix.html")]
struct MatrixPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    matrix: &'static Matrix,
    heat_map: String,
    bands: Vec<(Band, String)>,
    appetite: Band,
}

async fn matrix_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.matrix").await?;
    let (m, appetite) = matrix_of(&state, &scope).await?;
    Ok(render(&MatrixPage {
        layout: Layout::new(
            &scope.user,
            Some((&scope.practice, &scope.access)),
            &format!("/practices/{}/risks", scope.id()),
        ),
        practice: scope.practice.clone(),
        heat_map: crate::risk_chart::heat_map_svg(m, &[], "The practice's risk matrix"),
        bands: Band::ALL.iter().map(|b| (*b, m.band_range(*b))).collect(),
        matrix: m,
        appetite,
    }))
}

#[derive(Template)]
#[template(path = "risk.html")]
struct RiskPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    r: Risk,
    details: Vec<(&'static str, String)>,
    band: Band,
    assets: Vec<(String, String)>,
    actions: Vec<ActionRow>,
    reviews: Vec<RiskReview>,
    attention: Vec<String>,
    history: Vec<(String, String, String, String)>,
    can_edit: bool,
    can_accept: bool,
    needs_siro: bool,
    appetite: Band,
    people: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str, Options)>,
    action_statuses: &'static [(&'static str, &'static str)],
}

async fn risk_page_for(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let r = load(state, scope, id).await?;
    scope
        .record(scope.event("risk.view", "risk", Some(r.id.to_string())))
        .await?;
    let (m, appetite) = matrix_of(state, scope).await?;
    let today = today(state);
    let f = &r.fields;
    let level = |l: Option<u8>, i: Option<u8>| match (l, i) {
        (Some(l), Some(i)) => format!(
            "{} ({}) × {} ({}) = {}",
            l,
            m.likelihood_label(l),
            i,
            m.impact_label(i),
            scored(m, i64::from(m.score(l, i)))
        ),
        _ => "–".into(),
    };
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "–".to_string()
        } else {
            s.to_string()
        }
    };
    let mut threatens = Vec::new();
    for (on, what, why) in [
        (
            f.confidentiality,
            "Confidentiality",
            &f.confidentiality_reason,
        ),
        (f.integrity, "Integrity", &f.integrity_reason),
        (f.availability, "Availability", &f.availability_reason),
    ] {
        if on {
            threatens.push(format!("{what}: {why}"));
        }
    }
    let details = vec![
        ("Threat", f.threat.clone()),
        ("Vulnerability", f.vulnerability.clone()),
        ("Description", or_dash(&f.description)),
        ("Threatens", threatens.join("; ")),
        ("Category", risks::category_label(&f.category).to_string()),
        ("Owner", r.owner_name.clone()),
        (
            "Inherent risk",
            level(f.inherent_likelihood, f.inherent_impact),
        ),
        ("Current controls", or_dash(&f.controls)),
        (
            "Residual risk",
            level(f.residual_likelihood, f.residual_impact),
        ),
        (
            "Treatment",
            risks::treatment_label(&f.treatment).to_string(),
        ),
        ("Target", level(f.target_likelihood, f.target_impact)),
        ("Status", risks::status_label(&f.status).to_string()),
        (
            "Raised",
            custodian_domain::identity::parse_date(&f.raised_on)
                .map(|d| d.format("%-d %b %Y").to_string())
                .unwrap_or_else(|| f.raised_on.clone()),
        ),
        (
            "Next review",
            format!(
                "{} (every {} months)",
                r.next_review_on.format("%-d %b %Y"),
                f.review_interval_months.unwrap_or(3)
            ),
        ),
    ];
    let asset_names = state.store.asset_choices(scope.id()).await?;
    let assets = f
        .asset_ids
        .iter()
        .filter_map(|id| asset_names.iter().find(|(a, _)| a == id))
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    let actions = state
        .store
        .risk_actions(scope.id(), Some(r.id))
        .await?
        .iter()
        .map(|a| action_row(a, String::new(), today))
        .collect();
    let reviews = state.store.risk_reviews(scope.id(), r.id).await?;
    let history = state
        .store
        .search_events(&custodian_store::EventFilter {
            practice: Some(scope.id()),
            object_id: Some(r.id.to_string()),
            limit: 200,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|e| !e.event.action.ends_with(".view"))
        .map(|e| {
            (
                show_datetime(e.occurred_at),
                e.event.meta.actor.clone(),
                e.event.action.clone(),
                crate::pages::describe_changes(&e.details_text, 400),
            )
        })
        .collect();
    let staff = state.store.access_overview(scope.id()).await?;
    let band = m.band(r.residual_score as u8);
    let level_options = |labels: &[&str], v: Option<u8>| -> Options {
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let n = i as u8 + 1;
                (n.to_string(), format!("{n} – {l}"), v == Some(n))
            })
            .collect()
    };
    let page = RiskPage {
        layout: Layout::new(
            &scope.user,
            Some((&scope.practice, &scope.access)),
            &format!("/practices/{}/risks", scope.id()),
        ),
        practice: scope.practice.clone(),
        details,
        band,
        assets,
        actions,
        reviews,
        attention: attention(&r, today),
        history,
        can_edit: risks::may_edit(&scope.access, f.owner_id),
        can_accept: f.status != "closed"
            && (scope.access.can(Permission::RisksManage)
                || scope.access.can(Permission::RiskAcceptAboveAppetite)),
        needs_siro: risks::above_appetite(band, appetite),
        appetite,
        people: staff
            .iter()
            .map(|s| (s.person_id.to_string(), s.full_name.clone()))
            .collect(),
        levels: vec![
            (
                "residual_likelihood",
                "Residual likelihood now",
                level_options(m.likelihood, f.residual_likelihood),
            ),
            (
                "residual_impact",
                "Residual impact now",
                level_options(m.impact, f.residual_impact),
            ),
        ],
        action_statuses: risks::ACTION_STATUSES,
        r,
        errors,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

async fn risk_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    risk_page_for(&state, &scope, &id, Errors::none()).await
}

fn back(scope: &PracticeScope, id: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/practices/{}/risks/{id}#{anchor}", scope.id())).into_response()
}

async fn action_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Form(input): Form<ActionInput>,
) -> Result<Response, HttpError> {
    match add_action(&state, &scope, &id, &input).await {
        Ok(_) => Ok(back(&scope, &id, "actions")),
        Err(HttpError(AppError::Invalid(i))) => risk_page_for(&state, &scope, &id, i.into()).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct ActionStatus {
    #[serde(default)]
    status: String,
}

async fn action_update_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id, action)): Path<(String, String, String)>,
    Form(form): Form<ActionStatus>,
) -> Result<Response, HttpError> {
    let input = ActionInput {
        status: form.status,
        ..Default::default()
    };
    match update_action(&state, &scope, &id, &action, &input).await {
        Ok(_) => Ok(back(&scope, &id, "actions")),
        Err(HttpError(AppError::Invalid(i))) => risk_page_for(&state, &scope, &id, i.into()).await,
        Err(e) => Err(e),
    }
}

async fn review_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let input = ReviewInput {
        residual_likelihood: get("residual_likelihood").parse().ok(),
        residual_impact: get("residual_impact").parse().ok(),
        notes: get("notes"),
        next_review_on: get("next_review_on"),
    };
    match review(&state, &scope, &id, &input).await {
        Ok(_) => Ok(back(&scope, &id, "reviews")),
        Err(HttpError(AppError::Invalid(i))) => risk_page_for(&state, &scope, &id, i.into()).await,
        Err(e) => Err(e),
    }
}

async fn accept_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Form(input): Form<AcceptanceInput>,
) -> Result<Response, HttpError> {
    match accept(&state, &scope, &id, &input).await {
        Ok(_) => Ok(back(&scope, &id, "acceptance")),
        Err(HttpError(AppError::Invalid(i))) => risk_page_for(&state, &scope, &id, i.into()).await,
        Err(e) => Err(e),
    }
}

/// The register as CSV, in the columns the import reads back (plus the computed ones).
async fn export_csv(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.export").await?;
    let (m, _) = matrix_of(&state, &scope).await?;
    let list = state
        .store
        .risks(
            scope.id(),
            &RiskFilter {
                limit: 50_000,
                ..Default::default()
            },
        )
        .await?;
    let staff = state.store.access_overview(scope.id()).await?;
    let assets: std::collections::HashMap<uuid::Uuid, String> = state
        .store
        .asset_choices(scope.id())
        .await?
        .into_iter()
        .collect();
    let username = |p: Option<PersonId>| {
        p.and_then(|p| staff.iter().find(|s| s.person_id == p))
            .map(|s| s.username.clone())
            .unwrap_or_default()
    };
    let n = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    let mut out = crate::report::csv_line(custodian_domain::risk_import::CSV_COLUMNS);
    for r in &list {
        let f = &r.fields;
        out.push_str(&crate::report::csv_line(&[
            r.reference.clone(),
            f.title.clone(),
            f.description.clone(),
            f.threat.clone(),
            f.vulnerability.clone(),
            f.category.clone(),
            yes(f.confidentiality),
            f.confidentiality_reason.clone(),
            yes(f.integrity),
            f.integrity_reason.clone(),
            yes(f.availability),
            f.availability_reason.clone(),
            f.asset_ids
                .iter()
                .filter_map(|a| assets.get(a).cloned())
                .collect::<Vec<_>>()
                .join("; "),
            username(f.owner_id),
            n(f.inherent_likelihood),
            n(f.inherent_impact),
            f.controls.clone(),
            n(f.residual_likelihood),
            n(f.residual_impact),
            f.treatment.clone(),
            n(f.target_likelihood),
            n(f.target_impact),
            f.status.clone(),
            f.review_interval_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
            f.raised_on.clone(),
            r.inherent_score.to_string(),
            r.residual_score.to_string(),
            m.band(r.residual_score as u8).as_str().to_string(),
            r.next_review_on.to_string(),
        ]));
    }
    scope
        .record(
            scope
                .event("risk.export", "risk", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    Ok(crate::report::csv_response(
        &format!("custodian-risks-{}.csv", scope.practice.ods_code),
        out,
    ))
}

// ---- API -------------------------------------------------------------------------------------

/// A risk with its treatment actions and reviews.
#[derive(Serialize, ToSchema)]
pub struct RiskDetail {
    #[serde(flatten)]
    pub risk: Risk,
    /// The residual band on the practice's matrix.
    pub band: Band,
    pub actions: Vec<RiskAction>,
    pub reviews: Vec<RiskReview>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskQuery {
    /// Part of the title.
    #[serde(default)]
    search: Option<String>,
    /// open, treating, accepted or closed.
    #[serde(default)]
    status: Option<String>,
    /// people, process, technology, supplier or physical.
    #[serde(default)]
    category: Option<String>,
    /// Risks that threaten this asset.
    #[serde(default)]
    asset_id: Option<uuid::Uuid>,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/risks", tag = "risks", summary = "The practice's risks, highest residual score first",
    params(("practice_id" = String, Path, description = "The practice's id"), RiskQuery),
    responses((status = 200, body = Vec<Risk>), (status = 403, body = Problem)))]
async fn api_list(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<RiskQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.list").await?;
    let list = state
        .store
        .risks(
            scope.id(),
            &RiskFilter {
                search: q.search.filter(|s| !s.trim().is_empty()),
                status: q.status.filter(|s| !s.is_empty()),
                category: q.category.filter(|s| !s.is_empty()),
                owner: None,
                asset: q.asset_id,
                limit: 50_000,
            },
        )
        .await?;
    scope
        .record(
            scope
                .event("risk.list", "risk", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    Ok(Json(list).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risks", tag = "risks", summary = "Add a risk",
    description = "Scores are computed from likelihood × impact on the practice's matrix. The data protection lead, practice manager or SIRO; or an IAO adding a risk they own. Without owner_id the owner is the IAO of the first asset.",
    params(("practice_id" = String, Path, description = "The practice's id")), request_body = RiskInput,
    responses((status = 201, body = Risk), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_create(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<RiskInput>,
) -> Result<Response, HttpError> {
    let r = create_risk(&state, &scope, &body).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/risks/{risk_id}", tag = "risks", summary = "One risk with its actions and reviews",
    params(("practice_id" = String, Path, description = "The practice's id"), ("risk_id" = String, Path, description = "The risk's id")),
    responses((status = 200, body = RiskDetail), (status = 404, body = Problem)))]
async fn api_get(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let risk = load(&state, &scope, &id).await?;
    scope
        .record(scope.event("risk.view", "risk", Some(risk.id.to_string())))
        .await?;
    let (m, _) = matrix_of(&state, &scope).await?;
    Ok(Json(RiskDetail {
        band: m.band(risk.residual_score as u8),
        actions: state.store.risk_actions(scope.id(), Some(risk.id)).await?,
        reviews: state.store.risk_reviews(scope.id(), risk.id).await?,
        risk,
    })
    .into_response())
}

#[utoipa::path(put, path = "/api/v1/practices/{practice_id}/risks/{risk_id}", tag = "risks", summary = "Change a risk",
    params(("practice_id" = String, Path, description = "The practice's id"), ("risk_id" = String, Path, description = "The risk's id")), request_body = RiskInput,
    responses((status = 200, body = Risk), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn api_update(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<RiskInput>,
) -> Result<Response, HttpError> {
    Ok(Json(update_risk(&state, &scope, &id, &body).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risks/{risk_id}/actions", tag = "risks", summary = "Add an action to a risk's treatment plan",
    params(("practice_id" = String, Path, description = "The practice's id"), ("risk_id" = String, Path, description = "The risk's id")), request_body = ActionInput,
    responses((status = 201, body = RiskAction), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_add_action(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<ActionInput>,
) -> Result<Response, HttpError> {
    let a = add_action(&state, &scope, &id, &body).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[utoipa::path(put, path = "/api/v1/practices/{practice_id}/risks/{risk_id}/actions/{action_id}", tag = "risks", summary = "Change an action (empty fields keep their value)",
    params(("practice_id" = String, Path, description = "The practice's id"), ("risk_id" = String, Path, description = "The risk's id"), ("action_id" = String, Path, description = "The action's id")),
    request_body = ActionInput,
    responses((status = 200, body = RiskAction), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn api_update_action(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id, action)): Path<(String, String, String)>,
    Json(body): Json<ActionInput>,
) -> Result<Response, HttpError> {
    Ok(Json(update_action(&state, &scope, &id, &action, &body).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risks/{risk_id}/review", tag = "risks", summary = "Record a review of a risk",
    params(("practice_id" = String, Path, description = "The practice's id"), ("risk_id" = String, Path, description = "The risk's id")), request_body = ReviewInput,
    responses((status = 201, body = RiskReview), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_review(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<ReviewInput>,
) -> Result<Response, HttpError> {
    let r = review(&state, &scope, &id, &body).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risks/{risk_id}/accept", tag = "risks", summary = "Accept a risk until a date",
    description = "Above the practice's risk appetite only the SIRO may accept. An acceptance lasts at most a year; the risk comes back for review when it ends.",
    params(("practice_id" = String, Path, description = "The practice's id"), ("risk_id" = String, Path, description = "The risk's id")), request_body = AcceptanceInput,
    responses((status = 201, body = RiskAcceptance), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_accept(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<AcceptanceInput>,
) -> Result<Response, HttpError> {
    let a = accept(&state, &scope, &id, &body).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// A library entry as a risk on the practice's matrix.
#[derive(Serialize, ToSchema)]
pub struct LibraryItem {
    /// A word for a built-in threat, an id for one the provider added.
    pub key: String,
    pub from_provider: bool,
    pub risk: RiskInput,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/risk-library", tag = "risks", summary = "Common GP-practice threats, scored on the practice's matrix",
    params(("practice_id" = String, Path, description = "The practice's id")),
    responses((status = 200, body = Vec<LibraryItem>)))]
async fn api_library(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.library").await?;
    let (m, _) = matrix_of(&state, &scope).await?;
    let items: Vec<LibraryItem> = library(&state)
        .await?
        .into_iter()
        .map(|e| LibraryItem {
            risk: e.to_input(m),
            from_provider: e.from_provider,
            key: e.key,
        })
        .collect();
    Ok(Json(items).into_response())
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/risk-library/{key}", tag = "risks", summary = "Add a library threat to the register in one step",
    params(("practice_id" = String, Path, description = "The practice's id"), ("key" = String, Path, description = "The library entry, e.g. phishing")),
    responses((status = 201, body = Risk), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn api_from_library(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, key)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let r = from_library(&state, &scope, &key).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_list,
        api_create,
        api_get,
        api_update,
        api_add_action,
        api_update_action,
        api_review,
        api_accept,
        api_library,
        api_from_library
    ),
    components(schemas(
        Risk,
        RiskDetail,
        RiskInput,
        RiskAction,
        RiskReview,
        RiskAcceptance,
        ActionInput,
        ReviewInput,
        AcceptanceInput,
        Band,
        LibraryItem
    ))
)]
pub struct RisksApi;
