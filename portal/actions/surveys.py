"""Closing survey rounds, and what a closed "did this solve it?" round's answers lead to: when at
least two customer teams the published results show answered no, the provider's routing is
reopened, made by the survey and no person."""

from __future__ import annotations

from portal.db import Connection
from portal.locks import lock_idea
from portal.routing import decisions
from portal.surveys import service as surveys


async def close_due_rounds(conn: Connection, *, minimum: int) -> int:
    """Closes the rounds whose time is up (compiled, who answered forgotten); answers how many."""
    closed = await surveys.close_due(conn, minimum=minimum)
    for round_ in closed:
        if round_.kind == "solved" and round_.idea_id is not None and round_.results["enough_answers"]:
            await _reopen_if_teams_said_no(
                conn, round_id=round_.round_id, idea_id=round_.idea_id, results=round_.results
            )
    return len(closed)


def teams_saying_no(results: dict) -> int:
    """Customer teams shown in a closed round's results with at least one "no".

    Only teams whose group reached the minimum (and survived complementary suppression) count, so
    a reopening says nothing the published results do not already show: no group smaller than
    the minimum, no single answer, no comment, and it happens when the round closes (a fixed time),
    not when someone answers.
    """
    return sum(1 for team in results.get("by_team", []) if team.get("no", 0) > 0)


async def _reopen_if_teams_said_no(conn: Connection, *, round_id: int, idea_id: int, results: dict) -> None:
    teams = teams_saying_no(results)
    if teams < 2 or not await surveys.mark_reopened(conn, round_id):
        return
    await lock_idea(conn, idea_id)  # before its routings (portal.locks)
    await decisions.reopen(
        conn,
        idea_id=idea_id,
        disputed_by="the 'did this solve it?' survey",
        reason=f"{teams} customer teams answered no",
        by=None,
        survey_round_id=round_id,
    )
