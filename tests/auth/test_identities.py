"""Who a token says the caller is: forged identities, claimed employees, malformed claims."""

from __future__ import annotations

import json
import time

import jwt
import pytest

from tests.conftest import JWT_SECRET
from tests.factories import make_team


def _hs256(claims: dict) -> dict[str, str]:
    base = {"sub": "x@example.com", "email": "x@example.com", "name": "X", "exp": int(time.time()) + 600}
    return {"Authorization": "Bearer " + jwt.encode({**base, **claims}, JWT_SECRET, algorithm="HS256")}


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


async def test_a_401_for_a_bad_token_says_invalid_token(client):
    response = await client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="idea-portal", error="invalid_token"'
