from __future__ import annotations

from portal.directory import leads
from portal.http.call import Call
from portal.teams import service as teams
from portal.teams.schemas import TeamRead


async def assign_lead(call: Call) -> TeamRead:
    """Make an active employee a lead of a team the portal keeps (admin); an unknown or departed address is a 422"""
    await leads.assign_by_hand(call.conn, call.caller, **call.path)
    return await teams.get_team(call.conn, slug=call.path["slug"])


async def remove_lead(call: Call) -> TeamRead:
    """Remove a lead from a team the portal keeps (admin)"""
    await leads.remove_by_hand(call.conn, call.caller, **call.path)
    return await teams.get_team(call.conn, slug=call.path["slug"])
