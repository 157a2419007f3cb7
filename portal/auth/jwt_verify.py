"""Verifies employees' bearer JWTs: HS256 with a shared secret, or RS256/ES256 against a JWKS."""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any

import jwt

from portal.config import Settings
from portal.errors import Unauthenticated

VERIFIED_CACHE_SIZE = 10_000


class JwtVerifier:
    """Verifies tokens; a token already verified is remembered (by its exact text) until it expires,
    so a client sending the same token on every request costs one signature check."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()
        # PyJWKClient caches the key set and refetches it when a token names an unknown kid.
        self.jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=3600) \
            if settings.jwks_url else None

    async def verify(self, token: str) -> dict[str, Any]:
        claims = self._verified.get(token)
        if claims is not None:
            now = time.time()
            if claims["exp"] > now and claims.get("nbf", 0) <= now + 30:
                self._verified.move_to_end(token)
                return claims
            del self._verified[token]
        claims = await self._verify(token)
        self._verified[token] = claims
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return claims

    async def _verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the bearer token is not a valid JWT") from None
        algorithm = header.get("alg")
        if algorithm == "HS256" and self.settings.jwt_secret:
            key: Any = self.settings.jwt_secret
            algorithms = ["HS256"]
        elif self.jwks is not None and algorithm in self.settings.jwt_algorithms:
            try:
                signing_key = await asyncio.to_thread(self.jwks.get_signing_key_from_jwt, token)
            except jwt.PyJWKClientError as exc:
                raise Unauthenticated(f"no signing key for this token ({exc})") from None
            key, algorithms = signing_key.key, [algorithm]
        else:
            raise Unauthenticated(f"tokens signed with {algorithm!r} are not accepted")
        try:
            return jwt.decode(
                token, key, algorithms=algorithms,
                audience=self.settings.jwt_audience, issuer=self.settings.jwt_issuer,
                options={"require": ["exp"], "verify_aud": self.settings.jwt_audience is not None},
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise Unauthenticated("the token is not valid yet") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated("the token's signature is invalid") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"the token was rejected: {exc}") from None
