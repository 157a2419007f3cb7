"""``portal dev``: the newcomer's one command.

Starts embedded PostgreSQL and Redis when no URLs are configured, migrates, seeds demo data
once, runs the API, a worker, the scheduler and (without a configured SMTP server) a local mail
sink as child processes, prints demo tokens, and on Ctrl-C or
SIGTERM stops every process it started.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from portal.config import Settings

STOP_GRACE_SECONDS = 10


def _dev_secret(data_dir: Path, name: str) -> str:
    """A secret kept in the data folder, so printed tokens and stored webhooks survive a restart."""
    path = data_dir / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _wait_ready(url: str, children: list[subprocess.Popen], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            if child.poll() is not None:
                raise RuntimeError(f"{child.args!r} exited with {child.returncode}")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the API did not become ready within {timeout:.0f} s")


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def _embedded_services(settings: Settings, data: Path, stoppers: list[Callable[[], None]]) -> tuple[str, str]:
    """The configured PostgreSQL and Redis, or embedded ones started in the data folder."""
    from portal.embedded import EmbeddedPostgres, EmbeddedRedis

    database_url, redis_url = settings.database_url, settings.redis_url
    if not database_url:
        print(f"starting embedded PostgreSQL in {data / 'postgres'} ...", flush=True)
        postgres = EmbeddedPostgres.start(data / "postgres")
        stoppers.append(postgres.stop)
        database_url = postgres.url()
    if not redis_url:
        redis = EmbeddedRedis.start(data / "redis")
        stoppers.append(redis.stop)
        redis_url = redis.url()
    return database_url, redis_url


def _prepare_database(settings: Settings, database_url: str) -> None:
    from portal.demo import demo_if_empty
    from portal.migrate import migrate_url

    report = asyncio.run(migrate_url(database_url, settings.migrations_dir))
    if report.applied:
        print(f"applied migrations: {', '.join(report.applied)}", flush=True)
    if asyncio.run(demo_if_empty(database_url, minimum_group=settings.survey_minimum_group)):
        print("made the demo company (12 teams, 13 services, 300 ideas over 14 months)", flush=True)


def _start_children(env: dict[str, str], mail_sink: list[str]) -> list[subprocess.Popen]:
    commands = [["serve"], ["worker"], ["scheduler"]] + ([mail_sink] if mail_sink else [])
    return [
        subprocess.Popen(
            [sys.executable, "-m", "portal", *command], env=env, stdin=subprocess.DEVNULL, start_new_session=True
        )
        for command in commands
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mail(settings: Settings, data: Path, base: str) -> tuple[dict[str, str], list[str]]:
    """Without a configured SMTP server, a local sink that keeps the emails for /dev/mail."""
    if settings.smtp_host:
        return {"PORTAL_PUBLIC_URL": settings.public_url or base}, []
    port, maildir = _free_port(), data / "mail"
    env = {
        "PORTAL_SMTP_HOST": "127.0.0.1",
        "PORTAL_SMTP_PORT": str(port),
        "PORTAL_SMTP_SECURITY": "none",
        "PORTAL_DEV_MAILDIR": str(maildir.resolve()),
        "PORTAL_PUBLIC_URL": settings.public_url or base,
    }
    return env, ["mail-sink", "--port", str(port), "--maildir", str(maildir)]


def _announce(settings: Settings, base: str, *, mail: bool) -> None:
    from portal.seed import demo_tokens

    print(f"\nIdea Portal is running at {base}", flush=True)
    print(f"  web client: open {base}/ and sign in as the demo employee, lead or admin on the", flush=True)
    print(f"              development sign-in page ({base}/sign-in; only in development and tests)", flush=True)
    print(f"  API:        reference at {base}/docs; bearer tokens for the same three people:", flush=True)
    for role, token in demo_tokens(settings).items():
        print(f"    {role:<8} Authorization: Bearer {token}")
    if mail:
        print(f"  email:      nothing leaves this machine; what the portal sends is at {base}/dev/mail", flush=True)
    print("Press Ctrl-C to stop.", flush=True)


def run_dev(settings: Settings, *, data_dir: str | None, port: int | None) -> int:
    from portal.embedded import EmbeddedUnavailable
    from portal.migrate import MigrationError

    data = Path(data_dir) if data_dir else settings.data_dir
    data.mkdir(parents=True, exist_ok=True)
    port = port or settings.port
    stoppers: list[Callable[[], None]] = []
    children: list[subprocess.Popen] = []

    def on_signal(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Explicitly for SIGINT too: a shell that starts us in the background ignores it otherwise.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        database_url, redis_url = _embedded_services(settings, data, stoppers)
        secret = settings.jwt_secret or _dev_secret(data, "dev-jwt-secret")
        encryption_key = settings.encryption_key or _dev_secret(data, "dev-encryption-key")
        settings = settings.model_copy(
            update={
                "database_url": database_url,
                "redis_url": redis_url,
                "jwt_secret": secret,
                "port": port,
                "environment": "development",
            }
        )
        _prepare_database(settings, database_url)
        base = f"http://{settings.host}:{port}"
        mail_env, mail_sink = _mail(settings, data, base)
        children = _start_children(
            {
                **os.environ,
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "PORTAL_JWT_SECRET": secret,
                "PORTAL_ENCRYPTION_KEY": encryption_key,
                "PORTAL_PORT": str(port),
                "PORTAL_ENVIRONMENT": "development",
                **mail_env,
            },
            mail_sink,
        )
        _wait_ready(base, children, timeout=60)
        _announce(settings, base, mail=bool(mail_sink))
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        return 1 if any(child.poll() not in (None, 0) for child in children) else 0
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    except (EmbeddedUnavailable, MigrationError, RuntimeError, OSError) as exc:
        print(f"portal dev: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop(children)
        for stop in reversed(stoppers):
            stop()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
