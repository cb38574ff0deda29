//! The information asset register in the web UI and the JSON API.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::assets::{self, AccessInput, AssetInput, FlowInput, Gap};
use custodian_domain::time::show_datetime;
use custodian_domain::{Invalid, Permission, PersonId, PracticeRole};
use custodian_store::{Asset, AssetAccess, AssetFilter, AssetFlow};
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
    use axum::http::Method;
    r.get("/practices/{practice_id}/assets", P, list_page)
        .post("/practices/{practice_id}/assets", P, create_submit)
        .get("/practices/{practice_id}/assets/new", P, new_page)
        .get("/practices/{practice_id}/assets/quality", P, quality_page)
        .get("/practices/{practice_id}/assets/{asset_id}", P, asset_page)
        .get(
            "/practices/{practice_id}/assets/{asset_id}/edit",
            P,
            edit_page,
        )
        .post(
            "/practices/{practice_id}/assets/{asset_id}/edit",
            P,
            edit_submit,
        )
        .post(
            "/practices/{practice_id}/assets/{asset_id}/flows",
            P,
            flow_submit,
        )
        .post(
            "/practices/{practice_id}/assets/{asset_id}/flows/{flow_id}/remove",
            P,
            flow_remove,
        )
        .post(
            "/practices/{practice_id}/assets/{asset_id}/access",
            P,
            access_submit,
        )
        .post(
            "/practices/{practice_id}/assets/{asset_id}/access/{entry_id}/remove",
            P,
            access_remove,
        )
        .post(
            "/practices/{practice_id}/assets/{asset_id}/access-review",
            P,
            review_submit,
        )
        .post(
            "/api/v1/practices/{practice_id}/assets/{asset_id}/access-review",
            P,
            api_review,
        )
        .get("/practices/{practice_id}/assets-export", P, export_csv)
        .get("/practices/{practice_id}/ropa", P, ropa_page)
        .get("/api/v1/practices/{practice_id}/ropa", P, api_ropa)
        .get("/api/v1/practices/{practice_id}/assets", P, api_list)
        .post("/api/v1/practices/{practice_id}/assets", P, api_create)
        .get(
            "/api/v1/practices/{practice_id}/assets/{asset_id}",
            P,
            api_get,
        )
        .add(
            Method::PUT,
            "/api/v1/practices/{practice_id}/assets/{asset_id}",
            P,
            api_update,
        )
        .post(
            "/api/v1/practices/{practice_id}/assets/{asset_id}/flows",
            P,
            api_add_flow,
        )
        .add(
            Method::DELETE,
            "/api/v1/practices/{practice_id}/assets/{asset_id}/flows/{flow_id}",
            P,
            api_remove_flow,
        )
        .post(
            "/api/v1/practices/{practice_id}/assets/{asset_id}/access",
            P,
            api_add_access,
        )
        .add(
            Method::DELETE,
            "/api/v1/practices/{practice_id}/assets/{asset_id}/access/{entry_id}",
            P,
            api_remove_access,
        )
        .get(
            "/api/v1/practices/{practice_id}/assets-quality",
            P,
            api_quality,
        );
}

// ---- the rules, shared by pages and API ------------------------------------------------------

fn today(state: &AppState) -> chrono::NaiveDate {
    custodian_domain::identity::london_today(state.clock.now())
}

fn parse_id(s: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(s).map_err(|_| AppError::NotFound)
}

async fn load(state: &AppState, scope: &PracticeScope, id: &str) -> Result<Asset, HttpError> {
    scope.require(Permission::AssetsView, "asset.view").await?;
    state
        .store
        .asset(scope.id(), parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound.into())
}

/// The one check for changing an asset: register managers, or the asset's own IAO.
async fn require_edit(
    scope: &PracticeScope,
    iao: Option<PersonId>,
    action: &str,
) -> Result<(), HttpError> {
    if assets::may_edit(&scope.access, &scope.roles, iao) {
        return Ok(());
    }
    scope.require(Permission::AssetsManage, action).await
}

pub async fn create_asset(
    state: &AppState,
    scope: &PracticeScope,
    input: &AssetInput,
) -> Result<Asset, HttpError> {
    require_edit(scope, input.iao_id, "asset.create").await?;
    let valid = input.validate(today(state))?;
    Ok(state
        .store
        .create_asset(scope.id(), &valid, &scope.meta)
        .await?)
}

pub async fn update_asset(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    input: &AssetInput,
) -> Result<Asset, HttpError> {
    let old = load(state, scope, id).await?;
    require_edit(scope, old.fields.iao_id, "asset.update").await?;
    if input.iao_id != old.fields.iao_id && !scope.access.can(Permission::AssetsManage) {
        return Err(Invalid::one(
            "iao_id",
            "Only the data protection lead or practice manager can give an asset to another owner",
        )
        .into());
    }
    let valid = input.validate(today(state))?;
    Ok(state
        .store
        .update_asset(scope.id(), old.id, &valid, &scope.meta)
        .await?)
}

pub async fn add_flow(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    input: &FlowInput,
) -> Result<AssetFlow, HttpError> {
    let asset = load(state, scope, id).await?;
    require_edit(scope, asset.fields.iao_id, "asset_flow.create").await?;
    let mut input = input.clone();
    input.from_asset_id = Some(asset.id);
    let valid = input.validate()?;
    Ok(state
        .store
        .add_flow(scope.id(), &valid, &scope.meta)
        .await?)
}

pub async fn add_access(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    input: &AccessInput,
) -> Result<AssetAccess, HttpError> {
    let asset = load(state, scope, id).await?;
    require_edit(scope, asset.fields.iao_id, "asset_access.create").await?;
    let valid = input.validate()?;
    Ok(state
        .store
        .add_access(scope.id(), asset.id, &valid, &scope.meta)
        .await?)
}

/// The register's gaps, with flows and access entries taken into account.
pub async fn quality(state: &AppState, scope: &PracticeScope) -> Result<Vec<Gap>, HttpError> {
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
    quality_of(state, scope, &list).await
}

/// The register's gaps for the given assets of the practice: flows and access entries are
/// grouped by asset once, so the cost grows with the register, not with its square.
/// For each asset that is a practice system: the people who hold a login to it that no access
/// entry covers, by name.
async fn unstated_logins(
    state: &AppState,
    scope: &PracticeScope,
    list: &[Asset],
    staff: &[custodian_store::AccessOverview],
) -> Result<std::collections::HashMap<uuid::Uuid, Vec<String>>, HttpError> {
    let mut out = std::collections::HashMap::new();
    let linked: Vec<&Asset> = list
        .iter()
        .filter(|a| a.fields.system_id.is_some())
        .collect();
    if linked.is_empty() {
        return Ok(out);
    }
    let holders = state.store.login_holders(scope.id()).await?;
    let all_entries = state.store.access_entries(scope.id(), None).await?;
    for a in linked {
        let entries: Vec<(Option<PracticeRole>, Option<PersonId>)> = all_entries
            .iter()
            .filter(|e| e.asset_id == a.id)
            .map(|e| (e.role, e.person_id))
            .collect();
        let mut names: Vec<String> = holders
            .iter()
            .filter(|(system, _)| Some(*system) == a.fields.system_id)
            .filter_map(|(_, person)| staff.iter().find(|s| s.person_id == *person))
            .filter(|s| !assets::login_is_justified(s.person_id, &s.roles, &entries))
            .map(|s| s.full_name.clone())
            .collect();
        if !names.is_empty() {
            names.sort();
            out.insert(a.id, names);
        }
    }
    Ok(out)
}

async fn quality_of(
    state: &AppState,
    scope: &PracticeScope,
    list: &[Asset],
) -> Result<Vec<Gap>, HttpError> {
    use std::collections::{HashMap, HashSet};
    let staff = state.store.access_overview(scope.id()).await?;
    let owners: HashSet<PersonId> = staff
        .iter()
        .filter(|o| o.roles.contains(&PracticeRole::InformationAssetOwner))
        .map(|o| o.person_id)
        .collect();
    let (flow_facts, access_facts) = state.store.register_facts(scope.id()).await?;
    let mut flows: HashMap<uuid::Uuid, Vec<(assets::FlowFact, usize)>> = HashMap::new();
    for (from, f, n) in flow_facts {
        flows.entry(from).or_default().push((f, n));
    }
    let no_reason: HashMap<uuid::Uuid, usize> = access_facts.into_iter().collect();
    let unstated = unstated_logins(state, scope, list, &staff).await?;
    let facts: Vec<assets::AssetFacts> = list
        .iter()
        .map(|a| assets::AssetFacts {
            id: a.id,
            input: &a.fields,
            created: custodian_domain::identity::london_today(a.created_at),
            iao_is_current: a.fields.iao_id.is_some_and(|i| owners.contains(&i)),
            flows: flows.remove(&a.id).unwrap_or_default(),
            access_without_reason: no_reason.get(&a.id).copied().unwrap_or(0),
            logins_without_entry: unstated.get(&a.id).map_or(0, Vec::len),
        })
        .collect();
    Ok(assets::data_quality(&facts, today(state)))
}

// ---- forms --------------------------------------------------------------------------------------

fn form_to_input(pairs: &[(String, String)]) -> Result<AssetInput, Errors> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let person = |k: &str| -> Result<Option<PersonId>, Errors> {
        match get(k).as_str() {
            "" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| Errors::one(k, "Choose a person from the list")),
        }
    };
    let rating = |k: &str| -> Result<Option<u8>, Errors> {
        match get(k).as_str() {
            "" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| Errors::one(k, "Rate from 1 (low) to 5 (high)")),
        }
    };
    let interval = match get("review_interval_months").as_str() {
        "" => None,
        v => Some(v.parse().map_err(|_| {
            Errors::one("review_interval_months", "Enter a whole number of months")
        })?),
    };
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

#[derive(Template)]
#[template(path = "asset_form.html")]
struct FormPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    heading: String,
    action: String,
    f: AssetInput,
    selects: Vec<SelectField>,
    texts: Vec<(&'static str, &'static str, String, &'static str)>,
}

async fn form_page(
    state: &AppState,
    scope: &PracticeScope,
    f: AssetInput,
    errors: Errors,
    existing: Option<uuid::Uuid>,
) -> Result<Response, HttpError> {
    let staff = state.store.access_overview(scope.id()).await?;
    let systems = state.store.systems(scope.id()).await?;
    let choose = |list: &[(&str, &str)],
                  current: &str,
                  blank: Option<&str>|
     -> Vec<(String, String, bool)> {
        let mut v: Vec<(String, String, bool)> = blank
            .map(|b| vec![(String::new(), b.to_string(), current.is_empty())])
            .unwrap_or_default();
        v.extend(
            list.iter()
                .map(|(k, l)| (k.to_string(), l.to_string(), *k == current)),
        );
        v
    };
    let rating = |r: Option<u8>| {
        let mut v = vec![(
            String::new(),
            "Not rated yet".to_string(),
            r.unwrap_or(0) == 0,
        )];
        v.extend((1..=5u8).map(|i| {
            (
                i.to_string(),
                format!(
                    "{i}{}",
                    match i {
                        1 => " (low)",
                        5 => " (high)",
                        _ => "",
                    }
                ),
                r == Some(i),
            )
        }));
        v
    };
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
    let selects = vec![
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
    ];
    let texts = vec![
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
            "Destroy on (YYYY-MM-DD, optional)",
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
            "Last reviewed (YYYY-MM-DD)",
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
            "Retired on (YYYY-MM-DD, when retired)",
            f.retired_on.clone(),
            "",
        ),
    ];
    let status = errors.status();
    Ok(render_with(
        status,
        &FormPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/assets", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            heading: if existing.is_some() {
                format!("Edit {}", f.name)
            } else {
                "Add an information asset".into()
            },
            action: match existing {
                Some(id) => format!("/practices/{}/assets/{id}/edit", scope.id()),
                None => format!("/practices/{}/assets", scope.id()),
            },
            f,
            selects,
            texts,
        },
    ))
}

// ---- pages --------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    search: String,
    #[serde(default)]
    asset_type: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    mine: String,
}

struct Row {
    id: String,
    name: String,
    kind: &'static str,
    iao: String,
    cia: String,
    volume: &'static str,
    status: &'static str,
    gaps: Vec<String>,
}

#[derive(Template)]
#[template(path = "assets.html")]
struct ListPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    assets: Vec<Row>,
    search: String,
    asset_type: String,
    status: String,
    mine: bool,
    can_add: bool,
    can_import: bool,
    types: &'static [(&'static str, &'static str)],
    statuses: &'static [(&'static str, &'static str)],
}

async fn list_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ListQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::AssetsView, "asset.list").await?;
    let mine = !q.mine.is_empty();
    let filter = AssetFilter {
        search: Some(q.search.clone()).filter(|s| !s.trim().is_empty()),
        asset_type: Some(q.asset_type.clone()).filter(|s| !s.is_empty()),
        status: Some(q.status.clone()).filter(|s| !s.is_empty()),
        iao: mine.then(|| scope.user.person_id()),
        limit: assets::REGISTER_MAX,
    };
    let list = state.store.assets(scope.id(), &filter).await?;
    scope
        .record(
            scope
                .event("asset.list", "asset", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    let mut gaps: std::collections::HashMap<uuid::Uuid, Vec<String>> =
        std::collections::HashMap::new();
    for g in quality_of(&state, &scope, &list).await? {
        gaps.entry(g.asset_id).or_default().push(g.problem);
    }
    let cia = |r: Option<u8>| {
        r.filter(|r| *r > 0)
            .map(|r| r.to_string())
            .unwrap_or_else(|| "–".into())
    };
    Ok(render(&ListPage {
        layout: Layout::new(
            &scope.user,
            Some((&scope.practice, &scope.access)),
            &format!("/practices/{}/assets", scope.id()),
        ),
        practice: scope.practice.clone(),
        errors: Errors::none(),
        assets: list
            .iter()
            .map(|a| Row {
                id: a.id.to_string(),
                name: a.fields.name.clone(),
                kind: assets::type_label(&a.fields.asset_type),
                iao: a.iao_name.clone(),
                cia: format!(
                    "{} / {} / {}",
                    cia(a.fields.confidentiality),
                    cia(a.fields.integrity),
                    cia(a.fields.availability)
                ),
                volume: assets::volume_label(&a.fields.volume_band),
                status: assets::status_label(&a.fields.status),
                gaps: gaps.remove(&a.id).unwrap_or_default(),
            })
            .collect(),
        search: q.search,
        asset_type: q.asset_type,
        status: q.status,
        mine,
        can_add: scope.access.can(Permission::AssetsManage) || assets::may_own(&scope.roles),
        can_import: scope.access.can(Permission::AssetsManage),
        types: assets::ASSET_TYPES,
        statuses: assets::STATUSES,
    }))
}

async fn new_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    require_edit(&scope, Some(scope.user.person_id()), "asset.create").await?;
    let f = AssetInput {
        iao_id: assets::may_own(&scope.roles).then(|| scope.user.person_id()),
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
        Err(e) => return form_page(&state, &scope, AssetInput::default(), e, None).await,
    };
    match create_asset(&state, &scope, &input).await {
        Ok(a) => {
            Ok(Redirect::to(&format!("/practices/{}/assets/{}", scope.id(), a.id)).into_response())
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
    let a = load(&state, &scope, &id).await?;
    require_edit(&scope, a.fields.iao_id, "asset.update").await?;
    scope
        .record(scope.event("asset.view", "asset", Some(a.id.to_string())))
        .await?;
    form_page(&state, &scope, a.fields, Errors::none(), Some(a.id)).await
}

async fn edit_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let existing = parse_id(&id)?;
    let input = match form_to_input(&pairs) {
        Ok(i) => i,
        Err(e) => {
            return form_page(
                &state,
                &scope,
                load(&state, &scope, &id).await?.fields,
                e,
                Some(existing),
            )
            .await;
        }
    };
    match update_asset(&state, &scope, &id, &input).await {
        Ok(a) => {
            Ok(Redirect::to(&format!("/practices/{}/assets/{}", scope.id(), a.id)).into_response())
        }
        Err(HttpError(AppError::Invalid(i))) => {
            form_page(&state, &scope, input, i.into(), Some(existing)).await
        }
        Err(e) => Err(e),
    }
}

struct FlowRow {
    id: String,
    from: String,
    to: String,
    what: String,
    how: String,
    flags: Vec<&'static str>,
}

struct AccessRow {
    id: String,
    who: String,
    level: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "asset.html")]
struct AssetPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    errors: Errors,
    a: Asset,
    details: Vec<(&'static str, String)>,
    flows: Vec<FlowRow>,
    access: Vec<AccessRow>,
    history: Vec<(String, String, String, String)>,
    last_review: Option<String>,
    can_edit: bool,
    other_assets: Vec<(String, String)>,
    methods: &'static [(&'static str, &'static str)],
    stages: &'static [(&'static str, &'static str)],
    roles: Vec<(&'static str, &'static str)>,
    people: Vec<(String, String)>,
    /// For an asset that is a practice system: its name and who holds a login, each with
    /// whether an access entry covers them.
    logins: Option<(String, Vec<(String, bool)>)>,
}

async fn asset_page_for(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let a = load(state, scope, id).await?;
    scope
        .record(scope.event("asset.view", "asset", Some(a.id.to_string())))
        .await?;
    let f = &a.fields;
    let rated = |r: Option<u8>, why: &str| match r.filter(|r| *r > 0) {
        Some(r) => format!("{r} – {why}"),
        None => "Not rated".into(),
    };
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "–".to_string()
        } else {
            s.to_string()
        }
    };
    let details = vec![
        ("Description", or_dash(&f.description)),
        ("Type", assets::type_label(&f.asset_type).to_string()),
        ("Information Asset Owner", a.iao_name.clone()),
        ("Status", assets::status_label(&f.status).to_string()),
        (
            "Records held",
            assets::volume_label(&f.volume_band).to_string(),
        ),
        (
            "Special-category data",
            if f.special_category {
                format!("Yes – {}", or_dash(&f.special_condition))
            } else {
                "No".into()
            },
        ),
        (
            "Confidentiality",
            rated(f.confidentiality, &f.confidentiality_reason),
        ),
        ("Integrity", rated(f.integrity, &f.integrity_reason)),
        (
            "Availability",
            rated(f.availability, &f.availability_reason),
        ),
        ("Classification", or_dash(&f.classification)),
        ("Lawful basis", or_dash(&f.lawful_basis)),
        (
            "Retention",
            format!(
                "{} {}",
                or_dash(&f.retention_period),
                if f.retention_basis.is_empty() {
                    String::new()
                } else {
                    format!("({})", f.retention_basis)
                }
            ),
        ),
        (
            "Supplier",
            format!(
                "{} {}",
                or_dash(&f.supplier_name),
                if f.supplier_dspt_status.is_empty() {
                    String::new()
                } else {
                    format!("– DSPT: {}", f.supplier_dspt_status)
                }
            ),
        ),
        ("Business continuity", or_dash(&f.continuity_notes)),
        ("Last reviewed", or_dash(&f.last_reviewed_on)),
    ];
    let flows = state.store.flows(scope.id(), Some(a.id)).await?;
    let access = state.store.access_entries(scope.id(), Some(a.id)).await?;
    let logins = match f.system_id {
        None => None,
        Some(system) => {
            let name = state
                .store
                .systems(scope.id())
                .await?
                .into_iter()
                .find(|s| s.id == system)
                .map(|s| s.name)
                .unwrap_or_default();
            let staff = state.store.access_overview(scope.id()).await?;
            let entries: Vec<(Option<PracticeRole>, Option<PersonId>)> =
                access.iter().map(|e| (e.role, e.person_id)).collect();
            let mut holders: Vec<(String, bool)> = state
                .store
                .login_holders(scope.id())
                .await?
                .into_iter()
                .filter(|(s, _)| *s == system)
                .filter_map(|(_, p)| staff.iter().find(|s| s.person_id == p))
                .map(|s| {
                    (
                        s.full_name.clone(),
                        assets::login_is_justified(s.person_id, &s.roles, &entries),
                    )
                })
                .collect();
            holders.sort();
            Some((name, holders))
        }
    };
    let history = state
        .store
        .search_events(&custodian_store::EventFilter {
            practice: Some(scope.id()),
            object_id: Some(a.id.to_string()),
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
                crate::pages::describe_changes(&e.details_text, 300),
            )
        })
        .collect();
    let others = state.store.asset_choices(scope.id()).await?;
    let last_review = state
        .store
        .access_reviews(scope.id(), a.id)
        .await?
        .first()
        .map(|r| {
            format!(
                "{} by {}: {} confirmed, {} removed{}",
                show_datetime(r.reviewed_at),
                r.reviewed_by_name,
                r.confirmed,
                r.removed,
                if r.notes.is_empty() {
                    String::new()
                } else {
                    format!(" – {}", r.notes)
                }
            )
        });
    let staff = state.store.access_overview(scope.id()).await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &AssetPage {
            layout: Layout::new(
                &scope.user,
                Some((&scope.practice, &scope.access)),
                &format!("/practices/{}/assets", scope.id()),
            ),
            practice: scope.practice.clone(),
            errors,
            can_edit: assets::may_edit(&scope.access, &scope.roles, a.fields.iao_id),
            details,
            flows: flows
                .iter()
                .map(|fl| FlowRow {
                    id: fl.id.to_string(),
                    from: fl.from_name.clone(),
                    to: fl
                        .to_name
                        .clone()
                        .unwrap_or_else(|| fl.fields.to_party.clone()),
                    what: format!("{} – {}", fl.fields.data, fl.fields.purpose),
                    how: assets::FLOW_METHODS
                        .iter()
                        .find(|m| m.0 == fl.fields.method)
                        .map(|m| m.1)
                        .unwrap_or("")
                        .to_string(),
                    flags: assets::flow_flags(
                        fl.fields.encrypted,
                        !fl.fields.agreement_ref.trim().is_empty(),
                        fl.fields.to_asset_id.is_none(),
                    ),
                })
                .collect(),
            access: access
                .iter()
                .map(|x| AccessRow {
                    id: x.id.to_string(),
                    who: x
                        .person_name
                        .clone()
                        .or_else(|| {
                            x.role
                                .map(|r| format!("Everyone with the role {}", r.label()))
                        })
                        .unwrap_or_default(),
                    level: x.level.clone(),
                    reason: if x.reason.is_empty() {
                        "No reason given".into()
                    } else {
                        x.reason.clone()
                    },
                })
                .collect(),
            history,
            last_review,
            other_assets: others
                .into_iter()
                .filter(|(id, _)| *id != a.id)
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            methods: assets::FLOW_METHODS,
            stages: assets::LIFECYCLE,
            roles: PracticeRole::ALL
                .iter()
                .map(|r| (r.as_str(), r.label()))
                .collect(),
            people: staff
                .iter()
                .map(|s| (s.person_id.to_string(), s.full_name.clone()))
                .collect(),
            logins,
            a,
        },
    ))
}

async fn asset_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    asset_page_for(&state, &scope, &id, Errors::none()).await
}

async fn flow_submit(
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
    let to = match get("to_asset_id").as_str() {
        "" => None,
        v => match uuid::Uuid::parse_str(v) {
            Ok(u) => Some(u),
            Err(_) => {
                return asset_page_for(
                    &state,
                    &scope,
                    &id,
                    Errors::one("to_asset_id", "Choose an asset from the list"),
                )
                .await;
            }
        },
    };
    let input = FlowInput {
        from_asset_id: None,
        to_asset_id: to,
        to_party: get("to_party"),
        data: get("data"),
        purpose: get("purpose"),
        method: get("method"),
        encrypted: get("encrypted") == "true",
        frequency: get("frequency"),
        legal_basis: get("legal_basis"),
        agreement_ref: get("agreement_ref"),
        lifecycle_stage: get("lifecycle_stage"),
    };
    match add_flow(&state, &scope, &id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/practices/{}/assets/{id}", scope.id())).into_response())
        }
        Err(HttpError(AppError::Invalid(i))) => asset_page_for(&state, &scope, &id, i.into()).await,
        Err(e) => Err(e),
    }
}

async fn flow_remove(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id, flow)): Path<(String, String, String)>,
) -> Result<Response, HttpError> {
    let a = load(&state, &scope, &id).await?;
    require_edit(&scope, a.fields.iao_id, "asset_flow.remove").await?;
    state
        .store
        .remove_flow(scope.id(), parse_id(&flow)?, &scope.meta)
        .await?;
    Ok(Redirect::to(&format!("/practices/{}/assets/{id}", scope.id())).into_response())
}

async fn access_submit(
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
    let role = match get("role").as_str() {
        "" => None,
        r => match r.parse::<PracticeRole>() {
            Ok(r) => Some(r),
            Err(_) => {
                return asset_page_for(
                    &state,
                    &scope,
                    &id,
                    Errors::one("role", "Choose a role from the list"),
                )
                .await;
            }
        },
    };
    let person = match get("person_id").as_str() {
        "" => None,
        p => match p.parse::<PersonId>() {
            Ok(p) => Some(p),
            Err(_) => {
                return asset_page_for(
                    &state,
                    &scope,
                    &id,
                    Errors::one("person_id", "Choose a person from the list"),
                )
                .await;
            }
        },
    };
    let input = AccessInput {
        role,
        person_id: person,
        level: get("level"),
        reason: get("reason"),
    };
    match add_access(&state, &scope, &id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/practices/{}/assets/{id}", scope.id())).into_response())
        }
        Err(HttpError(AppError::Invalid(i))) => asset_page_for(&state, &scope, &id, i.into()).await,
        Err(e) => Err(e),
    }
}

async fn access_remove(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id, entry)): Path<(String, String, String)>,
) -> Result<Response, HttpError> {
    let a = load(&state, &scope, &id).await?;
    require_edit(&scope, a.fields.iao_id, "asset_access.remove").await?;
    state
        .store
        .remove_access(scope.id(), parse_id(&entry)?, &scope.meta)
        .await?;
    Ok(Redirect::to(&format!("/practices/{}/assets/{id}", scope.id())).into_response())
}

/// The IAO signs off who still needs access; everyone else's entry is removed.
pub async fn review_access(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    keep: &[uuid::Uuid],
    notes: &str,
) -> Result<custodian_store::AccessReview, HttpError> {
    let a = load(state, scope, id).await?;
    require_edit(scope, a.fields.iao_id, "asset_access.review").await?;
    Ok(state
        .store
        .review_access(scope.id(), a.id, keep, notes, &scope.meta)
        .await?)
}

async fn review_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let keep: Vec<uuid::Uuid> = pairs
        .iter()
        .filter(|(k, _)| k == "keep")
        .filter_map(|(_, v)| uuid::Uuid::parse_str(v).ok())
        .collect();
    let notes = pairs
        .iter()
        .find(|(k, _)| k == "notes")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    match review_access(&state, &scope, &id, &keep, &notes).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/practices/{}/assets/{id}", scope.id())).into_response())
        }
        Err(HttpError(AppError::Invalid(i))) => asset_page_for(&state, &scope, &id, i.into()).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewBody {
    /// The access entries still needed; every other current entry is removed.
    pub keep: Vec<uuid::Uuid>,
    #[serde(default)]
    pub notes: String,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/assets/{asset_id}/access-review", tag = "assets", summary = "Sign off an access review",
    params(("practice_id" = String, Path, description = "The practice's id"), ("asset_id" = String, Path, description = "The asset's id")), request_body = ReviewBody,
    responses((status = 201, body = custodian_store::AccessReview), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_review(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<ReviewBody>,
) -> Result<Response, HttpError> {
    let r = review_access(&state, &scope, &id, &body.keep, &body.notes).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

// ---- exports --------------------------------------------------------------------------------------

/// The register's columns, in the order of the CSV export (and of the import).

async fn export_csv(
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
    let mut out = crate::report::csv_line(custodian_domain::asset_import::CSV_COLUMNS);
    let n = |r: Option<u8>| {
        r.filter(|r| *r > 0)
            .map(|r| r.to_string())
            .unwrap_or_default()
    };
    for a in &list {
        let f = &a.fields;
        out.push_str(&crate::report::csv_line(&[
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
        .record(
            scope
                .event("asset.export", "asset", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    Ok(crate::report::csv_response(
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

async fn ropa_rows(state: &AppState, scope: &PracticeScope) -> Result<Vec<RopaRow>, HttpError> {
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
    let mut flows: std::collections::HashMap<uuid::Uuid, Vec<AssetFlow>> =
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
#[template(path = "ropa.html")]
struct RopaPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    today: String,
    rows: Vec<RopaRow>,
}

#[derive(Deserialize, Default)]
struct FormatQuery {
    #[serde(default)]
    format: String,
}

async fn ropa_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<FormatQuery>,
) -> Result<Response, HttpError> {
    scope.require(Permission::AssetsView, "asset.ropa").await?;
    let rows = ropa_rows(&state, &scope).await?;
    if q.format == "csv" {
        let mut out = crate::report::csv_line(&[
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
            out.push_str(&crate::report::csv_line(&[
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
        return Ok(crate::report::csv_response(
            &format!("custodian-ropa-{}.csv", scope.practice.ods_code),
            out,
        ));
    }
    Ok(render(&RopaPage {
        layout: Layout::new(
            &scope.user,
            Some((&scope.practice, &scope.access)),
            &format!("/practices/{}/assets", scope.id()),
        ),
        practice: scope.practice.clone(),
        today: custodian_domain::time::show_date(state.clock.now()),
        rows,
    }))
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/ropa", tag = "assets", summary = "The record of processing activities (UK GDPR Art. 30)",
    params(("practice_id" = String, Path, description = "The practice's id")), responses((status = 200, body = Vec<RopaRow>)))]
async fn api_ropa(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<Vec<RopaRow>>, HttpError> {
    scope.require(Permission::AssetsView, "asset.ropa").await?;
    Ok(Json(ropa_rows(&state, &scope).await?))
}

#[derive(Template)]
#[template(path = "asset_quality.html")]
struct QualityPage {
    layout: Layout,
    practice: custodian_domain::Practice,
    gaps: Vec<Gap>,
}

async fn quality_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    scope
        .require(Permission::AssetsView, "asset.quality")
        .await?;
    let gaps = quality(&state, &scope).await?;
    Ok(render(&QualityPage {
        layout: Layout::new(
            &scope.user,
            Some((&scope.practice, &scope.access)),
            &format!("/practices/{}/assets", scope.id()),
        ),
        practice: scope.practice.clone(),
        gaps,
    }))
}

// ---- API ----------------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct AssetDetail {
    pub asset: Asset,
    pub flows: Vec<AssetFlow>,
    pub access: Vec<AssetAccess>,
}

#[derive(Deserialize)]
struct ApiListQuery {
    search: Option<String>,
    asset_type: Option<String>,
    status: Option<String>,
    iao: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/assets", tag = "assets", summary = "The information asset register",
    params(("practice_id" = String, Path, description = "The practice's id"), ("search" = Option<String>, Query, description = "Part of the name"),
           ("asset_type" = Option<String>, Query, description = "A type"), ("status" = Option<String>, Query, description = "active, retiring or retired"),
           ("iao" = Option<String>, Query, description = "An IAO's person id, or `me`")),
    responses((status = 200, body = Vec<Asset>), (status = 403, body = Problem)))]
async fn api_list(
    State(state): State<AppState>,
    scope: PracticeScope,
    Query(q): Query<ApiListQuery>,
) -> Result<Json<Vec<Asset>>, HttpError> {
    scope.require(Permission::AssetsView, "asset.list").await?;
    let iao = match q.iao.as_deref() {
        None | Some("") => None,
        Some("me") => Some(scope.user.person_id()),
        Some(p) => Some(
            p.parse()
                .map_err(|_| Invalid::one("iao", "Give a person id or `me`"))?,
        ),
    };
    let list = state
        .store
        .assets(
            scope.id(),
            &AssetFilter {
                search: q.search,
                asset_type: q.asset_type,
                status: q.status,
                iao,
                limit: assets::REGISTER_MAX,
            },
        )
        .await?;
    scope
        .record(
            scope
                .event("asset.list", "asset", None)
                .details(serde_json::json!({ "records": list.len() })),
        )
        .await?;
    Ok(Json(list))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/assets", tag = "assets", summary = "Add an asset",
    description = "The data protection lead, practice manager or IG consultant; or an IAO adding an asset they own.",
    params(("practice_id" = String, Path, description = "The practice's id")), request_body = AssetInput,
    responses((status = 201, body = Asset), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_create(
    State(state): State<AppState>,
    scope: PracticeScope,
    Json(body): Json<AssetInput>,
) -> Result<Response, HttpError> {
    let a = create_asset(&state, &scope, &body).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/assets/{asset_id}", tag = "assets", summary = "One asset with its flows and access",
    params(("practice_id" = String, Path, description = "The practice's id"), ("asset_id" = String, Path, description = "The asset's id")),
    responses((status = 200, body = AssetDetail), (status = 404, body = Problem)))]
async fn api_get(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<AssetDetail>, HttpError> {
    let asset = load(&state, &scope, &id).await?;
    scope
        .record(scope.event("asset.view", "asset", Some(asset.id.to_string())))
        .await?;
    let flows = state.store.flows(scope.id(), Some(asset.id)).await?;
    let access = state
        .store
        .access_entries(scope.id(), Some(asset.id))
        .await?;
    Ok(Json(AssetDetail {
        asset,
        flows,
        access,
    }))
}

#[utoipa::path(put, path = "/api/v1/practices/{practice_id}/assets/{asset_id}", tag = "assets", summary = "Change an asset",
    params(("practice_id" = String, Path, description = "The practice's id"), ("asset_id" = String, Path, description = "The asset's id")), request_body = AssetInput,
    responses((status = 200, body = Asset), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_update(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<AssetInput>,
) -> Result<Json<Asset>, HttpError> {
    Ok(Json(update_asset(&state, &scope, &id, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/assets/{asset_id}/flows", tag = "assets", summary = "Add a data flow out of an asset",
    params(("practice_id" = String, Path, description = "The practice's id"), ("asset_id" = String, Path, description = "The asset's id")), request_body = FlowInput,
    responses((status = 201, body = AssetFlow), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_add_flow(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<FlowInput>,
) -> Result<Response, HttpError> {
    let f = add_flow(&state, &scope, &id, &body).await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/practices/{practice_id}/assets/{asset_id}/flows/{flow_id}", tag = "assets", summary = "Remove a data flow",
    params(("practice_id" = String, Path, description = "The practice's id"), ("asset_id" = String, Path, description = "The asset's id"), ("flow_id" = String, Path, description = "The flow's id")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn api_remove_flow(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id, flow)): Path<(String, String, String)>,
) -> Result<StatusCode, HttpError> {
    let a = load(&state, &scope, &id).await?;
    require_edit(&scope, a.fields.iao_id, "asset_flow.remove").await?;
    state
        .store
        .remove_flow(scope.id(), parse_id(&flow)?, &scope.meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/assets/{asset_id}/access", tag = "assets", summary = "Record who has access and why",
    params(("practice_id" = String, Path, description = "The practice's id"), ("asset_id" = String, Path, description = "The asset's id")), request_body = AccessInput,
    responses((status = 201, body = AssetAccess), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn api_add_access(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<AccessInput>,
) -> Result<Response, HttpError> {
    let x = add_access(&state, &scope, &id, &body).await?;
    Ok((StatusCode::CREATED, Json(x)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/practices/{practice_id}/assets/{asset_id}/access/{entry_id}", tag = "assets", summary = "Remove an access entry",
    params(("practice_id" = String, Path, description = "The practice's id"), ("asset_id" = String, Path, description = "The asset's id"), ("entry_id" = String, Path, description = "The entry's id")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn api_remove_access(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path((_, id, entry)): Path<(String, String, String)>,
) -> Result<StatusCode, HttpError> {
    let a = load(&state, &scope, &id).await?;
    require_edit(&scope, a.fields.iao_id, "asset_access.remove").await?;
    state
        .store
        .remove_access(scope.id(), parse_id(&entry)?, &scope.meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/practices/{practice_id}/assets-quality", tag = "assets", summary = "Gaps in the register",
    params(("practice_id" = String, Path, description = "The practice's id")), responses((status = 200, body = Vec<Gap>)))]
async fn api_quality(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<Vec<Gap>>, HttpError> {
    scope
        .require(Permission::AssetsView, "asset.quality")
        .await?;
    Ok(Json(quality(&state, &scope).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_list,
        api_create,
        api_get,
        api_update,
        api_add_flow,
        api_remove_flow,
        api_add_access,
        api_remove_access,
        api_quality,
        api_review,
        api_ropa
    ),
    components(schemas(
        RopaRow,
        Asset,
        AssetFlow,
        AssetAccess,
        AssetDetail,
        AssetInput,
        FlowInput,
        AccessInput,
        Gap,
        ReviewBody,
        custodian_store::AccessReview
    ))
)]
pub struct AssetsApi;
