"""A status change and what follows it in the same transaction: a done idea asks its customer
teams to confirm and opens "did this solve it?"; a merge (or its undoing) compiles both ideas'
results at once."""

from __future__ import annotations

from portal.auth.caller import Caller
from portal.db import Connection
from portal.ideas import service as ideas
from portal.ideas.schemas import IdeaDetail, StatusChange
from portal.results import service as results
from portal.routing import decisions
from portal.surveys import service as surveys


async def change_status(conn: Connection, caller: Caller, *, idea_id: int, change: StatusChange) -> IdeaDetail:
    changed = await ideas.change_status(conn, caller, idea_id=idea_id, change=change)
    if changed.to == "done":
        await decisions.ask_customers(conn, idea_id=idea_id, about="done")
        await surveys.open_solved(conn, idea_id=idea_id)
    if changed.merged_with is not None:
        await results.compile_ideas(conn, [idea_id, changed.merged_with])
    return await ideas.get_idea(conn, idea_id=idea_id, viewer=changed.by)
