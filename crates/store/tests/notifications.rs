//! Notifications' store conformance suite, on SQLite and (when CUSTODIAN_TEST_DATABASE_URL is
//! set) PostgreSQL.

#[macro_use]
mod common;
use common::{member, practice};

use chrono::{Duration, TimeZone, Utc};
use custodian_domain::notifications::{Delivery, MailKind, MailStatus, NoticeKind};
use custodian_domain::{NoticeId, PersonId};
use custodian_store::{SharedStore, WantedNotice};

conformance!(
    notices_are_raised_once_kept_up_to_date_and_settled_when_done,
    a_person_reads_only_their_own_notices,
    emails_are_queued_with_their_notices_and_claimed_by_one_sender_at_a_time,
    a_days_digest_is_built_once_with_what_is_still_live,
);

fn items(who: PersonId, list: &[(&str, &str)]) -> Vec<(PersonId, Vec<WantedNotice>)> {
    items_by(who, list, Delivery::Off)
}

fn items_by(
    who: PersonId,
    list: &[(&str, &str)],
    delivery: Delivery,
) -> Vec<(PersonId, Vec<WantedNotice>)> {
    let list = list
        .iter()
        .map(|(t, x)| WantedNotice {
            kind: NoticeKind::StarterRequest,
            topic: t.to_string(),
            text: x.to_string(),
            delivery,
        })
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

async fn emails_are_queued_with_their_notices_and_claimed_by_one_sender_at_a_time(
    store: SharedStore,
) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let ann = member(&store, &p, "ann", &[]).await;
    let bob = member(&store, &p, "bob", &[]).await;
    let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let mut wanted = items_by(
        ann,
        &[("/requests", "1 request waiting")],
        Delivery::Immediate,
    );
    wanted.extend(items_by(
        bob,
        &[("/requests", "1 request waiting")],
        Delivery::Off,
    ));
    store.sync_notices(p.id, &wanted, t0).await.unwrap();
    // One email, Ann's; Bob chose not to have them. Raising nothing new queues nothing.
    store.sync_notices(p.id, &wanted, t0).await.unwrap();
    let log = store.mail_log(Some(p.id), 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].kind, log[0].status),
        (MailKind::Notice, MailStatus::Queued)
    );
    assert_eq!(log[0].recipient, "ann Person");
    assert_eq!(log[0].about, "1 request waiting");

    let lease = t0 + Duration::minutes(10);
    let claimed = store.claim_mail(t0, lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let m = &claimed[0];
    assert_eq!(m.to.as_deref(), Some("ann@example.nhs.uk"));
    assert_eq!((m.attempt, m.notices.len()), (1, 1));
    assert_eq!(m.notices[0].topic, "/requests");
    // Claimed: nobody else gets it until the claim runs out (a sender that died).
    assert!(store.claim_mail(t0, lease, 10).await.unwrap().is_empty());
    let again = store
        .claim_mail(
            lease + Duration::seconds(1),
            lease + Duration::minutes(20),
            10,
        )
        .await
        .unwrap();
    assert_eq!((again.len(), again[0].attempt), (1, 2));

    // Not sent: tried again at the time given, not before.
    let t1 = lease + Duration::minutes(1);
    let retry = t1 + Duration::minutes(2);
    store
        .mail_not_sent(m.id, "421 busy", Some(retry), false, t1)
        .await
        .unwrap();
    assert!(store.claim_mail(t1, retry, 10).await.unwrap().is_empty());
    let third = store
        .claim_mail(retry, retry + Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(third.len(), 1);
    store
        .mail_sent(&[(m.id, "250 OK".into())], retry)
        .await
        .unwrap();
    let line = &store.mail_log(None, 10).await.unwrap()[0];
    assert_eq!(line.status, MailStatus::Sent);
    assert_eq!(line.sent_at, Some(retry));
    let attempts = store
        .mail_attempts(m.id, Some(p.id))
        .await
        .unwrap()
        .unwrap();
    let outcomes: Vec<&str> = attempts.iter().map(|a| a.outcome.as_str()).collect();
    assert_eq!(outcomes, ["retry", "sent"]);
    // Another practice cannot read its attempts.
    let other = practice(&store, "Hillside", "Z00002").await;
    assert!(
        store
            .mail_attempts(m.id, Some(other.id))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .claim_mail(retry + Duration::days(1), retry + Duration::days(2), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_days_digest_is_built_once_with_what_is_still_live(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let ann = member(&store, &p, "ann", &[]).await;
    let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let both = items_by(
        ann,
        &[
            ("/requests", "1 request waiting"),
            ("/security", "1 locked account"),
        ],
        Delivery::Digest,
    );
    store.sync_notices(p.id, &both, t0).await.unwrap();
    // The locked account is unlocked before the digest: it is left out.
    let one = items_by(ann, &[("/requests", "1 request waiting")], Delivery::Digest);
    store.sync_notices(p.id, &one, t0).await.unwrap();
    assert!(
        store.mail_log(Some(p.id), 10).await.unwrap().is_empty(),
        "nothing at once"
    );
    assert_eq!(
        store.build_digest(p.id, "2026-12-01", t0).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        store.build_digest(p.id, "2026-12-01", t0).await.unwrap(),
        None
    );
    let claimed = store
        .claim_mail(t0, t0 + Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].kind, MailKind::Digest);
    let texts: Vec<&str> = claimed[0].notices.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(texts, ["1 request waiting"]);
    // The next day's digest has nothing new to send.
    assert_eq!(
        store.build_digest(p.id, "2026-12-02", t0).await.unwrap(),
        Some(0)
    );
}
