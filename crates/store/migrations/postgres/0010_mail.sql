-- Notifications by email: what kind each notice is, how each person chose to hear of each kind,
-- and the outbox. An email is queued in the same transaction as the notice it tells of (or the
-- digest that gathers them), so a crash after the commit still sends it and a rollback never
-- does; the sender claims one message at a time (several servers never take the same one) and
-- keeps every attempt with the mail server's answer. PostgreSQL dialect; keep in step with
-- ../sqlite/0010_mail.sql.

-- What a notice is about (`domain::notifications::NoticeKind`); earlier notices by their topic.
ALTER TABLE notices ADD COLUMN kind TEXT NOT NULL DEFAULT 'starter_request';
UPDATE notices SET kind = CASE
    WHEN topic LIKE '/leavers%' THEN 'leaver_exit'
    WHEN topic = '/tasks' THEN 'login_task'
    WHEN topic = '/security' THEN 'account_locked'
    WHEN topic = '/assets/quality' THEN 'asset_review'
    WHEN topic = '/risks#overdue-reviews' THEN 'risk_review'
    WHEN topic = '/risks#overdue-actions' THEN 'risk_action'
    WHEN topic = '/risks#acceptances-ending' THEN 'risk_acceptance'
    WHEN topic LIKE '/risk-reports/%' THEN 'report_sign_off'
    ELSE 'starter_request' END;

-- A person's own choice per kind; a kind without a row takes its default.
CREATE TABLE notice_choices (
    person_id  UUID NOT NULL REFERENCES people (id),
    kind       TEXT NOT NULL,
    delivery   TEXT NOT NULL CHECK (delivery IN ('immediate', 'digest', 'off')),
    PRIMARY KEY (person_id, kind)
);

-- The outbox: one row per email. `notice` tells of one notice at once, `digest` gathers a
-- day's, `alert` is for provider administrators (its text and link kept on the row).
CREATE TABLE mail_messages (
    id               UUID PRIMARY KEY,
    person_id        UUID NOT NULL REFERENCES people (id),
    practice_id      UUID REFERENCES practices (id),
    kind             TEXT NOT NULL CHECK (kind IN ('notice', 'digest', 'alert')),
    status           TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dropped')),
    alert_text       TEXT,
    alert_path       TEXT,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    claimed_until    TIMESTAMPTZ,
    last_answer      TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    sent_at          TIMESTAMPTZ
);
CREATE INDEX mail_messages_due ON mail_messages (status, next_attempt_at);
CREATE INDEX mail_messages_practice ON mail_messages (practice_id, created_at);

-- Which notices each email told of.
CREATE TABLE mail_message_notices (
    message_id  UUID NOT NULL REFERENCES mail_messages (id),
    notice_id   UUID NOT NULL REFERENCES notices (id),
    PRIMARY KEY (message_id, notice_id)
);
CREATE INDEX mail_message_notices_notice ON mail_message_notices (notice_id);

-- Notices waiting for their person's next daily digest.
CREATE TABLE digest_queue (
    notice_id    UUID PRIMARY KEY REFERENCES notices (id),
    practice_id  UUID NOT NULL REFERENCES practices (id),
    person_id    UUID NOT NULL REFERENCES people (id),
    queued_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX digest_queue_practice ON digest_queue (practice_id, person_id);

-- The days each practice's digest was built: one server builds it, once.
CREATE TABLE digest_runs (
    practice_id  UUID NOT NULL REFERENCES practices (id),
    day          TEXT NOT NULL,
    built_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (practice_id, day)
);

-- The delivery log: every attempt to hand an email to the mail server, with its answer.
CREATE TABLE mail_attempts (
    message_id  UUID NOT NULL REFERENCES mail_messages (id),
    at          TIMESTAMPTZ NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed', 'dropped')),
    answer      TEXT NOT NULL
);
CREATE INDEX mail_attempts_message ON mail_attempts (message_id, at);
