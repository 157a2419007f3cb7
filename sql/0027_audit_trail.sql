-- The directory's audit trail becomes the portal's (portal.audit): every administrative act
-- (teams, leads, services and their standards, routing rules, webhooks, API tokens, merges,
-- campaigns, team channels, provisioning) with who, what, the target, before and after, when and
-- from which address. Still append-only: only the retention job (portal.retention), which says
-- so in its transaction, may delete entries older than PORTAL_RETAIN_AUDIT_DAYS.

-- portal:step schema
ALTER TABLE directory_audit RENAME TO audit_trail;
-- The version still serving during an online upgrade reads and writes the old name.
CREATE VIEW directory_audit AS
    SELECT id, at, source, actor, actor_name, action, subject, before, after FROM audit_trail;
ALTER TABLE audit_trail ADD COLUMN address inet;
ALTER TABLE audit_trail DROP CONSTRAINT directory_audit_source_check;
ALTER TABLE audit_trail ADD CONSTRAINT audit_trail_source_check
    CHECK (source IN ('scim', 'import', 'admin', 'portal')) NOT VALID;

CREATE FUNCTION audit_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('portal.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only';
END
$$;
DROP TRIGGER directory_audit_append_only ON audit_trail;
CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON audit_trail
    FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only();
CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail
    FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_append_only();
DROP FUNCTION directory_audit_append_only();

-- The admin page's filters (who, what) and the retention job (when).
-- portal:step concurrently
ALTER TABLE audit_trail VALIDATE CONSTRAINT audit_trail_source_check;
CREATE INDEX CONCURRENTLY audit_trail_actor_idx ON audit_trail (actor, id);
CREATE INDEX CONCURRENTLY audit_trail_action_idx ON audit_trail (action text_pattern_ops, id);
CREATE INDEX CONCURRENTLY audit_trail_at_idx ON audit_trail (at);
