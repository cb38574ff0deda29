//! Adding and editing a risk.

use super::*;
use crate::AppError;
use crate::kit::entry_form::EntryForm;
use crate::kit::forms::{posted, posted_as};
use crate::kit::layout::PracticeAddress;
use custodian_app::Actor;

#[derive(Template)]
#[template(path = "risks/risk_form.html")]
pub(crate) struct FormPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) heading: String,
    pub(crate) action: String,
    pub(crate) f: RiskInput,
    pub(crate) category: Options,
    pub(crate) treatment: Options,
    pub(crate) status: Options,
    pub(crate) owner: Options,
    pub(crate) levels: Vec<(&'static str, &'static str, Options)>,
    pub(crate) interval: String,
    pub(crate) assets: Vec<(String, String, bool)>,
}

pub(crate) fn form_to_input(pairs: &[(String, String)]) -> Result<RiskInput, Errors> {
    let get = |k: &str| posted(pairs, k);
    let level = |k: &str| posted_as::<u8>(pairs, k, "Choose a level from the list");
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
        owner_id: posted_as(pairs, "owner_id", "Choose a person from the list")?,
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

pub(crate) async fn form_page(
    state: &AppState,
    scope: &PracticeScope,
    f: RiskInput,
    errors: Errors,
    existing: Option<&Risk>,
) -> Result<Response, HttpError> {
    let (m, _) = matrix_of(state, &scope.actor()).await?;
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
            let accepted = risks::RiskStatus::Accepted;
            *k != accepted.as_str() || existing.is_some_and(|r| r.fields.status() == accepted)
        })
        .collect();
    let page = FormPage {
        layout: scope.layout(&scope.path("/risks")),
        practice: scope.practice.clone(),
        heading: match existing {
            Some(r) => format!("Edit {} {}", r.reference, r.fields.title),
            None => "Add a risk".into(),
        },
        action: match existing {
            Some(r) => scope.path(&format!("/risks/{}/edit", r.id)),
            None => scope.path("/risks"),
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

pub(crate) async fn new_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    require_edit(
        &state,
        &scope.actor(),
        Some(scope.user.person_id()),
        "risk.create",
    )
    .await?;
    let f = RiskInput {
        status: "open".into(),
        ..Default::default()
    };
    form_page(&state, &scope, f, Errors::none(), None).await
}

pub(crate) async fn edit_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    let r = custodian_app::risks::open_for_edit(&state, &scope.actor(), &id).await?;
    form_page(&state, &scope, r.fields.clone(), Errors::none(), Some(&r)).await
}

/// The risk register's entry form (see `kit::entry_form`).
pub(crate) struct RiskForm;

#[async_trait::async_trait]
impl EntryForm for RiskForm {
    type Input = RiskInput;
    type Entry = Risk;
    const FOLDER: &'static str = "risks";

    fn read(pairs: &[(String, String)]) -> Result<RiskInput, Errors> {
        form_to_input(pairs)
    }

    async fn page(
        state: &AppState,
        scope: &PracticeScope,
        input: RiskInput,
        errors: Errors,
        entry: Option<&Risk>,
    ) -> Result<Response, HttpError> {
        form_page(state, scope, input, errors, entry).await
    }

    async fn load(state: &AppState, actor: &Actor<'_>, id: &str) -> Result<Risk, AppError> {
        load(state, actor, id).await
    }

    fn input_of(risk: &Risk) -> RiskInput {
        risk.fields.clone()
    }

    fn id_of(risk: &Risk) -> String {
        risk.id.to_string()
    }

    async fn create(
        state: &AppState,
        actor: &Actor<'_>,
        input: &RiskInput,
    ) -> Result<Risk, AppError> {
        create_risk(state, actor, input).await
    }

    async fn update(
        state: &AppState,
        actor: &Actor<'_>,
        id: &str,
        input: &RiskInput,
    ) -> Result<Risk, AppError> {
        update_risk(state, actor, id, input).await
    }
}
