"""Outcome notes and the case library: when an idea is done, a lead of its provider team writes
what they changed and what it saved; the done ideas of a service, with their notes, "did this
solve it?" results and thanks, are the material to learn from."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import Conflict, Forbidden, IdeaNotFound, NotFound
from portal.events import outbox
from portal.schemas import Input, Output, Page, Query, Trimmed

SET_NOTE = """
UPDATE ideas SET outcome_note = $2, outcome_noted_at = now(), outcome_noted_by = $3 WHERE id = $1
"""
IDEA_STATUS = "SELECT status FROM ideas WHERE id = $1 FOR NO KEY UPDATE"

# Done ideas concerning service $1, newest done first, matching words $2 (NULL: all) in their
# title, text, tags or outcome note; $3 the cursor (an idea id), $4 the limit.
CASES = """
SELECT i.id, i.title, i.outcome_note, i.outcome_noted_at,
       (SELECT max(changed_at) FROM idea_status_changes h WHERE h.idea_id = i.id AND h.to_status = 'done') AS done_at,
       (SELECT count(*) FROM votes v WHERE v.idea_id = i.id)::int AS votes,
       (SELECT count(*) FROM thanks t WHERE t.idea_id = i.id AND t.public)::int AS thanks,
       (SELECT r.results FROM survey_rounds r WHERE r.idea_id = i.id AND r.kind = 'solved' AND r.closed_at IS NOT NULL
        ORDER BY r.id DESC LIMIT 1) AS solved
FROM ideas i
WHERE i.status = 'done'
  AND EXISTS (SELECT 1 FROM idea_services x WHERE x.idea_id = i.id AND x.service_id = $1)
  AND ($2::text IS NULL OR i.search @@ idea_search_query($2)
       OR idea_search_document('', coalesce(i.outcome_note, ''), '{}') @@ idea_search_query($2))
  AND ($3::bigint IS NULL OR i.id < $3)
ORDER BY i.id DESC
LIMIT $4
"""


class OutcomeWrite(Input):
    note: Annotated[str, Trimmed(min_length=1, max_length=5000)] = Field(
        description="What the provider changed, and what it saved (Markdown)."
    )


class CaseQuery(Query):
    q: Annotated[str, Trimmed(min_length=1, max_length=200)] | None = Field(None, description="Words to find.")
    cursor: str | None = Field(None, pattern=r"^[0-9]{1,19}$")
    limit: int = Field(20, ge=1, le=100)


class Case(Output):
    id: int
    title: str
    outcome_note: str | None
    outcome_noted_at: datetime | None
    done_at: datetime | None
    votes: int
    thanks: int
    solved: dict[str, Any] | None = Field(description='Results of the last "did this solve it?" round, once closed.')


class CasePage(Page):
    items: list[Case]


async def note_outcome(conn: Connection, caller: Caller, *, idea_id: int, data: OutcomeWrite) -> None:
    """A done idea's outcome, written (or rewritten) by a lead of its provider team or an admin."""
    from portal.ideas.service import leads_a_provider

    author = caller.require_employee()
    status = await conn.fetchval(IDEA_STATUS, idea_id)
    if status is None:
        raise IdeaNotFound(idea_id)
    if not author.is_admin and not await leads_a_provider(conn, caller, idea_id=idea_id):
        raise Forbidden("only a lead of a provider team this idea concerns, or an admin, may note its outcome")
    if status != "done":
        raise Conflict("an outcome is noted once the idea is done", current_status=status)
    await conn.execute(SET_NOTE, idea_id, data.note, author.id)
    await outbox.record(conn, "idea.outcome_noted", f"ideas/{idea_id}", {"id": idea_id, "note": data.note})


async def cases(conn: Connection, *, slug: str, query: CaseQuery) -> CasePage:
    service_id = await conn.fetchval("SELECT id FROM services WHERE slug = $1", slug)
    if service_id is None:
        raise NotFound(f"no service {slug!r}")
    cursor = int(query.cursor) if query.cursor else None
    rows = await conn.fetch(CASES, service_id, query.q, cursor, query.limit + 1)
    items = [Case.model_validate(dict(row)) for row in rows[: query.limit]]
    return CasePage(items=items, next_cursor=str(items[-1].id) if len(rows) > query.limit else None)
