-- Erasure on request (portal.privacy.erasure): the employee's row stays, so what they did keeps
-- counting (votes, answers as a lead), but under a pseudonym; when that happened is kept here. An
-- erased employee never signs in or is provisioned again (a new row is made instead).
-- portal:step schema
ALTER TABLE employees ADD COLUMN erased_at timestamptz;
ALTER TABLE employees ADD CONSTRAINT employees_erased_inactive CHECK (erased_at IS NULL OR NOT active) NOT VALID;

-- portal:step concurrently
ALTER TABLE employees VALIDATE CONSTRAINT employees_erased_inactive;
