"""The route table's entry type, and the OpenAPI 3.1 document built from that same table."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from aiohttp import web
from pydantic import BaseModel

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
    errors: tuple[int, ...] = ()
    extra_headers: dict[str, str] = field(default_factory=dict)


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object",
            "properties": {"field": {"type": "string"}, "message": {"type": "string"},
                           "type": {"type": "string"}},
        }},
    },
}
ERROR_TEXT = {400: "Malformed request", 401: "Authentication required", 403: "Forbidden",
              404: "Not found", 409: "Conflict", 413: "Body too large", 415: "Unsupported media type",
              422: "Validation failed", 429: "Rate limited", 503: "Not ready"}
PATH_PARAM = re.compile(r"\{(\w+)\}")


class _Schemas:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def ref(self, annotation: Any) -> dict[str, Any]:
        origin = getattr(annotation, "__origin__", None)
        if origin is list:
            return {"type": "array", "items": self.ref(annotation.__args__[0])}
        schema = annotation.model_json_schema(ref_template="#/components/schemas/{model}",
                                              mode="serialization")
        self.components.update(schema.pop("$defs", {}))
        self.components[annotation.__name__] = schema
        return {"$ref": f"#/components/schemas/{annotation.__name__}"}

    def input_ref(self, model: type[BaseModel]) -> dict[str, Any]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
        self.components.update(schema.pop("$defs", {}))
        self.components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required,
         "schema": {k: v for k, v in prop.items() if k != "title"},
         **({"description": prop["description"]} if "description" in prop else {})}
        for name, prop in schema.get("properties", {}).items()
    ]


def openapi_document(routes: list[Route], *, version: str) -> dict[str, Any]:
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        operation: dict[str, Any] = {
            "summary": route.summary, "tags": [route.tag],
            "operationId": f"{route.method.lower()}_{route.handler.__name__}",
            "responses": {},
        }
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in PATH_PARAM.findall(route.path)]
        if route.query is not None:
            parameters += _query_parameters(route.query)
        if parameters:
            operation["parameters"] = parameters
        if route.body is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": schemas.input_ref(route.body)}}}
        success: dict[str, Any] = {"description": "Success"}
        if route.response is not None:
            success["content"] = {"application/json": {"schema": schemas.ref(route.response)}}
        operation["responses"][str(route.status)] = success
        codes = set(route.errors)
        if not route.public:
            operation["security"] = [{"bearer": []}]
            codes |= {401, 403}
        if route.body is not None:
            codes |= {400, 413, 415, 422}
        if route.query is not None or PATH_PARAM.search(route.path):
            codes.add(422)
        for code in sorted(codes):
            operation["responses"][str(code)] = {
                "description": ERROR_TEXT.get(code, "Error"),
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    schemas.components["Problem"] = PROBLEM_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {"title": "Idea Portal API", "version": version,
                 "description": "Ideas, votes, comments, teams and the service map of an internal "
                                "idea-exchange portal. Errors are RFC 9457 problem details."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas.components,
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "An employee's OIDC JWT, or an integration's API token (ip_...)."}},
        },
    }
