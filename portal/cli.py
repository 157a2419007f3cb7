"""The ``portal`` command: serve, worker, migrate, dev, token."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from portal.config import Settings, SettingsError, load_settings


class CommandError(Exception):
    """Ends the command with a one-line message and exit status 2."""


def _check_database(dsn: str, timeout: float) -> None:
    import asyncpg

    async def probe() -> None:
        conn = await asyncpg.connect(dsn, timeout=timeout)
        await conn.close()

    try:
        asyncio.run(asyncio.wait_for(probe(), timeout + 1))
    except Exception as exc:  # noqa: BLE001 - any failure is reported in one line
        raise CommandError(f"DATABASE_URL: cannot connect ({type(exc).__name__}: {exc})") from None


def _check_redis(url: str) -> None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001 - any failure is reported in one line
        raise CommandError(f"REDIS_URL: cannot connect ({type(exc).__name__}: {exc})") from None


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (it cuts the event loop's and sockets' CPU cost), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import logging

    from aiohttp import web

    from portal import logs
    from portal.app import create_app
    from portal.web.app import app_version
    from portal.web.keys import FAILURES

    database_url, redis_url = settings.require_urls()
    _check_database(database_url, settings.db_connect_timeout)
    _check_redis(redis_url)
    logs.configure(settings.log_level)
    log = logging.getLogger("portal.serve")
    host = args.host or settings.host
    port = args.port or settings.port
    app = create_app(settings)

    async def announce(app: web.Application) -> None:
        log.info(
            "serving",
            extra={
                "fields": {"address": f"http://{host}:{port}", "version": app_version(), "settings": settings.summary()}
            },
        )

    async def farewell(app: web.Application) -> None:
        log.info("stopped")

    app.on_startup.append(announce)
    app.on_cleanup.append(farewell)
    # run_app turns SIGTERM/SIGINT into a graceful exit that lets in-flight requests finish.
    web.run_app(
        app,
        host=host,
        port=port,
        access_log=None,
        print=None,
        shutdown_timeout=settings.shutdown_timeout,
        handle_signals=True,
        loop=new_event_loop(),
    )
    return 1 if app[FAILURES] else 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from portal.migrate import MigrationError, migrate_url

    database_url = settings.database_url
    if not database_url:
        raise CommandError("DATABASE_URL: not set")
    _check_database(database_url, settings.db_connect_timeout)
    try:
        report = asyncio.run(migrate_url(database_url, settings.migrations_dir))
    except MigrationError as exc:
        raise CommandError(f"migrate: {exc}") from None
    if report.applied:
        print(f"applied {len(report.applied)} migration(s): {', '.join(report.applied)}")
    else:
        print(f"up to date ({report.already_applied} migration(s) applied earlier)")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from portal import logs
    from workers.runner import run_process, run_supervisor

    database_url, redis_url = settings.require_urls()
    _check_database(database_url, settings.db_connect_timeout)
    _check_redis(redis_url)
    logs.configure(settings.log_level)
    processes = args.processes or settings.worker_processes
    threads = args.threads or settings.worker_threads
    if processes == 1:
        return run_process(settings, threads=threads)
    return run_supervisor(settings, processes=processes, threads=threads)


def cmd_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    database_url, redis_url = settings.require_urls()
    _check_database(database_url, settings.db_connect_timeout)
    _check_redis(redis_url)
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-m", "workers.scheduler"])
    return 0  # not reached


def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from portal.dev import run_dev

    return run_dev(settings, data_dir=args.data_dir, port=args.port)


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from portal.auth.tokens import mint_dev_token

    if not settings.jwt_secret:
        raise CommandError("PORTAL_JWT_SECRET: not set (development tokens are signed with it)")
    print(
        mint_dev_token(
            settings, email=args.email, name=args.name, team=args.team, admin=args.admin, ttl_seconds=args.ttl
        )
    )
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portal",
        description="Idea Portal: the internal idea-exchange portal's API, "
        "workers and tools. Settings come from the environment; see the README.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the HTTP API",
        description="Run the aiohttp API until SIGTERM or Ctrl-C; in-flight requests finish before exit.",
    )
    serve.add_argument("--host", help="address to bind (default: PORTAL_HOST)")
    serve.add_argument("--port", type=int, help="port to bind (default: PORTAL_PORT)")
    serve.set_defaults(run=cmd_serve)

    worker = commands.add_parser(
        "worker",
        help="run the dramatiq worker processes",
        description="Run dramatiq worker processes for the project's "
        "actors (workers.actors) against REDIS_URL. SIGTERM or Ctrl-C "
        "stops them within PORTAL_SHUTDOWN_TIMEOUT.",
    )
    worker.add_argument("--processes", type=_positive_int, help="default: PORTAL_WORKER_PROCESSES")
    worker.add_argument("--threads", type=_positive_int, help="default: PORTAL_WORKER_THREADS")
    worker.set_defaults(run=cmd_worker)

    scheduler = commands.add_parser(
        "scheduler",
        help="run the scheduler (outbox relay wake-ups, periodic jobs)",
        description="Wake the outbox relay when events commit and send the "
        "periodic jobs (sweeper, results, webhook retries, overdue routings, "
        "digests). Several schedulers may run: each job still runs once per period.",
    )
    scheduler.set_defaults(run=cmd_scheduler)

    migrate = commands.add_parser(
        "migrate",
        help="apply the SQL migrations in sql/",
        description="Apply every not-yet-applied numbered SQL file in "
        "order, each in a transaction, under an advisory lock. Safe to "
        "run twice or concurrently; an applied file that was edited is "
        "reported as an error.",
    )
    migrate.set_defaults(run=cmd_migrate)

    dev = commands.add_parser(
        "dev",
        help="run everything locally (embedded PostgreSQL and Redis)",
        description="Start an embedded PostgreSQL and Redis when DATABASE_URL "
        "/ REDIS_URL are unset, migrate, seed demo data once, run the API and "
        "a worker, and print demo tokens. Ctrl-C stops everything.",
    )
    dev.add_argument("--data-dir", help="where embedded data lives (default: PORTAL_DATA_DIR, .portal-data)")
    dev.add_argument("--port", type=int, help="API port (default: PORTAL_PORT)")
    dev.set_defaults(run=cmd_dev)

    token = commands.add_parser(
        "token",
        help="mint a development JWT for an employee",
        description="Print a bearer token signed with PORTAL_JWT_SECRET (HS256), for development and tests.",
    )
    token.add_argument("--email", required=True)
    token.add_argument("--name", required=True)
    token.add_argument("--team", help="team slug")
    token.add_argument("--admin", action="store_true", help="include the admin role")
    token.add_argument("--ttl", type=_positive_int, default=8 * 3600, help="seconds (default 8 h)")
    token.set_defaults(run=cmd_token)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        if getattr(args, "port", None) is not None and not 1 <= args.port <= 65535:
            raise SettingsError("--port: must be between 1 and 65535")
        return args.run(args, settings)
    except (SettingsError, CommandError) as exc:
        print(f"portal {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
