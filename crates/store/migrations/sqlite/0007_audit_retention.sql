-- Retention: events older than the retention setting may be pruned. A pruned event's row goes;
-- its leaf (and leaf hash) stays, so the tree, every signed checkpoint and every proof still
-- verify, and the prune itself is an event in the log. SQLite dialect; keep in step with
-- ../postgres/0007_audit_retention.sql.

-- The log's leaves outlive their events: audit_log loses its foreign key to audit_events
-- (SQLite rebuilds the table to drop it).
CREATE TABLE audit_log_rebuilt (
    leaf_index     INTEGER PRIMARY KEY,
    event_seq      INTEGER NOT NULL UNIQUE,
    leaf_hash      TEXT NOT NULL,
    integrated_at  TEXT NOT NULL
);
INSERT INTO audit_log_rebuilt (leaf_index, event_seq, leaf_hash, integrated_at)
    SELECT leaf_index, event_seq, leaf_hash, integrated_at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_rebuilt RENAME TO audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- A prune's permit, present only inside the prune's own transaction: events may be deleted
-- only when they are already leaves at or before the permitted leaf. Any other deletion is
-- refused as before.
CREATE TABLE audit_prune_permit (
    through_leaf  INTEGER NOT NULL
);
DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (
    SELECT 1 FROM audit_log l, audit_prune_permit p
    WHERE l.event_seq = old.seq AND l.leaf_index <= p.through_leaf
)
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

-- Each event's leaf hash, computed from the values written when the event is appended, so that
-- integration reads one column instead of decoding every event (verification still recomputes
-- every hash from the event's own columns). Empty for events appended before this migration.
ALTER TABLE audit_events ADD COLUMN leaf_hash TEXT;
