-- portal:replaces 5f6cdd8f1a384c3f91e686cada2b81eaf8913c8486dbc1a59be16fe393d9323e
-- Notifications: who follows what, what each employee wants to hear and how, what they were
-- told, and the emails that told them (see portal.notifications).

-- An explicit follow of an idea, a team's ideas, a service's ideas or a tag; or (following =
-- false) an idea's unfollow, which silences the implicit subscription its author, voters and
-- commenters have, and any follow of its teams, services or tags.
CREATE TABLE follows (
    employee_id  bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    idea_id      bigint REFERENCES ideas (id) ON DELETE CASCADE,
    team_id      bigint REFERENCES teams (id) ON DELETE CASCADE,
    service_id   bigint REFERENCES services (id) ON DELETE CASCADE,
    tag          text CHECK (tag = lower(tag) AND char_length(tag) BETWEEN 1 AND 40),
    following    boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(idea_id, team_id, service_id, tag) = 1),
    CHECK (following OR idea_id IS NOT NULL)
);
-- Keyed by target first: the fan-out reads who follows a target.
CREATE UNIQUE INDEX follows_idea_key ON follows (idea_id, employee_id) WHERE idea_id IS NOT NULL;
CREATE UNIQUE INDEX follows_team_key ON follows (team_id, employee_id) WHERE team_id IS NOT NULL;
CREATE UNIQUE INDEX follows_service_key ON follows (service_id, employee_id) WHERE service_id IS NOT NULL;
CREATE UNIQUE INDEX follows_tag_key ON follows (tag, employee_id) WHERE tag IS NOT NULL;
CREATE INDEX follows_employee_idx ON follows (employee_id);

-- An employee's choice for one kind of notification, in the portal and by email. Without a row
-- the defaults apply (portal.notifications.kinds).
CREATE TABLE notification_preferences (
    employee_id  bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN
                     ('status_changed', 'responded', 'comment', 'mention', 'routed', 'overdue', 'digest')),
    portal       text NOT NULL CHECK (portal IN ('instant', 'daily', 'off')),
    email        text NOT NULL CHECK (email IN ('instant', 'daily', 'off')),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (employee_id, kind)
);

-- One email to one employee, carrying one or more notifications; rendered from them when sent
-- (in the recipient's language then). 'sending' is committed before the SMTP transaction
-- starts: an email left there by a killed worker is never sent again ('unknown'), so none is
-- sent twice.
CREATE TABLE notification_emails (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient_id       bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    -- The same Message-ID on every attempt.
    message_id         text NOT NULL UNIQUE,
    kinds              text[] NOT NULL CHECK (cardinality(kinds) >= 1),
    -- The one-click unsubscribe link's token, hashed (a new one with each attempt).
    unsubscribe_hash   bytea UNIQUE,
    state              text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unknown')),
    attempts           integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    last_error         text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    sending_at         timestamptz,
    sent_at            timestamptz,
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX notification_emails_queued_idx ON notification_emails (next_attempt_at) WHERE state = 'queued';
CREATE INDEX notification_emails_sending_idx ON notification_emails (sending_at) WHERE state = 'sending';
CREATE INDEX notification_emails_recipient_idx ON notification_emails (recipient_id, id DESC);

-- What one employee was told about one event: at most one notification per person per event
-- (a mention and a followed comment are the same event). `portal` and `email` are the delivery
-- modes chosen when it was created; a 'daily' one becomes visible, or due by email, when the
-- daily digest releases it.
CREATE TABLE notifications (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient_id  bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    event_id      bigint NOT NULL,
    kind          text NOT NULL CHECK (kind IN
                      ('status_changed', 'responded', 'comment', 'mention', 'routed', 'overdue', 'digest')),
    reason        text NOT NULL CHECK (reason IN
                      ('author', 'voter', 'commenter', 'follower', 'mentioned', 'lead', 'admin')),
    idea_id       bigint REFERENCES ideas (id) ON DELETE CASCADE,
    team_id       bigint REFERENCES teams (id) ON DELETE CASCADE,
    data          jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    portal        text NOT NULL CHECK (portal IN ('instant', 'daily', 'off')),
    email         text NOT NULL CHECK (email IN ('instant', 'daily', 'off')),
    visible_at    timestamptz,
    read_at       timestamptz,
    email_due_at  timestamptz,
    email_id      bigint REFERENCES notification_emails (id) ON DELETE SET NULL,
    UNIQUE (event_id, recipient_id),
    CHECK (portal <> 'off' OR email <> 'off'),
    CHECK (portal <> 'instant' OR visible_at IS NOT NULL),
    CHECK (portal <> 'off' OR visible_at IS NULL),
    CHECK (read_at IS NULL OR visible_at IS NOT NULL)
);
-- The list: unread first, newest first.
CREATE INDEX notifications_list_idx ON notifications (recipient_id, (read_at IS NOT NULL), id DESC)
    WHERE visible_at IS NOT NULL;
CREATE INDEX notifications_unread_idx ON notifications (recipient_id) WHERE read_at IS NULL AND visible_at IS NOT NULL;
-- Emails to compose: due and not yet in an email.
CREATE INDEX notifications_email_due_idx ON notifications (email_due_at, recipient_id)
    WHERE email_id IS NULL AND email_due_at IS NOT NULL;
-- What the daily digest releases.
CREATE INDEX notifications_daily_portal_idx ON notifications (id) WHERE portal = 'daily' AND visible_at IS NULL;
CREATE INDEX notifications_daily_email_idx ON notifications (id)
    WHERE email = 'daily' AND email_due_at IS NULL AND email_id IS NULL;

-- The coalescing window: no email to an employee before next_email_at; what becomes due
-- meanwhile waits and goes out together in one email when the window ends.
CREATE TABLE notification_mailboxes (
    employee_id    bigint PRIMARY KEY REFERENCES employees (id) ON DELETE CASCADE,
    next_email_at  timestamptz NOT NULL
);

-- A routing still unanswered a second response period after it fell due is escalated to the
-- admins, once.
ALTER TABLE routings ADD COLUMN escalated_at timestamptz;
-- portal:step concurrently
CREATE INDEX CONCURRENTLY routings_escalation_idx ON routings (due_at)
    WHERE state = 'pending' AND overdue_notified_at IS NOT NULL AND escalated_at IS NULL;
