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

use custodian_domain::{NewPerson, NewPractice, PersonId, Practice, PracticeRole};
use custodian_store::{AuditMeta, NewAccount, SharedStore};

/// A practice, created as the command line would.
#[allow(dead_code)]
pub async fn practice(store: &SharedStore, name: &str, ods: &str) -> Practice {
    store
        .create_practice(
            &NewPractice {
                name: name.into(),
                ods_code: ods.into(),
            }
            .validate()
            .unwrap(),
            &AuditMeta::cli(),
        )
        .await
        .unwrap()
}

/// A member of staff of `p` with `roles`.
#[allow(dead_code)]
pub async fn member(
    store: &SharedStore,
    p: &Practice,
    username: &str,
    roles: &[PracticeRole],
) -> PersonId {
    let person = store
        .create_person(
            &NewAccount {
                person: NewPerson {
                    username: username.into(),
                    email: Some(format!("{username}@example.nhs.uk")),
                    full_name: format!("{username} Person"),
                }
                .validate()
                .unwrap(),
                password_hash: None,
                must_change_password: false,
                one_time_password_expires_at: None,
                provider_roles: vec![],
            },
            &AuditMeta::cli(),
        )
        .await
        .unwrap();
    store
        .add_member(p.id, person.id, "Staff", roles, &AuditMeta::cli())
        .await
        .unwrap();
    person.id
}
