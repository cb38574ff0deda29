//! What every capability's queries share: a change written together with its audit event,
//! a record read by its id through its register's query, and appending events.
//!
//! Compiled once for each backend, like the capabilities' `queries.rs`.

use custodian_domain::PracticeId;
use sqlx::Row as _;
use uuid::Uuid;

use super::*;
use crate::queries::{HasDb, now};
use crate::*;

/// The backend's database, and a statement with its parameters bound, for the helpers below.
type Db = <ThisStore as HasDb>::Db;
pub(super) type Statement<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>;

impl ThisStore {
    /// Runs one change and appends its event in one transaction, so that they commit together
    /// or not at all. A change that touches no row records nothing: whether it touched one.
    pub(super) async fn write_recorded(
        &self,
        change: Statement<'_>,
        event: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        if change.execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The record with this id (`{id_column} = $2`), if any, read through a register's query
    /// (which filters on the practice as `$1`).
    pub(super) async fn find_of<T>(
        &self,
        query: &str,
        id_column: &str,
        practice: PracticeId,
        id: Uuid,
        from: fn(&DbRow) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut conn = self.pool.acquire().await?;
        find_in(&mut conn, query, id_column, practice, id, from).await
    }

    /// The records a register's query reads (it filters on the practice as `$1`), narrowed
    /// when `narrowed` is given by its condition on `$2` (e.g. `a.risk_id = $2`), in `order`.
    /// Two statements, not one with `$2 IS NULL OR`, so that the planner uses the per-record
    /// indexes.
    pub(super) async fn list_of<T>(
        &self,
        query: &str,
        practice: PracticeId,
        narrowed: Option<(&str, Uuid)>,
        order: &str,
        from: fn(&DbRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let sql = match narrowed {
            Some((condition, _)) => format!("{query} AND {condition} ORDER BY {order}"),
            None => format!("{query} ORDER BY {order}"),
        };
        let mut q = sqlx::query(&sql).bind(practice.0);
        if let Some((_, n)) = narrowed {
            q = q.bind(n);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(from).collect()
    }

    /// A record just written, read back through its register's query (see `find_of`).
    pub(super) async fn one_of<T>(
        &self,
        query: &str,
        id_column: &str,
        practice: PracticeId,
        id: Uuid,
        from: fn(&DbRow) -> Result<T>,
    ) -> Result<T> {
        self.find_of(query, id_column, practice, id, from)
            .await?
            .ok_or(StoreError::NotFound("record"))
    }
}

/// The record with this id (`{id_column} = $2`), if any, read inside the caller's transaction
/// through a register's query (which filters on the practice as `$1`).
pub(super) async fn find_in<T>(
    conn: &mut <Db as sqlx::Database>::Connection,
    query: &str,
    id_column: &str,
    practice: PracticeId,
    id: Uuid,
    from: fn(&DbRow) -> Result<T>,
) -> Result<Option<T>> {
    let row = sqlx::query(&format!("{query} AND {id_column} = $2"))
        .bind(practice.0)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from).transpose()
}

/// Appends one event in the caller's transaction (a change and its event commit together).
pub(super) async fn insert_event(
    conn: &mut <<ThisStore as HasDb>::Db as sqlx::Database>::Connection,
    event: &AuditEvent,
) -> Result<i64> {
    Ok(insert_events(conn, &[event]).await?[0])
}

/// Inserts events in as few statements as possible (one per 500 events), returning each
/// event's sequence number in the given order.
pub(super) async fn insert_events(
    conn: &mut <<ThisStore as HasDb>::Db as sqlx::Database>::Connection,
    events: &[&AuditEvent],
) -> Result<Vec<i64>> {
    const COLUMNS: usize = 14;
    let mut seqs = Vec::with_capacity(events.len());
    for chunk in events.chunks(500) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let p: Vec<String> = (1..=COLUMNS)
                    .map(|c| <ThisStore as HasDb>::placeholder(r * COLUMNS + c))
                    .collect();
                format!("({})", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO audit_events (id, occurred_at, practice_id, actor_id, actor, action, \
             object_type, object_id, outcome, details, ip, user_agent, request_id, leaf_hash) VALUES {} RETURNING id, seq",
            rows.join(", ")
        );
        let at = now();
        let mut ids = Vec::with_capacity(chunk.len());
        let mut q = sqlx::query(&sql);
        for event in chunk {
            let (id, practice, actor, details, leaf_hash) = crate::queries::event_rows(event, at);
            ids.push(id);
            q = q
                .bind(id)
                .bind(at)
                .bind(practice)
                .bind(actor)
                .bind(&event.meta.actor)
                .bind(&event.action)
                .bind(&event.object_type)
                .bind(&event.object_id)
                .bind(event.outcome.as_str())
                .bind(details)
                .bind(&event.meta.ip)
                .bind(&event.meta.user_agent)
                .bind(&event.meta.request_id)
                .bind(leaf_hash);
        }
        // RETURNING's row order is not promised: match the rows by the ids given.
        let returned: std::collections::HashMap<Uuid, i64> = q
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("seq")?)))
            .collect::<Result<_>>()?;
        for id in ids {
            seqs.push(
                *returned.get(&id).ok_or_else(|| {
                    StoreError::Corrupt("an appended event was not returned".into())
                })?,
            );
        }
    }
    Ok(seqs)
}

/// Rows of every practice joined to a register's records (`practice_id`, `name`, `ods_code`,
/// then the record's columns, null where a practice has none), in practice order, folded into
/// one item a practice: `start` makes a practice's item, `add` counts in each row of a record.
pub(super) fn per_practice<T>(
    rows: &[DbRow],
    start: impl Fn(PracticeId, String, String) -> T,
    record: &str,
    mut add: impl FnMut(&mut T, &DbRow) -> Result<()>,
) -> Result<Vec<T>> {
    let mut out: Vec<(PracticeId, T)> = Vec::new();
    for row in rows {
        let id = PracticeId(row.try_get("practice_id")?);
        if out.last().is_none_or(|(p, _)| *p != id) {
            out.push((
                id,
                start(id, row.try_get("name")?, row.try_get("ods_code")?),
            ));
        }
        // A practice with no records has one row, its record's columns null.
        if row.try_get::<Option<String>, _>(record)?.is_some() {
            add(&mut out.last_mut().expect("pushed above").1, row)?;
        }
    }
    Ok(out.into_iter().map(|(_, t)| t).collect())
}

/// A row's `status` column read as its status type (`parse` is the type's own); a word the
/// type does not have means the row is corrupt.
pub(super) fn status_of<T>(row: &DbRow, parse: fn(&str) -> Option<T>) -> Result<T> {
    let word: String = row.try_get("status")?;
    parse(&word).ok_or_else(|| StoreError::Corrupt(format!("status {word}")))
}
