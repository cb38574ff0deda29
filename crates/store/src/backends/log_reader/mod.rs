//! Reading the whole audit log for verification: every leaf with its event's canonical record,
//! in pages sent down a channel by a reader that runs beside the verifier, so reading the rows
//! and hashing them overlap.
//!
//! The record is rebuilt from the event's columns as stored, by the same code that builds it
//! when the event is appended ([`event_leaf_hash`]): verification checks the rows people see,
//! not a copy. A page's records lie one after another in one buffer, so reading allocates per
//! page, not per event.
//! SQLite is read through `rusqlite` by two to four threads with read-only connections of
//! their own, taking turns by page (sqlx's SQLite driver hands each row across threads, which made reading
//! the log cost ten times its hashing); PostgreSQL through the pool, a page at a time, each in
//! its own read-only snapshot.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Datelike, Timelike, Utc};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{LogLeaf, LogPage, Result, StoreError};

#[cfg(test)]
mod tests;

/// Leaves per page sent to the verifier: a power of two, so that each page is a complete
/// subtree of the log that the verifier can hash on its own.
pub(crate) const PAGE: usize = 8192;

/// Pages in flight between the reader and the verifier.
const PAGES_AHEAD: usize = 2;

/// An event's time as its canonical record writes it: UTC to the microsecond, with a `Z`
/// (`2026-11-26T13:00:00.000001Z`).
pub fn canonical_time(t: &DateTime<Utc>) -> String {
    match canonical_time_bytes(t) {
        Some(b) => b.iter().map(|&c| c as char).collect(),
        // Years chrono writes with a sign, and leap seconds: its own formatting.
        None => t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
    }
}

/// [`canonical_time`] without formatting machinery or allocation, for years 0–9999 outside a
/// leap second (`None` otherwise). Verification rebuilds a time for every event.
fn canonical_time_bytes(t: &DateTime<Utc>) -> Option<[u8; 27]> {
    let (year, nanos) = (t.year(), t.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    let mut out = *b"0000-00-00T00:00:00.000000Z";
    let mut digits = |at: usize, width: usize, mut value: u32| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    digits(0, 4, year as u32);
    digits(5, 2, t.month());
    digits(8, 2, t.day());
    digits(11, 2, t.hour());
    digits(14, 2, t.minute());
    digits(17, 2, t.second());
    digits(20, 6, nanos / 1000);
    Some(out)
}

/// The leaf hash of an event as it is appended, with the id, time and details text it is
/// stored with (`None` when the details are not JSON): the same encoding verification
/// rebuilds from the row.
pub fn event_leaf_hash(
    id: Uuid,
    occurred_at: DateTime<Utc>,
    event: &crate::AuditEvent,
    details: &str,
) -> Option<custodian_audit::Hash> {
    EventColumns::of(id, occurred_at, event, details).leaf_hash()
}

/// An event's time as a row gives it: a time, or already as the canonical record writes it.
pub(crate) enum EventTime {
    At(DateTime<Utc>),
    Canonical([u8; 27]),
}

/// A time stored as SQLite's rows hold it (`2026-11-26T13:00:00.123456+00:00`, from none to
/// nine digits of fraction, or ending in `Z`) as the canonical record writes it, by moving its
/// digits; `None` for any other text, which is parsed instead. Verification reads a time for
/// every event, and parsing and formatting it was a tenth of reading a row.
///
/// The digits are not checked to make a date (a 31st of February): the record is made of them
/// as they are, so text that was not written by the log cannot match its leaf hash.
fn stored_time_canonical(text: &[u8]) -> Option<[u8; 27]> {
    const SHAPE: &[u8; 19] = b"0000-00-00T00:00:00";
    let (head, rest) = text.split_at_checked(19)?;
    let shaped = head.iter().zip(SHAPE).all(|(&c, &s)| {
        if s == b'0' {
            c.is_ascii_digit()
        } else {
            c == s
        }
    });
    // Seconds from 60 on (a leap second) are left to the parser.
    if !shaped || head[17] > b'5' {
        return None;
    }
    let (fraction, zone) = match rest.strip_prefix(b".") {
        Some(r) => r.split_at(r.iter().take_while(|c| c.is_ascii_digit()).count()),
        None => (&rest[..0], rest),
    };
    if !(zone == b"Z" || zone == b"+00:00")
        || fraction.len() > 9
        || rest.starts_with(b".") && fraction.is_empty()
    {
        return None;
    }
    let mut out = *b"0000-00-00T00:00:00.000000Z";
    out[..19].copy_from_slice(head);
    let micros = &fraction[..fraction.len().min(6)];
    out[20..20 + micros.len()].copy_from_slice(micros);
    Some(out)
}

/// The columns of an event row, typed, as either backend reads them.
pub(crate) struct EventColumns<'a> {
    pub id: Uuid,
    pub occurred_at: EventTime,
    pub practice_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub actor: &'a [u8],
    pub action: &'a [u8],
    pub object_type: &'a [u8],
    pub object_id: Option<&'a [u8]>,
    pub outcome: &'a [u8],
    pub details: &'a [u8],
    pub ip: Option<&'a [u8]>,
    pub user_agent: Option<&'a [u8]>,
    pub request_id: Option<&'a [u8]>,
}

impl<'a> EventColumns<'a> {
    /// An event as it is appended, with the id, time and details text it is stored with.
    pub fn of(
        id: Uuid,
        occurred_at: DateTime<Utc>,
        event: &'a crate::AuditEvent,
        details: &'a str,
    ) -> Self {
        EventColumns {
            id,
            occurred_at: EventTime::At(occurred_at),
            practice_id: event.practice_id.map(|p| p.0),
            actor_id: event.meta.actor_id.map(|p| p.0),
            actor: event.meta.actor.as_bytes(),
            action: event.action.as_bytes(),
            object_type: event.object_type.as_bytes(),
            object_id: event.object_id.as_deref().map(str::as_bytes),
            outcome: event.outcome.as_str().as_bytes(),
            details: details.as_bytes(),
            ip: event.meta.ip.as_deref().map(str::as_bytes),
            user_agent: event.meta.user_agent.as_deref().map(str::as_bytes),
            request_id: event.meta.request_id.as_deref().map(str::as_bytes),
        }
    }

    /// The record's leaf hash (`None` when the details are not JSON).
    pub fn leaf_hash(&self) -> Option<custodian_audit::Hash> {
        let mut bytes = Vec::with_capacity(256 + self.details.len());
        self.write_canonical(&mut bytes).ok()?;
        Some(custodian_audit::merkle::leaf_hash(&bytes))
    }

    /// Appends the canonical record to `out`, or says what is wrong with the row.
    pub fn write_canonical(&self, out: &mut Vec<u8>) -> Result<(), String> {
        let (mut id, mut practice, mut actor) = (
            Uuid::encode_buffer(),
            Uuid::encode_buffer(),
            Uuid::encode_buffer(),
        );
        let time = match &self.occurred_at {
            EventTime::Canonical(b) => Some(*b),
            EventTime::At(t) => canonical_time_bytes(t),
        };
        let other_time;
        custodian_audit::RecordRef {
            id: self.id.hyphenated().encode_lower(&mut id).as_bytes(),
            occurred_at: match (&time, &self.occurred_at) {
                (Some(b), _) => b,
                (None, EventTime::At(t)) => {
                    other_time = canonical_time(t);
                    other_time.as_bytes()
                }
                (None, EventTime::Canonical(_)) => unreachable!("a canonical time is bytes"),
            },
            practice_id: self
                .practice_id
                .map(|p| p.hyphenated().encode_lower(&mut practice).as_bytes()),
            actor_id: self
                .actor_id
                .map(|a| a.hyphenated().encode_lower(&mut actor).as_bytes()),
            actor: self.actor,
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            outcome: self.outcome,
            details: self.details,
            ip: self.ip,
            user_agent: self.user_agent,
            request_id: self.request_id,
        }
        .write_canonical(out)
        .map_err(|_| "its details are no longer valid JSON".to_string())
    }
}

/// A stored leaf hash (64 hex digits) as bytes; `None` when the text is not one. A table and no
/// branches per digit: verification reads one for every event.
pub fn stored_hash(text: &str) -> Option<[u8; 32]> {
    const NOT_HEX: u8 = 0xff;
    const DIGITS: [u8; 256] = {
        let mut t = [NOT_HEX; 256];
        let mut c = 0;
        while c < 10 {
            t[b'0' as usize + c] = c as u8;
            c += 1;
        }
        let mut c = 0;
        while c < 6 {
            t[b'a' as usize + c] = 10 + c as u8;
            t[b'A' as usize + c] = 10 + c as u8;
            c += 1;
        }
        t
    };
    let text: &[u8; 64] = text.as_bytes().try_into().ok()?;
    let (mut out, mut seen) = ([0u8; 32], 0u8);
    for (i, byte) in out.iter_mut().enumerate() {
        let (high, low) = (
            DIGITS[text[2 * i] as usize],
            DIGITS[text[2 * i + 1] as usize],
        );
        seen |= high | low;
        *byte = (high << 4) | low;
    }
    (seen & 0xf0 == 0).then_some(out)
}

/// The leaves in `[$1, $2)`, in leaf order, for SQLite's readers; their events are read apart
/// and matched to them (see [`read_page`]).
const LEAVES: &str = "SELECT leaf_index, event_seq, leaf_hash FROM audit_log \
     WHERE leaf_index >= ?1 AND leaf_index < ?2 ORDER BY leaf_index";

/// The event columns [`sqlite_record`] reads, `seq` first, for SQLite's readers.
const SQLITE_EVENT: &str = "SELECT seq, id, occurred_at, practice_id, actor_id, actor, action, \
     object_type, object_id, outcome, details, ip, user_agent, request_id FROM audit_events";

/// Pages read at once (on SQLite, threads with read-only connections of their own): one for
/// each core, two to four. Reading the rows is most of verification's work: one reader kept
/// one core busy while hashing used a fifth of the other.
fn readers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4))
}

/// SQLite: the log's pages read by [`readers`] threads taking turns (with two: pages 0, 2, 4…
/// and 1, 3, 5…), passed on in order. The log is read up to its last leaf at the start; its
/// rows below that never change (append-only), so each reader's own snapshot sees the same.
pub(crate) fn sqlite_leaves(path: PathBuf, from: i64) -> mpsc::Receiver<Result<LogPage>> {
    let (tx, rx) = mpsc::channel(PAGES_AHEAD);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = read_sqlite(&path, from, &tx) {
            let _ = tx.blocking_send(Err(StoreError::Corrupt(format!(
                "reading the audit log from {}: {e}",
                path.display()
            ))));
        }
    });
    rx
}

fn open_reader(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "mmap_size", 1i64 << 40)?;
    Ok(conn)
}

fn read_sqlite(
    path: &std::path::Path,
    from: i64,
    tx: &mpsc::Sender<Result<LogPage>>,
) -> rusqlite::Result<()> {
    let end: i64 = open_reader(path)?.query_row(crate::queries::LOG_SIZE, [], |r| r.get(0))?;
    let pages = usize::try_from(end - from).unwrap_or(0).div_ceil(PAGE);
    let readers = readers();
    std::thread::scope(|scope| {
        let turns: Vec<_> = (0..readers)
            .map(|reader| {
                let (page_tx, page_rx) = std::sync::mpsc::sync_channel(1);
                scope.spawn(move || {
                    let read = |conn: &rusqlite::Connection, page: usize| {
                        let start = from + (page * PAGE) as i64;
                        read_page(conn, start, (start + PAGE as i64).min(end))
                    };
                    let conn = open_reader(path);
                    for page in (reader..pages).step_by(readers) {
                        let result = conn
                            .as_ref()
                            .map_err(|e| e.to_string())
                            .and_then(|c| read(c, page).map_err(|e| e.to_string()));
                        let failed = result.is_err();
                        // Stops when the verifier has stopped (at a fault) or this failed.
                        if page_tx.send(result).is_err() || failed {
                            break;
                        }
                    }
                });
                page_rx
            })
            .collect();
        for page in 0..pages {
            let next = match turns[page % readers].recv() {
                Ok(Ok(p)) => Ok(p),
                Ok(Err(e)) => Err(StoreError::Corrupt(format!(
                    "reading the audit log from {}: {e}",
                    path.display()
                ))),
                Err(_) => break,
            };
            let failed = next.is_err();
            if tx.blocking_send(next).is_err() || failed {
                break;
            }
        }
        // Readers still running stop at their next page once no one receives: the scope then
        // waits for them.
        drop(turns);
    });
    Ok(())
}

/// The leaves in `[start, end)` with their events' records: the leaves by one range of the
/// log's index, then their events by one range of the events' (or, when the page's sequence
/// numbers lie far apart, one by one), matched here. A join looked each event up on its own,
/// a search from the top of the table for every leaf.
fn read_page(conn: &rusqlite::Connection, start: i64, end: i64) -> rusqlite::Result<LogPage> {
    let mut page = new_page();
    {
        let mut leaves = conn.prepare_cached(LEAVES)?;
        let mut rows = leaves.query([start, end])?;
        while let Some(row) = rows.next()? {
            let hash: rusqlite::types::ValueRef = row.get_ref(2)?;
            page.leaves.push(LogLeaf {
                leaf_index: row.get(0)?,
                event_seq: row.get(1)?,
                leaf_hash: hash.as_str().ok().and_then(stored_hash),
                record: None,
            });
        }
    }
    let Some(wanted) = events_wanted(&page.leaves) else {
        return Ok(page);
    };
    let mut records = Vec::with_capacity(page.leaves.len());
    let mut found = |row: &rusqlite::Row<'_>| -> rusqlite::Result<()> {
        let record = written(&mut page.records, |out| sqlite_record(row, out));
        records.push((row.get(0)?, record));
        Ok(())
    };
    match wanted {
        Wanted::Range(low, high) => {
            let mut events = conn.prepare_cached(&format!(
                "{SQLITE_EVENT} WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq"
            ))?;
            let mut rows = events.query([low, high])?;
            while let Some(row) = rows.next()? {
                found(row)?;
            }
        }
        Wanted::List(seqs) => {
            let mut event = conn.prepare_cached(&format!("{SQLITE_EVENT} WHERE seq = ?1"))?;
            for seq in seqs {
                if let Some(row) = event.query([seq])?.next()? {
                    found(row)?;
                }
            }
        }
    }
    give_records(&mut page, records);
    Ok(page)
}

/// Which events a page's leaves need: the range of their sequence numbers, or the list of them
/// when they lie far apart (someone has moved a leaf); `None` for no leaves.
enum Wanted {
    Range(i64, i64),
    List(Vec<i64>),
}

fn events_wanted(leaves: &[LogLeaf]) -> Option<Wanted> {
    let mut seqs: Vec<i64> = leaves.iter().map(|l| l.event_seq).collect();
    seqs.sort_unstable();
    let (&low, &high) = (seqs.first()?, seqs.last()?);
    Some(if high - low < 4 * PAGE as i64 {
        Wanted::Range(low, high)
    } else {
        Wanted::List(seqs)
    })
}

/// Gives each leaf its event's record from `records`, `(seq, record)` in sequence order as
/// read; a leaf whose event is not among them has none (its row is gone).
fn give_records(page: &mut LogPage, records: Vec<(i64, Result<std::ops::Range<usize>, String>)>) {
    for leaf in &mut page.leaves {
        if let Ok(i) = records.binary_search_by_key(&leaf.event_seq, |(seq, _)| *seq) {
            leaf.record = Some(records[i].1.clone());
        }
    }
}

fn new_page() -> LogPage {
    LogPage {
        leaves: Vec::with_capacity(PAGE),
        records: Vec::with_capacity(PAGE * 256),
    }
}

/// Writes a record at the end of a page's buffer: where it lies, or what is wrong with its row
/// (and nothing written).
fn written(
    records: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), String>,
) -> Result<std::ops::Range<usize>, String> {
    let start = records.len();
    match write(records) {
        Ok(()) => Ok(start..records.len()),
        Err(what) => {
            records.truncate(start);
            Err(what)
        }
    }
}

/// An event row's canonical record, read from SQLite's columns ([`SQLITE_EVENT`]).
/// A value of the wrong kind (a UUID that is not 16 bytes, a time that is not a timestamp)
/// is a changed row.
fn sqlite_record(row: &rusqlite::Row<'_>, out: &mut Vec<u8>) -> Result<(), String> {
    use rusqlite::types::ValueRef;
    let value = |i: usize| row.get_ref(i).unwrap_or(ValueRef::Null);
    let uuid = |i: usize, what: &str| match value(i) {
        ValueRef::Null => Ok(None),
        ValueRef::Blob(b) => Uuid::from_slice(b)
            .map(Some)
            .map_err(|_| format!("its {what} is not a UUID")),
        _ => Err(format!("its {what} is not a UUID")),
    };
    // Text as stored, unchecked: bytes other than those recorded change the hash anyway.
    let text = |i: usize, what: &str| match value(i) {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => Ok(Some(t)),
        _ => Err(format!("its {what} is not text")),
    };
    let required =
        |i: usize, what: &str| text(i, what)?.ok_or_else(|| format!("its {what} is missing"));
    let time = required(2, "time")?;
    let occurred_at = match stored_time_canonical(time) {
        Some(canonical) => EventTime::Canonical(canonical),
        None => EventTime::At(
            std::str::from_utf8(time)
                .ok()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .ok_or("its time is not a timestamp")?
                .with_timezone(&Utc),
        ),
    };
    EventColumns {
        id: uuid(1, "id")?.ok_or("its id is missing")?,
        occurred_at,
        practice_id: uuid(3, "practice")?,
        actor_id: uuid(4, "actor id")?,
        actor: required(5, "actor")?,
        action: required(6, "action")?,
        object_type: required(7, "object type")?,
        object_id: text(8, "object id")?,
        outcome: required(9, "outcome")?,
        details: required(10, "details")?,
        ip: text(11, "IP address")?,
        user_agent: text(12, "user agent")?,
        request_id: text(13, "request id")?,
    }
    .write_canonical(out)
}

/// PostgreSQL: pages read from the pool by tasks that overlap (each page a query of its own,
/// the next ones under way while one is decoded and hashed), passed on in order. The log is
/// read up to its last leaf at the start, as on SQLite.
pub(crate) fn postgres_leaves(pool: sqlx::PgPool, from: i64) -> mpsc::Receiver<Result<LogPage>> {
    let (tx, rx) = mpsc::channel(PAGES_AHEAD);
    tokio::spawn(async move {
        let end: i64 = match sqlx::query_scalar(crate::queries::LOG_SIZE)
            .fetch_one(&pool)
            .await
        {
            Ok(end) => end,
            Err(e) => {
                let _ = tx.send(Err(e.into())).await;
                return;
            }
        };
        let (mut reading, readers) = (std::collections::VecDeque::new(), readers());
        let mut start = from;
        loop {
            while reading.len() < readers && start < end {
                let (pool, page_end) = (pool.clone(), (start + PAGE as i64).min(end));
                reading.push_back(tokio::spawn(async move {
                    postgres_page(&pool, start, page_end).await
                }));
                start = page_end;
            }
            let Some(next) = reading.pop_front() else {
                return;
            };
            let page = next.await.unwrap_or_else(|e| {
                Err(StoreError::Corrupt(format!("reading the audit log: {e}")))
            });
            let failed = page.is_err();
            // Stops when the verifier has stopped (at a fault) or a page could not be read.
            if tx.send(page).await.is_err() || failed {
                return;
            }
        }
    });
    rx
}

/// The event columns [`postgres_event`] reads on PostgreSQL, `seq` first.
const PG_EVENT: &str = "SELECT seq, id, occurred_at, practice_id, actor_id, actor, action, object_type, object_id, \
     outcome, details, ip, user_agent, request_id FROM audit_events";

/// The leaves in `[start, end)`, with their events, in one read-only snapshot: the
/// leaves by one range of the log's index, their events by one range of the events' (or, when
/// the page's sequence numbers lie far apart, by the list of them), matched here. A join
/// looks each event up on its own, which made reading the log cost several times more.
///
/// Both are read with `COPY … TO STDOUT (FORMAT binary)` and decoded here ([`CopyRows`]):
/// sqlx's rows (a stream item, a type check and a lookup for every column) cost the client as
/// much as the server's whole query.
async fn postgres_page(pool: &sqlx::PgPool, start: i64, end: i64) -> Result<LogPage> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let leaves = copy_out(
        &mut tx,
        &format!(
            "SELECT leaf_index, event_seq, leaf_hash FROM audit_log \
             WHERE leaf_index >= {start} AND leaf_index < {end} ORDER BY leaf_index"
        ),
    )
    .await?;
    let mut page = new_page();
    let mut rows = CopyRows::new(&leaves).map_err(unreadable)?;
    let mut fields = [None; 3];
    while rows.next_row(&mut fields).map_err(unreadable)? {
        let (Some(leaf_index), Some(event_seq)) = (int8(fields[0]), int8(fields[1])) else {
            return Err(unreadable("a leaf's index or event is not a number".into()));
        };
        page.leaves.push(LogLeaf {
            leaf_index,
            event_seq,
            leaf_hash: fields[2]
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(stored_hash),
            record: None,
        });
    }
    let Some(wanted) = events_wanted(&page.leaves) else {
        return Ok(page);
    };
    let which = match wanted {
        Wanted::Range(low, high) => format!("seq BETWEEN {low} AND {high}"),
        Wanted::List(seqs) => {
            let list: Vec<String> = seqs.iter().map(i64::to_string).collect();
            format!("seq = ANY('{{{}}}'::bigint[])", list.join(","))
        }
    };
    let events = copy_out(&mut tx, &format!("{PG_EVENT} WHERE {which} ORDER BY seq")).await?;
    tx.commit().await?;
    let mut records = Vec::with_capacity(page.leaves.len());
    let mut rows = CopyRows::new(&events).map_err(unreadable)?;
    let mut fields = [None; 14];
    while rows.next_row(&mut fields).map_err(unreadable)? {
        let seq =
            int8(fields[0]).ok_or_else(|| unreadable("an event's seq is not a number".into()))?;
        let record = written(&mut page.records, |out| {
            postgres_event(&fields)?.write_canonical(out)
        });
        records.push((seq, record));
    }
    give_records(&mut page, records);
    Ok(page)
}

/// The rows of a `COPY (query) TO STDOUT (FORMAT binary)`, in one buffer.
async fn copy_out(conn: &mut sqlx::PgConnection, query: &str) -> Result<Vec<u8>> {
    let mut stream = conn
        .copy_out_raw(&format!("COPY ({query}) TO STDOUT (FORMAT binary)"))
        .await?;
    let mut out = Vec::new();
    while let Some(chunk) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

fn unreadable(what: String) -> StoreError {
    StoreError::Corrupt(format!("reading the audit log: {what}"))
}

/// PostgreSQL's binary copy format: a signature, flags and a header extension, then for each
/// row its number of fields and each field's length (-1 for NULL) and bytes, then -1.
struct CopyRows<'a> {
    rest: &'a [u8],
}

impl<'a> CopyRows<'a> {
    const SIGNATURE: &'static [u8] = b"PGCOPY\n\xff\r\n\0";

    fn new(data: &'a [u8]) -> std::result::Result<Self, String> {
        let rest = data
            .strip_prefix(Self::SIGNATURE)
            .ok_or("the copy has no binary signature")?;
        let mut rows = CopyRows { rest };
        rows.take(4)?; // flags: none that matter to rows
        let extension = rows.int(4)?;
        rows.take(usize::try_from(extension).map_err(|_| "a bad header")?)?;
        Ok(rows)
    }

    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        if self.rest.len() < n {
            return Err("the copy ends in the middle of a row".into());
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    fn int(&mut self, width: usize) -> std::result::Result<i32, String> {
        let b = self.take(width)?;
        Ok(if width == 2 {
            i16::from_be_bytes([b[0], b[1]]) as i32
        } else {
            i32::from_be_bytes([b[0], b[1], b[2], b[3]])
        })
    }

    /// Reads the next row's fields into `fields` (which must be as many as the row has);
    /// `false` at the end.
    fn next_row(&mut self, fields: &mut [Option<&'a [u8]>]) -> std::result::Result<bool, String> {
        let count = self.int(2)?;
        if count == -1 {
            return Ok(false);
        }
        if count as usize != fields.len() {
            return Err(format!("a row has {count} fields, not {}", fields.len()));
        }
        for field in fields.iter_mut() {
            let len = self.int(4)?;
            *field = if len < 0 {
                None
            } else {
                Some(self.take(len as usize)?)
            };
        }
        Ok(true)
    }
}

/// A `bigint` in binary form.
fn int8(field: Option<&[u8]>) -> Option<i64> {
    Some(i64::from_be_bytes(field?.try_into().ok()?))
}

/// An event row's columns as [`PG_EVENT`] reads them, in binary form. A value of the wrong form
/// (a column whose type was changed) is a changed row.
fn postgres_event<'a>(
    fields: &[Option<&'a [u8]>; 14],
) -> std::result::Result<EventColumns<'a>, String> {
    let uuid = |i: usize, what: &str| match fields[i] {
        None => Ok(None),
        Some(b) => Uuid::from_slice(b)
            .map(Some)
            .map_err(|_| format!("its {what} is not a UUID")),
    };
    let text = |i: usize| fields[i];
    let required = |i: usize, what: &str| fields[i].ok_or_else(|| format!("its {what} is missing"));
    // Microseconds since 2000-01-01 UTC.
    const EPOCH_2000: i64 = 946_684_800_000_000;
    let occurred_at = int8(fields[2])
        .and_then(|us| us.checked_add(EPOCH_2000))
        .and_then(DateTime::from_timestamp_micros)
        .ok_or("its time is not a timestamp")?;
    Ok(EventColumns {
        id: uuid(1, "id")?.ok_or("its id is missing")?,
        occurred_at: EventTime::At(occurred_at),
        practice_id: uuid(3, "practice")?,
        actor_id: uuid(4, "actor id")?,
        actor: required(5, "actor")?,
        action: required(6, "action")?,
        object_type: required(7, "object type")?,
        object_id: text(8),
        outcome: required(9, "outcome")?,
        details: required(10, "details")?,
        ip: text(11),
        user_agent: text(12),
        request_id: text(13),
    })
}
