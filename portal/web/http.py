"""Parsing requests into pydantic models and rendering JSON and problem responses."""
from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from portal.errors import (
    MalformedRequest,
    PayloadTooLarge,
    PortalError,
    UnsupportedMediaType,
    ValidationFailed,
    field_errors,
)

Model = TypeVar("Model", bound=BaseModel)
from portal.web.keys import RAW_JSON

PROBLEM_TYPE = "application/problem+json"


async def read_json(request: web.Request) -> Any:
    if request.content_type not in ("application/json", "application/merge-patch+json") and request.can_read_body:
        raise UnsupportedMediaType(f"send application/json, not {request.content_type}")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(f"the body is larger than {request.client_max_size} bytes") from None
    if not raw:
        raise MalformedRequest("the request body is empty; send a JSON object")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedRequest(f"the body is not valid JSON: {exc}") from None


async def parse_body(request: web.Request, model: type[Model]) -> Model:
    payload = await read_json(request)
    request[RAW_JSON] = payload
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc.errors(), ("body",))) from None


def parse_query(request: web.Request, model: type[Model]) -> Model:
    values: dict[str, Any] = {}
    for key in request.query.keys():
        items = request.query.getall(key)
        values[key] = items if len(items) > 1 else items[0]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc.errors(), ("query",))) from None


def path_int(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationFailed([{"field": f"path.{name}", "message": "must be a positive integer",
                                 "type": "int_parsing"}])
    return int(raw)


def dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [dump(item) for item in value]
    return value


def json_response(value: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=json.dumps(dump(value), ensure_ascii=False).encode(), status=status,
        content_type="application/json", headers=headers,
    )


def problem_response(error: PortalError, instance: str | None = None) -> web.Response:
    body = error.problem()
    if instance:
        body["instance"] = instance
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode(), status=error.status,
        content_type=PROBLEM_TYPE, headers=error.headers,
    )
