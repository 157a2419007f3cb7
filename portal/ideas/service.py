"""Ideas: posting, editing, reading, and the status workflow."""

from __future__ import annotations

from dataclasses import dataclass

from portal.attachments import service as attachments
from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import Conflict, Forbidden, IdeaNotFound, ValidationFailed
from portal.events import outbox
from portal.ideas import history, merge_queries, merging, rankings
from portal.ideas import queries as q
from portal.ideas.schemas import (
    ConcernedTeam,
    IdeaCreate,
    IdeaDetail,
    IdeaUpdate,
    StatusChange,
    StatusChangeRead,
)
from portal.locks import lock_idea
from portal.lookups import ids_by_slug, leads_any
from portal.moderation import service as moderation
from portal.workflow import allowed


async def _link_concerns(conn: Connection, idea_id: int, services: list[str], teams: list[ConcernedTeam]) -> None:
    service_ids = await ids_by_slug(conn, q.SERVICES_BY_SLUG, services, "services", "service")
    team_ids = await ids_by_slug(conn, q.TEAMS_BY_SLUG, [t.team for t in teams], "teams", "team", ".team")
    await conn.execute(q.LINK_SERVICES, idea_id, service_ids)
    await conn.execute(q.LINK_TEAMS, idea_id, team_ids, [t.role for t in teams])


async def get_idea(conn: Connection, *, idea_id: int, viewer: int | None, reader: Caller | None = None) -> IdeaDetail:
    """The idea; a hidden one only for its author and the moderators when read for `reader`."""
    row = await conn.fetchrow(q.IDEA_BY_ID, viewer, idea_id)
    if row is None:
        raise IdeaNotFound(idea_id)
    note = None
    if row["hidden"] and reader is not None:
        note = await moderation.hidden_note(conn, reader, kind="idea", item_id=idea_id, author_id=row["author"]["id"])
        if note is None:
            raise IdeaNotFound(idea_id)
    history = [StatusChangeRead.model_validate(dict(h)) for h in await conn.fetch(q.STATUS_HISTORY, idea_id)]
    return IdeaDetail.model_validate({**dict(row), "status_history": history, "moderation": note})


async def create_idea(
    conn: Connection,
    caller: Caller,
    data: IdeaCreate,
    *,
    campaign_id: int | None = None,
    attachments_per_item: int = attachments.PER_ITEM,
) -> IdeaDetail:
    """Posts the idea (into `campaign_id`, whose scope the caller added: portal.actions.posting),
    with the author's uploads its text refers to."""
    author = caller.require_employee()
    idea_id = await conn.fetchval(q.INSERT_IDEA, author.id, data.title, data.body, data.tags, campaign_id)
    await _link_concerns(conn, idea_id, data.services, data.teams)
    attached = await attachments.link(
        conn, text=data.body, editor_id=author.id, idea_id=idea_id, per_item=attachments_per_item
    )
    await outbox.record(
        conn,
        "idea.created",
        f"ideas/{idea_id}",
        {
            "id": idea_id,
            "title": data.title,
            "tags": data.tags,
            "services": data.services,
            "teams": [t.model_dump() for t in data.teams],
            "author": {"id": author.id, "team": author.team_slug},
            "campaign": data.campaign,
            "attachments": attached,
        },
    )
    return await get_idea(conn, idea_id=idea_id, viewer=author.id)


async def update_idea(
    conn: Connection,
    caller: Caller,
    *,
    idea_id: int,
    data: IdeaUpdate,
    attachments_per_item: int = attachments.PER_ITEM,
) -> IdeaDetail:
    editor = caller.require_employee()
    current = await lock_idea(conn, idea_id)
    if current["author_id"] != editor.id and not editor.is_admin:
        raise Forbidden("only the idea's author or an admin may edit it")
    if current["status"] != "open":
        raise Conflict(
            f"the idea is {current['status']}; only open ideas can be edited", current_status=current["status"]
        )
    substantial = await history.revise_idea(
        conn, idea_id, editor_id=editor.id, title=data.title, body=data.body, tags=data.tags
    )
    await conn.execute(q.UPDATE_IDEA, idea_id, data.title, data.body, data.tags, substantial is not None)
    changes: dict[str, object] = {"substantial": bool(substantial)}
    if data.body is not None:  # the text decides which attachments the idea keeps
        await attachments.link(
            conn, text=data.body, editor_id=editor.id, idea_id=idea_id, per_item=attachments_per_item
        )
        changes["attachments"] = [
            a.model_dump(include={"id", "name", "content_type", "size", "url"})
            for a in await attachments.of_idea(conn, idea_id)
        ]
    concerns_changed = data.services is not None or data.teams is not None
    if concerns_changed:
        before = await get_idea(conn, idea_id=idea_id, viewer=None)
        await conn.execute(q.UNLINK_SERVICES, idea_id)
        await conn.execute(q.UNLINK_TEAMS, idea_id)
        await _link_concerns(
            conn,
            idea_id,
            data.services if data.services is not None else before.services,
            data.teams if data.teams is not None else [ConcernedTeam(team=t.team, role=t.role) for t in before.teams],
        )
    await outbox.record(
        conn,
        "idea.updated",
        f"ideas/{idea_id}",
        {
            "id": idea_id,
            "changed": sorted(data.model_fields_set),
            "concerns_changed": concerns_changed,
            "by": editor.id,
            **changes,
        },
    )
    return await get_idea(conn, idea_id=idea_id, viewer=editor.id)


async def leads_a_provider(conn: Connection, caller: Caller, *, idea_id: int) -> bool:
    """Whether the caller leads a provider team of the idea (who may move it through the workflow)."""
    providers = [row["team_id"] for row in await conn.fetch(q.PROVIDER_TEAMS, idea_id)]
    return await leads_any(conn, caller, providers)


async def _merge_partner(conn: Connection, idea_id: int, change: StatusChange) -> int | None:
    """The other idea a status change merges into or out of (read before locking, to lock both
    in order first; checked again once locked)."""
    if change.status == "duplicate" and change.duplicate_of is not None:
        if not await conn.fetchval(q.IDEA_EXISTS, change.duplicate_of):
            return None
        return await merging.root_of(conn, change.duplicate_of)
    if change.status == "open" and await conn.fetchval(q.IDEA_STATUS, idea_id) == "duplicate":
        active = await conn.fetchrow(merge_queries.ACTIVE_MERGE, idea_id)
        return await merging.root_of(conn, active["into_idea_id"]) if active else None
    return None


async def _check_status_change(
    conn: Connection, caller: Caller, idea_id: int, status: str, change: StatusChange
) -> None:
    if not caller.is_admin and not await leads_a_provider(conn, caller, idea_id=idea_id):
        raise Forbidden("only a lead of a provider team this idea concerns, or an admin, may change its status")
    if not allowed(status, change.status):
        raise Conflict(f"cannot move an idea from {status} to {change.status}", current_status=status)
    if change.duplicate_of is not None and (
        change.duplicate_of == idea_id or not await conn.fetchval(q.IDEA_EXISTS, change.duplicate_of)
    ):
        raise ValidationFailed(
            [{"field": "duplicate_of", "type": "unknown_idea", "message": "must name another existing idea"}]
        )


@dataclass(frozen=True)
class StatusChanged:
    """What a status change did, for what follows it (portal.actions.statuses)."""

    idea_id: int
    to: str
    merged_with: int | None  # the other idea of a merge or an undone merge
    by: int


async def change_status(conn: Connection, caller: Caller, *, idea_id: int, change: StatusChange) -> StatusChanged:
    """Moves the idea through the workflow (a lead of a provider team, or an admin); marking a
    duplicate merges it, moving a duplicate back to open undoes the merge."""
    actor = caller.require_employee()
    partner = await _merge_partner(conn, idea_id, change)
    if partner is not None:
        await merging.lock_pair(conn, idea_id, partner)
    current = await lock_idea(conn, idea_id)
    await _check_status_change(conn, caller, idea_id, current["status"], change)
    root = None
    if change.status == "duplicate" and change.duplicate_of is not None:
        root = await merging.resolve_target(conn, idea_id=idea_id, duplicate_of=change.duplicate_of)
        if root != partner:  # the chain changed before the locks were taken
            await merging.lock_pair(conn, idea_id, root)
    await conn.execute(q.SET_STATUS, idea_id, change.status, change.duplicate_of)
    await conn.execute(q.RECORD_STATUS_CHANGE, idea_id, current["status"], change.status, change.reason, actor.id)
    if root is not None:
        await merging.merge(conn, idea_id=idea_id, root=root, by=actor.id)
        await audit.act(conn, caller, "idea.merged", f"ideas/{idea_id}", after={"into": root, "reason": change.reason})
    elif current["status"] == "duplicate":
        root = await merging.unmerge(conn, idea_id=idea_id, by=actor.id)
        await audit.act(
            conn, caller, "idea.unmerged", f"ideas/{idea_id}", before={"into": root}, after={"reason": change.reason}
        )
    await outbox.record(
        conn,
        "idea.status_changed",
        f"ideas/{idea_id}",
        {
            "id": idea_id,
            "from": current["status"],
            "to": change.status,
            "reason": change.reason,
            "duplicate_of": change.duplicate_of,
            "by": actor.id,
        },
    )
    if root is not None:  # both ideas' ranking includes the moved votes at once
        await rankings.refresh(conn, [idea_id, root])  # lock_pair holds the ranking clock
    return StatusChanged(idea_id=idea_id, to=change.status, merged_with=root, by=actor.id)
