"""What the portal holds about a person, for them to download (a data subject's access right,
APPI Art. 33 and GDPR Art. 15): never anyone else's data beyond what the portal shows them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from portal.auth.caller import Caller
from portal.db import Connection
from portal.privacy import queries as q


async def personal_data(conn: Connection, caller: Caller) -> dict[str, Any]:
    """The signed-in employee's data, section by section (see queries.EXPORT)."""
    employee = caller.require_employee()
    data: dict[str, Any] = await conn.fetchval(q.EXPORT, employee.id)
    return {"exported_at": datetime.now(UTC).isoformat(), **data}
