from __future__ import annotations

from portal.http.call import Call, Created
from portal.teams import service
from portal.teams.schemas import (
    EmployeeCreate,
    EmployeeQuery,
    EmployeeRead,
    Preferences,
    TeamCreate,
    TeamRead,
    TeamUpdate,
)


async def create_team(call: Call, body: TeamCreate) -> Created[TeamRead]:
    """Create a team (admin)"""
    team = await service.create_team(call.conn, call.caller, body)
    return Created(team, call.url_for("get_team", slug=team.slug))


async def list_teams(call: Call) -> list[TeamRead]:
    """List teams"""
    return await service.list_teams(call.conn)


async def get_team(call: Call) -> TeamRead:
    """Get a team"""
    return await service.get_team(call.conn, slug=call.path["slug"])


async def update_team(call: Call, body: TeamUpdate) -> TeamRead:
    """Change a team (admin or its leads)"""
    return await service.update_team(call.conn, call.caller, slug=call.path["slug"], data=body)


async def me(call: Call) -> EmployeeRead:
    """The signed-in employee"""
    return await service.get_employee(call.conn, employee_id=call.caller.require_employee().id)


async def update_me(call: Call, body: Preferences) -> EmployeeRead:
    """Change your language or time zone (the web client's and emails')"""
    return await service.update_preferences(call.conn, call.caller, body)


async def list_employees(call: Call, query: EmployeeQuery) -> list[EmployeeRead]:
    """List employees (by address, at most 1000), or find active people by name (`q`)"""
    return await service.list_employees(call.conn, team=query.team, search=query.q, limit=query.limit)


async def get_employee(call: Call) -> EmployeeRead:
    """Get an employee"""
    return await service.get_employee(call.conn, employee_id=call.path["employee_id"])


async def create_employee(call: Call, body: EmployeeCreate) -> Created[EmployeeRead]:
    """Pre-provision an employee (admin)"""
    employee = await service.create_employee(call.conn, call.caller, body)
    return Created(employee, call.url_for("get_employee", employee_id=employee.id))
