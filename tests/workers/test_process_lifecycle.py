"""Long-running processes survive a database blip and stop promptly when told to."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from portal.app import create_app
from portal.config import PROJECT_ROOT
from portal.embedded import EmbeddedPostgres
from portal.migrate import migrate_url
from tests.conftest import JWT_SECRET
from tests.factories import make_idea, make_service_map
from tests.pipeline import Pipeline, eventually, pipeline_env
from tests.servers import PortalTestServer

pytestmark = [pytest.mark.slow, pytest.mark.faults]
TERMINATE_SCHEDULER = """
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'portal-scheduler'
"""


async def _routed(db_url: str, idea_id: int) -> None:
    async def check():
        conn = await asyncpg.connect(db_url)
        try:
            return await conn.fetchval("SELECT count(*) FROM routings WHERE idea_id = $1", idea_id) == 3
        finally:
            await conn.close()

    await eventually(check, interval=0.25)


async def test_ideas_are_still_routed_after_connections_drop_and_postgresql_restarts(
    settings, auth, redis_url, tmp_path
):
    postgres = EmbeddedPostgres.start(tmp_path / "postgres")
    url = postgres.url()
    await migrate_url(url, PROJECT_ROOT / "sql")
    pipeline = Pipeline(pipeline_env(url, redis_url), tmp_path)
    pipeline.start("worker")
    pipeline.start("scheduler")
    try:
        async with TestClient(
            PortalTestServer(create_app(settings.model_copy(update={"database_url": url})))
        ) as client:
            await make_service_map(client, auth)
            await _routed(url, (await make_idea(client, auth(), services=["laptop-setup"]))["id"])
            for round_ in range(2):
                admin = await asyncpg.connect(url)
                assert await admin.fetchval(TERMINATE_SCHEDULER) >= 1
                await admin.close()
                idea = await make_idea(client, auth(), title=f"After drop {round_}", services=["laptop-setup"])
                await _routed(url, idea["id"])
            postgres.stop()

            async def outage_felt():
                return "failed; retrying" in pipeline.log_text("scheduler")

            await eventually(outage_felt)
            postgres = EmbeddedPostgres.start(tmp_path / "postgres")
            idea = await eventually(lambda: _post(client, auth), interval=0.5)
            await _routed(url, idea["id"])
    finally:
        pipeline.stop()
        postgres.stop()
    log = pipeline.log_text("scheduler")
    assert "failed; retrying" in log and "recovered" in log


async def _post(client, auth):
    response = await client.post(
        "/api/v1/ideas", headers=auth(), json={"title": "After the restart", "services": ["laptop-setup"]}
    )
    return await response.json() if response.status == 201 else None


async def test_the_scheduler_exits_non_zero_when_a_loop_dies(settings, monkeypatch):
    from workers.scheduler import Scheduler

    class Broken(BaseException):
        pass

    scheduler = Scheduler(settings)

    async def broken() -> None:
        raise Broken()

    monkeypatch.setattr(scheduler, "sequence_feed", broken)
    status = await asyncio.wait_for(scheduler.run(asyncio.Event()), 10)
    assert status == 1


def _start(role: str, env: dict[str, str], log: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "portal", role, *args],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _json_lines(log: Path) -> list[dict]:
    """Every line the process wrote is one JSON object (operators' log shippers parse them)."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def _wait_for(log: Path, text: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        assert time.monotonic() < deadline, f"{text!r} never appeared in {log.read_text()[-2000:]}"
        time.sleep(0.1)


def _seconds_to_exit_after_group_sigterm(process: subprocess.Popen, timeout: float = 20) -> float:
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGTERM)  # like systemd and Ctrl-C: the whole process group
    try:
        process.wait(timeout)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return time.monotonic() - started


@pytest.mark.parametrize("processes", ["1", "2"])
def test_the_worker_stops_promptly_when_its_process_group_gets_sigterm(database_url, redis_url, tmp_path, processes):
    log = tmp_path / "worker.log"
    worker = _start("worker", pipeline_env(database_url, redis_url), log, "--processes", processes)
    deadline = time.monotonic() + 90  # generous: a busy machine starts it slowly
    while log.read_text().count("worker running") < int(processes):
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.1)
    assert _seconds_to_exit_after_group_sigterm(worker) < 10
    assert worker.returncode == 0
    _json_lines(log)


def test_the_scheduler_stops_promptly_when_its_process_group_gets_sigterm(database_url, redis_url, tmp_path):
    log = tmp_path / "scheduler.log"
    scheduler = _start("scheduler", pipeline_env(database_url, redis_url), log)
    _wait_for(log, "scheduler running")
    assert _seconds_to_exit_after_group_sigterm(scheduler) < 10
    assert scheduler.returncode == 0
    _json_lines(log)


async def test_serve_stops_promptly_with_an_event_stream_open(database_url, redis_url, tmp_path, auth):
    import aiohttp

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "serve.log"
    server = _start("serve", pipeline_env(database_url, redis_url, PORTAL_PORT=str(port)), log)
    try:
        await asyncio.to_thread(_wait_for, log, "serving")
        url = f"http://127.0.0.1:{port}/api/v1/events/stream"
        async with aiohttp.ClientSession() as session, session.get(url, headers=auth.admin) as stream:
            assert stream.status == 200
            seconds = await asyncio.to_thread(_seconds_to_exit_after_group_sigterm, server)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert seconds < 10 and server.returncode == 0
    assert '"status": 500' not in log.read_text()
    lines = _json_lines(log)
    started = next(line for line in lines if line["msg"] == "serving")
    assert started["address"] == f"http://127.0.0.1:{port}" and started["version"]
    assert JWT_SECRET not in log.read_text() and lines[-1]["msg"] == "stopped"


async def test_an_interrupted_send_is_leased_only_for_the_delivery_timeout_and_a_margin(client, auth, db):
    from portal.webhooks import delivery
    from tests.factories import relay_all

    await client.post(
        "/api/v1/webhooks",
        headers=auth.admin,
        json={"url": "https://hooks.example.com/in", "event_types": ["idea.created"]},
    )
    await make_idea(client, auth())
    await relay_all(db)
    await delivery.claim(db, delivery_ids=None, limit=10, timeout_seconds=10)
    lease = await db.fetchval("SELECT extract(epoch FROM lease_until - now()) FROM webhook_deliveries")
    assert 10 < lease <= 10 + delivery.LEASE_MARGIN_SECONDS + 1


async def test_the_api_stops_non_zero_when_its_stream_loop_dies(settings, monkeypatch):
    from portal.web import app as app_module
    from portal.web.keys import FAILURES

    signals = []
    monkeypatch.setattr(app_module.os, "kill", lambda pid, signum: signals.append(signum))
    app = create_app(settings)

    async def dies() -> None:
        raise KeyError("a bug")

    task = asyncio.ensure_future(dies())
    await asyncio.gather(task, return_exceptions=True)
    app_module._stop_if_crashed(app, task)
    assert signals == [signal.SIGTERM] and app[FAILURES] == ["event stream poll"]


async def test_a_starting_worker_takes_messages_only_once_it_can_run_them(database_url, redis_url, tmp_path):
    import redis.asyncio as aioredis

    pipeline = Pipeline(pipeline_env(database_url, redis_url, PORTAL_HEARTBEAT_DIR=str(tmp_path / "beats")), tmp_path)
    pipeline.start("scheduler")  # its periodic jobs queue messages for a worker not yet running
    queues = aioredis.Redis.from_url(redis_url)
    try:

        async def waiting() -> int:
            names = [name async for name in queues.scan_iter("dramatiq:*.msgs")]
            return sum([await queues.hlen(name) for name in names])

        await eventually(lambda: _at_least(waiting, 3))
        pipeline.start("worker")

        async def drained() -> bool:
            return await waiting() == 0

        await eventually(drained)
    finally:
        pipeline.stop()
        await queues.aclose()
    log = pipeline.log_text("worker")
    assert "not open yet" not in log and '"level": "error"' not in log, log


async def _at_least(count, minimum: int) -> bool:
    return await count() >= minimum
