"""Expected failures, one class per case: each carries its HTTP status and renders as RFC 9457
problem details (portal.web.http.problem_response)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from portal.problems import DEFAULT_BASE


def status_title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class PortalError(Exception):
    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra
        self.headers: dict[str, str] = {}

    def problem(self, base: str = DEFAULT_BASE) -> dict[str, Any]:
        """The problem details; `type` is `base` (PORTAL_PROBLEM_BASE) and the slug."""
        return {
            "type": base + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


class MalformedRequest(PortalError):
    status, title, slug = 400, "Malformed request", "malformed-request"


class Unauthenticated(PortalError):
    """No credentials were sent (RFC 6750: the challenge names no error)."""

    status, title, slug = 401, "Authentication required", "unauthenticated"
    challenge = 'Bearer realm="idea-portal"'

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers["WWW-Authenticate"] = self.challenge


class InvalidToken(Unauthenticated):
    """Credentials were sent and refused; the detail says why, never echoing the token."""

    title, slug = "Invalid credentials", "invalid-token"
    challenge = 'Bearer realm="idea-portal", error="invalid_token"'


class Forbidden(PortalError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(PortalError):
    status, title, slug = 404, "Not found", "not-found"


class IdeaNotFound(NotFound):
    def __init__(self, idea_id: int) -> None:
        super().__init__(f"no idea {idea_id}")


class MethodNotAllowed(PortalError):
    status, title, slug = 405, "Method not allowed", "method-not-allowed"

    def __init__(self, method: str, allowed: set[str]) -> None:
        super().__init__(f"{method[:20]} is not allowed here")
        self.headers["Allow"] = ",".join(sorted(allowed))


class Conflict(PortalError):
    status, title, slug = 409, "Conflict", "conflict"


class DirectoryManaged(Conflict):
    """A change by hand to what the company's directory keeps (a team's name or leads)."""

    title, slug = "Kept by the directory", "directory-managed"

    def __init__(self, team: str, managed_by: str) -> None:
        source = "the identity provider (SCIM)" if managed_by == "scim" else "the org file"
        super().__init__(f"team {team!r} is kept by {source}: change its name, members and leads there", team=team)


class PayloadTooLarge(PortalError):
    status, title, slug = 413, "Request body too large", "payload-too-large"


class UnsupportedMediaType(PortalError):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


class ValidationFailed(PortalError):
    """Fields refused, each `{field, message, type}` with the field's plain name ("title",
    "teams.0.team"); `location` says where the fields are ("body", "query", "header", "path").
    The API names them in full (`body.title`); a page shows each message at its form field."""

    status, title, slug = 422, "Validation failed", "validation-failed"

    def __init__(self, errors: list[dict[str, Any]], detail: str | None = None, *, location: str = "body") -> None:
        self.errors, self.location = errors, location
        first = errors[0] if errors else {"field": "", "message": "invalid"}
        super().__init__(detail or f"{self.qualified(first['field'])}: {first['message']}")

    def qualified(self, field: str) -> str:
        return f"{self.location}.{field}" if field else self.location

    def problem(self, base: str = DEFAULT_BASE) -> dict[str, Any]:
        return {**super().problem(base), "errors": [{**e, "field": self.qualified(e["field"])} for e in self.errors]}


class RateLimited(PortalError):
    status, title, slug = 429, "Too many requests", "rate-limited"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail or f"write rate limit reached; retry in {retry_after} s")
        self.headers["Retry-After"] = str(retry_after)


class InternalError(PortalError):
    status, title, slug = 500, "Internal server error", "internal"

    def __init__(self) -> None:
        super().__init__("an unexpected error occurred; it has been logged")


class Unavailable(PortalError):
    """A dependency is down; the client may retry shortly."""

    status, title, slug = 503, "Service unavailable", "unavailable"

    def __init__(self, detail: str | None = None, *, retry_after: int = 5, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers["Retry-After"] = str(retry_after)


class HttpError(PortalError):
    """An error status raised by the HTTP layer itself that no class above describes."""

    slug = "http-error"

    def __init__(self, status: int) -> None:
        self.status, self.title = status, status_title(status)
        super().__init__()


def field_errors(pydantic_errors: list[Any], prefix: tuple = ()) -> list[dict[str, Any]]:
    """pydantic's error list as [{field, message, type}] with dotted field paths."""
    out = []
    for error in pydantic_errors:
        loc = prefix + tuple(error.get("loc", ()))
        out.append(
            {
                "field": ".".join(str(part) for part in loc),
                "message": error.get("msg", "invalid"),
                "type": error.get("type", "value_error"),
            }
        )
    return out
