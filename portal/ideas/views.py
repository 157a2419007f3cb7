from __future__ import annotations

from portal.http.call import Call
from portal.ideas import history, listing, outcomes, service
from portal.ideas.outcomes import CasePage, CaseQuery, OutcomeWrite
from portal.ideas.schemas import (
    IdeaDetail,
    IdeaPage,
    IdeaQuery,
    IdeaUpdate,
    SimilarIdea,
    SimilarQuery,
    VersionRead,
)
from portal.moderation import service as moderation


async def get_idea(call: Call) -> IdeaDetail:
    """Get an idea with its status history"""
    return await service.get_idea(call.conn, idea_id=call.path["idea_id"], viewer=call.viewer, reader=call.caller)


async def update_idea(call: Call, body: IdeaUpdate) -> IdeaDetail:
    """Edit an open idea (its author or an admin)"""
    return await service.update_idea(
        call.conn,
        call.caller,
        idea_id=call.path["idea_id"],
        data=body,
        attachments_per_item=call.settings.attachments_per_item,
    )


async def list_ideas(call: Call, query: IdeaQuery) -> IdeaPage:
    """List, filter, search and sort ideas"""
    return await listing.list_ideas(call.conn, viewer=call.viewer, query=query)


async def note_outcome(call: Call, body: OutcomeWrite) -> None:
    """Note a done idea's outcome: what changed, what it saved (its provider team's leads, admins)"""
    await outcomes.note_outcome(call.conn, call.caller, idea_id=call.path["idea_id"], data=body)


async def service_cases(call: Call, query: CaseQuery) -> CasePage:
    """The case library: a service's done ideas with their outcome notes, results and thanks"""
    return await outcomes.cases(call.conn, slug=call.path["slug"], query=query)


async def similar_ideas(call: Call, query: SimilarQuery) -> list[SimilarIdea]:
    """Ideas like a title being typed, best match first, so people vote instead of posting twice"""
    return await listing.similar_ideas(call.conn, query)


def _read(versions: list[history.Version]) -> list[VersionRead]:
    return [
        VersionRead(version=v.number, title=v.title, body=v.body, tags=v.tags, written_at=v.since, written_by=v.by)
        for v in versions
    ]


async def idea_history(call: Call) -> list[VersionRead]:
    """An idea's versions, oldest first: each edit of its title, text or tags, by whom and when"""
    await moderation.require_visible_idea(call.conn, call.caller, call.path["idea_id"])
    return _read(await history.idea_versions(call.conn, call.path["idea_id"]))


async def comment_history(call: Call) -> list[VersionRead]:
    """A comment's versions, oldest first (a deleted comment has none)"""
    await moderation.require_visible_comment(call.conn, call.caller, call.path["idea_id"], call.path["comment_id"])
    return _read(await history.comment_versions(call.conn, call.path["idea_id"], call.path["comment_id"]))
