"""PUT /ideas/{id}/vote under load: the portal beside a raw aiohttp+asyncpg baseline.

Starts (or uses PORTAL_TEST_DATABASE_URL / PORTAL_TEST_REDIS_URL) PostgreSQL and Redis, a fresh
database with EMPLOYEES employees and IDEAS ideas, then one `portal serve` process and one raw
baseline process, and drives each with 64 concurrent connections:
  spread: every employee votes on one of many ideas;
  hot:    every employee votes on the same idea.
Targets: portal spread >= 60% of raw spread; portal hot >= 70% of portal spread; p99 <= 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from bench.harness import (
    drive,
    free_port,
    fresh_database,
    start_process,
    stop_process,
    temp_dir,
)
from portal.auth.tokens import mint_dev_token
from portal.config import Settings
from tests.servers import TestServers

SECRET = "bench-secret-0123456789abcdef0123456789"
RESET = "TRUNCATE votes, idea_vote_shards, idea_rank_history, results_pending, events CASCADE"


async def prepare(url: str, employees: int, ideas: int) -> None:
    conn = await asyncpg.connect(url)
    await conn.execute("INSERT INTO teams (slug, name) VALUES ('bench', 'Bench')")
    await conn.execute(
        """
        INSERT INTO employees (subject, email, name, team_id)
        SELECT 'e' || n || '@example.com', 'e' || n || '@example.com', 'Employee ' || n,
               (SELECT id FROM teams WHERE slug = 'bench')
        FROM generate_series(1, $1) AS n""",
        employees,
    )
    await conn.execute(
        """
        INSERT INTO ideas (author_id, title) SELECT 1, 'Benchmark idea ' || n FROM generate_series(1, $1) AS n""",
        ideas,
    )
    await conn.close()


async def reset(url: str) -> None:
    conn = await asyncpg.connect(url)
    await conn.execute(RESET)
    await conn.execute("VACUUM ANALYZE")
    await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=8000)
    parser.add_argument("--ideas", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is shown")
    args = parser.parse_args()

    servers = TestServers.start()
    logs = temp_dir()
    try:
        url = await fresh_database(servers)
        await prepare(url, args.employees, args.ideas)
        settings = Settings(
            database_url=url, redis_url=servers.redis_url, jwt_secret=SECRET, write_rate_limit=10**9, _env_file=None
        )
        tokens = {
            n: mint_dev_token(settings, email=f"e{n}@example.com", name=f"Employee {n}", team="bench")
            for n in range(1, args.employees + 1)
        }
        # Employee n has id n+0 (the identity column starts at 1, in insertion order).
        employee_ids = {n: n for n in tokens}

        raw_port, portal_port = free_port(), free_port()
        raw = start_process(
            [sys.executable, "bench/raw_vote_server.py", str(raw_port)],
            {"DATABASE_URL": url},
            raw_port,
            logs / "raw.log",
        )
        portal = start_process(
            [sys.executable, "-m", "portal", "serve", "--port", str(portal_port)],
            {
                "DATABASE_URL": url,
                "REDIS_URL": servers.redis_url,
                "PORTAL_JWT_SECRET": SECRET,
                "PORTAL_WRITE_RATE_LIMIT": str(10**9),
                "PORTAL_LOG_LEVEL": "WARNING",
            },
            portal_port,
            logs / "portal.log",
        )
        try:

            def requests(port: int, hot: bool, authed: bool):
                out = []
                for n in tokens:
                    idea = 1 if hot else 1 + n % args.ideas
                    headers = (
                        {"Authorization": f"Bearer {tokens[n]}"} if authed else {"X-Employee-Id": str(employee_ids[n])}
                    )
                    out.append(("PUT", f"http://127.0.0.1:{port}/api/v1/ideas/{idea}/vote", headers))
                return out

            # Warm both servers up; on the portal every employee signs in once (GET /me), as
            # employees of a running portal have, so the runs measure votes, not first sign-ins.
            await drive("warm-up", requests(raw_port, False, False)[:2000], args.concurrency)
            await drive(
                "sign-in",
                [
                    ("GET", f"http://127.0.0.1:{portal_port}/api/v1/me", {"Authorization": f"Bearer {token}"})
                    for token in tokens.values()
                ],
                args.concurrency,
            )
            # Interleaved rounds, median kept: the machine's noise hits both sides alike.
            runs: dict[str, list] = {}
            for _ in range(args.rounds):
                for name, port, hot, authed in [
                    ("raw baseline, spread", raw_port, False, False),
                    ("portal, spread", portal_port, False, True),
                    ("raw baseline, one hot idea", raw_port, True, False),
                    ("portal, one hot idea", portal_port, True, True),
                ]:
                    await reset(url)
                    runs.setdefault(name, []).append(await drive(name, requests(port, hot, authed), args.concurrency))
            results = {name: sorted(rs, key=lambda r: r.rps)[len(rs) // 2] for name, rs in runs.items()}
        finally:
            stop_process(raw)
            stop_process(portal)
    finally:
        servers.stop()

    print(
        f"PUT /ideas/{{id}}/vote, {args.employees} distinct employees, {args.concurrency} connections, "
        f"{args.ideas} ideas for 'spread', median of {args.rounds} interleaved rounds"
    )
    print(results["raw baseline, spread"].line())
    print(results["portal, spread"].line(results["raw baseline, spread"]) + "   (target >= 60% of raw spread)")
    print(results["raw baseline, one hot idea"].line(results["raw baseline, spread"]))
    print(results["portal, one hot idea"].line(results["portal, spread"]) + "   (target >= 70% of portal spread)")
    worst = max(results["portal, spread"].pct(0.99), results["portal, one hot idea"].pct(0.99))
    print(f"portal p99 worst case: {worst:.1f} ms (target <= 100 ms)")


if __name__ == "__main__":
    asyncio.run(main())
