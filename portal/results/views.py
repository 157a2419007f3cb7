from __future__ import annotations

from portal.http.call import Call, Created
from portal.results import service
from portal.results.schemas import DigestRead, IdeaResults


async def idea_results(call: Call) -> IdeaResults:
    """Votes broken down by the voters' teams and roles"""
    return await service.get_results(call.conn, idea_id=call.path["idea_id"])


async def request_digest(call: Call) -> Created[DigestRead]:
    """Compile the team's digest now (its leads, admins)"""
    slug = call.path["slug"]
    digest = await service.request_digest(
        call.conn, call.caller, slug=slug, period_hours=call.settings.digest_period_hours
    )
    return Created(digest, call.url_for("get_digest", slug=slug, digest_id=digest.id))


async def list_digests(call: Call) -> list[DigestRead]:
    """The team's digests, newest first"""
    return await service.list_digests(call.conn, call.caller, slug=call.path["slug"])


async def latest_digest(call: Call) -> DigestRead:
    """The team's latest digest"""
    return await service.latest_digest(call.conn, call.caller, slug=call.path["slug"])


async def get_digest(call: Call) -> DigestRead:
    """One of the team's digests"""
    return await service.get_digest(call.conn, call.caller, **call.path)
