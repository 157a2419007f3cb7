"""A local stand-in for Slack's Web API (an aiohttp server, answering in Slack's response shapes),
and Slack's signed requests to the portal, made with slack_sdk's own signature code.

Answers chat.postMessage, chat.update, chat.postEphemeral, chat.unfurl, conversations.history,
users.info, users.lookupByEmail and views.open; `ratelimited` on demand (HTTP 429 with
Retry-After), channels that are archived, and posts whose answer never comes (the message is
kept, the answer waits past the client's timeout)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"


@dataclass
class Posted:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    metadata: dict[str, Any] | None
    thread_ts: str | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def event_id(self) -> int | None:
        return ((self.metadata or {}).get("event_payload") or {}).get("event_id")

    @property
    def buttons(self) -> list[str]:
        return [e["action_id"] for b in self.blocks if b["type"] == "actions" for e in b["elements"]]


class FakeSlack:
    def __init__(self) -> None:
        self.users: dict[str, str] = {}  # Slack user id -> email
        self.posted: list[Posted] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.rate_limited = 0  # answer this many calls with `ratelimited`
        self.retry_after = 1
        self.archived: set[str] = set()
        self.failing = 0  # answer this many calls with HTTP 500
        self.hang_after_posting = 0  # keep this many posts but answer only after `hang_seconds`
        self.hang_seconds = 5.0
        self._ts = itertools.count(1)
        self.runner: web.AppRunner | None = None
        self.api_url = ""

    # What tests look at.
    def in_channel(self, channel: str) -> list[Posted]:
        return [p for p in self.posted if p.channel == channel]

    def called(self, method: str) -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    def waiting_for(self, channel: str, count: int = 1):
        async def check():
            found = self.in_channel(channel)
            return found if len(found) >= count else None

        return check

    async def _args(self, request: web.Request) -> dict[str, Any]:
        body = await request.read()
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json" and body:
            args.update(json.loads(body))
        elif body:
            args.update({k: v for k, v in (await request.post()).items()})
        for name in ("blocks", "metadata", "view", "unfurls"):
            if isinstance(args.get(name), str):
                args[name] = json.loads(args[name])
        return args

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        args = await self._args(request)
        self.calls.append((method, args))
        if self.rate_limited:
            self.rate_limited -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(self.retry_after)}
            )
        if self.failing:
            self.failing -= 1
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return await handler(args)

    def _new_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    async def _chat_postMessage(self, args: dict[str, Any]) -> web.Response:
        channel = args["channel"]
        if channel in self.archived:
            return web.json_response({"ok": False, "error": "is_archived"})
        ts = self._new_ts()
        posted = Posted(
            channel, ts, args.get("text", ""), args.get("blocks") or [], args.get("metadata"), args.get("thread_ts")
        )
        self.posted.append(posted)
        if self.hang_after_posting:
            self.hang_after_posting -= 1
            await asyncio.sleep(self.hang_seconds)
        return web.json_response({"ok": True, "channel": channel, "ts": ts, "message": {"text": posted.text}})

    async def _chat_update(self, args: dict[str, Any]) -> web.Response:
        for posted in self.posted:
            if posted.channel == args["channel"] and posted.ts == args["ts"]:
                posted.updates.append(args)
                posted.blocks, posted.text = args.get("blocks") or posted.blocks, args.get("text", posted.text)
                return web.json_response({"ok": True, "channel": posted.channel, "ts": posted.ts})
        return web.json_response({"ok": False, "error": "message_not_found"})

    async def _chat_postEphemeral(self, args: dict[str, Any]) -> web.Response:
        return web.json_response({"ok": True, "message_ts": self._new_ts()})

    async def _chat_unfurl(self, args: dict[str, Any]) -> web.Response:
        return web.json_response({"ok": True})

    async def _conversations_history(self, args: dict[str, Any]) -> web.Response:
        oldest = float(args.get("oldest") or 0)
        messages = [
            {"type": "message", "ts": p.ts, "text": p.text, **({"metadata": p.metadata} if p.metadata else {})}
            for p in reversed(self.posted)
            if p.channel == args["channel"] and float(p.ts.split(".")[0]) >= int(oldest)
        ]
        return web.json_response({"ok": True, "messages": messages, "has_more": False})

    async def _users_info(self, args: dict[str, Any]) -> web.Response:
        email = self.users.get(args.get("user", ""))
        if email is None:
            return web.json_response({"ok": False, "error": "user_not_found"})
        return web.json_response({"ok": True, "user": {"id": args["user"], "profile": {"email": email}}})

    async def _users_lookupByEmail(self, args: dict[str, Any]) -> web.Response:
        for user_id, email in self.users.items():
            if email == args.get("email"):
                return web.json_response({"ok": True, "user": {"id": user_id, "profile": {"email": email}}})
        return web.json_response({"ok": False, "error": "users_not_found"})

    async def _views_open(self, args: dict[str, Any]) -> web.Response:
        return web.json_response({"ok": True, "view": {"id": "V" + str(next(self._ts)), **args["view"]}})

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.api_url = f"http://127.0.0.1:{port}/api/"
        return self

    async def __aexit__(self, *exc) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


def signed(body: bytes | str, *, secret: str = SIGNING_SECRET, at: float | None = None) -> dict[str, str]:
    """The headers Slack sends with a request, signed as Slack signs (slack_sdk's own code)."""
    timestamp = str(int(at if at is not None else time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def form(**fields: Any) -> bytes:
    return urlencode({k: json.dumps(v) if isinstance(v, dict) else v for k, v in fields.items()}).encode()
