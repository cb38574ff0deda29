//! The embedded backend: one SQLite file in the data directory.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::queries::HasDb;
use crate::{StoreError, migrations};

/// The SQLite store. WAL journal, foreign keys on, a busy timeout, and `synchronous=FULL`:
/// these records are evidence, so a commit survives a power cut.
pub struct SqliteStore {
    appender: tokio::sync::mpsc::Sender<crate::AppendJob>,
    pool: SqlitePool,
    /// The database file, for the audit log's verification reader.
    path: std::path::PathBuf,
}

impl HasDb for SqliteStore {
    type Db = sqlx::Sqlite;
    const APPEND_LEAVES: &'static str = "INSERT INTO audit_log (leaf_index, event_seq, leaf_hash, integrated_at) \
         SELECT $1 + j.key, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), $3 FROM json_each($2) j";
    // The group commit never stops to copy the WAL back into the database (a checkpoint, with
    // its fsyncs): a background task does that (see `open`), off the path of every audited read.
    const APPENDER_SETUP: &'static str = "PRAGMA wal_autocheckpoint = 0";
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
            .busy_timeout(Duration::from_secs(10));
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
        let appender = imp::spawn_appender(pool.clone());
        // Checkpoint the WAL twice a second in the background (PASSIVE: never waits for readers
        // or writers), so the group commit, whose own automatic checkpoints are off, never pays
        // for one. Other connections keep SQLite's automatic checkpoints as a backstop.
        let checkpointer = pool.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            loop {
                tick.tick().await;
                if checkpointer.is_closed() {
                    break;
                }
                let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&checkpointer)
                    .await;
            }
        });
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

    fn leaves_reader(
        &self,
        from: i64,
    ) -> tokio::sync::mpsc::Receiver<crate::Result<crate::LogPage>> {
        crate::log_reader::sqlite_leaves(self.path.clone(), from)
    }
}

mod imp {
    use super::SqliteStore;
    use crate::queries::impl_store;
    type DbRow = sqlx::sqlite::SqliteRow;
    impl_store!(
        SqliteStore,
        Backend::Sqlite,
        DbRow,
        "BEGIN IMMEDIATE",
        "group_concat"
    );
}
