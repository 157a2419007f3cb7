from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from portal.schemas import Input, Name, Output

# events:voters adds who voted to the vote events of the feed and stream (they are left out
# otherwise); it is meaningful only together with events:read. scim provisions people and teams
# over SCIM (/scim/v2, docs/directory.md) and is accepted nowhere else.
Scope = Literal["ideas:read", "teams:read", "events:read", "events:voters", "webhooks:manage", "scim"]


class TokenCreate(Input):
    name: Name
    scopes: list[Scope] = Field(min_length=1, max_length=10)

    _distinct = field_validator("scopes")(lambda v: sorted(set(v)))


class TokenRead(Output):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it.")
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="Shown only in this response; only its hash is stored.")
