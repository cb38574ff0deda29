-- Register imports waiting for the person who uploaded them to choose how to write them.
-- PostgreSQL dialect; keep in step with ../sqlite/0005_asset_imports.sql.

CREATE TABLE asset_imports (
    id            UUID PRIMARY KEY,
    practice_id   UUID NOT NULL REFERENCES practices (id),
    uploaded_by   UUID NOT NULL REFERENCES people (id),
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BYTEA,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'imported', 'discarded')),
    written       BIGINT NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    completed_at  TIMESTAMPTZ
);
CREATE INDEX asset_imports_practice ON asset_imports (practice_id, created_at);
