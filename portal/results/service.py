"""Results compiled for the leads: per-idea tallies and per-team digests."""

from __future__ import annotations

import json
from datetime import timedelta

import asyncpg

from portal.auth.caller import Caller
from portal.db import Connection, fetch_row
from portal.errors import Forbidden, NotFound
from portal.events import outbox
from portal.lookups import leads_any, require_idea, team_id_by_slug
from portal.results import queries as q
from portal.results.schemas import DigestRead, IdeaResults
from portal.workflow import CLOSED_STATUSES


async def request_compilation(conn: Connection, idea_ids: list[int]) -> None:
    """Marks ideas for the next compilation; many votes on one idea coalesce into one mark."""
    await conn.execute(q.REQUEST_COMPILATION, idea_ids)


def _tally(rows: list[asyncpg.Record]) -> dict:
    by_team: dict[str | None, int] = {}
    by_role = {"provider": 0, "customer": 0, "other": 0}
    for row in rows:
        by_team[row["team"]] = by_team.get(row["team"], 0) + row["votes"]
        by_role[row["role"]] += row["votes"]
    teams = sorted(by_team.items(), key=lambda item: (-item[1], item[0] or ""))
    return {
        "vote_count": sum(by_role.values()),
        "by_team": [{"team": t, "votes": n} for t, n in teams],
        "by_role": by_role,
    }


async def compile_pending(conn: Connection, *, limit: int = 500) -> list[int]:
    """Compiles the results of ideas marked since the last run; returns their ids."""
    idea_ids = [row["idea_id"] for row in await conn.fetch(q.TAKE_PENDING, limit)]
    if idea_ids:
        await compile_ideas(conn, idea_ids)
    return idea_ids


async def compile_ideas(conn: Connection, idea_ids: list[int]) -> None:
    """Compiles these ideas' results now (a merge needs them at once), in a few statements."""
    grouped: dict[int, list] = {idea_id: [] for idea_id in idea_ids}
    for row in await conn.fetch(q.TALLIES, idea_ids):
        grouped[row["idea_id"]].append(row)
    tallies = {idea_id: _tally(rows) for idea_id, rows in grouped.items()}
    ids = list(tallies)
    saved = await conn.fetch(
        q.SAVE_RESULTS,
        ids,
        [tallies[i]["vote_count"] for i in ids],
        [json.dumps(tallies[i]["by_team"]) for i in ids],
        [json.dumps(tallies[i]["by_role"]) for i in ids],
    )
    await outbox.record_many(
        conn,
        [
            (
                "results.compiled",
                f"ideas/{row['idea_id']}",
                {"idea_id": row["idea_id"], **tallies[row["idea_id"]], "compiled_at": row["compiled_at"].isoformat()},
            )
            for row in saved
        ],
    )


async def get_results(conn: Connection, *, idea_id: int) -> IdeaResults:
    await require_idea(conn, idea_id)
    row = await conn.fetchrow(q.STORED_RESULTS, idea_id)
    if row is None:
        empty = _tally([])
        return IdeaResults(idea_id=idea_id, compiled_at=None, **empty)
    return IdeaResults.model_validate({"idea_id": idea_id, **dict(row)})


async def compile_digest(conn: Connection, *, team_id: int, period_hours: int) -> int:
    period_end = await conn.fetchval("SELECT now()")
    period_start = period_end - timedelta(hours=period_hours)
    row = await fetch_row(conn, q.DIGEST_CONTENT, team_id, period_start, period_end, list(CLOSED_STATUSES))
    content = {
        key: (float(value) if value is not None and key in ("response_rate", "median_response_hours") else value)
        for key, value in dict(row).items()
    }
    from portal.scorecards.service import change_since_last_period  # scorecards build on results

    content["scorecard"] = await change_since_last_period(conn, team_id=team_id, at=period_end)
    digest_id = await conn.fetchval(q.INSERT_DIGEST, team_id, period_start, period_end, content)
    slug = await conn.fetchval("SELECT slug FROM teams WHERE id = $1", team_id)
    await outbox.record(
        conn,
        "digest.compiled",
        f"teams/{slug}",
        {"team": slug, "digest_id": digest_id, "period_end": period_end.isoformat()},
    )
    return digest_id


async def compile_all_digests(conn: Connection, *, period_hours: int) -> int:
    teams = [row["id"] for row in await conn.fetch(q.ALL_TEAMS)]
    for team_id in teams:
        await compile_digest(conn, team_id=team_id, period_hours=period_hours)
    return len(teams)


async def _lead_or_admin(conn: Connection, caller: Caller, slug: str) -> int:
    team_id = await team_id_by_slug(conn, slug)
    caller.require_employee()
    if not (caller.is_admin or await leads_any(conn, caller, [team_id])):
        raise Forbidden(f"only the leads of {slug!r} and admins may read its digests")
    return team_id


async def request_digest(conn: Connection, caller: Caller, *, slug: str, period_hours: int) -> DigestRead:
    team_id = await _lead_or_admin(conn, caller, slug)
    digest_id = await compile_digest(conn, team_id=team_id, period_hours=period_hours)
    return await get_digest(conn, caller, slug=slug, digest_id=digest_id)


async def get_digest(conn: Connection, caller: Caller, *, slug: str, digest_id: int) -> DigestRead:
    team_id = await _lead_or_admin(conn, caller, slug)
    row = await conn.fetchrow(q.GET_DIGEST, team_id, digest_id)
    if row is None:
        raise NotFound(f"no digest {digest_id} for {slug!r}")
    return DigestRead.model_validate(dict(row))


async def list_digests(conn: Connection, caller: Caller, *, slug: str, limit: int = 30) -> list[DigestRead]:
    team_id = await _lead_or_admin(conn, caller, slug)
    return [DigestRead.model_validate(dict(row)) for row in await conn.fetch(q.LIST_DIGESTS, team_id, limit)]


async def latest_digest(conn: Connection, caller: Caller, *, slug: str) -> DigestRead:
    digests = await list_digests(conn, caller, slug=slug, limit=1)
    if not digests:
        raise NotFound(f"no digest for {slug!r} yet")
    return digests[0]
