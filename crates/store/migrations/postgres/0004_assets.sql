-- The information asset register: assets, data flows, and who has access and why.
-- PostgreSQL dialect; keep in step with ../sqlite/0004_assets.sql.

CREATE TABLE assets (
    id                      UUID PRIMARY KEY,
    practice_id             UUID NOT NULL REFERENCES practices (id),
    name                    TEXT NOT NULL,
    sort_key                TEXT NOT NULL,
    fields                  TEXT NOT NULL,
    iao_id                  UUID NOT NULL REFERENCES people (id),
    iaa_id                  UUID REFERENCES people (id),
    asset_type              TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('active', 'retiring', 'retired')),
    special_category        BOOLEAN NOT NULL,
    confidentiality         BIGINT CHECK (confidentiality BETWEEN 1 AND 5),
    integrity               BIGINT CHECK (integrity BETWEEN 1 AND 5),
    availability            BIGINT CHECK (availability BETWEEN 1 AND 5),
    last_reviewed_on        DATE,
    review_interval_months  BIGINT NOT NULL,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX assets_practice ON assets (practice_id, sort_key, id);
CREATE INDEX assets_iao ON assets (iao_id);

CREATE TABLE asset_flows (
    id              UUID PRIMARY KEY,
    practice_id     UUID NOT NULL REFERENCES practices (id),
    from_asset_id   UUID NOT NULL REFERENCES assets (id),
    to_asset_id     UUID REFERENCES assets (id),
    fields          TEXT NOT NULL,
    encrypted       BOOLEAN NOT NULL,
    has_agreement   BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    removed_at      TIMESTAMPTZ
);
CREATE INDEX asset_flows_from ON asset_flows (practice_id, from_asset_id);
CREATE INDEX asset_flows_to ON asset_flows (practice_id, to_asset_id);

CREATE TABLE asset_access (
    id           UUID PRIMARY KEY,
    practice_id  UUID NOT NULL REFERENCES practices (id),
    asset_id     UUID NOT NULL REFERENCES assets (id),
    role         TEXT,
    person_id    UUID REFERENCES people (id),
    level        TEXT NOT NULL CHECK (level IN ('read', 'write', 'admin')),
    reason       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    removed_at   TIMESTAMPTZ
);
CREATE INDEX asset_access_asset ON asset_access (practice_id, asset_id);

-- An IAO's review of who has access to an asset: each entry confirmed or removed, signed off.
CREATE TABLE asset_access_reviews (
    id           UUID PRIMARY KEY,
    practice_id  UUID NOT NULL REFERENCES practices (id),
    asset_id     UUID NOT NULL REFERENCES assets (id),
    reviewed_by  UUID NOT NULL REFERENCES people (id),
    reviewed_at  TIMESTAMPTZ NOT NULL,
    confirmed    BIGINT NOT NULL,
    removed      BIGINT NOT NULL,
    notes        TEXT NOT NULL
);
CREATE INDEX asset_access_reviews_asset ON asset_access_reviews (practice_id, asset_id, reviewed_at);
