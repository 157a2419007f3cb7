"""What the portal tells an identity provider about itself (RFC 7644 §4): the features it supports,
its two resource types and the schemas of what it keeps (portal.scim.models)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from scim2_models import (
    Context,
    Meta,
    NotFoundException,
    NotImplementedException,
    ResourceType,
    Schema,
    ServiceProviderConfig,
)

from portal.scim.http import ScimCall, respond
from portal.scim.models import CORE_GROUP, CORE_USER, ENTERPRISE, MAX_RESULTS, EnterpriseUser, Group, User

LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def service_provider_config(base: str) -> dict[str, Any]:
    config = ServiceProviderConfig.model_validate(
        {
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_RESULTS},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "pagination": {
                "cursor": False,
                "index": True,
                "defaultPaginationMethod": "index",
                "defaultPageSize": MAX_RESULTS,
                "maxPageSize": MAX_RESULTS,
            },
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "API token",
                    "description": "An Idea Portal API token with the `scim` scope (POST /api/v1/tokens, or the "
                    "admins' token page), sent as `Authorization: Bearer ip_...`.",
                    "primary": True,
                }
            ],
            "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base}/ServiceProviderConfig"},
        }
    )
    return config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def resource_types(base: str) -> list[dict[str, Any]]:
    user = {
        "id": "User",
        "name": "User",
        "description": "An employee",
        "endpoint": "/Users",
        "schema": CORE_USER,
        "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
    }
    group = {
        "id": "Group",
        "name": "Group",
        "description": "A team, a team's leads, or the portal's admins",
        "endpoint": "/Groups",
        "schema": CORE_GROUP,
    }
    return [
        ResourceType.model_validate(
            {**document, "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/{document['id']}"}}
        ).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        for document in (user, group)
    ]


def schemas(base: str) -> list[dict[str, Any]]:
    published = []
    for model, name, description in (
        (User, "User", "An employee of the company"),
        (EnterpriseUser, "EnterpriseUser", "The enterprise extension's attributes the portal keeps"),
        (Group, "Group", "A team, a team's leads, or the portal's admins"),
        (ResourceType, "ResourceType", "A resource type the portal serves"),
        (ServiceProviderConfig, "ServiceProviderConfig", "What the portal supports"),
        (Schema, "Schema", "A schema's description"),
    ):
        schema = model.to_schema()
        schema.name, schema.description = name, description
        schema.meta = Meta(resource_type="Schema", location=f"{base}/Schemas/{schema.id}")
        published.append(schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    return published


async def get_service_provider_config(call: ScimCall) -> web.Response:
    return respond(service_provider_config(call.base))


def _listed(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


async def list_resource_types(call: ScimCall) -> web.Response:
    return respond(_listed(resource_types(call.base)))


async def get_resource_type(call: ScimCall) -> web.Response:
    return respond(_by_id(resource_types(call.base), call.request.match_info["id"]))


async def list_schemas(call: ScimCall) -> web.Response:
    return respond(_listed(schemas(call.base)))


async def get_schema(call: ScimCall) -> web.Response:
    return respond(_by_id(schemas(call.base), call.request.match_info["id"]))


def _by_id(resources: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    for resource in resources:
        if resource["id"] == wanted:
            return resource
    raise NotFoundException(detail=f"no {wanted[:80]!r} here")


async def bulk(call: ScimCall) -> web.Response:
    raise NotImplementedException(detail="bulk operations are not supported (ServiceProviderConfig.bulk)")
