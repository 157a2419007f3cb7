"""Turning verified credentials into a Caller: just-in-time employee provisioning, API tokens."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg

from portal.auth import queries as q
from portal.auth.caller import Caller, Employee
from portal.auth.tokens import API_TOKEN_PREFIX, hash_api_token
from portal.config import Settings
from portal.db import Connection, fetch_row
from portal.errors import Forbidden, InvalidToken
from portal.schemas import EMAIL_PATTERN

log = logging.getLogger("portal.auth")

EMAIL = re.compile(EMAIL_PATTERN)


def employee_from_row(row: asyncpg.Record) -> Employee:
    return Employee(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        team_id=row["team_id"],
        team_slug=row["team_slug"],
        is_admin=row["is_admin"],
    )


def _identity(settings: Settings, claims: dict[str, Any]) -> tuple[str, str, str, str | None, bool]:
    subject = claims.get(settings.claim_subject)
    email = claims.get(settings.claim_email)
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise InvalidToken(f"the token has no usable {settings.claim_subject!r} claim")
    if not isinstance(email, str) or not EMAIL.match(email.strip()) or len(email) > 254:
        raise InvalidToken(f"the token has no valid {settings.claim_email!r} claim")
    name = claims.get(settings.claim_name)
    team = claims.get(settings.claim_team)
    roles = claims.get(settings.claim_roles) or []
    return (
        subject,
        email.strip().lower(),
        name[:200] if isinstance(name, str) else "",
        team if isinstance(team, str) else None,
        isinstance(roles, list) and "admin" in roles,
    )


async def employee_from_claims(conn: Connection, settings: Settings, claims: dict[str, Any]) -> Employee:
    """The employee the claims describe, created or updated to match them."""
    subject, email, name, team, is_admin = _identity(settings, claims)
    row = await conn.fetchrow(q.EMPLOYEE_BY_SUBJECT, subject)
    if row is not None and (row["email"], row["name"], row["team_slug"], row["is_admin"]) == (
        email,
        name,
        team,
        is_admin,
    ):
        return employee_from_row(row)
    for attempt in range(2):
        try:
            async with conn.transaction():
                if (
                    await conn.fetchval(q.UPDATE_BY_SUBJECT, subject, email, name, team, is_admin) is None
                    and await conn.fetchval(q.CLAIM_BY_EMAIL, subject, email, name, team, is_admin) is None
                ):
                    raise _identity_conflict(subject, email)
            break
        except asyncpg.UniqueViolationError:
            # Two first requests of one new employee at once (the other one created the row:
            # try again as an update), or a new email that another employee already has.
            if attempt == 1 or await conn.fetchval(q.EMPLOYEE_BY_SUBJECT, subject) is None:
                raise _identity_conflict(subject, email) from None
    return employee_from_row(await fetch_row(conn, q.EMPLOYEE_BY_SUBJECT, subject))


def _identity_conflict(subject: str, email: str) -> Forbidden:
    log.warning(
        "sign-in refused: the email belongs to another employee's identity",
        extra={"fields": {"email": email, "subject": subject}},
    )
    return Forbidden(f"{email} belongs to another employee's account; ask an admin to look into it")


async def caller_from_api_token(conn: Connection, token: str) -> Caller:
    row = await conn.fetchrow(q.TOKEN_BY_HASH, hash_api_token(token))
    if row is None:
        raise InvalidToken("unknown or revoked API token")
    return Caller(token_id=row["id"], scopes=frozenset(row["scopes"]))


def is_api_token(token: str) -> bool:
    return token.startswith(API_TOKEN_PREFIX)
