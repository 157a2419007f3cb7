"""A team's channels page: its leads connect a Slack channel and a Teams channel, or disconnect them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from portal.chat import service
from portal.chat.schemas import ChatWrite
from portal.errors import ValidationFailed
from portal.http.forms import by_field
from portal.http.view import View
from portal.webhooks.addresses import AddressPolicy

FIELDS = {"slack": "slack_channel", "teams": "teams_webhook_url"}


async def team_channels(
    view: View, *, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    slug = view.path["slug"]
    return await view.render(
        "teams/channels.html",
        status=status,
        slug=slug,
        chat=await service.get_chat(view.conn, view.caller, slug=slug),
        slack_ready=bool(view.settings.slack_bot_token),
        errors=errors or {},
        values=values or {},
        active=f"inbox:{slug}",
    )


async def channels_save(view: View) -> web.Response:
    """One kind at a time: connect the channel given, or disconnect (`disconnect=1`)."""
    field = FIELDS.get(view.field("kind"), "slack_channel")
    value = None if view.field("disconnect") == "1" else view.field(field)
    values = {field: value}
    data, errors = view.validate(ChatWrite, values)
    if data is None:
        return await team_channels(view, errors=errors, values=values, status=422)
    try:
        await service.connect(
            view.conn,
            view.caller,
            slug=view.path["slug"],
            data=data,
            encryption_key=view.settings.encryption_key,
            policy=AddressPolicy.from_settings(view.settings),
        )
    except ValidationFailed as failed:  # an address the guard refuses
        return await team_channels(view, errors=by_field(failed, view.gettext), values=values, status=422)
    done = "disconnected" if value is None else "connected"
    return view.redirect(view.url("team_channels", slug=view.path["slug"]), done=done)
