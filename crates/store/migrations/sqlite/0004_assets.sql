-- The information asset register: assets, data flows, and who has access and why.
-- SQLite dialect; keep in step with ../postgres/0004_assets.sql.

CREATE TABLE assets (
    id                      BLOB PRIMARY KEY,
    practice_id             BLOB NOT NULL REFERENCES practices (id),
    name                    TEXT NOT NULL,
    sort_key                TEXT NOT NULL,
    fields                  TEXT NOT NULL,
    iao_id                  BLOB NOT NULL REFERENCES people (id),
    iaa_id                  BLOB REFERENCES people (id),
    asset_type              TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('active', 'retiring', 'retired')),
    special_category        INTEGER NOT NULL,
    confidentiality         INTEGER CHECK (confidentiality BETWEEN 1 AND 5),
    integrity               INTEGER CHECK (integrity BETWEEN 1 AND 5),
    availability            INTEGER CHECK (availability BETWEEN 1 AND 5),
    last_reviewed_on        TEXT,
    review_interval_months  INTEGER NOT NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX assets_practice ON assets (practice_id, sort_key, id);
CREATE INDEX assets_iao ON assets (iao_id);

CREATE TABLE asset_flows (
    id              BLOB PRIMARY KEY,
    practice_id     BLOB NOT NULL REFERENCES practices (id),
    from_asset_id   BLOB NOT NULL REFERENCES assets (id),
    to_asset_id     BLOB REFERENCES assets (id),
    fields          TEXT NOT NULL,
    encrypted       INTEGER NOT NULL,
    has_agreement   INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    removed_at      TEXT
);
CREATE INDEX asset_flows_from ON asset_flows (practice_id, from_asset_id);
CREATE INDEX asset_flows_to ON asset_flows (practice_id, to_asset_id);

CREATE TABLE asset_access (
    id           BLOB PRIMARY KEY,
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    asset_id     BLOB NOT NULL REFERENCES assets (id),
    role         TEXT,
    person_id    BLOB REFERENCES people (id),
    level        TEXT NOT NULL CHECK (level IN ('read', 'write', 'admin')),
    reason       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    removed_at   TEXT
);
CREATE INDEX asset_access_asset ON asset_access (practice_id, asset_id);

-- An IAO's review of who has access to an asset: each entry confirmed or removed, signed off.
CREATE TABLE asset_access_reviews (
    id           BLOB PRIMARY KEY,
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    asset_id     BLOB NOT NULL REFERENCES assets (id),
    reviewed_by  BLOB NOT NULL REFERENCES people (id),
    reviewed_at  TEXT NOT NULL,
    confirmed    INTEGER NOT NULL,
    removed      INTEGER NOT NULL,
    notes        TEXT NOT NULL
);
CREATE INDEX asset_access_reviews_asset ON asset_access_reviews (practice_id, asset_id, reviewed_at);
