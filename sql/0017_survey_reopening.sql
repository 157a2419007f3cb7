-- A "did this solve it?" round reopens a done idea when it closes, made by the survey and no
-- person (portal.surveys.service.close_due): the status change names the round, not a respondent.
ALTER TABLE idea_status_changes ADD COLUMN survey_round_id bigint REFERENCES survey_rounds (id) ON DELETE SET NULL;
