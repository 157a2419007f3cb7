"""Applies the numbered SQL files in sql/ under an advisory lock, online: the portal keeps
serving and writing while a migration runs.

Unlike "apply versions newer than the last one", every file not yet recorded is applied in
order, so a migration merged late is not skipped; a recorded file whose text changed since it
was applied is reported and stops the run (unless the new text names the old one's checksum in
a `-- portal:replaces <sha256>` line: the file was rewritten to do the same thing online).

A file is one or more steps, each begun by a `-- portal:step <kind>` line (a file without one is
a single `schema` step):

- `schema`: one transaction, each lock waited for at most LOCK_TIMEOUT and the step tried again
  after a pause, so a table lock never queues the portal's writes behind a long transaction;
  DDL that takes its lock for milliseconds (add a nullable column or one with a constant default,
  a constraint NOT VALID, a small table).
- `concurrently`: each statement on its own, outside a transaction (CREATE INDEX CONCURRENTLY,
  VALIDATE CONSTRAINT, DROP INDEX CONCURRENTLY), which let writes go on; an index such a
  statement left invalid when it was interrupted is dropped before it is built again.
- `ranges <table>[.<column>]`: one statement run for consecutive ranges of the table's `id` (or
  the column named: $1 <= it < $2, BATCH values each), each range its own short transaction: a
  backfill.
- `batches`: statements run together in transactions of their own, the last one given `$1` =
  BATCH, the most rows it may change, until it changes fewer (for a backfill that must follow an
  order other than the ids'; rows written meanwhile are left to the new code).

Finished steps (and a `ranges` step's progress) are recorded in schema_migration_steps, so a run
that stopped or was killed resumes where it was; the file is recorded in schema_migrations when
its last step is done.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import asyncpg

# An arbitrary constant shared by every migrator of this project.
MIGRATION_LOCK_ID = 7_141_592_653
FILE_PATTERN = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
STEP_LINE = re.compile(r"^-- portal:step (schema|concurrently|batches|ranges [a-z_]+(?:\.[a-z_]+)?)[ \t]*$", re.M)
REPLACES_LINE = re.compile(r"^-- portal:replaces ([0-9a-f]{64})[ \t]*$", re.M)
INDEX_NAME = re.compile(r"\bINDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z0-9_]+)", re.I)
BATCH = 10_000
LOCK_TIMEOUT = "500ms"
LOCK_ATTEMPTS = 120

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    filename    text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS schema_migration_steps (
    version     integer NOT NULL,
    step        integer NOT NULL,
    checksum    text NOT NULL,
    done_until  bigint,
    finished_at timestamptz,
    PRIMARY KEY (version, step)
)
"""
INVALID_INDEXES = """
SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])
"""


class MigrationError(Exception):
    pass


@dataclass(frozen=True)
class Step:
    kind: str  # schema, concurrently, batches or ranges
    sql: str
    table: str | None = None  # what a `ranges` step walks
    column: str = "id"


@dataclass(frozen=True)
class Migration:
    version: int
    filename: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def replaces(self) -> set[str]:
        return set(REPLACES_LINE.findall(self.sql))

    @property
    def steps(self) -> list[Step]:
        marks = list(STEP_LINE.finditer(self.sql))
        if not marks:
            return [Step("schema", self.sql)]
        steps = []
        head = self.sql[: marks[0].start()]
        if _has_statements(head):
            steps.append(Step("schema", head))
        for mark, following in zip(marks, [*marks[1:], None], strict=True):
            body = self.sql[mark.end() : following.start() if following else len(self.sql)]
            kind, _, walked = mark.group(1).partition(" ")
            table, _, column = walked.partition(".")
            steps.append(Step(kind, body, table or None, column or "id"))
        return steps


@dataclass
class MigrationReport:
    applied: list[str]
    already_applied: int


def _has_statements(sql: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


def _statements(sql: str) -> list[str]:
    """A step's statements: each ends with a semicolon at the end of a line."""
    parts = re.split(r";[ \t]*(?:--[^\n]*)?$", sql, flags=re.M)
    return [part.strip() for part in parts if _has_statements(part)]


def discover(directory: Path) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = FILE_PATTERN.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: not named NNNN_description.sql")
        migrations.append(Migration(int(match.group(1)), path.name, path.read_text("utf-8")))
    versions = [m.version for m in migrations]
    if len(versions) != len(set(versions)):
        raise MigrationError("two migration files share a version number")
    return migrations


class _Runner:
    def __init__(self, conn: asyncpg.Connection, report: Callable[[str], object]) -> None:
        self.conn = conn
        self.report = report

    async def _locking(self, what: str, work: Callable[[], Awaitable[None]]) -> None:
        """Runs `work` in a transaction whose lock waits are bounded, again after each timeout."""
        for attempt in range(LOCK_ATTEMPTS):
            try:
                async with self.conn.transaction():
                    await self.conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                    await work()
                return
            except asyncpg.LockNotAvailableError:
                if attempt % 10 == 9:
                    self.report(f"  {what}: a lock not free within {LOCK_TIMEOUT} {attempt + 1} times; trying again")
                await asyncio.sleep(min(0.1 * 2**attempt, 5.0))
        raise MigrationError(f"{what}: could not take a lock in {LOCK_ATTEMPTS} tries: a long transaction holds it")

    async def apply(self, migration: Migration) -> None:
        conn = self.conn
        recorded = {
            row["step"]: row
            for row in await conn.fetch(
                "SELECT step, checksum, done_until, finished_at FROM schema_migration_steps WHERE version = $1",
                migration.version,
            )
        }
        if any(row["checksum"] != migration.checksum for row in recorded.values()):
            raise MigrationError(f"{migration.filename}: edited while partly applied (finish it with its old text)")
        steps = migration.steps
        for number, step in enumerate(steps, 1):
            row = recorded.get(number)
            if row is not None and row["finished_at"] is not None:
                continue
            last = number == len(steps)
            where = f"{migration.filename} step {number}"
            started = time.monotonic()
            if step.kind == "schema":
                await self._locking(where, partial(self._schema, migration, number, step, last))
            else:
                if step.kind == "concurrently":
                    await self._concurrently(step)
                elif step.kind == "ranges":
                    await self._ranges(migration, number, step, row["done_until"] if row else None)
                else:
                    await self._batches(migration, number, step)
                await self._locking(where, partial(self._finish, migration, number, last))
            if len(steps) > 1:
                self.report(
                    f"  {migration.filename} step {number}/{len(steps)} ({step.kind}) "
                    f"done in {time.monotonic() - started:.1f} s"
                )

    async def _schema(self, migration: Migration, number: int, step: Step, last: bool) -> None:
        await self.conn.execute(step.sql)
        await self._finish(migration, number, last)

    async def _finish(self, migration: Migration, number: int, last: bool) -> None:
        if last:
            await self.conn.execute("DELETE FROM schema_migration_steps WHERE version = $1", migration.version)
            await self.conn.execute(
                "INSERT INTO schema_migrations (version, filename, checksum) VALUES ($1, $2, $3)",
                migration.version,
                migration.filename,
                migration.checksum,
            )
        else:
            await self._record(migration, number, finished=True)

    async def _record(
        self, migration: Migration, number: int, *, done_until: int | None = None, finished: bool = False
    ) -> None:
        await self.conn.execute(
            """INSERT INTO schema_migration_steps (version, step, checksum, done_until, finished_at)
               VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END)
               ON CONFLICT (version, step) DO UPDATE
               SET done_until = coalesce(EXCLUDED.done_until, schema_migration_steps.done_until),
                   finished_at = EXCLUDED.finished_at""",
            migration.version,
            number,
            migration.checksum,
            done_until,
            finished,
        )

    async def _concurrently(self, step: Step) -> None:
        statements = _statements(step.sql)
        names = [name for statement in statements for name in INDEX_NAME.findall(statement)]
        for name in await self.conn.fetch(INVALID_INDEXES, names):
            await self.conn.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name["relname"]}"')
        for statement in statements:
            await self.conn.execute(statement)

    async def _ranges(self, migration: Migration, number: int, step: Step, done_until: int | None) -> None:
        bounds = await self.conn.fetchrow(
            f"SELECT min({step.column}) AS low, max({step.column}) AS high FROM {step.table}"
        )
        assert bounds is not None
        low, high = bounds["low"], bounds["high"]
        if low is None:
            return
        start = done_until if done_until is not None else low
        total = high + 1 - low
        shown = time.monotonic()
        while start <= high:
            end = start + BATCH

            async def batch(start: int = start, end: int = end) -> None:
                await self.conn.execute(step.sql, start, end)
                await self._record(migration, number, done_until=end)

            await self._locking(f"{migration.filename} step {number}", batch)
            start = end
            if time.monotonic() - shown > 5:
                shown = time.monotonic()
                done = min(start, high + 1) - low
                self.report(f"  {migration.filename} step {number}: {step.table} {done:,} of {total:,} {step.column}s")

    async def _batches(self, migration: Migration, number: int, step: Step) -> None:
        # A batch that changes fewer than BATCH rows has caught up: rows written meanwhile are the
        # new code's to handle, so writes going on do not keep the step running for ever.
        *setup, statement = _statements(step.sql)
        rows, shown = 0, time.monotonic()
        while True:
            changed = 0

            async def batch() -> None:
                nonlocal changed
                for sql in setup:
                    await self.conn.execute(sql)
                status = await self.conn.execute(statement, BATCH)
                changed = int(status.rsplit(" ", 1)[-1])

            await self._locking(f"{migration.filename} step {number}", batch)
            rows += changed
            if changed < BATCH:
                return
            if time.monotonic() - shown > 5:
                shown = time.monotonic()
                self.report(f"  {migration.filename} step {number}: {rows:,} rows")


async def migrate(
    conn: asyncpg.Connection,
    directory: Path,
    *,
    up_to: int | None = None,
    report: Callable[[str], object] = lambda line: None,
) -> MigrationReport:
    """Applies every file not yet recorded (up to version `up_to`), reporting progress lines."""
    migrations = [m for m in discover(directory) if up_to is None or m.version <= up_to]
    # Polled rather than waited for: a statement waiting for the lock holds a snapshot, which a
    # CREATE INDEX CONCURRENTLY of the migrator holding it would wait for in turn.
    while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", MIGRATION_LOCK_ID):
        await asyncio.sleep(0.2)
    try:
        await conn.execute(CREATE_LEDGER)
        recorded = {
            row["version"]: row for row in await conn.fetch("SELECT version, filename, checksum FROM schema_migrations")
        }
        changed = [
            m.filename
            for m in migrations
            if m.version in recorded
            and recorded[m.version]["checksum"] != m.checksum
            and recorded[m.version]["checksum"] not in m.replaces
        ]
        if changed:
            raise MigrationError(
                "edited after being applied: "
                + ", ".join(changed)
                + " (add a new migration instead of changing an applied one)"
            )
        runner = _Runner(conn, report)
        applied = []
        for migration in migrations:
            if migration.version in recorded:
                continue
            started = time.monotonic()
            await runner.apply(migration)
            applied.append(migration.filename)
            report(f"{migration.filename} applied in {time.monotonic() - started:.1f} s")
        return MigrationReport(applied=applied, already_applied=len(recorded))
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)


async def migrate_url(
    dsn: str, directory: Path, *, up_to: int | None = None, report: Callable[[str], object] = lambda line: None
) -> MigrationReport:
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn, directory, up_to=up_to, report=report)
    finally:
        await conn.close()
