"""Provisioning is rate limited per token apart from people's writes: a bulk sync that reaches its
limit leaves people writing, and people who reach theirs leave provisioning going."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from portal.app import create_app
from tests.directory.scim import Scim, user
from tests.servers import PortalTestServer


@pytest.fixture
async def limited(settings, contract):
    small = settings.model_copy(update={"scim_rate_limit": 3, "write_rate_limit": 3})
    async with TestClient(PortalTestServer(create_app(small))) as client:
        yield client


async def test_a_sync_over_its_limit_is_a_scim_429_and_people_still_write(limited, auth):
    response = await limited.post("/api/v1/tokens", headers=auth.admin, json={"name": "Okta", "scopes": ["scim"]})
    scim = Scim(limited, (await response.json())["token"])
    statuses = [(await scim.request("POST", "/Users", user(f"u{n}@example.com")))[0] for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    status, body = await scim.request("GET", "/Users")
    assert status == 429 and body["status"] == "429"
    assert (
        await limited.post("/api/v1/ideas", headers=auth("aiko@example.com"), json={"title": "Quiet rooms"})
    ).status == 201


async def test_people_over_their_limit_leave_provisioning_going(limited, auth):
    for n in range(3):
        await limited.post("/api/v1/ideas", headers=auth("aiko@example.com"), json={"title": f"Idea number {n}"})
    assert (
        await limited.post("/api/v1/ideas", headers=auth("aiko@example.com"), json={"title": "One more"})
    ).status == 429
    response = await limited.post("/api/v1/tokens", headers=auth.admin, json={"name": "Okta", "scopes": ["scim"]})
    scim = Scim(limited, (await response.json())["token"])
    assert (await scim.request("POST", "/Users", user("ken@example.com")))[0] == 201
