-- Retention: events older than the retention setting may be pruned. A pruned event's row goes;
-- its leaf (and leaf hash) stays, so the tree, every signed checkpoint and every proof still
-- verify, and the prune itself is an event in the log. PostgreSQL dialect; keep in step with
-- ../sqlite/0007_audit_retention.sql.

-- The log's leaves outlive their events.
ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_event_seq_fkey;

-- A prune's permit, present only inside the prune's own transaction: events may be deleted
-- only when they are already leaves at or before the permitted leaf. Any other change or
-- deletion (and TRUNCATE) is refused as before.
CREATE TABLE audit_prune_permit (
    through_leaf  BIGINT NOT NULL
);
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM audit_log l, audit_prune_permit p
        WHERE l.event_seq = OLD.seq AND l.leaf_index <= p.through_leaf
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;

-- Each event's leaf hash, computed from the values written when the event is appended, so that
-- integration reads one column instead of decoding every event (verification still recomputes
-- every hash from the event's own columns). Empty for events appended before this migration.
ALTER TABLE audit_events ADD COLUMN leaf_hash TEXT;
