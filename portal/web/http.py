"""Parsing requests into validated values, and rendering JSON and problem responses."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, StringConstraints, TypeAdapter, ValidationError

from portal.errors import (
    MalformedRequest,
    PayloadTooLarge,
    PortalError,
    UnsupportedMediaType,
    ValidationFailed,
    field_errors,
)
from portal.http.validation import refuse_unclean
from portal.ideas.schemas import Tag
from portal.problems import DEFAULT_BASE
from portal.schemas import MAX_ID, Email, Slug
from portal.web.spec import PATH_KINDS, TOKEN_PATTERN

Model = TypeVar("Model", bound=BaseModel)
PROBLEM_TYPE = "application/problem+json"
JSON_TYPES = ("application/json", "application/merge-patch+json")
ASCII_ID = re.compile(r"^[0-9]{1,19}$")  # int() would also take "٣" or "３"
PATH_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "slug": TypeAdapter(Slug),
    "email": TypeAdapter(Email),
    "tag": TypeAdapter(Tag),
    "token": TypeAdapter(Annotated[str, StringConstraints(pattern=TOKEN_PATTERN)]),
}


async def read_json(request: web.Request) -> Any:
    if request.content_type not in JSON_TYPES and request.can_read_body:
        raise UnsupportedMediaType(f"send application/json, not {request.content_type[:100]}")
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
    except RecursionError:
        raise MalformedRequest("the body is nested too deeply") from None


def parse_query(request: web.Request, model: type[Model]) -> Model:
    values: dict[str, Any] = {}
    for key in set(request.query.keys()):
        items = request.query.getall(key)
        values[key] = items if len(items) > 1 else items[0]
    refuse_unclean(values, "query")
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc.errors()), location="query") from None


def parse_path(request: web.Request, names: list[str]) -> dict[str, Any]:
    """The path parameters, each validated as the kind spec.PATH_KINDS gives it."""
    values, errors = {}, []
    for name in names:
        raw, kind = request.match_info[name], PATH_KINDS[name]
        if kind == "id":
            if ASCII_ID.match(raw) and 1 <= int(raw) <= MAX_ID:
                values[name] = int(raw)
            else:
                errors.append(
                    {
                        "field": name,
                        "type": "int_parsing",
                        "message": f"must be an integer from 1 to {MAX_ID}",
                    }
                )
            continue
        try:
            values[name] = PATH_ADAPTERS[kind].validate_python(raw)
        except ValidationError as exc:
            errors += field_errors(exc.errors(), (name,))
    if errors:
        raise ValidationFailed(errors, location="path")
    return values


def dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [dump(item) for item in value]
    return value


def json_response(value: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=json.dumps(dump(value), ensure_ascii=False).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def problem_response(error: PortalError, instance: str | None = None, base: str = DEFAULT_BASE) -> web.Response:
    body = error.problem(base)
    if instance:
        body["instance"] = instance
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode(),
        status=error.status,
        content_type=PROBLEM_TYPE,
        headers=error.headers,
    )
