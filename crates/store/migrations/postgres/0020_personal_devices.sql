-- Personal devices (bring your own device): declared by their owner, the business need decided
-- by a line manager, checked by management against the protocol's list for their kind, approved
-- for a year. PostgreSQL dialect; keep in step with ../sqlite/0020_personal_devices.sql.
CREATE TABLE personal_devices (
    id                UUID PRIMARY KEY,
    practice_id       UUID NOT NULL REFERENCES practices (id),
    owner_id          UUID NOT NULL REFERENCES people (id),
    kind              TEXT NOT NULL CHECK (kind IN ('laptop', 'mobile')),
    make_model        TEXT NOT NULL,
    operating_system  TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('declared', 'need_approved', 'need_refused',
                          'approved', 'approved_with_risks', 'refused', 'withdrawn')),
    declared_at       TIMESTAMPTZ NOT NULL,
    need_by           UUID REFERENCES people (id),
    need_at           TIMESTAMPTZ,
    need_reason       TEXT,
    -- The last check: who, when, each item's answer (`word=answer` apart by commas), the note.
    checked_by        UUID REFERENCES people (id),
    checked_at        TIMESTAMPTZ,
    answers           TEXT,
    check_note        TEXT,
    -- The risk the last check raised from its failed items.
    risk_id           UUID REFERENCES risks (id),
    approved_on       DATE,
    expires_on        DATE,
    withdrawn_at      TIMESTAMPTZ,
    withdrawn_by      UUID REFERENCES people (id),
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX personal_devices_owner ON personal_devices (practice_id, owner_id);
CREATE INDEX personal_devices_status ON personal_devices (practice_id, status, expires_on);
