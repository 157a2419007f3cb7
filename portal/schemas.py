"""Building blocks shared by the domain schemas."""

from __future__ import annotations

from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, ClassVar, Literal, Self, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

# Whitespace as both Python's and ECMAScript's regexes mean it (`\s` differs between them), so a
# client checking the OpenAPI pattern and the server agree; and the same characters to trim.
WHITESPACE_CHARACTERS = (
    "\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
WHITESPACE = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def refusal(kind: str, message: str) -> PydanticCustomError:
    """A validator's refusal with a type of its own: the API shows the message, a page the words
    portal.http.forms keeps for that type, in the reader's language."""
    return PydanticCustomError(kind, message)


@dataclass(frozen=True)
class Trimmed:
    """Free text, trimmed of surrounding whitespace: `Annotated[str, Trimmed(max_length=200)]`.
    The limits are what the OpenAPI document says: at most max_length characters as sent
    (maxLength), at least min_length once trimmed (a pattern), so a client that checks the
    document and the server always agree."""

    max_length: int
    min_length: int = 0
    lower: bool = False

    def _trim(self, value: str) -> str:
        value = value.strip(WHITESPACE_CHARACTERS)
        if len(value) < self.min_length:
            raise PydanticCustomError(
                "string_too_short",
                "String should have at least {min_length} characters besides surrounding spaces",
                {"min_length": self.min_length},
            )
        return value.lower() if self.lower else value

    @property
    def pattern(self) -> str:
        visible, space, anything = f"[^{WHITESPACE}\\u0000]", f"[{WHITESPACE}]", "[^\\u0000]"
        if self.min_length == 0:
            return f"^{anything}*$"
        if self.min_length == 1:
            return f"^{anything}*{visible}{anything}*$"
        return f"^{space}*{visible}{anything}{{{self.min_length - 2},}}{visible}{space}*$"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            self._trim, core_schema.str_schema(max_length=self.max_length)
        )

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(schema), "pattern": self.pattern}


SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
# An ASCII address (dot-atom local part, dotted domain): what the `email` format means to validators.
ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^{ATOM}(?:\.{ATOM})*@{LABEL}(?:\.{LABEL})+$"
Email = Annotated[str, StringConstraints(to_lower=True, max_length=254, pattern=EMAIL_PATTERN)]
MAX_ID = 2**63 - 1
# A tag: lower case (upper case is folded), no spaces or commas (the list filter's separator).
TAG_PATTERN = rf"^[^{WHITESPACE},\u0000]+$"


def _whole(value: Any) -> Any:
    """JSON Schema's integer includes 3.0; a true integer still refuses true and "3"."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Constraints come before the validator, so the JSON schema says minimum/maximum.
TO_WHOLE = BeforeValidator(_whole)
Id = Annotated[int, Field(ge=1, le=MAX_ID), TO_WHOLE]
# A team's part in an idea: the provider asked to change something, or a customer it would serve better.
Role = Literal["provider", "customer"]
Name = Annotated[str, Trimmed(min_length=1, max_length=200)]


def _takes_whole_numbers(annotation: Any) -> bool:
    """An int field (also optional or constrained) that takes no float: JSON's 3.0 is its 3."""
    if annotation is int:
        return True
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) is Annotated:
        return _takes_whole_numbers(args[0])
    return (
        get_origin(annotation) in (Union, UnionType)
        and float not in args
        and any(_takes_whole_numbers(arg) for arg in args)
    )


class Input(BaseModel):
    """A request body: unknown fields are an error, not silently dropped, and values must have
    their JSON type (no `true` taken as 1, no "5" taken as 5). An integer field takes a whole
    number written as 3.0, as JSON Schema's `integer` does."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _whole_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        whole = isinstance(value, float) and info.field_name is not None
        if whole and _takes_whole_numbers(cls.model_fields[str(info.field_name)].annotation):
            return _whole(value)
        return value


def _patch_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """What Patch enforces, said in its JSON schema: at least one field, and null only where allowed."""
    schema["minProperties"] = 1
    nullable: frozenset[str] = getattr(model, "NULLABLE", frozenset())
    for name, prop in schema.get("properties", {}).items():
        if name in nullable or "anyOf" not in prop:
            continue
        branches = [branch for branch in prop["anyOf"] if branch != {"type": "null"}]
        prop.pop("default", None)
        if len(branches) == 1:
            del prop["anyOf"]
            prop.update(branches[0])
        else:
            prop["anyOf"] = branches


class Patch(Input):
    """A PATCH body: send only the fields to change. An empty body changes nothing and is refused;
    null is refused too, except for the fields in NULLABLE, where it clears the value."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_patch_schema)
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_it_clears(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("must not be null; leave the field out to keep it")
        return value

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self


class Query(BaseModel):
    """Query parameters: unknown ones (cache busters and the like) are ignored."""

    model_config = ConfigDict(extra="ignore")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Output):
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null at the end.")


class Named(Output):
    """Something people choose from a list: its slug and its name."""

    slug: str
    name: str
