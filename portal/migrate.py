"""Applies the numbered SQL files in sql/, each in its own transaction, under an advisory lock.

Unlike "apply versions newer than the last one", every file not yet recorded is applied in
order, so a migration merged late is not skipped; a recorded file whose text changed since it
was applied is reported and stops the run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

# An arbitrary constant shared by every migrator of this project.
MIGRATION_LOCK_ID = 7_141_592_653
FILE_PATTERN = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    filename    text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(Exception):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    filename: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass
class MigrationReport:
    applied: list[str]
    already_applied: int


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


async def migrate(conn: asyncpg.Connection, directory: Path) -> MigrationReport:
    migrations = discover(directory)
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
    try:
        await conn.execute(CREATE_LEDGER)
        recorded = {
            row["version"]: row for row in await conn.fetch("SELECT version, filename, checksum FROM schema_migrations")
        }
        changed = [
            m.filename for m in migrations if m.version in recorded and recorded[m.version]["checksum"] != m.checksum
        ]
        if changed:
            raise MigrationError(
                "edited after being applied: "
                + ", ".join(changed)
                + " (add a new migration instead of changing an applied one)"
            )
        applied = []
        for migration in migrations:
            if migration.version in recorded:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, filename, checksum) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.filename,
                    migration.checksum,
                )
            applied.append(migration.filename)
        return MigrationReport(applied=applied, already_applied=len(recorded))
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)


async def migrate_url(dsn: str, directory: Path) -> MigrationReport:
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn, directory)
    finally:
        await conn.close()
