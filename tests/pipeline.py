"""Real `portal worker` and `portal scheduler` subprocesses, and a webhook receiver, for end-to-end
tests."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from portal.config import PROJECT_ROOT
from tests.conftest import ENCRYPTION_KEY, JWT_SECRET


def pipeline_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    return {
        **base,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PORTAL_JWT_SECRET": JWT_SECRET,
        "PORTAL_ENVIRONMENT": "test",
        "PORTAL_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "PORTAL_WEBHOOK_ALLOW_NETWORKS": '["127.0.0.0/8"]',
        "PORTAL_WEBHOOK_RETRY_SCHEDULE": "[1, 1, 1]",
        "PORTAL_WEBHOOK_RETRY_INTERVAL_SECONDS": "0.5",
        "PORTAL_RESULTS_INTERVAL_SECONDS": "0.5",
        "PORTAL_BROKER_HEARTBEAT_TIMEOUT_MS": "2000",
        "PORTAL_WORKER_THREADS": "4",
        "PORTAL_LOG_LEVEL": "INFO",
        # Tests run side by side: no fixed metrics ports unless a test asks for them.
        "PORTAL_WORKER_METRICS_PORT": "0",
        "PORTAL_SCHEDULER_METRICS_PORT": "0",
        **extra,
    }


@dataclass
class Pipeline:
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, role: str) -> subprocess.Popen:
        log = (self.logs / f"{role}.log").open("a")
        process = subprocess.Popen(
            [sys.executable, "-m", "portal", role],
            env=self.env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[role] = process
        return process

    def kill(self, role: str) -> None:
        process = self.processes.pop(role)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                # The leader only: dramatiq's main process forwards it to its workers itself.
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def log_text(self, role: str) -> str:
        return (self.logs / f"{role}.log").read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def eventually(check, *, timeout: float = 60.0, interval: float = 0.1):
    """Polls an async check until it returns something truthy; fails with its last value. The
    deadline is generous: on a busy two-core machine a process may take many seconds to start."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last: {value!r})")


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """An aiohttp server that records webhook requests; `statuses` scripts its answers."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.received: list[Received] = []
        self.statuses = list(statuses or [])
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(Received(dict(request.headers), await request.read()))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text="ok" if status < 400 else "boom")

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc) -> None:
        await self.runner.cleanup()


class MailSink:
    """A real SMTP server process (`portal mail-sink`) keeping what it receives in a Maildir."""

    def __init__(self, maildir: Path, *, delay_seconds: float = 0.0) -> None:
        self.maildir = maildir
        self.delay_seconds = delay_seconds
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        return {
            "PORTAL_SMTP_HOST": "127.0.0.1",
            "PORTAL_SMTP_PORT": str(self.port),
            "PORTAL_SMTP_SECURITY": "none",
            "PORTAL_SMTP_SENDER": "Idea Portal <portal@example.com>",
            "PORTAL_PUBLIC_URL": "http://portal.example.com",
        }

    def start(self) -> MailSink:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "portal", "mail-sink", "--port", str(self.port), "--maildir", str(self.maildir)]
            + ["--delay", str(self.delay_seconds)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the mail sink did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def messages(self, to: str | None = None) -> list:
        from portal.mailsink import read

        return [m for m in read(self.maildir) if to is None or to in m.to]

    def waiting_for(self, to: str, count: int = 1):
        """An `eventually` check: the messages to an address once there are `count` of them."""

        async def check():
            found = self.messages(to)
            return found if len(found) >= count else None

        return check
