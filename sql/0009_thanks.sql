-- portal:replaces fd4fa8e0e26f004aa11096a030780c7edf7bcb5cb3a4e912fb7a620be7590935
-- Thanks between colleagues: an employee thanks a team or a colleague for a service or a done
-- idea, publicly or privately (portal.thanks).
CREATE TABLE thanks (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sender_id       bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    -- The sender's team when they sent it (a team never thanks itself).
    sender_team_id  bigint REFERENCES teams (id) ON DELETE SET NULL,
    to_employee_id  bigint REFERENCES employees (id) ON DELETE CASCADE,
    to_team_id      bigint REFERENCES teams (id) ON DELETE CASCADE,
    idea_id         bigint REFERENCES ideas (id) ON DELETE SET NULL,
    service_id      bigint REFERENCES services (id) ON DELETE SET NULL,
    message         text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 500),
    public          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(to_employee_id, to_team_id) = 1),
    CHECK (to_employee_id IS DISTINCT FROM sender_id),
    CHECK (to_team_id IS NULL OR to_team_id IS DISTINCT FROM sender_team_id)
);
CREATE INDEX thanks_team_idx ON thanks (to_team_id, id DESC) WHERE to_team_id IS NOT NULL;
CREATE INDEX thanks_employee_idx ON thanks (to_employee_id, id DESC) WHERE to_employee_id IS NOT NULL;
CREATE INDEX thanks_sender_idx ON thanks (sender_id, created_at);
CREATE INDEX thanks_idea_idx ON thanks (idea_id) WHERE idea_id IS NOT NULL;
CREATE INDEX thanks_public_idx ON thanks (id DESC) WHERE public;

-- Thanks notify their recipient (a colleague, or a team's leads).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN
    ('status_changed', 'responded', 'comment', 'mention', 'routed', 'overdue', 'digest', 'thanks')) NOT VALID;
ALTER TABLE notifications DROP CONSTRAINT notifications_reason_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_reason_check CHECK (reason IN
    ('author', 'voter', 'commenter', 'follower', 'mentioned', 'lead', 'admin', 'thanked')) NOT VALID;
ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_kind_check;
ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_kind_check CHECK (kind IN
    ('status_changed', 'responded', 'comment', 'mention', 'routed', 'overdue', 'digest', 'thanks')) NOT VALID;

-- portal:step concurrently
ALTER TABLE notifications VALIDATE CONSTRAINT notifications_kind_check;
ALTER TABLE notifications VALIDATE CONSTRAINT notifications_reason_check;
ALTER TABLE notification_preferences VALIDATE CONSTRAINT notification_preferences_kind_check;
