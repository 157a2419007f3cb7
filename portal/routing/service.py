"""Routing: which teams an idea reaches, their leads' inboxes, and their answers."""

from __future__ import annotations

from portal import locks
from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import Conflict, NotFound
from portal.events import outbox
from portal.locks import lock_idea
from portal.lookups import require_idea, require_lead_or_admin, team_id_by_slug
from portal.routing import decisions
from portal.routing import queries as q
from portal.routing.schemas import (
    InboxItem,
    InboxQuery,
    PositionWrite,
    ReachedTeam,
    RoutingPreview,
    RoutingRead,
    RoutingResponse,
    RoutingRuleCreate,
    RoutingRuleRead,
)


async def route_ideas(conn: Connection, idea_ids: list[int]) -> int:
    """Brings the ideas' routings in line with what each concerns now, in one statement.
    Idempotent: unchanged teams keep their routing and its answer, teams no longer reached are
    withdrawn, new ones added. Holds the ideas first (portal.locks). Answers how many teams were
    newly reached; ideas deleted since their event was written are left out."""
    ids = sorted(set(idea_ids))
    if not ids:
        return 0
    await locks.lock_ideas(conn, ids)
    changes = await conn.fetch(q.ROUTE_IDEAS, ids)
    events = []
    for change in changes:
        data: dict = {"idea_id": change["idea_id"], "team": change["team"]}
        if change["change"] == "routed":
            events.append(("idea.routed", {**data, "role": change["role"], "due_at": change["due_at"].isoformat()}))
        elif change["change"] == "role_changed":
            events.append(("idea.routed", {**data, "role": change["role"], "role_changed": True}))
        else:
            events.append(("routing.withdrawn", data))
    await outbox.record_many(conn, [(type_, f"ideas/{data['idea_id']}", data) for type_, data in events])
    await _escalate(conn, q.ESCALATE_LEADLESS, None, ids)
    return sum(1 for change in changes if change["change"] == "routed")


async def escalate_leadless(conn: Connection, *, team_ids: list[int]) -> int:
    """A team left without a lead: its pending routings go to the admins at once (routing.escalated,
    with `no_lead`). Holds their ideas first (portal.locks). Answers how many were escalated."""
    if not team_ids:
        return 0
    await locks.lock_ideas(conn, [row["idea_id"] for row in await conn.fetch(q.LEADLESS_IDEAS, team_ids, None)])
    return await _escalate(conn, q.ESCALATE_LEADLESS, team_ids, None)


async def _escalate(conn: Connection, statement: str, team_ids: list[int] | None, idea_ids: list[int] | None) -> int:
    rows = await conn.fetch(statement, team_ids, idea_ids)
    await outbox.record_many(
        conn,
        [
            (
                "routing.escalated",
                f"ideas/{row['idea_id']}",
                {
                    "idea_id": row["idea_id"],
                    "team": row["team"],
                    "role": row["role"],
                    "due_at": row["due_at"].isoformat(),
                    "no_lead": True,
                },
            )
            for row in rows
        ],
    )
    return len(rows)


async def route_idea(conn: Connection, *, idea_id: int) -> int:
    """route_ideas for one idea."""
    return await route_ideas(conn, [idea_id])


# The answers a lead gives a routed idea, in the order a form offers them.
DECISIONS = ("acknowledged", "accepted", "planned", "declined")


def awaits_position(routing: RoutingRead) -> bool:
    """A customer team asked to confirm or dispute the provider's answer (and still concerned)."""
    return routing.role == "customer" and routing.position_asked is not None and routing.state != "withdrawn"


def awaits_answer(routing: RoutingRead) -> bool:
    """A team whose leads answer the idea now: routed to it, and not a customer asked for its position."""
    return routing.state != "withdrawn" and not awaits_position(routing)


async def preview(conn: Connection, data: RoutingPreview) -> list[ReachedTeam]:
    """The teams an idea concerning these services, teams, tags and words would be routed to."""
    rows = await conn.fetch(
        q.REACHED_TEAMS,
        data.services,
        [t.team for t in data.teams],
        [t.role for t in data.teams],
        [tag.strip().lower() for tag in data.tags],
        f"{data.title} {data.body}".lower(),
    )
    return [ReachedTeam.model_validate(dict(row)) for row in rows]


async def idea_routings(conn: Connection, *, idea_id: int) -> list[RoutingRead]:
    await require_idea(conn, idea_id)
    return [RoutingRead.model_validate(dict(row)) for row in await conn.fetch(q.IDEA_ROUTINGS, idea_id)]


async def inbox(conn: Connection, caller: Caller, *, slug: str, query: InboxQuery) -> list[InboxItem]:
    team_id = await team_id_by_slug(conn, slug)
    await require_lead_or_admin(conn, caller, team_id, slug)
    sql = q.INBOX_BY_DUE if query.sort == "due" else q.INBOX_BY_SUPPORT
    rows = await conn.fetch(sql, team_id, query.role, query.state, query.overdue, query.limit)
    return [InboxItem.model_validate(dict(row)) for row in rows]


async def respond(conn: Connection, caller: Caller, *, idea_id: int, slug: str, answer: RoutingResponse) -> RoutingRead:
    team_id = await team_id_by_slug(conn, slug)
    lead = await require_lead_or_admin(conn, caller, team_id, slug)
    await lock_idea(conn, idea_id)  # before its routings (portal.locks)
    state = await conn.fetchval(q.RESPOND, idea_id, team_id, answer.decision, answer.message or None, lead.id)
    if state is None:
        current = await conn.fetchval(q.ROUTING_STATE, idea_id, team_id)
        if current is None:
            raise NotFound(f"idea {idea_id} is not routed to {slug!r}")
        raise Conflict(f"the routing was {current}; it can no longer be answered", current_state=current)
    await outbox.record(
        conn,
        "routing.responded",
        f"ideas/{idea_id}",
        {"idea_id": idea_id, "team": slug, "decision": answer.decision, "message": answer.message, "by": lead.email},
    )
    routings = await idea_routings(conn, idea_id=idea_id)
    answered = next(r for r in routings if r.team == slug)
    if decisions.asks_customers(answered.role, answer.decision):
        await decisions.ask_customers(conn, idea_id=idea_id, about=answer.decision)
        answered = next(r for r in await idea_routings(conn, idea_id=idea_id) if r.team == slug)
    return answered


async def take_position(
    conn: Connection, caller: Caller, *, idea_id: int, slug: str, data: PositionWrite
) -> RoutingRead:
    """A customer team's lead confirms or disputes the provider's decision."""
    team_id = await team_id_by_slug(conn, slug)
    lead = await require_lead_or_admin(conn, caller, team_id, slug)
    await lock_idea(conn, idea_id)
    await decisions.take_position(conn, idea_id=idea_id, team_id=team_id, slug=slug, lead_id=lead.id, data=data)
    return next(r for r in await idea_routings(conn, idea_id=idea_id) if r.team == slug)


async def mark_overdue(conn: Connection, *, due_soon_seconds: float = 24 * 3600) -> int:
    """Records routing.due_soon once for each pending routing whose answer falls due within a
    quarter of its response period (at most `due_soon_seconds`), routing.overdue once for each past
    its due time, and routing.escalated once for each still pending a second response period later."""
    marked = 0
    ideas = [row["idea_id"] for row in await conn.fetch(q.OVERDUE_IDEAS)]
    ideas += [row["idea_id"] for row in await conn.fetch(q.DUE_SOON_IDEAS, due_soon_seconds)]
    await locks.lock_ideas(conn, ideas)
    for query, type_, args in (
        (q.MARK_DUE_SOON, "routing.due_soon", [due_soon_seconds]),
        (q.MARK_OVERDUE, "routing.overdue", []),
        (q.MARK_ESCALATED, "routing.escalated", []),
    ):
        rows = await conn.fetch(query, *args)
        for row in rows:
            await outbox.record(
                conn,
                type_,
                f"ideas/{row['idea_id']}",
                {
                    "idea_id": row["idea_id"],
                    "team": row["team"],
                    "role": row["role"],
                    "due_at": row["due_at"].isoformat(),
                },
            )
        marked += len(rows)
    return marked


async def list_rules(conn: Connection, caller: Caller) -> list[RoutingRuleRead]:
    caller.require_admin()
    return [RoutingRuleRead.model_validate(dict(row)) for row in await conn.fetch(q.LIST_RULES)]


async def get_rule(conn: Connection, caller: Caller, *, rule_id: int) -> RoutingRuleRead:
    caller.require_admin()
    row = await conn.fetchrow(q.GET_RULE, rule_id)
    if row is None:
        raise NotFound(f"no routing rule {rule_id}")
    return RoutingRuleRead.model_validate(dict(row))


async def create_rule(conn: Connection, caller: Caller, data: RoutingRuleCreate) -> RoutingRuleRead:
    admin = caller.require_admin()
    team_id = await team_id_by_slug(conn, data.team, field="team")
    rule_id = await conn.fetchval(q.INSERT_RULE, data.match_kind, data.pattern, team_id, data.role, admin.id)
    if rule_id is None:
        raise Conflict("this rule exists already")
    await outbox.record(conn, "routing_rule.created", f"routing-rules/{rule_id}", data.model_dump())
    rule = await get_rule(conn, caller, rule_id=rule_id)
    await audit.act(conn, caller, "routing_rule.created", f"routing-rules/{rule_id}", after=rule)
    return rule


async def delete_rule(conn: Connection, caller: Caller, *, rule_id: int) -> None:
    rule = await get_rule(conn, caller, rule_id=rule_id)
    if await conn.fetchval(q.DELETE_RULE, rule_id) is None:  # deleted meanwhile
        raise NotFound(f"no routing rule {rule_id}")
    await outbox.record(conn, "routing_rule.deleted", f"routing-rules/{rule_id}", {"id": rule_id})
    await audit.act(conn, caller, "routing_rule.deleted", f"routing-rules/{rule_id}", before=rule)
