-- The tamper-evident log over audit_events: each event becomes a leaf of an RFC 9162 Merkle
-- tree, in the order it was integrated (its leaf index); checkpoints sign the tree's size and
-- root. All append-only. PostgreSQL dialect; keep in step with ../sqlite/0003_audit_log.sql.

CREATE TABLE audit_log (
    leaf_index     BIGINT PRIMARY KEY,
    event_seq      BIGINT NOT NULL UNIQUE REFERENCES audit_events (seq),
    leaf_hash      TEXT NOT NULL,
    integrated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_checkpoints (
    tree_size   BIGINT PRIMARY KEY,
    root_hash   TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_verifications (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ran_at    TIMESTAMPTZ NOT NULL,
    ok        BOOLEAN NOT NULL,
    summary   TEXT NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
