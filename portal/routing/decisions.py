"""Two-sided decisions: the provider team decides a routed idea; each customer team it
concerns confirms or disputes that decision.

When a provider lead accepts, plans or declines a routed idea, or the idea is marked done, every
customer team still routed is asked for its position, due within its response time. A dispute
(with its reason) reopens the provider's routing: it is pending again, due within the
provider's response time, and an idea marked done goes back to in progress. A customer team
the idea stops concerning is withdrawn and is no longer asked.
"""

from __future__ import annotations

from portal.db import Connection
from portal.errors import Conflict, NotFound
from portal.events import outbox
from portal.routing import queries as q
from portal.routing.schemas import PositionWrite

ANSWERS_ASKED_ABOUT = frozenset({"accepted", "planned", "declined"})


async def ask_customers(conn: Connection, *, idea_id: int, about: str) -> list[str]:
    """Asks the idea's customer teams to confirm or dispute `about` (a decision, or 'done')."""
    teams = [row["team"] for row in await conn.fetch(q.ASK_CUSTOMERS, idea_id, about)]
    if teams:
        await outbox.record(
            conn,
            "routing.confirmation_requested",
            f"ideas/{idea_id}",
            {"idea_id": idea_id, "teams": teams, "about": about},
        )
    return teams


async def take_position(
    conn: Connection, *, idea_id: int, team_id: int, slug: str, lead_id: int, data: PositionWrite
) -> None:
    """Records a customer team's position; a dispute reopens the provider's routing."""
    row = await conn.fetchrow(q.TAKE_POSITION, idea_id, team_id, data.position, data.reason or None, lead_id)
    if row is None:
        current = await conn.fetchrow(q.POSITION_STATE, idea_id, team_id)
        if current is None:
            raise NotFound(f"idea {idea_id} is not routed to {slug!r}")
        if current["state"] == "withdrawn":
            raise Conflict("the idea no longer concerns this team", current_state="withdrawn")
        if current["role"] != "customer":
            raise Conflict(
                "only a customer team confirms or disputes; the provider decides", current_state=current["state"]
            )
        raise Conflict(
            "nothing was asked of this team yet: the provider has not decided", current_state=current["state"]
        )
    event = "routing.confirmed" if data.position == "confirmed" else "routing.disputed"
    await outbox.record(
        conn,
        event,
        f"ideas/{idea_id}",
        {"idea_id": idea_id, "team": slug, "about": row["position_asked"], "reason": data.reason or None},
    )
    if data.position == "disputed":
        await reopen(conn, idea_id=idea_id, disputed_by=slug, reason=data.reason, by=lead_id)


async def reopen(
    conn: Connection,
    *,
    idea_id: int,
    disputed_by: str,
    reason: str,
    by: int | None,
    survey_round_id: int | None = None,
) -> None:
    """The provider's answered routings pending again, and a done idea back in progress: by a
    customer team's lead (`by`), or by a survey round and no person."""
    for row in await conn.fetch(q.REOPEN_PROVIDER, idea_id):
        await outbox.record(
            conn,
            "routing.reopened",
            f"ideas/{idea_id}",
            {
                "idea_id": idea_id,
                "team": row["team"],
                "disputed_by": disputed_by,
                "reason": reason,
                "due_at": row["due_at"].isoformat(),
            },
        )
    because = f"Disputed by {disputed_by}: {reason}"[:2000]
    if await conn.fetchval(q.REOPEN_DONE_IDEA, idea_id, because, by, survey_round_id):
        await outbox.record(
            conn,
            "idea.status_changed",
            f"ideas/{idea_id}",
            {
                "id": idea_id,
                "from": "done",
                "to": "in_progress",
                "reason": because,
                "duplicate_of": None,
                "by": by,
                "survey_round_id": survey_round_id,
            },
        )


def asks_customers(role: str, decision: str) -> bool:
    return role == "provider" and decision in ANSWERS_ASKED_ABOUT
