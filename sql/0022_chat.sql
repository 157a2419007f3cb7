-- portal:replaces b2507e5d60dce385efa4feeab1985352d24f9f6a3dfc45c5e11bff1b162f9fd0
-- Team channels in Slack and Microsoft Teams (portal.chat): a team's leads connect one channel of
-- each kind; what concerns the team is posted there from the outbox, like webhook deliveries.

-- The portal writes an idea's rows before its event: the tables referenced below are locked in
-- that order, or this step, holding events and waiting for ideas, deadlocks with posts in flight.
LOCK TABLE ideas, events IN SHARE ROW EXCLUSIVE MODE;
CREATE TABLE chat_connections (
    id                  bigserial PRIMARY KEY,
    team_id             bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    kind                text NOT NULL CHECK (kind IN ('slack', 'teams')),
    -- Slack: the channel's id. Teams: the Workflows URL, encrypted (it carries its own signature),
    -- and its host, which is all that is shown of it.
    slack_channel       text CHECK (slack_channel ~ '^[CGD][A-Z0-9]{2,30}$'),
    teams_url_encrypted bytea,
    teams_host          text,
    enabled             boolean NOT NULL DEFAULT true,
    disabled_reason     text,
    failing_since       timestamptz,
    connected_by        bigint REFERENCES employees (id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, kind),
    CHECK ((kind = 'slack') = (slack_channel IS NOT NULL)),
    CHECK ((kind = 'teams') = (teams_url_encrypted IS NOT NULL AND teams_host IS NOT NULL))
);

-- One message per connection per event: the key that keeps a retried post from posting twice.
-- Messages about one subject (an idea, a team) go out in line, as webhook deliveries do.
CREATE TABLE chat_messages (
    id              bigserial PRIMARY KEY,
    connection_id   bigint NOT NULL REFERENCES chat_connections (id) ON DELETE CASCADE,
    event_id        bigint NOT NULL REFERENCES events (id),
    subject         text NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'skipped', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    -- An attempt whose answer never came (a timeout): the next one first looks for its post.
    uncertain       boolean NOT NULL DEFAULT false,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    UNIQUE (connection_id, event_id)
);
CREATE INDEX chat_messages_line_idx ON chat_messages (connection_id, subject, id) WHERE state = 'pending';
CREATE INDEX chat_messages_due_idx ON chat_messages (next_attempt_at) WHERE state = 'pending';
CREATE INDEX chat_messages_event_idx ON chat_messages (event_id);

-- The Slack message that stands for an idea in a channel, updated in place as the idea moves on.
CREATE TABLE chat_posts (
    connection_id bigint NOT NULL REFERENCES chat_connections (id) ON DELETE CASCADE,
    idea_id       bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    channel       text NOT NULL,
    ts            text NOT NULL,
    event_id      bigint NOT NULL,
    posted_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, idea_id)
);
CREATE INDEX chat_posts_idea_idx ON chat_posts (idea_id);

-- A team's leads hear when its channel stops receiving messages.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN
    ('status_changed', 'responded', 'comment', 'mention', 'routed', 'overdue', 'digest', 'thanks', 'chat')) NOT VALID;
ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_kind_check;
ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_kind_check CHECK (kind IN
    ('status_changed', 'responded', 'comment', 'mention', 'routed', 'overdue', 'digest', 'thanks', 'chat')) NOT VALID;

-- portal:step concurrently
ALTER TABLE notifications VALIDATE CONSTRAINT notifications_kind_check;
ALTER TABLE notification_preferences VALIDATE CONSTRAINT notification_preferences_kind_check;
