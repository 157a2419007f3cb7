"""Text the database can store and people can read: no NUL characters, no lone surrogates.

JSON lets a client send both ("\\u0000", "\\ud800"); PostgreSQL cannot store either, so they
are refused at the edge with the path of the field that holds them.
"""

from __future__ import annotations

import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# What the OpenAPI document says of every request string: no NUL. (Lone surrogates cannot be
# said: a regex naming them is not a regex to validators built on Rust or Go, whose strings
# cannot hold them either. They are refused all the same.)
CLEAN_TEXT_PATTERN = "^[^\\u0000]*$"


def declare_clean_text(schema: Any) -> None:
    """Adds CLEAN_TEXT_PATTERN to every free-text string in a request's JSON schema, in place."""
    if isinstance(schema, list):
        for item in schema:
            declare_clean_text(item)
        return
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"pattern", "enum", "const", "format"} & set(schema):
        schema["pattern"] = CLEAN_TEXT_PATTERN
    for value in schema.values():
        declare_clean_text(value)


def is_clean_text(value: str) -> bool:
    return _UNSTORABLE.search(value) is None


def unclean_fields(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The paths of every string (or object key) in a JSON value that is not clean text."""
    if isinstance(value, str):
        return [] if is_clean_text(value) else [path]
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if not is_clean_text(key):
                found.append(path)
            found += unclean_fields(item, (*path, key))
        return found
    if isinstance(value, list):
        return [bad for index, item in enumerate(value) for bad in unclean_fields(item, (*path, index))]
    return []
