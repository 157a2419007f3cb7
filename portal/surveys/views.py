from __future__ import annotations

from portal.http.call import Call, Created
from portal.surveys import service
from portal.surveys.schemas import MyAnswer, MySurvey, RoundRead


async def schedule_pulse(call: Call) -> None:
    await service.schedule_pulse(call.conn, call.caller, slug=call.path["slug"], data=call.body)


async def open_pulse(call: Call) -> Created:
    opened = await service.open_pulse(call.conn, call.caller, slug=call.path["slug"], open_days=call.body.open_days)
    return Created(opened, call.url_for("get_round", round_id=opened.id))


async def service_rounds(call: Call) -> list[RoundRead]:
    return await service.service_rounds(call.conn, slug=call.path["slug"])


async def get_round(call: Call) -> RoundRead:
    return await service.get_round(call.conn, **call.path)


async def answer(call: Call) -> MyAnswer:
    return await service.answer(call.conn, call.caller, round_id=call.path["round_id"], data=call.body)


async def my_surveys(call: Call) -> list[MySurvey]:
    return await service.my_surveys(call.conn, call.caller)
