"""/Users: the identity provider's users as the portal's employees (portal.directory.accounts)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from scim2_models import Context, InvalidValueException, ListResponse, PatchOp, SearchRequest

from portal.directory import accounts
from portal.directory.accounts import Account, StoredAccount
from portal.directory.people import Person
from portal.schemas import EMAIL_PATTERN
from portal.scim import listing
from portal.scim.http import ScimCall, parameters_of, respond
from portal.scim.models import CORE_USER, ENTERPRISE, EnterpriseUser, User

EMAIL = re.compile(EMAIL_PATTERN)
NAME_LENGTH = 200


def _manager(value: Any) -> Any:
    """Microsoft Entra ID sends the manager as a bare id."""
    return {"value": value} if isinstance(value, str | int) else value


def normalize(document: dict[str, Any]) -> dict[str, Any]:
    """A user payload with the identity providers' known departures from RFC 7643 mended."""
    enterprise = document.get(ENTERPRISE)
    if isinstance(enterprise, dict) and "manager" in enterprise:
        document = {**document, ENTERPRISE: {**enterprise, "manager": _manager(enterprise["manager"])}}
    return document


def normalize_patch(document: dict[str, Any]) -> dict[str, Any]:
    operations = document.get("Operations")
    if not isinstance(operations, list):
        return document
    mended = []
    for operation in operations:
        if isinstance(operation, dict) and str(operation.get("path", "")).lower().endswith("manager"):
            operation = {**operation, "value": _manager(operation.get("value"))}
        mended.append(operation)
    return {**document, "Operations": mended}


def validate(document: dict[str, Any], context: Context) -> User:
    """The user a create or replace request describes. An employee needs an address: `emails`,
    or a userName that is one (what Entra ID sends for a user without a mail attribute)."""
    document = normalize(document)
    user_name = document.get("userName")
    if not document.get("emails") and isinstance(user_name, str) and EMAIL.match(user_name):
        user = User.model_validate({**document, "emails": [{"value": user_name}]}, scim_ctx=context)
        user.emails = None
        return user
    return User.model_validate(document, scim_ctx=context)


def _email(user: User) -> str:
    emails = [email for email in user.emails or [] if email.value]
    chosen = (
        next((e for e in emails if e.primary), None)
        or next((e for e in emails if (e.type or "").lower() == "work"), None)
        or (emails[0] if emails else None)
    )
    address = str(chosen.value) if chosen else (user.user_name or "")
    if not EMAIL.match(address) or len(address) > 254:
        raise InvalidValueException(detail="an employee needs an email address: send emails, or a userName that is one")
    return address.lower()


def to_account(user: User) -> tuple[Account, Person]:
    if not user.user_name:
        raise InvalidValueException(detail="userName is required")
    enterprise = user[EnterpriseUser] if ENTERPRISE in (user.schemas or []) or user[EnterpriseUser] else None
    manager_id = None
    if enterprise is not None and enterprise.manager is not None and enterprise.manager.value is not None:
        if not str(enterprise.manager.value).isdigit():
            raise InvalidValueException(detail=f"the manager {enterprise.manager.value!r} is not a user id")
        manager_id = int(enterprise.manager.value)
    attributes: dict[str, Any] = {}
    if user.name is not None:
        attributes["name"] = user.name.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    if user.emails:
        attributes["emails"] = [email.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for email in user.emails]
    if enterprise is not None:
        kept = enterprise.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, exclude={"manager", "schemas"})
        kept = {
            key: value for key, value in kept.items() if key in ("employeeNumber", "department") and value is not None
        }
        if kept:
            attributes[ENTERPRISE] = kept
    given = (user.name.given_name if user.name else None) or ""
    family = (user.name.family_name if user.name else None) or ""
    name = (
        user.display_name or (user.name.formatted if user.name else None) or " ".join(p for p in (given, family) if p)
    )
    person = Person(
        email=_email(user),
        name=(name or user.user_name)[:NAME_LENGTH],
        given_name=given[:NAME_LENGTH],
        family_name=family[:NAME_LENGTH],
    )
    account = Account(
        user_name=user.user_name,
        external_id=user.external_id,
        display_name=user.display_name,
        active=user.active,
        manager_id=manager_id,
        attributes=attributes,
    )
    return account, person


def scim_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def document(stored: StoredAccount, base: str) -> dict[str, Any]:
    """The user as SCIM JSON (what `resource` validates, and answers as it is when no
    attributes are asked for: a provisioning run's thousands of answers skip a model round trip)."""
    account = stored.account
    location = f"{base}/Users/{stored.employee_id}"
    found: dict[str, Any] = {
        "schemas": [CORE_USER],
        "id": str(stored.employee_id),
        "externalId": account.external_id,
        "userName": account.user_name,
        "displayName": account.display_name,
        "active": account.active,
        **{key: value for key, value in account.attributes.items() if key != ENTERPRISE},
        "meta": {
            "resourceType": "User",
            "created": scim_time(stored.created_at),
            "lastModified": scim_time(stored.updated_at),
            "location": location,
        },
    }
    enterprise = dict(account.attributes.get(ENTERPRISE, {}))
    if account.manager_id is not None:
        enterprise["manager"] = {"value": str(account.manager_id), "$ref": f"{base}/Users/{account.manager_id}"}
    if enterprise:
        found["schemas"].append(ENTERPRISE)
        found[ENTERPRISE] = enterprise
    return {key: value for key, value in found.items() if value is not None}


def resource(stored: StoredAccount, base: str) -> User:
    return User.model_validate(document(stored, base))


def _one(call: ScimCall, stored: StoredAccount, status: int = 200) -> web.Response:
    found = document(stored, call.base)
    if call.asks_for_attributes:
        found = User.model_validate(found).model_dump(
            scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=call.response_parameters()
        )
    return respond(found, status=status, location=found["meta"]["location"] if status == 201 else None)


async def get_user(call: ScimCall) -> web.Response:
    return _one(call, await accounts.get(call.conn, call.id))


async def create_user(call: ScimCall) -> web.Response:
    account, person = to_account(validate(await call.body(), Context.RESOURCE_CREATION_REQUEST))
    stored = await accounts.create(call.conn, call.actor, call.settings, account, person)
    return _one(call, stored, status=201)


async def replace_user(call: ScimCall) -> web.Response:
    employee_id = call.id
    account, person = to_account(validate(await call.body(), Context.RESOURCE_REPLACEMENT_REQUEST))
    stored = await accounts.replace_account(call.conn, call.actor, call.settings, employee_id, account, person)
    return _one(call, stored)


async def patch_user(call: ScimCall) -> web.Response:
    employee_id = call.id
    patch = PatchOp[User].model_validate(normalize_patch(await call.body()), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    user = resource(await accounts.get(call.conn, employee_id), call.base)
    patch.patch(user)
    account, person = to_account(user)
    stored = await accounts.replace_account(call.conn, call.actor, call.settings, employee_id, account, person)
    return _one(call, stored)


async def delete_user(call: ScimCall) -> web.Response:
    await accounts.delete(call.conn, call.actor, call.settings, call.id)
    return web.Response(status=204)


async def list_users(call: ScimCall) -> web.Response:
    return await _listed(call, call.search_request())


async def search_users(call: ScimCall) -> web.Response:
    return await _listed(call, call.search_request(await call.body()))


async def _listed(call: ScimCall, search: SearchRequest) -> web.Response:
    total, found = await listing.users(call.conn, search)
    resources = [resource(stored, call.base) for stored in found]
    listed = ListResponse[User](
        total_results=total, start_index=search.start_index or 1, items_per_page=len(resources), resources=resources
    )
    return respond(listed.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters_of(search)))
