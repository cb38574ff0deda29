-- Register imports (the asset and the risk registers) waiting for the person who uploaded them to choose how to write them.
-- SQLite dialect; keep in step with ../postgres/0005_register_imports.sql.

CREATE TABLE register_imports (
    id            BLOB PRIMARY KEY,
    register      TEXT NOT NULL CHECK (register IN ('assets', 'risks')),
    practice_id   BLOB NOT NULL REFERENCES practices (id),
    uploaded_by   BLOB NOT NULL REFERENCES people (id),
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'imported', 'discarded')),
    written       INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    completed_at  TEXT
);
CREATE INDEX register_imports_practice ON register_imports (practice_id, created_at);
