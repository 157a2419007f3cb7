"""Results compiled for the leads: per-idea tallies and per-team digests."""
from __future__ import annotations

from datetime import timedelta

import asyncpg

from portal.auth.caller import Caller
from portal.errors import Forbidden, NotFound
from portal.events import service as events
from portal.ideas.service import require_idea
from portal.ideas.workflow import CLOSED_STATUSES
from portal.results.schemas import DigestRead, IdeaResults
from portal.teams.service import leads_any, team_id

REQUEST_COMPILATION = """
INSERT INTO results_pending (idea_id) SELECT unnest($1::bigint[])
ON CONFLICT (idea_id) DO NOTHING
"""
TAKE_PENDING = """
DELETE FROM results_pending WHERE idea_id IN (
    SELECT idea_id FROM results_pending ORDER BY requested_at LIMIT $1 FOR UPDATE SKIP LOCKED
) RETURNING idea_id
"""
# Each voter's team, and that team's role toward the idea as routed (provider, customer, other).
TALLIES = """
SELECT v.idea_id, t.slug AS team, coalesce(r.role, 'other') AS role, count(*)::int AS votes
FROM votes v
JOIN employees e ON e.id = v.employee_id
LEFT JOIN teams t ON t.id = e.team_id
LEFT JOIN routings r ON r.idea_id = v.idea_id AND r.team_id = e.team_id AND r.state <> 'withdrawn'
WHERE v.idea_id = ANY($1::bigint[])
GROUP BY v.idea_id, t.slug, r.role
"""
SAVE_RESULTS = """
INSERT INTO idea_results (idea_id, vote_count, by_team, by_role, compiled_at)
SELECT $1, $2, $3, $4, now() WHERE EXISTS (SELECT 1 FROM ideas WHERE id = $1)
ON CONFLICT (idea_id) DO UPDATE
   SET vote_count = EXCLUDED.vote_count, by_team = EXCLUDED.by_team, by_role = EXCLUDED.by_role,
       compiled_at = EXCLUDED.compiled_at
RETURNING compiled_at
"""
STORED_RESULTS = "SELECT vote_count, by_team, by_role, compiled_at FROM idea_results WHERE idea_id = $1"


async def request_compilation(conn: asyncpg.Connection, idea_ids: list[int]) -> None:
    """Marks ideas for the next compilation; many votes on one idea coalesce into one mark."""
    await conn.execute(REQUEST_COMPILATION, idea_ids)


def _tally(rows: list[asyncpg.Record]) -> dict:
    by_team: dict[str | None, int] = {}
    by_role = {"provider": 0, "customer": 0, "other": 0}
    for row in rows:
        by_team[row["team"]] = by_team.get(row["team"], 0) + row["votes"]
        by_role[row["role"]] += row["votes"]
    teams = sorted(by_team.items(), key=lambda item: (-item[1], item[0] or ""))
    return {"vote_count": sum(by_role.values()), "by_team": [{"team": t, "votes": n} for t, n in teams],
            "by_role": by_role}


async def compile_pending(conn: asyncpg.Connection, *, limit: int = 500) -> list[int]:
    """Compiles the results of ideas marked since the last run; returns their ids."""
    idea_ids = [row["idea_id"] for row in await conn.fetch(TAKE_PENDING, limit)]
    if not idea_ids:
        return []
    grouped: dict[int, list] = {idea_id: [] for idea_id in idea_ids}
    for row in await conn.fetch(TALLIES, idea_ids):
        grouped[row["idea_id"]].append(row)
    for idea_id, rows in grouped.items():
        tally = _tally(rows)
        compiled_at = await conn.fetchval(SAVE_RESULTS, idea_id, tally["vote_count"], tally["by_team"],
                                          tally["by_role"])
        if compiled_at is not None:
            await events.record(conn, "results.compiled", f"ideas/{idea_id}",
                                {"idea_id": idea_id, **tally, "compiled_at": compiled_at.isoformat()})
    return idea_ids


async def get_results(conn: asyncpg.Connection, *, idea_id: int) -> IdeaResults:
    await require_idea(conn, idea_id)
    row = await conn.fetchrow(STORED_RESULTS, idea_id)
    if row is None:
        empty = _tally([])
        return IdeaResults(idea_id=idea_id, compiled_at=None, **empty)
    return IdeaResults.model_validate({"idea_id": idea_id, **dict(row)})


DIGEST_CONTENT = """
WITH mine AS (
    SELECT r.*, i.title, i.status,
           (SELECT coalesce(sum(votes), 0) FROM idea_vote_shards WHERE idea_id = i.id)::int AS votes
    FROM routings r JOIN ideas i ON i.id = r.idea_id
    WHERE r.team_id = $1 AND r.state <> 'withdrawn'
)
SELECT
    coalesce((SELECT json_agg(json_build_object('idea_id', idea_id, 'title', title, 'role', role,
                                                'routed_at', routed_at) ORDER BY routed_at)
              FROM mine WHERE routed_at >= $2 AND routed_at < $3), '[]') AS newly_routed,
    coalesce((SELECT json_agg(x) FROM (
                  SELECT idea_id, title, votes, state FROM mine WHERE status <> ALL($4::text[])
                  ORDER BY votes DESC, idea_id LIMIT 5) x), '[]') AS most_supported_open,
    coalesce((SELECT json_agg(json_build_object('idea_id', idea_id, 'title', title, 'due_at', due_at)
                              ORDER BY due_at)
              FROM mine WHERE state = 'pending' AND due_at < $3), '[]') AS overdue,
    coalesce((SELECT json_agg(json_build_object('idea_id', idea_id, 'title', title, 'decision', state,
                                                'message', message, 'responded_at', responded_at)
                              ORDER BY responded_at)
              FROM mine WHERE responded_at >= $2 AND responded_at < $3), '[]') AS decisions,
    (SELECT round(count(*) FILTER (WHERE responded_at IS NOT NULL)::numeric / nullif(count(*), 0), 3)
     FROM mine WHERE routed_at < $3) AS response_rate,
    (SELECT round((percentile_cont(0.5) WITHIN GROUP (
                 ORDER BY extract(epoch FROM responded_at - routed_at)) / 3600)::numeric, 2)
     FROM mine WHERE responded_at IS NOT NULL AND responded_at < $3) AS median_response_hours
"""
INSERT_DIGEST = """
INSERT INTO team_digests (team_id, period_start, period_end, content) VALUES ($1, $2, $3, $4)
RETURNING id
"""
DIGEST_COLUMNS = "d.id, t.slug AS team, d.period_start, d.period_end, d.compiled_at, d.content"
LIST_DIGESTS = f"""
SELECT {DIGEST_COLUMNS} FROM team_digests d JOIN teams t ON t.id = d.team_id
WHERE d.team_id = $1 ORDER BY d.id DESC LIMIT $2
"""
GET_DIGEST = f"""
SELECT {DIGEST_COLUMNS} FROM team_digests d JOIN teams t ON t.id = d.team_id
WHERE d.team_id = $1 AND d.id = $2
"""
ALL_TEAMS = "SELECT id FROM teams ORDER BY id"


async def compile_digest(conn: asyncpg.Connection, *, team: int, period_hours: int) -> int:
    period_end = await conn.fetchval("SELECT now()")
    period_start = period_end - timedelta(hours=period_hours)
    row = await conn.fetchrow(DIGEST_CONTENT, team, period_start, period_end, list(CLOSED_STATUSES))
    content = {key: (float(value) if value is not None and key in ("response_rate", "median_response_hours")
                     else value) for key, value in dict(row).items()}
    digest_id = await conn.fetchval(INSERT_DIGEST, team, period_start, period_end, content)
    slug = await conn.fetchval("SELECT slug FROM teams WHERE id = $1", team)
    await events.record(conn, "digest.compiled", f"teams/{slug}",
                        {"team": slug, "digest_id": digest_id, "period_end": period_end.isoformat()})
    return digest_id


async def compile_all_digests(conn: asyncpg.Connection, *, period_hours: int) -> int:
    teams = [row["id"] for row in await conn.fetch(ALL_TEAMS)]
    for team in teams:
        await compile_digest(conn, team=team, period_hours=period_hours)
    return len(teams)


async def _lead_or_admin(conn: asyncpg.Connection, caller: Caller, slug: str) -> int:
    team = await team_id(conn, slug)
    caller.require_employee()
    if not (caller.is_admin or await leads_any(conn, caller, [team])):
        raise Forbidden(f"only the leads of {slug!r} and admins may read its digests")
    return team


async def request_digest(conn: asyncpg.Connection, caller: Caller, *, slug: str, period_hours: int) -> DigestRead:
    team = await _lead_or_admin(conn, caller, slug)
    digest_id = await compile_digest(conn, team=team, period_hours=period_hours)
    return await get_digest(conn, caller, slug=slug, digest_id=digest_id)


async def get_digest(conn: asyncpg.Connection, caller: Caller, *, slug: str, digest_id: int) -> DigestRead:
    team = await _lead_or_admin(conn, caller, slug)
    row = await conn.fetchrow(GET_DIGEST, team, digest_id)
    if row is None:
        raise NotFound(f"no digest {digest_id} for {slug!r}")
    return DigestRead.model_validate(dict(row))


async def list_digests(conn: asyncpg.Connection, caller: Caller, *, slug: str, limit: int = 30) -> list[DigestRead]:
    team = await _lead_or_admin(conn, caller, slug)
    return [DigestRead.model_validate(dict(row)) for row in await conn.fetch(LIST_DIGESTS, team, limit)]


async def latest_digest(conn: asyncpg.Connection, caller: Caller, *, slug: str) -> DigestRead:
    digests = await list_digests(conn, caller, slug=slug, limit=1)
    if not digests:
        raise NotFound(f"no digest for {slug!r} yet")
    return digests[0]
