//! The information asset register in the web UI and the JSON API.

use crate::kit::forms::{posted, posted_as};
use askama::Template;
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::assets::{self, AccessInput, AssetInput, FlowInput, Gap};
use custodian_domain::time::show_datetime;
use custodian_domain::{Invalid, Permission, PersonId, PracticeRole};
use custodian_store::{Asset, AssetAccess, AssetFilter, AssetFlow};
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
use crate::{AppState, HttpError};
use custodian_app::assets::{
    add_access, add_flow, create_asset, load, quality, quality_of, require_edit, review_access,
    update_asset,
};

mod api;
mod exports;
mod pages;
pub(crate) use api::*;
pub(crate) use exports::*;
pub(crate) use pages::*;

pub fn routes(r: &mut Routes) {
    r.pages()
        .get("/assets", list_page)
        .post("/assets", create_submit::<AssetForm>)
        .get("/assets/new", new_page)
        .get("/assets/quality", quality_page)
        .get("/assets/{asset_id}", asset_page)
        .get("/assets/{asset_id}/edit", edit_page)
        .post("/assets/{asset_id}/edit", edit_submit::<AssetForm>)
        .post("/assets/{asset_id}/flows", flow_submit)
        .post("/assets/{asset_id}/flows/{flow_id}/remove", flow_remove)
        .post("/assets/{asset_id}/access", access_submit)
        .post("/assets/{asset_id}/access/{entry_id}/remove", access_remove)
        .post("/assets/{asset_id}/access-review", review_submit)
        .get("/assets-export", export_csv)
        .get("/ropa", ropa_page);
    r.api()
        .post("/assets/{asset_id}/access-review", api_review)
        .get("/ropa", api_ropa)
        .get("/assets", api_list)
        .post("/assets", api_create)
        .get("/assets/{asset_id}", api_get)
        .put("/assets/{asset_id}", api_update)
        .post("/assets/{asset_id}/flows", api_add_flow)
        .delete("/assets/{asset_id}/flows/{flow_id}", api_remove_flow)
        .post("/assets/{asset_id}/access", api_add_access)
        .delete("/assets/{asset_id}/access/{entry_id}", api_remove_access)
        .get("/assets-quality", api_quality);
}

// ---- forms --------------------------------------------------------------------------------------

fn form_to_input(pairs: &[(String, String)]) -> Result<AssetInput, Errors> {
    let get = |k: &str| posted(pairs, k);
    let person = |k: &str| posted_as::<PersonId>(pairs, k, "Choose a person from the list");
    let rating = |k: &str| posted_as::<u8>(pairs, k, "Rate from 1 (low) to 5 (high)");
    let interval = posted_as(
        pairs,
        "review_interval_months",
        "Enter a whole number of months",
    )?;
    Ok(AssetInput {
        name: get("name"),
        description: get("description"),
        asset_type: get("asset_type"),
        format: get("format"),
        hosting: get("hosting"),
        country: get("country"),
        supplier_name: get("supplier_name"),
        supplier_contract: get("supplier_contract"),
        supplier_dspt_status: get("supplier_dspt_status"),
        iao_id: person("iao_id")?,
        iaa_id: person("iaa_id")?,
        personal_data: get("personal_data"),
        data_subjects: get("data_subjects"),
        special_category: get("special_category") == "true",
        volume_band: get("volume_band"),
        confidentiality: rating("confidentiality")?,
        confidentiality_reason: get("confidentiality_reason"),
        integrity: rating("integrity")?,
        integrity_reason: get("integrity_reason"),
        availability: rating("availability")?,
        availability_reason: get("availability_reason"),
        classification: get("classification"),
        retention_period: get("retention_period"),
        retention_basis: get("retention_basis"),
        retain_until: get("retain_until"),
        lawful_basis: get("lawful_basis"),
        special_condition: get("special_condition"),
        continuity_notes: get("continuity_notes"),
        status: get("status"),
        retired_on: get("retired_on"),
        last_reviewed_on: get("last_reviewed_on"),
        review_interval_months: interval,
        system_id: match get("system_id").as_str() {
            "" => None,
            v => Some(
                v.parse()
                    .map_err(|_| Errors::one("system_id", "Choose a system from the list"))?,
            ),
        },
    })
}

struct SelectField {
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String, bool)>,
}

/// One field of the asset form: a choice, or text (name, label, value, hint).
enum FormField {
    Select(SelectField),
    Text(&'static str, &'static str, String, &'static str),
}

/// A part of the asset form under its own heading, so 32 fields read as six short groups;
/// `extra` names the part's fields the template writes itself (`about`: name and description;
/// `special`: the special-category box; `continuity`: the continuity notes).
struct FormSection {
    legend: &'static str,
    extra: &'static str,
    fields: Vec<FormField>,
}

/// The form's parts, in order, each with its fields in the order a person fills them in.
const FORM_SECTIONS: &[(&str, &str, &[&str])] = &[
    ("The asset", "about", &["asset_type", "format", "system_id", "status"]),
    ("Who is responsible for it", "", &["iao_id", "iaa_id"]),
    (
        "What it holds",
        "special",
        &["volume_band", "personal_data", "data_subjects", "classification", "lawful_basis", "special_condition"],
    ),
    (
        "How much it matters",
        "continuity",
        &[
            "confidentiality",
            "confidentiality_reason",
            "integrity",
            "integrity_reason",
            "availability",
            "availability_reason",
        ],
    ),
    (
        "Where it is kept",
        "",
        &["hosting", "supplier_name", "supplier_contract", "supplier_dspt_status", "country"],
    ),
    (
        "Retention and review",
        "",
        &["retention_period", "retention_basis", "retain_until", "last_reviewed_on", "review_interval_months", "retired_on"],
    ),
];

/// The fields placed in their parts; any field no part names goes in a last part, so none is
/// ever lost from the form.
fn form_sections(
    selects: Vec<SelectField>,
    texts: Vec<(&'static str, &'static str, String, &'static str)>,
) -> Vec<FormSection> {
    let mut left: Vec<(&'static str, FormField)> = selects
        .into_iter()
        .map(|s| (s.name, FormField::Select(s)))
        .chain(texts.into_iter().map(|t| (t.0, FormField::Text(t.0, t.1, t.2, t.3))))
        .collect();
    let mut out: Vec<FormSection> = FORM_SECTIONS
        .iter()
        .map(|(legend, extra, names)| FormSection {
            legend,
            extra,
            fields: names
                .iter()
                .filter_map(|n| {
                    let i = left.iter().position(|(name, _)| name == n)?;
                    Some(left.remove(i).1)
                })
                .collect(),
        })
        .collect();
    if !left.is_empty() {
        out.push(FormSection {
            legend: "Other details",
            extra: "",
            fields: left.into_iter().map(|(_, f)| f).collect(),
        });
    }
    out
}

#[derive(Template)]
#[template(path = "assets/asset_form.html")]
struct FormPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    heading: String,
    action: String,
    f: AssetInput,
    sections: Vec<FormSection>,
}

async fn form_page(
    state: &AppState,
    scope: &PracticeScope,
    f: AssetInput,
    errors: Errors,
    existing: Option<custodian_domain::AssetId>,
) -> Result<Response, HttpError> {
    let staff = state.store.access_overview(scope.id()).await?;
    let systems = state.store.systems(scope.id()).await?;
    let sections = form_sections(select_fields(&f, &staff, &systems), text_fields(&f));
    let status = errors.status();
    Ok(render_with(
        status,
        &FormPage {
            layout: scope.layout(&scope.path("/assets")),
            practice: scope.practice.clone(),
            errors,
            heading: if existing.is_some() {
                format!("Edit {}", f.name)
            } else {
                "Add an information asset".into()
            },
            action: match existing {
                Some(id) => scope.path(&format!("/assets/{id}/edit")),
                None => scope.path("/assets"),
            },
            f,
            sections,
        },
    ))
}

/// The asset form's choices, with the asset's current values selected.
fn select_fields(
    f: &AssetInput,
    staff: &[custodian_store::AccessOverview],
    systems: &[custodian_store::PracticeSystem],
) -> Vec<SelectField> {
    let people = |only_iao: bool, current: Option<PersonId>, blank: &str| {
        let mut v = vec![(String::new(), blank.to_string(), current.is_none())];
        v.extend(
            staff
                .iter()
                .filter(|s| !only_iao || s.roles.contains(&PracticeRole::InformationAssetOwner))
                .map(|s| {
                    (
                        s.person_id.to_string(),
                        s.full_name.clone(),
                        current == Some(s.person_id),
                    )
                }),
        );
        v
    };
    vec![
        SelectField {
            name: "asset_type",
            label: "Type",
            options: choose(assets::ASSET_TYPES, &f.asset_type, Some("Choose")),
        },
        SelectField {
            name: "format",
            label: "Format",
            options: choose(assets::FORMATS, &f.format, Some("Choose")),
        },
        SelectField {
            name: "iao_id",
            label: "Information Asset Owner",
            options: people(true, f.iao_id, "Choose"),
        },
        SelectField {
            name: "iaa_id",
            label: "Information Asset Administrator (optional)",
            options: people(false, f.iaa_id, "None"),
        },
        SelectField {
            name: "system_id",
            label: "Practice system staff get logins to (links its login holders to this asset)",
            options: std::iter::once((String::new(), "None".to_string(), f.system_id.is_none()))
                .chain(systems.iter().map(|sys| {
                    (
                        sys.id.to_string(),
                        sys.name.clone(),
                        f.system_id == Some(sys.id),
                    )
                }))
                .collect(),
        },
        SelectField {
            name: "hosting",
            label: "Where it is hosted",
            options: choose(assets::HOSTING, &f.hosting, Some("Not applicable")),
        },
        SelectField {
            name: "supplier_dspt_status",
            label: "Supplier's DSPT status",
            options: choose(
                &assets::SUPPLIER_DSPT[1..],
                &f.supplier_dspt_status,
                Some("Not applicable"),
            ),
        },
        SelectField {
            name: "volume_band",
            label: "How many people's records it holds",
            options: choose(assets::VOLUME_BANDS, &f.volume_band, Some("Choose")),
        },
        SelectField {
            name: "confidentiality",
            label: "Confidentiality",
            options: rating(f.confidentiality),
        },
        SelectField {
            name: "integrity",
            label: "Integrity",
            options: rating(f.integrity),
        },
        SelectField {
            name: "availability",
            label: "Availability",
            options: rating(f.availability),
        },
        SelectField {
            name: "status",
            label: "Status",
            options: choose(
                assets::STATUSES,
                if f.status.is_empty() {
                    "active"
                } else {
                    &f.status
                },
                None,
            ),
        },
    ]
}

/// A C/I/A rating's options, 1 (low) to 5 (high), or not rated yet.
fn rating(r: Option<u8>) -> Options {
    let mut v = vec![(
        String::new(),
        "Not rated yet".to_string(),
        r.unwrap_or(0) == 0,
    )];
    v.extend((1..=5u8).map(|i| {
        let note = match i {
            1 => " (low)",
            5 => " (high)",
            _ => "",
        };
        (i.to_string(), format!("{i}{note}"), r == Some(i))
    }));
    v
}

/// The asset form's text fields: (name, label, value, hint).
fn text_fields(f: &AssetInput) -> Vec<(&'static str, &'static str, String, &'static str)> {
    vec![
        (
            "confidentiality_reason",
            "Why that confidentiality rating",
            f.confidentiality_reason.clone(),
            "Volume matters: many records together raise confidentiality.",
        ),
        (
            "integrity_reason",
            "Why that integrity rating",
            f.integrity_reason.clone(),
            "",
        ),
        (
            "availability_reason",
            "Why that availability rating",
            f.availability_reason.clone(),
            "",
        ),
        (
            "personal_data",
            "Categories of personal data",
            f.personal_data.clone(),
            "For example: demographics, consultations, prescriptions",
        ),
        (
            "data_subjects",
            "Whose data",
            f.data_subjects.clone(),
            "For example: registered patients, staff",
        ),
        (
            "classification",
            "Classification",
            f.classification.clone(),
            "Official, Official-Sensitive, or the practice's own label",
        ),
        (
            "lawful_basis",
            "Lawful basis (UK GDPR Article 6)",
            f.lawful_basis.clone(),
            "",
        ),
        (
            "special_condition",
            "Condition for special-category data (Article 9 / DPA 2018 Schedule 1)",
            f.special_condition.clone(),
            "",
        ),
        (
            "retention_period",
            "How long it is kept",
            f.retention_period.clone(),
            "For example: 10 years after the patient's death",
        ),
        (
            "retention_basis",
            "Basis for that period",
            f.retention_basis.clone(),
            "For example: Records Management Code of Practice 2021",
        ),
        (
            "retain_until",
            "Destroy on (optional)",
            f.retain_until.clone(),
            "",
        ),
        ("supplier_name", "Supplier", f.supplier_name.clone(), ""),
        (
            "supplier_contract",
            "Supplier contract reference",
            f.supplier_contract.clone(),
            "",
        ),
        (
            "country",
            "Country where the data is held",
            f.country.clone(),
            "",
        ),
        (
            "last_reviewed_on",
            "Last reviewed",
            f.last_reviewed_on.clone(),
            "",
        ),
        (
            "review_interval_months",
            "Review every (months)",
            f.review_interval_months
                .map(|m| m.to_string())
                .unwrap_or_else(|| "12".into()),
            "",
        ),
        (
            "retired_on",
            "Retired on (when retired)",
            f.retired_on.clone(),
            "",
        ),
    ]
}

/// The information asset register.
pub const CAPABILITY: Capability = Capability {
    routes,
    api: Some(<AssetsApi as utoipa::OpenApi>::openapi),
    rooms: &[Room {
        path: "/assets",
        title: "Information assets",
        description: "What the practice holds, who owns it, how it moves and who has access.",
        opens: |a| a.can(Permission::AssetsView),
    }],
    provider_pages: &[],
};

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn every_field_of_the_asset_form_has_its_part() {
        let f = AssetInput::default();
        let sections = form_sections(select_fields(&f, &[], &[]), text_fields(&f));
        assert_eq!(sections.len(), FORM_SECTIONS.len(), "no field left for an 'Other' part");
        let fields: usize = sections.iter().map(|s| s.fields.len()).sum();
        assert_eq!(fields, select_fields(&f, &[], &[]).len() + text_fields(&f).len());
    }
}
