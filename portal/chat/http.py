"""Slack's requests to the portal (the app's manifest, deploy/slack/manifest.yml, points at them):
slash commands, interactivity (buttons and modals) and events (link unfurls, URL verification).

Each is verified first: slack_sdk's v0 signature over the raw body with the signing secret, and a
timestamp within five minutes; anything else is 401 before it is read. The person is who Slack says
pressed or typed (portal.chat.slack.person), and every action runs under their permissions in one
transaction, as the portal's own forms do. Slack waits 3 seconds for an answer: none of these
calls more than two Slack methods.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from portal.auth.caller import Caller
from portal.chat import slack as actions
from portal.chat.delivery import slack_client
from portal.config import public_base
from portal.db import Connection, transaction
from portal.errors import InvalidToken, MalformedRequest, PortalError
from portal.http.keys import POOL, SETTINGS
from portal.webhooks.service import NotConfigured

log = logging.getLogger("portal.chat")
SLACK: web.AppKey[AsyncWebClient | None] = web.AppKey("slack")
ANSWER_FIELDS = {"decision": "decision", "message": "message"}
IDEA_FIELDS = {"title": "title", "body": "body", "services": "services"}


async def slack_context(app: web.Application) -> AsyncIterator[None]:
    """The Web API client inbound requests answer through (users.info, views.open...), when set."""
    settings = app[SETTINGS]
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.webhook_timeout_seconds))
    app[SLACK] = slack_client(
        settings.slack_bot_token, settings.slack_api_url, session, settings.webhook_timeout_seconds
    )
    yield
    await session.close()


async def _verified(request: web.Request) -> tuple[bytes, AsyncWebClient]:
    secret, slack = request.app[SETTINGS].slack_signing_secret, request.app[SLACK]
    if not secret or slack is None:
        raise NotConfigured("Slack is not set up: PORTAL_SLACK_SIGNING_SECRET and PORTAL_SLACK_BOT_TOKEN")
    body = await request.read()
    try:
        valid = SignatureVerifier(secret).is_valid_request(body, dict(request.headers))
    except (ValueError, TypeError):  # a timestamp that is not a number
        valid = False
    if not valid:
        raise InvalidToken("not signed by Slack: a v0 signature of the body, timestamped within 5 minutes, is needed")
    return body, slack


def _form(body: bytes) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()}


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise MalformedRequest("the payload is not JSON") from None
    if not isinstance(value, dict):
        raise MalformedRequest("the payload is not a JSON object")
    return value


def _as(email: str, work: Callable[[Connection, Caller], Awaitable[Any]]) -> Callable[[Connection], Awaitable[Any]]:
    """`work` done as the employee with this address, checked in the same transaction."""

    async def run(conn: Connection) -> Any:
        return await work(conn, await actions.person(conn, email))

    return run


async def _tell(slack: AsyncWebClient, payload: dict[str, Any], text: str) -> None:
    """An ephemeral message to the person who pressed, in the channel they pressed in."""
    channel = (payload.get("channel") or {}).get("id")
    if not channel:
        return
    try:
        await slack.chat_postEphemeral(channel=channel, user=payload["user"]["id"], text=text)
    except SlackApiError as exc:
        log.warning("could not answer in Slack", extra={"fields": {"error": exc.response.get("error")}})


async def _open(slack: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> None:
    try:
        await slack.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:  # an expired trigger (3 s): the person presses again
        log.warning("could not open a Slack modal", extra={"fields": {"error": exc.response.get("error")}})


async def commands(request: web.Request) -> web.StreamResponse:
    """`/idea` opens the modal to post an idea; `/idea <words>` answers the best matches."""
    body, slack = await _verified(request)
    form = _form(body)
    pool, text = request.app[POOL], form.get("text", "").strip()
    try:
        email = await actions.slack_email(slack, form.get("user_id", ""))
        if text:
            base = public_base(request.app[SETTINGS])
            found = await transaction(
                pool, _as(email, lambda conn, caller: actions.search(conn, caller, text, base)), readonly=True
            )
            return web.json_response(found)
        view = await transaction(pool, _as(email, lambda conn, caller: actions.idea_view(conn)), readonly=True)
    except PortalError as exc:
        return web.json_response({"response_type": "ephemeral", "text": exc.detail})
    await _open(slack, form.get("trigger_id", ""), view)
    return web.Response()


async def interactions(request: web.Request) -> web.StreamResponse:
    """A button pressed on a team-channel message, or a modal submitted."""
    body, slack = await _verified(request)
    payload = _json(_form(body).get("payload", ""))
    pool, kind = request.app[POOL], payload.get("type")
    user_id = str((payload.get("user") or {}).get("id") or "")
    if kind == "block_actions":
        action = (payload.get("actions") or [{}])[0]
        action_id, value = action.get("action_id"), str(action.get("value") or "")
        if action_id not in ("acknowledge", "answer"):
            return web.Response()  # Open in the portal: a link, nothing to do here
        try:
            email = await actions.slack_email(slack, user_id)
            if action_id == "acknowledge":
                await transaction(pool, _as(email, lambda conn, caller: actions.acknowledge(conn, caller, value)))
                return web.Response()
            view = await transaction(
                pool, _as(email, lambda conn, caller: actions.answer_view(conn, caller, value)), readonly=True
            )
        except PortalError as exc:
            await _tell(slack, payload, exc.detail)
            return web.Response()
        await _open(slack, str(payload.get("trigger_id") or ""), view)
        return web.Response()
    if kind == "view_submission":
        view = payload.get("view") or {}
        values = (view.get("state") or {}).get("values") or {}
        callback = view.get("callback_id")
        base = public_base(request.app[SETTINGS])
        fields, first = (ANSWER_FIELDS, "decision") if callback == "answer" else (IDEA_FIELDS, "title")
        try:
            email = await actions.slack_email(slack, user_id)
            if callback == "answer":
                metadata = str(view.get("private_metadata") or "")
                await transaction(
                    pool, _as(email, lambda conn, caller: actions.submit_answer(conn, caller, metadata, values))
                )
                return web.Response()
            if callback == "new_idea":
                posted = await transaction(
                    pool, _as(email, lambda conn, caller: actions.submit_idea(conn, caller, values, base))
                )
                return web.json_response(posted)
        except PortalError as exc:
            return web.json_response(actions.refusal(exc, fields, first))
    return web.Response()


async def events(request: web.Request) -> web.StreamResponse:
    """The Events API: its URL check, and idea links to unfurl."""
    body, slack = await _verified(request)
    payload = _json(body.decode())
    if payload.get("type") == "url_verification":
        return web.json_response({"challenge": payload.get("challenge")})
    event = payload.get("event") or {}
    if event.get("type") == "link_shared":
        urls = [str(link.get("url")) for link in event.get("links") or [] if isinstance(link, dict)]
        base = public_base(request.app[SETTINGS])
        found = await transaction(request.app[POOL], lambda conn: actions.unfurls(conn, urls, base), readonly=True)
        if found:
            where: dict[str, Any] = (
                {"unfurl_id": event["unfurl_id"], "source": event.get("source")}
                if event.get("unfurl_id")
                else {"channel": event.get("channel"), "ts": event.get("message_ts")}
            )
            try:
                await slack.chat_unfurl(unfurls=found, **where)
            except SlackApiError as exc:
                log.warning("could not unfurl", extra={"fields": {"error": exc.response.get("error")}})
    return web.Response()


ROUTES = [("/slack/commands", commands), ("/slack/interactions", interactions), ("/slack/events", events)]
