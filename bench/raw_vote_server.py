"""The raw baseline: the same vote transaction as the portal's, behind a bare aiohttp handler on
asyncpg, with no authentication, middleware or validation. The voter's id comes in a header."""

from __future__ import annotations

import json
import os
import sys

import asyncpg
from aiohttp import web

from portal.cli import new_event_loop
from portal.db import create_pool, fetch_row
from portal.lookups import shard_of
from portal.votes.queries import CAST_VOTE
from portal.workflow import CLOSED_STATUSES

POOL = web.AppKey("pool", asyncpg.Pool)
CLOSED = list(CLOSED_STATUSES)


async def vote(request: web.Request) -> web.Response:
    idea_id = int(request.match_info["idea_id"])
    employee_id = int(request.headers["X-Employee-Id"])
    async with request.app[POOL].acquire() as conn, conn.transaction():
        row = await fetch_row(conn, CAST_VOTE, idea_id, employee_id, shard_of(employee_id), CLOSED, None)
    count = row["vote_count"]
    return web.Response(
        text=json.dumps({"idea_id": idea_id, "voted": True, "vote_count": count}), content_type="application/json"
    )


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def pool_ctx(app: web.Application):
    # The same pool settings as the portal's, so the comparison measures everything but the pool.
    app[POOL] = await create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=20)
    yield
    await app[POOL].close()


if __name__ == "__main__":
    app = web.Application()
    app.router.add_put("/api/v1/ideas/{idea_id}/vote", vote)
    app.router.add_get("/healthz", healthz)
    app.cleanup_ctx.append(pool_ctx)
    # The same event loop as `portal serve` uses, so the comparison is like for like.
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None, loop=new_event_loop())
