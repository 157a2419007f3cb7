"""The web client's pages beside the JSON API for the same data, and the bytes of a cold first load.

Starts PostgreSQL and Redis (or uses PORTAL_TEST_DATABASE_URL / PORTAL_TEST_REDIS_URL), a fresh
database with the demo data plus IDEAS ideas (votes, comments, routings to the IT team), and one
`portal serve`. Then, with CONCURRENCY connections, measures each pair in the same run:
  idea list     GET /                    vs  GET /api/v1/ideas
  one idea      GET /ideas/{id}          vs  the four API calls a client needs for that page
                                             (idea, comments, routings, results), in sequence
  team inbox    GET /teams/it/inbox      vs  GET /api/v1/teams/it/inbox?sort=due
Finally a fresh Chromium loads the idea list once and the bytes transferred are added up.
Each pair also reports the server's CPU time per sample (from /proc): on a shared machine it
varies far less than latency does, so it shows what a change did when p99 moves with the neighbours.
Targets: each page's p99 within 1.5x of its JSON counterpart; cold load <= 100 KB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.harness import Result, free_port, fresh_database, start_process, stop_process, temp_dir
from portal.auth.tokens import mint_dev_token
from portal.config import Settings
from portal.db import connect
from portal.seed import seed
from tests.servers import TestServers

SECRET = "bench-secret-0123456789abcdef0123456789"
BULK = """
INSERT INTO employees (subject, email, name, team_id)
SELECT 'b' || n || '@example.com', 'b' || n || '@example.com', 'Bench ' || n,
       (SELECT id FROM teams ORDER BY id OFFSET n % 6 LIMIT 1)
FROM generate_series(1, 300) AS n;
INSERT INTO ideas (author_id, title, body, tags, created_at)
SELECT (SELECT id FROM employees ORDER BY id OFFSET n % 300 LIMIT 1),
       CASE WHEN n % 3 = 0 THEN '印刷の申請をオンラインに ' || n ELSE 'Faster laptop set-up, idea ' || n END,
       repeat('Prepare images per role so a new hire works on **day one**. ', 1 + n % 8),
       ARRAY['onboarding', 'tag' || (n % 40)], now() - make_interval(mins => n::int)
FROM generate_series(1, $1) AS n;
INSERT INTO votes (idea_id, employee_id)
SELECT i.id, e.id FROM ideas i JOIN LATERAL (
    SELECT id FROM employees ORDER BY id LIMIT (i.id % 25)) e ON true
ON CONFLICT DO NOTHING;
INSERT INTO idea_vote_shards (idea_id, shard, votes)
SELECT idea_id, employee_id % 32, count(*) FROM votes GROUP BY 1, 2
ON CONFLICT (idea_id, shard) DO UPDATE SET votes = EXCLUDED.votes;
INSERT INTO comments (idea_id, author_id, body)
SELECT i.id, (SELECT id FROM employees ORDER BY id OFFSET c % 300 LIMIT 1), 'A comment with *some* text ' || c
FROM ideas i, generate_series(1, 12) AS c WHERE i.id % 10 = 0;
INSERT INTO routings (idea_id, team_id, role, due_at)
SELECT id, (SELECT id FROM teams WHERE slug = 'it'), 'provider', now() + make_interval(hours => (id % 100 - 20)::int)
FROM ideas WHERE id % 4 = 0 ON CONFLICT DO NOTHING;
ANALYZE;
"""
# --attachments: two on every fifth idea (an image and a PDF), referred to from its text.
ATTACHMENTS = """
WITH made AS (
    INSERT INTO attachments (uploader_id, idea_id, name, content_type, size, sha256, width, height, thumbnail_size,
                             alt, store)
    SELECT i.author_id, i.id, k.name, k.type, 2048, repeat('ab', 32), k.w, k.h, k.t, 'A photo of the form', 'postgres'
    FROM ideas i, (VALUES ('form.jpg', 'image/jpeg', 800, 600, 1024), ('form.pdf', 'application/pdf', NULL, NULL, NULL))
        AS k (name, type, w, h, t)
    WHERE i.id % 5 = 0
    RETURNING id, idea_id, name
), texts AS (
    SELECT idea_id, string_agg(CASE WHEN name LIKE '%.jpg' THEN format('[![A photo of the form](/attachments/%s/thumbnail)](/attachments/%s)', id, id)
                                    ELSE format('[%s](/attachments/%s)', name, id) END, ' ') AS refs, count(*) AS n
    FROM made GROUP BY idea_id
)
UPDATE ideas i SET body = i.body || E'\n\n' || t.refs, attachment_count = t.n FROM texts t WHERE t.idea_id = i.id;
ANALYZE;
"""


async def prepare(url: str, ideas: int, *, attachments: bool = False) -> int:
    conn = await connect(url)  # with the JSON codecs the domain functions expect
    async with conn.transaction():
        await seed(conn)
    await conn.execute(BULK.replace("$1", str(int(ideas))))
    if attachments:
        await conn.execute(ATTACHMENTS)
    busiest = await conn.fetchval("SELECT idea_id FROM comments GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    await conn.close()
    return busiest


def cpu_seconds(pid: int) -> float:
    """The server process's CPU time so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Round:
    result: Result
    cpu_ms: float  # the server's CPU time per sample: steadier than latency on a shared machine


async def measure(
    name: str,
    session: aiohttp.ClientSession,
    calls: list[tuple[str, dict[str, str]]],
    requests: int,
    concurrency: int,
    server_pid: int,
) -> Round:
    """Closed loop; one sample is the whole list of calls made in sequence."""
    latencies: list[float] = []
    errors = 0
    remaining = iter(range(requests))

    async def worker() -> None:
        nonlocal errors
        for _ in remaining:
            started = time.perf_counter()
            for url, headers in calls:
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    errors += response.status != 200
            latencies.append(time.perf_counter() - started)

    cpu, started = cpu_seconds(server_pid), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(server_pid) - cpu
    return Round(Result(name, requests, elapsed, latencies, errors), cpu / requests * 1000)


async def sign_in(api: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{api}/dev/sign-in", data={"email": "ken.lead@example.com"}, allow_redirects=False) as response,
    ):
        return response.cookies["portal_session"].value


async def cold_load(api: str, cookie: str) -> tuple[int, int, int]:
    """Bytes on the wire (compressed) and decoded, and the number of requests, for a first visit."""
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        return -1, -1, 0
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        context = await browser.new_context()
        await context.add_cookies([{"name": "portal_session", "value": cookie, "url": api}])
        page = await context.new_page()
        responses = []
        page.on("response", lambda response: responses.append(response))
        await page.goto(api + "/", wait_until="load")  # not "networkidle": the live-count stream stays open
        await page.wait_for_timeout(500)
        wire = decoded = 0
        responses = [r for r in responses if "text/event-stream" not in r.headers.get("content-type", "")]
        for response in responses:
            await response.finished()  # its sizes are known only then (else they read 0 now and then)
            sizes = await response.request.sizes()
            wire += sizes["responseBodySize"] + sizes["responseHeadersSize"]
            decoded += len(await response.body())
        await browser.close()
    return wire, decoded, len(responses)  # the live-count stream (open, a few bytes) is left out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ideas", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=600, help="per measurement")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; each side's best p99 is kept")
    parser.add_argument("--attachments", action="store_true", help="two attachments on every fifth idea")
    args = parser.parse_args()

    servers = TestServers.start()
    logs = temp_dir()
    port = free_port()
    url = await fresh_database(servers)
    idea = await prepare(url, args.ideas, attachments=args.attachments)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": servers.redis_url,
        "PORTAL_JWT_SECRET": SECRET,
        "PORTAL_ENVIRONMENT": "test",
        "PORTAL_WRITE_RATE_LIMIT": str(10**9),
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    process = start_process([sys.executable, "-m", "portal", "serve", "--port", str(port)], env, port, logs / "api.log")
    api = f"http://127.0.0.1:{port}"
    try:
        settings = Settings(
            database_url=url, redis_url=servers.redis_url, jwt_secret=SECRET, environment="test", _env_file=None
        )
        bearer = {
            "Authorization": "Bearer "
            + mint_dev_token(settings, email="ken.lead@example.com", name="Ken Sato", team="it")
        }
        cookie = await sign_in(api)
        browser = {"Cookie": f"portal_session={cookie}", "Accept-Encoding": "gzip", "Accept": "text/html"}
        json = {**bearer, "Accept-Encoding": "gzip"}
        pairs = [
            (
                "idea list page  GET /",
                [(f"{api}/", browser)],
                "idea list JSON  GET /api/v1/ideas",
                [(f"{api}/api/v1/ideas", json)],
            ),
            (
                f"idea page       GET /ideas/{idea}",
                [(f"{api}/ideas/{idea}", browser)],
                "idea JSON x4    idea+comments+routings+results",
                [(f"{api}/api/v1/ideas/{idea}{part}", json) for part in ("", "/comments", "/routings", "/results")],
            ),
            (
                "inbox page      GET /teams/it/inbox",
                [(f"{api}/teams/it/inbox", browser)],
                "inbox JSON      GET /api/v1/teams/it/inbox",
                [(f"{api}/api/v1/teams/it/inbox?sort=due&limit=51", json)],
            ),
        ]
        lines = []
        load = (args.requests, args.concurrency, process.pid)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency)) as session:
            for page_name, page_calls, json_name, json_calls in pairs:
                await measure("warm-up", session, page_calls + json_calls, 50, args.concurrency, process.pid)
                rounds: list[Round] = []
                for _ in range(args.rounds):  # interleaved, so both see the same machine
                    rounds.append(await measure(json_name, session, json_calls, *load))
                    rounds.append(await measure(page_name, session, page_calls, *load))
                page, json_ = rounds[1::2], rounds[0::2]
                page_result = min((r.result for r in page), key=lambda r: r.pct(0.99))
                json_result = min((r.result for r in json_), key=lambda r: r.pct(0.99))
                page_cpu, json_cpu = min(r.cpu_ms for r in page), min(r.cpu_ms for r in json_)
                ratio = page_result.pct(0.99) / json_result.pct(0.99)
                lines.append(f"{json_result.line()}  server CPU {json_cpu:.2f} ms")
                lines.append(
                    f"{page_result.line()}  server CPU {page_cpu:.2f} ms  "
                    f"p99 x{ratio:.2f}, CPU x{page_cpu / json_cpu:.2f} of JSON (target <= 1.5)"
                )
        wire, decoded, count = await cold_load(api, cookie)
    finally:
        stop_process(process)
        servers.stop()
    print(
        f"{args.ideas} ideas plus the demo data; {args.concurrency} connections, {args.requests} samples each, "
        f"best of {args.rounds} interleaved rounds"
    )
    print("\n".join(lines))
    if wire >= 0:
        print(
            f"cold first load of the idea list: {wire / 1024:.1f} KB transferred ({decoded / 1024:.1f} KB decoded) "
            f"in {count} requests (target <= 100 KB)"
        )
    print(f"logs: {logs}")


if __name__ == "__main__":
    asyncio.run(main())
