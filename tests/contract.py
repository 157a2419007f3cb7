"""The OpenAPI document checked against what the app really answers.

Every response an in-process test receives from a documented operation must be listed in that
operation's responses (status and content type), and its JSON body must validate against the
declared schema. Tests use the recorder through the autouse `contract` fixture in conftest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from portal.web.app import app_version
from portal.web.routes import all_routes
from portal.web.spec import openapi_document

STREAMING = ("text/event-stream",)


@dataclass
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]


@dataclass
class Contract:
    document: dict[str, Any] = field(default_factory=lambda: openapi_document(all_routes(), version=app_version()))

    def __post_init__(self) -> None:
        self.operations = [
            Operation(method.upper(), path, re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", path) + "$"), op["responses"])
            for path, item in self.document["paths"].items()
            for method, op in item.items()
        ]

    def operation(self, method: str, path: str) -> Operation | None:
        matches = [op for op in self.operations if op.method == method and op.pattern.match(path)]
        # A literal segment wins over a parameter (digests/latest over digests/{digest_id}).
        return min(matches, key=lambda op: op.template.count("{"), default=None)

    def problems(self, method: str, path: str, status: int, content_type: str, body: bytes | None) -> list[str]:
        op = self.operation(method, path)
        if op is None:
            return []  # not a documented operation (an unknown path or method): nothing promised
        where = f"{method} {op.template} -> {status}"
        declared = op.responses.get(str(status))
        if declared is None:
            return [f"{where}: status not declared (declared: {sorted(op.responses)})"]
        content = declared.get("content", {})
        if not content:
            return [] if not body else [f"{where}: declared without a body, but one was sent"]
        ranges = [media for media in content if media in ("*/*", content_type.split("/")[0] + "/*")]
        if content_type not in content and not ranges:
            return [f"{where}: content type {content_type!r} not declared (declared: {sorted(content)})"]
        if content_type in STREAMING or body is None or "json" not in content_type:
            return []
        schema = {**content[content_type]["schema"], "components": self.document["components"]}
        try:
            jsonschema.validate(json.loads(body), schema, cls=jsonschema.Draft202012Validator)
        except jsonschema.ValidationError as error:
            return [f"{where}: body does not match the schema at {list(error.absolute_path)}: {error.message[:300]}"]
        return []
