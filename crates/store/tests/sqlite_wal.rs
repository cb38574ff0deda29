//! SQLite's write-ahead log under a steady stream of audited reads: it must stay small.

use std::time::{Duration, Instant};

use custodian_store::{AuditMeta, Backend};

/// While people read records all day, every read is an audit event and so a commit, and some
/// reader is always part-way through a query. SQLite starts its WAL again from the beginning
/// only when no reader is using it; without the audit writer's checkpoints that wait for that
/// moment, the WAL grew by hundreds of megabytes a minute under load and never shrank while
/// the load lasted. Here, for three seconds: 32 callers append events as fast as they can while
/// 4 readers query without pause; the WAL must stay under 16 MB (it is a few MB with the
/// checkpoints, and passes 16 MB within the three seconds without them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_stays_small_while_reads_never_stop() {
    let db = custodian_store::testing::fresh(Backend::Sqlite)
        .await
        .unwrap();
    let wal = format!("{}-wal", db.url.strip_prefix("sqlite:").unwrap());
    let until = Instant::now() + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for r in 0..4 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut reads = 0u64;
            while Instant::now() < until {
                store.events(None, 20 + r).await.unwrap();
                reads += 1;
            }
            reads
        }));
    }
    for w in 0..32 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let meta = AuditMeta {
                actor: format!("reader{w}"),
                user_agent: Some("a browser with a long and ordinary user agent string".into()),
                ..Default::default()
            };
            let mut appended = 0u64;
            while Instant::now() < until {
                let e = meta.event(
                    None,
                    "person.view",
                    "person",
                    Some(format!("{w}-{appended}")),
                );
                store.append_event(&e).await.unwrap();
                appended += 1;
            }
            appended
        }));
    }
    let mut largest = 0;
    while Instant::now() < until {
        largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut done = 0;
    for t in tasks {
        done += t.await.unwrap();
    }
    eprintln!("{done} reads and appends; the WAL reached {largest} bytes");
    assert!(largest < 16 << 20, "the WAL grew to {} MB", largest >> 20);
}
