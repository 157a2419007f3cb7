"""Posting an idea, into a campaign when it names one (while the campaign collects ideas)."""

from __future__ import annotations

from portal.auth.caller import Caller
from portal.campaigns import service as campaigns
from portal.db import Connection
from portal.ideas import service as ideas
from portal.ideas.schemas import ConcernedTeam, IdeaCreate, IdeaDetail


async def post_idea(conn: Connection, caller: Caller, data: IdeaCreate, *, attachments_per_item: int) -> IdeaDetail:
    """The idea, with a campaign's services and teams added to its own (its own roles win)."""
    if data.campaign is None:
        return await ideas.create_idea(conn, caller, data, attachments_per_item=attachments_per_item)
    campaign = await campaigns.for_posting(conn, data.campaign)
    named = {t.team for t in data.teams}
    with_scope = data.model_copy(
        update={
            "services": list(dict.fromkeys([*data.services, *campaign["services"]])),
            "teams": [
                *data.teams,
                *(
                    ConcernedTeam(team=team, role=role)
                    for team, role in zip(campaign["team_slugs"], campaign["team_roles"], strict=True)
                    if team not in named
                ),
            ],
        }
    )
    return await ideas.create_idea(
        conn, caller, with_scope, campaign_id=campaign["id"], attachments_per_item=attachments_per_item
    )
