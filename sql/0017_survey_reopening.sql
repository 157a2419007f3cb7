-- portal:replaces 305f89d48263f7f25b312a09f6c4a47ddd3e47c7acb60dc31165524215233513
-- A "did this solve it?" round reopens a done idea when it closes, made by the survey and no
-- person (portal.surveys.service.close_due): the status change names the round, not a respondent.
-- portal:step schema
ALTER TABLE idea_status_changes ADD COLUMN survey_round_id bigint,
    ADD CONSTRAINT idea_status_changes_survey_round_id_fkey
        FOREIGN KEY (survey_round_id) REFERENCES survey_rounds (id) ON DELETE SET NULL NOT VALID;
-- portal:step concurrently
ALTER TABLE idea_status_changes VALIDATE CONSTRAINT idea_status_changes_survey_round_id_fkey;
