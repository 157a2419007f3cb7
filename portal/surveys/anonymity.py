"""Survey results that cannot point at a person: no figure for a group of fewer than k answers
(the round as a whole, or a customer team), free text without names and only for the round as a
whole, and no team shown when the teams left out would add up to fewer than k (their answers
could be worked out by subtracting the shown teams from the whole)."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean
from typing import Any


def _scale(values: list[int]) -> dict[str, Any]:
    return {"mean": round(fmean(values), 2), "distribution": [values.count(score) for score in range(1, 6)]}


def _figures(kind: str, answers: Sequence[dict[str, Any]]) -> dict[str, Any]:
    if kind == "pulse":
        return {
            "answers": len(answers),
            "csat": _scale([a["csat"] for a in answers]),
            "ces": _scale([a["ces"] for a in answers]),
        }
    counts = {choice: sum(1 for a in answers if a["solved"] == choice) for choice in ("yes", "partly", "no")}
    return {"answers": len(answers), **counts, "solved_rate": round(counts["yes"] / len(answers), 4)}


def summarize(kind: str, answers: Sequence[dict[str, Any]], *, minimum: int) -> dict[str, Any]:
    """The results of a closed round; `answers` carry their team, never their author."""
    if len(answers) < minimum:
        return {"minimum": minimum, "enough_answers": False}
    teams: dict[str, list[dict[str, Any]]] = {}
    for answer in answers:
        if answer["team"] is not None:
            teams.setdefault(answer["team"], []).append(answer)
    shown = {team: group for team, group in teams.items() if len(group) >= minimum}
    hidden = len(answers) - sum(len(group) for group in shown.values())
    while shown and 0 < hidden < minimum:  # complementary suppression
        smallest = min(shown, key=lambda team: (len(shown[team]), team))
        hidden += len(shown.pop(smallest))
    text_field = "improvement" if kind == "pulse" else "comment"
    return {
        "minimum": minimum,
        "enough_answers": True,
        **_figures(kind, answers),
        "texts": sorted(a[text_field] for a in answers if a[text_field]),
        "by_team": [{"team": team, **_figures(kind, group)} for team, group in sorted(shown.items())],
    }
