-- Actions with an owner and a due date, for every register: the risk register's treatment plans
-- (moved here from risk_actions, with their history) and incidents' follow-up. SQLite dialect;
-- keep in step with ../postgres/0013_actions.sql.
CREATE TABLE actions (
    id           BLOB PRIMARY KEY,
    practice_id  BLOB NOT NULL REFERENCES practices (id),
    -- The record it belongs to: its register (`risk`, `incident`) and id.
    holder       TEXT NOT NULL,
    holder_id    BLOB NOT NULL,
    description  TEXT NOT NULL,
    owner_id     BLOB NOT NULL REFERENCES people (id),
    due_on       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    done_at      TEXT
);
INSERT INTO actions (id, practice_id, holder, holder_id, description, owner_id, due_on, status,
                     created_at, updated_at, done_at)
    SELECT id, practice_id, 'risk', risk_id, description, owner_id, due_on, status, created_at,
           updated_at, done_at
    FROM risk_actions;
DROP TABLE risk_actions;
CREATE INDEX actions_holder ON actions (practice_id, holder, holder_id);
-- Those not done, by due date (overdue counts, calendars).
CREATE INDEX actions_due ON actions (practice_id, status, due_on);
