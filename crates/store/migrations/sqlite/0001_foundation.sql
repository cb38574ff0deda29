-- Foundation: the provider, practices, people, their roles, sessions and the audit trail.
-- SQLite dialect. Keep in step with ../postgres/0001_foundation.sql (same tables, same meaning).

CREATE TABLE provider (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE practices (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    sort_key    TEXT NOT NULL,
    ods_code    TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);
CREATE INDEX practices_sort ON practices (sort_key, id);

CREATE TABLE people (
    id                    BLOB PRIMARY KEY,
    username              TEXT NOT NULL UNIQUE,
    email                 TEXT UNIQUE,
    full_name             TEXT NOT NULL,
    sort_key              TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('active', 'deactivated')),
    password_hash         TEXT,
    must_change_password  INTEGER NOT NULL DEFAULT 0,
    password_changed_at   TEXT,
    created_at            TEXT NOT NULL,
    deactivated_at        TEXT
);

CREATE TABLE provider_roles (
    person_id   BLOB NOT NULL REFERENCES people (id),
    role        TEXT NOT NULL CHECK (role IN ('provider_administrator', 'ig_consultant', 'auditor')),
    granted_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
);

CREATE TABLE practice_members (
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    person_id    BLOB NOT NULL REFERENCES people (id),
    job_title    TEXT NOT NULL,
    sort_key     TEXT NOT NULL,
    joined_at    TEXT NOT NULL,
    PRIMARY KEY (practice_id, person_id)
);
CREATE INDEX practice_members_sort ON practice_members (practice_id, sort_key, person_id);
CREATE INDEX practice_members_person ON practice_members (person_id);

CREATE TABLE practice_roles (
    practice_id  BLOB NOT NULL,
    person_id    BLOB NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('staff', 'line_manager', 'practice_manager',
                   'data_protection_lead', 'caldicott_guardian', 'data_protection_officer', 'siro',
                   'information_asset_owner', 'system_administrator')),
    granted_at   TEXT NOT NULL,
    PRIMARY KEY (practice_id, person_id, role),
    FOREIGN KEY (practice_id, person_id) REFERENCES practice_members (practice_id, person_id)
);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    person_id     BLOB NOT NULL REFERENCES people (id),
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_person ON sessions (person_id);

-- The audit trail: append-only. The triggers below refuse any change or deletion, so that only
-- someone who bypasses the database's own rules can alter it (and `custodian audit verify`
-- exists to catch them).
CREATE TABLE audit_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           BLOB NOT NULL UNIQUE,
    occurred_at  TEXT NOT NULL,
    practice_id  BLOB,
    actor_id     BLOB,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT,
    outcome      TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    details      TEXT NOT NULL,
    ip           TEXT,
    user_agent   TEXT,
    request_id   TEXT
);
CREATE INDEX audit_events_practice ON audit_events (practice_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
