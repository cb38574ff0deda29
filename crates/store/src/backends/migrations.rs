//! Migrations embedded in the binary: one folder per backend, the same version numbers in each.
//! They run through sqlx's migrator, which records a checksum of each (so an edited, already
//! applied migration is refused) and, on PostgreSQL, takes an advisory lock so that several
//! servers starting together apply them once.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

// SQLITE and POSTGRES: (version, name, SQL) of every file in `migrations/<backend>/`, listed
// by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

fn migrator(list: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    Migrator {
        migrations: Cow::Owned(
            list.iter()
                .map(|(version, name, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(name),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect(),
        ),
        ..Migrator::DEFAULT
    }
}

pub(crate) fn sqlite() -> Migrator {
    migrator(SQLITE)
}

pub(crate) fn postgres() -> Migrator {
    migrator(POSTGRES)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    const OLD_EVENT: &str = "INSERT INTO audit_events (id, occurred_at, actor, action, object_type, outcome, details) \
         VALUES ($1, $2, 'cli', 'practice.create', 'practice', 'success', '{}')";

    /// Upgrading a database with a log in it: the leaves stay, the event has no stored hash
    /// (integration hashes it from its row), and the triggers still refuse changes.
    async fn upgrade_with_a_log<DB: sqlx::Database>(
        pool: &sqlx::Pool<DB>,
        all: sqlx::migrate::Migrator,
    ) where
        DB::Connection: sqlx::migrate::Migrate,
        for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
        for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
        for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
        for<'q> uuid::Uuid: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
        for<'q> chrono::DateTime<chrono::Utc>: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
        i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
        String: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
        Option<String>: for<'r> sqlx::Decode<'r, DB>,
        usize: sqlx::ColumnIndex<DB::Row>,
    {
        let versions = all.migrations.len();
        let old = sqlx::migrate::Migrator {
            migrations: Cow::Owned(all.migrations[..versions - 1].to_vec()),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        old.run(pool).await.unwrap();
        sqlx::query(OLD_EVENT)
            .bind(uuid::Uuid::now_v7())
            .bind(chrono::Utc::now())
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO audit_log (leaf_index, event_seq, leaf_hash, integrated_at) VALUES (0, 1, 'ab', $1)")
            .bind(chrono::Utc::now())
            .execute(pool)
            .await
            .unwrap();
        all.run(pool).await.unwrap();
        let (seq, hash): (i64, String) =
            sqlx::query_as("SELECT event_seq, leaf_hash FROM audit_log WHERE leaf_index = 0")
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!((seq, hash.as_str()), (1, "ab"));
        let stored: (Option<String>,) =
            sqlx::query_as("SELECT leaf_hash FROM audit_events WHERE seq = 1")
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!(stored.0, None);
        for sql in [
            "DELETE FROM audit_events",
            "UPDATE audit_log SET leaf_hash = 'cd'",
            "DELETE FROM audit_log",
        ] {
            let err = match sqlx::query(sql).execute(pool).await {
                Ok(_) => panic!("{sql} was allowed"),
                Err(e) => e.to_string(),
            };
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
    }

    #[tokio::test]
    async fn a_sqlite_log_survives_the_retention_migration() {
        use std::str::FromStr;
        let dir = tempfile::tempdir().unwrap();
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&format!(
            "sqlite:{}",
            dir.path().join("old.db").display()
        ))
        .unwrap()
        .create_if_missing(true)
        .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        upgrade_with_a_log(&pool, super::sqlite()).await;
    }

    #[tokio::test]
    async fn a_postgres_log_survives_the_retention_migration() {
        let Some(server) = std::env::var(crate::testing::TEST_DATABASE_URL)
            .ok()
            .filter(|u| !u.is_empty())
        else {
            return;
        };
        let url = crate::testing::fresh_postgres_database(&server)
            .await
            .unwrap();
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        upgrade_with_a_log(&pool, super::postgres()).await;
    }

    #[test]
    fn both_backends_have_the_same_migration_versions() {
        let s: Vec<i64> = super::sqlite().iter().map(|m| m.version).collect();
        let p: Vec<i64> = super::postgres().iter().map(|m| m.version).collect();
        assert_eq!(s, p);
    }
}
