//! The PostgreSQL backend, for providers running several servers against one database.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::queries::HasDb;
use crate::{StoreError, migrations, redact_url};

pub struct PgStore {
    appender: tokio::sync::mpsc::Sender<crate::AppendJob>,
    pool: PgPool,
}

impl HasDb for PgStore {
    type Db = sqlx::Postgres;
    const APPEND_LEAVES: &'static str = "INSERT INTO audit_log (leaf_index, event_seq, leaf_hash, integrated_at) \
         SELECT $1 + j.n - 1, (j.v ->> 0)::bigint, j.v ->> 1, $3 \
         FROM jsonb_array_elements($2::text::jsonb) WITH ORDINALITY AS j(v, n)";
    const APPENDER_SETUP: &'static str = "SELECT 1";
}

impl PgStore {
    /// Connects and applies pending migrations (under an advisory lock, so several servers
    /// starting together do not race).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
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

    fn leaves_reader(
        &self,
        from: i64,
    ) -> tokio::sync::mpsc::Receiver<crate::Result<crate::LogPage>> {
        crate::log_reader::postgres_leaves(self.pool.clone(), from)
    }
}

mod imp {
    use super::PgStore;
    use crate::queries::impl_store;
    type DbRow = sqlx::postgres::PgRow;
    impl_store!(PgStore, Backend::Postgres, DbRow, "BEGIN", "string_agg");
}
