-- An evidence file's bytes kept in parts of 1 MiB (the last one shorter), so that a download
-- starts sending the first part while the next is read, instead of reading the whole file
-- first. The bytes already kept move into parts. SQLite dialect; keep in step with
-- ../postgres/0018_evidence_parts.sql.
CREATE TABLE evidence_blob_parts (
    practice_id  BLOB NOT NULL,
    sha256       TEXT NOT NULL,
    part         INTEGER NOT NULL,
    content      BLOB NOT NULL,
    PRIMARY KEY (practice_id, sha256, part),
    FOREIGN KEY (practice_id, sha256) REFERENCES evidence_blobs (practice_id, sha256)
);
WITH RECURSIVE cut (practice_id, sha256, part, size) AS (
    SELECT practice_id, sha256, 0, size FROM evidence_blobs
    UNION ALL
    SELECT practice_id, sha256, part + 1, size FROM cut WHERE (part + 1) * 1048576 < size
)
INSERT INTO evidence_blob_parts (practice_id, sha256, part, content)
    SELECT c.practice_id, c.sha256, c.part,
           COALESCE(substr(b.content, c.part * 1048576 + 1, 1048576), x'')
    FROM cut c JOIN evidence_blobs b ON b.practice_id = c.practice_id AND b.sha256 = c.sha256;
ALTER TABLE evidence_blobs DROP COLUMN content;
