//! The information risk register: risks, actions, reviews, acceptances, reports, the threat library.
//!
//! Compiled once for each backend (`crates/store/src/sqlite.rs` and `postgres.rs` include it with
//! `#[path]`), written against the backend's `ThisStore`, `DbRow` and `BEGIN`: both databases
//! accept the same SQL, so the text is shared; the schema differences live in the migrations.

use async_trait::async_trait;
use custodian_domain::{AssetId, PersonId, PracticeId, RiskId};
use sqlx::Row as _;
use uuid::Uuid;

use super::*;

// The quarterly reports' queries, beside this file.
#[path = "report_queries.rs"]
mod reports;
use crate::error::conflict;
use crate::queries::{HasDb, now, sort_key};
use crate::*;

pub(super) const RISK_QUERY: &str = "SELECT r.id, r.practice_id, r.reference, r.fields, r.inherent_score, r.residual_score, r.target_score, \
     r.next_review_on, r.created_at, r.updated_at, o.full_name AS owner_name, \
     x.id AS x_id, x.accepted_by AS x_by, xp.full_name AS x_by_name, x.accepted_at AS x_at, x.band AS x_band, \
     x.above_appetite AS x_above, x.reason AS x_reason, x.expires_on AS x_expires \
     FROM risks r JOIN people o ON o.id = r.owner_id \
     LEFT JOIN risk_acceptances x ON x.id = (SELECT y.id FROM risk_acceptances y WHERE y.risk_id = r.id ORDER BY y.accepted_at DESC, y.id DESC LIMIT 1) \
     LEFT JOIN people xp ON xp.id = x.accepted_by \
     WHERE r.practice_id = $1";

pub(super) fn risk_from(row: &DbRow) -> Result<Risk> {
    let fields: String = row.try_get("fields")?;
    let id: Uuid = row.try_get("id")?;
    let acceptance = match row.try_get::<Option<Uuid>, _>("x_id")? {
        None => None,
        Some(x) => Some(RiskAcceptance {
            id: custodian_domain::AcceptanceId(x),
            risk_id: RiskId(id),
            accepted_by: PersonId(row.try_get("x_by")?),
            accepted_by_name: row.try_get("x_by_name")?,
            accepted_at: row.try_get("x_at")?,
            band: row.try_get("x_band")?,
            above_appetite: row.try_get("x_above")?,
            reason: row.try_get("x_reason")?,
            expires_on: row.try_get("x_expires")?,
        }),
    };
    Ok(Risk {
        id: RiskId(id),
        practice_id: PracticeId(row.try_get("practice_id")?),
        reference: row.try_get("reference")?,
        fields: serde_json::from_str(&fields)
            .map_err(|e| StoreError::Corrupt(format!("risk fields: {e}")))?,
        owner_name: row.try_get("owner_name")?,
        inherent_score: row.try_get("inherent_score")?,
        residual_score: row.try_get("residual_score")?,
        target_score: row.try_get("target_score")?,
        next_review_on: row.try_get("next_review_on")?,
        acceptance,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(super) const RISK_REVIEW_QUERY: &str = "SELECT v.id, v.risk_id, v.reviewed_by, p.full_name AS reviewed_by_name, v.reviewed_at, v.residual_likelihood, \
     v.residual_impact, v.residual_score, v.scores_changed, v.notes, v.next_review_on \
     FROM risk_reviews v JOIN people p ON p.id = v.reviewed_by WHERE v.practice_id = $1";

pub(super) fn risk_review_from(row: &DbRow) -> Result<RiskReview> {
    Ok(RiskReview {
        id: custodian_domain::RiskReviewId(row.try_get("id")?),
        risk_id: RiskId(row.try_get("risk_id")?),
        reviewed_by: PersonId(row.try_get("reviewed_by")?),
        reviewed_by_name: row.try_get("reviewed_by_name")?,
        reviewed_at: row.try_get("reviewed_at")?,
        residual_likelihood: row.try_get("residual_likelihood")?,
        residual_impact: row.try_get("residual_impact")?,
        residual_score: row.try_get("residual_score")?,
        scores_changed: row.try_get("scores_changed")?,
        notes: row.try_get("notes")?,
        next_review_on: row.try_get("next_review_on")?,
    })
}

/// Checks that a person is on the practice's staff now.
pub(super) async fn check_member<'c, E>(
    exec: E,
    practice: PracticeId,
    person: Option<PersonId>,
    field: &str,
    what: &str,
) -> Result<PersonId>
where
    E: sqlx::Executor<'c, Database = <ThisStore as HasDb>::Db>,
{
    let message = format!("{what} must be on this practice's staff");
    let person = person.ok_or_else(|| custodian_domain::Invalid::one(field, message.clone()))?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM practice_members WHERE practice_id = $1 AND person_id = $2 AND left_at IS NULL")
        .bind(practice.0)
        .bind(person.0)
        .fetch_one(exec)
        .await?;
    if n == 0 {
        return Err(custodian_domain::Invalid::one(field, message).into());
    }
    Ok(person)
}

/// A new risk inside `tx`, numbered next in its practice, with its event: its id. Its owner
/// and assets are checked as `create_risk` checks them.
pub(super) async fn create_in(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    practice: PracticeId,
    v: &custodian_domain::risks::ValidRisk,
    by: &AuditMeta,
) -> Result<Uuid> {
    let owner = check_risk(tx, practice, v).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM risks WHERE practice_id = $1")
        .bind(practice.0)
        .fetch_one(&mut **tx)
        .await?;
    insert_risk(tx, practice, v, owner, count + 1, by, None).await
}

/// Checks the owner and the assets of a risk, inside `tx`.
pub(super) async fn check_risk(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    practice: PracticeId,
    v: &custodian_domain::risks::ValidRisk,
) -> Result<PersonId> {
    let owner = check_member(
        &mut **tx,
        practice,
        v.input.owner_id,
        "owner_id",
        "The risk owner",
    )
    .await?;
    for asset in &v.input.asset_ids {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM assets WHERE practice_id = $1 AND id = $2")
                .bind(practice.0)
                .bind(asset.0)
                .fetch_one(&mut **tx)
                .await?;
        if n == 0 {
            return Err(custodian_domain::Invalid::one(
                "asset_ids",
                "Choose assets from this practice's register",
            )
            .into());
        }
    }
    Ok(owner)
}

pub(super) async fn set_risk_assets(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    practice: PracticeId,
    risk: Uuid,
    assets: &[AssetId],
) -> Result<()> {
    sqlx::query("DELETE FROM risk_assets WHERE practice_id = $1 AND risk_id = $2")
        .bind(practice.0)
        .bind(risk)
        .execute(&mut **tx)
        .await?;
    for a in assets {
        sqlx::query("INSERT INTO risk_assets (risk_id, asset_id, practice_id) VALUES ($1, $2, $3)")
            .bind(risk)
            .bind(a.0)
            .bind(practice.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A risk's columns, as its insert and its update both write them: the practice `$1`, the id
/// `$2`, then its fields `$3`…`$14` (the last the time it was written).
fn risk_columns<'q>(
    statement: Statement<'q>,
    practice: PracticeId,
    id: Uuid,
    v: &'q custodian_domain::risks::ValidRisk,
    owner: PersonId,
    next_review_on: chrono::NaiveDate,
    at: crate::Timestamp,
) -> Statement<'q> {
    statement
        .bind(practice.0)
        .bind(id)
        .bind(&v.input.title)
        .bind(sort_key(&v.input.title))
        .bind(serde_json::to_string(&v.input).expect("fields serialise"))
        .bind(owner.0)
        .bind(&v.input.status)
        .bind(&v.input.category)
        .bind(i64::from(v.inherent_score))
        .bind(i64::from(v.residual_score))
        .bind(v.target_score.map(i64::from))
        .bind(v.raised_on)
        .bind(next_review_on)
        .bind(at)
}

/// Writes one risk (numbered `number`) and its creation event inside `tx`.
pub(super) async fn insert_risk(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    practice: PracticeId,
    v: &custodian_domain::risks::ValidRisk,
    owner: PersonId,
    number: i64,
    by: &AuditMeta,
    import: Option<custodian_domain::ImportId>,
) -> Result<Uuid> {
    let reference = format!("RSK-{number:04}");
    let id = Uuid::now_v7();
    let at = now();
    let next = custodian_domain::risks::next_review(v.raised_on, v.review_interval_months);
    risk_columns(
        sqlx::query(
            "INSERT INTO risks (practice_id, id, title, sort_key, fields, owner_id, status, category, inherent_score, \
             residual_score, target_score, raised_on, next_review_on, updated_at, created_at, reference) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)",
        ),
        practice,
        id,
        v,
        owner,
        next,
        at,
    )
    .bind(&reference)
    .execute(&mut **tx)
    .await
    .map_err(|e| conflict(e, &[("reference", "title", "Another risk was added at the same moment: try again")]))?;
    set_risk_assets(tx, practice, id, &v.input.asset_ids).await?;
    let mut details = serde_json::Map::new();
    details.insert("reference".into(), serde_json::json!({ "new": reference }));
    for (k, val) in serde_json::to_value(&v.input).unwrap().as_object().unwrap() {
        if !(val.is_null() || val == "" || val == false || val == &serde_json::json!([])) {
            details.insert(k.clone(), serde_json::json!({ "new": val }));
        }
    }
    details.insert(
        "residual_score".into(),
        serde_json::json!({ "new": v.residual_score }),
    );
    if let Some(import) = import {
        details.insert("import".into(), serde_json::json!(import));
    }
    insert_event(
        tx,
        &by.event(Some(practice), "risk.create", "risk", Some(id.to_string()))
            .details(details.into()),
    )
    .await?;
    Ok(id)
}

pub(super) const REPORT_QUERY: &str = "SELECT r.id, r.practice_id, r.quarter, r.status, r.created_at, r.created_by, r.snapshot, r.minutes, r.decisions, \
     r.signed_by, p.full_name AS signed_by_name, r.signed_at, r.signed_report, r.signed_sha256 \
     FROM risk_reports r LEFT JOIN people p ON p.id = r.signed_by WHERE r.practice_id = $1";

pub(super) fn report_from(row: &DbRow) -> Result<RiskReport> {
    Ok(RiskReport {
        id: row.try_get("id")?,
        practice_id: PracticeId(row.try_get("practice_id")?),
        quarter: row.try_get("quarter")?,
        status: {
            let status: String = row.try_get("status")?;
            custodian_domain::risk_report::ReportStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("report status {status}")))?
        },
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        snapshot: row.try_get("snapshot")?,
        minutes: row.try_get("minutes")?,
        decisions: row.try_get("decisions")?,
        signed_by: row.try_get::<Option<Uuid>, _>("signed_by")?.map(PersonId),
        signed_by_name: row.try_get("signed_by_name")?,
        signed_at: row.try_get("signed_at")?,
        signed_report: row.try_get("signed_report")?,
        signed_sha256: row.try_get("signed_sha256")?,
    })
}

#[async_trait]
impl RiskStore for ThisStore {
    async fn risks_due(
        &self,
        practice: PracticeId,
        today: chrono::NaiveDate,
        soon: chrono::NaiveDate,
    ) -> Result<RisksDue> {
        let count = |sql: &'static str, date: chrono::NaiveDate| {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(practice.0)
                .bind(date)
                .fetch_one(&self.pool)
        };
        Ok(RisksDue {
            reviews_overdue: count(
                "SELECT COUNT(*) FROM risks WHERE practice_id = $1 AND status <> 'closed' AND next_review_on < $2",
                today,
            )
            .await?,
            actions_overdue: count(
                "SELECT COUNT(*) FROM actions WHERE practice_id = $1 AND holder = 'risk' AND status <> 'done' AND due_on < $2",
                today,
            )
            .await?,
            acceptances_ending: count(
                "SELECT COUNT(*) FROM risks r WHERE r.practice_id = $1 AND r.status = 'accepted' \
                 AND (SELECT MAX(a.expires_on) FROM risk_acceptances a WHERE a.risk_id = r.id) <= $2",
                soon,
            )
            .await?,
        })
    }

    async fn risk_reviews_due(
        &self,
        practice: PracticeId,
        by: chrono::NaiveDate,
    ) -> Result<Vec<(PersonId, chrono::NaiveDate)>> {
        let rows: Vec<(Uuid, chrono::NaiveDate)> = sqlx::query_as(
            "SELECT owner_id, next_review_on FROM risks WHERE practice_id = $1 AND status <> 'closed' \
             AND next_review_on <= $2 ORDER BY next_review_on, id",
        )
        .bind(practice.0)
        .bind(by)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(p, d)| (PersonId(p), d)).collect())
    }

    async fn create_risk(
        &self,
        practice: PracticeId,
        v: &custodian_domain::risks::ValidRisk,
        by: &AuditMeta,
    ) -> Result<Risk> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let id = create_in(&mut tx, practice, v, by).await?;
        tx.commit().await?;
        self.risk(practice, RiskId(id))
            .await?
            .ok_or(StoreError::NotFound("risk"))
    }

    async fn import_risks(
        &self,
        practice: PracticeId,
        import: Option<custodian_domain::ImportId>,
        risks: &[custodian_domain::risks::ValidRisk],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<usize> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        if let Some(import) = import {
            mark_imported(&mut tx, Some(practice), import, "risks", risks.len()).await?;
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM risks WHERE practice_id = $1")
            .bind(practice.0)
            .fetch_one(&mut *tx)
            .await?;
        for (i, v) in risks.iter().enumerate() {
            // Owners and assets as they are now, inside the transaction.
            let owner = check_risk(&mut tx, practice, v)
                .await
                .map_err(|e| match e {
                    StoreError::Invalid(custodian_domain::Invalid(mut f)) => {
                        for e in &mut f {
                            e.message = format!("{} ({}): {}", v.input.title, e.field, e.message);
                        }
                        StoreError::Invalid(custodian_domain::Invalid(f))
                    }
                    other => other,
                })?;
            insert_risk(
                &mut tx,
                practice,
                v,
                owner,
                count + 1 + i as i64,
                by,
                import,
            )
            .await?;
        }
        insert_event(
            &mut tx,
            &by.event(
                Some(practice),
                "risk.import",
                "register_import",
                import.map(|i| i.to_string()),
            )
            .details(summary),
        )
        .await?;
        tx.commit().await?;
        Ok(risks.len())
    }

    async fn update_risk(
        &self,
        practice: PracticeId,
        id: RiskId,
        v: &custodian_domain::risks::ValidRisk,
        by: &AuditMeta,
    ) -> Result<Risk> {
        let old = self
            .risk(practice, id)
            .await?
            .ok_or(StoreError::NotFound("risk"))?;
        let mut changes = crate::queries::changed_fields(&old.fields, &v.input);
        if changes.is_empty() {
            return Ok(old);
        }
        if old.residual_score != i64::from(v.residual_score) {
            changes.insert(
                "residual_score".into(),
                serde_json::json!({ "old": old.residual_score, "new": v.residual_score }),
            );
        }
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let owner = check_risk(&mut tx, practice, v).await?;
        // A new review interval counts from the last review (or the day it was raised).
        let last: Option<chrono::NaiveDate> = sqlx::query_scalar(
            "SELECT reviewed_at FROM risk_reviews WHERE practice_id = $1 AND risk_id = $2 ORDER BY reviewed_at DESC LIMIT 1",
        )
        .bind(practice.0)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .map(|t: crate::Timestamp| custodian_domain::identity::london_today(t));
        let next = custodian_domain::risks::next_review(
            last.unwrap_or(v.raised_on),
            v.review_interval_months,
        );
        risk_columns(
            sqlx::query(
                "UPDATE risks SET title = $3, sort_key = $4, fields = $5, owner_id = $6, status = $7, category = $8, inherent_score = $9, \
                 residual_score = $10, target_score = $11, raised_on = $12, next_review_on = $13, updated_at = $14 \
                 WHERE practice_id = $1 AND id = $2",
            ),
            practice,
            id.0,
            v,
            owner,
            next,
            now(),
        )
        .execute(&mut *tx)
        .await?;
        set_risk_assets(&mut tx, practice, id.0, &v.input.asset_ids).await?;
        insert_event(
            &mut tx,
            &by.event(Some(practice), "risk.update", "risk", Some(id.to_string()))
                .details(changes.into()),
        )
        .await?;
        tx.commit().await?;
        self.risk(practice, id)
            .await?
            .ok_or(StoreError::NotFound("risk"))
    }

    async fn risk(&self, practice: PracticeId, id: RiskId) -> Result<Option<Risk>> {
        self.find_of(RISK_QUERY, "r.id", practice, id.0, risk_from)
            .await
    }

    async fn risks(&self, practice: PracticeId, f: &RiskFilter) -> Result<Vec<Risk>> {
        let like = f
            .search
            .as_ref()
            .map(|s| format!("%{}%", s.trim().to_lowercase().replace(['%', '_'], "")));
        let rows = sqlx::query(&format!(
            "{RISK_QUERY} AND ($2 IS NULL OR r.sort_key LIKE $2) AND ($3 IS NULL OR r.status = $3) AND ($4 IS NULL OR r.category = $4) \
             AND ($5 IS NULL OR r.owner_id = $5) \
             AND ($6 IS NULL OR EXISTS (SELECT 1 FROM risk_assets ra WHERE ra.risk_id = r.id AND ra.asset_id = $6)) \
             ORDER BY r.residual_score DESC, r.sort_key, r.id LIMIT $7"
        ))
        .bind(practice.0)
        .bind(like)
        .bind(f.status.as_deref())
        .bind(f.category.as_deref())
        .bind(f.owner.map(|p| p.0))
        .bind(f.asset.map(|a| a.0))
        .bind(i64::from(f.limit.clamp(1, 50_000)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(risk_from).collect()
    }

    async fn review_risk(
        &self,
        practice: PracticeId,
        risk: RiskId,
        v: &custodian_domain::risks::ValidReview,
        by: &AuditMeta,
    ) -> Result<RiskReview> {
        let person = by.actor_id.ok_or(StoreError::NotFound("reviewer"))?;
        let old = self
            .risk(practice, risk)
            .await?
            .ok_or(StoreError::NotFound("risk"))?;
        let mut fields = old.fields.clone();
        fields.residual_likelihood = v.input.residual_likelihood;
        fields.residual_impact = v.input.residual_impact;
        let id = Uuid::now_v7();
        let at = now();
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query(
            "INSERT INTO risk_reviews (id, practice_id, risk_id, reviewed_by, reviewed_at, residual_likelihood, residual_impact, residual_score, \
             scores_changed, notes, next_review_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id)
        .bind(practice.0)
        .bind(risk.0)
        .bind(person.0)
        .bind(at)
        .bind(v.input.residual_likelihood.map(i64::from))
        .bind(v.input.residual_impact.map(i64::from))
        .bind(i64::from(v.residual_score))
        .bind(v.scores_changed)
        .bind(&v.input.notes)
        .bind(v.next_review_on)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE risks SET fields = $3, residual_score = $4, next_review_on = $5, updated_at = $6 WHERE practice_id = $1 AND id = $2")
            .bind(practice.0)
            .bind(risk.0)
            .bind(serde_json::to_string(&fields).expect("fields serialise"))
            .bind(i64::from(v.residual_score))
            .bind(v.next_review_on)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        let mut details = serde_json::json!({
            "review": id, "notes": v.input.notes, "next_review_on": v.next_review_on, "scores_changed": v.scores_changed,
        });
        if v.scores_changed {
            details["residual_score"] =
                serde_json::json!({ "old": old.residual_score, "new": v.residual_score });
        }
        insert_event(
            &mut tx,
            &by.event(
                Some(practice),
                "risk.review",
                "risk",
                Some(risk.to_string()),
            )
            .details(details),
        )
        .await?;
        tx.commit().await?;
        self.one_of(RISK_REVIEW_QUERY, "v.id", practice, id, risk_review_from)
            .await
    }

    async fn risk_reviews(&self, practice: PracticeId, risk: RiskId) -> Result<Vec<RiskReview>> {
        let narrowed = Some(("v.risk_id = $2", risk.0));
        let order = "v.reviewed_at DESC, v.id DESC";
        self.list_of(
            RISK_REVIEW_QUERY,
            practice,
            narrowed,
            order,
            risk_review_from,
        )
        .await
    }

    async fn accept_risk(
        &self,
        practice: PracticeId,
        risk: RiskId,
        v: &custodian_domain::risks::ValidAcceptance,
        band: custodian_domain::risks::Band,
        by: &AuditMeta,
    ) -> Result<RiskAcceptance> {
        let person = by.actor_id.ok_or(StoreError::NotFound("accepter"))?;
        let old = self
            .risk(practice, risk)
            .await?
            .ok_or(StoreError::NotFound("risk"))?;
        let mut fields = old.fields.clone();
        fields.status = custodian_domain::risks::RiskStatus::Accepted.to_string();
        fields.treatment = "accept".into();
        let next = old.next_review_on.min(v.expires_on);
        let id = Uuid::now_v7();
        let at = now();
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query(
            "INSERT INTO risk_acceptances (id, practice_id, risk_id, accepted_by, accepted_at, band, above_appetite, reason, expires_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(practice.0)
        .bind(risk.0)
        .bind(person.0)
        .bind(at)
        .bind(band.as_str())
        .bind(v.above_appetite)
        .bind(&v.input.reason)
        .bind(v.expires_on)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE risks SET fields = $3, status = 'accepted', next_review_on = $4, updated_at = $5 WHERE practice_id = $1 AND id = $2")
            .bind(practice.0)
            .bind(risk.0)
            .bind(serde_json::to_string(&fields).expect("fields serialise"))
            .bind(next)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        insert_event(
            &mut tx,
            &by.event(Some(practice), "risk.accept", "risk", Some(risk.to_string())).details(serde_json::json!({
                "acceptance": id, "band": band.as_str(), "above_appetite": v.above_appetite, "reason": v.input.reason,
                "expires_on": v.expires_on, "status": { "old": old.fields.status, "new": "accepted" },
            })),
        )
        .await?;
        tx.commit().await?;
        let risk = self
            .risk(practice, risk)
            .await?
            .ok_or(StoreError::NotFound("risk"))?;
        risk.acceptance.ok_or(StoreError::NotFound("acceptance"))
    }
}
