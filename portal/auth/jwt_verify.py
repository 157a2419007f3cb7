"""Verifies employees' bearer JWTs: HS256 with a shared secret, or RS256/ES256 against a JWKS.

The identity provider's key set is fetched again every PORTAL_JWKS_REFRESH_SECONDS, so a key it
removed stops working within that interval; a token naming a key id not in the set fetches the
set at once (at most every PORTAL_JWKS_REFETCH_SECONDS), so a freshly rotated key works
immediately. Every token that cannot be verified is a 401; only an identity provider that
cannot be reached before any key set was fetched is a 503.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

from portal.config import Settings
from portal.errors import InvalidToken, Unavailable
from portal.text import is_clean_text

log = logging.getLogger("portal.auth")
VERIFIED_CACHE_SIZE = 10_000
TIME_CLAIMS = ("exp", "nbf", "iat")


class IdentityProviderUnavailable(Unavailable):
    title, slug = "Identity provider unavailable", "identity-provider-unavailable"


@dataclass(frozen=True)
class _Verified:
    claims: dict[str, Any]
    kid: str | None  # None: signed with the shared secret


class KeySet:
    """The identity provider's signing keys by key id, refreshed on a schedule and on demand."""

    def __init__(self, url: str, *, refresh_seconds: float, refetch_seconds: float, timeout: float = 5.0) -> None:
        self.url = url
        self.refresh_seconds = refresh_seconds
        self.refetch_seconds = refetch_seconds
        self.timeout = timeout
        self.keys: dict[str, jwt.PyJWK] | None = None
        self.fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    def stale(self) -> bool:
        return time.monotonic() - self.fetched_at > self.refresh_seconds

    async def get(self, kid: str | None) -> jwt.PyJWK | None:
        if self.keys is None or self.stale():
            await self.refresh()
        assert self.keys is not None
        if kid is None:  # allowed only while the set has a single key (RFC 7517, OIDC Core 10.1)
            return next(iter(self.keys.values())) if len(self.keys) == 1 else None
        if kid not in self.keys and time.monotonic() - self.fetched_at > self.refetch_seconds:
            await self.refresh()  # perhaps a key rotated in since the last fetch
        return self.keys.get(kid)

    async def refresh(self) -> None:
        fetched_before = self.fetched_at
        async with self._lock:
            if self.fetched_at != fetched_before:
                return  # another request refreshed it while this one waited
            try:
                timeout = aiohttp.ClientTimeout(total=self.timeout)
                async with aiohttp.ClientSession(timeout=timeout) as session, session.get(self.url) as response:
                    response.raise_for_status()
                    document = await response.json(content_type=None)
                self.keys = _parse_key_set(document)
            except Exception as exc:  # noqa: BLE001 - unreachable, not JSON, not a key set: keep what we had
                log.warning(
                    "cannot fetch the identity provider's keys",
                    extra={"fields": {"url": self.url, "error": f"{type(exc).__name__}: {exc}"}},
                )
                if self.keys is None:
                    raise IdentityProviderUnavailable(
                        "the identity provider's signing keys cannot be fetched; try again shortly"
                    ) from None
            self.fetched_at = time.monotonic()


def _parse_key_set(document: Any) -> dict[str, jwt.PyJWK]:
    keys = {}
    for entry in document["keys"]:
        try:
            key = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue  # a key type or curve this library cannot use
        if key.key_id:
            keys[key.key_id] = key
        elif len(document["keys"]) == 1:
            keys[""] = key
    return keys


class JwtVerifier:
    """Verifies tokens; a token already verified is remembered (by its exact text) until it
    expires or its signing key leaves the key set, so a client sending the same token on every
    request costs one signature check."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._verified: OrderedDict[str, _Verified] = OrderedDict()
        self.keys = (
            KeySet(
                settings.jwks_url,
                refresh_seconds=settings.jwks_refresh_seconds,
                refetch_seconds=settings.jwks_refetch_seconds,
            )
            if settings.jwks_url
            else None
        )

    async def verify(self, token: str) -> dict[str, Any]:
        if self.keys is not None and self.keys.stale():
            await self.keys.refresh()
        cached = self._verified.get(token)
        if cached is not None:
            now = time.time()
            key_still_listed = cached.kid is None or (self.keys is not None and cached.kid in (self.keys.keys or {}))
            if key_still_listed and cached.claims["exp"] > now and cached.claims.get("nbf", 0) <= now + 30:
                self._verified.move_to_end(token)
                return cached.claims
            del self._verified[token]
        verified = await self._verify(token)
        self._verified[token] = verified
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return verified.claims

    async def _verify(self, token: str) -> _Verified:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("the bearer token is not a valid JWT") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm == "HS256" and self.settings.jwt_secret:
            key: Any = self.settings.jwt_secret
            kid = None
        elif self.keys is not None and isinstance(algorithm, str) and algorithm in self.settings.jwt_algorithms:
            if not isinstance(kid, str):
                raise InvalidToken("the token names no signing key (kid)")
            signing_key = await self.keys.get(kid)
            if signing_key is None:
                raise InvalidToken("the token's signing key is not one the identity provider publishes")
            key = signing_key.key
        else:
            raise InvalidToken(f"tokens signed with {str(algorithm)[:20]!r} are not accepted")
        claims = self._decode(token, key, algorithm)
        check_claim_types(claims)
        return _Verified(claims, kid)

    def _decode(self, token: str, key: Any, algorithm: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["exp"], "verify_aud": self.settings.jwt_audience is not None},
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken("the token is not valid yet") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("the token's signature is invalid") from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token was rejected: {exc}") from None
        except Exception:  # noqa: BLE001 - e.g. a key of another type than the algorithm needs
            raise InvalidToken("the token's signing key does not fit its algorithm") from None


def check_claim_types(claims: dict[str, Any]) -> None:
    """Time claims are numbers and text claims clean text, or the token is refused."""
    for name in TIME_CLAIMS:
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise InvalidToken(f"the token's {name!r} claim is not a number")
    for name, value in claims.items():
        if isinstance(value, str) and not is_clean_text(value):
            raise InvalidToken(f"the token's {name[:40]!r} claim holds characters that are not allowed")
