"""The PostgreSQL and Redis that tests run against: the ones named by PORTAL_TEST_DATABASE_URL /
PORTAL_TEST_REDIS_URL, or embedded servers started once per test session."""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from aiohttp.test_utils import TestServer
from aiohttp.web_runner import BaseRunner

from portal.config import PROJECT_ROOT
from portal.migrate import migrate_url
from portal.web.server import PortalRunner


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@dataclass
class TestServers:
    admin_database_url: str
    redis_url: str
    template: str = field(default_factory=lambda: f"portal_template_{uuid.uuid4().hex[:8]}")
    stoppers: list = field(default_factory=list)
    # FILE_COPY is the faster clone on the embedded server, which runs without fsync; a
    # configured server keeps PostgreSQL's default.
    clone_strategy: str = "WAL_LOG"

    @classmethod
    def start(cls) -> TestServers:
        database_url = os.environ.get("PORTAL_TEST_DATABASE_URL")
        redis_url = os.environ.get("PORTAL_TEST_REDIS_URL")
        stoppers = []
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if redis_url and worker:
            # A shared Redis: each test process gets a database of its own (gw0 -> 1, gw1 -> 2, ...).
            redis_url = with_database(redis_url, str(1 + int(worker.removeprefix("gw")) % 15))
        if not database_url or not redis_url:  # embedded servers are each test process's own
            from portal.embedded import EmbeddedPostgres, EmbeddedRedis

            root = Path(tempfile.mkdtemp(prefix="portal-test-"))
            if not database_url:
                postgres = EmbeddedPostgres.start(root / "postgres")
                stoppers.append(postgres.stop)
                database_url = postgres.url("postgres")
                # Test data need not survive a crash: without fsync, cloning databases is fast.
                postgres.configure(fsync="off", synchronous_commit="off", full_page_writes="off")
            if not redis_url:
                redis = EmbeddedRedis.start(root / "redis", persist=False)
                stoppers.append(redis.stop)
                redis_url = redis.url()
        strategy = "WAL_LOG" if os.environ.get("PORTAL_TEST_DATABASE_URL") else "FILE_COPY"
        return cls(database_url, redis_url, stoppers=stoppers, clone_strategy=strategy)

    async def create_template(self) -> None:
        conn = await asyncpg.connect(self.admin_database_url)
        try:
            await conn.execute(f'CREATE DATABASE "{self.template}"')
        finally:
            await conn.close()
        await migrate_url(self.url_for(self.template), PROJECT_ROOT / "sql")

    def url_for(self, database: str) -> str:
        return with_database(self.admin_database_url, database)

    async def create_database(self) -> str:
        name = f"portal_test_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(self.admin_database_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY {self.clone_strategy}')
        finally:
            await conn.close()
        return name

    async def drop_database(self, name: str) -> None:
        conn = await asyncpg.connect(self.admin_database_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    def stop(self) -> None:
        for stop in reversed(self.stoppers):
            stop()


class PortalTestServer(TestServer):
    """aiohttp's test server, running the app through the runner `portal serve` uses."""

    async def _make_runner(self, **kwargs: Any) -> BaseRunner:
        return PortalRunner(self.app, **kwargs)
