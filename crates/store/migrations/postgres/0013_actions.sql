-- Actions with an owner and a due date, for every register: the risk register's treatment plans
-- (moved here from risk_actions, with their history) and incidents' follow-up. PostgreSQL dialect;
-- keep in step with ../sqlite/0013_actions.sql.
CREATE TABLE actions (
    id           UUID PRIMARY KEY,
    practice_id  UUID NOT NULL REFERENCES practices (id),
    -- The record it belongs to: its register (`risk`, `incident`) and id.
    holder       TEXT NOT NULL,
    holder_id    UUID NOT NULL,
    description  TEXT NOT NULL,
    owner_id     UUID NOT NULL REFERENCES people (id),
    due_on       DATE NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    done_at      TIMESTAMPTZ
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
