-- Information incidents: what staff report, how the practice grades and decides on them, and
-- each incident's timeline. PostgreSQL dialect; keep in step with ../sqlite/0011_incidents.sql.

-- Each practice's incidents are numbered per year (INC-2026-0042): one row per practice and
-- year, taken with an upsert so reporters at the same moment never collide.
CREATE TABLE incident_numbers (
    practice_id  UUID NOT NULL REFERENCES practices (id),
    year         BIGINT NOT NULL,
    last         BIGINT NOT NULL,
    PRIMARY KEY (practice_id, year)
);

CREATE TABLE incidents (
    id                  UUID PRIMARY KEY,
    practice_id         UUID NOT NULL REFERENCES practices (id),
    reference           TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('wrong_recipient', 'lost_or_stolen', 'inappropriate_access', 'malware_or_phishing', 'system_unavailable', 'other')),
    status              TEXT NOT NULL CHECK (status IN ('reported', 'triage', 'investigating', 'contained', 'closed')),
    what_happened       TEXT NOT NULL,
    location            TEXT NOT NULL,
    occurred_at         TIMESTAMPTZ NOT NULL,
    discovered_at       TIMESTAMPTZ NOT NULL,
    reported_at         TIMESTAMPTZ NOT NULL,
    reported_by         UUID NOT NULL REFERENCES people (id),
    on_behalf_of        TEXT,
    patient_data        BOOLEAN NOT NULL,
    staff_data          BOOLEAN NOT NULL,
    near_miss           BOOLEAN NOT NULL,
    asset_id            UUID REFERENCES assets (id),
    likelihood          BIGINT CHECK (likelihood BETWEEN 1 AND 5),
    severity            BIGINT CHECK (severity BETWEEN 1 AND 5),
    vulnerable          BOOLEAN NOT NULL DEFAULT FALSE,
    reportable          BOOLEAN,
    notify_dhsc         BOOLEAN,
    breach_types        TEXT NOT NULL DEFAULT '',
    people_affected     BIGINT,
    records_affected    BIGINT,
    senior_told_at      TIMESTAMPTZ,
    ico_decision        TEXT CHECK (ico_decision IN ('reported', 'not_reportable')),
    ico_reference       TEXT,
    ico_reported_at     TIMESTAMPTZ,
    ico_reason          TEXT,
    subjects_decision   TEXT CHECK (subjects_decision IN ('told', 'not_told')),
    subjects_note       TEXT,
    subjects_decided_at TIMESTAMPTZ,
    lessons             TEXT,
    risk_id             UUID REFERENCES risks (id),
    closed_at           TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (practice_id, reference)
);
CREATE INDEX incidents_practice ON incidents (practice_id, reported_at DESC);
CREATE INDEX incidents_reporter ON incidents (practice_id, reported_by, reported_at DESC);
-- The open ones (the register's default, the clocks, the home page's items).
CREATE INDEX incidents_open ON incidents (practice_id, status, discovered_at);

-- What was done, when and by whom: the first entry is written with the report.
CREATE TABLE incident_entries (
    id           UUID PRIMARY KEY,
    practice_id  UUID NOT NULL REFERENCES practices (id),
    incident_id  UUID NOT NULL REFERENCES incidents (id),
    at           TIMESTAMPTZ NOT NULL,
    by_id        UUID REFERENCES people (id),
    by_name      TEXT NOT NULL,
    step         TEXT NOT NULL,
    text         TEXT NOT NULL
);
CREATE INDEX incident_entries_incident ON incident_entries (practice_id, incident_id, at);
