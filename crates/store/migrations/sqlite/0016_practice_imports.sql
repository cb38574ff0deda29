-- A provider's list of practices is imported through the same staged files as the registers:
-- such a file belongs to no practice. SQLite cannot change a column's constraints in place, so
-- the table is rebuilt (nothing refers to it). SQLite dialect; keep in step with
-- ../postgres/0016_practice_imports.sql.
CREATE TABLE register_imports_new (
    id            BLOB PRIMARY KEY,
    register      TEXT NOT NULL CHECK (register IN ('assets', 'risks', 'practices')),
    -- Empty only for a list of practices, which is the provider's.
    practice_id   BLOB REFERENCES practices (id),
    uploaded_by   BLOB NOT NULL REFERENCES people (id),
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'imported', 'discarded')),
    written       INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    completed_at  TEXT,
    CHECK ((practice_id IS NULL) = (register = 'practices'))
);
INSERT INTO register_imports_new
    SELECT id, register, practice_id, uploaded_by, file_name, sha256, content, status, written,
           created_at, completed_at
    FROM register_imports;
DROP TABLE register_imports;
ALTER TABLE register_imports_new RENAME TO register_imports;
CREATE INDEX register_imports_practice ON register_imports (practice_id, created_at);
