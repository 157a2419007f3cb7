"""The notification pages: the list, read marks, preferences, following an idea, the email's
unsubscribe link, and (development only) the mail the local sink captured."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from portal.errors import NotFound
from portal.http.view import View
from portal.notifications import service, texts
from portal.notifications.kinds import KINDS
from portal.notifications.schemas import NotificationQuery, PreferencesWrite, ReadAll

MODES = ("instant", "daily", "off")


def _(message: str) -> str:
    return message


MODE_LABELS = {"instant": _("At once"), "daily": _("Daily digest"), "off": _("Off")}
KIND_LABELS = {
    "status_changed": _("An idea I follow changes status"),
    "responded": _("A team answers an idea I follow"),
    "comment": _("A comment on an idea I follow"),
    "mention": _("Someone mentions me"),
    "routed": _("An idea reaches a team I lead"),
    "overdue": _("A routed idea is overdue (leads and admins)"),
    "digest": _("A digest of a team I lead is ready"),
    "thanks": _("Someone thanks me or a team I lead"),
    "chat": _("The chat channel of a team I lead stops receiving messages"),
    "idea_edited": _("An idea I voted for is edited substantially"),
}
REASON_LABELS = {
    "author": _("Your idea"),
    "voter": _("You voted"),
    "commenter": _("You commented"),
    "follower": _("You follow"),
    "mentioned": _("You were mentioned"),
    "lead": _("Your team"),
    "admin": _("As an admin"),
    "thanked": _("Thanks to you"),
}


async def notifications_page(view: View) -> web.Response:
    query, errors = view.validate(NotificationQuery, {"cursor": view.request.query.get("cursor") or None})
    if query is None:
        raise NotFound("that page of notifications does not exist")
    page = await service.list_notifications(view.conn, view.caller, query)
    items = [
        {
            "id": n.id,
            "sentence": texts.sentence(
                {
                    "kind": n.kind,
                    "data": n.data,
                    "idea_title": n.idea.title if n.idea else None,
                    "team_name": n.data.get("team_name"),
                },
                view.gettext,
            ),
            "href": texts.path(
                {"kind": n.kind, "idea_id": n.idea.id if n.idea else None, "team": n.team, "data": n.data}
            ),
            "reason": view.gettext(REASON_LABELS[n.reason]),
            "excerpt": n.data.get("excerpt") or n.data.get("message") or "",
            "created_at": n.created_at,
            "unread": n.read_at is None,
        }
        for n in page.items
    ]
    more = view.url("notifications_page", query={"cursor": page.next_cursor}) if page.next_cursor else None
    newest = max((n.id for n in page.items), default=None)
    return await view.render(
        "notifications/list.html", items=items, more=more, newest=newest, unread_total=page.unread_count
    )


async def notification_read(view: View) -> web.Response:
    await service.mark_read(view.conn, view.caller, notification_id=view.path["notification_id"])
    return view.redirect(view.url("notifications_page"))


async def notifications_read_all(view: View) -> web.Response:
    up_to = view.field("up_to")
    data = ReadAll(up_to=int(up_to) if up_to.isdecimal() and len(up_to) < 19 else None)
    await service.mark_all_read(view.conn, view.caller, data)
    return view.redirect(view.url("notifications_page"))


def _preference_rows(view: View, chosen: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "label": view.gettext(KIND_LABELS[kind]),
            "portal": chosen[kind][0],
            "email": chosen[kind][1],
            "slack": chosen[kind][2] if len(chosen[kind]) > 2 else "",
        }
        for kind in KINDS
    ]


def _channels(view: View) -> list[tuple[str, str]]:
    """The ways to hear, each a column: Slack once the portal's Slack app is installed."""
    ways = [("portal", view.gettext("In the portal")), ("email", view.gettext("By email"))]
    if view.settings.slack_bot_token:
        ways.append(("slack", view.gettext("In Slack")))
    return ways


def _modes(view: View) -> list[tuple[str, str]]:
    return [(mode, view.gettext(MODE_LABELS[mode])) for mode in MODES]


async def preferences_page(view: View) -> web.Response:
    prefs = await service.preferences(view.conn, view.caller)
    chosen: dict[str, tuple[str, ...]] = {p.kind: (p.portal or "", p.email or "", p.slack or "") for p in prefs}
    return await view.render(
        "notifications/preferences.html",
        rows=_preference_rows(view, chosen),
        channels=_channels(view),
        modes=_modes(view),
        saved="saved" in view.request.query,
        errors={},
        follows=await service.my_follows(view.conn, view.caller),
    )


async def preferences_save(view: View) -> web.Response:
    """Every kind's choices; a kind left at the default is not stored."""
    changes = []
    for kind in KINDS:
        portal, email, slack = (view.field(f"{kind}.{way}") for way in ("portal", "email", "slack"))
        if portal or email or slack:
            change = {"kind": kind, "portal": portal or "instant", "email": email or _default_email(kind)}
            changes.append({**change, "slack": slack or "off"} if view.settings.slack_bot_token else change)
    try:
        data = PreferencesWrite.model_validate({"preferences": changes}) if changes else None
    except ValidationError:
        chosen = {kind: tuple(view.field(f"{kind}.{way}") for way in ("portal", "email", "slack")) for kind in KINDS}
        return await view.render(
            "notifications/preferences.html",
            status=422,
            rows=_preference_rows(view, chosen),
            channels=_channels(view),
            modes=_modes(view),
            saved=False,
            errors={"_form": view.gettext("Choose one of the offered options for each kind.")},
            follows=await service.my_follows(view.conn, view.caller),
        )
    if data is not None:
        await service.save_preferences(view.conn, view.caller, data)
    return view.redirect(view.url("preferences_page", query={"saved": "1"}))


def _default_email(kind: str) -> str:
    """The email default for someone following along (a stored choice applies to every reason)."""
    return "instant" if kind in ("mention", "routed", "overdue", "digest", "thanks", "chat") else "daily"


async def idea_follow(view: View) -> web.Response:
    idea_id = view.path["idea_id"]
    await service.follow_idea(view.conn, view.caller, idea_id=idea_id, following=view.field("following") == "1")
    return view.redirect(view.url("idea_page", idea_id=idea_id))


async def unsubscribe_page(view: View) -> web.Response:
    return await view.render("notifications/unsubscribe.html", token=view.path["token"], done=None)


async def unsubscribe_confirm(view: View) -> web.Response:
    """RFC 8058 one-click: a mail client POSTs `List-Unsubscribe=One-Click` here without cookies."""
    kinds = await service.unsubscribe(view.conn, token=view.path["token"])
    done = [view.gettext(KIND_LABELS[kind]) for kind in kinds]
    return await view.render("notifications/unsubscribe.html", token=view.path["token"], done=done)


async def dev_mail(view: View) -> web.Response:
    """Development only: what the local mail sink received, newest first."""
    from portal.mailsink import read

    maildir = view.settings.dev_maildir
    captured = await asyncio.to_thread(read, maildir) if maildir else []
    messages = [
        {
            "subject": m.subject,
            "to": m.to,
            "date": str(m.message["Date"] or ""),
            "text": m.body("plain"),
            "html": m.body("html"),
            "unsubscribe": str(m.message["List-Unsubscribe"] or ""),
        }
        for m in reversed(captured[-50:])
    ]
    return await view.render("notifications/dev_mail.html", messages=messages, maildir=maildir)


async def unread_badge(view: View) -> dict[str, Any]:
    """The header's notification badge, on every signed-in page (a hook of portal.http.keys.PAGE_CONTEXT)."""
    return {"unread": view.session.unread if view.session else 0}  # read with the session
