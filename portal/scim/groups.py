"""/Groups: the identity provider's groups as the portal's teams, leads and admins
(portal.directory.groups). A PATCH of members is done in SQL, whatever the group's size: adding
5,000 members does not read the thousands already there."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from scim2_models import (
    Context,
    InvalidPathException,
    InvalidValueException,
    ListResponse,
    PatchOp,
    PatchOperation,
    ResponseParameters,
    SearchRequest,
)
from scim2_models.path import AttrPath, Path, ValuePath

from portal.directory import groups
from portal.directory.groups import StoredGroup
from portal.scim import listing
from portal.scim.filters import members_where
from portal.scim.http import ScimCall, parameters_of, respond
from portal.scim.models import CORE_GROUP, Group
from portal.scim.users import scim_time

MEMBERS = "members"


def document(group: StoredGroup, members: list[int] | None, base: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        "schemas": [CORE_GROUP],
        "id": str(group.id),
        "displayName": group.display_name,
        "meta": {
            "resourceType": "Group",
            "created": scim_time(group.created_at),
            "lastModified": scim_time(group.updated_at),
            "location": f"{base}/Groups/{group.id}",
        },
    }
    if group.external_id is not None:
        found["externalId"] = group.external_id
    if members:
        found[MEMBERS] = [{"value": str(m), "$ref": f"{base}/Users/{m}", "type": "User"} for m in members]
    return found


def resource(group: StoredGroup, members: list[int] | None, base: str) -> Group:
    return Group.model_validate(document(group, members, base))


def member_ids(values: Any) -> list[int]:
    """The user ids of a members value: `[{"value": "12"}, ...]` (one object alone is accepted)."""
    if isinstance(values, dict):
        values = [values]
    if not isinstance(values, list):
        raise InvalidValueException(detail="members must be a list of objects with a user id as value")
    ids = []
    for member in values:
        value = member.get("value") if isinstance(member, dict) else None
        if not isinstance(value, str | int) or not str(value).isdigit() or len(str(value)) > 18:
            raise InvalidValueException(detail=f"{value!r} is not a user id")
        ids.append(int(value))
    return ids


def wants_members(parameters: ResponseParameters) -> bool:
    """Whether a response shows members (Entra ID lists groups with excludedAttributes=members)."""
    named = {str(a).rsplit(":", 1)[-1].split(".")[0].lower() for a in parameters.attributes or []}
    excluded = {str(a).rsplit(":", 1)[-1].split(".")[0].lower() for a in parameters.excluded_attributes or []}
    return (not named or MEMBERS in named) and MEMBERS not in excluded


async def _one(call: ScimCall, group_id: int, status: int = 200) -> web.Response:
    group = await groups.get(call.conn, group_id)
    members = await groups.member_ids(call.conn, group_id) if wants_members(call.response_parameters()) else None
    found = document(group, members, call.base)
    if call.asks_for_attributes:
        found = Group.model_validate(found).model_dump(
            scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=call.response_parameters()
        )
    return respond(found, status=status, location=found["meta"]["location"] if status == 201 else None)


def _validated(body: dict[str, Any], context: Context) -> tuple[str, str | None, list[int]]:
    group = Group.model_validate(body, scim_ctx=context)
    if not group.display_name:
        raise InvalidValueException(detail="displayName is required")
    return group.display_name, group.external_id, member_ids(body.get(MEMBERS) or [])


async def get_group(call: ScimCall) -> web.Response:
    return await _one(call, call.id)


async def create_group(call: ScimCall) -> web.Response:
    display_name, external_id, members = _validated(await call.body(), Context.RESOURCE_CREATION_REQUEST)
    group = await groups.create(
        call.conn, call.actor, call.settings, display_name=display_name, external_id=external_id, members=members
    )
    return await _one(call, group.id, status=201)


async def replace_group(call: ScimCall) -> web.Response:
    group_id = call.id
    display_name, external_id, members = _validated(await call.body(), Context.RESOURCE_REPLACEMENT_REQUEST)
    await groups.update(
        call.conn, call.actor, call.settings, group_id, display_name=display_name, external_id=external_id
    )
    await groups.replace_members(call.conn, call.actor, call.settings, group_id, members)
    return await _one(call, group_id)


async def delete_group(call: ScimCall) -> web.Response:
    await groups.delete(call.conn, call.actor, call.settings, call.id)
    return web.Response(status=204)


def _is_members(path: Any) -> bool:
    node = Path(str(path)).ast if path is not None else None
    attr = node.attr_path if isinstance(node, ValuePath) else node
    return (
        isinstance(attr, AttrPath)
        and attr.attr.lower() == MEMBERS
        and (attr.sub_attr is None or isinstance(node, ValuePath))
    )


async def _member_operation(call: ScimCall, group_id: int, operation: PatchOperation) -> None:
    node = Path(str(operation.path)).ast if operation.path is not None else None
    op = operation.op.value
    if isinstance(node, ValuePath):  # members[value eq "12"]: the members the filter selects
        if node.sub_attr is not None or op == "add":
            raise InvalidPathException(detail=f"{operation.path} cannot be the target of {op}")
        where, params = members_where(node.val_filter, first=2)
        selected = [
            row["employee_id"]
            for row in await call.conn.fetch(
                f"SELECT employee_id FROM directory_group_members m WHERE m.group_id = $1 AND {where}",
                group_id,
                *params,
            )
        ]
        await groups.remove_members(call.conn, call.actor, call.settings, group_id, selected)
        if op == "replace":
            await groups.add_members(call.conn, call.actor, call.settings, group_id, member_ids(operation.value))
    elif op == "add":
        await groups.add_members(call.conn, call.actor, call.settings, group_id, member_ids(operation.value))
    elif op == "replace":
        await groups.replace_members(call.conn, call.actor, call.settings, group_id, member_ids(operation.value))
    else:  # remove: the members the value lists (Entra ID), else every one
        ids = member_ids(operation.value) if operation.value else None
        await groups.remove_members(call.conn, call.actor, call.settings, group_id, ids)


async def patch_group(call: ScimCall) -> web.Response:
    """Operations in order, all or none: members in SQL, the name and externalId on the group."""
    group_id = call.id
    patch = PatchOp[Group].model_validate(await call.body(), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    for operation in patch.operations or []:
        if operation.path is not None and _is_members(operation.path):
            await _member_operation(call, group_id, operation)
            continue
        value = operation.value
        if operation.path is None and isinstance(value, dict) and any(key.lower() == MEMBERS for key in value):
            members = next(value[key] for key in value if key.lower() == MEMBERS)
            rest = {key: item for key, item in value.items() if key.lower() != MEMBERS}
            split = PatchOperation[Group](op=operation.op, path=Path[Group](MEMBERS), value=members)
            await _member_operation(call, group_id, split)
            if not rest:
                continue
            operation = PatchOperation[Group](op=operation.op, value=rest)
        current = resource(await groups.get(call.conn, group_id), None, call.base)
        PatchOp[Group](operations=[operation]).patch(current)
        if not current.display_name:
            raise InvalidValueException(detail="displayName is required")
        await groups.update(
            call.conn,
            call.actor,
            call.settings,
            group_id,
            display_name=current.display_name,
            external_id=current.external_id,
        )
    return await _one(call, group_id)


async def list_groups(call: ScimCall) -> web.Response:
    return await _listed(call, call.search_request())


async def search_groups(call: ScimCall) -> web.Response:
    return await _listed(call, call.search_request(await call.body()))


async def _listed(call: ScimCall, search: SearchRequest) -> web.Response:
    total, found = await listing.groups_of(call.conn, search, with_members=wants_members(parameters_of(search)))
    resources = [resource(group, members, call.base) for group, members in found]
    listed = ListResponse[Group](
        total_results=total, start_index=search.start_index or 1, items_per_page=len(resources), resources=resources
    )
    return respond(listed.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters_of(search)))
