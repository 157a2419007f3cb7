"""Lists and searches of users and groups: a filter (portal.scim.filters), a page by startIndex
and count, and the total that matched. Ordered by id, so pages are stable while nothing changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scim2_models import SearchRequest

from portal.db import Connection
from portal.directory import accounts, groups
from portal.directory.queries import ACCOUNT_COLUMNS, GROUP_COLUMNS
from portal.scim.filters import GROUPS, USERS, Mapping, to_sql

USERS_FROM = "directory_users u JOIN employees e ON e.id = u.employee_id"
GROUPS_FROM = "directory_groups g"
GROUP_SELECT = f"{GROUP_COLUMNS}, (SELECT slug FROM teams WHERE id = g.team_id) AS team"
MEMBERS_OF = """
SELECT group_id, array_agg(employee_id ORDER BY employee_id) AS members
FROM directory_group_members WHERE group_id = ANY($1::bigint[]) GROUP BY group_id
"""


@dataclass(frozen=True)
class Page:
    total: int
    rows: Sequence[Any]


async def _page(
    conn: Connection, search: SearchRequest, mapping: Mapping, select: str, source: str, order: str, skip: int = 0
) -> Page:
    """One page of one resource type; `skip` resources of the search come before this type."""
    where, params = to_sql(str(search.filter), mapping) if search.filter else ("true", [])
    total = await conn.fetchval(f"SELECT count(*) FROM {source} WHERE {where}", *params)
    offset = max((search.start_index or 1) - 1 - skip, 0)
    limit = search.count or 0
    if limit == 0 or offset >= total:
        return Page(total, [])
    n = len(params)
    rows = await conn.fetch(
        f"SELECT {select} FROM {source} WHERE {where} ORDER BY {order} OFFSET ${n + 1} LIMIT ${n + 2}",
        *params,
        offset,
        limit,
    )
    return Page(total, rows)


async def users(conn: Connection, search: SearchRequest, skip: int = 0) -> tuple[int, list[accounts.StoredAccount]]:
    page = await _page(conn, search, USERS, ACCOUNT_COLUMNS, USERS_FROM, "u.employee_id", skip)
    return page.total, [accounts.from_row(row) for row in page.rows]


async def groups_of(
    conn: Connection, search: SearchRequest, *, with_members: bool, skip: int = 0
) -> tuple[int, list[tuple[groups.StoredGroup, list[int] | None]]]:
    page = await _page(conn, search, GROUPS, GROUP_SELECT, GROUPS_FROM, "g.id", skip)
    found = [groups.from_row(row) for row in page.rows]
    members: dict[int, list[int]] = {}
    if with_members and found:
        members = {row["group_id"]: row["members"] for row in await conn.fetch(MEMBERS_OF, [g.id for g in found])}
    return page.total, [(group, members.get(group.id, []) if with_members else None) for group in found]
