-- Information incidents: what staff report, how the practice grades and decides on them, and
-- each incident's timeline. SQLite dialect; keep in step with ../postgres/0011_incidents.sql.

-- Each practice's incidents are numbered per year (INC-2026-0042): one row per practice and
-- year, taken with an upsert so reporters at the same moment never collide.
CREATE TABLE incident_numbers (
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    year         INTEGER NOT NULL,
    last         INTEGER NOT NULL,
    PRIMARY KEY (practice_id, year)
);

CREATE TABLE incidents (
    id                  BLOB PRIMARY KEY,
    practice_id         BLOB NOT NULL REFERENCES practices (id),
    reference           TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('wrong_recipient', 'lost_or_stolen', 'inappropriate_access', 'malware_or_phishing', 'system_unavailable', 'other')),
    status              TEXT NOT NULL CHECK (status IN ('reported', 'triage', 'investigating', 'contained', 'closed')),
    what_happened       TEXT NOT NULL,
    location            TEXT NOT NULL,
    occurred_at         TEXT NOT NULL,
    discovered_at       TEXT NOT NULL,
    reported_at         TEXT NOT NULL,
    reported_by         BLOB NOT NULL REFERENCES people (id),
    on_behalf_of        TEXT,
    patient_data        INTEGER NOT NULL,
    staff_data          INTEGER NOT NULL,
    near_miss           INTEGER NOT NULL,
    asset_id            BLOB REFERENCES assets (id),
    likelihood          INTEGER CHECK (likelihood BETWEEN 1 AND 5),
    severity            INTEGER CHECK (severity BETWEEN 1 AND 5),
    vulnerable          INTEGER NOT NULL DEFAULT 0,
    reportable          INTEGER,
    notify_dhsc         INTEGER,
    breach_types        TEXT NOT NULL DEFAULT '',
    people_affected     INTEGER,
    records_affected    INTEGER,
    senior_told_at      TEXT,
    ico_decision        TEXT CHECK (ico_decision IN ('reported', 'not_reportable')),
    ico_reference       TEXT,
    ico_reported_at     TEXT,
    ico_reason          TEXT,
    subjects_decision   TEXT CHECK (subjects_decision IN ('told', 'not_told')),
    subjects_note       TEXT,
    subjects_decided_at TEXT,
    lessons             TEXT,
    risk_id             BLOB REFERENCES risks (id),
    closed_at           TEXT,
    updated_at          TEXT NOT NULL,
    UNIQUE (practice_id, reference)
);
CREATE INDEX incidents_practice ON incidents (practice_id, reported_at DESC);
CREATE INDEX incidents_reporter ON incidents (practice_id, reported_by, reported_at DESC);
-- The open ones (the register's default, the clocks, the home page's items).
CREATE INDEX incidents_open ON incidents (practice_id, status, discovered_at);

-- What was done, when and by whom: the first entry is written with the report.
CREATE TABLE incident_entries (
    id           BLOB PRIMARY KEY,
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    incident_id  BLOB NOT NULL REFERENCES incidents (id),
    at           TEXT NOT NULL,
    by_id        BLOB REFERENCES people (id),
    by_name      TEXT NOT NULL,
    step         TEXT NOT NULL,
    text         TEXT NOT NULL
);
CREATE INDEX incident_entries_incident ON incident_entries (practice_id, incident_id, at);
