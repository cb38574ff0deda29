//! The tamper-evident log: leaves, checkpoints, verification runs, searches and exports of events.
//!
//! Compiled once for each backend (`crates/store/src/sqlite.rs` and `postgres.rs` include it with
//! `#[path]`), written against the backend's `ThisStore`, `DbRow` and `BEGIN`: both databases
//! accept the same SQL, so the text is shared; the schema differences live in the migrations.

use async_trait::async_trait;
use custodian_domain::{PersonId, PracticeId};
use sqlx::Row as _;

use super::*;
use crate::queries::{HasDb, now};
use crate::*;

/// `OR` the events of no practice that are the people's own (as actor, or as the subject
/// of e.g. a failed sign-in), with their ids bound from placeholder `$first` on: first as
/// ids, then as text (see `bind_people`). Empty for no people.
pub(super) fn own_events(first: usize, n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    let ids = (0..n)
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ");
    let texts = (0..n)
        .map(|i| format!("${}", first + n + i))
        .collect::<Vec<_>>()
        .join(", ");
    format!(" OR (practice_id IS NULL AND (actor_id IN ({ids}) OR object_id IN ({texts})))")
}

pub(super) fn bind_people<'q>(
    mut q: sqlx::query::Query<
        'q,
        <ThisStore as HasDb>::Db,
        <<ThisStore as HasDb>::Db as sqlx::Database>::Arguments<'q>,
    >,
    people: &[PersonId],
) -> sqlx::query::Query<
    'q,
    <ThisStore as HasDb>::Db,
    <<ThisStore as HasDb>::Db as sqlx::Database>::Arguments<'q>,
> {
    for p in people {
        q = q.bind(p.0);
    }
    for p in people {
        q = q.bind(p.to_string());
    }
    q
}

#[async_trait]
impl AuditStore for ThisStore {
    async fn unintegrated_leaves(
        &self,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<(i64, Option<String>)>> {
        self.read_unintegrated(after, up_to).await
    }

    async fn last_event_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_events")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn append_leaves(&self, expected_size: i64, leaves: &[(i64, String)]) -> Result<()> {
        self.write_leaves(expected_size, leaves).await
    }

    async fn log_size(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(crate::queries::LOG_SIZE)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn leaf_hashes(&self, from_index: i64, to_index: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT leaf_hash FROM audit_log WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index")
            .bind(from_index)
            .bind(to_index)
            .fetch_all(&self.pool)
            .await?)
    }

    fn log_leaves(&self, from_index: i64) -> tokio::sync::mpsc::Receiver<Result<LogPage>> {
        self.leaves_reader(from_index)
    }

    async fn leaf_of_event(&self, seq: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT leaf_index FROM audit_log WHERE event_seq = $1")
                .bind(seq)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn event(&self, seq: i64) -> Result<Option<StoredEvent>> {
        let row = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq = $1"
        ))
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(event_from).transpose()
    }

    async fn search_events(&self, f: &EventFilter) -> Result<Vec<StoredEvent>> {
        let action_like = f
            .action
            .as_ref()
            .map(|a| format!("{}%", a.replace('%', "").replace('_', "\\_")));
        // The people's own events of no practice: placeholders for their ids, as ids
        // (actor) and as text (the object of a failed sign-in).
        let people = if f.practice.is_none() {
            String::new()
        } else {
            own_events(11, f.people.len())
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE \
             ($1 IS NULL OR practice_id = $1{people}) AND ($2 IS NULL OR actor = $2) AND ($3 IS NULL OR action LIKE $3 ESCAPE '\\') \
             AND ($4 IS NULL OR object_type = $4) AND ($5 IS NULL OR outcome = $5) AND ($6 IS NULL OR occurred_at >= $6) \
             AND ($7 IS NULL OR occurred_at < $7) AND ($8 IS NULL OR seq < $8) AND ($9 IS NULL OR object_id = $9) \
             ORDER BY seq DESC LIMIT $10"
        );
        let mut q = sqlx::query(&sql)
            .bind(f.practice.map(|p| p.0))
            .bind(f.actor.as_deref())
            .bind(action_like.as_deref())
            .bind(f.object_type.as_deref())
            .bind(f.outcome.map(|o| o.as_str()))
            .bind(f.from)
            .bind(f.to)
            .bind(f.before_seq)
            .bind(f.object_id.as_deref())
            .bind(i64::from(f.limit.clamp(1, 1000)));
        if !people.is_empty() {
            q = bind_people(q, &f.people);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(event_from).collect()
    }

    async fn practice_log(
        &self,
        practice: PracticeId,
        from: Timestamp,
        to: Timestamp,
        people: &[PersonId],
    ) -> Result<Vec<(i64, StoredEvent)>> {
        let cols = EVENT_COLUMNS
            .split(", ")
            .map(|c| format!("e.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let own = own_events(4, people.len());
        let sql = format!(
            "SELECT l.leaf_index, {cols} FROM audit_log l JOIN audit_events e ON e.seq = l.event_seq \
             WHERE (e.practice_id = $1{own}) AND e.occurred_at >= $2 AND e.occurred_at < $3 ORDER BY l.leaf_index"
        );
        let q = sqlx::query(&sql).bind(practice.0).bind(from).bind(to);
        let rows = bind_people(q, people).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("leaf_index")?, event_from(r)?)))
            .collect()
    }

    async fn add_checkpoint(&self, tree_size: i64, root_hash: &str, note: &str) -> Result<()> {
        sqlx::query("INSERT INTO audit_checkpoints (tree_size, root_hash, note, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tree_size) DO NOTHING")
            .bind(tree_size)
            .bind(root_hash)
            .bind(note)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        let rows: Vec<(i64, String, String, Timestamp)> =
            sqlx::query_as("SELECT tree_size, root_hash, note, created_at FROM audit_checkpoints ORDER BY tree_size")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(
                |(tree_size, root_hash, note, created_at)| StoredCheckpoint {
                    tree_size,
                    root_hash,
                    note,
                    created_at,
                },
            )
            .collect())
    }

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        let row: Option<(i64, String, String, Timestamp)> =
            sqlx::query_as("SELECT tree_size, root_hash, note, created_at FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(
            |(tree_size, root_hash, note, created_at)| StoredCheckpoint {
                tree_size,
                root_hash,
                note,
                created_at,
            },
        ))
    }

    async fn record_verification(&self, ok: bool, summary: &str) -> Result<()> {
        sqlx::query("INSERT INTO audit_verifications (ran_at, ok, summary) VALUES ($1, $2, $3)")
            .bind(now())
            .bind(ok)
            .bind(summary)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn latest_verification(&self) -> Result<Option<VerificationRun>> {
        let row: Option<(Timestamp, bool, String)> = sqlx::query_as(
            "SELECT ran_at, ok, summary FROM audit_verifications ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(ran_at, ok, summary)| VerificationRun {
            ran_at,
            ok,
            summary,
        }))
    }

    async fn count_unintegrated_before(&self, seq: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events e WHERE e.seq <= $1 AND NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.event_seq = e.seq)",
        )
        .bind(seq)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn first_leaf_since(&self, at: Timestamp) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(l.leaf_index) FROM audit_events e JOIN audit_log l ON l.event_seq = e.seq WHERE e.occurred_at >= $1",
        )
        .bind(at)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn prune_events(&self, through_leaf: i64, event: &AuditEvent) -> Result<u64> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        sqlx::query("INSERT INTO audit_prune_permit (through_leaf) VALUES ($1)")
            .bind(through_leaf)
            .execute(&mut *tx)
            .await?;
        let removed = sqlx::query(
            "DELETE FROM audit_events WHERE seq IN (SELECT event_seq FROM audit_log WHERE leaf_index <= $1)",
        )
        .bind(through_leaf)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM audit_prune_permit")
            .execute(&mut *tx)
            .await?;
        let mut event = event.clone();
        if let serde_json::Value::Object(details) = &mut event.details {
            details.insert("events_removed".into(), removed.into());
        }
        insert_event(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(removed)
    }

    async fn prunes(&self) -> Result<Vec<(i64, StoredEvent)>> {
        let cols = EVENT_COLUMNS
            .split(", ")
            .map(|c| format!("e.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT l.leaf_index, {cols} FROM audit_events e JOIN audit_log l ON l.event_seq = e.seq \
             WHERE e.action = 'audit.prune' ORDER BY l.leaf_index"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("leaf_index")?, event_from(r)?)))
            .collect()
    }
}
