"""SQL for ideas. $1 is always the viewing employee's id (NULL for an API token)."""

from __future__ import annotations

from portal.lookups import VOTE_COUNT

IDEA_COLUMNS = f"""
    i.id, i.title, i.body, i.tags, i.status, i.duplicate_of, i.created_at, i.updated_at, i.edited_at,
    i.hidden_at IS NOT NULL AS hidden,
    {VOTE_COUNT.format(idea="i.id")} AS vote_count,
    EXISTS (SELECT 1 FROM votes WHERE idea_id = i.id AND employee_id = $1) AS voted,
    i.comment_count, i.attachment_count,
    json_build_object('id', a.id, 'name', a.name, 'former', NOT a.active,
                      'team', (SELECT slug FROM teams WHERE id = a.team_id)) AS author,
    ARRAY(SELECT s.slug FROM idea_services x JOIN services s ON s.id = x.service_id
          WHERE x.idea_id = i.id ORDER BY s.slug) AS services,
    coalesce((SELECT json_agg(json_build_object('team', t.slug, 'role', it.role) ORDER BY t.slug)
              FROM idea_teams it JOIN teams t ON t.id = it.team_id WHERE it.idea_id = i.id), '[]')
        AS teams,
    (SELECT slug FROM campaigns WHERE id = i.campaign_id) AS campaign,
    i.outcome_note
"""
IDEA_BY_ID = f"SELECT {IDEA_COLUMNS} FROM ideas i JOIN employees a ON a.id = i.author_id WHERE i.id = $2"
STATUS_HISTORY = """
SELECT h.from_status, h.to_status, h.reason, h.changed_at, e.email AS changed_by, h.survey_round_id
FROM idea_status_changes h LEFT JOIN employees e ON e.id = h.changed_by
WHERE h.idea_id = $1 ORDER BY h.id
"""
SERVICES_BY_SLUG = "SELECT slug, id FROM services WHERE slug = ANY($1::text[])"
TEAMS_BY_SLUG = "SELECT slug, id FROM teams WHERE slug = ANY($1::text[])"
INSERT_IDEA = """
INSERT INTO ideas (author_id, title, body, tags, campaign_id) VALUES ($1, $2, $3, $4, $5) RETURNING id
"""
LINK_SERVICES = """
INSERT INTO idea_services (idea_id, service_id) SELECT $1, unnest($2::bigint[])
"""
LINK_TEAMS = """
INSERT INTO idea_teams (idea_id, team_id, role) SELECT $1, unnest($2::bigint[]), unnest($3::text[])
"""
UNLINK_SERVICES = "DELETE FROM idea_services WHERE idea_id = $1"
UNLINK_TEAMS = "DELETE FROM idea_teams WHERE idea_id = $1"
UPDATE_IDEA = """
UPDATE ideas SET title = coalesce($2, title), body = coalesce($3, body), tags = coalesce($4, tags),
                 updated_at = now(), edited_at = CASE WHEN $5 THEN now() ELSE edited_at END
WHERE id = $1
"""
PROVIDER_TEAMS = """
SELECT team_id FROM idea_teams WHERE idea_id = $1 AND role = 'provider'
UNION
SELECT s.provider_team_id FROM idea_services x JOIN services s ON s.id = x.service_id WHERE x.idea_id = $1
"""
IDEA_EXISTS = "SELECT EXISTS (SELECT 1 FROM ideas WHERE id = $1)"
IDEA_STATUS = "SELECT status FROM ideas WHERE id = $1"
SET_STATUS = """
UPDATE ideas SET status = $2, duplicate_of = $3, updated_at = now() WHERE id = $1
"""
RECORD_STATUS_CHANGE = """
INSERT INTO idea_status_changes (idea_id, from_status, to_status, reason, changed_by)
VALUES ($1, $2, $3, $4, $5)
"""

# At most how many ideas match a search, from ANALYZE's statistics of the search column (no
# index read): an AND of words matches no more ideas than its rarest word, an OR no more than
# all of them together. A word missing from the most common elements has no known frequency
# (it may be in no idea or in thousands), so a search with one is NULL, as before the first
# ANALYZE, and the caller counts its matches instead. Negated words are left out. With the
# number of ideas the statistics were taken from.
ESTIMATED_MATCHES = r"""
WITH stats AS (
    SELECT most_common_elems::text::text[] AS words, most_common_elem_freqs AS freqs
    FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'ideas' AND attname = 'search'
), query AS (
    SELECT idea_search_query($1)::text AS text
), terms AS (
    SELECT replace(m[2], '''''', '''') AS word
    FROM query, regexp_matches(query.text, '(!?)''((?:[^'']|'''')*)''', 'g') AS m
    WHERE m[1] = ''
), frequencies AS (
    SELECT s.freqs[array_position(s.words, t.word)] AS freq FROM terms t, stats s
), ideas AS (
    SELECT reltuples AS count FROM pg_class WHERE oid = 'ideas'::regclass
)
SELECT CASE WHEN NOT EXISTS (SELECT FROM frequencies WHERE freq IS NULL) THEN
       (SELECT count FROM ideas)
       * CASE WHEN (SELECT text FROM query) LIKE '%|%' THEN (SELECT sum(freq) FROM frequencies)
              ELSE (SELECT min(freq) FROM frequencies) END END AS matches,
       (SELECT count FROM ideas) AS ideas
"""
# The services a team provides or is a customer of ({team}: its slug).
TEAM_SERVICES = """ARRAY(SELECT s.id FROM services s JOIN teams t ON t.id = s.provider_team_id WHERE t.slug = {team}
                          UNION SELECT c.service_id FROM service_customers c JOIN teams t ON t.id = c.team_id
                          WHERE t.slug = {team})"""
# The ideas a person voted for, up to $2 of them (votes_employee_idx).
VOTED_IDEAS = """
SELECT coalesce(array_agg(idea_id), '{}') FROM (SELECT idea_id FROM votes WHERE employee_id = $1 LIMIT $2) voted
"""
# The ideas that concern a team (named explicitly, or about a service it provides or uses), up
# to $2 of them (a team with more is filtered while the sort's index is walked instead); read
# from the (team, idea) and (service, idea) indexes alone.
TEAM_IDEAS = f"""
SELECT coalesce(array_agg(DISTINCT idea_id), '{{}}') FROM (
    SELECT it.idea_id FROM idea_teams it WHERE it.team_id = (SELECT id FROM teams WHERE slug = $1)
    UNION ALL
    SELECT x.idea_id FROM idea_services x WHERE x.service_id = ANY({TEAM_SERVICES.format(team="$1")})
    LIMIT $2
) concerned
"""
# The same, idea by idea ({idea}: the idea's id, {team}: the slug, {services}: TEAM_SERVICES). One EXISTS over a UNION ALL
# is checked per idea as the sort's index is walked (two index probes; the team's id and
# services are looked up once); an OR of EXISTS would be answered by hashing all of the team's
# ideas first.
CONCERNS_TEAM = """EXISTS (
    SELECT 1 FROM idea_services x WHERE x.idea_id = {idea} AND x.service_id = ANY({services})
    UNION ALL
    SELECT 1 FROM idea_teams it WHERE it.idea_id = {idea} AND it.team_id = (SELECT id FROM teams WHERE slug = {team})
)"""
SEARCH_PROBE_IDS = """
SELECT coalesce(array_agg(id), '{}') FROM (
    SELECT id FROM ideas WHERE search @@ idea_search_query($1) LIMIT $2
) matches
"""

# Rankings (sql/0005_rankings.sql). Taking the clock's row lock serialises ranking updates, so
# they commit in version order and any snapshot sees versions 1..N and no later one.
NEXT_RANKING_VERSION = """
UPDATE ranking_clock SET version = version + 1 RETURNING version, trending_until, now() AS now
"""
# Where a new listing starts: this moment, and the ranking version its snapshot sees.
LISTING_START = "SELECT now() AS now, (SELECT version FROM ranking_clock) AS version"
ADVANCE_TRENDING_WINDOW = "UPDATE ranking_clock SET trending_until = $1"
# Ideas with a vote that left the trending window between the last move of it and now.
AGED_OUT = """
SELECT DISTINCT idea_id FROM votes WHERE cast_at > $1 AND cast_at <= $2
"""
# Run as a statement of its own after NEXT_RANKING_VERSION: its snapshot then includes every
# earlier version's update. $1 the ideas, $2 the new version, $3 where the trending window starts.
REFRESH_RANKINGS = """
WITH fresh AS (
    SELECT i.id, i.vote_count AS old_votes, i.trending AS old_trending,
           (SELECT coalesce(sum(votes), 0) FROM idea_vote_shards WHERE idea_id = i.id)::int AS votes,
           (SELECT count(*) FROM votes WHERE idea_id = i.id AND cast_at > $3)::int AS trending
    FROM ideas i WHERE i.id = ANY($1::bigint[])
), changed AS (
    SELECT * FROM fresh WHERE (votes, trending) IS DISTINCT FROM (old_votes, old_trending)
), history AS (
    INSERT INTO idea_rank_history (idea_id, version, vote_count, trending)
    SELECT id, $2, old_votes, old_trending FROM changed
), support AS (
    UPDATE routings r SET support = c.votes FROM changed c WHERE r.idea_id = c.id AND r.support <> c.votes
)
UPDATE ideas i SET vote_count = c.votes, trending = c.trending, ranked_version = $2
FROM changed c WHERE i.id = c.id
"""
PRUNE_RANK_HISTORY = "DELETE FROM idea_rank_history WHERE recorded_at < $1"
# An idea's ranking values as they stood at version {version}: the values the first later
# change replaced (ideas changed since then), or today's (the rest, ranked_version <= it).
RANKS_THEN = """
ranks_then AS (
    SELECT DISTINCT ON (idea_id) idea_id, vote_count, trending FROM idea_rank_history
    WHERE version > {version} ORDER BY idea_id, version
)
"""

# Ideas like a title being typed, best first: any of its words (or, in Japanese, two-character
# runs) rather than all of them, ranked by how many match and how often. The candidates are
# bounded before ranking so a title of common words costs a few thousand index hits at most.
SIMILAR = f"""
WITH wanted AS (SELECT replace(idea_search_query($1)::text, ' & ', ' | ')::tsquery AS q),
candidates AS (
    SELECT i.id, ts_rank(i.search, wanted.q) AS rank FROM ideas i, wanted
    WHERE numnode(wanted.q) > 0 AND i.search @@ wanted.q AND i.status <> 'duplicate' AND i.hidden_at IS NULL
    LIMIT 2000
)
SELECT i.id, i.title, i.status, {VOTE_COUNT.format(idea="i.id")} AS vote_count
FROM candidates c JOIN ideas i ON i.id = c.id
ORDER BY c.rank DESC, i.id DESC LIMIT $2
"""
