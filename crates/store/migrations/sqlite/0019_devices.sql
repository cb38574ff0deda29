-- The equipment register: the devices a practice issues, who holds each, and every custody step
-- (issued, returned, repaired, lost, disposed of) as its history. SQLite dialect; keep in step
-- with ../postgres/0019_devices.sql.
CREATE TABLE devices (
    id                BLOB PRIMARY KEY,
    practice_id       BLOB NOT NULL REFERENCES practices (id),
    asset_tag         TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('desktop', 'laptop', 'tablet', 'smartphone',
                          'removable_media', 'router_firewall', 'server', 'printer')),
    make_model        TEXT NOT NULL,
    serial            TEXT NOT NULL,
    operating_system  TEXT NOT NULL,
    os_version        TEXT NOT NULL,
    location          TEXT NOT NULL,
    asset_id          BLOB REFERENCES assets (id),
    notes             TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('in_stock', 'issued', 'in_repair',
                          'lost_or_stolen', 'disposed')),
    -- While issued: to whom, since when, and whether they signed for it.
    holder_id         BLOB REFERENCES people (id),
    issued_on         TEXT,
    signed            INTEGER NOT NULL DEFAULT 0,
    disposed_on       TEXT,
    disposal_how      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK ((status = 'issued') = (holder_id IS NOT NULL))
);
CREATE UNIQUE INDEX devices_tag ON devices (practice_id, asset_tag);
CREATE UNIQUE INDEX devices_serial ON devices (practice_id, serial) WHERE serial <> '';
CREATE INDEX devices_holder ON devices (practice_id, holder_id);
CREATE TABLE device_custody (
    id           BLOB PRIMARY KEY,
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    device_id    BLOB NOT NULL REFERENCES devices (id),
    step         TEXT NOT NULL CHECK (step IN ('add', 'issue', 'return', 'repair', 'restock',
                     'lose', 'dispose')),
    on_day       TEXT NOT NULL,
    -- For an issue or a return: the member of staff.
    person_id    BLOB REFERENCES people (id),
    signed       INTEGER NOT NULL DEFAULT 0,
    note         TEXT NOT NULL,
    at           TEXT NOT NULL,
    by_id        BLOB,
    by_name      TEXT NOT NULL
);
CREATE INDEX device_custody_device ON device_custody (practice_id, device_id, at);

-- An incident may involve a device (a lost or stolen laptop is linked as it is reported): the
-- list of what an incident involves takes `device`. SQLite changes a CHECK by rebuilding.
CREATE TABLE incident_involved_new (
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    incident_id  BLOB NOT NULL REFERENCES incidents (id),
    kind         TEXT NOT NULL CHECK (kind IN ('person', 'asset', 'risk', 'device')),
    target_id    BLOB NOT NULL,
    added_at     TEXT NOT NULL,
    PRIMARY KEY (incident_id, kind, target_id)
);
INSERT INTO incident_involved_new SELECT practice_id, incident_id, kind, target_id, added_at
    FROM incident_involved;
DROP TABLE incident_involved;
ALTER TABLE incident_involved_new RENAME TO incident_involved;
CREATE INDEX incident_involved_target ON incident_involved (practice_id, kind, target_id);
