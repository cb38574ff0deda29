-- A person's phone number: a provider brings a practice in with its first practice manager and
-- reads them their one-time password by phone. SQLite dialect; keep in step with
-- ../postgres/0015_first_manager.sql.
ALTER TABLE people ADD COLUMN phone TEXT;
