//! Fresh stores for tests, on either backend: SQLite always, PostgreSQL when
//! `CUSTODIAN_TEST_DATABASE_URL` names a server (each call creates its own database there).

use sqlx::Connection;

use crate::{Backend, PgStore, SharedStore, SqliteStore, StoreError};

/// The environment variable that names the PostgreSQL server tests may use.
pub const TEST_DATABASE_URL: &str = "CUSTODIAN_TEST_DATABASE_URL";

/// A fresh, migrated store and what keeps it alive (the SQLite file's folder).
pub struct TestStore {
    pub store: SharedStore,
    pub url: String,
    _dir: Option<tempfile_dir::Dir>,
}

/// The backends to test on here: SQLite, and PostgreSQL when the variable is set.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if std::env::var(TEST_DATABASE_URL).is_ok_and(|u| !u.is_empty()) {
        b.push(Backend::Postgres);
    }
    b
}

/// A fresh store on `backend`; `None` for PostgreSQL when no server is configured.
pub async fn fresh(backend: Backend) -> Option<TestStore> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile_dir::Dir::new();
            let url = format!("sqlite:{}", dir.path.join("custodian.db").display());
            let store = SqliteStore::open(&url)
                .await
                .expect("open a fresh SQLite store");
            Some(TestStore {
                store: std::sync::Arc::new(store),
                url,
                _dir: Some(dir),
            })
        }
        Backend::Postgres => {
            let server = std::env::var(TEST_DATABASE_URL)
                .ok()
                .filter(|u| !u.is_empty())?;
            let url = fresh_postgres_database(&server)
                .await
                .expect("create a fresh PostgreSQL database");
            let store = PgStore::open(&url)
                .await
                .expect("open a fresh PostgreSQL store");
            Some(TestStore {
                store: std::sync::Arc::new(store),
                url,
                _dir: None,
            })
        }
    }
}

/// Creates an empty database named `custodian_test_<random>` on the server `server_url` names
/// and returns its URL.
pub async fn fresh_postgres_database(server_url: &str) -> Result<String, StoreError> {
    let name = format!("custodian_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(server_url)
        .await
        .map_err(|source| StoreError::Open {
            url: crate::redact_url(server_url),
            source,
        })?;
    // The name is ours (letters, digits, underscores), never input.
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (server_url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    Ok(format!("{base}/{name}{query}"))
}

/// Runs SQL straight against a store's database, bypassing the interface: what someone with
/// access to the database file or server could do. Tests use it to play the attacker.
pub async fn raw_execute(store: &SharedStore, sql: &str) -> Result<u64, sqlx::Error> {
    // Several statements may run on one connection (to switch off triggers first, as an
    // attacker with database access would).
    if let Some(s) = store.as_any().downcast_ref::<SqliteStore>() {
        return Ok(sqlx::raw_sql(sql).execute(s.pool()).await?.rows_affected());
    }
    let s = store
        .as_any()
        .downcast_ref::<PgStore>()
        .expect("a known store type");
    Ok(sqlx::raw_sql(sql).execute(s.pool()).await?.rows_affected())
}

/// A temporary folder removed on drop (kept tiny to avoid a dependency outside dev builds).
mod tempfile_dir {
    use std::path::PathBuf;

    pub struct Dir {
        pub path: PathBuf,
    }

    impl Dir {
        pub fn new() -> Self {
            let path = std::env::temp_dir()
                .join(format!("custodian-test-{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&path).expect("create a temporary folder");
            Dir { path }
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
