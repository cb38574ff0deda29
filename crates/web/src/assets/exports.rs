//! The asset register's exports: CSV, the record of processing activities, the data-quality page.

use super::*;
use crate::kit::layout::PracticeAddress;

/// The register's columns, in the order of the CSV export (and of the import).
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::AssetsView, "asset.export")
        .await?;
    let list = state
        .store
        .assets(
            scope.id(),
            &AssetFilter {
                limit: assets::REGISTER_MAX,
                ..Default::default()
            },
        )
        .await?;
    let staff = state.store.access_overview(scope.id()).await?;
    let systems = state.store.systems(scope.id()).await?;
    let username = |p: Option<PersonId>| {
        p.and_then(|p| staff.iter().find(|s| s.person_id == p))
            .map(|s| s.username.clone())
            .unwrap_or_default()
    };
    let mut out = crate::kit::csv::csv_line(custodian_domain::asset_import::CSV_COLUMNS);
    let n = |r: Option<u8>| {
        r.filter(|r| *r > 0)
            .map(|r| r.to_string())
            .unwrap_or_default()
    };
    for a in &list {
        let f = &a.fields;
        out.push_str(&crate::kit::csv::csv_line(&[
            f.name.clone(),
            f.description.clone(),
            f.asset_type.clone(),
            f.format.clone(),
            f.hosting.clone(),
            f.country.clone(),
            f.supplier_name.clone(),
            f.supplier_contract.clone(),
            f.supplier_dspt_status.clone(),
            username(f.iao_id),
            username(f.iaa_id),
            f.personal_data.clone(),
            f.data_subjects.clone(),
            if f.special_category {
                "yes".into()
            } else {
                "no".into()
            },
            f.volume_band.clone(),
            n(f.confidentiality),
            f.confidentiality_reason.clone(),
            n(f.integrity),
            f.integrity_reason.clone(),
            n(f.availability),
            f.availability_reason.clone(),
            f.classification.clone(),
            f.retention_period.clone(),
            f.retention_basis.clone(),
            f.retain_until.clone(),
            f.lawful_basis.clone(),
            f.special_condition.clone(),
            f.continuity_notes.clone(),
            f.status.clone(),
            f.retired_on.clone(),
            f.last_reviewed_on.clone(),
            f.review_interval_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
            f.system_id
                .and_then(|id| systems.iter().find(|s| s.id == id))
                .map(|s| s.name.clone())
                .unwrap_or_default(),
        ]));
    }
    scope
        .record_list("asset.export", "asset", list.len())
        .await?;
    Ok(crate::kit::csv::csv_response(
        &format!("custodian-assets-{}.csv", scope.practice.ods_code),
        out,
    ))
}

/// One row of the record of processing activities (UK GDPR Art. 30).
#[derive(Serialize, ToSchema)]
pub struct RopaRow {
    pub name: String,
    pub purposes: String,
    pub subjects: String,
    pub data: String,
    pub special: String,
    pub basis: String,
    pub recipients: String,
    pub transfers: String,
    pub retention: String,
    pub security: String,
    pub owner: String,
}

pub(crate) async fn ropa_rows(
    state: &AppState,
    scope: &PracticeScope,
) -> Result<Vec<RopaRow>, HttpError> {
    let list = state
        .store
        .assets(
            scope.id(),
            &AssetFilter {
                status: Some("active".into()),
                limit: assets::REGISTER_MAX,
                ..Default::default()
            },
        )
        .await?;
    let mut flows: std::collections::HashMap<custodian_domain::AssetId, Vec<AssetFlow>> =
        std::collections::HashMap::new();
    for fl in state.store.flows(scope.id(), None).await? {
        if let Some(from) = fl.fields.from_asset_id {
            flows.entry(from).or_default().push(fl);
        }
    }
    let or = |s: &str, d: &str| {
        if s.trim().is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    Ok(list
        .iter()
        .filter(|a| a.fields.volume_band != "none")
        .map(|a| {
            let f = &a.fields;
            let out: &[AssetFlow] = flows.get(&a.id).map(Vec::as_slice).unwrap_or_default();
            let mut purposes: Vec<String> =
                out.iter().map(|fl| fl.fields.purpose.clone()).collect();
            purposes.sort();
            purposes.dedup();
            let mut recipients: Vec<String> = out
                .iter()
                .filter(|fl| fl.fields.to_asset_id.is_none())
                .map(|fl| fl.fields.to_party.clone())
                .collect();
            recipients.sort();
            recipients.dedup();
            let abroad = !f.country.trim().is_empty()
                && !matches!(
                    f.country.trim().to_lowercase().as_str(),
                    "uk" | "united kingdom" | "england" | "gb"
                );
            RopaRow {
                name: f.name.clone(),
                purposes: if purposes.is_empty() {
                    or(&f.description, "Not recorded")
                } else {
                    purposes.join("; ")
                },
                subjects: or(&f.data_subjects, "Not recorded"),
                data: or(&f.personal_data, "Not recorded"),
                special: if f.special_category {
                    format!(
                        "Yes – {}",
                        or(&f.special_condition, "condition not recorded")
                    )
                } else {
                    "No".into()
                },
                basis: or(&f.lawful_basis, "Not recorded"),
                recipients: if recipients.is_empty() {
                    "None outside the practice".into()
                } else {
                    recipients.join("; ")
                },
                transfers: if abroad {
                    format!("Held in {}", f.country)
                } else {
                    "None".into()
                },
                retention: format!(
                    "{}{}",
                    or(&f.retention_period, "Not recorded"),
                    if f.retention_basis.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", f.retention_basis)
                    }
                ),
                security: format!(
                    "{}; confidentiality {}",
                    or(&f.classification, "Unclassified"),
                    f.confidentiality
                        .filter(|c| *c > 0)
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "not rated".into())
                ),
                owner: a.iao_name.clone(),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "assets/ropa.html")]
pub(crate) struct RopaPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) today: String,
    pub(crate) rows: Vec<RopaRow>,
}

#[derive(Deserialize, Default)]
pub(crate) struct FormatQuery {
    #[serde(default)]
    pub(crate) format: String,
}

pub(crate) async fn ropa_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<FormatQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::AssetsView, "asset.ropa").await?;
    let rows = ropa_rows(&state, &scope).await?;
    if q.format == "csv" {
        let mut out = crate::kit::csv::csv_line(&[
            "asset",
            "purposes",
            "data_subjects",
            "personal_data",
            "special_category",
            "lawful_basis",
            "recipients",
            "transfers",
            "retention",
            "security",
            "owner",
        ]);
        for r in &rows {
            out.push_str(&crate::kit::csv::csv_line(&[
                r.name.clone(),
                r.purposes.clone(),
                r.subjects.clone(),
                r.data.clone(),
                r.special.clone(),
                r.basis.clone(),
                r.recipients.clone(),
                r.transfers.clone(),
                r.retention.clone(),
                r.security.clone(),
                r.owner.clone(),
            ]));
        }
        return Ok(crate::kit::csv::csv_response(
            &format!("custodian-ropa-{}.csv", scope.practice.ods_code),
            out,
        ));
    }
    Ok(render(&RopaPage {
        layout: scope.layout(&scope.path("/assets")),
        practice: scope.practice.clone(),
        today: custodian_domain::time::show_date(state.clock.now()),
        rows,
    }))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/ropa", tag = "assets", summary = "The record of processing activities (UK GDPR Art. 30)",
    params(PracticeParam, PageQuery), responses((status = 200, body = Paged<RopaRow>)))]
pub(crate) async fn api_ropa(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(page): Query<PageQuery>,
) -> Result<Json<Paged<RopaRow>>, HttpError> {
    scope.require(Permission::AssetsView, "asset.ropa").await?;
    let rows = ropa_rows(&state, &scope).await?;
    Ok(Json(Paged::of_list(rows, &page, |r| r.name.clone())?))
}

#[derive(Template)]
#[template(path = "assets/asset_quality.html")]
pub(crate) struct QualityPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) gaps: Vec<Gap>,
}

pub(crate) async fn quality_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::AssetsView, "asset.quality")
        .await?;
    let gaps = quality(&state, &scope.actor()).await?;
    Ok(render(&QualityPage {
        layout: scope.layout(&scope.path("/assets")),
        practice: scope.practice.clone(),
        gaps,
    }))
}
