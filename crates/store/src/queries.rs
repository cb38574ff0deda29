//! The queries, written once for both backends. SQLite and PostgreSQL both accept `$1`-style
//! parameters, `RETURNING`, row-value comparisons and the same column types as sqlx binds them,
//! so the text is shared; `impl_store!` expands it for each backend's pool type. The schema
//! differences live in the migrations.

/// Current time at the precision both databases keep (microseconds), so what is read back
/// equals what was written.
pub(crate) fn now() -> crate::Timestamp {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}

/// The values an event is stored with that are not its own fields: a new id, the practice and
/// actor ids, the details as text, and the leaf hash of all of it as stored (at `at`).
pub(crate) fn event_rows(
    event: &crate::AuditEvent,
    at: crate::Timestamp,
) -> (
    uuid::Uuid,
    Option<uuid::Uuid>,
    Option<uuid::Uuid>,
    String,
    Option<String>,
) {
    let id = uuid::Uuid::now_v7();
    let details = event.details.to_string();
    let leaf_hash = crate::event_leaf_hash(id, at, event, &details).map(hex::encode);
    (
        id,
        event.practice_id.map(|p| p.0),
        event.meta.actor_id.map(|p| p.0),
        details,
        leaf_hash,
    )
}

/// The log's size: leaves are numbered from 0 without gaps (verification checks it), so the
/// last index + 1 — one index lookup, not a count of every row.
pub(crate) const LOG_SIZE: &str = "SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM audit_log";

/// The events with sequence numbers in ($1, $2] that are not yet leaves of the log, with the
/// leaf hashes stored at append, in sequence order. A bounded range on both tables: the
/// databases walk their indexes over just that range (an open-ended "seq > n" lets PostgreSQL,
/// before it has statistics, choose to scan both tables whole).
pub(crate) const UNINTEGRATED: &str = "SELECT e.seq, e.leaf_hash FROM audit_events e WHERE e.seq > $1 AND e.seq <= $2 \
     AND NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.event_seq = e.seq AND l.event_seq > $1 AND l.event_seq <= $2) \
     ORDER BY e.seq";

pub(crate) fn roles_from_csv<R: std::str::FromStr>(csv: Option<String>) -> crate::Result<Vec<R>> {
    let mut roles = Vec::new();
    for r in csv.unwrap_or_default().split(',').filter(|s| !s.is_empty()) {
        roles.push(
            r.parse()
                .map_err(|_| crate::StoreError::Corrupt(format!("unknown role {r}")))?,
        );
    }
    Ok(roles)
}

/// What changed between two versions of a record, field by field, as an audit event records it:
/// `{field: {"old": …, "new": …}}` for each field whose value differs (fields only in the new
/// version count as changed from nothing).
pub(crate) fn changed_fields<T: serde::Serialize>(
    old: &T,
    new: &T,
) -> serde_json::Map<String, serde_json::Value> {
    let (o, n) = (
        serde_json::to_value(old).unwrap_or_default(),
        serde_json::to_value(new).unwrap_or_default(),
    );
    let mut changes = serde_json::Map::new();
    for (k, val) in n.as_object().into_iter().flatten() {
        if o.get(k) != Some(val) {
            changes.insert(
                k.clone(),
                serde_json::json!({ "old": o.get(k), "new": val }),
            );
        }
    }
    changes
}

pub(crate) fn sort_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Names the sqlx database type of a store, for the shared query code.
pub(crate) trait HasDb {
    type Db: sqlx::Database;
    /// The `n`th parameter of a long, generated statement: `$n`. SQLite's own form is the
    /// anonymous `?`: sqlx asks SQLite each parameter's name, which SQLite finds by walking the
    /// list of named ones, so a statement of thousands of `$n` costs time in the square of
    /// their number to bind.
    fn placeholder(n: usize) -> String {
        format!("${n}")
    }
}
