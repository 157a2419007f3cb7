"""A team's chat channels: connected by its leads or admins; which events reach them."""

from __future__ import annotations

from yarl import URL

from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.chat import queries as q
from portal.chat.schemas import ChatRead, ChatWrite, SlackChannelRead, TeamsChannelRead
from portal.db import Connection
from portal.errors import ValidationFailed
from portal.events import outbox
from portal.lookups import require_lead_or_admin, team_id_by_slug
from portal.webhooks.addresses import AddressPolicy
from portal.webhooks.service import secret_box
from portal.webhooks.urls import destination_refusal


async def _require_lead_or_admin(conn: Connection, caller: Caller, slug: str) -> int:
    """The team's id, if the caller leads it or is an admin (who connect its channels)."""
    team_id = await team_id_by_slug(conn, slug)
    await require_lead_or_admin(conn, caller, team_id, slug)
    return team_id


async def _read(conn: Connection, team_id: int, slug: str) -> ChatRead:
    rows = {row["kind"]: dict(row) for row in await conn.fetch(q.CONNECTIONS, team_id)}
    slack, teams = rows.get("slack"), rows.get("teams")
    return ChatRead(
        team=slug,
        slack=SlackChannelRead.model_validate(slack) if slack else None,
        teams=TeamsChannelRead.model_validate(teams) if teams else None,
    )


async def get_chat(conn: Connection, caller: Caller, *, slug: str) -> ChatRead:
    return await _read(conn, await _require_lead_or_admin(conn, caller, slug), slug)


async def connect(
    conn: Connection,
    caller: Caller,
    *,
    slug: str,
    data: ChatWrite,
    encryption_key: str | None,
    policy: AddressPolicy,
) -> ChatRead:
    team_id = await _require_lead_or_admin(conn, caller, slug)
    before = await _read(conn, team_id, slug)
    by = caller.require_employee().id
    given = data.model_fields_set
    if "teams_webhook_url" in given and data.teams_webhook_url is not None:
        url = data.teams_webhook_url
        host = URL(url).host or ""
        reason = destination_refusal(url, policy)
        if not reason and URL(url).scheme != "https" and not policy.allowed_by_operator(host):
            reason = "a Teams webhook URL is https"
        if reason:
            raise ValidationFailed([{"field": "teams_webhook_url", "type": "address", "message": reason}])
        encrypted = secret_box(encryption_key).encrypt(url)
        await conn.execute(q.CONNECT_TEAMS, team_id, encrypted, host, by)
    if "slack_channel" in given and data.slack_channel is not None:
        await conn.execute(q.CONNECT_SLACK, team_id, data.slack_channel, by)
    removed = [
        kind
        for kind, field in (("slack", "slack_channel"), ("teams", "teams_webhook_url"))
        if field in given and getattr(data, field) is None
    ]
    if removed:
        await conn.execute(q.DISCONNECT, team_id, removed)
    after = await _read(conn, team_id, slug)
    await audit.act(conn, caller, "team.channels_changed", f"teams/{slug}", before=before, after=after)
    return after


async def disconnect(conn: Connection, caller: Caller, *, slug: str) -> None:
    team_id = await _require_lead_or_admin(conn, caller, slug)
    before = await _read(conn, team_id, slug)
    await conn.execute(q.DISCONNECT, team_id, ["slack", "teams"])
    await audit.act(conn, caller, "team.channels_changed", f"teams/{slug}", before=before, after=None)


async def create_for_events(conn: Connection, event_ids: list[int]) -> list[int]:
    """The messages a relayed batch makes for the connected channels (once per event each)."""
    return [row["id"] for row in await conn.fetch(q.CREATE_FOR_EVENTS, event_ids)]


async def disable(conn: Connection, connection_id: int, reason: str) -> bool:
    """Stops a connection whose channel is gone or refuses the app; its team's leads are told."""
    row = await conn.fetchrow(q.DISABLE, connection_id, reason[:500])
    if row is None:
        return False
    await outbox.record(
        conn,
        "chat.disabled",
        f"teams/{row['team']}",
        {"team": row["team"], "kind": row["kind"], "reason": reason[:500]},
    )
    return True


async def disable_failing(conn: Connection, *, after_hours: float) -> int:
    rows = await conn.fetch(q.DISABLE_FAILING, after_hours * 3600)
    for row in rows:
        await disable(conn, row["id"], f"every message failed for {after_hours:g} hours")
    return len(rows)
