-- Who and what an incident involved besides what its reporter named: members of staff,
-- information assets and risks (devices when the equipment register exists), linked by those
-- who handle it. SQLite dialect; keep in step with ../postgres/0014_incident_involved.sql.
CREATE TABLE incident_involved (
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    incident_id  BLOB NOT NULL REFERENCES incidents (id),
    kind         TEXT NOT NULL CHECK (kind IN ('person', 'asset', 'risk')),
    target_id    BLOB NOT NULL,
    added_at     TEXT NOT NULL,
    PRIMARY KEY (incident_id, kind, target_id)
);
CREATE INDEX incident_involved_target ON incident_involved (practice_id, kind, target_id);
