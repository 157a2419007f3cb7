"""Erasure on request (APPI Art. 35, GDPR Art. 17), an admin's act: the person's name, email and
sign-in subject become a stable pseudonym everywhere they are shown; what only concerned them
(private thanks, notifications, follows, sessions, settings, their directory record) is deleted;
their ideas and comments stay under the pseudonym or are removed, as the admin chooses; their
votes and answers as a lead keep counting, tied to nobody. An answer in a survey round still
open loses its respondent, as closing would. Integrations get `employee.erased` naming the id to
forget and the content removed."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import Field

from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.events import outbox
from portal.privacy import queries as q
from portal.routing.service import escalate_leadless
from portal.schemas import Input, Output

REMOVED_TITLE = "Removed at its author's request"


class ErasureRequest(Input):
    contributions: Literal["keep", "remove"] = Field(
        description="keep: their ideas and comments stay, under the pseudonym; remove: their text is removed."
    )


class Erased(Output):
    id: int
    pseudonym: str
    contributions: Literal["keep", "remove"]
    ideas: list[int] = Field(description="Their ideas (removed, when contributions is remove).")
    comments: list[int]


def pseudonym(employee_id: int) -> tuple[str, str, str]:
    """The name, email and subject an erased employee goes by: the same every time for one id,
    and nothing of who they were."""
    code = hashlib.sha256(f"erased employee {employee_id}".encode()).hexdigest()[:6]
    return f"Former colleague {code}", f"erased-{employee_id}-{code}@erased.invalid", f"erased:{employee_id}:{code}"


async def not_yet_erased(conn: Connection, *, email: str) -> int | None:
    """The id of the employee with this address, unless they were erased."""
    employee_id: int | None = await conn.fetchval(q.NOT_YET_ERASED, email)
    return employee_id


async def erase(conn: Connection, caller: Caller, *, employee_id: int, data: ErasureRequest) -> Erased:
    admin = caller.require_admin()
    if admin.id == employee_id:
        raise ValidationFailed(
            [{"field": "employee_id", "type": "self", "message": "another admin erases an admin's own account"}]
        )
    row = await conn.fetchrow(q.LOCK_EMPLOYEE, employee_id)
    if row is None:
        raise NotFound(f"no employee {employee_id}")
    if row["erased_at"] is not None:
        raise Conflict(f"employee {employee_id} was erased already")
    name, email, subject = pseudonym(employee_id)
    await conn.execute(q.PSEUDONYMISE, employee_id, name, email, subject)
    for statement in q.FORGET:
        await conn.execute(statement, employee_id)
    # A team they led alone has its waiting ideas go to the admins, as when a lead leaves.
    await escalate_leadless(conn, team_ids=await conn.fetchval(q.END_LEADS, employee_id))
    ideas = await conn.fetchval(q.AUTHORED_IDEAS, employee_id)
    comments = await conn.fetchval(q.AUTHORED_COMMENTS, employee_id)
    if data.contributions == "remove":
        await conn.execute(q.REMOVE_IDEAS, employee_id, REMOVED_TITLE)
        await conn.execute(q.REMOVE_COMMENTS, employee_id)
        await conn.execute(q.REMOVE_ATTACHMENTS, employee_id)
        for statement in q.REMOVE_REVISIONS:
            await conn.execute(statement, employee_id)
    erased = Erased(id=employee_id, pseudonym=name, contributions=data.contributions, ideas=ideas, comments=comments)
    await outbox.record(conn, "employee.erased", f"employees/{employee_id}", erased.model_dump())
    # Who they were is not written here either: the entry says which id, and what was done.
    await audit.act(conn, caller, "employee.erased", f"employees/{employee_id}", after=erased)
    return erased
