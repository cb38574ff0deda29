//! Staged register files and imports.
//!
//! Compiled once for each backend, like the other capabilities' `queries.rs`.

use super::*;
use crate::queries::now;
use crate::*;
use async_trait::async_trait;
use custodian_domain::practice::ValidPractice;
use custodian_domain::{PersonId, Practice, PracticeId, PracticeMember};
use sqlx::Row as _;
use uuid::Uuid;

#[async_trait]
impl ImportStore for ThisStore {
    async fn stage_import(
        &self,
        practice: Option<PracticeId>,
        register: &str,
        file_name: &str,
        content: &[u8],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<RegisterImport> {
        use sha2::Digest as _;
        let person = by.actor_id.ok_or(StoreError::NotFound("uploader"))?;
        let id = custodian_domain::ImportId::new();
        let sha = hex::encode(sha2::Sha256::digest(content));
        let mut details =
            serde_json::json!({ "file_name": file_name, "sha256": sha, "bytes": content.len() });
        if let (Some(d), serde_json::Value::Object(extra)) = (details.as_object_mut(), summary) {
            d.extend(extra);
        }
        let action = match register {
            "risks" => "risk.import_upload",
            "practices" => "practice.import_upload",
            _ => "asset.import_upload",
        };
        self.write_recorded(
            sqlx::query(
                "INSERT INTO register_imports (id, register, practice_id, uploaded_by, file_name, sha256, content, status, created_at) \
                 VALUES ($1, $8, $2, $3, $4, $5, $6, 'pending', $7)",
            )
            .bind(id.0)
            .bind(practice.map(|p| p.0))
            .bind(person.0)
            .bind(file_name)
            .bind(&sha)
            .bind(content)
            .bind(now())
            .bind(register),
            &by.event(practice, action, "register_import", Some(id.to_string()))
                .details(details),
        )
        .await?;
        self.register_import(practice, id)
            .await?
            .ok_or(StoreError::NotFound("import"))
    }

    async fn register_import(
        &self,
        practice: Option<PracticeId>,
        id: custodian_domain::ImportId,
    ) -> Result<Option<RegisterImport>> {
        let row = sqlx::query(&format!(
            "SELECT i.id, i.register, i.practice_id, i.uploaded_by, p.full_name, i.file_name, i.sha256, i.content, i.status, i.written, i.created_at, i.completed_at \
             FROM register_imports i JOIN people p ON p.id = i.uploaded_by WHERE {SAME_PLACE} AND i.id = $2",
        ))
        .bind(practice.map(|p| p.0))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| -> Result<RegisterImport> {
            Ok(RegisterImport {
                id: row.try_get::<Uuid, _>("id")?.into(),
                register: row.try_get("register")?,
                practice_id: row
                    .try_get::<Option<Uuid>, _>("practice_id")?
                    .map(PracticeId),
                uploaded_by: PersonId(row.try_get("uploaded_by")?),
                uploaded_by_name: row.try_get("full_name")?,
                file_name: row.try_get("file_name")?,
                sha256: row.try_get("sha256")?,
                content: row.try_get("content")?,
                status: status_of(&row, custodian_domain::csv_import::ImportStatus::parse)?,
                written: row.try_get("written")?,
                created_at: row.try_get("created_at")?,
                completed_at: row.try_get("completed_at")?,
            })
        })
        .transpose()
    }

    async fn import_assets(
        &self,
        practice: PracticeId,
        import: Option<custodian_domain::ImportId>,
        assets: &[custodian_domain::assets::ValidAsset],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<usize> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        if let Some(import) = import {
            mark_imported(&mut tx, Some(practice), import, "assets", assets.len()).await?;
        }
        // The owners as they are now, inside the transaction: someone may have left or
        // lost the IAO role since the file was checked.
        let rows = sqlx::query(
            "SELECT m.person_id, r.role FROM practice_members m \
             LEFT JOIN practice_roles r ON r.practice_id = m.practice_id AND r.person_id = m.person_id \
             WHERE m.practice_id = $1 AND m.left_at IS NULL",
        )
        .bind(practice.0)
        .fetch_all(&mut *tx)
        .await?;
        let mut members = std::collections::HashSet::new();
        let mut owners = std::collections::HashSet::new();
        for row in &rows {
            let person: Uuid = row.try_get("person_id")?;
            members.insert(person);
            if row.try_get::<Option<String>, _>("role")?.as_deref()
                == Some("information_asset_owner")
            {
                owners.insert(person);
            }
        }
        let systems: std::collections::HashSet<Uuid> =
            sqlx::query_scalar("SELECT id FROM practice_systems WHERE practice_id = $1")
                .bind(practice.0)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
        for v in assets {
            if v.input.system_id.is_some_and(|s| !systems.contains(&s.0)) {
                return Err(custodian_domain::Invalid::one(
                    "system",
                    format!(
                        "The system of \u{201c}{}\u{201d} is not one of this practice's",
                        v.input.name
                    ),
                )
                .into());
            }
            if !v.input.iao_id.is_some_and(|p| owners.contains(&p.0)) {
                return Err(custodian_domain::Invalid::one("iao_username", format!("The owner of \u{201c}{}\u{201d} is no longer an Information Asset Owner of this practice", v.input.name)).into());
            }
            if v.input.iaa_id.is_some_and(|p| !members.contains(&p.0)) {
                return Err(custodian_domain::Invalid::one("iaa_username", format!("The administrator of \u{201c}{}\u{201d} is no longer on this practice's staff", v.input.name)).into());
            }
        }
        for v in assets {
            insert_asset(&mut tx, practice, v, by, import).await?;
        }
        insert_event(
            &mut tx,
            &by.event(
                Some(practice),
                "asset.import",
                "register_import",
                import.map(|i| i.to_string()),
            )
            .details(summary),
        )
        .await?;
        tx.commit().await?;
        Ok(assets.len())
    }

    async fn discard_import(
        &self,
        practice: Option<PracticeId>,
        id: custodian_domain::ImportId,
        by: &AuditMeta,
    ) -> Result<()> {
        let sql = format!(
            "UPDATE register_imports AS i SET status = 'discarded', content = NULL, completed_at = $3 WHERE {SAME_PLACE} AND id = $2 AND status = 'pending'",
        );
        let discarded = self
            .write_recorded(
                sqlx::query(&sql)
                    .bind(practice.map(|p| p.0))
                    .bind(id.0)
                    .bind(now()),
                &by.event(
                    practice,
                    "import.discard",
                    "register_import",
                    Some(id.to_string()),
                ),
            )
            .await?;
        if !discarded {
            return Err(StoreError::Conflict {
                field: "import",
                message: "This file has already been imported or discarded".into(),
            });
        }
        Ok(())
    }

    async fn import_practices(
        &self,
        import: Option<custodian_domain::ImportId>,
        practices: &[(ValidPractice, FirstManagerAccount)],
        summary: serde_json::Value,
        by: &AuditMeta,
    ) -> Result<Vec<(Practice, PracticeMember)>> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        if let Some(import) = import {
            mark_imported(&mut tx, None, import, "practices", practices.len()).await?;
        }
        let mut created = Vec::with_capacity(practices.len());
        for (practice, manager) in practices {
            created.push(insert_practice_with_manager(&mut tx, practice, manager, by).await?);
        }
        insert_event(
            &mut tx,
            &by.event(
                None,
                "practice.import",
                "register_import",
                import.map(|i| i.to_string()),
            )
            .details(summary),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn names_in_use(&self) -> Result<custodian_domain::practice_import::NamesInUse> {
        let mut taken = custodian_domain::practice_import::NamesInUse {
            ods_codes: sqlx::query_scalar("SELECT ods_code FROM practices")
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .collect(),
            ..Default::default()
        };
        let rows = sqlx::query("SELECT username, email FROM people")
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            taken
                .usernames
                .insert(row.try_get::<String, _>("username")?.to_lowercase());
            if let Some(e) = row.try_get::<Option<String>, _>("email")? {
                taken.emails.insert(e.to_lowercase());
            }
        }
        Ok(taken)
    }
}

/// A staged file's place: its practice (`$1`), or the provider's when `$1` is null.
const SAME_PLACE: &str = "(i.practice_id = $1 OR (i.practice_id IS NULL AND $1 IS NULL))";

/// Marks a staged file imported, in the import's transaction: once only (a second attempt, or
/// a discarded file, is a conflict).
pub(super) async fn mark_imported(
    tx: &mut sqlx::Transaction<'static, <ThisStore as HasDb>::Db>,
    practice: Option<PracticeId>,
    import: custodian_domain::ImportId,
    register: &str,
    written: usize,
) -> Result<()> {
    let done = sqlx::query(&format!(
        "UPDATE register_imports AS i SET status = 'imported', written = $3, content = NULL, completed_at = $4 \
         WHERE {SAME_PLACE} AND id = $2 AND status = 'pending' AND register = $5",
    ))
    .bind(practice.map(|p| p.0))
    .bind(import.0)
    .bind(written as i64)
    .bind(now())
    .bind(register)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            field: "import",
            message: "This file has already been imported or discarded".into(),
        });
    }
    Ok(())
}
