"""The `portal` command as a user runs it: real subprocesses, real servers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest

from portal.config import PROJECT_ROOT
from tests.conftest import JWT_SECRET
from tests.pipeline import eventually, free_port

SUBCOMMANDS = ["serve", "worker", "scheduler", "migrate", "dev", "token"]


def portal(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    return subprocess.run(
        [sys.executable, "-m", "portal", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT_ROOT,
    )


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command, run_portal):
    result = run_portal(command, "--help")
    assert result.returncode == 0
    assert "usage: portal " + command in result.stdout


def test_top_level_help_lists_every_subcommand():
    result = portal("--help")
    assert all(command in result.stdout for command in SUBCOMMANDS)


def test_migrate_applies_every_file_then_changes_nothing(empty_database_url):
    first = portal("migrate", env={"DATABASE_URL": empty_database_url})
    second = portal("migrate", env={"DATABASE_URL": empty_database_url})
    assert first.returncode == 0 and "applied" in first.stdout and "0001_core.sql" in first.stdout
    assert second.returncode == 0 and "up to date" in second.stdout


def test_two_migrators_at_once_do_not_collide(empty_database_url):
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}, "DATABASE_URL": empty_database_url}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "portal", "migrate"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sorted("up to date" in out for out, _ in outputs) == [False, True]


def test_a_migration_edited_after_it_was_applied_is_reported(empty_database_url, tmp_path):
    migrations = tmp_path / "sql"
    shutil.copytree(PROJECT_ROOT / "sql", migrations)
    env = {"DATABASE_URL": empty_database_url, "PORTAL_MIGRATIONS_DIR": str(migrations)}
    assert portal("migrate", env=env).returncode == 0
    (migrations / "0001_core.sql").write_text((migrations / "0001_core.sql").read_text() + "\n-- edited\n")
    result = portal("migrate", env=env)
    assert result.returncode == 2
    assert "0001_core.sql" in result.stderr and "edited" in result.stderr


def test_a_late_older_migration_is_still_applied(empty_database_url, tmp_path):
    migrations = tmp_path / "sql"
    shutil.copytree(PROJECT_ROOT / "sql", migrations)
    (migrations / "0900_late.sql").write_text("CREATE TABLE late_b (id int);")
    env = {"DATABASE_URL": empty_database_url, "PORTAL_MIGRATIONS_DIR": str(migrations)}
    portal("migrate", env=env)
    (migrations / "0500_merged_late.sql").write_text("CREATE TABLE late_a (id int);")
    result = portal("migrate", env=env)
    assert "0500_merged_late.sql" in result.stdout


@pytest.mark.parametrize(
    "env, named",
    [
        ({"DATABASE_URL": "mysql://nope"}, "portal migrate: DATABASE_URL"),
        ({"PORTAL_PORT": "70000"}, "PORTAL_PORT"),
        ({"PORTAL_LOG_LEVEL": "LOUD"}, "PORTAL_LOG_LEVEL"),
        ({"REDIS_URL": "http://example"}, "REDIS_URL"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(env, named, run_portal):
    result = run_portal("migrate", env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and named in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_line_and_nonzero():
    result = portal(
        "serve", env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x", "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    assert result.returncode == 2
    assert result.stderr.startswith("portal serve: DATABASE_URL: cannot connect")
    assert result.stderr.count("\n") == 1


def test_serve_without_urls_names_the_missing_setting(run_portal):
    result = run_portal("serve")
    assert result.returncode == 2 and "DATABASE_URL: not set" in result.stderr


def test_token_prints_a_token_the_api_accepts(settings):
    import jwt

    result = portal(
        "token",
        "--email",
        "t@example.com",
        "--name",
        "T",
        "--team",
        "it",
        "--admin",
        env={"PORTAL_JWT_SECRET": JWT_SECRET},
    )
    claims = jwt.decode(result.stdout.strip(), JWT_SECRET, algorithms=["HS256"])
    assert (claims["email"], claims["team"], claims["roles"]) == ("t@example.com", "it", ["admin"])


def test_token_without_a_secret_is_one_line(run_portal):
    result = run_portal("token", "--email", "t@example.com", "--name", "T")
    assert result.returncode == 2 and "PORTAL_JWT_SECRET" in result.stderr


async def test_serve_finishes_in_flight_requests_on_sigterm(database_url, redis_url, db):
    import asyncio
    import signal
    import time
    import urllib.request

    import aiohttp

    from portal.auth.tokens import mint_dev_token
    from portal.config import Settings

    await db.execute("INSERT INTO employees (subject, email, name) VALUES ('a@example.com', 'a@example.com', 'A')")
    idea_id = await db.fetchval("INSERT INTO ideas (author_id, title) VALUES (1, 'Held idea') RETURNING id")
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, PORTAL_JWT_SECRET=JWT_SECRET, PORTAL_PORT=str(port))
    server = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90  # a busy two-core machine may take long to start it
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline, "portal serve did not start"
                await asyncio.sleep(0.1)
        token = mint_dev_token(Settings(jwt_secret=JWT_SECRET, _env_file=None), email="v@example.com", name="V")
        lock = db.transaction()
        await lock.start()
        await db.execute("SELECT 1 FROM ideas WHERE id = $1 FOR UPDATE", idea_id)  # the vote must wait
        async with aiohttp.ClientSession() as session:
            vote = asyncio.create_task(
                session.put(
                    f"http://127.0.0.1:{port}/api/v1/ideas/{idea_id}/vote", headers={"Authorization": f"Bearer {token}"}
                )
            )

            async def blocked_on_the_row_lock():  # the request is in flight
                return await db.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'portal'"
                    " AND wait_event_type = 'Lock')"
                )

            await eventually(blocked_on_the_row_lock)
            server.send_signal(signal.SIGTERM)

            async def stopped_listening():  # draining: new connections are refused
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        return False
                except OSError:
                    return True

            await eventually(stopped_listening)
            await lock.rollback()
            response = await vote
            assert response.status == 200 and (await response.json())["vote_count"] == 1
        assert server.wait(60) == 0
    finally:
        if server.poll() is None:
            server.kill()


async def test_serve_reports_the_port_it_was_told_on_the_command_line(database_url, redis_url, tmp_path):
    import json
    import signal

    from tests.pipeline import eventually

    port, log = free_port(), tmp_path / "serve.log"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, PORTAL_JWT_SECRET=JWT_SECRET)
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "portal", "serve", "--port", str(port)], env=env, cwd=PROJECT_ROOT, stderr=out
        )
    try:

        async def serving():
            lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
            return next((line for line in lines if line.get("msg") == "serving"), None)

        announced = await eventually(serving)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(15)
    assert announced["address"] == f"http://127.0.0.1:{port}" and announced["settings"]["port"] == port


def test_the_mail_sink_keeps_mail_in_a_folder_that_exists_already_empty(tmp_path):
    from email.message import EmailMessage

    from portal.mailsink import MaildirHandler, read

    (tmp_path / "mail").mkdir()
    message = EmailMessage()
    message["Subject"] = "Kept"
    message.set_content("hello")
    MaildirHandler(tmp_path / "mail").maildir.add(message.as_bytes())
    assert [captured.subject for captured in read(tmp_path / "mail")] == ["Kept"]
