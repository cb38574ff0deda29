-- Identity and access: practice settings, lockout, one-time passwords, password history,
-- security questions, TOTP and recovery codes, session stages, API tokens, and the User
-- Authorisation Process (starters, movers, leavers, access grants to other systems,
-- administrator nominations). PostgreSQL dialect; keep in step with ../sqlite/0002_identity.sql.

CREATE TABLE practice_settings (
    practice_id  UUID PRIMARY KEY REFERENCES practices (id),
    settings     TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

ALTER TABLE people ADD COLUMN failed_sign_ins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN locked_until TIMESTAMPTZ;
ALTER TABLE people ADD COLUMN otp_expires_at TIMESTAMPTZ;
ALTER TABLE people ADD COLUMN otp_used_at TIMESTAMPTZ;
ALTER TABLE people ADD COLUMN not_before DATE;
ALTER TABLE people ADD COLUMN last_sign_in_at TIMESTAMPTZ;
ALTER TABLE people ADD COLUMN totp_secret TEXT;
ALTER TABLE people ADD COLUMN totp_enabled_at TIMESTAMPTZ;
ALTER TABLE people ADD COLUMN totp_last_step BIGINT;
ALTER TABLE people ADD COLUMN identity_check_failures BIGINT NOT NULL DEFAULT 0;

ALTER TABLE sessions ADD COLUMN id UUID;
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full'
    CHECK (stage IN ('full', 'change_password', 'security_questions', 'enrol_mfa', 'verify_mfa'));
-- Each session's idle timeout, fixed at sign-in from the strictest of the person's practices.
ALTER TABLE sessions ADD COLUMN idle_seconds BIGINT NOT NULL DEFAULT 900;
CREATE UNIQUE INDEX sessions_id ON sessions (id);

CREATE TABLE password_history (
    person_id      UUID NOT NULL REFERENCES people (id),
    password_hash  TEXT NOT NULL,
    set_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX password_history_person ON password_history (person_id, set_at);

CREATE TABLE security_answers (
    person_id    UUID NOT NULL REFERENCES people (id),
    position     BIGINT NOT NULL,
    question     TEXT NOT NULL,
    answer_hash  TEXT NOT NULL,
    set_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, position)
);

CREATE TABLE recovery_codes (
    person_id  UUID NOT NULL REFERENCES people (id),
    code_hash  TEXT NOT NULL,
    used_at    TIMESTAMPTZ,
    PRIMARY KEY (person_id, code_hash)
);

CREATE TABLE api_tokens (
    id            UUID PRIMARY KEY,
    person_id     UUID NOT NULL REFERENCES people (id),
    practice_id   UUID NOT NULL REFERENCES practices (id),
    name          TEXT NOT NULL,
    permissions   TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    last_used_at  TIMESTAMPTZ
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

CREATE TABLE practice_systems (
    id           UUID PRIMARY KEY,
    practice_id  UUID NOT NULL REFERENCES practices (id),
    name         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (practice_id, name)
);

CREATE TABLE access_requests (
    id               UUID PRIMARY KEY,
    reference        TEXT NOT NULL,
    practice_id      UUID NOT NULL REFERENCES practices (id),
    kind             TEXT NOT NULL CHECK (kind IN ('starter', 'mover')),
    person_id        UUID REFERENCES people (id),
    full_name        TEXT NOT NULL,
    username         TEXT NOT NULL,
    email            TEXT,
    job_title        TEXT NOT NULL,
    roles            TEXT NOT NULL,
    systems          TEXT NOT NULL,
    start_date       DATE NOT NULL,
    line_manager_id  UUID REFERENCES people (id),
    requested_by     UUID NOT NULL REFERENCES people (id),
    requested_at     TIMESTAMPTZ NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by       UUID REFERENCES people (id),
    decided_at       TIMESTAMPTZ,
    decision_reason  TEXT,
    UNIQUE (practice_id, reference)
);
CREATE INDEX access_requests_practice ON access_requests (practice_id, status, requested_at);

CREATE TABLE access_grants (
    id           UUID PRIMARY KEY,
    practice_id  UUID NOT NULL REFERENCES practices (id),
    person_id    UUID NOT NULL REFERENCES people (id),
    system_id    UUID NOT NULL REFERENCES practice_systems (id),
    action       TEXT NOT NULL CHECK (action IN ('create', 'remove')),
    status       TEXT NOT NULL CHECK (status IN ('open', 'done')),
    opened_at    TIMESTAMPTZ NOT NULL,
    reason       TEXT NOT NULL,
    done_by      UUID REFERENCES people (id),
    done_at      TIMESTAMPTZ,
    note         TEXT
);
CREATE INDEX access_grants_practice ON access_grants (practice_id, status);
CREATE INDEX access_grants_person ON access_grants (person_id);

CREATE TABLE leavers (
    id            UUID PRIMARY KEY,
    practice_id   UUID NOT NULL REFERENCES practices (id),
    person_id     UUID NOT NULL REFERENCES people (id),
    exit_date     DATE NOT NULL,
    reason        TEXT NOT NULL,
    recorded_by   UUID NOT NULL REFERENCES people (id),
    recorded_at   TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('scheduled', 'done', 'cancelled')),
    processed_at  TIMESTAMPTZ,
    cancelled_by  UUID REFERENCES people (id),
    cancelled_at  TIMESTAMPTZ
);
CREATE INDEX leavers_due ON leavers (status, exit_date);
CREATE UNIQUE INDEX leavers_one_open ON leavers (practice_id, person_id) WHERE status = 'scheduled';

CREATE TABLE administrator_nominations (
    id            UUID PRIMARY KEY,
    practice_id   UUID NOT NULL REFERENCES practices (id),
    person_id     UUID NOT NULL REFERENCES people (id),
    nominated_by  UUID NOT NULL REFERENCES people (id),
    reason        TEXT NOT NULL,
    nominated_at  TIMESTAMPTZ NOT NULL,
    ended_by      UUID REFERENCES people (id),
    ended_at      TIMESTAMPTZ,
    end_reason    TEXT
);
CREATE UNIQUE INDEX administrator_nominations_current ON administrator_nominations (practice_id, person_id) WHERE ended_at IS NULL;

-- A leaver keeps their record in the practice, marked as left.
ALTER TABLE practice_members ADD COLUMN left_at TIMESTAMPTZ;
