"""Time-boxed campaigns: a question and its scope, with phases that end at their deadlines.

Ideas are posted into a campaign only before its collect deadline and voted on only between
that and its vote deadline (the rules go by the deadlines, to the second); with a vote budget,
each employee has that many votes in it. A worker moves each campaign to its next phase once per
deadline, however many schedulers run (a conditional update of the recorded phase), compiles
its results when voting ends and when it closes, and emits campaign.phase_changed and
campaign.closed.
"""

from __future__ import annotations

from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.campaigns import queries as q
from portal.campaigns.schemas import CampaignCreate, CampaignQuery, CampaignRead
from portal.db import Connection, fetch_row
from portal.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portal.events import outbox
from portal.ideas.queries import SERVICES_BY_SLUG, TEAMS_BY_SLUG
from portal.lookups import ids_by_slug, leads_any, team_id_by_slug

PHASES = ("collect", "vote", "decide", "closed")


async def create_campaign(conn: Connection, caller: Caller, data: CampaignCreate) -> CampaignRead:
    """Admins open campaigns; so do the leads of the team that runs one."""
    creator = caller.require_employee()
    team_id = await team_id_by_slug(conn, data.team, field="team") if data.team else None
    if not creator.is_admin and (team_id is None or not await leads_any(conn, caller, [team_id])):
        raise Forbidden("only an admin, or a lead of the team that runs it, may open a campaign")
    if data.collect_until <= await conn.fetchval("SELECT now()"):
        raise ValidationFailed([{"field": "collect_until", "type": "past", "message": "must be in the future"}])
    service_ids = await ids_by_slug(conn, SERVICES_BY_SLUG, data.services, "services", "service")
    team_ids = await ids_by_slug(conn, TEAMS_BY_SLUG, [t.team for t in data.teams], "teams", "team", ".team")
    campaign_id = await conn.fetchval(
        q.INSERT,
        data.slug,
        data.question,
        data.description,
        team_id,
        creator.id,
        data.collect_until,
        data.vote_until,
        data.decide_until,
        data.vote_budget,
    )
    if campaign_id is None:
        raise Conflict(f"a campaign {data.slug!r} exists already")
    await conn.execute(q.LINK_SERVICES, campaign_id, service_ids)
    await conn.execute(q.LINK_TEAMS, campaign_id, team_ids, [t.role for t in data.teams])
    campaign = await get_campaign(conn, caller, slug=data.slug)
    await outbox.record(
        conn, "campaign.created", f"campaigns/{data.slug}", campaign.model_dump(mode="json", exclude={"votes_left"})
    )
    after = campaign.model_dump(mode="json", exclude={"votes_left"})
    await audit.act(conn, caller, "campaign.created", f"campaigns/{data.slug}", after=after)
    return campaign


def _viewer(caller: Caller) -> int | None:
    return caller.employee.id if caller.employee else None


async def get_campaign(conn: Connection, caller: Caller, *, slug: str) -> CampaignRead:
    row = await conn.fetchrow(q.GET, _viewer(caller), slug)
    if row is None:
        raise NotFound(f"no campaign {slug!r}")
    return CampaignRead.model_validate(dict(row))


async def list_campaigns(conn: Connection, caller: Caller, query: CampaignQuery) -> list[CampaignRead]:
    return [CampaignRead.model_validate(dict(row)) for row in await conn.fetch(q.LIST, _viewer(caller), query.phase)]


async def for_posting(conn: Connection, slug: str):
    """The campaign an idea is posted into, while it collects ideas."""
    row = await conn.fetchrow(q.FOR_POSTING, slug)
    if row is None:
        raise ValidationFailed([{"field": "campaign", "type": "unknown_campaign", "message": f"no campaign {slug!r}"}])
    if not row["collecting"]:
        raise Conflict(f"the campaign stopped collecting ideas at {row['collect_until'].isoformat()}", campaign=slug)
    return row


async def check_vote(conn: Connection, *, campaign_id: int, employee_id: int, casting: bool) -> None:
    """A vote on a campaign's idea: only in its vote phase, and within the voter's budget (counted
    with this vote). Raising rolls the vote back with the rest of the transaction."""
    await conn.execute(q.LOCK_VOTER, campaign_id % 2**31, employee_id % 2**31)
    row = await fetch_row(conn, q.VOTING, campaign_id, employee_id)
    if not row["voting"]:
        raise Conflict(
            f"campaign {row['slug']!r} takes votes from {row['collect_until'].isoformat()} "
            f"until {row['vote_until'].isoformat()} only",
            campaign=row["slug"],
        )
    if casting and row["vote_budget"] is not None and row["votes"] > row["vote_budget"]:
        raise Conflict(
            f"your {row['vote_budget']} votes in campaign {row['slug']!r} are spent; withdraw one to vote again",
            campaign=row["slug"],
        )


async def compile_results(conn: Connection, campaign_id: int) -> dict:
    row = await fetch_row(conn, q.RESULTS, campaign_id)
    results = dict(row)
    await conn.execute(q.SAVE_RESULTS, campaign_id, results)
    return results


async def advance(conn: Connection) -> int:
    """Moves every campaign whose deadline passed to its phase now, once, with an event for each
    phase it leaves; answers how many moved."""
    moved = 0
    for due in await conn.fetch(q.DUE):
        start, end = PHASES.index(due["phase"]), PHASES.index(due["now_phase"])
        for old, new in zip(PHASES[start:end], PHASES[start + 1 : end + 1], strict=True):
            if await conn.fetchval(q.MOVE, due["id"], old, new) is None:
                break  # another run moved it
            results = await compile_results(conn, due["id"]) if new in ("decide", "closed") else None
            subject = f"campaigns/{due['slug']}"
            await outbox.record(
                conn, "campaign.phase_changed", subject, {"campaign": due["slug"], "from": old, "to": new}
            )
            if new == "closed":
                await outbox.record(conn, "campaign.closed", subject, {"campaign": due["slug"], "results": results})
            moved += 1
    return moved
