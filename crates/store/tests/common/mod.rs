//! Shared by the store's conformance tests: run each test on SQLite, and on PostgreSQL when
//! CUSTODIAN_TEST_DATABASE_URL is set, each in a fresh database.

#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let t = custodian_store::testing::fresh(custodian_store::Backend::Sqlite).await.unwrap();
                super::$name(t.store.clone()).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if !custodian_store::testing::backends().contains(&custodian_store::Backend::Postgres) {
                    eprintln!("CUSTODIAN_TEST_DATABASE_URL is not set: PostgreSQL not tested here");
                    return;
                }
                let t = custodian_store::testing::fresh(custodian_store::Backend::Postgres).await.unwrap();
                super::$name(t.store.clone()).await;
            })*
        }
    };
}
