"""Expected failures: each carries its HTTP status and renders as RFC 9457 problem details."""
from __future__ import annotations

from typing import Any

PROBLEM_BASE = "https://idea-portal.dev/problems/"


class PortalError(Exception):
    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra
        self.headers: dict[str, str] = {}

    def problem(self) -> dict[str, Any]:
        return {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


class MalformedRequest(PortalError):
    status, title, slug = 400, "Malformed request", "malformed-request"


class Unauthenticated(PortalError):
    status, title, slug = 401, "Authentication required", "unauthenticated"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers["WWW-Authenticate"] = 'Bearer realm="idea-portal"'


class Forbidden(PortalError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(PortalError):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(PortalError):
    status, title, slug = 409, "Conflict", "conflict"


class PayloadTooLarge(PortalError):
    status, title, slug = 413, "Request body too large", "payload-too-large"


class UnsupportedMediaType(PortalError):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


class ValidationFailed(PortalError):
    status, title, slug = 422, "Validation failed", "validation-failed"

    def __init__(self, errors: list[dict[str, Any]], detail: str | None = None) -> None:
        first = errors[0] if errors else {"field": "", "message": "invalid"}
        super().__init__(
            detail or f"{first['field'] or 'body'}: {first['message']}", errors=errors
        )


class RateLimited(PortalError):
    status, title, slug = 429, "Too many requests", "rate-limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"write rate limit reached; retry in {retry_after} s")
        self.headers["Retry-After"] = str(retry_after)


def field_errors(pydantic_errors: list[dict[str, Any]], prefix: tuple = ()) -> list[dict[str, Any]]:
    """pydantic's error list as [{field, message, type}] with dotted field paths."""
    out = []
    for error in pydantic_errors:
        loc = prefix + tuple(error.get("loc", ()))
        out.append({
            "field": ".".join(str(part) for part in loc),
            "message": error.get("msg", "invalid"),
            "type": error.get("type", "value_error"),
        })
    return out
