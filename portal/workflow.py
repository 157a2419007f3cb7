"""The idea status workflow: every allowed transition, in one place."""

from __future__ import annotations

from typing import Literal

Status = Literal["open", "under_review", "planned", "in_progress", "done", "declined", "duplicate"]

TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"under_review", "planned", "declined", "duplicate"}),
    "under_review": frozenset({"open", "planned", "declined", "duplicate"}),
    "planned": frozenset({"under_review", "in_progress", "declined"}),
    "in_progress": frozenset({"planned", "done", "declined"}),
    "done": frozenset({"in_progress"}),
    "declined": frozenset({"open"}),
    "duplicate": frozenset({"open"}),
}
# No more votes on these; they also do not count as open on the service map.
CLOSED_STATUSES = frozenset({"done", "declined", "duplicate"})


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
