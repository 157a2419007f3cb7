"""The ``portal`` command: serve, worker, scheduler, health, migrate, dev, token, import-org."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    from portal.web.server import serve

    database_url, redis_url = settings.require_urls()
    _check_database(database_url, settings.db_connect_timeout)
    _check_redis(redis_url)
    logs.configure(settings.log_level)
    log = logging.getLogger("portal.serve")
    # What the command line says wins, and is what the start-up line reports.
    settings = settings.model_copy(update={"host": args.host or settings.host, "port": args.port or settings.port})
    host, port = settings.host, settings.port
    app = create_app(settings)

    async def announce(app: web.Application) -> None:
        # What start-up made (modules, templates, catalogues, the route table) lives as long as
        # the process: kept out of the collector's full passes, which otherwise pause a request
        # now and then for tens of milliseconds to walk it all again.
        gc.freeze()
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
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(serve(app, host=host, port=port, shutdown_timeout=settings.shutdown_timeout))
    return 1 if app[FAILURES] else 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from portal.migrate import MigrationError, migrate_url

    database_url = settings.database_url
    if not database_url:
        raise CommandError("DATABASE_URL: not set")
    _check_database(database_url, settings.db_connect_timeout)
    try:
        report = asyncio.run(
            migrate_url(database_url, settings.migrations_dir, report=lambda line: print(line, flush=True))
        )
    except MigrationError as exc:
        raise CommandError(f"migrate: {exc}") from None
    if report.applied:
        print(f"applied {len(report.applied)} migration(s): {', '.join(report.applied)}")
    else:
        print(f"up to date ({report.already_applied} migration(s) applied earlier)")
    return 0


def _describe(plan: Any, settings: Settings) -> list[str]:
    """The org file's dry run, as a terminal shows it."""
    c = {kind: change["count"] for kind, change in plan.changes.items()}
    lines = [
        f"  employees: create {c['created']}, change {c['changed']}, deactivate {c['deactivated']} "
        f"({plan.share:.1%} of {plan.active_employees} active), reactivate {c['reactivated']}, "
        f"leave {c['unchanged']} as they are",
        f"  teams: create {c['teams_created']}, rename or take over {c['teams_changed']}; "
        f"leads: add {c['leads_added']}, remove {c['leads_removed']}",
    ]
    for kind in ("created", "changed", "deactivated", "reactivated", "teams_created", "teams_changed"):
        for row in plan.changes[kind]["first"][:5]:
            shown = ", ".join(f"{k} {v}" for k, v in row.items() if v is not None)
            lines.append(f"  {kind}: {shown}")
    if plan.needs_confirmation(settings):
        lines.append(
            f"  more than {settings.import_max_deactivation_share:.0%} of the active employees would leave: "
            "apply only with --confirm-deactivations"
        )
    return lines


def cmd_import_org(args: argparse.Namespace, settings: Settings) -> int:
    import getpass
    import socket

    from portal.audit.trail import Actor
    from portal.db import connect
    from portal.directory import orgfile
    from portal.errors import PortalError

    if not settings.database_url:
        raise CommandError("DATABASE_URL: not set")
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CommandError(f"{args.file}: {exc.strerror}") from None
    operator = f"{getpass.getuser()}@{socket.gethostname()}"
    actor = Actor("import", f"cli:{operator}", operator)

    async def run() -> Any:
        conn = await connect(settings.database_url or "", timeout=settings.db_connect_timeout)
        try:
            async with conn.transaction():  # the dry run leaves nothing behind
                checked = await orgfile.plan(conn, data)
            if checked.errors or not args.apply:
                return checked
            async with conn.transaction():
                return await orgfile.apply(conn, actor, settings, data, confirmed=args.confirm_deactivations)
        finally:
            await conn.close()

    try:
        plan = asyncio.run(run())
    except PortalError as refused:
        print(f"{args.file}: not applied: {refused.detail}", file=sys.stderr)
        return 1
    print(f"{args.file}: {plan.lines} people")
    if plan.errors:
        for error in plan.errors:
            print(f"  line {error.line}: {error.message}", file=sys.stderr)
        print(f"{plan.error_count} errors: nothing was changed", file=sys.stderr)
        return 1
    print("\n".join(_describe(plan, settings)))
    print("applied" if args.apply else "dry run: nothing was changed (apply it with --apply)")
    return 0


def cmd_move_attachments(args: argparse.Namespace, settings: Settings) -> int:
    from portal.attachments import service as attachments
    from portal.attachments.storage import opened_stores
    from portal.db import connect

    if not settings.database_url:
        raise CommandError("DATABASE_URL: not set")
    if settings.storage_url == "postgres":
        raise CommandError("PORTAL_STORAGE_URL is postgres: set it to the bucket (s3://...) to move files to or from")

    async def run() -> int:
        conn = await connect(settings.database_url or "", timeout=settings.db_connect_timeout)
        moved = 0
        try:
            async with opened_stores(settings.storage_url) as stores:
                source, target = stores["postgres"], stores["s3"]
                if args.to == "postgres":
                    source, target = target, source
                while True:  # a batch per transaction: stopped halfway, it goes on from there next time
                    async with conn.transaction():
                        batch = await attachments.move(conn, source, target)
                    if not batch:
                        return moved
                    moved += batch
                    print(f"moved {moved}", flush=True)
        finally:
            await conn.close()

    moved = asyncio.run(run())
    print(f"{moved} attachments now in {args.to}")
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
        return run_process(settings, threads=threads, serve_metrics=not args.supervised)
    return run_supervisor(settings, processes=processes, threads=threads)


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the named process (in a container: the one it runs) is working, else 1."""
    role = args.role or _container_role()
    if role == "api":
        import urllib.request

        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
        try:
            with urllib.request.urlopen(f"http://{host}:{settings.port}/readyz", timeout=3) as response:
                healthy, reason = response.status == 200, f"/readyz answered {response.status}"
        except OSError as exc:
            healthy, reason = False, f"/readyz: {exc}"
    else:
        from workers import heartbeat

        health = heartbeat.check(settings.heartbeat_dir, role, args.max_age)
        healthy, reason = health.ok, health.reason
    print(f"{role}: {'healthy' if healthy else 'unhealthy'}: {reason}")
    return 0 if healthy else 1


def _container_role() -> str:
    """The role of the `portal` command a container runs as its first process."""
    try:
        words = Path("/proc/1/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        words = []
    role = role_of(words)
    if role is None:
        raise CommandError("health: name the process to check (api, worker or scheduler)")
    return role


def role_of(argv: list[str]) -> str | None:
    """`portal serve` -> api, `portal worker` -> worker, `portal scheduler` (which execs
    `python -m workers.scheduler`) -> scheduler; anything else -> None."""
    if "workers.scheduler" in argv:
        return "scheduler"
    at = next((i for i, word in enumerate(argv[:3]) if Path(word).name == "portal"), None)
    if at is None or at + 1 >= len(argv):
        return None
    return {"serve": "api", "worker": "worker", "scheduler": "scheduler"}.get(argv[at + 1])


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


def cmd_api_token(args: argparse.Namespace, settings: Settings) -> int:
    import getpass
    import socket

    from pydantic import ValidationError

    from portal.audit.trail import Actor
    from portal.db import connect
    from portal.tokens.schemas import TokenCreate
    from portal.tokens.service import issue_as_operator

    if not settings.database_url:
        raise CommandError("DATABASE_URL: not set")
    try:
        data = TokenCreate(name=args.name, scopes=args.scope)
    except ValidationError as exc:
        raise CommandError(f"api-token: {exc.errors()[0]['msg']}") from None
    operator = f"{getpass.getuser()}@{socket.gethostname()}"

    async def run() -> str:
        conn = await connect(settings.database_url or "", timeout=settings.db_connect_timeout)
        try:
            return (await issue_as_operator(conn, data, actor=Actor("admin", f"cli:{operator}", operator))).token
        finally:
            await conn.close()

    print(asyncio.run(run()))
    return 0


def cmd_mail_sink(args: argparse.Namespace, settings: Settings) -> int:
    from portal.mailsink import serve

    serve(args.host, args.port, Path(args.maildir) if args.maildir else settings.data_dir / "mail", args.delay)
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


@dataclass(frozen=True)
class Command:
    name: str
    run: Callable[[argparse.Namespace, Settings], int]
    help: str
    description: str
    arguments: tuple[tuple[str, dict[str, Any]], ...] = ()


def commands() -> list[Command]:
    port = ("--port", {"type": int, "help": "port to bind (default: PORTAL_PORT)"})
    return [
        Command(
            "serve",
            cmd_serve,
            "run the HTTP API",
            "Run the aiohttp API until SIGTERM or Ctrl-C; in-flight requests finish before exit.",
            (("--host", {"help": "address to bind (default: PORTAL_HOST)"}), port),
        ),
        Command(
            "worker",
            cmd_worker,
            "run the dramatiq worker processes",
            "Run dramatiq worker processes for the project's actors (workers.actors) against REDIS_URL. "
            "SIGTERM or Ctrl-C stops them within PORTAL_SHUTDOWN_TIMEOUT.",
            (
                ("--processes", {"type": _positive_int, "help": "default: PORTAL_WORKER_PROCESSES"}),
                ("--threads", {"type": _positive_int, "help": "default: PORTAL_WORKER_THREADS"}),
                ("--supervised", {"action": "store_true", "help": argparse.SUPPRESS}),
            ),
        ),
        Command(
            "scheduler",
            cmd_scheduler,
            "run the scheduler (feed numbering, outbox relay, periodic jobs)",
            "Number new events for the feed, relay them (routing, tallies, notifications, webhook deliveries), and send the periodic jobs "
            "(results, webhook retries, overdue routings, digests). Several schedulers may run: each job "
            "still runs once per period.",
        ),
        Command(
            "health",
            cmd_health,
            "check that the API, the worker or the scheduler is working (a container health check)",
            "Exit 0 when healthy, 1 otherwise, with one line saying why. api: GET /readyz on PORTAL_PORT. "
            "worker, scheduler: every such process on this machine wrote its heartbeat (in "
            "PORTAL_HEARTBEAT_DIR) within --max-age seconds. Without a role, the role of the container's "
            "first process.",
            (
                ("role", {"nargs": "?", "choices": ("api", "worker", "scheduler")}),
                ("--max-age", {"type": float, "default": 30.0, "help": "seconds (default 30)"}),
            ),
        ),
        Command(
            "migrate",
            cmd_migrate,
            "apply the SQL migrations in sql/",
            "Apply every not-yet-applied numbered SQL file in order, each in a transaction, under an "
            "advisory lock. Safe to run twice or concurrently; an applied file that was edited is reported "
            "as an error.",
        ),
        Command(
            "dev",
            cmd_dev,
            "run everything locally (embedded PostgreSQL and Redis)",
            "Start an embedded PostgreSQL and Redis when DATABASE_URL / REDIS_URL are unset, migrate, seed "
            "demo data once, run the API, a worker and the scheduler, and print demo tokens. Ctrl-C stops "
            "everything.",
            (
                ("--data-dir", {"help": "where embedded data lives (default: PORTAL_DATA_DIR, .portal-data)"}),
                ("--port", {"type": int, "help": "API port (default: PORTAL_PORT)"}),
            ),
        ),
        Command(
            "mail-sink",
            cmd_mail_sink,
            "run a local SMTP server that keeps what it receives (development and tests)",
            "Accept every message on --host:--port and keep it in a Maildir (default: PORTAL_DATA_DIR/mail) "
            "instead of sending it on; `portal dev` runs one and shows its messages at /dev/mail.",
            (
                ("--host", {"default": "127.0.0.1"}),
                ("--port", {"type": int, "default": 1025, "help": "default 1025"}),
                ("--maildir", {"help": "default: PORTAL_DATA_DIR/mail"}),
                ("--delay", {"type": float, "default": 0.0, "help": argparse.SUPPRESS}),
            ),
        ),
        Command(
            "import-org",
            cmd_import_org,
            "check, then apply, an org file (employees, teams, leads) for companies without SCIM",
            "Read a CSV file with the columns email, name, team, team_name, lead, active (docs/directory.md) and say "
            "what it would create, change and deactivate, with every line's error. --apply applies it in one "
            "transaction; a file that would deactivate more than PORTAL_IMPORT_MAX_DEACTIVATION_SHARE of the active "
            "employees also needs --confirm-deactivations. The same file twice changes nothing.",
            (
                ("file", {"help": "the CSV file (UTF-8)"}),
                ("--apply", {"action": "store_true", "help": "apply it (default: a dry run)"}),
                ("--confirm-deactivations", {"action": "store_true", "help": "allow a large share of people to leave"}),
            ),
        ),
        Command(
            "move-attachments",
            cmd_move_attachments,
            "move attachments' bytes between this database and the bucket",
            "Copy every attachment kept in one store to the other (PORTAL_STORAGE_URL names the bucket), a batch "
            "per transaction, then delete it from the first; the portal keeps serving meanwhile (each attachment "
            "is read from wherever it is). Run it again after an interruption: it goes on where it stopped.",
            (("--to", {"required": True, "choices": ["s3", "postgres"], "help": "where the bytes go"}),),
        ),
        Command(
            "api-token",
            cmd_api_token,
            "create an API token for an integration (printed once)",
            "Create an API token with the given scopes, as an admin would on the tokens page, and print it once "
            "(only its hash is stored). For the first SCIM token of a portal whose admins come from the directory: "
            "portal api-token --name 'Entra ID' --scope scim.",
            (
                ("--name", {"required": True}),
                ("--scope", {"action": "append", "required": True, "help": "repeat for several"}),
            ),
        ),
        Command(
            "token",
            cmd_token,
            "mint a development JWT for an employee",
            "Print a bearer token signed with PORTAL_JWT_SECRET (HS256), for development and tests.",
            (
                ("--email", {"required": True}),
                ("--name", {"required": True}),
                ("--team", {"help": "team slug"}),
                ("--admin", {"action": "store_true", "help": "include the admin role"}),
                ("--ttl", {"type": _positive_int, "default": 8 * 3600, "help": "seconds (default 8 h)"}),
            ),
        ),
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portal",
        description="Idea Portal: the internal idea-exchange portal's API, workers and tools. "
        "Settings come from the environment; see docs/configuration.md.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands():
        sub = subparsers.add_parser(command.name, help=command.help, description=command.description)
        for flag, options in command.arguments:
            sub.add_argument(flag, **options)
        sub.set_defaults(run=command.run)
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
