//! Evidence files: the bytes by practice and SHA-256, the attachments, removal and purging.
//!
//! Compiled once for each backend (see `crates/store/src/lib.rs`), written against the
//! backend's `ThisStore`, `DbRow` and `BEGIN`.

use async_trait::async_trait;
use custodian_domain::evidence::{EvidenceKind, Holder, PART_BYTES};
use custodian_domain::{EvidenceId, PracticeId};
use sqlx::Row as _;
use uuid::Uuid;

use super::*;
use crate::*;

const FILE_QUERY: &str = "SELECT id, practice_id, holder, holder_id, filename, kind, size, sha256, \
     added_at, added_by_name, removed_at, removed_by_name, removed_reason \
     FROM evidence_files WHERE practice_id = $1";

fn file_from(row: &DbRow) -> Result<EvidenceFile> {
    let holder: String = row.try_get("holder")?;
    let kind: String = row.try_get("kind")?;
    Ok(EvidenceFile {
        id: EvidenceId(row.try_get("id")?),
        practice_id: PracticeId(row.try_get("practice_id")?),
        holder: Holder::from_parts(&holder, row.try_get("holder_id")?)
            .ok_or_else(|| StoreError::Corrupt(format!("evidence holder {holder}")))?,
        filename: row.try_get("filename")?,
        kind: EvidenceKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("evidence kind {kind}")))?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        added_at: row.try_get("added_at")?,
        added_by_name: row.try_get("added_by_name")?,
        removed_at: row.try_get("removed_at")?,
        removed_by_name: row.try_get("removed_by_name")?,
        removed_reason: row.try_get("removed_reason")?,
    })
}

/// Why a removal or a restoration did not happen: no such file, or already in that state.
async fn refusal(
    store: &ThisStore,
    practice: PracticeId,
    id: EvidenceId,
    message: &str,
) -> StoreError {
    match store
        .find_of(FILE_QUERY, "id", practice, id.0, file_from)
        .await
    {
        Ok(Some(_)) => StoreError::Conflict {
            field: "file",
            message: message.into(),
        },
        Ok(None) => StoreError::NotFound("evidence file"),
        Err(e) => e,
    }
}

#[async_trait]
impl EvidenceStore for ThisStore {
    async fn attach_evidence(
        &self,
        practice: PracticeId,
        holder: Holder,
        file: &NewEvidence<'_>,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<EvidenceFile> {
        let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
        let id = Uuid::now_v7();
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let new = sqlx::query(
            "INSERT INTO evidence_blobs (practice_id, sha256, size) VALUES ($1, $2, $3) \
             ON CONFLICT (practice_id, sha256) DO NOTHING",
        )
        .bind(practice.0)
        .bind(file.sha256)
        .bind(size)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        // The bytes once per practice and content (a copy already kept is not written again),
        // in parts; an empty file is one empty part.
        let parts: Vec<&[u8]> = match new {
            false => vec![],
            true if file.bytes.is_empty() => vec![&[]],
            true => file.bytes.chunks(PART_BYTES).collect(),
        };
        for (n, part) in parts.into_iter().enumerate() {
            sqlx::query(
                "INSERT INTO evidence_blob_parts (practice_id, sha256, part, content) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(practice.0)
            .bind(file.sha256)
            .bind(n as i64)
            .bind(part)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO evidence_files (id, practice_id, holder, holder_id, sha256, filename, kind, \
             size, added_at, added_by, added_by_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
               COALESCE((SELECT full_name FROM people WHERE id = $10), $11))",
        )
        .bind(id)
        .bind(practice.0)
        .bind(holder.register())
        .bind(holder.id())
        .bind(file.sha256)
        .bind(file.filename)
        .bind(file.kind.as_str())
        .bind(size)
        .bind(at)
        .bind(by.actor_id.map(|p| p.0))
        .bind(&by.actor)
        .execute(&mut *tx)
        .await?;
        insert_event(
            &mut tx,
            &by.event(
                Some(practice),
                "evidence.attach",
                "evidence",
                Some(id.to_string()),
            )
            .details(serde_json::json!({
                "holder": holder.register(),
                "holder_id": holder.id().to_string(),
                "sha256": file.sha256,
                "size": size,
                "kind": file.kind.as_str(),
            })),
        )
        .await?;
        tx.commit().await?;
        self.one_of(FILE_QUERY, "id", practice, id, file_from).await
    }

    async fn evidence_for(
        &self,
        practice: PracticeId,
        holder: Holder,
    ) -> Result<Vec<EvidenceFile>> {
        let rows = sqlx::query(&format!(
            "{FILE_QUERY} AND holder = $2 AND holder_id = $3 ORDER BY added_at, id"
        ))
        .bind(practice.0)
        .bind(holder.register())
        .bind(holder.id())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(file_from).collect()
    }

    async fn evidence_file(
        &self,
        practice: PracticeId,
        id: EvidenceId,
    ) -> Result<Option<EvidenceFile>> {
        self.find_of(FILE_QUERY, "id", practice, id.0, file_from)
            .await
    }

    async fn send_evidence(
        &self,
        practice: PracticeId,
        id: EvidenceId,
        to: &tokio::sync::mpsc::Sender<Result<Vec<u8>>>,
    ) -> Result<u32> {
        // One statement for every part: its rows come as the database reads them, so the first
        // part is on its way while the next is read.
        let mut rows = sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT p.content FROM evidence_files f JOIN evidence_blob_parts p \
             ON p.practice_id = f.practice_id AND p.sha256 = f.sha256 \
             WHERE f.practice_id = $1 AND f.id = $2 ORDER BY p.part",
        )
        .bind(practice.0)
        .bind(id.0)
        .fetch(&self.pool);
        let mut sent = 0;
        while let Some(row) = std::future::poll_fn(|cx| rows.as_mut().poll_next(cx)).await {
            let failed = row.is_err();
            if to.send(row.map_err(StoreError::from)).await.is_err() || failed {
                break;
            }
            sent += 1;
        }
        Ok(sent)
    }

    async fn remove_evidence(
        &self,
        practice: PracticeId,
        id: EvidenceId,
        reason: &str,
        at: Timestamp,
        by: &AuditMeta,
    ) -> Result<EvidenceFile> {
        let change = sqlx::query(
            "UPDATE evidence_files SET removed_at = $3, removed_reason = $4, \
             removed_by_name = COALESCE((SELECT full_name FROM people WHERE id = $5), $6) \
             WHERE practice_id = $1 AND id = $2 AND removed_at IS NULL",
        )
        .bind(practice.0)
        .bind(id.0)
        .bind(at)
        .bind(reason)
        .bind(by.actor_id.map(|p| p.0))
        .bind(&by.actor);
        let event = by
            .event(
                Some(practice),
                "evidence.remove",
                "evidence",
                Some(id.to_string()),
            )
            .details(serde_json::json!({ "reason": reason }));
        if !self.write_recorded(change, &event).await? {
            return Err(refusal(self, practice, id, "This file is already removed").await);
        }
        self.one_of(FILE_QUERY, "id", practice, id.0, file_from)
            .await
    }

    async fn restore_evidence(
        &self,
        practice: PracticeId,
        id: EvidenceId,
        by: &AuditMeta,
    ) -> Result<EvidenceFile> {
        let change = sqlx::query(
            "UPDATE evidence_files SET removed_at = NULL, removed_reason = NULL, \
             removed_by_name = NULL WHERE practice_id = $1 AND id = $2 AND removed_at IS NOT NULL",
        )
        .bind(practice.0)
        .bind(id.0);
        let event = by.event(
            Some(practice),
            "evidence.restore",
            "evidence",
            Some(id.to_string()),
        );
        if !self.write_recorded(change, &event).await? {
            return Err(refusal(self, practice, id, "This file is not removed").await);
        }
        self.one_of(FILE_QUERY, "id", practice, id.0, file_from)
            .await
    }

    async fn purge_removed_evidence(&self, before: Timestamp, by: &AuditMeta) -> Result<u64> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let gone = sqlx::query(
            "DELETE FROM evidence_files WHERE removed_at IS NOT NULL AND removed_at < $1 \
             RETURNING id, practice_id, sha256",
        )
        .bind(before)
        .fetch_all(&mut *tx)
        .await?;
        if gone.is_empty() {
            return Ok(0);
        }
        let mut events = Vec::with_capacity(gone.len());
        for row in &gone {
            let id: Uuid = row.try_get("id")?;
            let practice: Uuid = row.try_get("practice_id")?;
            let sha: String = row.try_get("sha256")?;
            for table in ["evidence_blob_parts", "evidence_blobs"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE practice_id = $1 AND sha256 = $2 AND NOT EXISTS \
                     (SELECT 1 FROM evidence_files f WHERE f.practice_id = $1 AND f.sha256 = $2)"
                ))
                .bind(practice)
                .bind(&sha)
                .execute(&mut *tx)
                .await?;
            }
            events.push(by.event(
                Some(PracticeId(practice)),
                "evidence.purge",
                "evidence",
                Some(id.to_string()),
            ));
        }
        insert_events(&mut tx, &events.iter().collect::<Vec<_>>()).await?;
        tx.commit().await?;
        Ok(gone.len() as u64)
    }

    async fn evidence_storage(&self) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM evidence_blobs",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("n")?, row.try_get("bytes")?))
    }
}
