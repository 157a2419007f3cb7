"""Validation errors worded for people, in their language. The API reports pydantic's own
messages; a page shows these, chosen by the error's type, with the same facts (limits, lengths)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portal.errors import PortalError, ValidationFailed

Gettext = Callable[[str], str]


def describe(error: dict[str, Any], _: Gettext) -> str:
    kind, context = error.get("type", ""), error.get("ctx") or {}
    limits = {"min": context.get("min_length", 1), "max": context.get("max_length", "")}
    messages = {
        "missing": _("Enter a value"),
        "string_too_short": _("Enter a value") if limits["min"] == 1 else _("Enter at least %(min)s characters"),
        "string_too_long": _("Enter at most %(max)s characters"),
        "too_long": _("Choose at most %(max)s"),
        "too_short": _("Choose at least %(min)s"),
        "string_pattern_mismatch": _("This is not in the expected form"),
        "literal_error": _("Choose one of the options"),
        "string_unstorable": _("Remove the invisible control characters"),
    }
    for number in ("int_parsing", "int_type", "greater_than_equal", "less_than_equal"):
        messages[number] = _("Enter a whole number in the allowed range")
    for unknown in ("unknown_service", "unknown_team", "unknown_idea"):
        messages[unknown] = _("This does not exist (any more)")
    for moment in ("datetime_parsing", "datetime_type", "datetime_from_date_parsing", "timezone_aware"):
        messages[moment] = _("Enter a date and time")
    messages |= {
        "thanks_recipient": _("Choose a team or a colleague to thank (one of them)"),
        "unknown_employee": _("No colleague has this email address: check it, or look them up by name"),
        "self": _("You cannot thank yourself"),
        "own_team": _("You cannot thank your own team"),
        "pulse_incomplete": _("Rate both how satisfied you are and how easy it was"),
        "survey_kind": _("Answer the questions of this survey"),
        "decline_reason": _("Say why you decline: the author and the voters read it"),
        "dispute_reason": _("Say what the provider's answer misses"),
        "duplicate_target": _("Give the number of the idea it duplicates, only when marking it a duplicate"),
        "deadline_order": _("The deadlines must come in order: ideas, then voting, then decisions"),
        "slack_channel": _("Enter the channel's ID, not its name: C or G, then capitals and digits, like C0123ABCD"),
    }
    if kind in messages:
        return messages[kind] % limits if "%(" in messages[kind] else messages[kind]
    return str(error.get("msg") or error.get("message") or _("This is not valid")).removeprefix("Value error, ")


def by_field(failed: ValidationFailed, _: Gettext) -> dict[str, str]:
    """A domain's refusal of a body's fields, by form field (the first error of each), worded as
    describe words it where the refusal's type is known."""
    errors: dict[str, str] = {}
    for error in failed.errors:
        errors.setdefault(error["field"].split(".")[0] or "_form", describe(error, _))
    return errors


def errors_of(failure: PortalError, _: Gettext) -> dict[str, str]:
    """A refusal the domain raised, as a form shows it: at each field it names, else for the whole form."""
    if isinstance(failure, ValidationFailed):
        return by_field(failure, _)
    return {"_form": failure.detail}
