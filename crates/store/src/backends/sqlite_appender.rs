//! SQLite's writer for the audit log, on a thread of its own with its own `rusqlite`
//! connection: the group commit of events appended on their own (reads, denials, failed
//! sign-ins), and the leaves the integrator adds to the Merkle log.
//!
//! Whatever events arrive while a commit is under way go into the next one, so concurrent
//! requests share one durable commit; each caller hears back only after its event's commit.
//! The whole batch (begin, one prepared insert per row, commit) runs where the connection lives,
//! where through sqlx every statement and every row crosses to sqlx's connection thread and
//! back. One writer for both jobs: SQLite lets one connection write at a time and makes the
//! others sleep and retry, which cost the log's upkeep more than its own work when the
//! integrator and the group commit were two connections. Changes still commit their events in
//! their own sqlx transactions; SQLite's lock orders those.
//!
//! The rows are written exactly as sqlx writes them (UUIDs as 16-byte blobs, times as RFC 3339
//! text with microseconds), and with the same leaf hash, from `queries::event_rows`.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};
use tokio::sync::{mpsc, oneshot};

use crate::{AuditEvent, Result, StoreError};

/// The writer's answer to a request for unintegrated events: `(seq, leaf hash)` pairs.
type UnintegratedReply = oneshot::Sender<Result<Vec<(i64, Option<String>)>>>;

/// What the writer does. An event travels in the job itself, not boxed: events are the hot
/// path, and an allocation more per event would cost more than the channel's larger slots.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Job {
    /// An event on its own; answered with its sequence number once it is durable.
    Event(AuditEvent, oneshot::Sender<Result<i64>>),
    /// Leaves `(event_seq, leaf_hash)` for the log, numbered from the leaf index given, which
    /// must be the log's size (a conflict otherwise).
    Leaves(i64, Vec<(i64, String)>, oneshot::Sender<Result<()>>),
    /// The events in a range of sequence numbers not yet in the log (`queries::UNINTEGRATED`).
    Unintegrated(i64, i64, UnintegratedReply),
}

/// How long the writer waits for more events before a commit when the last commit held more
/// than one (requests are arriving together). Each commit costs a write and an fsync whatever
/// it holds, and under load those commits, not the rows, were most of what recording reads
/// cost: with 32 clients reading records, commits held 3–4 events each; waiting this long
/// makes them 8–10 (figures in docs/audit-log.md, from `benches/audit.rs`). A request on its
/// own (the last commit held one event) never waits.
const GATHER: Duration = Duration::from_micros(500);

/// How often the checkpointer copies the WAL back into the database (see [`checkpoint`]). Only
/// it checkpoints: neither the pool's connections (`wal_autocheckpoint = 0` in
/// `SqliteStore::open`) nor this writer do, so no request and no audit commit waits while a
/// large commit's pages (a 20 MB evidence file) are copied and synced.
pub(crate) const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const INSERT: &str = "INSERT INTO audit_events (id, occurred_at, practice_id, actor_id, actor, action, \
     object_type, object_id, outcome, details, ip, user_agent, request_id, leaf_hash) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

/// Starts the writer for the database file at `path` (already created and migrated), and the
/// checkpointer beside it. Both stop when the last sender is dropped (the checkpointer holds
/// only a weak one).
pub(crate) fn spawn(path: PathBuf) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(8192);
    spawn_checkpointer(path.clone(), tx.downgrade());
    std::thread::Builder::new()
        .name("custodian-audit-writer".into())
        .spawn(move || {
            // Opened on first use and replaced after any failure.
            let mut conn: Option<Connection> = None;
            let mut next = None;
            // Events in the last commit: more than one means requests are arriving together.
            let mut last_batch = 0;
            while let Some(job) = next.take().or_else(|| rx.blocking_recv()) {
                let c = match conn.take().map_or_else(|| open(&path), Ok) {
                    Ok(c) => conn.insert(c),
                    Err(e) => {
                        refuse(job, &e);
                        continue;
                    }
                };
                let failed = match job {
                    Job::Leaves(expected, leaves, reply) => {
                        let result = add_leaves(c, expected, &leaves);
                        let failed = matches!(result, Err(StoreError::Sqlite(_)));
                        let _ = reply.send(result);
                        failed
                    }
                    Job::Unintegrated(after, up_to, reply) => {
                        let result = unintegrated(c, after, up_to);
                        let failed = result.is_err();
                        let _ = reply.send(result.map_err(StoreError::from));
                        failed
                    }
                    Job::Event(event, reply) => {
                        // This event and whatever others are waiting, up to the next job that is
                        // not an event. Under concurrent load, first wait a moment for more: see
                        // `GATHER`.
                        let mut batch = vec![(event, reply)];
                        if last_batch > 1 {
                            std::thread::sleep(GATHER);
                        }
                        while batch.len() < 512 {
                            match rx.try_recv() {
                                Ok(Job::Event(e, r)) => batch.push((e, r)),
                                Ok(other) => {
                                    next = Some(other);
                                    break;
                                }
                                Err(_) => break,
                            }
                        }
                        last_batch = batch.len();
                        match append(c, &batch) {
                            Ok(seqs) => {
                                for ((_, reply), seq) in batch.into_iter().zip(seqs) {
                                    let _ = reply.send(Ok(seq));
                                }
                                false
                            }
                            Err(e) => {
                                for (event, reply) in batch {
                                    refuse(Job::Event(event, reply), &e);
                                }
                                true
                            }
                        }
                    }
                };
                if failed {
                    conn = None;
                }
            }
        })
        .expect("the audit writer's thread starts");
    tx
}

/// Answers a job that could not be done (the database could not be opened, or an event batch
/// failed).
fn refuse(job: Job, e: &rusqlite::Error) {
    let err = || StoreError::Corrupt(format!("the audit log's writer failed: {e}"));
    match job {
        Job::Event(_, reply) => {
            let _ = reply.send(Err(err()));
        }
        Job::Leaves(_, _, reply) => {
            let _ = reply.send(Err(err()));
        }
        Job::Unintegrated(_, _, reply) => {
            let _ = reply.send(Err(err()));
        }
    }
}

fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(BUSY_TIMEOUT)?;
    // As the pool's connections (see `SqliteStore::open`): WAL, a commit survives a power cut.
    // No automatic checkpoint after a commit: the checkpointer copies the WAL back on its own
    // clock, in modes that keep the WAL from growing (see `checkpoint`).
    c.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA wal_autocheckpoint = 0;",
    )?;
    Ok(c)
}

/// The checkpointer: its own connection on its own thread, every [`CHECKPOINT_EVERY`], until
/// the writer's last sender is gone.
fn spawn_checkpointer(path: PathBuf, alive: mpsc::WeakSender<Job>) {
    std::thread::Builder::new()
        .name("custodian-checkpointer".into())
        .spawn(move || {
            let mut conn: Option<Connection> = None;
            loop {
                std::thread::sleep(CHECKPOINT_EVERY);
                if alive.upgrade().is_none() {
                    return;
                }
                let c = match conn.take().map_or_else(|| open(&path), Ok) {
                    Ok(c) => conn.insert(c),
                    Err(_) => continue,
                };
                if checkpoint(c).is_err() {
                    conn = None;
                }
            }
        })
        .expect("the checkpointer's thread starts");
}

/// Copies the WAL back into the database, then starts it again from its beginning.
///
/// First a `PASSIVE` checkpoint: it copies every page no reader still needs without making any
/// writer wait (a `FULL` or `RESTART` checkpoint holds writers back for the whole copy: 40 ms
/// or more after a 20 MB file, which every commit behind it waited for). Then, once everything
/// is copied, a `RESTART`, which only waits, briefly, until no reader is using the WAL, so that
/// the next commit writes the WAL from its beginning. Without that, under a steady stream of
/// reads (each audited, so each a commit) some reader is always using the WAL, SQLite can never
/// start it again, and it grows without end: 360 MB in a minute of the audited-read benchmark,
/// with every commit lengthening the file (allocating blocks and syncing its size) and every
/// reader searching a longer index. A reader that holds one snapshot for long (verification)
/// makes the wait give up after a few milliseconds; the next round tries again.
fn checkpoint(c: &Connection) -> rusqlite::Result<()> {
    let (log, copied): (i64, i64) = c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })?;
    if log > 0 && copied == log {
        c.busy_timeout(Duration::from_millis(5))?;
        let _ = c.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
        c.busy_timeout(BUSY_TIMEOUT)?;
    }
    Ok(())
}

/// A time as sqlx stores it in SQLite (RFC 3339, `+00:00`), so rows read back the same whichever
/// connection wrote them.
fn as_stored(t: crate::Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// One transaction for the batch; each event's sequence number in the batch's order.
fn append(
    c: &mut Connection,
    batch: &[(AuditEvent, oneshot::Sender<Result<i64>>)],
) -> rusqlite::Result<Vec<i64>> {
    let at = crate::queries::now();
    let time = as_stored(at);
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut seqs = Vec::with_capacity(batch.len());
    {
        let mut insert = tx.prepare_cached(INSERT)?;
        for (event, _) in batch {
            let (id, practice, actor, details, leaf_hash) = crate::queries::event_rows(event, at);
            insert.execute(params![
                id.as_bytes(),
                time,
                practice.as_ref().map(|p| p.as_bytes()),
                actor.as_ref().map(|p| p.as_bytes()),
                event.meta.actor,
                event.action,
                event.object_type,
                event.object_id,
                event.outcome.as_str(),
                details,
                event.meta.ip,
                event.meta.user_agent,
                event.meta.request_id,
                leaf_hash,
            ])?;
            seqs.push(tx.last_insert_rowid());
        }
    }
    tx.commit()?;
    Ok(seqs)
}

/// The leaves in one transaction, numbered on from the log's size, which must be `expected`.
fn add_leaves(c: &mut Connection, expected: i64, leaves: &[(i64, String)]) -> Result<()> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let size: i64 = tx.query_row(crate::queries::LOG_SIZE, [], |r| r.get(0))?;
    if size != expected {
        return Err(StoreError::Conflict {
            field: "tree_size",
            message: format!("the log has {size} leaves, not {expected}"),
        });
    }
    let at = as_stored(crate::queries::now());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO audit_log (leaf_index, event_seq, leaf_hash, integrated_at) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (i, (seq, hash)) in leaves.iter().enumerate() {
            insert.execute(params![expected + i as i64, seq, hash, at])?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn unintegrated(
    c: &Connection,
    after: i64,
    up_to: i64,
) -> rusqlite::Result<Vec<(i64, Option<String>)>> {
    let mut query = c.prepare_cached(crate::queries::UNINTEGRATED)?;
    // A stored hash that is not text (SQLite's columns take anything) counts as none: the
    // integrator then computes the event's hash from the event itself.
    let rows = query.query_map(params![after, up_to], |r| {
        let hash = match r.get_ref(1)? {
            rusqlite::types::ValueRef::Text(t) => String::from_utf8(t.to_vec()).ok(),
            _ => None,
        };
        Ok((r.get(0)?, hash))
    })?;
    rows.collect()
}
