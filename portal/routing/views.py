from __future__ import annotations

from portal.http.call import Call, Created
from portal.routing import service
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


async def list_rules(call: Call) -> list[RoutingRuleRead]:
    """List routing rules (admin)"""
    return await service.list_rules(call.conn, call.caller)


async def get_rule(call: Call) -> RoutingRuleRead:
    """Get a routing rule (admin)"""
    return await service.get_rule(call.conn, call.caller, rule_id=call.path["rule_id"])


async def create_rule(call: Call, body: RoutingRuleCreate) -> Created[RoutingRuleRead]:
    """Route ideas with a tag or keyword to a team (admin)"""
    rule = await service.create_rule(call.conn, call.caller, body)
    return Created(rule, call.url_for("get_rule", rule_id=rule.id))


async def delete_rule(call: Call) -> None:
    """Delete a routing rule (admin)"""
    await service.delete_rule(call.conn, call.caller, rule_id=call.path["rule_id"])


async def inbox(call: Call, query: InboxQuery) -> list[InboxItem]:
    """The team's routed ideas, by support and age (its leads, admins)"""
    return await service.inbox(call.conn, call.caller, slug=call.path["slug"], query=query)


async def preview_routing(call: Call, body: RoutingPreview) -> list[ReachedTeam]:
    """Which teams an idea about these services, teams, tags and words would reach"""
    return await service.preview(call.conn, body)


async def idea_routings(call: Call) -> list[RoutingRead]:
    """The teams an idea was routed to, with their answers"""
    return await service.idea_routings(call.conn, idea_id=call.path["idea_id"])


async def respond(call: Call, body: RoutingResponse) -> RoutingRead:
    """Answer a routed idea for your team (its leads, admins)"""
    return await service.respond(
        call.conn, call.caller, idea_id=call.path["idea_id"], slug=call.path["team"], answer=body
    )


async def take_position(call: Call, body: PositionWrite) -> RoutingRead:
    """Confirm or dispute the provider's decision for your customer team (its leads, admins); a dispute reopens
    the provider's routing"""
    return await service.take_position(
        call.conn, call.caller, idea_id=call.path["idea_id"], slug=call.path["team"], data=body
    )
