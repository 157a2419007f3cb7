from __future__ import annotations

from portal.http.call import Call, Created
from portal.thanks import service
from portal.thanks.schemas import ThanksPage, ThanksRead


async def send_thanks(call: Call) -> Created:
    thanks = await service.send_thanks(call.conn, call.caller, call.body, daily_limit=call.settings.thanks_per_day)
    return Created(thanks, call.url_for("get_thanks", thanks_id=thanks.id))


async def get_thanks(call: Call) -> ThanksRead:
    return await service.get_thanks(call.conn, call.caller, **call.path)


async def list_thanks(call: Call) -> ThanksPage:
    return await service.list_thanks(call.conn, call.caller, call.query)
