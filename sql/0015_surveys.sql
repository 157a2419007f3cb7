-- Surveys (portal.surveys): a service's pulse (satisfaction, effort, the one improvement) asked of
-- its customer teams' members, and "did this solve it?" asked when an idea is done. Who answered
-- is kept only while a round is open (one answer each, changeable); closing a round removes it.
ALTER TABLE services
    ADD COLUMN pulse_every_days integer CHECK (pulse_every_days BETWEEN 7 AND 366),
    ADD COLUMN pulse_open_days integer NOT NULL DEFAULT 14 CHECK (pulse_open_days BETWEEN 1 AND 90);

CREATE TABLE survey_rounds (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('pulse', 'solved')),
    service_id        bigint REFERENCES services (id) ON DELETE CASCADE,
    idea_id           bigint REFERENCES ideas (id) ON DELETE CASCADE,
    opened_at         timestamptz NOT NULL DEFAULT now(),
    closes_at         timestamptz NOT NULL,
    closed_at         timestamptz,
    -- Compiled at closing, with every group of fewer than the minimum left out.
    results           jsonb,
    -- "Did this solve it?": two customer teams answering no reopened the provider's routing.
    reopened_routing  boolean NOT NULL DEFAULT false,
    CHECK ((kind = 'pulse') = (service_id IS NOT NULL)),
    CHECK ((kind = 'solved') = (idea_id IS NOT NULL)),
    CHECK (closes_at > opened_at)
);
CREATE UNIQUE INDEX survey_rounds_open_pulse_key ON survey_rounds (service_id) WHERE kind = 'pulse' AND closed_at IS NULL;
CREATE UNIQUE INDEX survey_rounds_open_solved_key ON survey_rounds (idea_id) WHERE kind = 'solved' AND closed_at IS NULL;
CREATE INDEX survey_rounds_due_idx ON survey_rounds (closes_at) WHERE closed_at IS NULL;
CREATE INDEX survey_rounds_service_idx ON survey_rounds (service_id, id DESC) WHERE service_id IS NOT NULL;

CREATE TABLE survey_answers (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id          bigint NOT NULL REFERENCES survey_rounds (id) ON DELETE CASCADE,
    respondent_id     bigint REFERENCES employees (id) ON DELETE SET NULL,
    -- The respondent's team, when it is one of the customer teams asked (the group results use).
    customer_team_id  bigint REFERENCES teams (id) ON DELETE SET NULL,
    csat              smallint CHECK (csat BETWEEN 1 AND 5),
    ces               smallint CHECK (ces BETWEEN 1 AND 5),
    improvement       text CHECK (char_length(improvement) <= 2000),
    solved            text CHECK (solved IN ('yes', 'partly', 'no')),
    comment           text CHECK (char_length(comment) <= 2000),
    UNIQUE (round_id, respondent_id),
    CHECK ((csat IS NULL) = (ces IS NULL)),
    CHECK ((csat IS NULL) <> (solved IS NULL))
);
CREATE INDEX survey_answers_round_idx ON survey_answers (round_id);
