"""One API request as a handler sees it, and what a handler answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import BaseModel

from portal.auth.caller import Caller
from portal.db import Connection

if TYPE_CHECKING:
    from portal.config import Settings


@dataclass
class Call:
    """One request as a handler sees it: who calls, the validated path, query and body, and, for
    a route that declares a transaction, the connection it runs in."""

    request: web.Request
    caller: Caller
    settings: Settings
    path: dict[str, Any] = field(default_factory=dict)
    query: Any = None
    body: Any = None
    conn: Connection = None  # type: ignore[assignment]  # set for routes with tx

    @property
    def viewer(self) -> int | None:
        """The calling employee's id; None for an API token."""
        return self.caller.employee.id if self.caller.employee else None

    def url_for(self, route_name: str, **params: Any) -> str:
        return str(self.request.app.router[route_name].url_for(**{k: str(v) for k, v in params.items()}))


@dataclass(frozen=True)
class Created:
    """A handler's answer for a new resource: 201 with its Location."""

    resource: Any
    location: str


Result = BaseModel | list[Any] | dict[str, Any] | Created | web.StreamResponse | None
Handler = Callable[[Call], Awaitable[Result]]
