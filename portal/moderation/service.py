"""Moderation: reports of ideas, comments and thanks; moderators hide or dismiss them from a queue;
a hidden item leaves lists and search and what has not yet been sent about it is held back; its
author reads why and may ask for a review; restoring is one step. Enough reports from different
people hide an item until a moderator looks (PORTAL_MODERATION_HIDE_AFTER)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.db import Connection, fetch_row
from portal.errors import Conflict, Forbidden, IdeaNotFound, NotFound, ValidationFailed
from portal.events import outbox
from portal.moderation import queries as q
from portal.moderation.schemas import CaseQuery, CaseRead, HiddenNote, HideWrite, Kind, ReportCreate, ReportRead

AUTO_REASON = "Hidden until a moderator has looked at it: several colleagues reported it."


def _subject(kind: Kind, item_id: int, idea_id: int | None) -> str:
    return f"thanks/{item_id}" if kind == "thanks" else f"ideas/{idea_id}"


async def report(
    conn: Connection, caller: Caller, *, kind: Kind, item_id: int, data: ReportCreate, hide_after: int
) -> ReportRead:
    """One report per person per item (a second is a 409); never of one's own."""
    reporter = caller.require_employee()
    item = await conn.fetchrow(q.ITEMS[kind], item_id, *([reporter.id] if kind == "thanks" else []))
    if item is None:
        raise NotFound(f"no {kind} {item_id}")
    if item["author_id"] == reporter.id:
        raise ValidationFailed([{"field": "item", "type": "own", "message": "you cannot report what you wrote"}])
    case_id = await conn.fetchval(q.OPEN_CASE, kind, item_id, item["idea_id"], item["author_id"])
    await conn.fetchrow(q.LOCK_CASE, case_id)
    created = await conn.fetchval(q.ADD_REPORT, case_id, reporter.id, data.reason, data.note)
    if created is None:
        raise Conflict(f"you reported this {kind} already")
    counted = await fetch_row(conn, q.COUNT_REPORT, case_id)
    if counted["state"] == "reported" and counted["reports"] >= hide_after:
        await _hide(conn, case_id, kind, item_id, item["idea_id"], reason=AUTO_REASON, by=None)
    return ReportRead(kind=kind, item_id=item_id, reason=data.reason, created_at=created)


async def _hide(
    conn: Connection, case_id: int, kind: Kind, item_id: int, idea_id: int | None, *, reason: str, by: int | None
) -> None:
    await conn.execute(q.HIDE, case_id, reason, by is None, by)
    await _show(conn, kind, item_id, idea_id, shown=False, auto=by is None)
    for statement in q.FORGET_UNSENT:
        await conn.execute(statement.format(about=q.ITEM_EVENTS[kind]), item_id)


async def _show(conn: Connection, kind: Kind, item_id: int, idea_id: int | None, *, shown: bool, auto: bool) -> None:
    await conn.execute(q.SET_HIDDEN.format(table=q.TABLES[kind]), item_id, not shown)
    data: dict[str, Any] = {"id": item_id, "kind": kind, **({"idea_id": idea_id} if idea_id else {})}
    if not shown:
        data["by_reports"] = auto
    await outbox.record(conn, f"{kind}.{'restored' if shown else 'hidden'}", _subject(kind, item_id, idea_id), data)


async def _case(conn: Connection, case_id: int) -> Any:
    row = await conn.fetchrow(q.LOCK_CASE, case_id)
    if row is None:
        raise NotFound(f"no moderation case {case_id}")
    return row


async def get_case(conn: Connection, caller: Caller, *, case_id: int) -> CaseRead:
    caller.require_moderator()
    row = await conn.fetchrow(q.CASE, case_id)
    if row is None:
        raise NotFound(f"no moderation case {case_id}")
    return CaseRead.model_validate(dict(row))


async def queue(conn: Connection, caller: Caller, query: CaseQuery) -> list[CaseRead]:
    caller.require_moderator()
    return [
        CaseRead.model_validate(dict(row)) for row in await conn.fetch(q.QUEUE, query.state, query.sort, query.limit)
    ]


async def _decided(
    conn: Connection, caller: Caller, case_id: int, action: str, decide: Callable[[], Awaitable[None]]
) -> CaseRead:
    """Runs a moderator's decision, recorded in the audit trail with the case before and after."""
    before = await get_case(conn, caller, case_id=case_id)
    await decide()
    after = await get_case(conn, caller, case_id=case_id)
    await audit.act(conn, caller, f"moderation.{action}", f"moderation/{case_id}", before=before, after=after)
    return after


async def hide(conn: Connection, caller: Caller, *, case_id: int, data: HideWrite) -> CaseRead:
    moderator = caller.require_moderator()
    case = await _case(conn, case_id)
    if case["state"] == "hidden" and not case["auto_hidden"] and case["review_requested_at"] is None:
        raise Conflict("it is hidden already")

    async def decide() -> None:
        if case["state"] == "hidden":  # upheld after the reports hid it, or after a review
            await conn.execute(q.HIDE, case_id, data.reason, False, moderator.id)
        else:
            await _hide(
                conn, case_id, case["kind"], case["item_id"], case["idea_id"], reason=data.reason, by=moderator.id
            )

    return await _decided(conn, caller, case_id, "hidden", decide)


async def dismiss(conn: Connection, caller: Caller, *, case_id: int) -> CaseRead:
    """The reports are not upheld: a case the reports hid is shown again."""
    moderator = caller.require_moderator()
    case = await _case(conn, case_id)
    if case["state"] != "reported" and not (case["state"] == "hidden" and case["auto_hidden"]):
        raise Conflict(f"the case is {case['state']}; only a reported case, or one the reports hid, is dismissed")

    async def decide() -> None:
        await conn.execute(q.DECIDE, case_id, "dismissed", moderator.id)
        if case["state"] == "hidden":
            await _show(conn, case["kind"], case["item_id"], case["idea_id"], shown=True, auto=False)

    return await _decided(conn, caller, case_id, "dismissed", decide)


async def restore(conn: Connection, caller: Caller, *, case_id: int) -> CaseRead:
    moderator = caller.require_moderator()
    case = await _case(conn, case_id)
    if case["state"] != "hidden":
        raise Conflict(f"the case is {case['state']}; only a hidden item is restored")

    async def decide() -> None:
        await conn.execute(q.DECIDE, case_id, "restored", moderator.id)
        await _show(conn, case["kind"], case["item_id"], case["idea_id"], shown=True, auto=False)

    return await _decided(conn, caller, case_id, "restored", decide)


async def request_review(conn: Connection, caller: Caller, *, case_id: int) -> None:
    """The author of a hidden item asks the moderators to look again (after editing it, say)."""
    author = caller.require_employee()
    case = await _case(conn, case_id)
    if case["author_id"] != author.id:
        raise Forbidden("only its author asks for a review")
    if case["state"] != "hidden":
        raise Conflict("only a hidden item is reviewed")
    await conn.execute(q.REQUEST_REVIEW, case_id)


def sees_hidden(caller: Caller, author_id: int) -> bool:
    """Whether the caller sees a hidden item: its author and the moderators do."""
    return caller.employee is not None and (caller.employee.id == author_id or caller.is_moderator)


async def hidden_note(
    conn: Connection, caller: Caller, *, kind: Kind, item_id: int, author_id: int
) -> HiddenNote | None:
    """Why the item is hidden, for its author and the moderators (None for anyone else)."""
    if not sees_hidden(caller, author_id):
        return None
    row = await conn.fetchrow(q.HIDDEN_NOTE, kind, item_id)
    return HiddenNote.model_validate(dict(row)) if row else None


async def require_visible_idea(conn: Connection, reader: Caller, idea_id: int) -> None:
    """What belongs to a hidden idea (its comments, its history) is not found by anyone but its
    author and the moderators, as the idea itself is not."""
    row = await conn.fetchrow(q.IDEA_HIDDEN, idea_id)
    if row is None or (row["hidden"] and not sees_hidden(reader, row["author_id"])):
        raise IdeaNotFound(idea_id)


async def require_visible_comment(conn: Connection, reader: Caller, idea_id: int, comment_id: int) -> None:
    """A hidden comment's history, like its text, is for its author and the moderators."""
    await require_visible_idea(conn, reader, idea_id)
    row = await conn.fetchrow(q.COMMENT_HIDDEN, comment_id)
    if row is not None and row["hidden"] and not sees_hidden(reader, row["author_id"]):
        raise NotFound(f"no comment {comment_id} on idea {idea_id}")


async def set_moderator(conn: Connection, caller: Caller, *, email: str, moderator: bool) -> None:
    caller.require_admin()
    employee_id = await conn.fetchval(q.SET_MODERATOR, email, moderator)
    if employee_id is None:
        raise NotFound(f"no employee {email}")
    action = "role.moderator_given" if moderator else "role.moderator_taken"
    await audit.act(conn, caller, action, f"employees/{employee_id}", after={"moderator": moderator})


async def moderators(conn: Connection, caller: Caller) -> list[dict[str, str]]:
    caller.require_admin()
    return [dict(row) for row in await conn.fetch(q.MODERATORS)]
