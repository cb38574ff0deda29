//! Notifications' store conformance suite, on SQLite and (when CUSTODIAN_TEST_DATABASE_URL is
//! set) PostgreSQL.

#[macro_use]
mod common;
use common::{member, practice};

use chrono::{Duration, TimeZone, Utc};
use custodian_domain::{NoticeId, PersonId};
use custodian_store::SharedStore;

conformance!(
    notices_are_raised_once_kept_up_to_date_and_settled_when_done,
    a_person_reads_only_their_own_notices,
);

fn items(who: PersonId, list: &[(&str, &str)]) -> Vec<(PersonId, Vec<(String, String)>)> {
    let list = list
        .iter()
        .map(|(t, x)| (t.to_string(), x.to_string()))
        .collect();
    vec![(who, list)]
}

async fn notices_are_raised_once_kept_up_to_date_and_settled_when_done(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let ann = member(&store, &p, "ann", &[]).await;
    let bob = member(&store, &p, "bob", &[]).await;
    let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let two = items(
        ann,
        &[
            ("/requests", "1 request waiting"),
            ("/security", "1 locked account"),
        ],
    );
    assert_eq!(store.sync_notices(p.id, &two, t0).await.unwrap(), 2);
    // The same again raises nothing; a changed count changes the text, not the notice.
    assert_eq!(store.sync_notices(p.id, &two, t0).await.unwrap(), 0);
    let changed = items(
        ann,
        &[
            ("/requests", "2 requests waiting"),
            ("/security", "1 locked account"),
        ],
    );
    let t1 = t0 + Duration::minutes(1);
    assert_eq!(store.sync_notices(p.id, &changed, t1).await.unwrap(), 0);
    let live = store.notices(ann, false, 50).await.unwrap();
    assert_eq!(live.len(), 2);
    let requests = live.iter().find(|n| n.topic == "/requests").unwrap();
    assert_eq!(requests.text, "2 requests waiting");
    assert_eq!(requests.raised_at, t0);
    assert_eq!(requests.practice_name, "Riverside");
    assert_eq!(store.unread_notices(ann).await.unwrap(), 2);
    assert!(store.notices(bob, true, 50).await.unwrap().is_empty());
    // The locked account is unlocked: its notice is settled, and stays in the history.
    let t2 = t1 + Duration::minutes(1);
    let one = items(ann, &[("/requests", "2 requests waiting")]);
    assert_eq!(store.sync_notices(p.id, &one, t2).await.unwrap(), 0);
    assert_eq!(store.notices(ann, false, 50).await.unwrap().len(), 1);
    let all = store.notices(ann, true, 50).await.unwrap();
    let settled = all.iter().find(|n| n.topic == "/security").unwrap();
    assert_eq!(settled.done_at, Some(t2));
    assert_eq!(store.unread_notices(ann).await.unwrap(), 1);
    // A second account lock later is a new notice.
    let t3 = t2 + Duration::minutes(1);
    assert_eq!(store.sync_notices(p.id, &two, t3).await.unwrap(), 1);
    assert_eq!(store.notices(ann, true, 50).await.unwrap().len(), 3);
    // Ann is no longer wanted at all (she left): all her notices are settled.
    let t4 = t3 + Duration::minutes(1);
    assert_eq!(store.sync_notices(p.id, &[], t4).await.unwrap(), 0);
    assert!(store.notices(ann, false, 50).await.unwrap().is_empty());
    assert_eq!(store.unread_notices(ann).await.unwrap(), 0);
}

async fn a_person_reads_only_their_own_notices(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let other = practice(&store, "Hillside", "Z00002").await;
    let ann = member(&store, &p, "ann", &[]).await;
    let bob = member(&store, &other, "bob", &[]).await;
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    store
        .sync_notices(
            p.id,
            &items(ann, &[("/requests", "1 request waiting")]),
            now,
        )
        .await
        .unwrap();
    let id = store.notices(ann, false, 10).await.unwrap()[0].id;
    assert!(store.notices(bob, true, 10).await.unwrap().is_empty());
    assert!(
        store
            .mark_notice_read(bob, id, now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .mark_notice_read(ann, NoticeId::new(), now)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.unread_notices(ann).await.unwrap(), 1);
    let read = store.mark_notice_read(ann, id, now).await.unwrap().unwrap();
    assert_eq!((read.id, read.read_at), (id, Some(now)));
    assert_eq!(store.unread_notices(ann).await.unwrap(), 0);
    assert_eq!(
        store.notices(ann, false, 10).await.unwrap()[0].read_at,
        Some(now)
    );
    // Syncing Hillside does not touch Riverside's notices.
    store.sync_notices(other.id, &[], now).await.unwrap();
    assert_eq!(store.notices(ann, false, 10).await.unwrap().len(), 1);
}
