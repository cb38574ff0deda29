-- The equipment register: the devices a practice issues, who holds each, and every custody step
-- (issued, returned, repaired, lost, disposed of) as its history. PostgreSQL dialect; keep in step
-- with ../sqlite/0019_devices.sql.
CREATE TABLE devices (
    id                UUID PRIMARY KEY,
    practice_id       UUID NOT NULL REFERENCES practices (id),
    asset_tag         TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('desktop', 'laptop', 'tablet', 'smartphone',
                          'removable_media', 'router_firewall', 'server', 'printer')),
    make_model        TEXT NOT NULL,
    serial            TEXT NOT NULL,
    operating_system  TEXT NOT NULL,
    os_version        TEXT NOT NULL,
    location          TEXT NOT NULL,
    asset_id          UUID REFERENCES assets (id),
    notes             TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('in_stock', 'issued', 'in_repair',
                          'lost_or_stolen', 'disposed')),
    -- While issued: to whom, since when, and whether they signed for it.
    holder_id         UUID REFERENCES people (id),
    issued_on         DATE,
    signed            BOOLEAN NOT NULL DEFAULT FALSE,
    disposed_on       DATE,
    disposal_how      TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    CHECK ((status = 'issued') = (holder_id IS NOT NULL))
);
CREATE UNIQUE INDEX devices_tag ON devices (practice_id, asset_tag);
CREATE UNIQUE INDEX devices_serial ON devices (practice_id, serial) WHERE serial <> '';
CREATE INDEX devices_holder ON devices (practice_id, holder_id);
CREATE TABLE device_custody (
    id           UUID PRIMARY KEY,
    practice_id  UUID NOT NULL REFERENCES practices (id),
    device_id    UUID NOT NULL REFERENCES devices (id),
    step         TEXT NOT NULL CHECK (step IN ('add', 'issue', 'return', 'repair', 'restock',
                     'lose', 'dispose')),
    on_day       DATE NOT NULL,
    -- For an issue or a return: the member of staff.
    person_id    UUID REFERENCES people (id),
    signed       BOOLEAN NOT NULL DEFAULT FALSE,
    note         TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    by_id        UUID,
    by_name      TEXT NOT NULL
);
CREATE INDEX device_custody_device ON device_custody (practice_id, device_id, at);

-- An incident may involve a device (a lost or stolen laptop is linked as it is reported): the
-- list of what an incident involves takes `device`.
ALTER TABLE incident_involved DROP CONSTRAINT incident_involved_kind_check;
ALTER TABLE incident_involved ADD CONSTRAINT incident_involved_kind_check
    CHECK (kind IN ('person', 'asset', 'risk', 'device'));
