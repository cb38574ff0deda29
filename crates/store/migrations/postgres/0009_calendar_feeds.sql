-- Each person's calendar feed: a secret address their calendar subscribes to for their due
-- dates. Only the secret's SHA-256 is kept; a new address ends the old one, and the person can
-- end it. PostgreSQL dialect; keep in step with ../sqlite/0009_calendar_feeds.sql.

CREATE TABLE calendar_feeds (
    token_hash  TEXT PRIMARY KEY,
    person_id   UUID NOT NULL REFERENCES people (id),
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX calendar_feeds_person ON calendar_feeds (person_id);
