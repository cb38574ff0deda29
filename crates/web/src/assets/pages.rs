//! The asset register's pages: the list, an asset's record, its flows and access entries.

use super::*;
use crate::AppError;
use crate::kit::entry_form::EntryForm;
use crate::kit::forms::{posted, posted_as};
use crate::kit::history::{or_dash, record_history};
use crate::kit::layout::PracticeAddress;
use custodian_app::Actor;

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    pub(crate) search: String,
    #[serde(default)]
    pub(crate) asset_type: String,
    #[serde(default)]
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) mine: String,
}

pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) iao: String,
    pub(crate) cia: String,
    pub(crate) volume: &'static str,
    pub(crate) status: &'static str,
    pub(crate) gaps: Vec<String>,
}

#[derive(Template)]
#[template(path = "assets/assets.html")]
pub(crate) struct ListPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) assets: Vec<Row>,
    pub(crate) search: String,
    pub(crate) asset_type: String,
    pub(crate) status: String,
    pub(crate) mine: bool,
    pub(crate) can_add: bool,
    pub(crate) can_import: bool,
    pub(crate) types: &'static [(&'static str, &'static str)],
    pub(crate) statuses: &'static [(&'static str, &'static str)],
}

pub(crate) async fn list_page(
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
    scope.record_list("asset.list", "asset", list.len()).await?;
    let mut gaps: std::collections::HashMap<custodian_domain::AssetId, Vec<String>> =
        std::collections::HashMap::new();
    for g in quality_of(&state, &scope.actor(), &list).await? {
        gaps.entry(g.asset_id).or_default().push(g.problem);
    }
    let cia = |r: Option<u8>| {
        r.filter(|r| *r > 0)
            .map(|r| r.to_string())
            .unwrap_or_else(|| "–".into())
    };
    Ok(render(&ListPage {
        layout: scope.layout(&scope.path("/assets")),
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

pub(crate) async fn new_page(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, HttpError> {
    require_edit(
        &state,
        &scope.actor(),
        Some(scope.user.person_id()),
        "asset.create",
    )
    .await?;
    let f = AssetInput {
        iao_id: assets::may_own(&scope.roles).then(|| scope.user.person_id()),
        ..Default::default()
    };
    form_page(&state, &scope, f, Errors::none(), None).await
}

pub(crate) async fn edit_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    let a = custodian_app::assets::open_for_edit(&state, &scope.actor(), &id).await?;
    form_page(&state, &scope, a.fields, Errors::none(), Some(a.id)).await
}

/// The asset register's entry form (see `kit::entry_form`).
pub(crate) struct AssetForm;

#[async_trait::async_trait]
impl EntryForm for AssetForm {
    type Input = AssetInput;
    type Entry = Asset;
    const FOLDER: &'static str = "assets";

    fn read(pairs: &[(String, String)]) -> Result<AssetInput, Errors> {
        form_to_input(pairs)
    }

    async fn page(
        state: &AppState,
        scope: &PracticeScope,
        input: AssetInput,
        errors: Errors,
        entry: Option<&Asset>,
    ) -> Result<Response, HttpError> {
        form_page(state, scope, input, errors, entry.map(|a| a.id)).await
    }

    async fn load(state: &AppState, actor: &Actor<'_>, id: &str) -> Result<Asset, AppError> {
        load(state, actor, id).await
    }

    fn input_of(asset: &Asset) -> AssetInput {
        asset.fields.clone()
    }

    fn id_of(asset: &Asset) -> String {
        asset.id.to_string()
    }

    async fn create(
        state: &AppState,
        actor: &Actor<'_>,
        input: &AssetInput,
    ) -> Result<Asset, AppError> {
        create_asset(state, actor, input).await
    }

    async fn update(
        state: &AppState,
        actor: &Actor<'_>,
        id: &str,
        input: &AssetInput,
    ) -> Result<Asset, AppError> {
        update_asset(state, actor, id, input).await
    }
}

pub(crate) struct FlowRow {
    pub(crate) id: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) what: String,
    pub(crate) how: String,
    pub(crate) flags: Vec<&'static str>,
}

pub(crate) struct AccessRow {
    pub(crate) id: String,
    pub(crate) who: String,
    pub(crate) level: String,
    pub(crate) reason: String,
}

#[derive(Template)]
#[template(path = "assets/asset.html")]
pub(crate) struct AssetPage {
    pub(crate) layout: Layout,
    pub(crate) practice: custodian_domain::Practice,
    pub(crate) errors: Errors,
    pub(crate) a: Asset,
    pub(crate) details: Vec<(&'static str, String)>,
    pub(crate) flows: Vec<FlowRow>,
    pub(crate) access: Vec<AccessRow>,
    pub(crate) history: Vec<(String, String, String, String)>,
    pub(crate) last_review: Option<String>,
    pub(crate) can_edit: bool,
    pub(crate) other_assets: Vec<(String, String)>,
    pub(crate) methods: &'static [(&'static str, &'static str)],
    pub(crate) stages: &'static [(&'static str, &'static str)],
    pub(crate) roles: Vec<(&'static str, &'static str)>,
    pub(crate) people: Vec<(String, String)>,
    /// For an asset that is a practice system: its name and who holds a login, each with
    /// whether an access entry covers them.
    pub(crate) logins: Option<(String, Vec<(String, bool)>)>,
}

pub(crate) async fn asset_page_for(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    errors: Errors,
) -> Result<Response, HttpError> {
    let a = custodian_app::assets::view(state, &scope.actor(), id).await?;
    let f = &a.fields;
    let details = asset_details(&a);
    let flows = state.store.flows(scope.id(), Some(a.id)).await?;
    let access = state.store.access_entries(scope.id(), Some(a.id)).await?;
    let logins = match f.system_id {
        None => None,
        Some(system) => Some(system_logins(state, scope, system, &access).await?),
    };
    let history = record_history(state, scope, a.id.to_string(), 300).await?;
    let others = state.store.asset_choices(scope.id()).await?;
    let last_review = state
        .store
        .access_reviews(scope.id(), a.id)
        .await?
        .first()
        .map(review_summary);
    let staff = state.store.access_overview(scope.id()).await?;
    let status = errors.status();
    Ok(render_with(
        status,
        &AssetPage {
            layout: scope.layout(&scope.path("/assets")),
            practice: scope.practice.clone(),
            errors,
            can_edit: assets::may_edit(&scope.access, &scope.roles, a.fields.iao_id),
            details,
            flows: flows.iter().map(flow_row).collect(),
            access: access.iter().map(access_row).collect(),
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

/// An asset's record as the page lists it: (label, value).
fn asset_details(a: &custodian_store::Asset) -> Vec<(&'static str, String)> {
    let f = &a.fields;
    let rated = |r: Option<u8>, why: &str| match r.filter(|r| *r > 0) {
        Some(r) => format!("{r} – {why}"),
        None => "Not rated".into(),
    };
    vec![
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
    ]
}

/// Who holds a login to the practice system an asset is, by name, each with whether an access
/// entry covers them; and the system's name.
async fn system_logins(
    state: &AppState,
    scope: &PracticeScope,
    system: custodian_domain::SystemId,
    access: &[custodian_store::AssetAccess],
) -> Result<(String, Vec<(String, bool)>), HttpError> {
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
    Ok((name, holders))
}

/// The last access review, in a line.
fn review_summary(r: &custodian_store::AccessReview) -> String {
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
}

fn flow_row(fl: &custodian_store::AssetFlow) -> FlowRow {
    FlowRow {
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
    }
}

fn access_row(x: &custodian_store::AssetAccess) -> AccessRow {
    AccessRow {
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
    }
}

pub(crate) async fn asset_page(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
) -> Result<Response, HttpError> {
    asset_page_for(&state, &scope, &id, Errors::none()).await
}

pub(crate) async fn flow_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let get = |k: &str| posted(&pairs, k);
    let saved = match posted_as(&pairs, "to_asset_id", "Choose an asset from the list") {
        Err(errors) => Err(errors),
        Ok(to_asset_id) => {
            let input = FlowInput {
                from_asset_id: None,
                to_asset_id,
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
            submitted(add_flow(&state, &scope.actor(), &id, &input).await)?.map(|_| ())
        }
    };
    back_to_asset(&state, &scope, &id, saved).await
}

/// Back to the asset when a part of it was saved; its page again with the form's errors when
/// not.
async fn back_to_asset(
    state: &AppState,
    scope: &PracticeScope,
    id: &str,
    saved: Result<(), Errors>,
) -> Result<Response, HttpError> {
    match saved {
        Ok(()) => Ok(Redirect::to(&scope.path(&format!("/assets/{id}"))).into_response()),
        Err(errors) => asset_page_for(state, scope, id, errors).await,
    }
}

pub(crate) async fn flow_remove(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice((id, flow)): InPractice<(String, String)>,
) -> Result<Response, HttpError> {
    custodian_app::assets::remove_flow(&state, &scope.actor(), &id, &flow).await?;
    Ok(Redirect::to(&scope.path(&format!("/assets/{id}"))).into_response())
}

pub(crate) async fn access_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let chosen = posted_as(&pairs, "role", "Choose a role from the list").and_then(|role| {
        Ok((
            role,
            posted_as(&pairs, "person_id", "Choose a person from the list")?,
        ))
    });
    let saved = match chosen {
        Err(errors) => Err(errors),
        Ok((role, person_id)) => {
            let input = AccessInput {
                role,
                person_id,
                level: posted(&pairs, "level"),
                reason: posted(&pairs, "reason"),
            };
            submitted(add_access(&state, &scope.actor(), &id, &input).await)?.map(|_| ())
        }
    };
    back_to_asset(&state, &scope, &id, saved).await
}

pub(crate) async fn access_remove(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice((id, entry)): InPractice<(String, String)>,
) -> Result<Response, HttpError> {
    custodian_app::assets::remove_access(&state, &scope.actor(), &id, &entry).await?;
    Ok(Redirect::to(&scope.path(&format!("/assets/{id}"))).into_response())
}

pub(crate) async fn review_submit(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let keep: Vec<custodian_domain::AccessEntryId> = pairs
        .iter()
        .filter(|(k, _)| k == "keep")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let notes = posted(&pairs, "notes");
    let saved = submitted(review_access(&state, &scope.actor(), &id, &keep, &notes).await)?;
    back_to_asset(&state, &scope, &id, saved.map(|_| ())).await
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewBody {
    /// The access entries still needed; every other current entry is removed.
    pub keep: Vec<custodian_domain::AccessEntryId>,
    #[serde(default)]
    pub notes: String,
}

#[utoipa::path(post, path = "/api/v1/practices/{practice_id}/assets/{asset_id}/access-review", tag = "assets", summary = "Sign off an access review",
    params(PracticeParam, ("asset_id" = String, Path, description = "The asset's id")), request_body = ReviewBody,
    responses((status = 201, body = custodian_store::AccessReview), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn api_review(
    State(state): State<AppState>,
    scope: PracticeScope,
    InPractice(id): InPractice<String>,
    Json(body): Json<ReviewBody>,
) -> Result<Response, HttpError> {
    let r = review_access(&state, &scope.actor(), &id, &body.keep, &body.notes).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}
