"""Routing: which teams an idea reaches, their leads' inboxes, and their answers."""
from __future__ import annotations

import asyncpg

from portal.auth.caller import Caller
from portal.errors import Conflict, Forbidden, NotFound
from portal.events import service as events
from portal.ideas.service import require_idea
from portal.routing.schemas import (
    InboxItem,
    InboxQuery,
    RoutingRead,
    RoutingResponse,
    RoutingRuleCreate,
    RoutingRuleRead,
)
from portal.teams.service import leads_any, team_id

# Every team an idea reaches and how: providers and customers of the services it names, the
# teams it names, and the admins' rules (a tag it carries, a keyword in its title or body).
AFFECTED_TEAMS = """
WITH idea AS (
    SELECT id, tags, lower(title || ' ' || body) AS text FROM ideas WHERE id = $1
), reached AS (
    SELECT s.provider_team_id AS team_id, 'provider' AS role
    FROM idea_services x JOIN services s ON s.id = x.service_id WHERE x.idea_id = $1
    UNION ALL
    SELECT c.team_id, 'customer'
    FROM idea_services x JOIN service_customers c ON c.service_id = x.service_id WHERE x.idea_id = $1
    UNION ALL
    SELECT team_id, role FROM idea_teams WHERE idea_id = $1
    UNION ALL
    SELECT r.team_id, r.role FROM routing_rules r, idea
    WHERE (r.match_kind = 'tag' AND r.pattern = ANY(idea.tags))
       OR (r.match_kind = 'keyword' AND strpos(idea.text, r.pattern) > 0)
)
-- A team reached by several paths gets one routing; provider wins over customer.
SELECT team_id, max(role) AS role FROM reached GROUP BY team_id  -- 'provider' > 'customer'
"""
CURRENT_ROUTINGS = "SELECT team_id, role, state FROM routings WHERE idea_id = $1"
LOCK_IDEA = "SELECT id FROM ideas WHERE id = $1 FOR NO KEY UPDATE"
ADD_ROUTING = """
INSERT INTO routings (idea_id, team_id, role, due_at)
SELECT $1, id, $3, now() + make_interval(hours => response_sla_hours) FROM teams WHERE id = $2
ON CONFLICT (idea_id, team_id) DO UPDATE
   SET role = EXCLUDED.role, state = 'pending', routed_at = now(), due_at = EXCLUDED.due_at,
       responded_at = NULL, responded_by = NULL, message = NULL, overdue_notified_at = NULL
RETURNING due_at
"""
CHANGE_ROLE = "UPDATE routings SET role = $3 WHERE idea_id = $1 AND team_id = $2"
WITHDRAW = "UPDATE routings SET state = 'withdrawn' WHERE idea_id = $1 AND team_id = $2"
TEAM_SLUGS = "SELECT id, slug FROM teams WHERE id = ANY($1::bigint[])"

ROUTING_COLUMNS = """
    r.idea_id, t.slug AS team, r.role, r.state, r.routed_at, r.due_at, r.responded_at, r.message,
    (r.state = 'pending' AND r.due_at < now()) AS overdue,
    (SELECT email FROM employees WHERE id = r.responded_by) AS responded_by
"""
IDEA_ROUTINGS = f"""
SELECT {ROUTING_COLUMNS} FROM routings r JOIN teams t ON t.id = r.team_id
WHERE r.idea_id = $1 ORDER BY r.role DESC, t.slug
"""
INBOX = f"""
SELECT {ROUTING_COLUMNS},
       json_build_object('id', i.id, 'title', i.title, 'status', i.status, 'vote_count', support.votes) AS idea
FROM routings r JOIN teams t ON t.id = r.team_id JOIN ideas i ON i.id = r.idea_id,
     LATERAL (SELECT coalesce(sum(votes), 0)::int AS votes FROM idea_vote_shards WHERE idea_id = i.id) support
WHERE r.team_id = $1
  AND ($2::text IS NULL OR r.role = $2)
  AND ($3::text IS NULL OR r.state = $3)
  AND ($4::boolean IS NULL OR (r.state = 'pending' AND r.due_at < now()) = $4)
ORDER BY support.votes DESC, r.routed_at
LIMIT $5
"""
RESPOND = """
UPDATE routings SET state = $3, message = $4, responded_at = now(), responded_by = $5
WHERE idea_id = $1 AND team_id = $2 AND state <> 'withdrawn'
RETURNING state
"""
ROUTING_STATE = "SELECT state FROM routings WHERE idea_id = $1 AND team_id = $2"
MARK_OVERDUE = """
UPDATE routings r SET overdue_notified_at = now()
FROM teams t
WHERE t.id = r.team_id AND r.state = 'pending' AND r.due_at < now() AND r.overdue_notified_at IS NULL
RETURNING r.idea_id, t.slug AS team, r.role, r.due_at
"""
RULE_COLUMNS = "r.id, r.match_kind, r.pattern, t.slug AS team, r.role, r.created_at"
LIST_RULES = f"SELECT {RULE_COLUMNS} FROM routing_rules r JOIN teams t ON t.id = r.team_id ORDER BY r.id"
GET_RULE = f"SELECT {RULE_COLUMNS} FROM routing_rules r JOIN teams t ON t.id = r.team_id WHERE r.id = $1"
INSERT_RULE = """
INSERT INTO routing_rules (match_kind, pattern, team_id, role, created_by) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (match_kind, pattern, team_id) DO NOTHING RETURNING id
"""
DELETE_RULE = "DELETE FROM routing_rules WHERE id = $1 RETURNING id"


async def route_idea(conn: asyncpg.Connection, *, idea_id: int) -> None:
    """Brings the idea's routings in line with what it concerns now. Idempotent: unchanged teams
    keep their routing and its answer, teams no longer reached are withdrawn, new ones added."""
    if await conn.fetchval(LOCK_IDEA, idea_id) is None:
        return
    wanted = {row["team_id"]: row["role"] for row in await conn.fetch(AFFECTED_TEAMS, idea_id)}
    current = {row["team_id"]: row for row in await conn.fetch(CURRENT_ROUTINGS, idea_id)}
    slugs = {row["id"]: row["slug"] for row in await conn.fetch(TEAM_SLUGS, list(wanted | current))}
    for team, role in wanted.items():
        existing = current.get(team)
        if existing is None or existing["state"] == "withdrawn":
            due_at = await conn.fetchval(ADD_ROUTING, idea_id, team, role)
            await events.record(conn, "idea.routed", f"ideas/{idea_id}", {
                "idea_id": idea_id, "team": slugs[team], "role": role, "due_at": due_at.isoformat()})
        elif existing["role"] != role:
            await conn.execute(CHANGE_ROLE, idea_id, team, role)
            await events.record(conn, "idea.routed", f"ideas/{idea_id}",
                                {"idea_id": idea_id, "team": slugs[team], "role": role, "role_changed": True})
    for team, existing in current.items():
        if team not in wanted and existing["state"] != "withdrawn":
            await conn.execute(WITHDRAW, idea_id, team)
            await events.record(conn, "routing.withdrawn", f"ideas/{idea_id}",
                                {"idea_id": idea_id, "team": slugs[team]})


async def idea_routings(conn: asyncpg.Connection, *, idea_id: int) -> list[RoutingRead]:
    await require_idea(conn, idea_id)
    return [RoutingRead.model_validate(dict(row)) for row in await conn.fetch(IDEA_ROUTINGS, idea_id)]


async def _require_lead_or_admin(conn: asyncpg.Connection, caller: Caller, team: int, slug: str) -> None:
    caller.require_employee()
    if not (caller.is_admin or await leads_any(conn, caller, [team])):
        raise Forbidden(f"only the leads of {slug!r} and admins may do this")


async def inbox(conn: asyncpg.Connection, caller: Caller, *, slug: str, query: InboxQuery) -> list[InboxItem]:
    team = await team_id(conn, slug)
    await _require_lead_or_admin(conn, caller, team, slug)
    rows = await conn.fetch(INBOX, team, query.role, query.state, query.overdue, query.limit)
    return [InboxItem.model_validate(dict(row)) for row in rows]


async def respond(conn: asyncpg.Connection, caller: Caller, *, idea_id: int, slug: str,
                  answer: RoutingResponse) -> RoutingRead:
    team = await team_id(conn, slug)
    await _require_lead_or_admin(conn, caller, team, slug)
    state = await conn.fetchval(RESPOND, idea_id, team, answer.decision, answer.message or None,
                                caller.employee.id)
    if state is None:
        current = await conn.fetchval(ROUTING_STATE, idea_id, team)
        if current is None:
            raise NotFound(f"idea {idea_id} is not routed to {slug!r}")
        raise Conflict(f"the routing was {current}; it can no longer be answered", current_state=current)
    await events.record(conn, "routing.responded", f"ideas/{idea_id}", {
        "idea_id": idea_id, "team": slug, "decision": answer.decision, "message": answer.message,
        "by": caller.employee.email})
    routings = await idea_routings(conn, idea_id=idea_id)
    return next(r for r in routings if r.team == slug)


async def mark_overdue(conn: asyncpg.Connection) -> int:
    """Records routing.overdue once for each pending routing past its due time."""
    rows = await conn.fetch(MARK_OVERDUE)
    for row in rows:
        await events.record(conn, "routing.overdue", f"ideas/{row['idea_id']}", {
            "idea_id": row["idea_id"], "team": row["team"], "role": row["role"],
            "due_at": row["due_at"].isoformat()})
    return len(rows)


async def list_rules(conn: asyncpg.Connection, caller: Caller) -> list[RoutingRuleRead]:
    caller.require_admin()
    return [RoutingRuleRead.model_validate(dict(row)) for row in await conn.fetch(LIST_RULES)]


async def get_rule(conn: asyncpg.Connection, caller: Caller, *, rule_id: int) -> RoutingRuleRead:
    caller.require_admin()
    row = await conn.fetchrow(GET_RULE, rule_id)
    if row is None:
        raise NotFound(f"no routing rule {rule_id}")
    return RoutingRuleRead.model_validate(dict(row))


async def create_rule(conn: asyncpg.Connection, caller: Caller, data: RoutingRuleCreate) -> RoutingRuleRead:
    admin = caller.require_admin()
    team = await team_id(conn, data.team, field="body.team")
    rule_id = await conn.fetchval(INSERT_RULE, data.match_kind, data.pattern, team, data.role, admin.id)
    if rule_id is None:
        raise Conflict("this rule exists already")
    await events.record(conn, "routing_rule.created", f"routing-rules/{rule_id}", data.model_dump())
    return await get_rule(conn, caller, rule_id=rule_id)


async def delete_rule(conn: asyncpg.Connection, caller: Caller, *, rule_id: int) -> None:
    caller.require_admin()
    if await conn.fetchval(DELETE_RULE, rule_id) is None:
        raise NotFound(f"no routing rule {rule_id}")
    await events.record(conn, "routing_rule.deleted", f"routing-rules/{rule_id}", {"id": rule_id})
