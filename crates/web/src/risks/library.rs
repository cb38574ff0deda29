//! The threat library and the practice's risk matrix.

use super::*;
use crate::kit::layout::PracticeAddress;

#[derive(Template)]
#[template(path = "risks/risk_library.html")]
pub(crate) struct LibraryPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) entries: Vec<LibraryRow>,
    pub(crate) can_add: bool,
}

pub(crate) struct LibraryRow {
    pub(crate) key: String,
    pub(crate) title: String,
    pub(crate) threat: String,
    pub(crate) vulnerability: String,
    pub(crate) category: &'static str,
    pub(crate) cia: String,
    pub(crate) score: String,
    pub(crate) from_provider: bool,
}

/// The library a practice sees: the built-in threats, then the provider's own.
pub async fn library(state: &AppState) -> Result<Vec<Threat>, HttpError> {
    let mut all: Vec<Threat> = risks::LIBRARY.iter().map(Threat::from).collect();
    all.extend(state.store.provider_threats().await?);
    Ok(all)
}

pub(crate) async fn library_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.library").await?;
    let (m, _) = matrix_of(&state, &scope.actor()).await?;
    Ok(render(&LibraryPage {
        layout: scope.layout(&scope.path("/risks")),
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

pub(crate) fn cia_letters(c: bool, i: bool, a: bool) -> String {
    [("C", c), ("I", i), ("A", a)]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(l, _)| *l)
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) async fn from_library(
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
    let (m, _) = matrix_of(state, &scope.actor()).await?;
    let input = entry.to_input(m);
    Ok(create_risk(state, &scope.actor(), &input).await?)
}

pub(crate) async fn library_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(key): InPractice<String>,
) -> Result<Response, HttpError> {
    let r = from_library(&state, &scope, &key).await?;
    Ok(Redirect::to(&scope.path(&format!("/risks/{}", r.id))).into_response())
}

#[derive(Template)]
#[template(path = "risks/risk_matrix.html")]
pub(crate) struct MatrixPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) matrix: &'static Matrix,
    pub(crate) heat_map: String,
    pub(crate) bands: Vec<(Band, String)>,
    pub(crate) appetite: Band,
}

pub(crate) async fn matrix_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.matrix").await?;
    let (m, appetite) = matrix_of(&state, &scope.actor()).await?;
    Ok(render(&MatrixPage {
        layout: scope.layout(&scope.path("/risks")),
        practice: scope.practice.clone(),
        heat_map: crate::risks::chart::heat_map_svg(m, &[], "The practice's risk matrix"),
        bands: Band::ALL.iter().map(|b| (*b, m.band_range(*b))).collect(),
        matrix: m,
        appetite,
    }))
}
