//! The PostgreSQL backend, for providers running several servers against one database.

use std::time::Duration;

use sqlx::Connection as _;
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::backends::migrations;
use crate::queries::HasDb;
use crate::{StoreError, redact_url};

pub struct PgStore {
    appender: tokio::sync::mpsc::Sender<crate::AppendJob>,
    pool: PgPool,
}

impl HasDb for PgStore {
    type Db = sqlx::Postgres;
}

impl PgStore {
    /// Connects and applies pending migrations (under an advisory lock, so several servers
    /// starting together do not race).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        // One connection first, so that a refused or misnamed server is reported at once and
        // in its own words (the pool would retry until its timeout and say only that).
        let open_error = |source| StoreError::Open {
            url: redact_url(url),
            source,
        };
        match tokio::time::timeout(Duration::from_secs(10), sqlx::PgConnection::connect(url)).await
        {
            Ok(Ok(probe)) => {
                let _ = sqlx::Connection::close(probe).await;
            }
            Ok(Err(source)) => return Err(open_error(source)),
            Err(_) => return Err(open_error(sqlx::Error::PoolTimedOut)),
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|source| StoreError::Open {
                url: redact_url(url),
                source,
            })?;
        migrations::postgres().run(&pool).await?;
        let appender = imp::spawn_appender(pool.clone());
        Ok(PgStore { pool, appender })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// An event appended on its own, through the group commit.
    async fn append_alone(&self, event: &crate::AuditEvent) -> crate::Result<i64> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let stopped = || StoreError::Corrupt("the audit appender has stopped".into());
        self.appender
            .send((event.clone(), reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Adds leaves to the log from `expected_size` on, in one transaction and one statement
    /// (the sequence numbers and hashes bound as two arrays); a conflict when another server did
    /// first.
    async fn write_leaves(
        &self,
        expected_size: i64,
        leaves: &[(i64, String)],
    ) -> crate::Result<()> {
        let mut tx = self.pool.begin().await?;
        let size: i64 = sqlx::query_scalar(crate::queries::LOG_SIZE)
            .fetch_one(&mut *tx)
            .await?;
        if size != expected_size {
            return Err(StoreError::Conflict {
                field: "tree_size",
                message: format!("the log has {size} leaves, not {expected_size}"),
            });
        }
        let (seqs, hashes): (Vec<i64>, Vec<&str>) = leaves
            .iter()
            .map(|(seq, hash)| (*seq, hash.as_str()))
            .unzip();
        let inserted = sqlx::query(
            "INSERT INTO audit_log (leaf_index, event_seq, leaf_hash, integrated_at) \
             SELECT $1 + l.n - 1, l.seq, l.hash, $4 \
             FROM UNNEST($2::bigint[], $3::text[]) WITH ORDINALITY AS l(seq, hash, n)",
        )
        .bind(expected_size)
        .bind(&seqs)
        .bind(&hashes)
        .bind(crate::queries::now())
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            crate::error::conflict(
                e,
                &[(
                    "audit_log",
                    "tree_size",
                    "another server added these leaves first",
                )],
            )
        })?;
        if inserted.rows_affected() != leaves.len() as u64 {
            return Err(StoreError::Corrupt(format!(
                "{} of {} leaves were appended",
                inserted.rows_affected(),
                leaves.len()
            )));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn read_unintegrated(
        &self,
        after: i64,
        up_to: i64,
    ) -> crate::Result<Vec<(i64, Option<String>)>> {
        Ok(sqlx::query_as(crate::queries::UNINTEGRATED)
            .bind(after)
            .bind(up_to)
            .fetch_all(&self.pool)
            .await?)
    }

    fn leaves_reader(
        &self,
        from: i64,
    ) -> tokio::sync::mpsc::Receiver<crate::Result<crate::LogPage>> {
        crate::backends::log_reader::postgres_leaves(self.pool.clone(), from)
    }
}

// The queries both backends share, compiled here for PostgreSQL: each file is a module of this
// one, written against these names.
type ThisStore = PgStore;
type DbRow = sqlx::postgres::PgRow;
const BEGIN: &str = "BEGIN";
/// How a query claims rows another server may be claiming at the same moment.
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
const BACKEND: crate::Backend = crate::Backend::Postgres;
shared_queries!();

mod imp {
    use super::*;
    use crate::{AuditEvent, Result, StoreError};

    /// Group commit for audit events appended on their own (reads, denials, failed
    /// sign-ins): whatever arrives while a commit is under way goes into the next one, so
    /// concurrent requests share one durable commit. Each caller hears back only after its
    /// event's commit.
    pub(crate) fn spawn_appender(
        pool: sqlx::PgPool,
    ) -> tokio::sync::mpsc::Sender<crate::AppendJob> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<crate::AppendJob>(8192);
        tokio::spawn(async move {
            // The appender's own connection, out of the pool: requests holding the pool's
            // connections never keep a commit waiting. Replaced after any failure.
            let mut own: Option<sqlx::PgConnection> = None;
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < 512 {
                    match rx.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let result: Result<Vec<i64>> = async {
                    let conn = match &mut own {
                        Some(c) => c,
                        None => own.insert(pool.acquire().await?.detach()),
                    };
                    let events: Vec<&AuditEvent> = batch.iter().map(|(e, _)| e).collect();
                    if events.len() <= 500 {
                        // One statement is its own transaction, committed durably before
                        // it returns: one round trip to the database instead of three.
                        return insert_events(conn, &events).await;
                    }
                    let mut tx = sqlx::Connection::begin_with(conn, "BEGIN").await?;
                    let seqs = insert_events(&mut tx, &events).await?;
                    tx.commit().await?;
                    Ok(seqs)
                }
                .await;
                if result.is_err() {
                    own = None;
                }
                match result {
                    Ok(seqs) => {
                        for ((_, reply), seq) in batch.into_iter().zip(seqs) {
                            let _ = reply.send(Ok(seq));
                        }
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        for (_, reply) in batch {
                            let _ = reply.send(Err(StoreError::Corrupt(format!(
                                "audit append failed: {msg}"
                            ))));
                        }
                    }
                }
            }
        });
        tx
    }
}
