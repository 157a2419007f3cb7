-- Teams' and services' names change rarely and every page shows some: a version number that
-- any change to them raises lets the web client keep the names in memory, and learn with the
-- session it reads anyway (portal.sessions) whether they are still current, instead of reading
-- every name on every page.

-- portal:step schema
-- Locked first, in the order the portal's writes lock them (a service before its team).
LOCK TABLE services, teams IN SHARE ROW EXCLUSIVE MODE;
CREATE TABLE names_version (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version   bigint NOT NULL DEFAULT 1
);
INSERT INTO names_version DEFAULT VALUES;

-- Raised by the changing transaction as it commits, once however many rows it changed: a reader
-- sees the new version only with the new names, and the row is locked for the commit alone (not
-- while the rest of the transaction runs, when two provisioning requests could wait on each other).
CREATE FUNCTION raise_names_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('portal.names_version_raised', true) IS DISTINCT FROM 'on' THEN
        UPDATE names_version SET version = version + 1;
        PERFORM set_config('portal.names_version_raised', 'on', true);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER teams_names_version AFTER INSERT OR DELETE OR UPDATE OF slug, name ON teams
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_names_version();
CREATE CONSTRAINT TRIGGER services_names_version AFTER INSERT OR DELETE OR UPDATE OF slug, name ON services
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_names_version();
-- TRUNCATE has no row to defer with; it is rare (a demo's reset) and raises at once.
CREATE TRIGGER teams_names_version_truncate AFTER TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION raise_names_version();
CREATE TRIGGER services_names_version_truncate AFTER TRUNCATE ON services
    FOR EACH STATEMENT EXECUTE FUNCTION raise_names_version();
