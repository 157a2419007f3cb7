"""The route table's entry type and the OpenAPI 3.1 document built from that same table."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from aiohttp import web
from pydantic import BaseModel

from portal.errors import status_title
from portal.events.feed import CURSOR_PATTERN as FEED_CURSOR_PATTERN
from portal.http.call import Created, Handler
from portal.problems import DEFAULT_BASE, PROBLEM_TYPES
from portal.schemas import EMAIL_PATTERN, MAX_ID, SLUG_PATTERN, TAG_PATTERN
from portal.text import declare_clean_text

PATH_PARAM = re.compile(r"\{(\w+)\}")
# Every path parameter's type, by name: the dispatcher validates with it and the document
# declares it, so a generated client and the server agree.
ID_SCHEMA: dict[str, Any] = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
SLUG_SCHEMA: dict[str, Any] = {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 63}
EMAIL_SCHEMA: dict[str, Any] = {"type": "string", "format": "email", "pattern": EMAIL_PATTERN, "maxLength": 254}
PathKind = Literal["id", "slug", "email", "tag", "token"]
PATH_KINDS: dict[str, PathKind] = {
    "idea_id": "id",
    "comment_id": "id",
    "token_id": "id",
    "rule_id": "id",
    "webhook_id": "id",
    "delivery_id": "id",
    "employee_id": "id",
    "digest_id": "id",
    "notification_id": "id",
    "thanks_id": "id",
    "round_id": "id",
    "import_id": "id",
    "attachment_id": "id",
    "case_id": "id",
    "problem": "slug",
    "slug": "slug",
    "team": "slug",
    "email": "email",
    "tag": "tag",
    "token": "token",
}
# An unsubscribe link's token (secrets.token_urlsafe).
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{16,128}$"
TAG_SCHEMA: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 40, "pattern": TAG_PATTERN}
KIND_SCHEMAS: dict[PathKind, dict[str, Any]] = {
    "id": ID_SCHEMA,
    "slug": SLUG_SCHEMA,
    "email": EMAIL_SCHEMA,
    "tag": TAG_SCHEMA,
    "token": {"type": "string", "pattern": TOKEN_PATTERN},
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None  # a model, list[model], or None for no JSON body
    status: int = 200
    public: bool = False
    # The API-token scope that may call this route; None: employees only.
    scope: str | None = None
    # Counted against the caller's write rate limit.
    write: bool = False
    # The unit of work the dispatcher opens around the handler: "read" is one read-only
    # REPEATABLE READ snapshot, "write" a read-write transaction; None: the handler needs none.
    tx: Literal["read", "write"] | None = None
    # A retried request with the same Idempotency-Key replays the first response.
    idempotent: bool = False
    errors: tuple[int, ...] = ()
    # Extra documented response headers and request headers, by status / name.
    request_headers: tuple[str, ...] = ()
    content_type: str = "application/json"
    # The success response is also offered as an HTML page, to a client that accepts text/html.
    html: bool = False
    # The request is a multipart/form-data upload (`file`, `alt`) the handler reads itself.
    upload: bool = False

    @property
    def name(self) -> str:
        return self.handler.__name__

    @property
    def path_params(self) -> list[str]:
        return PATH_PARAM.findall(self.path)

    def statuses(self) -> set[int]:
        """Every status this route can answer with."""
        # 400: a request the HTTP layer refuses before routing (portal.web.server) can be for any path.
        codes = {self.status, *self.errors, 400, 500}
        if not self.public:
            codes |= {401, 403, 503}  # 503: the identity provider's keys cannot be fetched
        if self.write:
            codes.add(429)
        if self.body is not None:
            codes |= {413, 415, 422}
        if self.query is not None or self.path_params or self.idempotent:
            codes.add(422)
        return codes


API = "/api/v1"


@dataclass(frozen=True)
class Entry:
    """A line of the route table before its group names it: method, path, handler, options."""

    method: str
    path: str
    handler: Handler
    options: dict[str, Any]


def read(method: str, path: str, handler: Handler, **options: Any) -> Entry:
    """A route that runs in one read-only snapshot."""
    return Entry(method, path, handler, {"tx": "read", **options})


def write(method: str, path: str, handler: Handler, **options: Any) -> Entry:
    """A route that changes data: one read-write transaction, counted against the write rate limit."""
    return Entry(method, path, handler, {"tx": "write", "write": True, **options})


def plain(method: str, path: str, handler: Handler, **options: Any) -> Entry:
    """A route whose handler needs no unit of work (it opens what it needs, or none)."""
    return Entry(method, path, handler, options)


def group(tag: str, *entries: Entry, prefix: str = API, **shared: Any) -> list[Route]:
    """One domain's routes, under `prefix`, tagged with its name in the OpenAPI document; `shared`
    options apply to each (an entry's own win)."""
    return [
        route(entry.method, prefix + entry.path, entry.handler, tag=tag, **{**shared, **entry.options})
        for entry in entries
    ]


def route(method: str, path: str, handler: Handler, *, tag: str, **options: Any) -> Route:
    """A route whose body, query and response types come from its handler's signature (parameters
    `body` and `query`, the return annotation: `Created[Model]` is a 201, `None` a 204) and whose
    summary is the first paragraph of the handler's docstring. Options say the rest, or override."""
    hints = get_type_hints(handler)
    parameters = inspect.signature(handler).parameters
    returned = hints.get("return", type(None))
    inferred: dict[str, Any] = {
        "body": hints["body"] if "body" in parameters else None,
        "query": hints["query"] if "query" in parameters else None,
        "summary": (inspect.getdoc(handler) or "").split("\n\n")[0].replace("\n", " "),
    }
    if returned is type(None):
        inferred.update(response=None, status=204)
    elif get_origin(returned) is Created:
        inferred.update(response=get_args(returned)[0], status=201)
    else:  # a model, a list of one, or either or a page (`Model | web.Response`: HTML to a browser)
        union = get_origin(returned) in (Union, UnionType)
        models = [arg for arg in (get_args(returned) if union else (returned,)) if not _is_response(arg)]
        inferred.update(response=models[0] if models else None, status=200)
    return Route(method, path, handler, tag=tag, **{**inferred, **options})


def _is_response(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, web.StreamResponse)


def problem_schema(base: str) -> dict[str, Any]:
    """RFC 9457 problem details; every `type` the portal answers with, each documented at its URI."""
    return {
        **PROBLEM_SCHEMA,
        "properties": {
            **PROBLEM_SCHEMA["properties"],
            "type": {
                "type": "string",
                "format": "uri-reference",
                "enum": [base + slug for slug in PROBLEM_TYPES],
                "description": "What kind of problem this is; GET it for its documentation (PORTAL_PROBLEM_BASE).",
            },
        },
    }


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}, "type": {"type": "string"}},
            },
        },
    },
}


class _Schemas:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def ref(self, annotation: Any, mode: Literal["validation", "serialization"] = "serialization") -> dict[str, Any]:
        if getattr(annotation, "__origin__", None) is list:
            return {"type": "array", "items": self.ref(annotation.__args__[0], mode)}
        schema = annotation.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        if mode == "validation":  # what the dispatcher refuses in every request string
            declare_clean_text(schema)
        self.components.update(schema.pop("$defs", {}))
        self.components[annotation.__name__] = schema
        return {"$ref": f"#/components/schemas/{annotation.__name__}"}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    declare_clean_text(schema)
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in prop.items() if k not in ("title", "description")},
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


REQUEST_HEADERS = {
    "Idempotency-Key": {
        "description": "Makes a retried POST safe: a retry with the same key and body replays the first response.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    },
    "Last-Event-ID": {
        "description": "Resume after this stream message id (sent by EventSource on reconnect).",
        "schema": {"type": "string", "maxLength": 200, "pattern": FEED_CURSOR_PATTERN},
    },
}


def _operation(route: Route, schemas: _Schemas) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": route.summary,
        "tags": [route.tag],
        "operationId": route.name,
        "responses": {},
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": KIND_SCHEMAS[PATH_KINDS[name]]}
        for name in route.path_params
    ]
    if route.query is not None:
        parameters += _query_parameters(route.query)
    headers = (*route.request_headers, *(("Idempotency-Key",) if route.idempotent else ()))
    parameters += [{"name": name, "in": "header", "required": False, **REQUEST_HEADERS[name]} for name in headers]
    if parameters:
        operation["parameters"] = parameters
    if route.upload:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary", "description": "The image or file."},
                            "alt": {"type": "string", "maxLength": 500, "description": "An image's description."},
                        },
                    }
                }
            },
        }
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schemas.ref(route.body, "validation")}},
        }
    for code in sorted(route.statuses()):
        operation["responses"][str(code)] = _response(route, code, schemas)
    if not route.public:
        operation["security"] = [{"bearer": []}]
    return operation


def _response(route: Route, code: int, schemas: _Schemas) -> dict[str, Any]:
    if code != route.status:
        response: dict[str, Any] = {
            "description": status_title(code),
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if code in (429, 503):
            response["headers"] = {
                "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
            }
        if code == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": 'Bearer, with error="invalid_token" when a token was sent',
                    "schema": {"type": "string"},
                }
            }
        return response
    response = {"description": "Success"}
    if route.response is not None:
        schema = route.response if isinstance(route.response, dict) else schemas.ref(route.response)
        response["content"] = {route.content_type: {"schema": schema}}
        if route.html:
            response["content"]["text/html"] = {"schema": {"type": "string"}}
    if code == 201:
        response["headers"] = {
            "Location": {"description": "The new resource's URL.", "required": True, "schema": {"type": "string"}}
        }
    return response


def openapi_document(routes: list[Route], *, version: str, problem_base: str = DEFAULT_BASE) -> dict[str, Any]:
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, schemas)
    schemas.components["Problem"] = problem_schema(problem_base)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Idea Portal API",
            "version": version,
            "description": "Ideas, votes, comments, teams and the service map of an internal "
            "idea-exchange portal. Errors are RFC 9457 problem details.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas.components,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An employee's OIDC JWT, or an integration's API token (ip_...).",
                }
            },
        },
    }
