//! The risk register's list page.

use super::*;
use crate::kit::layout::PracticeAddress;

pub(crate) struct RiskRow {
    pub(crate) id: String,
    pub(crate) reference: String,
    pub(crate) title: String,
    pub(crate) owner: String,
    pub(crate) category: &'static str,
    pub(crate) inherent: String,
    pub(crate) residual: String,
    pub(crate) band: Band,
    pub(crate) status: &'static str,
    pub(crate) next_review: String,
    pub(crate) attention: Vec<String>,
}

#[derive(Template)]
#[template(path = "risks/risks.html")]
pub(crate) struct ListPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) risks: Vec<RiskRow>,
    pub(crate) heat_map: String,
    pub(crate) bands: Vec<(Band, usize)>,
    pub(crate) overdue_reviews: usize,
    pub(crate) overdue_actions: Vec<crate::kit::actions::ActionRow>,
    pub(crate) search: String,
    pub(crate) status: String,
    pub(crate) category: String,
    pub(crate) mine: bool,
    pub(crate) can_add: bool,
    pub(crate) can_import: bool,
    pub(crate) statuses: &'static [(&'static str, &'static str)],
    pub(crate) categories: &'static [(&'static str, &'static str)],
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    pub(crate) search: String,
    #[serde(default)]
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) category: String,
    #[serde(default)]
    pub(crate) mine: String,
}

pub(crate) fn scored(m: &Matrix, score: i64) -> String {
    let b = m.band(score as u8);
    format!("{score} {}", b.label())
}

pub(crate) fn attention(risk: &Risk, today: chrono::NaiveDate) -> Vec<String> {
    risks::attention(
        risk.fields.status(),
        risk.next_review_on,
        risk.acceptance.as_ref().map(|a| a.expires_on),
        today,
    )
}

pub(crate) async fn list_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ListQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::RisksView, "risk.list").await?;
    let (m, _) = matrix_of(&state, &scope.actor()).await?;
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
    scope.record_list("risk.list", "risk", list.len()).await?;
    let today = state.today();
    let live: Vec<&Risk> = list
        .iter()
        .filter(|r| r.fields.status() != risks::RiskStatus::Closed)
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
    let names: std::collections::HashMap<custodian_domain::RiskId, (String, String)> = list
        .iter()
        .map(|r| (r.id, (r.reference.clone(), r.fields.title.clone())))
        .collect();
    let overdue_actions = state
        .store
        .actions(scope.id(), custodian_store::ActionsOf::Register("risk"))
        .await?
        .into_iter()
        .filter(|a| a.overdue(today))
        .filter_map(|a| {
            let (reference, title) = names.get(&custodian_domain::RiskId(a.record_id))?;
            Some(crate::kit::actions::action_row(
                &a,
                format!("{reference} {title}"),
                today,
            ))
        })
        .collect();
    Ok(render(&ListPage {
        layout: scope.layout(&scope.path("/risks")),
        practice: scope.practice.clone(),
        errors: Errors::none(),
        heat_map: crate::risks::chart::heat_map_svg(
            m,
            &cells,
            "Heat map of current residual risks",
        ),
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
                status: r.fields.status().label(),
                next_review: custodian_domain::time::show_day(r.next_review_on),
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

