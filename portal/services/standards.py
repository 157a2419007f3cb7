"""Service standards: how to request a service and what its provider commits to (first response
within N hours, a resolution target, hours of service, a contact), published in versions.

The committed first response drives the due time of the provider's routing for an idea about the
service (the shortest, if it names several; else the team's response time), and the routing keeps
the version it was routed under, so it is measured against the standard in force then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, model_validator

from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import Forbidden, NotFound
from portal.events import outbox
from portal.lookups import leads_any
from portal.schemas import Input, Output, Trimmed

SERVICE = "SELECT id, provider_team_id FROM services WHERE slug = $1"
# Publishing locks the service's row: versions are numbered one after another.
LOCK_SERVICE = SERVICE + " FOR UPDATE"

PUBLISH = """
INSERT INTO service_standards (service_id, version, how_to_request, first_response_hours, resolution_target_hours,
                               hours_of_service, contact, published_by)
SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6, $7 FROM service_standards WHERE service_id = $1
RETURNING version
"""

COLUMNS = """
st.version, st.how_to_request, st.first_response_hours, st.resolution_target_hours, st.hours_of_service,
st.contact, st.published_at, (SELECT email FROM employees WHERE id = st.published_by) AS published_by
"""

CURRENT = f"""
SELECT {COLUMNS} FROM service_standards st WHERE st.service_id = $1 ORDER BY st.version DESC LIMIT 1
"""

HISTORY = f"SELECT {COLUMNS} FROM service_standards st WHERE st.service_id = $1 ORDER BY st.version DESC"


class StandardWrite(Input):
    how_to_request: Annotated[str, Trimmed(min_length=1, max_length=2000)] = Field(
        description="How to ask for the service, e.g. a form or a channel."
    )
    first_response_hours: int = Field(ge=1, le=8760, description="The provider answers a routed idea within this.")
    resolution_target_hours: int | None = Field(None, ge=1, le=87600, description="The target to resolve a request.")
    hours_of_service: Annotated[str, Trimmed(max_length=200)] = Field("", description="e.g. weekdays 9:00-18:00 JST")
    contact: Annotated[str, Trimmed(min_length=1, max_length=200)]

    @model_validator(mode="after")
    def _resolution_after_response(self) -> StandardWrite:
        if self.resolution_target_hours is not None and self.resolution_target_hours < self.first_response_hours:
            raise ValueError("the resolution target cannot come before the first response")
        return self


class StandardRead(Output):
    version: int
    how_to_request: str
    first_response_hours: int
    resolution_target_hours: int | None
    hours_of_service: str
    contact: str
    published_at: datetime
    published_by: str | None


async def _service(conn: Connection, slug: str, *, lock: bool = False):
    row = await conn.fetchrow(LOCK_SERVICE if lock else SERVICE, slug)
    if row is None:
        raise NotFound(f"no service {slug!r}")
    return row


async def publish(conn: Connection, caller: Caller, *, slug: str, data: StandardWrite) -> StandardRead:
    """A new version of the service's standard (its provider team's leads, admins)."""
    author = caller.require_employee()
    service = await _service(conn, slug, lock=True)
    if not (author.is_admin or await leads_any(conn, caller, [service["provider_team_id"]])):
        raise Forbidden("only an admin or a lead of the provider team may publish this service's standard")
    version = await conn.fetchval(
        PUBLISH,
        service["id"],
        data.how_to_request,
        data.first_response_hours,
        data.resolution_target_hours,
        data.hours_of_service,
        data.contact,
        author.id,
    )
    await outbox.record(
        conn,
        "service.standard_published",
        f"services/{slug}",
        {"service": slug, "version": version, **data.model_dump()},
    )
    standard = await current(conn, slug=slug)
    await audit.act(conn, caller, "service.standard_published", f"services/{slug}", after=standard)
    return standard


async def current(conn: Connection, *, slug: str) -> StandardRead:
    row = await conn.fetchrow(CURRENT, (await _service(conn, slug))["id"])
    if row is None:
        raise NotFound(f"service {slug!r} has published no standard yet")
    return StandardRead.model_validate(dict(row))


async def history(conn: Connection, *, slug: str) -> list[StandardRead]:
    rows = await conn.fetch(HISTORY, (await _service(conn, slug))["id"])
    return [StandardRead.model_validate(dict(row)) for row in rows]
