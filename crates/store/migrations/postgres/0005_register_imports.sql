-- Register imports (the asset and the risk registers) waiting for the person who uploaded them to choose how to write them.
-- PostgreSQL dialect; keep in step with ../sqlite/0005_register_imports.sql.

CREATE TABLE register_imports (
    id            UUID PRIMARY KEY,
    register      TEXT NOT NULL CHECK (register IN ('assets', 'risks')),
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
CREATE INDEX register_imports_practice ON register_imports (practice_id, created_at);
