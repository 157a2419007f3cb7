from __future__ import annotations

from portal.http.call import Call, Created
from portal.routing import service
from portal.routing.schemas import InboxItem, ReachedTeam, RoutingRead, RoutingRuleRead


async def list_rules(call: Call) -> list[RoutingRuleRead]:
    return await service.list_rules(call.conn, call.caller)


async def get_rule(call: Call) -> RoutingRuleRead:
    return await service.get_rule(call.conn, call.caller, rule_id=call.path["rule_id"])


async def create_rule(call: Call) -> Created:
    rule = await service.create_rule(call.conn, call.caller, call.body)
    return Created(rule, call.url_for("get_rule", rule_id=rule.id))


async def delete_rule(call: Call) -> None:
    await service.delete_rule(call.conn, call.caller, rule_id=call.path["rule_id"])


async def inbox(call: Call) -> list[InboxItem]:
    return await service.inbox(call.conn, call.caller, slug=call.path["slug"], query=call.query)


async def preview_routing(call: Call) -> list[ReachedTeam]:
    return await service.preview(call.conn, call.body)


async def idea_routings(call: Call) -> list[RoutingRead]:
    return await service.idea_routings(call.conn, idea_id=call.path["idea_id"])


async def respond(call: Call) -> RoutingRead:
    return await service.respond(
        call.conn, call.caller, idea_id=call.path["idea_id"], slug=call.path["team"], answer=call.body
    )


async def take_position(call: Call) -> RoutingRead:
    return await service.take_position(
        call.conn, call.caller, idea_id=call.path["idea_id"], slug=call.path["team"], data=call.body
    )
