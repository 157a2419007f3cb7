"""A small SCIM client for tests: the requests an identity provider sends, as it sends them."""

from __future__ import annotations

from typing import Any

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def user(
    email: str,
    *,
    given: str = "",
    family: str = "",
    active: bool | None = True,
    department: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schemas": [CORE_USER],
        "userName": email,
        "externalId": f"ext-{email}",
        "name": {"givenName": given or email.split("@")[0].title(), "familyName": family or "Example"},
        "emails": [{"value": email, "type": "work", "primary": True}],
        **extra,
    }
    if active is not None:
        document["active"] = active
    if department is not None:
        document["schemas"] = [CORE_USER, ENTERPRISE]
        document[ENTERPRISE] = {"department": department}
    return document


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


class Scim:
    def __init__(self, client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}

    async def request(self, method: str, path: str, body: Any = None, expect: int | None = None, **kwargs: Any) -> Any:
        response = await self.client.request(method, "/scim/v2" + path, headers=self.headers, json=body, **kwargs)
        text = await response.text()
        if expect is not None:
            assert response.status == expect, f"{method} {path}: {response.status} {text}"
        return response.status, (await response.json(content_type=None) if text else None)

    async def create_user(self, email: str, **fields: Any) -> str:
        _, created = await self.request("POST", "/Users", user(email, **fields), expect=201)
        return created["id"]

    async def create_group(self, name: str, members: list[str] = (), **fields: Any) -> str:  # type: ignore[assignment]
        body = {"schemas": [CORE_GROUP], "displayName": name, "members": [{"value": m} for m in members], **fields}
        _, created = await self.request("POST", "/Groups", body, expect=201)
        return created["id"]

    async def patch_user(self, user_id: str, *operations: dict[str, Any], expect: int = 200) -> Any:
        return (await self.request("PATCH", f"/Users/{user_id}", patch(*operations), expect=expect))[1]

    async def patch_group(self, group_id: str, *operations: dict[str, Any], expect: int = 200) -> Any:
        return (await self.request("PATCH", f"/Groups/{group_id}", patch(*operations), expect=expect))[1]
