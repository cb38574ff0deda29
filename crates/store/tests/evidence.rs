//! Evidence files' store conformance suite, on SQLite and (when CUSTODIAN_TEST_DATABASE_URL is
//! set) PostgreSQL: bytes kept once per practice and content, each practice's own, and purged
//! only when no file uses them.

#[macro_use]
mod common;
use common::practice;

use chrono::{Duration, TimeZone, Utc};
use custodian_domain::IncidentId;
use custodian_domain::evidence::{EvidenceKind, Holder, PART_BYTES, address, parts};
use custodian_store::{AuditMeta, NewEvidence, SharedStore, StoreError};

conformance!(
    the_same_bytes_are_kept_once_and_purged_when_no_file_uses_them,
    a_practice_never_reaches_another_practices_file,
    a_file_larger_than_a_part_comes_back_whole_part_by_part,
);

fn pdf(body: &str) -> Vec<u8> {
    format!("%PDF-1.7\n{body}\n%%EOF\n").into_bytes()
}

async fn attach(
    store: &SharedStore,
    practice: custodian_domain::PracticeId,
    holder: Holder,
    name: &str,
    bytes: &[u8],
    at: chrono::DateTime<Utc>,
) -> custodian_store::EvidenceFile {
    let sha = address(bytes);
    let file = NewEvidence {
        filename: name,
        kind: EvidenceKind::Pdf,
        sha256: &sha,
        bytes,
    };
    store
        .attach_evidence(practice, holder, &file, at, &AuditMeta::cli())
        .await
        .unwrap()
}

async fn blobs(store: &SharedStore) -> i64 {
    store.evidence_storage().await.unwrap().0
}

async fn the_same_bytes_are_kept_once_and_purged_when_no_file_uses_them(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let (one, two) = (
        Holder::Incident(IncidentId::new()),
        Holder::Incident(IncidentId::new()),
    );
    let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let scan = pdf("scan");
    let a = attach(&store, p.id, one, "scan.pdf", &scan, t0).await;
    let b = attach(&store, p.id, two, "same scan.pdf", &scan, t0).await;
    assert_eq!(a.sha256, b.sha256);
    assert_eq!(blobs(&store).await, 1, "one copy of the bytes");
    assert_eq!(
        store.evidence_for(p.id, one).await.unwrap(),
        vec![a.clone()]
    );

    // Removing one keeps the bytes the other uses, even past the retention.
    let by = AuditMeta::cli();
    store
        .remove_evidence(p.id, a.id, "duplicate", t0, &by)
        .await
        .unwrap();
    let again = store.remove_evidence(p.id, a.id, "again", t0, &by).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    let purged = store
        .purge_removed_evidence(t0 + Duration::days(1), &by)
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert!(store.evidence_file(p.id, a.id).await.unwrap().is_none());
    assert_eq!(blobs(&store).await, 1);
    assert_eq!(
        store.evidence_content(p.id, b.id).await.unwrap().unwrap(),
        scan
    );
    // The last file gone, its bytes go too.
    store
        .remove_evidence(p.id, b.id, "closed", t0, &by)
        .await
        .unwrap();
    store
        .purge_removed_evidence(t0 + Duration::days(1), &by)
        .await
        .unwrap();
    assert_eq!(blobs(&store).await, 0);
}

async fn a_practice_never_reaches_another_practices_file(store: SharedStore) {
    let river = practice(&store, "Riverside", "Z00001").await;
    let hill = practice(&store, "Hillside", "Z00002").await;
    let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let scan = pdf("scan");
    let holder = Holder::Incident(IncidentId::new());
    let a = attach(&store, river.id, holder, "scan.pdf", &scan, t0).await;
    // The same bytes in the other practice are its own copy.
    attach(&store, hill.id, holder, "scan.pdf", &scan, t0).await;
    assert_eq!(blobs(&store).await, 2);
    assert!(store.evidence_file(hill.id, a.id).await.unwrap().is_none());
    assert!(
        store
            .evidence_content(hill.id, a.id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.evidence_for(hill.id, holder).await.unwrap().len(), 1);
    let r = store
        .remove_evidence(hill.id, a.id, "not yours", t0, &AuditMeta::cli())
        .await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
}

async fn a_file_larger_than_a_part_comes_back_whole_part_by_part(store: SharedStore) {
    let p = practice(&store, "Riverside", "Z00001").await;
    let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    // Two and a half parts, every byte telling where it is.
    let mut bytes = pdf("scan");
    bytes.extend((0..PART_BYTES * 5 / 2).map(|i| (i % 251) as u8));
    let holder = Holder::Incident(IncidentId::new());
    let f = attach(&store, p.id, holder, "scan.pdf", &bytes, t0).await;
    assert_eq!(f.size, bytes.len() as i64);
    assert_eq!(parts(f.size), 3);
    // Sent part by part, in order, each whole but the last.
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    assert_eq!(store.send_evidence(p.id, f.id, &tx).await.unwrap(), 3);
    drop(tx);
    let mut back = vec![];
    let mut n = 0;
    while let Some(part) = rx.recv().await {
        let part = part.unwrap();
        assert_eq!(
            part.len() == PART_BYTES,
            n < 2,
            "part {n} is {} bytes",
            part.len()
        );
        back.extend(part);
        n += 1;
    }
    assert!(back == bytes, "the parts make the file");
    assert!(store.evidence_content(p.id, f.id).await.unwrap().unwrap() == bytes);
    // A reader that goes away stops the sending.
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    drop(rx);
    assert_eq!(store.send_evidence(p.id, f.id, &tx).await.unwrap(), 0);
    // The same bytes attached again are not written again; purged, every part goes.
    let again = attach(&store, p.id, holder, "again.pdf", &bytes, t0).await;
    let by = AuditMeta::cli();
    for id in [f.id, again.id] {
        store
            .remove_evidence(p.id, id, "test", t0, &by)
            .await
            .unwrap();
    }
    store
        .purge_removed_evidence(t0 + Duration::days(1), &by)
        .await
        .unwrap();
    assert_eq!(blobs(&store).await, 0);
    assert!(store.evidence_content(p.id, f.id).await.unwrap().is_none());
}
