"""Idea and comment bodies: CommonMark rendered by markdown-it-py with raw HTML off, then
sanitised by nh3 (Ammonia) to an allow-list, so no text an employee writes can inject markup."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "img",
}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "img": {"src", "alt", "title"}}
# Images only from the portal's own attachments (an uploaded image's thumbnail, or the image).
_ATTACHED = re.compile(r"^/attachments/[0-9]{1,18}(/thumbnail)?$")


def _only_attached_images(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not _ATTACHED.match(value):
        return None
    return value


# Comments and most bodies are short and shown again and again; a long body is rendered each time,
# so the cache holds at most CACHED entries of at most CACHED_LENGTH characters (about 25 MB with
# their HTML), whatever people write.
CACHED = 4096
CACHED_LENGTH = 2000


def render(text: str) -> Markup:
    return _render_cached(text) if len(text) <= CACHED_LENGTH else _render(text)


@lru_cache(maxsize=CACHED)
def _render_cached(text: str) -> Markup:
    return _render(text)


def _render(text: str) -> Markup:
    html = _MARKDOWN.render(text)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        attribute_filter=_only_attached_images,
    )
    return Markup(clean)
