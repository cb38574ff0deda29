-- The information risk register: risks, the assets they threaten, treatment actions, reviews
-- and acceptances. PostgreSQL dialect; keep in step with ../sqlite/0006_risks.sql.

CREATE TABLE risks (
    id                    UUID PRIMARY KEY,
    practice_id           UUID NOT NULL REFERENCES practices (id),
    reference             TEXT NOT NULL,
    title                 TEXT NOT NULL,
    sort_key              TEXT NOT NULL,
    fields                TEXT NOT NULL,
    owner_id              UUID NOT NULL REFERENCES people (id),
    status                TEXT NOT NULL CHECK (status IN ('open', 'treating', 'accepted', 'closed')),
    category              TEXT NOT NULL,
    inherent_score        BIGINT NOT NULL CHECK (inherent_score BETWEEN 1 AND 25),
    residual_score        BIGINT NOT NULL CHECK (residual_score BETWEEN 1 AND 25),
    target_score          BIGINT CHECK (target_score BETWEEN 1 AND 25),
    raised_on             DATE NOT NULL,
    next_review_on        DATE NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    UNIQUE (practice_id, reference)
);
CREATE INDEX risks_practice ON risks (practice_id, residual_score DESC, sort_key);
CREATE INDEX risks_owner ON risks (owner_id);
-- Covers the provider's overview (counts by practice and score, overdue reviews).
CREATE INDEX risks_overview ON risks (practice_id, residual_score, status, next_review_on);

CREATE TABLE risk_assets (
    risk_id      UUID NOT NULL REFERENCES risks (id),
    asset_id     UUID NOT NULL REFERENCES assets (id),
    practice_id  UUID NOT NULL REFERENCES practices (id),
    PRIMARY KEY (risk_id, asset_id)
);
CREATE INDEX risk_assets_asset ON risk_assets (practice_id, asset_id);

CREATE TABLE risk_actions (
    id           UUID PRIMARY KEY,
    practice_id  UUID NOT NULL REFERENCES practices (id),
    risk_id      UUID NOT NULL REFERENCES risks (id),
    description  TEXT NOT NULL,
    owner_id     UUID NOT NULL REFERENCES people (id),
    due_on       DATE NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    done_at      TIMESTAMPTZ
);
CREATE INDEX risk_actions_risk ON risk_actions (practice_id, risk_id);

CREATE TABLE risk_reviews (
    id                   UUID PRIMARY KEY,
    practice_id          UUID NOT NULL REFERENCES practices (id),
    risk_id              UUID NOT NULL REFERENCES risks (id),
    reviewed_by          UUID NOT NULL REFERENCES people (id),
    reviewed_at          TIMESTAMPTZ NOT NULL,
    residual_likelihood  BIGINT NOT NULL,
    residual_impact      BIGINT NOT NULL,
    residual_score       BIGINT NOT NULL,
    scores_changed       BOOLEAN NOT NULL,
    notes                TEXT NOT NULL,
    next_review_on       DATE NOT NULL
);
CREATE INDEX risk_reviews_risk ON risk_reviews (practice_id, risk_id, reviewed_at);

CREATE TABLE risk_acceptances (
    id              UUID PRIMARY KEY,
    practice_id     UUID NOT NULL REFERENCES practices (id),
    risk_id         UUID NOT NULL REFERENCES risks (id),
    accepted_by     UUID NOT NULL REFERENCES people (id),
    accepted_at     TIMESTAMPTZ NOT NULL,
    band            TEXT NOT NULL,
    above_appetite  BOOLEAN NOT NULL,
    reason          TEXT NOT NULL,
    expires_on      DATE NOT NULL
);
CREATE INDEX risk_acceptances_risk ON risk_acceptances (practice_id, risk_id, accepted_at);

-- Quarterly threats-and-vulnerabilities reports: a draft per practice and quarter, then the
-- copy the SIRO signed off, kept as it was with its SHA-256.
CREATE TABLE risk_reports (
    id             UUID PRIMARY KEY,
    practice_id    UUID NOT NULL REFERENCES practices (id),
    quarter        TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
    created_at     TIMESTAMPTZ NOT NULL,
    created_by     TEXT NOT NULL,
    snapshot       TEXT NOT NULL,
    minutes        TEXT NOT NULL DEFAULT '',
    decisions      TEXT NOT NULL DEFAULT '',
    signed_by      UUID REFERENCES people (id),
    signed_at      TIMESTAMPTZ,
    signed_report  TEXT,
    signed_sha256  TEXT,
    UNIQUE (practice_id, quarter)
);
CREATE FUNCTION risk_reports_signed_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a signed risk report cannot be changed or deleted';
END;
$$;
CREATE TRIGGER risk_reports_signed_no_change BEFORE UPDATE OR DELETE ON risk_reports
    FOR EACH ROW WHEN (OLD.status = 'signed') EXECUTE FUNCTION risk_reports_signed_fixed();

-- Threats the provider adds to the built-in library for its practices.
CREATE TABLE provider_threats (
    id          UUID PRIMARY KEY,
    title       TEXT NOT NULL,
    fields      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    removed_at  TIMESTAMPTZ
);
