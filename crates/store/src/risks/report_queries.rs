//! The quarterly risk reports and the provider's threats and overview.
//!
//! Compiled once for each backend, like `queries.rs` beside it.

use super::*;
use crate::queries::now;
use crate::*;
use async_trait::async_trait;
use custodian_domain::PracticeId;
use custodian_domain::risk_report::ReportStatus;
use uuid::Uuid;

#[async_trait]
impl RiskReportStore for ThisStore {
    async fn ensure_risk_report(
        &self,
        practice: PracticeId,
        quarter: &str,
        snapshot: &str,
        by: &AuditMeta,
    ) -> Result<RiskReport> {
        if let Some(r) = self.risk_report(practice, quarter).await? {
            return Ok(r);
        }
        let id = Uuid::now_v7();
        // Two drafts begun at once: the second inserts nothing and records nothing.
        self.write_recorded(
            sqlx::query(
                "INSERT INTO risk_reports (id, practice_id, quarter, status, created_at, created_by, snapshot) \
                 VALUES ($1, $2, $3, 'draft', $4, $5, $6) ON CONFLICT (practice_id, quarter) DO NOTHING",
            )
            .bind(id)
            .bind(practice.0)
            .bind(quarter)
            .bind(now())
            .bind(&by.actor)
            .bind(snapshot),
            &by.event(Some(practice), "risk_report.create", "risk_report", Some(id.to_string()))
                .details(serde_json::json!({ "quarter": quarter })),
        )
        .await?;
        self.risk_report(practice, quarter)
            .await?
            .ok_or(StoreError::NotFound("report"))
    }

    async fn risk_report(&self, practice: PracticeId, quarter: &str) -> Result<Option<RiskReport>> {
        let row = sqlx::query(&format!("{REPORT_QUERY} AND r.quarter = $2"))
            .bind(practice.0)
            .bind(quarter)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(report_from).transpose()
    }

    async fn risk_reports(&self, practice: PracticeId) -> Result<Vec<RiskReport>> {
        let rows = sqlx::query(&format!("{REPORT_QUERY} ORDER BY r.quarter DESC"))
            .bind(practice.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(report_from).collect()
    }

    async fn record_report_minutes(
        &self,
        practice: PracticeId,
        quarter: &str,
        minutes: &str,
        decisions: &str,
        by: &AuditMeta,
    ) -> Result<RiskReport> {
        let old = self
            .risk_report(practice, quarter)
            .await?
            .ok_or(StoreError::NotFound("report"))?;
        if old.status != ReportStatus::Draft {
            return Err(custodian_domain::Invalid::one(
                "minutes",
                "This report has been signed off: it cannot be changed",
            )
            .into());
        }
        self.write_recorded(
            sqlx::query("UPDATE risk_reports SET minutes = $3, decisions = $4 WHERE practice_id = $1 AND quarter = $2 AND status = 'draft'")
                .bind(practice.0)
                .bind(quarter)
                .bind(minutes.trim())
                .bind(decisions.trim()),
            &by.event(Some(practice), "risk_report.minutes", "risk_report", Some(old.id.to_string()))
                .details(serde_json::json!({
                    "quarter": quarter,
                    "minutes": { "old": old.minutes, "new": minutes.trim() },
                    "decisions": { "old": old.decisions, "new": decisions.trim() },
                })),
        )
        .await?;
        self.risk_report(practice, quarter)
            .await?
            .ok_or(StoreError::NotFound("report"))
    }

    async fn sign_risk_report(
        &self,
        practice: PracticeId,
        quarter: &str,
        report: &str,
        by: &AuditMeta,
    ) -> Result<RiskReport> {
        use sha2::Digest as _;
        let person = by.actor_id.ok_or(StoreError::NotFound("signer"))?;
        let old = self
            .risk_report(practice, quarter)
            .await?
            .ok_or(StoreError::NotFound("report"))?;
        if old.status != ReportStatus::Draft {
            return Err(StoreError::Conflict {
                field: "quarter",
                message: "This report has already been signed off".into(),
            });
        }
        let sha = hex::encode(sha2::Sha256::digest(report.as_bytes()));
        let signed = self
            .write_recorded(
                sqlx::query(
                    "UPDATE risk_reports SET status = 'signed', signed_by = $3, signed_at = $4, signed_report = $5, signed_sha256 = $6 \
                     WHERE practice_id = $1 AND quarter = $2 AND status = 'draft'",
                )
                .bind(practice.0)
                .bind(quarter)
                .bind(person.0)
                .bind(now())
                .bind(report)
                .bind(&sha),
                &by.event(Some(practice), "risk_report.sign", "risk_report", Some(old.id.to_string()))
                    .details(serde_json::json!({ "quarter": quarter, "sha256": sha })),
            )
            .await?;
        if !signed {
            return Err(StoreError::Conflict {
                field: "quarter",
                message: "This report has already been signed off".into(),
            });
        }
        self.risk_report(practice, quarter)
            .await?
            .ok_or(StoreError::NotFound("report"))
    }

    async fn provider_threats(&self) -> Result<Vec<custodian_domain::risks::Threat>> {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT id, fields FROM provider_threats WHERE removed_at IS NULL ORDER BY title, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, fields)| {
                let mut t: custodian_domain::risks::Threat = serde_json::from_str(&fields)
                    .map_err(|e| StoreError::Corrupt(format!("threat: {e}")))?;
                t.key = id.to_string();
                t.from_provider = true;
                Ok(t)
            })
            .collect()
    }

    async fn add_provider_threat(
        &self,
        threat: &custodian_domain::risks::Threat,
        by: &AuditMeta,
    ) -> Result<custodian_domain::risks::Threat> {
        let id = Uuid::now_v7();
        let mut t = threat.clone();
        t.key = id.to_string();
        t.from_provider = true;
        self.write_recorded(
            sqlx::query(
                "INSERT INTO provider_threats (id, title, fields, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(&t.title)
            .bind(serde_json::to_string(&t).expect("a threat serialises"))
            .bind(now()),
            &by.event(None, "provider_threat.create", "provider_threat", Some(id.to_string()))
                .details(serde_json::to_value(&t).unwrap()),
        )
        .await?;
        Ok(t)
    }

    async fn remove_provider_threat(&self, id: Uuid, by: &AuditMeta) -> Result<()> {
        let removed = self
            .write_recorded(
                sqlx::query(
                    "UPDATE provider_threats SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL",
                )
                .bind(id)
                .bind(now()),
                &by.event(None, "provider_threat.remove", "provider_threat", Some(id.to_string())),
            )
            .await?;
        if !removed {
            return Err(StoreError::NotFound("threat"));
        }
        Ok(())
    }

    async fn provider_risk_overview(
        &self,
        today: chrono::NaiveDate,
        quarters: &[String],
    ) -> Result<Vec<PracticeRiskSummary>> {
        let practices: Vec<(Uuid, String, String, Option<String>)> = sqlx::query_as(
            "SELECT p.id, p.name, p.ods_code, s.settings FROM practices p LEFT JOIN practice_settings s ON s.practice_id = p.id ORDER BY p.name, p.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let scores: Vec<(Uuid, i64, i64, i64)> = sqlx::query_as(
            "SELECT practice_id, residual_score, COUNT(*), SUM(CASE WHEN next_review_on < $1 THEN 1 ELSE 0 END) \
             FROM risks WHERE status <> 'closed' GROUP BY practice_id, residual_score",
        )
        .bind(today)
        .fetch_all(&self.pool)
        .await?;
        let mut reports: Vec<(Uuid, String, String)> = Vec::new();
        if !quarters.is_empty() {
            let places: Vec<String> = (1..=quarters.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT practice_id, quarter, status FROM risk_reports WHERE quarter IN ({})",
                places.join(", ")
            );
            let mut q = sqlx::query_as(&sql);
            for k in quarters {
                q = q.bind(k);
            }
            reports = q.fetch_all(&self.pool).await?;
        }
        let mut by_practice: std::collections::HashMap<Uuid, (Vec<(i64, i64)>, i64)> =
            std::collections::HashMap::new();
        for (p, score, n, overdue) in scores {
            let e = by_practice.entry(p).or_default();
            e.0.push((score, n));
            e.1 += overdue;
        }
        let mut report_map: std::collections::HashMap<Uuid, Vec<(String, String)>> =
            std::collections::HashMap::new();
        for (p, quarter, status) in reports {
            report_map.entry(p).or_default().push((quarter, status));
        }
        practices
            .into_iter()
            .map(|(id, name, ods, settings)| {
                let settings = match settings {
                    Some(t) => custodian_domain::settings::PracticeSettings::from_stored(&t)
                        .map_err(|e| StoreError::Corrupt(format!("settings: {e}")))?,
                    None => custodian_domain::settings::PracticeSettings::default(),
                };
                let (residual_scores, overdue_reviews) =
                    by_practice.remove(&id).unwrap_or_default();
                Ok(PracticeRiskSummary {
                    practice_id: PracticeId(id),
                    practice: name,
                    ods_code: ods,
                    settings,
                    residual_scores,
                    overdue_reviews,
                    reports: report_map.remove(&id).unwrap_or_default(),
                })
            })
            .collect()
    }
}
