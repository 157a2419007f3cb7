"""The survey pages: the rounds an employee is asked in, with their answer form, and a closed
round's results."""

from __future__ import annotations

from aiohttp import web

from portal.errors import ValidationFailed
from portal.http.forms import by_field
from portal.http.view import View
from portal.surveys import service
from portal.surveys.schemas import AnswerWrite


async def surveys_page(view: View) -> web.Response:
    surveys = await service.my_surveys(view.conn, view.caller)
    return await view.render("surveys/list.html", surveys=surveys, errors={}, saved="saved" in view.request.query)


def _score(view: View, name: str) -> int | None:
    value = view.field(name)
    return int(value) if value in ("1", "2", "3", "4", "5") else None


async def survey_answer(view: View) -> web.Response:
    round_id = view.path["round_id"]
    values = {
        "csat": _score(view, "csat"),
        "ces": _score(view, "ces"),
        "improvement": view.field("improvement"),
        "solved": view.field("solved") or None,
        "comment": view.field("comment"),
    }
    data, errors = view.validate(AnswerWrite, values)
    if data is not None:
        try:
            await service.answer(view.conn, view.caller, round_id=round_id, data=data)
        except ValidationFailed as failed:
            errors = by_field(failed, view.gettext)
    if errors:
        surveys = await service.my_surveys(view.conn, view.caller)
        return await view.render(
            "surveys/list.html", status=422, surveys=surveys, errors={round_id: errors}, saved=False
        )
    return view.redirect(view.url("surveys_page", query={"saved": "1"}))


async def round_page(view: View) -> web.Response:
    survey = await service.get_round(view.conn, round_id=view.path["round_id"])
    return await view.render("surveys/round.html", survey=survey)
