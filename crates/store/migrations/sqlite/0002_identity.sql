-- Identity and access: practice settings, lockout, one-time passwords, password history,
-- security questions, TOTP and recovery codes, session stages, API tokens, and the User
-- Authorisation Process (starters, movers, leavers, access grants to other systems,
-- administrator nominations). SQLite dialect; keep in step with ../postgres/0002_identity.sql.

CREATE TABLE practice_settings (
    practice_id  BLOB PRIMARY KEY REFERENCES practices (id),
    settings     TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

ALTER TABLE people ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN locked_until TEXT;
ALTER TABLE people ADD COLUMN otp_expires_at TEXT;
ALTER TABLE people ADD COLUMN otp_used_at TEXT;
ALTER TABLE people ADD COLUMN not_before TEXT;
ALTER TABLE people ADD COLUMN last_sign_in_at TEXT;
ALTER TABLE people ADD COLUMN totp_secret TEXT;
ALTER TABLE people ADD COLUMN totp_enabled_at TEXT;
ALTER TABLE people ADD COLUMN totp_last_step INTEGER;
ALTER TABLE people ADD COLUMN identity_check_failures INTEGER NOT NULL DEFAULT 0;

ALTER TABLE sessions ADD COLUMN id BLOB;
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full'
    CHECK (stage IN ('full', 'change_password', 'security_questions', 'enrol_mfa', 'verify_mfa'));
-- Each session's idle timeout, fixed at sign-in from the strictest of the person's practices.
ALTER TABLE sessions ADD COLUMN idle_seconds INTEGER NOT NULL DEFAULT 900;
CREATE UNIQUE INDEX sessions_id ON sessions (id);

CREATE TABLE password_history (
    person_id      BLOB NOT NULL REFERENCES people (id),
    password_hash  TEXT NOT NULL,
    set_at         TEXT NOT NULL
);
CREATE INDEX password_history_person ON password_history (person_id, set_at);

CREATE TABLE security_answers (
    person_id    BLOB NOT NULL REFERENCES people (id),
    position     INTEGER NOT NULL,
    question     TEXT NOT NULL,
    answer_hash  TEXT NOT NULL,
    set_at       TEXT NOT NULL,
    PRIMARY KEY (person_id, position)
);

CREATE TABLE recovery_codes (
    person_id  BLOB NOT NULL REFERENCES people (id),
    code_hash  TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (person_id, code_hash)
);

CREATE TABLE api_tokens (
    id            BLOB PRIMARY KEY,
    person_id     BLOB NOT NULL REFERENCES people (id),
    practice_id   BLOB NOT NULL REFERENCES practices (id),
    name          TEXT NOT NULL,
    permissions   TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

CREATE TABLE practice_systems (
    id           BLOB PRIMARY KEY,
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (practice_id, name)
);

CREATE TABLE access_requests (
    id               BLOB PRIMARY KEY,
    reference        TEXT NOT NULL,
    practice_id      BLOB NOT NULL REFERENCES practices (id),
    kind             TEXT NOT NULL CHECK (kind IN ('starter', 'mover')),
    person_id        BLOB REFERENCES people (id),
    full_name        TEXT NOT NULL,
    username         TEXT NOT NULL,
    email            TEXT,
    job_title        TEXT NOT NULL,
    roles            TEXT NOT NULL,
    systems          TEXT NOT NULL,
    start_date       TEXT NOT NULL,
    line_manager_id  BLOB REFERENCES people (id),
    requested_by     BLOB NOT NULL REFERENCES people (id),
    requested_at     TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by       BLOB REFERENCES people (id),
    decided_at       TEXT,
    decision_reason  TEXT,
    UNIQUE (practice_id, reference)
);
CREATE INDEX access_requests_practice ON access_requests (practice_id, status, requested_at);

CREATE TABLE access_grants (
    id           BLOB PRIMARY KEY,
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    person_id    BLOB NOT NULL REFERENCES people (id),
    system_id    BLOB NOT NULL REFERENCES practice_systems (id),
    action       TEXT NOT NULL CHECK (action IN ('create', 'remove')),
    status       TEXT NOT NULL CHECK (status IN ('open', 'done')),
    opened_at    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    done_by      BLOB REFERENCES people (id),
    done_at      TEXT,
    note         TEXT
);
CREATE INDEX access_grants_practice ON access_grants (practice_id, status);
CREATE INDEX access_grants_person ON access_grants (person_id);

CREATE TABLE leavers (
    id            BLOB PRIMARY KEY,
    practice_id   BLOB NOT NULL REFERENCES practices (id),
    person_id     BLOB NOT NULL REFERENCES people (id),
    exit_date     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    recorded_by   BLOB NOT NULL REFERENCES people (id),
    recorded_at   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('scheduled', 'done', 'cancelled')),
    processed_at  TEXT,
    cancelled_by  BLOB REFERENCES people (id),
    cancelled_at  TEXT
);
CREATE INDEX leavers_due ON leavers (status, exit_date);
CREATE UNIQUE INDEX leavers_one_open ON leavers (practice_id, person_id) WHERE status = 'scheduled';

CREATE TABLE administrator_nominations (
    id            BLOB PRIMARY KEY,
    practice_id   BLOB NOT NULL REFERENCES practices (id),
    person_id     BLOB NOT NULL REFERENCES people (id),
    nominated_by  BLOB NOT NULL REFERENCES people (id),
    reason        TEXT NOT NULL,
    nominated_at  TEXT NOT NULL,
    ended_by      BLOB REFERENCES people (id),
    ended_at      TEXT,
    end_reason    TEXT
);
CREATE UNIQUE INDEX administrator_nominations_current ON administrator_nominations (practice_id, person_id) WHERE ended_at IS NULL;

-- A leaver keeps their record in the practice, marked as left.
ALTER TABLE practice_members ADD COLUMN left_at TEXT;
