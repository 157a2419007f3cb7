"""One API request as a handler sees it, and what a handler answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aiohttp import web
from pydantic import BaseModel

from portal.auth.caller import Caller
from portal.db import Connection

if TYPE_CHECKING:
    from portal.config import Settings

Resource = TypeVar("Resource")


@dataclass
class Call:
    """One request as a handler sees it: who calls, the validated path, and, for a route that
    declares a transaction, the connection it runs in. A handler takes its validated body and
    query as parameters named `body` and `query`, typed with their models (portal.web.spec reads
    the types from the signature)."""

    request: web.Request
    caller: Caller
    settings: Settings
    path: dict[str, Any] = field(default_factory=dict)
    conn: Connection = None  # type: ignore[assignment]  # set for routes with tx

    @property
    def viewer(self) -> int | None:
        """The calling employee's id; None for an API token."""
        return self.caller.employee.id if self.caller.employee else None

    def url_for(self, route_name: str, **params: Any) -> str:
        return str(self.request.app.router[route_name].url_for(**{k: str(v) for k, v in params.items()}))


@dataclass(frozen=True)
class Created(Generic[Resource]):
    """A handler's answer for a new resource: 201 with its Location."""

    resource: Resource
    location: str


Result = BaseModel | list[Any] | dict[str, Any] | Created[Any] | web.StreamResponse | None
Handler = Callable[..., Awaitable[Result]]
