"""Connection pool and the unit of work: one connection, one transaction."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# What domain functions receive: a connection of its own, or one borrowed from a pool.
Connection = asyncpg.Connection | PoolConnectionProxy
T = TypeVar("T")
log = logging.getLogger("portal.db")
# What a transaction may meet however carefully it orders its locks (portal.locks): run again, it
# succeeds. Bounded: a conflict that keeps coming back is a bug to see, not to hide.
CONFLICTS = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
ATTEMPTS = 4


async def _init_connection(conn: asyncpg.Connection) -> None:
    for json_type in ("json", "jsonb"):
        await conn.set_type_codec(json_type, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Replaces asyncpg's reset-on-release query (a round trip per request).

    Pooled connections never change session state (no SET, LISTEN or advisory locks: those
    live on dedicated connections), and asyncpg still rolls back an open transaction first.
    """


async def fetch_row(conn: Connection, query: str, *args: Any) -> asyncpg.Record:
    """The row a statement always returns (INSERT ... RETURNING, an aggregate, a CTE's summary)."""
    row = await conn.fetchrow(query, *args)
    if row is None:
        raise RuntimeError("the statement returned no row")
    return row


async def connect(dsn: str, *, timeout: float = 10.0) -> asyncpg.Connection:
    """A single connection with the same type codecs as the pool's."""
    conn = await asyncpg.connect(dsn, timeout=timeout)
    await _init_connection(conn)
    return conn


async def create_pool(
    dsn: str, *, min_size: int = 2, max_size: int = 20, timeout: float = 10.0, application_name: str = "portal"
) -> asyncpg.Pool:
    """A pool whose connections name their process role (pg_stat_activity.application_name).

    A connection that broke (a terminated backend, a restarted server) fails the query that
    meets it and is replaced on its next use, so callers recover by trying again."""
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=60,
        server_settings={"application_name": application_name},
    )


# $1 setting names, $2 values; answers the values they replace, which the second gives back.
_SWAP_PLANNER_SETTINGS = """
SELECT array_agg(previous ORDER BY position) FROM (
    SELECT position, current_setting(name) AS previous, set_config(name, value, true)
    FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS s(name, value, position)
) swapped
"""
_RESTORE_PLANNER_SETTINGS = """
SELECT count(set_config(name, value, true)) FROM unnest($1::text[], $2::text[]) AS s(name, value)
"""


@contextlib.asynccontextmanager
async def planner_settings(conn: Connection, **settings: str) -> AsyncIterator[None]:
    """Planner settings for the statements run inside the block only, and local to the
    transaction (SET LOCAL would last to its end, and pooled sessions never change)."""
    names = list(settings)
    previous = await conn.fetchval(_SWAP_PLANNER_SETTINGS, names, [settings[name] for name in names])
    try:
        yield
    finally:
        await conn.execute(_RESTORE_PLANNER_SETTINGS, names, previous)


@contextlib.asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, *, readonly: bool = False) -> AsyncIterator[Connection]:
    """Everything done on the yielded connection commits together or not at all. A read-only
    unit of work sees one snapshot (REPEATABLE READ), so a page is consistent with itself."""
    async with pool.acquire() as conn:
        transaction = conn.transaction(isolation="repeatable_read", readonly=True) if readonly else conn.transaction()
        async with transaction:
            yield conn


async def _retrying(run: Callable[[], Awaitable[T]], attempts: int) -> T:
    for attempt in range(1, attempts + 1):
        try:
            return await run()
        except CONFLICTS as exc:
            if attempt == attempts:
                raise
            log.info("transaction retried", extra={"fields": {"attempt": attempt, "conflict": type(exc).__name__}})
            await asyncio.sleep(random.uniform(0.005, 0.05) * attempt)
    raise AssertionError("unreachable")


async def transaction(
    pool: asyncpg.Pool, work: Callable[[Connection], Awaitable[T]], *, readonly: bool = False, attempts: int = ATTEMPTS
) -> T:
    """`work` in one unit of work; a deadlock or serialization failure rolls it back and runs it
    again, up to `attempts` times, after a short random pause (so two that met do not meet again)."""

    async def run() -> T:
        async with unit_of_work(pool, readonly=readonly) as conn:
            return await work(conn)

    return await _retrying(run, attempts)


async def statement(pool: asyncpg.Pool, work: Callable[[Connection], Awaitable[T]], *, attempts: int = ATTEMPTS) -> T:
    """`work` running one statement, atomic on its own (no BEGIN and COMMIT round trips), retried
    as `transaction` retries."""

    async def run() -> T:
        async with pool.acquire() as conn:
            return await work(conn)

    return await _retrying(run, attempts)
