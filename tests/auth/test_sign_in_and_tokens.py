"""The permission matrix: who may do what, checked on the server for every action."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.conftest import JWT_SECRET
from tests.factories import make_idea


def _token(claims: dict, secret: str = JWT_SECRET) -> dict[str, str]:
    base = {"sub": "x@example.com", "email": "x@example.com", "name": "X", "exp": int(time.time()) + 60}
    return {"Authorization": "Bearer " + jwt.encode({**base, **claims}, secret, algorithm="HS256")}


async def _api_token(client, auth, scopes: list[str]) -> dict[str, str]:
    response = await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bot", "scopes": scopes})
    assert response.status == 201
    return {"Authorization": f"Bearer {(await response.json())['token']}"}


async def test_no_token_is_401_with_www_authenticate(client):
    response = await client.get("/api/v1/ideas")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.content_type == "application/problem+json"


async def test_expired_token_is_401(client):
    response = await client.get("/api/v1/ideas", headers=_token({"exp": int(time.time()) - 3600}))
    assert response.status == 401
    assert "expired" in (await response.json())["detail"]


async def test_token_not_yet_valid_is_401(client):
    response = await client.get("/api/v1/ideas", headers=_token({"nbf": int(time.time()) + 3600}))
    assert response.status == 401


async def test_wrong_signature_is_401(client):
    response = await client.get("/api/v1/ideas", headers=_token({}, secret="another-secret-of-32-bytes-length!"))
    assert response.status == 401
    assert "signature" in (await response.json())["detail"]


async def test_garbage_bearer_is_401(client):
    response = await client.get("/api/v1/ideas", headers={"Authorization": "Bearer not.a.jwt"})
    assert response.status == 401


async def test_wrong_issuer_is_401_when_an_issuer_is_configured(settings):
    from aiohttp.test_utils import TestClient

    from portal.app import create_app
    from tests.servers import PortalTestServer

    strict = settings.model_copy(update={"jwt_issuer": "https://idp.example.com", "jwt_audience": "portal"})
    async with TestClient(PortalTestServer(create_app(strict))) as client:
        wrong = await client.get("/api/v1/me", headers=_token({"iss": "https://evil.example.com", "aud": "portal"}))
        right = await client.get("/api/v1/me", headers=_token({"iss": "https://idp.example.com", "aud": "portal"}))
    assert (wrong.status, right.status) == (401, 200)


async def test_first_sign_in_provisions_the_employee(client, auth, service_map):
    response = await client.get("/api/v1/me", headers=auth("new@example.com", team="sales", name="New Person"))
    me = await response.json()
    assert (me["email"], me["name"], me["team"], me["signed_in"]) == ("new@example.com", "New Person", "sales", True)


async def test_a_later_token_with_another_team_updates_the_employee(client, auth, service_map):
    await client.get("/api/v1/me", headers=auth("mover@example.com", team="sales"))
    me = await (await client.get("/api/v1/me", headers=auth("mover@example.com", team="hr"))).json()
    assert me["team"] == "hr"


async def test_pre_provisioned_lead_is_claimed_at_first_sign_in(client, auth, service_map):
    me = await (await client.get("/api/v1/me", headers=auth("lena@example.com", team="it"))).json()
    assert me["lead_of"] == ["it"] and me["signed_in"] is True


@pytest.mark.parametrize(
    "who, expected",
    [
        ("employee", 403),
        ("lead_of_provider", 200),
        ("lead_of_other_team", 403),
        ("admin", 200),
    ],
)
async def test_status_change_permissions(client, auth, who, expected, service_map):
    idea = await make_idea(client, auth("author@example.com"), services=["laptop-setup"])
    headers = {
        "employee": auth("someone@example.com"),
        "lead_of_provider": auth("lena@example.com"),
        "lead_of_other_team": auth("hugo@example.com"),
        "admin": auth.admin,
    }[who]
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/status", headers=headers, json={"status": "under_review", "reason": "checking"}
    )
    assert response.status == expected


@pytest.mark.parametrize("who, expected", [("employee", 403), ("admin", 201)])
async def test_only_admins_create_teams(client, auth, who, expected):
    headers = auth.admin if who == "admin" else auth("someone@example.com")
    response = await client.post("/api/v1/teams", headers=headers, json={"slug": "legal", "name": "Legal"})
    assert response.status == expected


async def test_provider_lead_may_add_a_service_of_their_team(client, auth, service_map):
    response = await client.post(
        "/api/v1/services",
        headers=auth("lena@example.com"),
        json={"slug": "vpn", "name": "VPN", "provider_team": "it", "customer_teams": ["sales"]},
    )
    assert response.status == 201


async def test_lead_of_another_team_may_not_add_a_service_for_it(client, auth, service_map):
    response = await client.post(
        "/api/v1/services",
        headers=auth("hugo@example.com"),
        json={"slug": "vpn", "name": "VPN", "provider_team": "it", "customer_teams": ["sales"]},
    )
    assert response.status == 403


async def test_api_token_with_scope_reads_ideas(client, auth):
    await make_idea(client, auth())
    bot = await _api_token(client, auth, ["ideas:read"])
    response = await client.get("/api/v1/ideas", headers=bot)
    assert response.status == 200 and len((await response.json())["items"]) == 1


async def test_api_token_without_the_scope_is_403(client, auth):
    bot = await _api_token(client, auth, ["events:read"])
    response = await client.get("/api/v1/ideas", headers=bot)
    assert response.status == 403


async def test_api_token_cannot_post_ideas(client, auth):
    bot = await _api_token(client, auth, ["ideas:read", "teams:read"])
    response = await client.post("/api/v1/ideas", headers=bot, json={"title": "A bot's idea"})
    assert response.status == 403


async def test_revoked_api_token_is_401(client, auth):
    response = await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bot", "scopes": ["ideas:read"]})
    created = await response.json()
    await client.delete(f"/api/v1/tokens/{created['id']}", headers=auth.admin)
    response = await client.get("/api/v1/ideas", headers={"Authorization": f"Bearer {created['token']}"})
    assert response.status == 401


async def test_api_tokens_are_stored_only_as_hashes_and_listed_without_the_secret(client, auth, db):
    created = await (
        await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bot", "scopes": ["ideas:read"]})
    ).json()
    stored = await db.fetchrow("SELECT token_hash, prefix FROM api_tokens WHERE id = $1", created["id"])
    assert created["token"].encode() not in bytes(stored["token_hash"])
    listing = await (await client.get("/api/v1/tokens", headers=auth.admin)).json()
    assert "token" not in listing[0] and listing[0]["prefix"] == created["token"][:10]


async def test_api_token_use_is_recorded(client, auth):
    bot = await _api_token(client, auth, ["ideas:read"])
    await client.get("/api/v1/ideas", headers=bot)
    listing = await (await client.get("/api/v1/tokens", headers=auth.admin)).json()
    assert listing[0]["last_used_at"] is not None


async def test_only_admins_manage_tokens(client, auth):
    response = await client.post(
        "/api/v1/tokens", headers=auth("someone@example.com"), json={"name": "bot", "scopes": ["ideas:read"]}
    )
    assert response.status == 403


async def test_many_first_requests_of_one_new_employee_at_once_provision_one_row(client, auth, db):
    import asyncio

    responses = await asyncio.gather(*(client.get("/api/v1/me", headers=auth("rush@example.com")) for _ in range(20)))
    assert {r.status for r in responses} == {200}
    assert await db.fetchval("SELECT count(*) FROM employees WHERE email = 'rush@example.com'") == 1
