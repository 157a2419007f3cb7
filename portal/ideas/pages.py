"""The idea pages: list, one idea, post and edit, vote, comment, and a lead's status change.

Every page calls the same domain functions as the JSON API and validates with the same models;
with JavaScript a vote or comment swaps one fragment (htmx), without it the form posts and the
browser is redirected back (303).
"""

from __future__ import annotations

import re
from html import escape as text
from typing import Any
from urllib.parse import quote

from aiohttp import web
from markupsafe import Markup

from portal.http.view import View
from portal.ideas import history, listing, outcomes
from portal.ideas.outcomes import CaseQuery
from portal.ideas.schemas import IdeaQuery, IdeaRead, SimilarQuery
from portal.lookups import Names
from portal.moderation import service as moderation
from portal.vocabulary import VOTE_BUTTON
from portal.workflow import TRANSITIONS

CLOSED = ("done", "declined", "duplicate")
URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]+")  # what quote() would leave as it is


class VoteButtons:
    """The vote buttons of one page as HTML: their words, address and form token looked up once,
    then a button per idea. Made here rather than by a Jinja macro: a list page has twenty, and a
    macro call cost more than the rest of a card (bench/pages.py, profiled)."""

    def __init__(self, view: View, next_path: str | None = None) -> None:
        gettext = view.gettext
        self.words = {key: gettext(message) for key, message in VOTE_BUTTON.items()}
        self.escaped = {key: text(word) for key, word in self.words.items()}
        self.action = view.id_url("idea_vote")
        token, back = text(view.session.csrf_token if view.session else ""), text(next_path or view.here)
        # What every button's form carries, made once for the page.
        self.hidden = (
            f'<input type="hidden" name="csrf_token" value="{token}">\n'
            f'<input type="hidden" name="next" value="{back}">\n'
        )
        self.number = view.formats.number

    def html(self, idea_id: int, voted: bool, vote_count: int, closed: bool) -> str:
        """The button as HTML (a plain string: a list joins twenty before marking them safe once)."""
        count = f'<span class="count" data-vote-count="{idea_id}">{self.number(vote_count)}</span>'
        if closed:
            inner = f'{count}\n<span class="closed">{self.escaped["closed"]}</span>'
        else:
            action, so_far = self.action(idea_id=idea_id), self.words["so_far"] % {"num": vote_count}
            label = text(f"{self.words['withdraw' if voted else 'vote_for']} ({so_far})")
            inner = (
                f'<form method="post" action="{action}" hx-post="{action}" hx-target="#vote-{idea_id}"'
                f' hx-swap="outerHTML">\n{self.hidden}'
                f'<input type="hidden" name="action" value="{"withdraw" if voted else "cast"}">\n'
                f'<button type="submit" id="vote-button-{idea_id}"'
                f' aria-pressed="{"true" if voted else "false"}" aria-label="{label}">\n'
                f'{count}\n<span class="word">{self.escaped["voted" if voted else "vote"]}</span>\n'
                "</button>\n</form>"
            )
        return f'<div class="vote" id="vote-{idea_id}">\n{inner}\n</div>'


def vote_button(
    view: View, idea_id: int, voted: bool, vote_count: int, closed: bool, next_path: str | None = None
) -> Markup:
    """One idea's vote button (the idea page's, or the one a vote swaps in)."""
    return Markup(VoteButtons(view, next_path).html(idea_id, voted, vote_count, closed))


class _CardParts:
    """What the cards of one page repeat, each made once: status badges, counted words, chips."""

    def __init__(self, view: View, names: Names) -> None:
        self.view, self.names, self.ngettext = view, names, view.translations.ngettext
        self.made: dict[tuple[str, str | int], str] = {}

    def status(self, value: str) -> str:
        key = ("status", value)
        if key not in self.made:  # the workflow's own words (validated): safe as a class name
            self.made[key] = f'<span class="badge {value}">{text(self.view.label("status", value))}</span>'
        return self.made[key]

    def count(self, singular: str, plural: str, number: int) -> str:
        key = (singular, number)
        if key not in self.made:
            self.made[key] = text(self.ngettext(singular, plural, number) % {"num": number})
        return self.made[key]

    def chip(self, kind: str, slug: str) -> str:
        key = (kind, slug)
        if key not in self.made:  # quote() leaves nothing HTML would read as markup
            words = self.names.service(slug) if kind == "service" else f"#{slug}"
            query = slug if URL_SAFE.fullmatch(slug) else quote(slug)
            self.made[key] = f'<li><a class="chip" href="/?{kind}={query}">{text(words)}</a></li>'
        return self.made[key]


def _cards(view: View, ideas: list[IdeaRead], names: Names) -> Markup:
    """The list's cards as HTML, made here rather than by a loop in Jinja: twenty cards of a dozen
    values each, where Jinja's attribute lookup and escaping per value cost more than the rest of
    the page (bench/pages.py, profiled)."""
    fmt, e, parts = view.formats, text, _CardParts(view, names)
    idea_url, votes = view.id_url("idea_page"), VoteButtons(view)
    former, chips_label = e(view.gettext("former employee")), e(view.gettext("Tags and services"))
    cards = []
    for idea in ideas:
        author = e(idea.author.name)
        if idea.author.team:
            author += f" ({e(names.team(idea.author.team))})"
        if idea.author.former:
            author += f" ({former})"
        iso, created = fmt.moment(idea.created_at)
        meta = (
            f"{parts.status(idea.status)}\n<span>{author}</span>\n"
            f'<span><time datetime="{iso}">{e(created)}</time></span>\n'
            f"<span>{parts.count('%(num)d comment', '%(num)d comments', idea.comment_count)}</span>"
        )
        if idea.attachment_count:
            attached = parts.count("%(num)d attachment", "%(num)d attachments", idea.attachment_count)
            meta += f'\n<span class="attachments"><span aria-hidden="true">&#x1F4CE;</span> {attached}</span>'
        chips = "".join([parts.chip("service", s) for s in idea.services] + [parts.chip("tag", t) for t in idea.tags])
        if chips:
            chips = f'\n<ul class="chips" aria-label="{chips_label}">{chips}</ul>'
        vote = votes.html(idea.id, idea.voted, idea.vote_count, idea.status in CLOSED)
        cards.append(
            f'<li class="card idea-card">\n{vote}\n<div>\n'
            f'<h2><a href="{idea_url(idea_id=idea.id)}">{e(idea.title)}</a></h2>\n'
            f'<div class="meta">\n{meta}\n</div>{chips}\n</div>\n</li>'
        )
    return Markup("\n".join(cards))


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
        "cards": _cards(view, page.items, await view.names()) if page else Markup(),
        "shown": ",".join(str(idea.id) for idea in page.items) if page else "",
        "more": more,
        "filters": raw,
        "errors": errors,
        "sort": query.order if query else "new",
    }
    if view.htmx and view.request.query.get("cursor"):
        return await view.render("ideas/_more.html", **context)
    return await view.render(
        "ideas/list.html",
        **context,
        q=raw.get("q", ""),
        kept=[(name, raw[name]) for name in ("status", "team", "service", "tag", "mine", "voted") if name in raw],
        tabs=_tabs(view, raw, context["sort"]),
        filtered=any(name in raw for name in ("status", "team", "service", "tag")),
        statuses=[(status, view.label("status", status)) for status in TRANSITIONS],
    )


def _tabs(view: View, raw: dict[str, str], sort: str) -> list[tuple[str, str, bool]]:
    """The list's tabs: (address, words, whether it is this page) of each order, then the
    reader's own ideas and votes."""
    orders = SORTS + (("relevance",) if raw.get("q") else ())
    return [
        (view.url("idea_list", query={**raw, "sort": order, "cursor": None}), view.label("sort", order), sort == order)
        for order in orders
    ] + [
        (view.url("idea_list", query={"mine": "true"}), view.gettext("My ideas"), "mine" in raw),
        (view.url("idea_list", query={"voted": "true"}), view.gettext("My votes"), "voted" in raw),
    ]


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
