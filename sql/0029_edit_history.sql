-- Edit history (portal.ideas.history): every earlier version of an idea and of a comment, who
-- replaced it and when. Readers see that a text was edited and the differences; the versions
-- are kept while the idea or comment is.

-- portal:step schema
-- Locked first, in the order the portal's writes lock them (see 0030).
LOCK TABLE comments, notifications, notification_preferences, ideas, employees IN ACCESS EXCLUSIVE MODE;
CREATE TABLE idea_revisions (
    idea_id     bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version >= 1),
    title       text NOT NULL,
    body        text NOT NULL,
    tags        text[] NOT NULL,
    -- The edit that replaced this version: by whom, when, and whether it changed the title or
    -- body enough that the voters were told (portal.notifications, kind idea_edited).
    replaced_by bigint REFERENCES employees (id),
    replaced_at timestamptz NOT NULL DEFAULT now(),
    substantial boolean NOT NULL,
    PRIMARY KEY (idea_id, version)
);
CREATE TABLE comment_revisions (
    comment_id  bigint NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version >= 1),
    body        text NOT NULL,
    replaced_by bigint REFERENCES employees (id),
    replaced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (comment_id, version)
);
ALTER TABLE ideas ADD COLUMN edited_at timestamptz;
ALTER TABLE comments ADD COLUMN edited_at timestamptz;

-- Voters hear of a substantial edit (a kind they may turn off).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN
    ('status_changed', 'responded', 'comment', 'mention', 'routed', 'overdue', 'digest', 'thanks', 'chat',
     'idea_edited')) NOT VALID;
ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_kind_check;
ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_kind_check CHECK (kind IN
    ('status_changed', 'responded', 'comment', 'mention', 'routed', 'overdue', 'digest', 'thanks', 'chat',
     'idea_edited')) NOT VALID;

-- portal:step concurrently
ALTER TABLE notifications VALIDATE CONSTRAINT notifications_kind_check;
ALTER TABLE notification_preferences VALIDATE CONSTRAINT notification_preferences_kind_check;
