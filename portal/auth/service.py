"""Turning verified credentials into a Caller: who may sign in (docs/directory.md), just-in-time
employee provisioning from claims, and API tokens."""

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


class NotProvisioned(Forbidden):
    title, slug = "Not in the company's directory", "not-provisioned"

    def __init__(self, contact: str) -> None:
        super().__init__(
            f"your account is not in the portal's directory yet; ask {contact} to give you access", contact=contact
        )


class EmployeeDeactivated(Forbidden):
    title, slug = "Account deactivated", "employee-deactivated"

    def __init__(self, contact: str) -> None:
        super().__init__(f"this account was deactivated; if that is a mistake, ask {contact}", contact=contact)


def employee_from_row(row: asyncpg.Record) -> Employee:
    return Employee(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        team_id=row["team_id"],
        team_slug=row["team_slug"],
        is_admin=row["is_admin"],
        is_moderator=row["is_moderator"],
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


def require_allowed(settings: Settings, row: asyncpg.Record | None) -> asyncpg.Record:
    """The employee `row` if they may sign in: active, and provisioned by the directory when the
    portal takes its people from it (PORTAL_DIRECTORY=scim)."""
    if row is None or (settings.directory == "scim" and row["managed_by"] is None):
        raise NotProvisioned(settings.directory_contact)
    if not row["active"]:
        raise EmployeeDeactivated(settings.directory_contact)
    return row


async def employee_from_claims(conn: Connection, settings: Settings, claims: dict[str, Any]) -> Employee:
    """The employee the claims describe. A record the directory keeps is only bound to the
    identity at first sign-in (claims change nothing in it); a record the portal keeps is
    created or updated to match the claims."""
    subject, email, name, team, is_admin = _identity(settings, claims)
    row = await conn.fetchrow(q.EMPLOYEE_BY_SUBJECT, subject) or await conn.fetchrow(q.EMPLOYEE_BY_EMAIL, email)
    if (row is not None and row["managed_by"] is not None) or settings.directory == "scim":
        return await _bind(conn, require_allowed(settings, row), subject, email)
    if row is not None and row["subject"] == subject:
        require_allowed(settings, row)
        if (row["email"], row["name"], row["team_slug"], row["is_admin"]) == (email, name, team, is_admin):
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
    row = await fetch_row(conn, q.EMPLOYEE_BY_SUBJECT, subject)
    return employee_from_row(require_allowed(settings, row))


async def _bind(conn: Connection, row: asyncpg.Record, subject: str, email: str) -> Employee:
    if row["subject"] is None:
        try:
            bound = await conn.fetchval(q.BIND_SUBJECT, row["id"], subject)
        except asyncpg.UniqueViolationError:  # the identity is another employee's
            raise _identity_conflict(subject, email) from None
        if bound is None and await conn.fetchval(q.EMPLOYEE_BY_SUBJECT, subject) is None:
            raise _identity_conflict(subject, email)  # bound to another identity meanwhile
    elif row["subject"] != subject:
        raise _identity_conflict(subject, email)
    return employee_from_row(row)


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
    return Caller(token_id=row["id"], token_name=row["name"], scopes=frozenset(row["scopes"]))


def is_api_token(token: str) -> bool:
    return token.startswith(API_TOKEN_PREFIX)
