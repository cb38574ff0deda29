-- The tamper-evident log over audit_events: each event becomes a leaf of an RFC 9162 Merkle
-- tree, in the order it was integrated (its leaf index); checkpoints sign the tree's size and
-- root. All append-only. SQLite dialect; keep in step with ../postgres/0003_audit_log.sql.


CREATE TABLE audit_log (
    leaf_index     INTEGER PRIMARY KEY,
    event_seq      INTEGER NOT NULL UNIQUE REFERENCES audit_events (seq),
    leaf_hash      TEXT NOT NULL,
    integrated_at  TEXT NOT NULL
);

CREATE TABLE audit_checkpoints (
    tree_size   INTEGER PRIMARY KEY,
    root_hash   TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE audit_verifications (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ran_at    TEXT NOT NULL,
    ok        INTEGER NOT NULL,
    summary   TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
