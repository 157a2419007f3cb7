"""The idea pages: list, one idea, post and edit, vote, comment, and a lead's status change.

Every page calls the same domain functions as the JSON API and validates with the same models;
with JavaScript a vote or comment swaps one fragment (htmx), without it the form posts and the
browser is redirected back (303).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiohttp import web
from markupsafe import Markup, escape

from portal.http.view import View
from portal.ideas import history, listing, outcomes
from portal.ideas.outcomes import CaseQuery
from portal.ideas.schemas import IdeaQuery, IdeaRead, SimilarQuery
from portal.lookups import Names
from portal.moderation import service as moderation
from portal.vocabulary import VOTE_BUTTON
from portal.workflow import TRANSITIONS

CLOSED = ("done", "declined", "duplicate")


@dataclass(frozen=True, slots=True)
class VoteButton:
    """A vote button as it shows, its words made here (one per card: cheaper than in Jinja)."""

    idea_id: int
    action: str
    count: str
    voted: bool
    closed: bool
    label: str
    word: str
    closed_word: str

    def html(self, csrf_token: str, next_path: str) -> Markup:
        """The button as HTML, made here rather than by a Jinja macro: a list page has twenty, and
        a macro call cost more than the rest of a card (bench/pages.py, profiled)."""
        e = escape
        count = f'<span class="count" data-vote-count="{self.idea_id}">{e(self.count)}</span>'
        if self.closed:
            inner = f'{count}\n  <span class="closed">{e(self.closed_word)}</span>'
        else:
            action = e(self.action)
            inner = (
                f'<form method="post" action="{action}" hx-post="{action}" hx-target="#vote-{self.idea_id}"'
                f' hx-swap="outerHTML">\n'
                f'    <input type="hidden" name="csrf_token" value="{e(csrf_token)}">\n'
                f'    <input type="hidden" name="next" value="{e(next_path)}">\n'
                f'    <input type="hidden" name="action" value="{"withdraw" if self.voted else "cast"}">\n'
                f'    <button type="submit" id="vote-button-{self.idea_id}"'
                f' aria-pressed="{"true" if self.voted else "false"}" aria-label="{e(self.label)}">\n'
                f'      {count}\n      <span class="word">{e(self.word)}</span>\n    </button>\n  </form>'
            )
        return Markup(f'<div class="vote" id="vote-{self.idea_id}">\n  {inner}\n</div>')


def vote_button(view: View, idea_id: int, voted: bool, vote_count: int, closed: bool) -> VoteButton:
    gettext = view.translations.gettext
    so_far = gettext(VOTE_BUTTON["so_far"]) % {"num": vote_count}
    label = f"{gettext(VOTE_BUTTON['withdraw' if voted else 'vote_for'])} ({so_far})"
    return VoteButton(
        idea_id=idea_id,
        action=view.url("idea_vote", idea_id=idea_id),
        count=view.formats.number(vote_count),
        voted=voted,
        closed=closed,
        label=label,
        word=gettext(VOTE_BUTTON["voted" if voted else "vote"]),
        closed_word=gettext(VOTE_BUTTON["closed"]),
    )


@dataclass(frozen=True, slots=True)
class Card:
    """One idea of the list as its card shows it, its words and dates made here (the template only
    reads attributes: cheaper per card than calling helpers from Jinja, bench/pages.py)."""

    idea: IdeaRead
    url: str
    status_label: str
    created_iso: str
    created_at: str
    comments: str
    attachments: str  # the paperclip's words; empty without attachments
    closed: bool
    vote: VoteButton
    author_team: str
    chips: list[tuple[str, str]]  # (address, words) of each service and tag


def _chips(names: Names, idea: IdeaRead) -> list[tuple[str, str]]:
    return [(f"/?service={quote(s)}", names.service(s)) for s in idea.services] + [
        (f"/?tag={quote(t)}", f"#{t}") for t in idea.tags
    ]


def _cards(view: View, ideas: list[IdeaRead], names: Names) -> list[Card]:
    fmt, translations = view.formats, view.translations
    return [
        Card(
            idea=idea,
            url=view.url("idea_page", idea_id=idea.id),
            status_label=view.label("status", idea.status),
            created_iso=fmt.iso(idea.created_at),
            created_at=fmt.short(idea.created_at),
            comments=translations.ngettext("%(num)d comment", "%(num)d comments", idea.comment_count)
            % {"num": idea.comment_count},
            attachments=translations.ngettext("%(num)d attachment", "%(num)d attachments", idea.attachment_count)
            % {"num": idea.attachment_count}
            if idea.attachment_count
            else "",
            closed=idea.status in CLOSED,
            vote=vote_button(view, idea.id, idea.voted, idea.vote_count, idea.status in CLOSED),
            author_team=names.team(idea.author.team) if idea.author.team else "",
            chips=_chips(names, idea),
        )
        for idea in ideas
    ]


LIST_FILTERS = ("q", "sort", "status", "team", "service", "tag", "campaign", "mine", "voted", "cursor")
SORTS = ("new", "top", "trending")


async def idea_list(view: View) -> web.Response:
    raw = {name: view.request.query[name] for name in LIST_FILTERS if view.request.query.get(name)}
    errors: dict[str, str] = {}
    query, errors = view.validate(IdeaQuery, raw)
    page = await listing.list_ideas(view.conn, viewer=view.employee.id, query=query) if query else None
    more = view.url("idea_list", query={**raw, "cursor": page.next_cursor}) if page and page.next_cursor else None
    context: dict[str, Any] = {
        "page": page,
        "cards": _cards(view, page.items, await view.names()) if page else [],
        "more": more,
        "filters": raw,
        "errors": errors,
        "sort": query.order if query else "new",
    }
    if view.htmx and view.request.query.get("cursor"):
        return await view.render("ideas/_more.html", **context)
    return await view.render("ideas/list.html", **context, statuses=list(TRANSITIONS))


async def service_cases_page(view: View) -> web.Response:
    raw = {name: view.request.query[name] for name in ("q", "cursor") if view.request.query.get(name)}
    query, _ = view.validate(CaseQuery, raw)
    page = await outcomes.cases(view.conn, slug=view.path["slug"], query=query or CaseQuery())
    more = view.url("service_cases_page", slug=view.path["slug"], query={**raw, "cursor": page.next_cursor})
    return await view.render(
        "ideas/cases.html",
        slug=view.path["slug"],
        page=page,
        q=raw.get("q", ""),
        more=more if page.next_cursor else None,
    )


async def similar_ideas_hint(view: View) -> web.Response:
    """Ideas like the title being typed on the post form (a fragment for htmx; nothing when the
    title is too short to compare)."""
    query, _ = view.validate(SimilarQuery, {"title": view.request.query.get("title", "")})
    similar = await listing.similar_ideas(view.conn, query) if query else []
    return await view.render("ideas/_similar.html", similar=similar)


async def idea_history_page(view: View) -> web.Response:
    idea_id = view.path["idea_id"]
    await moderation.require_visible_idea(view.conn, view.caller, idea_id)
    versions = await history.idea_versions(view.conn, idea_id)
    return await view.render(
        "ideas/history.html",
        versions=list(reversed(versions)),
        idea_id=idea_id,
        title=versions[-1].title,
        active="ideas",
    )


async def comment_history_page(view: View) -> web.Response:
    idea_id, comment_id = view.path["idea_id"], view.path["comment_id"]
    await moderation.require_visible_comment(view.conn, view.caller, idea_id, comment_id)
    versions = await history.comment_versions(view.conn, idea_id, comment_id)
    return await view.render(
        "ideas/history.html", versions=list(reversed(versions)), idea_id=idea_id, title=None, active="ideas"
    )
