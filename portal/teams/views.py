from __future__ import annotations

from aiohttp import web

from portal.db import unit_of_work
from portal.teams import service
from portal.teams.schemas import EmployeeCreate, EmployeeQuery, TeamCreate, TeamUpdate
from portal.web.guard import caller_of
from portal.web.http import json_response, parse_body, parse_query
from portal.web.keys import POOL


def _lead_path(request: web.Request) -> tuple[str, str]:
    return request.match_info["slug"], request.match_info["email"].strip().lower()


async def create_team(request: web.Request) -> web.Response:
    data = await parse_body(request, TeamCreate)
    async with unit_of_work(request.app[POOL]) as conn:
        team = await service.create_team(conn, caller_of(request), data)
    return json_response(team, status=201, headers={"Location": f"/api/v1/teams/{team.slug}"})


async def list_teams(request: web.Request) -> web.Response:
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.list_teams(conn))


async def get_team(request: web.Request) -> web.Response:
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.get_team(conn, slug=request.match_info["slug"]))


async def update_team(request: web.Request) -> web.Response:
    data = await parse_body(request, TeamUpdate)
    async with unit_of_work(request.app[POOL]) as conn:
        team = await service.update_team(conn, caller_of(request), slug=request.match_info["slug"], data=data)
    return json_response(team)


async def assign_lead(request: web.Request) -> web.Response:
    slug, email = _lead_path(request)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.assign_lead(conn, caller_of(request), slug=slug, email=email))


async def remove_lead(request: web.Request) -> web.Response:
    slug, email = _lead_path(request)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.remove_lead(conn, caller_of(request), slug=slug, email=email))


async def me(request: web.Request) -> web.Response:
    employee = caller_of(request).require_employee()
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.get_employee(conn, employee_id=employee.id))


async def list_employees(request: web.Request) -> web.Response:
    query = parse_query(request, EmployeeQuery)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.list_employees(conn, team=query.team))


async def create_employee(request: web.Request) -> web.Response:
    data = await parse_body(request, EmployeeCreate)
    async with unit_of_work(request.app[POOL]) as conn:
        employee = await service.create_employee(conn, caller_of(request), data)
    return json_response(employee, status=201, headers={"Location": f"/api/v1/employees/{employee.id}"})
