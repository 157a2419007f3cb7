from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from portal.app import create_app
from portal.auth.tokens import mint_dev_token
from portal.config import Settings
from portal.db import connect
from tests.contract import STREAMING, Contract
from tests.servers import PortalTestServer, TestServers

JWT_SECRET = "test-secret-not-for-production-0123456789"
ENCRYPTION_KEY = "test-encryption-key-not-for-production"


@pytest.fixture(scope="session")
def contract_document() -> Contract:
    return Contract()


@pytest.fixture(autouse=True)
def contract(contract_document: Contract, monkeypatch) -> Iterator[list[str]]:
    """Every response a test receives through aiohttp's TestClient is checked against the OpenAPI
    document (declared status, content type and body schema); a mismatch fails the test."""
    problems: list[str] = []
    original = TestClient._request

    async def checked(self, method, path, **kwargs):
        response = await original(self, method, path, **kwargs)
        streaming = response.content_type in STREAMING
        body = None if streaming else await response.read()
        problems.extend(
            contract_document.problems(method.upper(), response.url.path, response.status, response.content_type, body)
        )
        return response

    monkeypatch.setattr(TestClient, "_request", checked)
    yield problems
    assert not problems, "responses that differ from the OpenAPI document:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def servers() -> Iterator[TestServers]:
    servers = TestServers.start()
    asyncio.run(servers.create_template())
    yield servers
    asyncio.run(servers.drop_database(servers.template))
    servers.stop()


@pytest.fixture
async def database_url(servers: TestServers) -> AsyncIterator[str]:
    """A fresh database cloned from the migrated template: every test starts from clean data."""
    name = await servers.create_database()
    yield servers.url_for(name)
    await servers.drop_database(name)


@pytest.fixture
async def empty_database_url(servers: TestServers):
    """A database of its own with nothing in it, not even the migrations."""
    import uuid

    import asyncpg

    name = f"portal_empty_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(servers.admin_database_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield servers.url_for(name)
    await servers.drop_database(name)


@pytest.fixture
async def redis_url(servers: TestServers) -> str:
    client = aioredis.Redis.from_url(servers.redis_url)
    await client.flushdb()
    await client.aclose()
    return servers.redis_url


@pytest.fixture
def settings(database_url: str, redis_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        jwt_secret=JWT_SECRET,
        environment="test",
        encryption_key=ENCRYPTION_KEY,
        webhook_allow_networks=["127.0.0.0/8"],
        _env_file=None,
    )


@pytest.fixture
async def db(database_url: str):
    conn = await connect(database_url)
    yield conn
    await conn.close()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient]:
    test_client = TestClient(PortalTestServer(create_app(settings)))
    await test_client.start_server()
    yield test_client
    try:
        await asyncio.wait_for(test_client.close(), 10)
    except TimeoutError:  # say what was stuck, rather than only that it was slow
        for task in asyncio.all_tasks():
            task.print_stack(file=sys.stderr)
        raise


class Auth:
    """Bearer headers for test employees, minted the way `portal token` mints them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __call__(
        self,
        email: str = "emma@example.com",
        *,
        team: str | None = None,
        admin: bool = False,
        name: str | None = None,
        **claims,
    ) -> dict[str, str]:
        token = mint_dev_token(
            self.settings, email=email, name=name or email.split("@")[0].title(), team=team, admin=admin, **claims
        )
        return {"Authorization": f"Bearer {token}"}

    @property
    def admin(self) -> dict[str, str]:
        return self("admin@example.com", admin=True, team="it")


@pytest.fixture
def auth(settings: Settings) -> Auth:
    return Auth(settings)


@pytest.fixture
async def service_map(client, auth: Auth) -> None:
    """IT (lead: lena) serves Marketing and Sales with laptop set-up; HR (lead: hugo) exists too."""
    from tests.factories import make_service_map

    await make_service_map(client, auth)


@pytest.fixture
def pipeline(database_url: str, redis_url: str, tmp_path):
    """A real `portal worker` and `portal scheduler` against this test's database and Redis."""
    from tests.pipeline import Pipeline, pipeline_env

    running = Pipeline(pipeline_env(database_url, redis_url, PORTAL_HEARTBEAT_DIR=str(tmp_path / "beats")), tmp_path)
    running.start("worker")
    running.start("scheduler")
    yield running
    running.stop()


@pytest.fixture
def mail_sink(tmp_path):
    """A real SMTP server process that keeps every message it receives."""
    from tests.pipeline import MailSink

    sink = MailSink(tmp_path / "mail").start()
    yield sink
    sink.stop()


# Short enough for tests: a two-second coalescing window, swept every half second.
MAIL_TIMING = {"PORTAL_NOTIFICATION_WINDOW_SECONDS": "2", "PORTAL_NOTIFICATION_SWEEP_SECONDS": "0.5"}


@pytest.fixture
def mail_pipeline(database_url: str, redis_url: str, tmp_path, mail_sink):
    """A real worker and scheduler that email through the mail sink."""
    from tests.pipeline import Pipeline, pipeline_env

    env = pipeline_env(
        database_url, redis_url, PORTAL_HEARTBEAT_DIR=str(tmp_path / "beats"), **mail_sink.env(), **MAIL_TIMING
    )
    running = Pipeline(env, tmp_path)
    running.start("worker")
    running.start("scheduler")
    yield running
    running.stop()


@pytest.fixture
def run_portal(monkeypatch, capsys):
    """The `portal` command in this process (its argument and settings checks need no server)."""
    from portal.cli import main

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        for name in list(os.environ):
            if name.startswith("PORTAL_") or name in ("DATABASE_URL", "REDIS_URL"):
                monkeypatch.delenv(name)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(Path(__file__).parent)  # no .env file here
        try:
            status = main(list(args))
        except SystemExit as exit_:
            status = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["portal", *args], status, out, err)

    return run
