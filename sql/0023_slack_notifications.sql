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
    ADD COLUMN slack text NOT NULL DEFAULT 'off' CHECK (slack IN ('instant', 'daily', 'off'));

ALTER TABLE notifications
    ADD COLUMN slack text NOT NULL DEFAULT 'off' CHECK (slack IN ('instant', 'daily', 'off')),
    ADD COLUMN slack_due_at timestamptz,
    ADD COLUMN slack_message_id bigint REFERENCES notification_slack_messages (id) ON DELETE SET NULL;
-- A notification is kept when any of its three ways is on.
ALTER TABLE notifications DROP CONSTRAINT notifications_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_some_way_check
    CHECK (portal <> 'off' OR email <> 'off' OR slack <> 'off');
CREATE INDEX notifications_slack_due_idx ON notifications (slack_due_at, recipient_id)
    WHERE slack_message_id IS NULL AND slack_due_at IS NOT NULL;
CREATE INDEX notifications_daily_slack_idx ON notifications (id)
    WHERE slack = 'daily' AND slack_due_at IS NULL AND slack_message_id IS NULL;
CREATE INDEX notifications_slack_message_idx ON notifications (slack_message_id) WHERE slack_message_id IS NOT NULL;

-- The Slack coalescing window, apart from the email one: NULL is open.
ALTER TABLE notification_mailboxes ADD COLUMN next_slack_at timestamptz;
ALTER TABLE notification_mailboxes ALTER COLUMN next_email_at DROP NOT NULL;
