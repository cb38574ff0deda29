//! The information asset register: assets, flows, access entries and reviews, imports.
//!
//! Compiled once for each backend (`crates/store/src/sqlite.rs` and `postgres.rs` include it with
//! `#[path]`), written against the backend's `ThisStore`, `DbRow` and `BEGIN`: both databases
//! accept the same SQL, so the text is shared; the schema differences live in the migrations.

use async_trait::async_trait;
use custodian_domain::{AssetId, PersonId, PracticeId};
use sqlx::Row as _;
use uuid::Uuid;

use super::*;
use crate::queries::{HasDb, now, sort_key};
use crate::*;

pub(super) const ASSET_QUERY: &str = "SELECT a.id, a.practice_id, a.fields, a.created_at, a.updated_at, p.full_name AS iao_name \
     FROM assets a JOIN people p ON p.id = a.iao_id WHERE a.practice_id = $1";

pub(super) fn asset_from(row: &DbRow) -> Result<Asset> {
    let fields: String = row.try_get("fields")?;
    Ok(Asset {
        id: AssetId(row.try_get("id")?),
        practice_id: PracticeId(row.try_get("practice_id")?),
        fields: serde_json::from_str(&fields)
            .map_err(|e| StoreError::Corrupt(format!("asset fields: {e}")))?,
        iao_name: row.try_get("iao_name")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(super) const FLOW_QUERY: &str = "SELECT f.id, f.fields, f.created_at, a.name AS from_name, b.name AS to_name \
     FROM asset_flows f JOIN assets a ON a.id = f.from_asset_id LEFT JOIN assets b ON b.id = f.to_asset_id \
     WHERE f.practice_id = $1 AND f.removed_at IS NULL";

pub(super) fn flow_from(row: &DbRow) -> Result<AssetFlow> {
    let fields: String = row.try_get("fields")?;
    Ok(AssetFlow {
        id: custodian_domain::FlowId(row.try_get("id")?),
        from_name: row.try_get("from_name")?,
        to_name: row.try_get("to_name")?,
        fields: serde_json::from_str(&fields)
            .map_err(|e| StoreError::Corrupt(format!("flow fields: {e}")))?,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) const ACCESS_QUERY: &str = "SELECT x.id, x.asset_id, x.role, x.person_id, p.full_name AS person_name, x.level, x.reason, x.created_at \
     FROM asset_access x LEFT JOIN people p ON p.id = x.person_id WHERE x.practice_id = $1 AND x.removed_at IS NULL";

pub(super) fn access_from(row: &DbRow) -> Result<AssetAccess> {
    let role: Option<String> = row.try_get("role")?;
    Ok(AssetAccess {
        id: custodian_domain::AccessEntryId(row.try_get("id")?),
        asset_id: AssetId(row.try_get("asset_id")?),
        role: role
            .map(|r| {
                r.parse()
                    .map_err(|_| StoreError::Corrupt(format!("role {r}")))
            })
            .transpose()?,
        person_id: row.try_get::<Option<Uuid>, _>("person_id")?.map(PersonId),
        person_name: row.try_get("person_name")?,
        level: row.try_get("level")?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Checks the IAO (a current member with the IAO role) and the IAA (a current member).
pub(super) async fn check_owners<'c, E>(
    exec: E,
    practice: PracticeId,
    v: &custodian_domain::assets::ValidAsset,
) -> Result<()>
where
    E: sqlx::Executor<'c, Database = <ThisStore as HasDb>::Db> + Copy,
{
    let iao = v.input.iao_id.ok_or_else(|| {
        custodian_domain::Invalid::one("iao_id", "Choose the Information Asset Owner")
    })?;
    let roles: Vec<String> = sqlx::query_scalar(
        "SELECT r.role FROM practice_members m JOIN practice_roles r ON r.practice_id = m.practice_id AND r.person_id = m.person_id \
         WHERE m.practice_id = $1 AND m.person_id = $2 AND m.left_at IS NULL",
    )
    .bind(practice.0)
    .bind(iao.0)
    .fetch_all(exec)
    .await?;
    if roles.is_empty() {
        return Err(custodian_domain::Invalid::one(
            "iao_id",
            "The Information Asset Owner must be on this practice's staff",
        )
        .into());
    }
    if !roles.iter().any(|r| r == "information_asset_owner") {
        return Err(custodian_domain::Invalid::one("iao_id", "This person does not hold the Information Asset Owner role in the practice: give them the role first").into());
    }
    if let Some(system) = v.input.system_id {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM practice_systems WHERE practice_id = $1 AND id = $2",
        )
        .bind(practice.0)
        .bind(system.0)
        .fetch_one(exec)
        .await?;
        if n == 0 {
            return Err(custodian_domain::Invalid::one(
                "system_id",
                "Choose one of this practice's systems",
            )
            .into());
        }
    }
    if let Some(iaa) = v.input.iaa_id {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM practice_members WHERE practice_id = $1 AND person_id = $2 AND left_at IS NULL")
            .bind(practice.0)
            .bind(iaa.0)
            .fetch_one(exec)
            .await?;
        if n == 0 {
            return Err(custodian_domain::Invalid::one(
                "iaa_id",
                "The Information Asset Administrator must be on this practice's staff",
            )
            .into());
        }
    }
    Ok(())
}

pub(super) const REVIEW_QUERY: &str = "SELECT r.id, r.asset_id, r.reviewed_by, p.full_name AS reviewed_by_name, r.reviewed_at, r.confirmed, r.removed, r.notes \
     FROM asset_access_reviews r JOIN people p ON p.id = r.reviewed_by WHERE r.practice_id = $1";

pub(super) fn review_from(row: &DbRow) -> Result<AccessReview> {
    Ok(AccessReview {
        id: custodian_domain::AccessReviewId(row.try_get("id")?),
        asset_id: AssetId(row.try_get("asset_id")?),
        reviewed_by: PersonId(row.try_get("reviewed_by")?),
        reviewed_by_name: row.try_get("reviewed_by_name")?,
        reviewed_at: row.try_get("reviewed_at")?,
        confirmed: row.try_get("confirmed")?,
        removed: row.try_get("removed")?,
        notes: row.try_get("notes")?,
    })
}

pub(super) fn rating(r: Option<u8>) -> Option<i64> {
    r.filter(|r| *r > 0).map(i64::from)
}

/// An asset's columns, as its insert and its update both write them: the practice `$1`, the id
/// `$2`, then its fields `$3`…`$16` (the last the time it was written).
fn asset_columns<'q>(
    statement: Statement<'q>,
    practice: PracticeId,
    id: Uuid,
    v: &'q custodian_domain::assets::ValidAsset,
    at: crate::Timestamp,
) -> Statement<'q> {
    statement
        .bind(practice.0)
        .bind(id)
        .bind(&v.input.name)
        .bind(sort_key(&v.input.name))
        .bind(serde_json::to_string(&v.input).expect("fields serialise"))
        .bind(v.input.iao_id.map(|p| p.0))
        .bind(v.input.iaa_id.map(|p| p.0))
        .bind(&v.input.asset_type)
        .bind(&v.input.status)
        .bind(v.input.special_category)
        .bind(rating(v.input.confidentiality))
        .bind(rating(v.input.integrity))
        .bind(rating(v.input.availability))
        .bind(v.last_reviewed_on)
        .bind(i64::from(v.review_interval_months))
        .bind(at)
}

/// Writes one asset and its creation event inside `tx`.
pub(super) async fn insert_asset(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    practice: PracticeId,
    v: &custodian_domain::assets::ValidAsset,
    by: &AuditMeta,
    import: Option<custodian_domain::ImportId>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let at = now();
    asset_columns(sqlx::query(
        "INSERT INTO assets (practice_id, id, name, sort_key, fields, iao_id, iaa_id, asset_type, status, special_category, \
         confidentiality, integrity, availability, last_reviewed_on, review_interval_months, updated_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
    ), practice, id, v, at)
    .execute(&mut **tx)
    .await?;
    let mut details = serde_json::Map::new();
    for (k, val) in serde_json::to_value(&v.input).unwrap().as_object().unwrap() {
        if !(val.is_null() || val == "" || val == false) {
            details.insert(k.clone(), serde_json::json!({ "new": val }));
        }
    }
    if let Some(import) = import {
        details.insert("import".into(), serde_json::json!(import));
    }
    insert_event(
        tx,
        &by.event(
            Some(practice),
            "asset.create",
            "asset",
            Some(id.to_string()),
        )
        .details(details.into()),
    )
    .await?;
    Ok(id)
}

#[async_trait]
impl AssetStore for ThisStore {
    async fn asset_review_dates(
        &self,
        practice: PracticeId,
    ) -> Result<Vec<(Timestamp, Option<chrono::NaiveDate>, u32, PersonId)>> {
        let rows: Vec<(Timestamp, Option<chrono::NaiveDate>, i64, Uuid)> = sqlx::query_as(
            "SELECT created_at, last_reviewed_on, review_interval_months, iao_id FROM assets \
             WHERE practice_id = $1 AND status <> 'retired'",
        )
        .bind(practice.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(created, last, months, iao)| {
                (
                    created,
                    last,
                    u32::try_from(months).unwrap_or(12),
                    PersonId(iao),
                )
            })
            .collect())
    }

    async fn create_asset(
        &self,
        practice: PracticeId,
        v: &custodian_domain::assets::ValidAsset,
        by: &AuditMeta,
    ) -> Result<Asset> {
        check_owners(&self.pool, practice, v).await?;
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let id = insert_asset(&mut tx, practice, v, by, None).await?;
        tx.commit().await?;
        self.asset(practice, AssetId(id))
            .await?
            .ok_or(StoreError::NotFound("asset"))
    }

    async fn update_asset(
        &self,
        practice: PracticeId,
        id: AssetId,
        v: &custodian_domain::assets::ValidAsset,
        by: &AuditMeta,
    ) -> Result<Asset> {
        let old = self
            .asset(practice, id)
            .await?
            .ok_or(StoreError::NotFound("asset"))?;
        check_owners(&self.pool, practice, v).await?;
        let changes = crate::queries::changed_fields(&old.fields, &v.input);
        if changes.is_empty() {
            return Ok(old);
        }
        self.write_recorded(
            asset_columns(sqlx::query(
            "UPDATE assets SET name = $3, sort_key = $4, fields = $5, iao_id = $6, iaa_id = $7, asset_type = $8, status = $9, \
             special_category = $10, confidentiality = $11, integrity = $12, availability = $13, last_reviewed_on = $14, \
             review_interval_months = $15, updated_at = $16 WHERE practice_id = $1 AND id = $2",
        )
        , practice, id.0, v, now()),
            &by.event(Some(practice), "asset.update", "asset", Some(id.to_string()))
                .details(changes.into()),
        )
        .await?;
        self.asset(practice, id)
            .await?
            .ok_or(StoreError::NotFound("asset"))
    }

    async fn login_holders(
        &self,
        practice: PracticeId,
    ) -> Result<Vec<(custodian_domain::SystemId, PersonId)>> {
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT DISTINCT g.system_id, g.person_id FROM access_grants g \
             JOIN practice_members m ON m.practice_id = g.practice_id AND m.person_id = g.person_id AND m.left_at IS NULL \
             WHERE g.practice_id = $1 AND g.action = 'create' \
             AND g.note IS DISTINCT FROM 'Not needed: the person left before it was done' \
             AND NOT EXISTS (SELECT 1 FROM access_grants r WHERE r.practice_id = g.practice_id AND r.person_id = g.person_id \
               AND r.system_id = g.system_id AND r.action = 'remove' AND r.opened_at >= g.opened_at)",
        )
        .bind(practice.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(s, p)| (custodian_domain::SystemId(s), PersonId(p)))
            .collect())
    }

    async fn asset_choices(&self, practice: PracticeId) -> Result<Vec<(AssetId, String)>> {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT id, name FROM assets WHERE practice_id = $1 ORDER BY sort_key, id",
        )
        .bind(practice.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| (AssetId(id), name))
            .collect())
    }

    async fn asset(&self, practice: PracticeId, id: AssetId) -> Result<Option<Asset>> {
        self.find_of(ASSET_QUERY, "a.id", practice, id.0, asset_from)
            .await
    }

    async fn assets(&self, practice: PracticeId, f: &AssetFilter) -> Result<Vec<Asset>> {
        let like = f
            .search
            .as_ref()
            .map(|s| format!("%{}%", s.trim().to_lowercase().replace(['%', '_'], "")));
        let rows = sqlx::query(&format!(
            "{ASSET_QUERY} AND ($2 IS NULL OR a.sort_key LIKE $2) AND ($3 IS NULL OR a.asset_type = $3) \
             AND ($4 IS NULL OR a.status = $4) AND ($5 IS NULL OR a.iao_id = $5) ORDER BY a.sort_key, a.id LIMIT $6"
        ))
        .bind(practice.0)
        .bind(like)
        .bind(f.asset_type.as_deref())
        .bind(f.status.as_deref())
        .bind(f.iao.map(|p| p.0))
        .bind(i64::from(f.limit.clamp(1, custodian_domain::assets::REGISTER_MAX)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(asset_from).collect()
    }

    async fn add_flow(
        &self,
        practice: PracticeId,
        flow: &custodian_domain::assets::FlowInput,
        by: &AuditMeta,
    ) -> Result<AssetFlow> {
        let from = flow.from_asset_id.ok_or_else(|| {
            custodian_domain::Invalid::one("from_asset_id", "Choose the asset the data leaves")
        })?;
        for (field, id) in [
            ("from_asset_id", Some(from)),
            ("to_asset_id", flow.to_asset_id),
        ] {
            if let Some(id) = id
                && self.asset(practice, id).await?.is_none()
            {
                return Err(custodian_domain::Invalid::one(
                    field,
                    "Choose one of this practice's assets",
                )
                .into());
            }
        }
        let id = Uuid::now_v7();
        let external = flow.to_asset_id.is_none();
        self.write_recorded(
            sqlx::query(
                "INSERT INTO asset_flows (id, practice_id, from_asset_id, to_asset_id, fields, encrypted, has_agreement, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(practice.0)
            .bind(from.0)
            .bind(flow.to_asset_id.map(|a| a.0))
            .bind(serde_json::to_string(flow).expect("fields serialise"))
            .bind(flow.encrypted)
            .bind(!external || !flow.agreement_ref.trim().is_empty())
            .bind(now()),
            &by.event(Some(practice), "asset_flow.create", "asset", Some(from.to_string()))
                .details(serde_json::to_value(flow).unwrap()),
        )
        .await?;
        self.one_of(FLOW_QUERY, "f.id", practice, id, flow_from)
            .await
    }

    async fn flows(&self, practice: PracticeId, asset: Option<AssetId>) -> Result<Vec<AssetFlow>> {
        let narrowed = asset.map(|a| ("(f.from_asset_id = $2 OR f.to_asset_id = $2)", a.0));
        self.list_of(FLOW_QUERY, practice, narrowed, "f.created_at", flow_from)
            .await
    }

    async fn remove_flow(
        &self,
        practice: PracticeId,
        asset: AssetId,
        id: custodian_domain::FlowId,
        by: &AuditMeta,
    ) -> Result<()> {
        self.remove_part(practice, asset, id.0, by, &FLOW_PART)
            .await
    }

    async fn add_access(
        &self,
        practice: PracticeId,
        asset: AssetId,
        a: &custodian_domain::assets::AccessInput,
        by: &AuditMeta,
    ) -> Result<AssetAccess> {
        if self.asset(practice, asset).await?.is_none() {
            return Err(StoreError::NotFound("asset"));
        }
        if let Some(p) = a.person_id {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM practice_members WHERE practice_id = $1 AND person_id = $2 AND left_at IS NULL")
                .bind(practice.0)
                .bind(p.0)
                .fetch_one(&self.pool)
                .await?;
            if n == 0 {
                return Err(custodian_domain::Invalid::one(
                    "person_id",
                    "Choose someone on this practice's staff",
                )
                .into());
            }
        }
        let id = Uuid::now_v7();
        self.write_recorded(
            sqlx::query("INSERT INTO asset_access (id, practice_id, asset_id, role, person_id, level, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(id)
                .bind(practice.0)
                .bind(asset.0)
                .bind(a.role.map(|r| r.as_str()))
                .bind(a.person_id.map(|p| p.0))
                .bind(&a.level)
                .bind(a.reason.trim())
                .bind(now()),
            &by.event(Some(practice), "asset_access.create", "asset", Some(asset.to_string()))
                .details(serde_json::to_value(a).unwrap()),
        )
        .await?;
        self.one_of(ACCESS_QUERY, "x.id", practice, id, access_from)
            .await
    }

    async fn register_facts(&self, practice: PracticeId) -> Result<RegisterFacts> {
        let flows = sqlx::query(
            "SELECT from_asset_id, encrypted, has_agreement, to_asset_id IS NULL AS external, COUNT(*) AS n FROM asset_flows \
             WHERE practice_id = $1 AND removed_at IS NULL GROUP BY from_asset_id, encrypted, has_agreement, to_asset_id IS NULL ORDER BY 1, 2, 3, 4",
        )
        .bind(practice.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| -> Result<_> {
            let n: i64 = r.try_get("n")?;
            let fact = custodian_domain::assets::FlowFact {
                encrypted: r.try_get("encrypted")?,
                has_agreement: r.try_get("has_agreement")?,
                external: r.try_get("external")?,
            };
            Ok((AssetId(r.try_get("from_asset_id")?), fact, n as usize))
        })
        .collect::<Result<Vec<_>>>()?;
        let access = sqlx::query(
            "SELECT asset_id, COUNT(*) AS n FROM asset_access WHERE practice_id = $1 AND removed_at IS NULL AND TRIM(reason) = '' GROUP BY asset_id",
        )
        .bind(practice.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| -> Result<_> {
            let n: i64 = r.try_get("n")?;
            Ok((AssetId(r.try_get("asset_id")?), n as usize))
        })
        .collect::<Result<Vec<_>>>()?;
        Ok((flows, access))
    }

    async fn access_entries(
        &self,
        practice: PracticeId,
        asset: Option<AssetId>,
    ) -> Result<Vec<AssetAccess>> {
        let narrowed = asset.map(|a| ("x.asset_id = $2", a.0));
        self.list_of(
            ACCESS_QUERY,
            practice,
            narrowed,
            "x.created_at",
            access_from,
        )
        .await
    }

    async fn review_access(
        &self,
        practice: PracticeId,
        asset: AssetId,
        keep: &[custodian_domain::AccessEntryId],
        notes: &str,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<AccessReview> {
        let reviewer = by.actor_id.ok_or(StoreError::NotFound("reviewer"))?;
        if self.asset(practice, asset).await?.is_none() {
            return Err(StoreError::NotFound("asset"));
        }
        let current = self.access_entries(practice, Some(asset)).await?;
        if let Some(k) = keep.iter().find(|k| !current.iter().any(|c| c.id == **k)) {
            return Err(custodian_domain::Invalid::one(
                "keep",
                format!("Entry {k} is not one of this asset's current access entries"),
            )
            .into());
        }
        let id = Uuid::now_v7();
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let mut removed = Vec::new();
        for c in current.iter().filter(|c| !keep.contains(&c.id)) {
            sqlx::query(
                "UPDATE asset_access SET removed_at = $3 WHERE practice_id = $1 AND id = $2",
            )
            .bind(practice.0)
            .bind(c.id.0)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            removed.push(c.id.to_string());
        }
        sqlx::query(
            "INSERT INTO asset_access_reviews (id, practice_id, asset_id, reviewed_by, reviewed_at, confirmed, removed, notes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(practice.0)
        .bind(asset.0)
        .bind(reviewer.0)
        .bind(at)
        .bind(keep.len() as i64)
        .bind(removed.len() as i64)
        .bind(notes.trim())
        .execute(&mut *tx)
        .await?;
        insert_event(
            &mut tx,
            &by.event(
                Some(practice),
                "asset_access.review",
                "asset",
                Some(asset.to_string()),
            )
            .details(serde_json::json!({
                "confirmed": keep.len(), "removed": removed, "notes": notes.trim(),
            })),
        )
        .await?;
        tx.commit().await?;
        self.one_of(REVIEW_QUERY, "r.id", practice, id, review_from)
            .await
    }

    async fn access_review_dates(&self, practice: PracticeId) -> Result<Vec<AccessReviewDates>> {
        let rows: Vec<(Uuid, Uuid, Timestamp, Option<Timestamp>)> = sqlx::query_as(
            "SELECT a.id, a.iao_id, a.created_at, \
               (SELECT MAX(r.reviewed_at) FROM asset_access_reviews r \
                WHERE r.practice_id = a.practice_id AND r.asset_id = a.id) \
             FROM assets a WHERE a.practice_id = $1 AND a.status <> 'retired' \
             AND EXISTS (SELECT 1 FROM asset_access x WHERE x.practice_id = a.practice_id \
                         AND x.asset_id = a.id AND x.removed_at IS NULL)",
        )
        .bind(practice.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, iao, created, last)| AccessReviewDates {
                asset_id: AssetId(id),
                iao_id: PersonId(iao),
                created_at: created,
                last_reviewed_at: last,
            })
            .collect())
    }

    async fn access_reviews(
        &self,
        practice: PracticeId,
        asset: AssetId,
    ) -> Result<Vec<AccessReview>> {
        let narrowed = Some(("r.asset_id = $2", asset.0));
        self.list_of(
            REVIEW_QUERY,
            practice,
            narrowed,
            "r.reviewed_at DESC",
            review_from,
        )
        .await
    }

    async fn remove_access(
        &self,
        practice: PracticeId,
        asset: AssetId,
        id: custodian_domain::AccessEntryId,
        by: &AuditMeta,
    ) -> Result<()> {
        self.remove_part(practice, asset, id.0, by, &ACCESS_PART)
            .await
    }
}

/// A part of an asset's entry that is removed by marking it (a data flow, an access entry): its
/// table, when it belongs to the asset `$4`, the column naming the asset its event is recorded
/// on, and how the event names it.
struct AssetPart {
    table: &'static str,
    belongs: &'static str,
    asset_column: &'static str,
    what: &'static str,
    action: &'static str,
    detail: &'static str,
}

const FLOW_PART: AssetPart = AssetPart {
    table: "asset_flows",
    belongs: "(from_asset_id = $4 OR to_asset_id = $4)",
    asset_column: "from_asset_id",
    what: "flow",
    action: "asset_flow.remove",
    detail: "flow",
};

const ACCESS_PART: AssetPart = AssetPart {
    table: "asset_access",
    belongs: "asset_id = $4",
    asset_column: "asset_id",
    what: "access entry",
    action: "asset_access.remove",
    detail: "entry",
};

impl ThisStore {
    /// Marks a part of an asset's entry removed, with its event on the asset, in one transaction.
    async fn remove_part(
        &self,
        practice: PracticeId,
        asset: AssetId,
        id: Uuid,
        by: &AuditMeta,
        part: &AssetPart,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        // The table and column names are constants above, never input.
        let recorded_on: Option<Uuid> = sqlx::query_scalar(&format!(
            "UPDATE {} SET removed_at = $3 WHERE practice_id = $1 AND id = $2 AND {} AND removed_at IS NULL RETURNING {}",
            part.table, part.belongs, part.asset_column
        ))
        .bind(practice.0)
        .bind(id)
        .bind(now())
        .bind(asset.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(recorded_on) = recorded_on else {
            return Err(StoreError::NotFound(part.what));
        };
        insert_event(
            &mut tx,
            &by.event(
                Some(practice),
                part.action,
                "asset",
                Some(recorded_on.to_string()),
            )
            .details(serde_json::json!({ part.detail: id.to_string() })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
