"""Signing in to the web client with OpenID Connect: the authorization code flow with PKCE (S256),
`state` and `nonce`, against the identity provider named by PORTAL_OIDC_ISSUER (its discovery
document gives the endpoints and the key set).

Where a sign-in is in progress lives in PostgreSQL (web_sign_ins), keyed by the SHA-256 of its
`state`; the same `state` is kept in a short-lived cookie of the browser that started it, so a
callback from another browser (login CSRF) is refused. Each sign-in can finish once.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import jwt
from aiohttp import web
from yarl import URL

from portal.auth.jwt_verify import KeySet, check_claim_types
from portal.config import Settings
from portal.db import Connection
from portal.errors import PortalError, Unavailable
from portal.sessions import queries as q

SIGN_IN_SECONDS = 600
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10)


class SignInFailed(PortalError):
    status, title, slug = 400, "Sign-in failed", "sign-in-failed"


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def _hash(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


class OidcClient:
    def __init__(self, settings: Settings) -> None:
        if not (settings.oidc_issuer and settings.oidc_client_id):
            raise ValueError("PORTAL_OIDC_ISSUER and PORTAL_OIDC_CLIENT_ID configure the web sign-in")
        self.settings = settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self._provider: Provider | None = None
        self._keys: KeySet | None = None

    async def provider(self) -> Provider:
        if self._provider is None:
            document = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            try:
                self._provider = Provider(
                    document["issuer"],
                    document["authorization_endpoint"],
                    document["token_endpoint"],
                    document["jwks_uri"],
                )
            except (KeyError, TypeError):
                raise Unavailable("the identity provider's discovery document is incomplete") from None
            self._keys = KeySet(
                self._provider.jwks_uri,
                refresh_seconds=self.settings.jwks_refresh_seconds,
                refetch_seconds=self.settings.jwks_refetch_seconds,
            )
        return self._provider

    async def begin(self, conn: Connection, *, redirect_uri: str, next_path: str) -> tuple[str, str]:
        """The identity provider's authorization URL to send the browser to, and the `state`
        to keep in its cookie."""
        provider = await self.provider()
        state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
        await conn.execute(q.BEGIN_SIGN_IN, _hash(state), nonce, verifier, next_path)
        url = URL(provider.authorization_endpoint).update_query(
            response_type="code",
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            scope="openid email profile",
            state=state,
            nonce=nonce,
            code_challenge=pkce_challenge(verifier),
            code_challenge_method="S256",
        )
        return str(url), state

    async def finish(
        self, conn: Connection, *, code: str, state: str, cookie_state: str | None, redirect_uri: str
    ) -> tuple[dict[str, Any], str]:
        """The verified ID token's claims and where the browser was going."""
        if not cookie_state or not secrets.compare_digest(cookie_state, state):
            raise SignInFailed("this sign-in was not started in this browser; please start again")
        pending = await conn.fetchrow(q.FINISH_SIGN_IN, _hash(state), SIGN_IN_SECONDS)
        if pending is None:
            raise SignInFailed("this sign-in has expired or was already used; please start again")
        provider = await self.provider()
        tokens = await self._post_form(
            provider.token_endpoint,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": pending["code_verifier"],
                "client_id": self.client_id,
            },
        )
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("the identity provider sent no ID token")
        claims = await self._verify(id_token, provider)
        if not secrets.compare_digest(str(claims.get("nonce", "")), pending["nonce"]):
            raise SignInFailed("the ID token was not issued for this sign-in (nonce)")
        return claims, pending["next_path"]

    async def _verify(self, id_token: str, provider: Provider) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise SignInFailed("the ID token is not a JWT") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in self.settings.jwt_algorithms or not isinstance(kid, str | None):
            raise SignInFailed("the ID token is not signed with an accepted key")
        assert self._keys is not None  # set with the provider
        key = await self._keys.get(kid)
        if key is None:
            raise SignInFailed("the ID token's signing key is not one the identity provider publishes")
        try:
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=[algorithm],
                audience=self.client_id,
                issuer=provider.issuer,
                options={"require": ["exp", "iat", "sub"]},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            raise SignInFailed(f"the ID token was rejected: {exc}") from None
        check_claim_types(claims)
        return claims

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session, session.get(url) as response:
                response.raise_for_status()
                document = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            raise Unavailable("the identity provider cannot be reached; try again shortly") from None
        if not isinstance(document, dict):
            raise Unavailable("the identity provider's answer is not a JSON object")
        return document

    async def _post_form(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        # client_secret_basic (RFC 6749 2.3.1): the id and secret form-encoded, then base64.
        credentials = f"{quote(self.client_id, safe='')}:{quote(self.settings.oidc_client_secret or '', safe='')}"
        headers = {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}
        try:
            async with (
                aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session,
                session.post(url, data=form, headers=headers) as response,
            ):
                body = await response.json(content_type=None)
                if response.status != 200:
                    raise SignInFailed("the identity provider refused the sign-in code")
        except (aiohttp.ClientError, TimeoutError, ValueError):
            raise Unavailable("the identity provider cannot be reached; try again shortly") from None
        if not isinstance(body, dict):
            raise SignInFailed("the identity provider's token answer is not a JSON object")
        return body


OIDC = web.AppKey("oidc", OidcClient)
