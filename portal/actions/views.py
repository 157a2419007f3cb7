"""The API handlers whose actions span domains (portal.actions)."""

from __future__ import annotations

from portal.actions import posting, statuses, voting
from portal.http.call import Call, Created
from portal.ideas.schemas import IdeaCreate, IdeaDetail, StatusChange
from portal.votes.schemas import VoteState


async def create_idea(call: Call, body: IdeaCreate) -> Created[IdeaDetail]:
    """Post an idea (honours Idempotency-Key); into a campaign only while it collects ideas"""
    idea = await posting.post_idea(
        call.conn, call.caller, body, attachments_per_item=call.settings.attachments_per_item
    )
    return Created(idea, call.url_for("get_idea", idea_id=idea.id))


async def change_status(call: Call, body: StatusChange) -> IdeaDetail:
    """Move an idea through the workflow (provider team leads, admins)"""
    return await statuses.change_status(call.conn, call.caller, idea_id=call.path["idea_id"], change=body)


async def cast_vote(call: Call) -> VoteState:
    """Vote for an idea (idempotent)"""
    return await voting.cast_vote(call.conn, call.caller, idea_id=call.path["idea_id"])


async def withdraw_vote(call: Call) -> VoteState:
    """Withdraw your vote (idempotent)"""
    return await voting.withdraw_vote(call.conn, call.caller, idea_id=call.path["idea_id"])
