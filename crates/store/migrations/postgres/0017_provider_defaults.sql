-- The provider's defaults for new practices (their settings, the risk matrix among them): a new
-- practice starts from a copy, marked as not yet checked by the practice (its setup checklist's
-- settings step stays open until the practice saves them). PostgreSQL dialect; keep in step
-- with ../sqlite/0017_provider_defaults.sql.
ALTER TABLE provider ADD COLUMN default_settings TEXT;
ALTER TABLE practice_settings ADD COLUMN from_provider BOOLEAN NOT NULL DEFAULT FALSE;
