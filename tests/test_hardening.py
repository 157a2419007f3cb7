"""What a hostile caller tries: forged identities, stale keys, bad bytes."""

from __future__ import annotations

import asyncio
import json
import time

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from portal.app import create_app
from tests.conftest import JWT_SECRET
from tests.factories import make_idea, make_team
from tests.servers import PortalTestServer


def _hs256(claims: dict) -> dict[str, str]:
    base = {"sub": "x@example.com", "email": "x@example.com", "name": "X", "exp": int(time.time()) + 600}
    return {"Authorization": "Bearer " + jwt.encode({**base, **claims}, JWT_SECRET, algorithm="HS256")}


# --- identities -------------------------------------------------------------------------------


async def test_another_subject_with_an_admins_email_cannot_take_over_the_admin(client, auth, db):
    assert (await client.get("/api/v1/me", headers=auth.admin)).status == 200
    before = dict(await db.fetchrow("SELECT id, subject, is_admin FROM employees WHERE email = 'admin@example.com'"))
    forged = _hs256({"sub": "someone-else", "email": "admin@example.com", "roles": []})
    response = await client.get("/api/v1/me", headers=forged)
    after = dict(await db.fetchrow("SELECT id, subject, is_admin FROM employees WHERE email = 'admin@example.com'"))
    assert response.status == 403 and response.content_type == "application/problem+json"
    assert after == before


async def test_a_pre_provisioned_employee_is_still_claimed_by_their_first_sign_in(client, auth):
    await make_team(client, auth, "it", leads=("lena@example.com",))
    me = await client.get("/api/v1/me", headers=_hs256({"sub": "idp|lena", "email": "lena@example.com"}))
    assert me.status == 200 and (await me.json())["lead_of"] == ["it"]


async def test_an_email_change_onto_another_employees_email_is_refused(client, auth):
    await client.get("/api/v1/me", headers=_hs256({"sub": "idp|a", "email": "a@example.com"}))
    await client.get("/api/v1/me", headers=_hs256({"sub": "idp|b", "email": "b@example.com"}))
    response = await client.get("/api/v1/me", headers=_hs256({"sub": "idp|b", "email": "a@example.com"}))
    assert response.status == 403


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": str(int(time.time()) + 600)},
        {"nbf": "0"},
        {"iat": True},
        {"email": "nul\x00@example.com"},
        {"name": "Lone \ud800 surrogate"},
        {"team": "it\x00"},
    ],
)
async def test_tokens_with_malformed_claims_are_401_every_time(client, claims):
    headers = _hs256(claims) if "\ud800" not in json.dumps(claims, ensure_ascii=False) else _raw_token(claims)
    statuses = [(await client.get("/api/v1/me", headers=headers)).status for _ in range(2)]
    assert statuses == [401, 401]


def _raw_token(claims: dict) -> dict[str, str]:
    """PyJWT cannot encode a lone surrogate; an attacker's encoder can."""
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    payload = {"sub": "x@example.com", "email": "x@example.com", "exp": int(time.time()) + 600, **claims}
    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + b"." + b64(json.dumps(payload).encode())
    signature = b64(hmac.new(JWT_SECRET.encode(), signing_input, hashlib.sha256).digest())
    return {"Authorization": "Bearer " + (signing_input + b"." + signature).decode()}


async def test_a_401_for_a_bad_token_says_invalid_token(client):
    response = await client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="idea-portal", error="invalid_token"'


# --- JWKS ---------------------------------------------------------------------------------------


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
        await asyncio.sleep(1.2)
        assert (await client.get("/api/v1/me", headers=_signed(key, "old"))).status == 401


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


# --- secrets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variable, value",
    [
        ("PORTAL_JWT_SECRET", "change-me-in-production"),
        ("PORTAL_ENCRYPTION_KEY", "change-me-in-production"),
        ("PORTAL_JWT_SECRET", "short-secret"),
        ("PORTAL_ENCRYPTION_KEY", "a" * 40),
    ],
)
def test_processes_refuse_a_known_or_weak_secret_outside_development(variable, value, run_portal):
    for command in ("serve", "worker", "scheduler"):
        result = run_portal(
            command,
            env={variable: value, "DATABASE_URL": "postgresql://x@127.0.0.1:1/x", "REDIS_URL": "redis://127.0.0.1:1/0"},
        )
        assert result.returncode == 2 and variable in result.stderr and result.stderr.count("\n") == 1


def test_development_may_use_a_weak_secret(run_portal):
    result = run_portal(
        "token",
        "--email",
        "t@example.com",
        "--name",
        "T",
        env={"PORTAL_ENVIRONMENT": "development", "PORTAL_JWT_SECRET": "dev"},
    )
    assert result.returncode == 0


def test_compose_has_no_default_secrets_and_passes_issuer_and_audience():
    import yaml

    from portal.config import PROJECT_ROOT

    environment = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())["x-portal"]["environment"]
    assert "change-me" not in json.dumps(environment)
    assert environment["PORTAL_ENCRYPTION_KEY"].startswith("${PORTAL_ENCRYPTION_KEY:?")
    assert {"PORTAL_JWT_ISSUER", "PORTAL_JWT_AUDIENCE"} <= set(environment)


# --- bad input ----------------------------------------------------------------------------------

NUL = "bad\x00value"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/api/v1/ideas", {"title": NUL}),
        ("POST", "/api/v1/ideas", {"title": "A fine title", "body": NUL}),
        ("POST", "/api/v1/ideas", {"title": "A fine title", "tags": [NUL]}),
        ("POST", "/api/v1/ideas", {"title": "A fine title", "teams": [{"team": NUL, "role": "customer"}]}),
        ("POST", "/api/v1/teams", {"slug": "legal", "name": NUL}),
        ("POST", "/api/v1/tokens", {"name": NUL, "scopes": ["ideas:read"]}),
        ("POST", "/api/v1/ideas", {"title": "Lone \ud800 surrogate"}),
        ("POST", "/api/v1/ideas", {NUL: "a key with a NUL"}),
    ],
)
async def test_nul_and_lone_surrogates_in_a_body_are_422_naming_the_field(client, auth, method, path, body):
    response = await client.request(
        method, path, headers={**auth.admin, "Content-Type": "application/json"}, data=json.dumps(body).encode()
    )
    problem = await response.json()
    assert response.status == 422 and problem["errors"][0]["type"] == "string_unstorable"


async def test_a_nul_in_a_comment_is_422(client, auth):
    idea = await make_idea(client, auth())
    response = await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(), json={"body": NUL})
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "body.body"


@pytest.mark.parametrize("query", ["q=bad%00word", "tag=bad%00", "author=a%00@example.com", "sort=new%00"])
async def test_nul_in_a_query_is_422(client, auth, query):
    response = await client.get(f"/api/v1/ideas?{query}", headers=auth())
    assert response.status in (400, 422) and response.content_type == "application/problem+json"


async def test_nul_in_event_types_is_422(client, auth):
    response = await client.get("/api/v1/events?types=idea.created%00", headers=auth.admin)
    assert response.status == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ideas/%D9%A3",
        "/api/v1/ideas/%EF%BC%93",
        "/api/v1/webhooks/%C2%B2",
        "/api/v1/ideas/0",
        "/api/v1/ideas/99999999999999999999",
        "/api/v1/teams/bad%00slug",
        "/api/v1/teams/UPPER",
    ],
)
async def test_path_ids_and_slugs_must_be_what_the_document_says(client, auth, path):
    response = await client.get(path, headers=auth.admin)
    assert response.status == 422 and (await response.json())["errors"][0]["field"].startswith("path.")


async def test_a_lead_that_is_not_an_email_is_422(client, auth):
    await make_team(client, auth, "it")
    response = await client.put("/api/v1/teams/it/leads/not-an-email", headers=auth.admin)
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "path.email"


async def test_a_comment_cursor_beyond_64_bits_is_422(client, auth):
    idea = await make_idea(client, auth())
    response = await client.get(f"/api/v1/ideas/{idea['id']}/comments?cursor={'9' * 30}", headers=auth())
    assert response.status == 422


async def test_a_duplicate_target_beyond_64_bits_is_422(client, auth):
    idea = await make_idea(client, auth())
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/status",
        headers=auth.admin,
        json={"status": "duplicate", "reason": "dup", "duplicate_of": 2**70},
    )
    assert response.status == 422


async def test_deeply_nested_json_is_400(client, auth):
    response = await client.post(
        "/api/v1/ideas", headers={**auth(), "Content-Type": "application/json"}, data=b"[" * 100_000
    )
    assert response.status == 400 and response.content_type == "application/problem+json"


@pytest.mark.parametrize("value", [True, "72", 72.5])
async def test_numbers_are_not_coerced_from_other_json_types(client, auth, value):
    response = await client.post(
        "/api/v1/teams", headers=auth.admin, json={"slug": "legal", "name": "Legal", "response_sla_hours": value}
    )
    assert response.status == 422


async def test_integer_fields_take_a_whole_number_written_as_a_float_as_json_schema_does(client, auth):
    from tests.factories import service_map_fixture

    await service_map_fixture(client, auth)
    lead = auth("lena@example.com")
    read = await client.post("/api/v1/me/notifications/read", headers=auth(), json={"up_to": 2.0})
    pulse = await client.put(
        "/api/v1/services/laptop-setup/pulse", headers=lead, json={"every_days": 30.0, "open_days": 7.0}
    )
    standard = await client.put(
        "/api/v1/services/laptop-setup/standard",
        headers=lead,
        json={
            "how_to_request": "The form",
            "first_response_hours": 8.0,
            "resolution_target_hours": 40.0,
            "contact": "IT",
        },
    )
    opened = await client.post("/api/v1/services/laptop-setup/survey-rounds", headers=lead, json={"open_days": 7.0})
    assert [r.status for r in (read, pulse, standard, opened)] == [200, 204, 200, 201]
    assert (await standard.json())["resolution_target_hours"] == 40
    fraction = await client.post("/api/v1/me/notifications/read", headers=auth(), json={"up_to": 2.5})
    assert fraction.status == 422
