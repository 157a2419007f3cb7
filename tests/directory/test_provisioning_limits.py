"""Provisioning is rate limited per token apart from people's writes: a bulk sync that reaches its
limit leaves people writing, and people who reach theirs leave provisioning going. While people
use the portal, provisioning takes turns with them."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from portal.app import create_app
from portal.http.traffic import PeopleFirst
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


async def _rest_after_one_request(people_first: PeopleFirst, monkeypatch) -> list[float]:
    rests: list[float] = []

    async def sleep(seconds: float) -> None:
        rests.append(seconds)

    monkeypatch.setattr("portal.http.traffic.asyncio.sleep", sleep)
    async with people_first.taking_turns():
        pass
    return rests


async def test_provisioning_rests_after_each_request_while_people_use_the_portal(monkeypatch):
    people_first = PeopleFirst(rest_per_work=0.5)
    with people_first.serving_someone():
        pass
    rests = await _rest_after_one_request(people_first, monkeypatch)
    assert len(rests) == 1 and rests[0] >= 0


async def test_provisioning_on_a_quiet_portal_never_rests(monkeypatch):
    assert await _rest_after_one_request(PeopleFirst(rest_per_work=0.5), monkeypatch) == []


async def test_provisioning_set_not_to_rest_never_does(monkeypatch):
    people_first = PeopleFirst(rest_per_work=0)
    with people_first.serving_someone():
        pass
    assert await _rest_after_one_request(people_first, monkeypatch) == []
