-- Evidence files: what a practice attaches to a record (an incident today; devices, policies
-- and the DSPT later). PostgreSQL dialect; keep in step with ../sqlite/0012_evidence.sql.

-- The bytes, once per practice and content (addressed by SHA-256): the same scan attached to
-- two records is kept once, and one practice's file is never reached through another's hash.
CREATE TABLE evidence_blobs (
    practice_id  UUID NOT NULL REFERENCES practices (id),
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content      BYTEA NOT NULL,
    PRIMARY KEY (practice_id, sha256)
);

-- A file attached to a record. Removing it keeps the row (who, when, why) and the bytes until
-- the deployment's retention for removed files passes; then the scheduler deletes both.
CREATE TABLE evidence_files (
    id              UUID PRIMARY KEY,
    practice_id     UUID NOT NULL REFERENCES practices (id),
    holder          TEXT NOT NULL,
    holder_id       UUID NOT NULL,
    sha256          TEXT NOT NULL,
    filename        TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('pdf', 'png', 'jpeg', 'docx', 'xlsx', 'csv', 'txt', 'eml')),
    size            BIGINT NOT NULL,
    added_at        TIMESTAMPTZ NOT NULL,
    added_by        UUID REFERENCES people (id),
    added_by_name   TEXT NOT NULL,
    removed_at      TIMESTAMPTZ,
    removed_by_name TEXT,
    removed_reason  TEXT,
    FOREIGN KEY (practice_id, sha256) REFERENCES evidence_blobs (practice_id, sha256)
);
CREATE INDEX evidence_files_holder ON evidence_files (practice_id, holder, holder_id, added_at);
CREATE INDEX evidence_files_removed ON evidence_files (removed_at) WHERE removed_at IS NOT NULL;
