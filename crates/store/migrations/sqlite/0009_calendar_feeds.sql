-- Each person's calendar feed: a secret address their calendar subscribes to for their due
-- dates. Only the secret's SHA-256 is kept; a new address ends the old one, and the person can
-- end it. SQLite dialect; keep in step with ../postgres/0009_calendar_feeds.sql.

CREATE TABLE calendar_feeds (
    token_hash  TEXT PRIMARY KEY,
    person_id   BLOB NOT NULL REFERENCES people (id),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX calendar_feeds_person ON calendar_feeds (person_id);
