-- portal:replaces 78aa1d2bc3f410e1c44e2085c4498a446e5fad1dbb61f2aea1edbb4530e54ab5
-- Notifications by Slack direct message, beside the portal and email (portal.chat.direct): chosen
-- per kind like email ('instant' within the same coalescing window, 'daily', or 'off', the
-- default), gathered into one message per person per window.
CREATE TABLE notification_slack_messages (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient_id     bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    -- 'sending' is committed before the post: one left there by a killed worker, or whose answer
    -- never came, is not posted again ('unknown'), as with emails.
    state            text NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unknown')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sending_at       timestamptz,
    sent_at          timestamptz,
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX notification_slack_messages_queued_idx ON notification_slack_messages (next_attempt_at)
    WHERE state = 'queued';
CREATE INDEX notification_slack_messages_sending_idx ON notification_slack_messages (sending_at)
    WHERE state = 'sending';
CREATE INDEX notification_slack_messages_recipient_idx ON notification_slack_messages (recipient_id, id DESC);

ALTER TABLE notification_preferences
    ADD COLUMN slack text NOT NULL DEFAULT 'off',
    ADD CONSTRAINT notification_preferences_slack_check CHECK (slack IN ('instant', 'daily', 'off')) NOT VALID;

ALTER TABLE notifications
    ADD COLUMN slack text NOT NULL DEFAULT 'off',
    ADD COLUMN slack_due_at timestamptz,
    ADD COLUMN slack_message_id bigint,
    ADD CONSTRAINT notifications_slack_check CHECK (slack IN ('instant', 'daily', 'off')) NOT VALID,
    ADD CONSTRAINT notifications_slack_message_id_fkey
        FOREIGN KEY (slack_message_id) REFERENCES notification_slack_messages (id) ON DELETE SET NULL NOT VALID;
-- A notification is kept when any of its three ways is on.
ALTER TABLE notifications DROP CONSTRAINT notifications_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_some_way_check
    CHECK (portal <> 'off' OR email <> 'off' OR slack <> 'off') NOT VALID;

-- The Slack coalescing window, apart from the email one: NULL is open.
ALTER TABLE notification_mailboxes ADD COLUMN next_slack_at timestamptz;
ALTER TABLE notification_mailboxes ALTER COLUMN next_email_at DROP NOT NULL;

-- portal:step concurrently
ALTER TABLE notification_preferences VALIDATE CONSTRAINT notification_preferences_slack_check;
ALTER TABLE notifications VALIDATE CONSTRAINT notifications_slack_check;
ALTER TABLE notifications VALIDATE CONSTRAINT notifications_slack_message_id_fkey;
ALTER TABLE notifications VALIDATE CONSTRAINT notifications_some_way_check;
CREATE INDEX CONCURRENTLY notifications_slack_due_idx ON notifications (slack_due_at, recipient_id)
    WHERE slack_message_id IS NULL AND slack_due_at IS NOT NULL;
CREATE INDEX CONCURRENTLY notifications_daily_slack_idx ON notifications (id)
    WHERE slack = 'daily' AND slack_due_at IS NULL AND slack_message_id IS NULL;
CREATE INDEX CONCURRENTLY notifications_slack_message_idx ON notifications (slack_message_id) WHERE slack_message_id IS NOT NULL;
