from __future__ import annotations

from portal.http.call import Call
from portal.moderation import service
from portal.moderation.schemas import CaseQuery, CaseRead, HideWrite, Kind, ReportCreate, ReportRead


async def _report(call: Call, kind: Kind, item_id: int, body: ReportCreate) -> ReportRead:
    hide_after = call.settings.moderation_hide_after
    return await service.report(call.conn, call.caller, kind=kind, item_id=item_id, data=body, hide_after=hide_after)


async def report_idea(call: Call, body: ReportCreate) -> ReportRead:
    """Report an idea to the moderators (once; who reported is never shown to its author)"""
    return await _report(call, "idea", call.path["idea_id"], body)


async def report_comment(call: Call, body: ReportCreate) -> ReportRead:
    """Report a comment to the moderators"""
    return await _report(call, "comment", call.path["comment_id"], body)


async def report_thanks(call: Call, body: ReportCreate) -> ReportRead:
    """Report a thanks to the moderators"""
    return await _report(call, "thanks", call.path["thanks_id"], body)


async def list_cases(call: Call, query: CaseQuery) -> list[CaseRead]:
    """The moderation queue: what was reported, oldest (or most reported) first (moderators)"""
    return await service.queue(call.conn, call.caller, query)


async def hide_case(call: Call, body: HideWrite) -> CaseRead:
    """Hide the reported item, saying why (moderators)"""
    return await service.hide(call.conn, call.caller, case_id=call.path["case_id"], data=body)


async def dismiss_case(call: Call) -> CaseRead:
    """Dismiss the reports; an item the reports hid is shown again (moderators)"""
    return await service.dismiss(call.conn, call.caller, case_id=call.path["case_id"])


async def restore_case(call: Call) -> CaseRead:
    """Show a hidden item again (moderators)"""
    return await service.restore(call.conn, call.caller, case_id=call.path["case_id"])


async def request_review(call: Call) -> None:
    """Ask the moderators to look again at your hidden idea, comment or thanks"""
    await service.request_review(call.conn, call.caller, case_id=call.path["case_id"])


async def give_moderator(call: Call) -> None:
    """Make an employee a moderator (admin)"""
    await service.set_moderator(call.conn, call.caller, email=call.path["email"], moderator=True)


async def take_moderator(call: Call) -> None:
    """Take the moderator role from an employee (admin)"""
    await service.set_moderator(call.conn, call.caller, email=call.path["email"], moderator=False)
