"""POST /.search at the root: users and groups at once (RFC 7644 §3.4.3). A filter naming an
attribute only one type has selects from that type alone (§3.4.2.1: false for the others)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from scim2_models import Context, InvalidFilterException, SearchRequest

from portal.scim import groups, listing, users
from portal.scim.filters import GROUPS, USERS, Mapping, parse
from portal.scim.http import ScimCall, parameters_of, respond
from portal.scim.models import MAX_RESULTS

LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def _applies(search: SearchRequest, mapping: Mapping) -> bool:
    if not search.filter:
        return True
    try:
        parse(str(search.filter), mapping)
    except InvalidFilterException:
        return False
    return True


async def search_all(call: ScimCall) -> web.Response:
    search = call.search_request(await call.body())
    for_users, for_groups = _applies(search, USERS), _applies(search, GROUPS)
    if not (for_users or for_groups):
        parse(str(search.filter), USERS)  # raises the users' error, naming the attribute
    parameters = parameters_of(search)
    found: list[dict[str, Any]] = []
    total_users = 0
    if for_users:
        total_users, accounts = await listing.users(call.conn, search)
        found += [
            users.resource(a, call.base).model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters)
            for a in accounts
        ]
    total_groups = 0
    if for_groups:
        remaining = SearchRequest(
            filter=search.filter,
            start_index=search.start_index,
            count=max((search.count or MAX_RESULTS) - len(found), 0),
        )
        total_groups, listed = await listing.groups_of(
            call.conn, remaining, with_members=groups.wants_members(parameters), skip=total_users
        )
        found += [
            groups.resource(g, m, call.base).model_dump(
                scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters
            )
            for g, m in listed
        ]
    return respond(
        {
            "schemas": [LIST_RESPONSE],
            "totalResults": total_users + total_groups,
            "startIndex": search.start_index or 1,
            "itemsPerPage": len(found),
            "Resources": found,
        }
    )
