from __future__ import annotations

from portal.http.call import Call, Created
from portal.teams import service
from portal.teams.schemas import EmployeeRead, TeamRead


async def create_team(call: Call) -> Created:
    team = await service.create_team(call.conn, call.caller, call.body)
    return Created(team, call.url_for("get_team", slug=team.slug))


async def list_teams(call: Call) -> list[TeamRead]:
    return await service.list_teams(call.conn)


async def get_team(call: Call) -> TeamRead:
    return await service.get_team(call.conn, slug=call.path["slug"])


async def update_team(call: Call) -> TeamRead:
    return await service.update_team(call.conn, call.caller, slug=call.path["slug"], data=call.body)


async def assign_lead(call: Call) -> TeamRead:
    return await service.assign_lead(call.conn, call.caller, **call.path)


async def remove_lead(call: Call) -> TeamRead:
    return await service.remove_lead(call.conn, call.caller, **call.path)


async def me(call: Call) -> EmployeeRead:
    return await service.get_employee(call.conn, employee_id=call.caller.require_employee().id)


async def update_me(call: Call) -> EmployeeRead:
    return await service.update_preferences(call.conn, call.caller, call.body)


async def list_employees(call: Call) -> list[EmployeeRead]:
    return await service.list_employees(call.conn, team=call.query.team)


async def get_employee(call: Call) -> EmployeeRead:
    return await service.get_employee(call.conn, employee_id=call.path["employee_id"])


async def create_employee(call: Call) -> Created:
    employee = await service.create_employee(call.conn, call.caller, call.body)
    return Created(employee, call.url_for("get_employee", employee_id=employee.id))
