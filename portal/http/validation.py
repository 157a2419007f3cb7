"""A request's values checked as the API checks them, wherever they came from (a JSON body, a
query, a Slack modal): text PostgreSQL can store, then the model's own validation, refused as
ValidationFailed naming each field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from portal.errors import ValidationFailed, field_errors
from portal.text import unclean_fields

Model = TypeVar("Model", bound=BaseModel)


def refuse_unclean(values: Any, location: str) -> None:
    bad = unclean_fields(values)
    if bad:
        raise ValidationFailed(
            [
                {
                    "field": ".".join(map(str, path)),
                    "type": "string_unstorable",
                    "message": "must not contain NUL characters or unpaired surrogates",
                }
                for path in bad
            ],
            location=location,
        )


def validate_body(payload: Any, model: type[Model]) -> Model:
    refuse_unclean(payload, "body")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc.errors())) from None
