"""The API handlers whose actions span domains (portal.actions)."""

from __future__ import annotations

from portal.actions import posting, statuses, voting
from portal.http.call import Call, Created
from portal.ideas.schemas import IdeaDetail
from portal.votes.schemas import VoteState


async def create_idea(call: Call) -> Created:
    idea = await posting.post_idea(call.conn, call.caller, call.body)
    return Created(idea, call.url_for("get_idea", idea_id=idea.id))


async def change_status(call: Call) -> IdeaDetail:
    return await statuses.change_status(call.conn, call.caller, idea_id=call.path["idea_id"], change=call.body)


async def cast_vote(call: Call) -> VoteState:
    return await voting.cast_vote(call.conn, call.caller, idea_id=call.path["idea_id"])


async def withdraw_vote(call: Call) -> VoteState:
    return await voting.withdraw_vote(call.conn, call.caller, idea_id=call.path["idea_id"])
