//! The information asset register's use cases: adding and changing assets (register managers,
//! or an asset's own Information Asset Owner), their data flows and access entries, and the
//! register's data-quality gaps.

/// Assets due a review, for those who keep the register.
pub const CAPABILITY: crate::Capability = crate::Capability {
    jobs: &[],
    attention: Some(attention),
};

/// The register's assets whose review date has passed and its data-quality gaps (register
/// managers); each IAO's own assets due a review within a week, and those whose access list
/// is due its yearly review (tasks for that IAO only).
pub fn attention<'a>(app: &'a App, actor: &'a Actor<'a>) -> crate::home::AttentionFuture<'a> {
    Box::pin(async move {
        use crate::home::Attention;
        let today = app.today();
        let soon = today + chrono::Duration::days(TASK_NOTICE_DAYS);
        let mut items = Vec::new();
        let mut overdue = 0;
        let mut own_due: BTreeMap<PersonId, (usize, chrono::NaiveDate)> = BTreeMap::new();
        for (created, last, months, iao) in app.store.asset_review_dates(actor.practice_id()).await? {
            let created = custodian_domain::identity::london_today(created);
            let due = assets::review_due(last, created, months);
            if due < today {
                overdue += 1;
            }
            if due <= soon {
                let e = own_due.entry(iao).or_insert((0, due));
                e.0 += 1;
                e.1 = e.1.min(due);
            }
        }
        if actor.access.can(Permission::AssetsManage) {
            if overdue > 0 {
                items.push(Attention::problem(
                    NoticeKind::AssetReview,
                    "/assets/quality",
                    format!("{} due a review", counted(overdue, "information asset", "information assets")),
                ));
            }
            let gaps = quality(app, actor).await?.len();
            if gaps > 0 {
                items.push(Attention::problem(
                    NoticeKind::AssetReview,
                    "/assets/quality#gaps",
                    format!("{} in the asset register", counted(gaps, "gap", "gaps")),
                ));
            }
        }
        items.extend(own_due.into_iter().map(|(iao, (n, due))| {
            Attention::task(
                NoticeKind::AssetReview,
                "/assets?mine=1#due-review",
                format!("Review {} you own", counted(n, "information asset", "information assets")),
            )
            .task_of(iao)
            .due(Some(due))
        }));
        let mut access_by_owner: BTreeMap<PersonId, (usize, chrono::NaiveDate)> = BTreeMap::new();
        for d in app.store.access_review_dates(actor.practice_id()).await? {
            let created = custodian_domain::identity::london_today(d.created_at);
            let last = d.last_reviewed_at.map(custodian_domain::identity::london_today);
            let due = assets::access_review_due(last, created);
            if due <= today {
                let e = access_by_owner.entry(d.iao_id).or_insert((0, due));
                e.0 += 1;
                e.1 = e.1.min(due);
            }
        }
        items.extend(access_by_owner.into_iter().map(|(iao, (n, due))| {
            Attention::task(
                NoticeKind::AccessReview,
                "/assets?mine=1",
                format!("{} you own due a review of who has access", counted(n, "information asset", "information assets")),
            )
            .task_of(iao)
            .due(Some(due))
        }));
        Ok(items)
    })
}

/// How far ahead a person's own reviews become their tasks.
pub const TASK_NOTICE_DAYS: i64 = 7;

use std::collections::BTreeMap;
use custodian_domain::validation::counted;
use custodian_domain::assets::{self, AccessInput, AssetInput, FlowInput, Gap};
use custodian_domain::notifications::NoticeKind;
use custodian_domain::{AssetId, Invalid, Permission, PersonId, PracticeRole};
use custodian_store::{Asset, AssetAccess, AssetFilter, AssetFlow};

use crate::{Actor, App, AppError, parse_id};

pub async fn load(app: &App, actor: &Actor<'_>, id: &str) -> Result<Asset, AppError> {
    app.require(actor, Permission::AssetsView, "asset.view")
        .await?;
    app.store
        .asset(actor.practice_id(), parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound)
}

/// An asset, read by someone who may see the register; the read is recorded.
pub async fn view(app: &App, actor: &Actor<'_>, id: &str) -> Result<Asset, AppError> {
    let found = load(app, actor, id).await?;
    app.record_read(actor.event("asset.view", "asset", Some(found.id.to_string())))
        .await?;
    Ok(found)
}

/// An asset opened for editing, by someone who may change it; the read is recorded.
pub async fn open_for_edit(app: &App, actor: &Actor<'_>, id: &str) -> Result<Asset, AppError> {
    let found = load(app, actor, id).await?;
    require_edit(app, actor, found.fields.iao_id, "asset.update").await?;
    app.record_read(actor.event("asset.view", "asset", Some(found.id.to_string())))
        .await?;
    Ok(found)
}

/// The one check for changing an asset: register managers, or the asset's own IAO.
pub async fn require_edit(
    app: &App,
    actor: &Actor<'_>,
    iao: Option<PersonId>,
    action: &str,
) -> Result<(), AppError> {
    if assets::may_edit(actor.access, actor.roles, iao) {
        return Ok(());
    }
    app.require(actor, Permission::AssetsManage, action).await
}

pub async fn create_asset(
    app: &App,
    actor: &Actor<'_>,
    input: &AssetInput,
) -> Result<Asset, AppError> {
    require_edit(app, actor, input.iao_id, "asset.create").await?;
    let valid = input.validate(app.today())?;
    Ok(app
        .store
        .create_asset(actor.practice_id(), &valid, actor.meta)
        .await?)
}

pub async fn update_asset(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &AssetInput,
) -> Result<Asset, AppError> {
    let old = load(app, actor, id).await?;
    require_edit(app, actor, old.fields.iao_id, "asset.update").await?;
    if input.iao_id != old.fields.iao_id && !actor.access.can(Permission::AssetsManage) {
        return Err(Invalid::one(
            "iao_id",
            "Only the data protection lead or practice manager can give an asset to another owner",
        )
        .into());
    }
    let valid = input.validate(app.today())?;
    Ok(app
        .store
        .update_asset(actor.practice_id(), old.id, &valid, actor.meta)
        .await?)
}

pub async fn add_flow(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &FlowInput,
) -> Result<AssetFlow, AppError> {
    let asset = load(app, actor, id).await?;
    require_edit(app, actor, asset.fields.iao_id, "asset_flow.create").await?;
    let mut input = input.clone();
    input.from_asset_id = Some(asset.id);
    let valid = input.validate()?;
    Ok(app
        .store
        .add_flow(actor.practice_id(), &valid, actor.meta)
        .await?)
}

pub async fn add_access(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    input: &AccessInput,
) -> Result<AssetAccess, AppError> {
    let asset = load(app, actor, id).await?;
    require_edit(app, actor, asset.fields.iao_id, "asset_access.create").await?;
    let valid = input.validate()?;
    Ok(app
        .store
        .add_access(actor.practice_id(), asset.id, &valid, actor.meta)
        .await?)
}

/// The IAO signs off who still needs access to the asset `id` names; every other current entry
/// is removed.
pub async fn review_access(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    keep: &[custodian_domain::AccessEntryId],
    notes: &str,
) -> Result<custodian_store::AccessReview, AppError> {
    let asset = load(app, actor, id).await?;
    require_edit(app, actor, asset.fields.iao_id, "asset_access.review").await?;
    Ok(app
        .store
        .review_access(
            actor.practice_id(),
            asset.id,
            keep,
            notes,
            app.clock.now(),
            actor.meta,
        )
        .await?)
}

/// Removes a flow into or out of the asset `id` names (not another asset's).
pub async fn remove_flow(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    flow: &str,
) -> Result<(), AppError> {
    let asset = load(app, actor, id).await?;
    require_edit(app, actor, asset.fields.iao_id, "asset_flow.remove").await?;
    Ok(app
        .store
        .remove_flow(
            actor.practice_id(),
            asset.id,
            crate::parse_id(flow)?,
            actor.meta,
        )
        .await?)
}

/// Removes an access entry of the asset `id` names (not another asset's).
pub async fn remove_access(
    app: &App,
    actor: &Actor<'_>,
    id: &str,
    entry: &str,
) -> Result<(), AppError> {
    let asset = load(app, actor, id).await?;
    require_edit(app, actor, asset.fields.iao_id, "asset_access.remove").await?;
    Ok(app
        .store
        .remove_access(
            actor.practice_id(),
            asset.id,
            crate::parse_id(entry)?,
            actor.meta,
        )
        .await?)
}

/// The register's gaps, with flows and access entries taken into account.
pub async fn quality(app: &App, actor: &Actor<'_>) -> Result<Vec<Gap>, AppError> {
    let list = app
        .store
        .assets(
            actor.practice_id(),
            &AssetFilter {
                limit: assets::REGISTER_MAX,
                ..Default::default()
            },
        )
        .await?;
    quality_of(app, actor, &list).await
}

/// The register's gaps for the given assets of the practice: flows and access entries are
/// grouped by asset once, so the cost grows with the register, not with its square.
/// For each asset that is a practice system: the people who hold a login to it that no access
/// entry covers, by name.
pub async fn unstated_logins(
    app: &App,
    actor: &Actor<'_>,
    list: &[Asset],
    staff: &[custodian_store::AccessOverview],
) -> Result<std::collections::HashMap<AssetId, Vec<String>>, AppError> {
    let mut out = std::collections::HashMap::new();
    let linked: Vec<&Asset> = list
        .iter()
        .filter(|a| a.fields.system_id.is_some())
        .collect();
    if linked.is_empty() {
        return Ok(out);
    }
    let holders = app.store.login_holders(actor.practice_id()).await?;
    let all_entries = app.store.access_entries(actor.practice_id(), None).await?;
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

pub async fn quality_of(
    app: &App,
    actor: &Actor<'_>,
    list: &[Asset],
) -> Result<Vec<Gap>, AppError> {
    use std::collections::{HashMap, HashSet};
    let staff = app.store.access_overview(actor.practice_id()).await?;
    let owners: HashSet<PersonId> = staff
        .iter()
        .filter(|o| o.roles.contains(&PracticeRole::InformationAssetOwner))
        .map(|o| o.person_id)
        .collect();
    let (flow_facts, access_facts) = app.store.register_facts(actor.practice_id()).await?;
    let mut flows: HashMap<AssetId, Vec<(assets::FlowFact, usize)>> = HashMap::new();
    for (from, f, n) in flow_facts {
        flows.entry(from).or_default().push((f, n));
    }
    let no_reason: HashMap<AssetId, usize> = access_facts.into_iter().collect();
    let unstated = unstated_logins(app, actor, list, &staff).await?;
    let access_due: HashMap<AssetId, chrono::NaiveDate> = app
        .store
        .access_review_dates(actor.practice_id())
        .await?
        .into_iter()
        .map(|d| {
            let created = custodian_domain::identity::london_today(d.created_at);
            let last = d.last_reviewed_at.map(custodian_domain::identity::london_today);
            (d.asset_id, assets::access_review_due(last, created))
        })
        .collect();
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
            access_review_due: access_due.get(&a.id).copied(),
        })
        .collect();
    Ok(assets::data_quality(&facts, app.today()))
}
