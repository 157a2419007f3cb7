"""Text the database can store and people can read: no NUL characters, no lone surrogates.

JSON lets a client send both ("\\u0000", "\\ud800"); PostgreSQL cannot store either, so they
are refused at the edge with the path of the field that holds them.
"""

from __future__ import annotations

import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


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
