"""Development JWTs and integrations' API tokens (stored only as a SHA-256 hash)."""

from __future__ import annotations

import hashlib
import secrets
import time

import jwt

from portal.config import Settings

API_TOKEN_PREFIX = "ip_"


def mint_dev_token(
    settings: Settings,
    *,
    email: str,
    name: str,
    team: str | None = None,
    admin: bool = False,
    ttl_seconds: int = 8 * 3600,
    subject: str | None = None,
) -> str:
    """An HS256 token carrying the configured claim names, as the identity provider would."""
    now = int(time.time())
    claims = {
        settings.claim_subject: subject or email.lower(),
        settings.claim_email: email,
        settings.claim_name: name,
        settings.claim_roles: ["admin"] if admin else [],
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
    }
    if team:
        claims[settings.claim_team] = team
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if not settings.jwt_secret:
        raise ValueError("development tokens are signed with PORTAL_JWT_SECRET, which is not set")
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def new_api_token() -> tuple[str, bytes]:
    """A fresh token and the hash under which it is stored."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_api_token(token)


def hash_api_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
