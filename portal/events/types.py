"""Every event type the portal records, in one place.

Stored without the CloudEvents prefix; everything an integration reads or writes (the feed, the
stream, webhooks and their subscriptions) spells a type in full, ``ideaportal.idea.created``.
Subscriptions and filters also accept the short spelling, so both mean the same, and answer in full.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

TYPE_PREFIX = "ideaportal."
ALL = "*"

EVENT_TYPES: dict[str, str] = {
    "idea.created": "An idea was posted (`attachments`: each one's id, name, content type, size and URL; never "
    "the bytes).",
    "idea.updated": "An idea's title, text, tags, services or teams changed (`attachments` when its text did).",
    "idea.status_changed": "An idea moved to another status.",
    "idea.routed": "An idea reached a team's inbox.",
    "idea.outcome_noted": "The provider noted a done idea's outcome: what changed, what it saved.",
    "idea.merged": "A duplicate was merged into the root of its chain: its votes and followers moved there.",
    "idea.unmerged": "A merge was undone: the duplicate's votes, followers and routings were restored.",
    "vote.cast": "An employee voted for an idea.",
    "vote.withdrawn": "An employee withdrew a vote.",
    "comment.created": "A comment was posted.",
    "comment.updated": "A comment was edited.",
    "comment.deleted": "A comment was deleted.",
    "routing.responded": "A team lead answered a routed idea.",
    "routing.due_soon": "A routed idea's answer falls due soon (within a quarter of the team's response time, "
    "at most PORTAL_DUE_SOON_HOURS): once, before it is overdue.",
    "routing.overdue": "A routed idea passed its team's response time unanswered.",
    "routing.confirmation_requested": "A provider decided (or finished) a routed idea; its customer teams are asked to confirm.",
    "routing.confirmed": "A customer team confirmed the provider's decision.",
    "routing.disputed": "A customer team disputed the provider's decision, with its reason.",
    "routing.reopened": "A dispute reopened the provider's routing: it waits for a new answer.",
    "routing.escalated": "A routed idea stayed unanswered a second response period past due, or reached a team "
    "without a lead (`no_lead`); admins are told.",
    "routing.withdrawn": "An idea stopped concerning a team it was routed to.",
    "routing_rule.created": "A routing rule was added.",
    "routing_rule.deleted": "A routing rule was removed.",
    "results.compiled": "An idea's tallies by team and side were compiled.",
    "digest.compiled": "A team's digest was compiled.",
    "thanks.sent": "An employee thanked a team or a colleague (a private message is not included).",
    "campaign.created": "A campaign was opened: its question, scope and deadlines.",
    "campaign.phase_changed": "A campaign's deadline passed: it moved to its next phase.",
    "campaign.closed": "A campaign closed, with its results.",
    "scorecard.compiled": "The scorecards of a month were compiled (every provider team and service).",
    "survey.round_opened": 'A survey round opened: a service\'s pulse, or "did this solve it?" for a done idea.',
    "survey.round_closed": "A survey round closed, with its results (no group of fewer answers than the minimum).",
    "team.created": "A team was created.",
    "team.updated": "A team's name or response time changed.",
    "team.lead_changed": "A team gained (`lead: true`) or lost a lead: by an admin, the directory or an org file "
    "(`source`). Names the employee by id only.",
    "employee.provisioned": "The directory (SCIM or an org file) added an employee, or took over one the portal knew.",
    "employee.updated": "The directory changed an employee's name or address (`fields` says which; not their values).",
    "employee.moved": "An employee moved to another team (`from_team`, `to_team`); votes already cast keep their team.",
    "employee.deactivated": "An employee left: they can no longer sign in and hear nothing; their ideas, comments and "
    "votes stay.",
    "employee.reactivated": "An employee who had left came back.",
    "idea.hidden": "A moderator hid an idea (or enough colleagues reported it, `by_reports`): stop showing it.",
    "idea.restored": "A hidden idea is shown again.",
    "comment.hidden": "A moderator hid a comment (or enough colleagues reported it): stop showing it.",
    "comment.restored": "A hidden comment is shown again.",
    "thanks.hidden": "A moderator hid a thanks (or enough colleagues reported it): stop showing it.",
    "thanks.restored": "A hidden thanks is shown again.",
    "employee.erased": "An employee's personal data was erased on their request: forget what you keep about `id`; "
    "`contributions` says whether their `ideas` and `comments` were kept (under a pseudonym) or removed.",
    "service.created": "A service was added to the service map.",
    "service.updated": "A service's provider, customers or description changed.",
    "service.standard_published": "A service published a new version of its standard (what its provider commits to).",
    "chat.disabled": "A team's Slack or Teams channel stopped receiving messages (archived, deleted, or it refuses "
    "the app); its leads are told.",
    "webhook.created": "A webhook was registered.",
    "webhook.updated": "A webhook was changed.",
    "webhook.deleted": "A webhook was removed.",
    "webhook.disabled": "A webhook was disabled after failing for too long.",
}
FULL_NAMES = [TYPE_PREFIX + name for name in EVENT_TYPES]
# Either spelling of a known type: the pattern the feed's comma-separated filter is declared with.
_ONE = "(" + re.escape(TYPE_PREFIX) + ")?(" + "|".join(re.escape(name) for name in EVENT_TYPES) + ")"
TYPES_FILTER_PATTERN = f"^{_ONE}(,{_ONE})*$"


def short_name(value: Any) -> Any:
    return value.strip().removeprefix(TYPE_PREFIX) if isinstance(value, str) else value


def known(value: str) -> str:
    if value not in EVENT_TYPES and value != ALL:
        raise ValueError(f"{value!r} is not an event type; see GET /api/v1/events/types")
    return value


def full_name(value: str) -> str:
    return value if value == ALL else TYPE_PREFIX + value


# A subscription's event type: either spelling of a known type in, the full one out.
SubscribedType = Annotated[
    str,
    BeforeValidator(short_name),
    AfterValidator(known),
    PlainSerializer(full_name, return_type=str),
    WithJsonSchema({"type": "string", "enum": [*FULL_NAMES, ALL], "description": "An event type, or * for all."}),
]
# A stored subscription's event type as answered: the full spelling (not re-checked: one stored
# before the catalogue was enforced still reads back).
PublishedType = Annotated[
    str, PlainSerializer(full_name, return_type=str), WithJsonSchema({"type": "string", "examples": [FULL_NAMES[0]]})
]
