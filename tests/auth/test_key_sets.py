"""The identity provider's keys: removed, added, unknown, of the wrong type, unreachable."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from portal.app import create_app
from tests.pipeline import eventually
from tests.servers import PortalTestServer


class IdentityProvider:
    """A JWKS endpoint whose keys the test changes."""

    def __init__(self) -> None:
        self.keys: dict[str, object] = {}
        self.up = True
        self.fetches = 0

    def add_rsa(self, kid: str):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys[kid] = {
            **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())),
            "kid": kid,
            "alg": "RS256",
            "use": "sig",
        }
        return key

    def add_ec(self, kid: str):
        key = ec.generate_private_key(ec.SECP256R1())
        self.keys[kid] = {
            **json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())),
            "kid": kid,
            "alg": "ES256",
            "use": "sig",
        }
        return key

    async def handle(self, request: web.Request) -> web.Response:
        self.fetches += 1
        if not self.up:
            return web.Response(status=503)
        return web.json_response({"keys": list(self.keys.values())})


def _signed(key, kid: str, algorithm: str = "RS256", **claims) -> dict[str, str]:
    body = {
        "sub": "idp|kim",
        "email": "kim@example.com",
        "name": "Kim",
        "exp": int(time.time()) + 600,
        "iss": "https://idp.test",
        "aud": "portal",
        **claims,
    }
    return {"Authorization": "Bearer " + jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid})}


@pytest.fixture
async def idp():
    provider = IdentityProvider()
    app = web.Application()
    app.router.add_get("/jwks", provider.handle)
    server = PortalTestServer(app)
    await server.start_server()
    provider.url = str(server.make_url("/jwks"))
    yield provider
    await server.close()


def _jwks_app(settings, idp, **overrides):
    return create_app(
        settings.model_copy(
            update={"jwks_url": idp.url, "jwt_issuer": "https://idp.test", "jwt_audience": "portal", **overrides}
        )
    )


async def test_a_key_removed_at_the_identity_provider_stops_working_within_the_refresh_interval(settings, idp):
    key = idp.add_rsa("old")
    idp.add_rsa("other")
    async with TestClient(PortalTestServer(_jwks_app(settings, idp, jwks_refresh_seconds=1))) as client:
        assert (await client.get("/api/v1/me", headers=_signed(key, "old"))).status == 200
        del idp.keys["old"]

        async def refused() -> bool:  # once the key set is refreshed (every second here)
            return (await client.get("/api/v1/me", headers=_signed(key, "old"))).status == 401

        await eventually(refused, timeout=30, interval=0.2)


async def test_a_newly_published_key_works_at_once(settings, idp):
    first = idp.add_rsa("first")
    async with TestClient(PortalTestServer(_jwks_app(settings, idp, jwks_refetch_seconds=0))) as client:
        assert (await client.get("/api/v1/me", headers=_signed(first, "first"))).status == 200
        rotated = idp.add_rsa("rotated")
        assert (await client.get("/api/v1/me", headers=_signed(rotated, "rotated"))).status == 200


async def test_unknown_key_ids_refetch_the_key_set_at_most_so_often(settings, idp):
    key = idp.add_rsa("known")
    async with TestClient(PortalTestServer(_jwks_app(settings, idp, jwks_refetch_seconds=60))) as client:
        await client.get("/api/v1/me", headers=_signed(key, "known"))
        for n in range(5):
            assert (await client.get("/api/v1/me", headers=_signed(key, f"unknown-{n}"))).status == 401
    assert idp.fetches == 1


async def test_a_token_whose_kid_names_a_key_of_another_type_is_401(settings, idp):
    idp.add_ec("ec-key")
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    async with TestClient(PortalTestServer(_jwks_app(settings, idp))) as client:
        response = await client.get("/api/v1/me", headers=_signed(rsa_key, "ec-key", "RS256"))
    assert response.status == 401 and response.content_type == "application/problem+json"


async def test_an_unreachable_identity_provider_is_503_without_its_error(settings, idp):
    key = idp.add_rsa("k")
    idp.up = False
    async with TestClient(PortalTestServer(_jwks_app(settings, idp))) as client:
        response = await client.get("/api/v1/me", headers=_signed(key, "k"))
        body = await response.json()
    assert response.status == 503 and "Retry-After" in response.headers
    assert "503" not in body["detail"] and idp.url not in body["detail"]
