"""Thanks: an employee thanks a team or a colleague, publicly or privately."""

from __future__ import annotations

from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import NotFound, RateLimited, ValidationFailed
from portal.events import outbox
from portal.ideas.queries import IDEA_EXISTS
from portal.lookups import team_id_by_slug
from portal.thanks import queries as q
from portal.thanks.schemas import ThanksCreate, ThanksPage, ThanksQuery, ThanksRead

SENDER_TEAM = "SELECT team_id FROM employees WHERE id = $1"


def _refuse(field: str, kind: str, message: str) -> ValidationFailed:
    return ValidationFailed([{"field": field, "type": kind, "message": message}])


async def send_thanks(conn: Connection, caller: Caller, data: ThanksCreate, *, daily_limit: int) -> ThanksRead:
    sender = caller.require_employee()
    await conn.execute(q.LOCK_SENDER, sender.id % 2**31)
    if await conn.fetchval(q.SENT_TODAY, sender.id) >= daily_limit:
        retry_after = max(1, await conn.fetchval(q.OLDEST_TODAY, sender.id) or 1)
        raise RateLimited(retry_after, f"at most {daily_limit} thanks a day; the next can be sent later")
    sender_team = await conn.fetchval(SENDER_TEAM, sender.id)
    to_team = to_employee = None
    if data.to_team is not None:
        to_team = await team_id_by_slug(conn, data.to_team, field="to_team")
        if to_team == sender_team:
            raise _refuse("to_team", "own_team", "you cannot thank your own team; thank another team or a colleague")
    else:
        row = await conn.fetchrow(q.EMPLOYEE_BY_EMAIL, data.to_employee)
        if row is None:
            raise _refuse("to_employee", "unknown_employee", "no employee has that email")
        if row["id"] == sender.id:
            raise _refuse("to_employee", "self", "you cannot thank yourself")
        to_employee = row["id"]
    if data.idea_id is not None and not await conn.fetchval(IDEA_EXISTS, data.idea_id):
        raise _refuse("idea_id", "unknown_idea", "must name an existing idea")
    service_id = None
    if data.service is not None:
        service_id = await conn.fetchval(q.SERVICE_ID, data.service)
        if service_id is None:
            raise _refuse("service", "unknown_service", f"no service {data.service!r}")
    thanks_id = await conn.fetchval(
        q.INSERT, sender.id, sender_team, to_employee, to_team, data.idea_id, service_id, data.message, data.public
    )
    thanks = await get_thanks(conn, caller, thanks_id=thanks_id)
    # Integrations learn who was thanked; a private message stays between the two.
    await outbox.record(
        conn,
        "thanks.sent",
        f"thanks/{thanks_id}",
        {
            "id": thanks_id,
            "to_team": thanks.to_team,
            "to_employee_id": to_employee,
            "from_team": thanks.from_team,
            "idea_id": data.idea_id,
            "service": data.service,
            "public": data.public,
            "message": data.message if data.public else None,
        },
    )
    return thanks


async def get_thanks(conn: Connection, caller: Caller, *, thanks_id: int) -> ThanksRead:
    row = await conn.fetchrow(q.GET, caller.employee.id if caller.employee else None, thanks_id)
    if row is None:
        raise NotFound(f"no thanks {thanks_id} that you may read")
    return ThanksRead.model_validate(dict(row))


async def list_thanks(conn: Connection, caller: Caller, query: ThanksQuery) -> ThanksPage:
    team_id = await team_id_by_slug(conn, query.team, field="team", location="query") if query.team else None
    employee_id = None
    if query.employee:
        row = await conn.fetchrow(q.EMPLOYEE_BY_EMAIL, query.employee)
        if row is None:
            raise ValidationFailed(
                [{"field": "employee", "type": "unknown_employee", "message": "no employee has that email"}],
                location="query",
            )
        employee_id = row["id"]
    viewer = caller.employee.id if caller.employee else None
    cursor = int(query.cursor) if query.cursor else None
    rows = await conn.fetch(q.LIST, viewer, team_id, employee_id, query.idea_id, cursor, query.limit + 1)
    items = [ThanksRead.model_validate(dict(row)) for row in rows[: query.limit]]
    return ThanksPage(items=items, next_cursor=str(items[-1].id) if len(rows) > query.limit else None)
