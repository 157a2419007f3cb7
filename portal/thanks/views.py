from __future__ import annotations

from portal.http.call import Call, Created
from portal.thanks import service
from portal.thanks.schemas import ThanksCreate, ThanksPage, ThanksQuery, ThanksRead


async def send_thanks(call: Call, body: ThanksCreate) -> Created[ThanksRead]:
    """Thank a team or a colleague (not yourself or your own team; honours Idempotency-Key)"""
    thanks = await service.send_thanks(call.conn, call.caller, body, daily_limit=call.settings.thanks_per_day)
    return Created(thanks, call.url_for("get_thanks", thanks_id=thanks.id))


async def get_thanks(call: Call) -> ThanksRead:
    """Get one thanks you may read"""
    return await service.get_thanks(call.conn, call.caller, **call.path)


async def list_thanks(call: Call, query: ThanksQuery) -> ThanksPage:
    """Thanks you may read (public ones, and private ones to or from you or your team), newest first"""
    return await service.list_thanks(call.conn, call.caller, query)
