from __future__ import annotations

from portal.http.call import Call, Created
from portal.surveys import service
from portal.surveys.schemas import AnswerWrite, MyAnswer, MySurvey, PulseSchedule, RoundOpen, RoundRead


async def schedule_pulse(call: Call, body: PulseSchedule) -> None:
    """Set how often the service's pulse survey opens (its provider team's leads, admins)"""
    await service.schedule_pulse(call.conn, call.caller, slug=call.path["slug"], data=body)


async def open_pulse(call: Call, body: RoundOpen) -> Created[RoundRead]:
    """Open a pulse round now (its provider team's leads, admins)"""
    opened = await service.open_pulse(call.conn, call.caller, slug=call.path["slug"], open_days=body.open_days)
    return Created(opened, call.url_for("get_round", round_id=opened.id))


async def service_rounds(call: Call) -> list[RoundRead]:
    """The service's pulse rounds, newest first, with the results of closed ones"""
    return await service.service_rounds(call.conn, slug=call.path["slug"])


async def get_round(call: Call) -> RoundRead:
    """A survey round; once closed, its results (no group of fewer answers than the minimum)"""
    return await service.get_round(call.conn, **call.path)


async def answer(call: Call, body: AnswerWrite) -> MyAnswer:
    """Answer a round you are asked in, or change your answer while it is open"""
    return await service.answer(call.conn, call.caller, round_id=call.path["round_id"], data=body)


async def my_surveys(call: Call) -> list[MySurvey]:
    """The open rounds you are asked in, with your answers"""
    return await service.my_surveys(call.conn, call.caller)
