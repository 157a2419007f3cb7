"""Surveys: a service's pulse and "did this solve it?", answered once per person per round and
changeable until the round closes; closed and compiled by the worker, who answered forgotten.

Anonymity (portal.surveys.anonymity): nothing is shown for a group of fewer than
PORTAL_SURVEY_MINIMUM_GROUP answers (at least 3); no endpoint, export or event names who answered
what (an employee reads back only their own answer while the round is open).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.auth.caller import Caller
from portal.db import Connection, fetch_row
from portal.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portal.events import outbox
from portal.lookups import leads_any
from portal.services.standards import LOCK_SERVICE
from portal.surveys import queries as q
from portal.surveys.anonymity import summarize
from portal.surveys.schemas import AnswerWrite, MyAnswer, MySurvey, PulseSchedule, RoundRead

SOLVED_ROUND_DAYS = 14


async def _provided_service(conn: Connection, caller: Caller, slug: str):
    service = await conn.fetchrow(LOCK_SERVICE, slug)
    if service is None:
        raise NotFound(f"no service {slug!r}")
    if not (caller.is_admin or await leads_any(conn, caller, [service["provider_team_id"]])):
        raise Forbidden("only an admin or a lead of the provider team may run this service's surveys")
    return service


async def schedule_pulse(conn: Connection, caller: Caller, *, slug: str, data: PulseSchedule) -> None:
    service = await _provided_service(conn, caller, slug)
    await conn.execute(q.SET_SCHEDULE, service["id"], data.every_days, data.open_days)


async def _opened(conn: Connection, round_id: int, kind: str, subject: str, about: dict) -> RoundRead:
    await outbox.record(conn, "survey.round_opened", subject, {"round_id": round_id, "kind": kind, **about})
    return await get_round(conn, round_id=round_id)


async def open_pulse(conn: Connection, caller: Caller, *, slug: str, open_days: int) -> RoundRead:
    service = await _provided_service(conn, caller, slug)
    round_id = await conn.fetchval(q.OPEN_PULSE, service["id"], open_days)
    if round_id is None:
        raise Conflict(f"a pulse round of {slug!r} is open already")
    return await _opened(conn, round_id, "pulse", f"services/{slug}", {"service": slug})


async def open_due_pulses(conn: Connection) -> int:
    """Opens a round for each service whose pulse is due on its schedule."""
    opened = 0
    for service in await conn.fetch(q.DUE_PULSES):
        round_id = await conn.fetchval(q.OPEN_PULSE, service["id"], service["pulse_open_days"])
        if round_id is not None:
            await _opened(conn, round_id, "pulse", f"services/{service['slug']}", {"service": service["slug"]})
            opened += 1
    return opened


async def open_solved(conn: Connection, *, idea_id: int) -> None:
    """Asks the idea's voters and customer teams whether it solved their problem (it is done)."""
    round_id = await conn.fetchval(q.OPEN_SOLVED, idea_id, SOLVED_ROUND_DAYS)
    if round_id is not None:
        await _opened(conn, round_id, "solved", f"ideas/{idea_id}", {"idea_id": idea_id})


async def get_round(conn: Connection, *, round_id: int) -> RoundRead:
    row = await conn.fetchrow(q.GET_ROUND, round_id)
    if row is None:
        raise NotFound(f"no survey round {round_id}")
    return RoundRead.model_validate(dict(row))


async def service_rounds(conn: Connection, *, slug: str) -> list[RoundRead]:
    return [RoundRead.model_validate(dict(row)) for row in await conn.fetch(q.SERVICE_ROUNDS, slug)]


async def my_surveys(conn: Connection, caller: Caller) -> list[MySurvey]:
    me = caller.require_employee()
    return [MySurvey.model_validate(dict(row)) for row in await conn.fetch(q.MY_ROUNDS, me.id)]


async def answer(conn: Connection, caller: Caller, *, round_id: int, data: AnswerWrite) -> MyAnswer:
    """The caller's answer, new or changed until the round closes. Nothing else happens now: what
    the answers lead to (a reopened routing) is decided when the round closes, by no person."""
    me = caller.require_employee()
    asked = await conn.fetchrow(q.ELIGIBILITY, round_id, me.id)
    if asked is None:
        raise NotFound(f"no survey round {round_id}")
    if not asked["open"]:
        raise Conflict("the round is closed; answers can no longer change")
    if asked["customer_team_id"] is None and not asked["voter"]:
        raise Forbidden("this round asks the members of its customer teams (and, when an idea is done, its voters)")
    if (asked["kind"] == "pulse") != (data.csat is not None):
        field = "csat" if asked["kind"] == "pulse" else "solved"
        raise ValidationFailed([{"field": field, "type": "missing", "message": f"a {asked['kind']} round asks this"}])
    await conn.execute(
        q.SAVE_ANSWER,
        round_id,
        me.id,
        asked["customer_team_id"],
        data.csat,
        data.ces,
        data.improvement or None,
        data.solved,
        data.comment or None,
    )
    return MyAnswer.model_validate(dict(await fetch_row(conn, q.MY_ANSWER, round_id, me.id)))


@dataclass(frozen=True)
class ClosedRound:
    round_id: int
    kind: str
    idea_id: int | None
    results: dict


async def close_due(conn: Connection, *, minimum: int) -> list[ClosedRound]:
    """Closes the rounds whose time is up: compiles their results, forgets who answered."""
    closed = []
    for due in await conn.fetch(q.DUE_ROUNDS):
        answers = [dict(row) for row in await conn.fetch(q.ANSWERS, due["id"])]
        results = summarize(due["kind"], answers, minimum=minimum)
        row = await fetch_row(conn, q.CLOSE, due["id"], results)
        service = await conn.fetchval(q.SERVICE_FOR_ROUND, row["service_id"]) if row["service_id"] else None
        subject = f"services/{service}" if service else f"ideas/{row['idea_id']}"
        await outbox.record(
            conn,
            "survey.round_closed",
            subject,
            {
                "round_id": due["id"],
                "kind": row["kind"],
                "service": service,
                "idea_id": row["idea_id"],
                "results": results,
            },
        )
        closed.append(ClosedRound(due["id"], row["kind"], row["idea_id"], results))
    return closed


async def mark_reopened(conn: Connection, round_id: int) -> bool:
    """Records that the round reopened its idea's routing; False when it had already."""
    return await conn.fetchval(q.MARK_REOPENED, round_id) is not None
