"""The idea status workflow: every allowed transition, and only those."""

from __future__ import annotations

import pytest

from portal.workflow import CLOSED_STATUSES, TRANSITIONS, allowed


@pytest.mark.parametrize("current, target", [(c, t) for c, targets in TRANSITIONS.items() for t in sorted(targets)])
def test_every_listed_transition_is_allowed(current, target):
    assert allowed(current, target)


@pytest.mark.parametrize(
    "current, target",
    [
        ("open", "done"),
        ("done", "open"),
        ("declined", "planned"),
        ("in_progress", "open"),
        ("open", "open"),
        ("nonsense", "open"),
    ],
)
def test_other_transitions_are_not(current, target):
    assert not allowed(current, target)


def test_every_status_can_be_left_and_closed_ones_can_be_reopened_somehow():
    assert all(TRANSITIONS[status] for status in TRANSITIONS)
    assert set(TRANSITIONS) >= CLOSED_STATUSES
