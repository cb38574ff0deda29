//! The embedded backend: one SQLite file in the data directory.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::StoreError;
use crate::backends::migrations;
use crate::queries::HasDb;

/// The SQLite store. WAL journal, foreign keys on, a busy timeout, and `synchronous=FULL`:
/// these records are evidence, so a commit survives a power cut. Checkpoints are the audit
/// writer's, on its own clock, never a request's.
pub struct SqliteStore {
    /// The audit log's own writer (see `sqlite_appender`).
    appender: tokio::sync::mpsc::Sender<crate::backends::sqlite_appender::Job>,
    pool: SqlitePool,
    /// The database file, for the audit log's verification reader.
    path: std::path::PathBuf,
}

impl HasDb for SqliteStore {
    type Db = sqlx::Sqlite;
    fn placeholder(_: usize) -> String {
        "?".into()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at a `sqlite:` URL or a file path, and applies
    /// pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let options = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))
            .map_err(|source| StoreError::Open {
                url: url.to_string(),
                source,
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // The audit writer's thread checkpoints on its own clock, off every request's
            // path (see `sqlite_appender::CHECKPOINT_EVERY`).
            .pragma("wal_autocheckpoint", "0");
        let file = options.get_filename().to_path_buf();
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                url: url.to_string(),
                source,
            })?;
        migrations::sqlite().run(&pool).await?;
        let appender = crate::backends::sqlite_appender::spawn(file.clone());
        Ok(SqliteStore {
            pool,
            appender,
            path: file,
        })
    }

    /// The pool, for tests that must reach under the store (as an attacker with the file would).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// An event appended on its own, through the group commit.
    async fn append_alone(&self, event: &crate::AuditEvent) -> crate::Result<i64> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.write(
            crate::backends::sqlite_appender::Job::Event(event.clone(), reply),
            answer,
        )
        .await
    }

    /// Adds leaves to the log from `expected_size` on, through the same writer.
    async fn write_leaves(
        &self,
        expected_size: i64,
        leaves: &[(i64, String)],
    ) -> crate::Result<()> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job =
            crate::backends::sqlite_appender::Job::Leaves(expected_size, leaves.to_vec(), reply);
        self.write(job, answer).await
    }

    /// Read by the writer: its own connection, without a round trip through sqlx per row.
    async fn read_unintegrated(
        &self,
        after: i64,
        up_to: i64,
    ) -> crate::Result<Vec<(i64, Option<String>)>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.write(
            crate::backends::sqlite_appender::Job::Unintegrated(after, up_to, reply),
            answer,
        )
        .await
    }

    async fn write<T>(
        &self,
        job: crate::backends::sqlite_appender::Job,
        answer: tokio::sync::oneshot::Receiver<crate::Result<T>>,
    ) -> crate::Result<T> {
        let stopped = || StoreError::Corrupt("the audit appender has stopped".into());
        self.appender.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    fn leaves_reader(
        &self,
        from: i64,
    ) -> tokio::sync::mpsc::Receiver<crate::Result<crate::LogPage>> {
        crate::backends::log_reader::sqlite_leaves(self.path.clone(), from)
    }
}

// The queries both backends share, compiled here for Sqlite: each file is a module of this
// one, written against these names.
type ThisStore = SqliteStore;
type DbRow = sqlx::sqlite::SqliteRow;
const BEGIN: &str = "BEGIN IMMEDIATE";
/// How a query claims rows another server may be claiming: SQLite has one writer at a time.
const SKIP_LOCKED: &str = "";
const BACKEND: crate::Backend = crate::Backend::Sqlite;
shared_queries!();
