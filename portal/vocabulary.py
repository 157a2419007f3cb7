"""Words for the values the API uses (statuses, roles, answers, sorts), in the reader's language.

A lookup rather than a template macro: a list page shows one per row, and a Jinja macro call
costs several times a dictionary lookup.
"""

from __future__ import annotations


def _(message: str) -> str:
    """Marks a message for `pybabel extract`; it is translated when shown."""
    return message


# A vote button's words (portal.ideas.pages.vote_button).
VOTE_BUTTON = {
    "withdraw": _("Withdraw your vote"),
    "vote_for": _("Vote for this idea"),
    "so_far": _("%(num)d votes so far"),
    "voted": _("Voted"),
    "vote": _("Vote"),
    "closed": _("Voting closed"),
}

LABELS: dict[str, dict[str, str]] = {
    "status": {
        "open": _("Open"),
        "under_review": _("Under review"),
        "planned": _("Planned"),
        "in_progress": _("In progress"),
        "done": _("Done"),
        "declined": _("Declined"),
        "duplicate": _("Duplicate"),
    },
    "role": {"provider": _("Provider"), "customer": _("Customer"), "other": _("Other teams")},
    "state": {
        "pending": _("Waiting for an answer"),
        "acknowledged": _("Acknowledged"),
        "accepted": _("Accepted"),
        "declined": _("Declined"),
        "planned": _("Planned"),
        "withdrawn": _("No longer routed"),
    },
    "asked": {
        "accepted": _("accepted"),
        "planned": _("planned"),
        "declined": _("declined"),
        "done": _("done"),
    },
    "phase": {
        "collect": _("Collecting ideas"),
        "vote": _("Voting"),
        "decide": _("Deciding"),
        "closed": _("Closed"),
    },
    "measure": {
        "routed": _("Ideas routed to the team"),
        "sla_adherence": _("Answered within the service standard"),
        "median_first_response_hours": _("Median time to a first answer"),
        "done": _("Ideas done"),
        "thanks_received": _("Thanks received"),
        "csat": _("Satisfaction"),
        "ces": _("Ease"),
        "solved_rate": _("Solved"),
    },
    # What a form did, said on the page it leads back to (?done=<key>; unknown keys show nothing).
    "done": {
        "answered": _("Your team's answer was sent. The author, the voters and the customer teams are told."),
        "position": _("Your team's position was sent to the provider's leads."),
        "status": _("The status was changed and the idea's followers are told."),
        "outcome": _("The outcome note was saved."),
        "thanked": _("Your thanks was sent."),
        "connected": _("The channel is connected. What concerns the team is posted there from now on."),
        "disconnected": _("The channel is disconnected. Nothing more is posted there."),
        "erased": _("Their personal data was erased. The audit trail records that you did it."),
        "reported": _("Thank you: the moderators will look at it. Its author will not know who reported it."),
        "reported_before": _("You reported it already; the moderators will look at it."),
        "report_note": _("Say what is wrong when you choose something else, then send the report again."),
        "report_reason": _("Choose what is wrong, then send the report again."),
        "hidden": _("It is hidden. Its author sees it with your reason and may ask for a review."),
        "dismissed": _("The reports were dismissed."),
        "restored": _("It is shown again."),
        "review": _("You asked for a review; a moderator will look at it again."),
        "moderator_added": _("They are a moderator now."),
        "moderator_removed": _("They are no longer a moderator."),
    },
    "report_kind": {"idea": _("Idea"), "comment": _("Comment"), "thanks": _("Thanks")},
    "case_state": {
        "reported": _("Reported"),
        "hidden": _("Hidden"),
        "dismissed": _("Dismissed"),
        "restored": _("Restored"),
    },
    "report_reason": {
        "rude": _("Rude or hurtful"),
        "personal_data": _("Someone's personal data"),
        "off_topic": _("Off topic"),
        "other": _("Something else"),
    },
    "sort": {"new": _("Newest"), "top": _("Most votes"), "trending": _("Trending"), "relevance": _("Best match")},
}
