from __future__ import annotations

from portal.http.call import Call
from portal.ideas import listing, outcomes, service
from portal.ideas.outcomes import CasePage
from portal.ideas.schemas import IdeaDetail, IdeaPage


async def get_idea(call: Call) -> IdeaDetail:
    return await service.get_idea(call.conn, idea_id=call.path["idea_id"], viewer=call.viewer)


async def update_idea(call: Call) -> IdeaDetail:
    return await service.update_idea(call.conn, call.caller, idea_id=call.path["idea_id"], data=call.body)


async def list_ideas(call: Call) -> IdeaPage:
    return await listing.list_ideas(call.conn, viewer=call.viewer, query=call.query)


async def note_outcome(call: Call) -> None:
    await outcomes.note_outcome(call.conn, call.caller, idea_id=call.path["idea_id"], data=call.body)


async def service_cases(call: Call) -> CasePage:
    return await outcomes.cases(call.conn, slug=call.path["slug"], query=call.query)
