//! A risk's record: its actions, reviews and acceptance; the register's CSV export.

use super::*;
use crate::kit::forms::posted;
use crate::kit::history::{or_dash, record_history};
use crate::kit::layout::PracticeAddress;

#[derive(Template)]
#[template(path = "risks/risk.html")]
pub(crate) struct RiskPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) r: Risk,
    pub(crate) details: Vec<(&'static str, String)>,
    pub(crate) band: Band,
    pub(crate) assets: Vec<(String, String)>,
    pub(crate) actions: crate::kit::actions::ActionsPanel,
    pub(crate) reviews: Vec<RiskReview>,
    pub(crate) attention: Vec<String>,
    pub(crate) history: Vec<(String, String, String, String)>,
    pub(crate) can_edit: bool,
    pub(crate) can_accept: bool,
    /// Above the appetite, for a manager of the register who is not the SIRO: why there is no
    /// form to accept it.
    pub(crate) siro_only: bool,
    pub(crate) needs_siro: bool,
    pub(crate) appetite: Band,
    pub(crate) levels: Vec<(&'static str, &'static str, Options)>,
}

pub(crate) async fn risk_page_for(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let r = custodian_app::risks::view(state, &scope.actor(), id).await?;
    let (m, appetite) = matrix_of(state, &scope.actor()).await?;
    let today = state.today();
    let f = &r.fields;
    let details = risk_details(&r, m);
    let asset_names = state.store.asset_choices(scope.id()).await?;
    let assets = f
        .asset_ids
        .iter()
        .filter_map(|id| asset_names.iter().find(|(a, _)| a == id))
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    let actions = crate::kit::actions::panel(
        state,
        scope,
        custodian_domain::holder::Holder::Risk(r.id),
        risks::may_edit(&scope.access, f.owner_id),
    )
    .await?;
    let reviews = state.store.risk_reviews(scope.id(), r.id).await?;
    let history = record_history(state, scope, r.id.to_string(), 400).await?;
    let band = m.band(r.residual_score as u8);
    let page = RiskPage {
        layout: scope.layout(&scope.path("/risks")),
        practice: scope.practice.clone(),
        details,
        band,
        assets,
        actions,
        reviews,
        attention: attention(&r, today),
        history,
        can_edit: risks::may_edit(&scope.access, f.owner_id),
        // The form is for those who may submit it: above the appetite, only the SIRO; the
        // register's managers are told why they cannot.
        can_accept: f.status() != risks::RiskStatus::Closed
            && (scope.access.can(Permission::RiskAcceptAboveAppetite)
                || (scope.access.can(Permission::RisksManage)
                    && !risks::above_appetite(band, appetite))),
        siro_only: f.status() != risks::RiskStatus::Closed
            && risks::above_appetite(band, appetite)
            && scope.access.can(Permission::RisksManage)
            && !scope.access.can(Permission::RiskAcceptAboveAppetite),
        needs_siro: risks::above_appetite(band, appetite),
        appetite,
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
        r,
        errors,
    };
    let status = page.errors.status();
    Ok(render_with(status, &page))
}

/// A risk's record as the page lists it: (label, value).
fn risk_details(r: &custodian_store::Risk, m: &Matrix) -> Vec<(&'static str, String)> {
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
    let threatens: Vec<String> = f
        .threatens()
        .iter()
        .map(|(what, why)| format!("{what}: {why}"))
        .collect();
    vec![
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
                .map(custodian_domain::time::show_day)
                .unwrap_or_else(|| f.raised_on.clone()),
        ),
        (
            "Next review",
            format!(
                "{} (every {} months)",
                custodian_domain::time::show_day(r.next_review_on),
                f.review_interval_months.unwrap_or(3)
            ),
        ),
    ]
}

/// A likelihood's or an impact's options on the matrix, `v` selected.
fn level_options(labels: &[&str], v: Option<u8>) -> Options {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let n = i as u8 + 1;
            (n.to_string(), format!("{n} – {l}"), v == Some(n))
        })
        .collect()
}

pub(crate) async fn risk_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    risk_page_for(&state, &scope, &id, Errors::none()).await
}

pub(crate) fn back(scope: &PracticeScope, id: &str, anchor: &str) -> Response {
    Redirect::to(&scope.path(&format!("/risks/{id}#{anchor}"))).into_response()
}

pub(crate) async fn review_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let get = |k: &str| posted(&pairs, k);
    let input = ReviewInput {
        residual_likelihood: get("residual_likelihood").parse().ok(),
        residual_impact: get("residual_impact").parse().ok(),
        notes: get("notes"),
        next_review_on: get("next_review_on"),
    };
    match submitted(review(&state, &scope.actor(), &id, &input).await)? {
        Ok(_) => Ok(back(&scope, &id, "reviews")),
        Err(errors) => risk_page_for(&state, &scope, &id, errors).await,
    }
}

pub(crate) async fn accept_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(input): Form<AcceptanceInput>,
) -> Result<Response, HttpError> {
    match submitted(accept(&state, &scope.actor(), &id, &input).await)? {
        Ok(_) => Ok(back(&scope, &id, "acceptance")),
        Err(errors) => risk_page_for(&state, &scope, &id, errors).await,
    }
}

/// The register as CSV, in the columns the import reads back (plus the computed ones).
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.export").await?;
    let (m, _) = matrix_of(&state, &scope.actor()).await?;
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
    let assets: std::collections::HashMap<custodian_domain::AssetId, String> = state
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
    let mut out = crate::kit::csv::csv_line(custodian_domain::risk_import::CSV_COLUMNS);
    for r in &list {
        let f = &r.fields;
        out.push_str(&crate::kit::csv::csv_line(&[
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
    scope.record_list("risk.export", "risk", list.len()).await?;
    Ok(crate::kit::csv::csv_response(
        &format!("custodian-risks-{}.csv", scope.practice.ods_code),
        out,
    ))
}
