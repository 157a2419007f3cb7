"""Lookups every domain needs, at the bottom of the layers (portal.locks beside them): whether an
idea exists, ids by slug, who leads which team, and the one definition of an idea's vote count.

Kept here rather than in the domain that owns the table, so the domains above depend downward
only (the import-linter contracts in pyproject.toml say which way).
"""

from __future__ import annotations

import functools

from portal.auth.caller import Caller, Employee
from portal.db import Connection, fetch_row
from portal.errors import Forbidden, IdeaNotFound, NotFound, ValidationFailed

# Each idea's vote counter is spread over this many shard rows, chosen by voter, so voters on one
# idea do not wait for one row (docs/decisions/0002-vote-shards.md).
SHARDS = 32
# The one definition of an idea's vote count: the sum of its counter shards, which the vote
# statements keep equal to its number of vote rows at every commit. `{idea}` is the expression
# naming the idea (a column such as i.id, or a parameter).
VOTE_COUNT = "(SELECT coalesce(sum(votes), 0)::int FROM idea_vote_shards WHERE idea_id = {idea})"

IDEA_EXISTS = "SELECT EXISTS (SELECT 1 FROM ideas WHERE id = $1)"
TEAM_ID = "SELECT id FROM teams WHERE slug = $1"
LEADS_ANY = """
SELECT EXISTS (SELECT 1 FROM team_leads WHERE employee_id = $1 AND team_id = ANY($2::bigint[]))
"""


def shard_of(employee_id: int) -> int:
    return employee_id % SHARDS


async def require_idea(conn: Connection, idea_id: int) -> None:
    """404 unless the idea exists."""
    if not await conn.fetchval(IDEA_EXISTS, idea_id):
        raise IdeaNotFound(idea_id)


async def ids_by_slug(
    conn: Connection, sql: str, slugs: list[str], field: str, kind: str, suffix: str = ""
) -> list[int]:
    """The ids of `slugs` (in order), read by `sql`; each unknown one is a 422 naming its field."""
    found = {row["slug"]: row["id"] for row in await conn.fetch(sql, slugs)}
    errors = [
        {"field": f"{field}.{n}{suffix}", "message": f"no {kind} {slug!r}", "type": f"unknown_{kind}"}
        for n, slug in enumerate(slugs)
        if slug not in found
    ]
    if errors:
        raise ValidationFailed(errors)
    return [found[slug] for slug in slugs]


async def team_id_by_slug(conn: Connection, slug: str, *, field: str | None = None, location: str = "body") -> int:
    """The team's id; unknown is 404 for a path, 422 naming the field otherwise."""
    found = await conn.fetchval(TEAM_ID, slug)
    if found is None:
        if field:
            error = {"field": field, "message": f"no team {slug!r}", "type": "unknown_team"}
            raise ValidationFailed([error], location=location)
        raise NotFound(f"no team {slug!r}")
    return found


async def leads_any(conn: Connection, caller: Caller, team_ids: list[int]) -> bool:
    """Whether the caller leads one of these teams, as of this transaction."""
    if caller.employee is None:
        return False
    return await conn.fetchval(LEADS_ANY, caller.employee.id, team_ids)


async def require_lead_or_admin(conn: Connection, caller: Caller, team_id: int, slug: str) -> Employee:
    """The calling employee, if they lead the team or are an admin; else 403."""
    employee = caller.require_employee()
    if not (employee.is_admin or await leads_any(conn, caller, [team_id])):
        raise Forbidden(f"only the leads of {slug!r} and admins may do this")
    return employee


# In one statement, so the version and the names come from one snapshot.
NAMES = """
SELECT (SELECT coalesce(json_object_agg(slug, name), '{}') FROM teams) AS teams,
       (SELECT coalesce(json_object_agg(slug, name), '{}') FROM services) AS services,
       (SELECT version FROM names_version) AS version
"""


class Names:
    """Teams' and services' names by slug: people read names, slugs stay in URLs and the API."""

    def __init__(self, teams: dict[str, str], services: dict[str, str]) -> None:
        self.teams, self.services = teams, services

    def team(self, slug: str | None) -> str:
        return self.teams.get(slug, slug) if slug else ""

    def service(self, slug: str | None) -> str:
        return self.services.get(slug, slug) if slug else ""

    @functools.cached_property
    def team_options(self) -> list[tuple[str, str]]:
        """(slug, name) of every team by name, for a select (sorted once: pages share the names)."""
        return sorted(self.teams.items(), key=lambda item: item[1].casefold())

    @functools.cached_property
    def service_options(self) -> list[tuple[str, str]]:
        return sorted(self.services.items(), key=lambda item: item[1].casefold())


class KnownNames:
    """The names as of the newest version read, kept by the web client between requests: a page
    that knows the current version (read with its session, sql/0031) reads no names when it is
    this one. Shared by one process's requests; a version only grows, so an older read never
    replaces a newer one."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.names: Names | None = None

    async def current(self, conn: Connection, version: int | None) -> Names:
        """The names as of `version` (None: unknown, so read them)."""
        if version is not None and version == self.version and self.names is not None:
            return self.names
        teams, services, found = await fetch_row(conn, NAMES)
        read = Names(teams, services)
        if found is not None and (self.version is None or found > self.version):
            self.version, self.names = found, read
        return read
