-- A provider's list of practices is imported through the same staged files as the registers:
-- such a file belongs to no practice. PostgreSQL dialect; keep in step with
-- ../sqlite/0016_practice_imports.sql.
ALTER TABLE register_imports DROP CONSTRAINT register_imports_register_check;
ALTER TABLE register_imports ADD CONSTRAINT register_imports_register_check
    CHECK (register IN ('assets', 'risks', 'practices'));
-- Empty only for a list of practices, which is the provider's.
ALTER TABLE register_imports ALTER COLUMN practice_id DROP NOT NULL;
ALTER TABLE register_imports ADD CONSTRAINT register_imports_practice_check
    CHECK ((practice_id IS NULL) = (register = 'practices'));
