-- Moderation (portal.moderation): employees report an idea, a comment or a thanks; moderators
-- (given by admins, or members of the identity provider's moderators' group) hide or dismiss from
-- a queue; a hidden item leaves lists and search, its author sees it with the reason and may ask
-- for a review. Enough reports from different people hide an item until someone reviews it.

-- portal:step schema
-- Locked first, in the order the portal's writes lock them (a row before the rows it references:
-- a comment before its idea, an idea before its author), so this step never holds one while
-- waiting for another that a write in flight holds.
LOCK TABLE comments, thanks, ideas, employees IN ACCESS EXCLUSIVE MODE;
ALTER TABLE employees ADD COLUMN is_moderator boolean NOT NULL DEFAULT false;
ALTER TABLE ideas ADD COLUMN hidden_at timestamptz;
ALTER TABLE comments ADD COLUMN hidden_at timestamptz;
ALTER TABLE thanks ADD COLUMN hidden_at timestamptz;
ALTER TABLE directory_groups DROP CONSTRAINT directory_groups_kind_check;
ALTER TABLE directory_groups ADD CONSTRAINT directory_groups_kind_check
    CHECK (kind IN ('team', 'leads', 'admins', 'moderators')) NOT VALID;

-- One case per reported item: its reports, and what the moderators decided.
CREATE TABLE moderation_cases (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                text NOT NULL CHECK (kind IN ('idea', 'comment', 'thanks')),
    item_id             bigint NOT NULL,
    -- The idea an idea or a comment is (on): the case goes with it.
    idea_id             bigint REFERENCES ideas (id) ON DELETE CASCADE,
    author_id           bigint NOT NULL REFERENCES employees (id),
    -- reported: waiting for a moderator; hidden; dismissed (the reports were not upheld);
    -- restored (hidden, then shown again).
    state               text NOT NULL DEFAULT 'reported'
                        CHECK (state IN ('reported', 'hidden', 'dismissed', 'restored')),
    reports             integer NOT NULL DEFAULT 0 CHECK (reports >= 0),
    first_reported_at   timestamptz NOT NULL DEFAULT now(),
    hidden_reason       text CHECK (char_length(hidden_reason) BETWEEN 1 AND 1000),
    -- Hidden by the reports' number, not by a moderator: waits for one.
    auto_hidden         boolean NOT NULL DEFAULT false,
    review_requested_at timestamptz,
    decided_by          bigint REFERENCES employees (id),
    decided_at          timestamptz,
    UNIQUE (kind, item_id),
    CHECK ((kind = 'thanks') = (idea_id IS NULL)),
    CHECK (state <> 'hidden' OR hidden_reason IS NOT NULL)
);
-- The queue: what waits for a moderator, oldest first.
CREATE INDEX moderation_cases_waiting_idx ON moderation_cases (first_reported_at)
    WHERE state = 'reported' OR (state = 'hidden' AND (auto_hidden OR review_requested_at IS NOT NULL));

-- One report per person per item; who reported is never shown to the reported person.
CREATE TABLE moderation_reports (
    case_id     bigint NOT NULL REFERENCES moderation_cases (id) ON DELETE CASCADE,
    reporter_id bigint NOT NULL REFERENCES employees (id),
    reason      text NOT NULL CHECK (reason IN ('rude', 'personal_data', 'off_topic', 'other')),
    note        text CHECK (char_length(note) BETWEEN 1 AND 1000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, reporter_id),
    CHECK (reason <> 'other' OR note IS NOT NULL)
);
CREATE INDEX moderation_reports_reporter_idx ON moderation_reports (reporter_id);

-- portal:step concurrently
ALTER TABLE directory_groups VALIDATE CONSTRAINT directory_groups_kind_check;
