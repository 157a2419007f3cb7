"""Edit history: each edit of an idea or a comment keeps the version it replaced (who replaced it,
when), and the differences between versions are shown word by word. An edit of an idea after
votes were cast that changes its title or body substantially is said so in its event, so its
voters hear of it (portal.notifications, kind idea_edited)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from typing import Literal

from portal.db import Connection, fetch_row
from portal.errors import IdeaNotFound, NotFound

# Below this similarity (of the words, 0-1) a title or body counts as substantially changed.
SIMILAR = 0.8
TOKENS = re.compile(r"\s+|[^\s]+")

REVISE_IDEA = """
INSERT INTO idea_revisions (idea_id, version, title, body, tags, replaced_by, substantial)
SELECT $1, coalesce((SELECT max(version) FROM idea_revisions WHERE idea_id = $1), 0) + 1, $4, $5, $6, $2, $3
"""
REVISE_COMMENT = """
INSERT INTO comment_revisions (comment_id, version, body, replaced_by)
SELECT $1, coalesce((SELECT max(version) FROM comment_revisions WHERE comment_id = $1), 0) + 1, c.body, $2
FROM comments c WHERE c.id = $1
"""
FORGET_COMMENT = "DELETE FROM comment_revisions WHERE comment_id = $1"
COMMENT_BODY = "SELECT body FROM comments WHERE id = $1"
IDEA_TEXT = """
SELECT i.title, i.body, i.tags, i.created_at, a.name AS author_name
FROM ideas i JOIN employees a ON a.id = i.author_id WHERE i.id = $1
"""
CURRENT_TEXT = "SELECT title, body, tags FROM ideas WHERE id = $1"
COMMENT_TEXT = """
SELECT c.body, c.created_at, a.name AS author_name
FROM comments c JOIN employees a ON a.id = c.author_id
WHERE c.id = $1 AND c.idea_id = $2 AND c.deleted_at IS NULL
"""
IDEA_VERSIONS = """
SELECT r.version, r.title, r.body, r.tags, r.replaced_at, e.name AS replaced_by_name
FROM idea_revisions r LEFT JOIN employees e ON e.id = r.replaced_by
WHERE r.idea_id = $1 ORDER BY r.version
"""
COMMENT_VERSIONS = """
SELECT r.version, r.body, r.replaced_at, e.name AS replaced_by_name
FROM comment_revisions r LEFT JOIN employees e ON e.id = r.replaced_by
WHERE r.comment_id = $1 ORDER BY r.version
"""


def similar(old: str, new: str) -> float:
    return SequenceMatcher(None, old.split(), new.split(), autojunk=False).ratio() if old != new else 1.0


async def revise_idea(
    conn: Connection, idea_id: int, *, editor_id: int, title: str | None, body: str | None, tags: list[str] | None
) -> bool | None:
    """Keeps the idea's current version before an edit changes it (the idea's row locked by the
    caller). None: the edit changes nothing of its text; else whether it is substantial. The
    edit's own statement marks the idea edited."""
    current = await fetch_row(conn, CURRENT_TEXT, idea_id)
    new_title = current["title"] if title is None else title
    new_body = current["body"] if body is None else body
    new_tags = current["tags"] if tags is None else tags
    if (new_title, new_body, list(new_tags)) == (current["title"], current["body"], list(current["tags"])):
        return None
    substantial = similar(current["title"], new_title) < SIMILAR or similar(current["body"], new_body) < SIMILAR
    await conn.execute(REVISE_IDEA, idea_id, editor_id, substantial, current["title"], current["body"], current["tags"])
    return substantial


async def forget_comment(conn: Connection, comment_id: int) -> None:
    await conn.execute(FORGET_COMMENT, comment_id)


async def revise_comment(conn: Connection, comment_id: int, *, editor_id: int, body: str) -> bool:
    """Keeps the comment's current version before an edit changes it; whether it changed (the
    edit's own statement then marks the comment edited)."""
    if await conn.fetchval(COMMENT_BODY, comment_id) == body:
        return False
    await conn.execute(REVISE_COMMENT, comment_id, editor_id)
    return True


Change = Literal["same", "added", "removed"]


@dataclass(frozen=True)
class Piece:
    change: Change
    text: str


def differences(old: str, new: str) -> list[Piece]:
    """`new` against `old`, word by word (spaces kept): what stayed, was added or was removed."""
    before, after = TOKENS.findall(old), TOKENS.findall(new)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(before[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(after[j1:j2])))
    return pieces


@dataclass(frozen=True)
class Version:
    number: int
    title: str | None  # None for a comment
    body: str
    tags: list[str]
    since: datetime  # when this version was written
    by: str | None  # who wrote this version (the author for the first)
    title_changes: list[Piece]  # against the version before (empty for the first)
    body_changes: list[Piece]


def _versions(
    texts: list[tuple[str | None, str, list[str]]], since: list[datetime], by: list[str | None]
) -> list[Version]:
    versions = []
    for n, (title, body, tags) in enumerate(texts):
        previous = texts[n - 1] if n else None
        versions.append(
            Version(
                number=n + 1,
                title=title,
                body=body,
                tags=list(tags),
                since=since[n],
                by=by[n],
                title_changes=differences(previous[0] or "", title or "") if previous else [],
                body_changes=differences(previous[1], body) if previous else [],
            )
        )
    return versions


async def idea_versions(conn: Connection, idea_id: int) -> list[Version]:
    """Every version of the idea, oldest first, the current one last, each with its differences
    from the one before."""
    current = await conn.fetchrow(IDEA_TEXT, idea_id)
    if current is None:
        raise IdeaNotFound(idea_id)
    rows = await conn.fetch(IDEA_VERSIONS, idea_id)
    texts = [(r["title"], r["body"], r["tags"]) for r in rows] + [(current["title"], current["body"], current["tags"])]
    since = [current["created_at"]] + [r["replaced_at"] for r in rows]
    return _versions(texts, since, [current["author_name"]] + [r["replaced_by_name"] for r in rows])


async def comment_versions(conn: Connection, idea_id: int, comment_id: int) -> list[Version]:
    """Every version of a comment (not a deleted one's), oldest first, the current one last."""
    current = await conn.fetchrow(COMMENT_TEXT, comment_id, idea_id)
    if current is None:
        raise NotFound(f"no comment {comment_id} on idea {idea_id}")
    rows = await conn.fetch(COMMENT_VERSIONS, comment_id)
    texts: list[tuple[str | None, str, list[str]]] = [(None, r["body"], []) for r in rows] + [
        (None, current["body"], [])
    ]
    since = [current["created_at"]] + [r["replaced_at"] for r in rows]
    return _versions(texts, since, [current["author_name"]] + [r["replaced_by_name"] for r in rows])
