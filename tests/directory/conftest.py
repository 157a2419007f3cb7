from __future__ import annotations

import pytest

from tests.directory.scim import Scim


@pytest.fixture
async def scim_token(client, auth) -> str:
    """An API token of the `scim` scope, as an identity provider holds one."""
    response = await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "Entra ID", "scopes": ["scim"]})
    assert response.status == 201, await response.text()
    return (await response.json())["token"]


@pytest.fixture
async def scim(client, scim_token) -> Scim:
    return Scim(client, scim_token)
