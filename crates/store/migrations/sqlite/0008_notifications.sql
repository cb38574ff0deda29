-- Notifications: what needs a person's attention in a practice, kept per person so it reaches
-- them (in Custodian now; by email and in a calendar feed later). A notice stays live while the
-- thing it is about still needs doing and is settled (done_at) when it no longer does. SQLite
-- dialect; keep in step with ../postgres/0008_notifications.sql.

CREATE TABLE notices (
    id           BLOB PRIMARY KEY,
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    person_id    BLOB NOT NULL REFERENCES people (id),
    -- Where it points, under the practice (`/requests`): one live notice per person and topic.
    topic        TEXT NOT NULL,
    text         TEXT NOT NULL,
    raised_at    TEXT NOT NULL,
    read_at      TEXT,
    done_at      TEXT
);
CREATE UNIQUE INDEX notices_live ON notices (person_id, practice_id, topic) WHERE done_at IS NULL;
CREATE INDEX notices_person ON notices (person_id, raised_at DESC);
