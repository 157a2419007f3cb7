"""Lists, filters, search and the inbox at a company's scale: each request's p50/p99 through
`portal serve` beside the same domain call's SQL time in this process, at each size given.

For each size (default 100k and 1M ideas) it generates the data set (bench/dataset.py: 10 votes
and 1.9 comments an idea, Zipf-skewed; 40% Japanese), starts `portal serve`, then:
  - one client: every request of the catalogue REQUESTS times, one at a time;
  - 16 clients: the whole catalogue mixed, on one `portal serve` and then on two.
Targets at 1M ideas, one client: p99 <= 20 ms for every list request, <= 30 ms for a vote;
growth from 100k to 1M under 2x.

Uses PORTAL_TEST_DATABASE_URL / PORTAL_TEST_REDIS_URL when set, else embedded servers. The
database gets the README's OLTP settings (jit off, random_page_cost 1.1, work_mem 16MB).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import asyncpg

from bench.dataset import PROBE_WORDS, Scale, generate
from bench.harness import drive, drop_database, free_port, fresh_database, start_process, stop_process, temp_dir
from portal.auth.tokens import mint_dev_token
from portal.config import PROJECT_ROOT, Settings
from portal.db import connect
from portal.embedded import OLTP_SETTINGS
from portal.ideas.listing import list_ideas
from portal.ideas.schemas import IdeaQuery
from portal.migrate import migrate_url
from tests.servers import TestServers, with_database

SECRET = "bench-secret-0123456789abcdef0123456789"
# name -> the idea list's query parameters (None: not an idea list; handled by name).
CATALOGUE: dict[str, dict[str, str] | None] = {
    "top": {"sort": "top"},
    "top, page 50": {"sort": "top", "page": "50"},
    "top + tag": {"sort": "top", "tag": "printing"},
    "trending": {"sort": "trending"},
    "trending, page 50": {"sort": "trending", "page": "50"},
    "new": {"sort": "new"},
    "new, page 50": {"sort": "new", "page": "50"},
    "status=planned": {"status": "planned", "sort": "top"},
    "tag=vpn": {"tag": "vpn"},
    "team=team-7 (top)": {"team": "team-7", "sort": "top"},
    "service=service-42": {"service": "service-42"},
    "author": {"author": "employee77@example.com"},
    "q=印刷": {"q": "印刷"},
    "q=経費精算": {"q": "経費精算"},
    "q=process (common)": {"q": "process"},
    "q=process, sort=new": {"q": "process", "sort": "new"},
    "q=rare number, sort=new": {"q": "424242", "sort": "new"},
    "q=印刷, sort=top": {"q": "印刷", "sort": "top"},
    "one idea": None,
    "team inbox (busiest)": None,
    "vote": None,
}


@dataclass
class Case:
    name: str
    path: str
    query: IdeaQuery | None


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _cursor_at_page(session, base: str, headers, params: dict[str, str], page: int) -> str | None:
    cursor = None
    for _ in range(page - 1):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        async with session.get(f"{base}/api/v1/ideas?{urlencode(query)}", headers=headers) as response:
            cursor = (await response.json())["next_cursor"]
    return cursor


async def build_cases(session, base: str, headers, conn) -> list[Case]:
    cases = []
    busiest = await conn.fetchval(
        "SELECT t.slug FROM routings r JOIN teams t ON t.id = r.team_id GROUP BY t.slug ORDER BY count(*) DESC LIMIT 1"
    )
    hottest = await conn.fetchval("SELECT id FROM ideas ORDER BY vote_count DESC LIMIT 1")
    for name, params in CATALOGUE.items():
        if name == "vote":
            cases.append(Case(name, "", None))
            continue
        if params is None:
            path = {"one idea": f"/api/v1/ideas/{hottest}", "team inbox (busiest)": f"/api/v1/teams/{busiest}/inbox"}
            if name in path:
                cases.append(Case(name, path[name], None))
            continue
        params = dict(params)
        page = int(params.pop("page", "1"))
        if page > 1:
            params["cursor"] = await _cursor_at_page(session, base, headers, params, page) or ""
        cases.append(Case(name, f"/api/v1/ideas?{urlencode(params)}", IdeaQuery.model_validate(params)))
    return cases


SORTS = ["relevance", "new", "top", "trending"]


async def _table(title: str, rows: list[tuple[str, dict[str, str]]], headers: dict[str, str], repeat: int) -> float:
    """Prints p50/p99 of each row's request under each sort (columns: the dicts' keys); the worst p99."""
    sorts = list(rows[0][1])
    print(f"\n  {title:<28} " + "  ".join(f"{sort + ' p50/p99':>20}" for sort in sorts))
    worst = 0.0
    for label, urls in rows:
        cells = []
        for url in urls.values():
            await drive("warm", [("GET", url, headers)] * 5, 1)
            result = await drive(label, [("GET", url, headers)] * repeat, 1)
            worst = max(worst, result.pct(0.99))
            cells.append(f"{result.pct(0.5):9.1f} /{result.pct(0.99):7.1f}{'!' if result.errors else ''}")
        print(f"  {label:<28} " + "  ".join(f"{cell:>20}" for cell in cells))
    return worst


async def tables(base: str, headers: dict[str, str], conn, repeat: int) -> None:
    """Searches by how many ideas match (bench/dataset.py's planted words) and the team filter by
    the team's size (its size-N teams), every sort."""
    rows = []
    for word in PROBE_WORDS:
        matches = await conn.fetchval("SELECT count(*) FROM ideas WHERE search @@ idea_search_query($1)", word)
        urls = {sort: f"{base}/api/v1/ideas?{urlencode({'q': word, 'sort': sort})}" for sort in SORTS}
        rows.append((f"{word} ({matches:,})", urls))
    searches = await _table("search (matching ideas)", rows, headers, repeat)
    rows = []
    for team in await conn.fetch(
        "SELECT slug, (SELECT count(*) FROM idea_teams WHERE team_id = t.id) AS ideas FROM teams t "
        "WHERE slug LIKE 'size-%' ORDER BY 2"
    ):
        urls = {sort: f"{base}/api/v1/ideas?{urlencode({'team': team['slug'], 'sort': sort})}" for sort in SORTS[1:]}
        rows.append((f"{team['slug']} ({team['ideas']:,})", urls))
    teams = await _table("team= (its ideas)", rows, headers, repeat)
    print(f"\n  worst p99: searches {searches:.1f} ms, team filters {teams:.1f} ms (target 20 ms)")


async def sql_times(url: str, case: Case, viewer: int, repeat: int) -> list[float]:
    """The domain call the handler makes, in one read-only transaction, without HTTP."""
    conn = await connect(url)
    times = []
    try:
        for _ in range(repeat):
            started = time.perf_counter()
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                assert case.query is not None
                await list_ideas(conn, viewer=viewer, query=case.query)
            times.append(time.perf_counter() - started)
    finally:
        await conn.close()
    return times


async def prepare(servers: TestServers, ideas: int, keep: bool) -> str:
    """A generated company of this size: a new one, or with --keep the one a previous run kept."""
    kept = f"portal_bench_scale_{ideas}"
    admin = await asyncpg.connect(servers.admin_database_url)
    exists = await admin.fetchval("SELECT true FROM pg_database WHERE datname = $1", kept)
    await admin.close()
    if keep and exists:
        url = with_database(servers.admin_database_url, kept)
        await migrate_url(url, PROJECT_ROOT / "sql")
        conn = await asyncpg.connect(url)
        await conn.execute("ANALYZE")
        await conn.close()
        print(f"\n## {ideas:,} ideas: the database kept by an earlier run ({kept})")
        return url
    url = await fresh_database(servers)
    admin = await asyncpg.connect(servers.admin_database_url)
    name = url.rsplit("/", 1)[-1]
    for setting, value in OLTP_SETTINGS.items():
        await admin.execute(f"ALTER DATABASE \"{name}\" SET {setting} = '{value}'")
    if keep:
        await admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{kept}"')
        url = with_database(servers.admin_database_url, kept)
    await admin.close()
    print(f"\n## {ideas:,} ideas: generating")
    started = time.monotonic()
    await generate(url, Scale.of(ideas))
    print(f"  generated in {time.monotonic() - started:.0f} s")
    return url


async def one_client(url: str, case: Case, requests: list, viewer: int, repeat: int) -> tuple[float, float]:
    """One request of the catalogue, one at a time, beside its domain call's SQL; prints a line."""
    if case.name != "vote":
        await drive("warm", requests[:20], 1)  # a running portal's cache holds these pages
        if case.query is not None:
            await sql_times(url, case, viewer, 5)
    result = await drive(case.name, requests, 1)
    sql = ""
    if case.query is not None:
        times = await sql_times(url, case, viewer, repeat)
        sql = f"{_p(times, 0.5):7.1f} {_p(times, 0.99):7.1f}"
    flag = " errors!" if result.errors else ""
    print(f"  {case.name:<28} {result.pct(0.5):7.1f} {result.pct(0.99):7.1f}   {sql}{flag}")
    return result.pct(0.5), result.pct(0.99)


async def run_size(
    servers: TestServers, ideas: int, repeat: int, logs: Path, keep: bool, only_tables: bool = False
) -> dict[str, tuple[float, float]]:
    url = await prepare(servers, ideas, keep)
    settings = Settings(database_url=url, redis_url=servers.redis_url, jwt_secret=SECRET, _env_file=None)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": servers.redis_url,
        "PORTAL_JWT_SECRET": SECRET,
        "PORTAL_WRITE_RATE_LIMIT": str(10**9),
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    ports = [free_port(), free_port()]
    apis = [
        start_process([sys.executable, "-m", "portal", "serve", "--port", str(ports[0])], env, ports[0], logs / "a.log")
    ]
    figures: dict[str, tuple[float, float]] = {}
    try:
        base = f"http://127.0.0.1:{ports[0]}"
        admin_token = mint_dev_token(settings, email="admin@example.com", name="Admin", admin=True)
        headers = {"Authorization": f"Bearer {admin_token}"}
        voters = [
            mint_dev_token(settings, email=f"employee{n}@example.com", name=f"Employee {n}", subject=f"sub-{n}")
            for n in range(2, 2 + repeat)
        ]
        conn = await connect(url)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/api/v1/me", headers=headers) as response:
                viewer = (await response.json())["id"]
            if only_tables:
                await tables(base, headers, conn, repeat)
                await conn.close()
                return figures
            cases = await build_cases(session, base, headers, conn)
            # Votes go to open ideas (closed ones refuse them with 409), spread by the same skew.
            open_ideas = [
                row["id"]
                for row in await conn.fetch(
                    "SELECT id FROM ideas WHERE status = 'open' AND id % 97 = 0 ORDER BY id LIMIT $1", repeat * 4
                )
            ]
            await conn.close()
            for token in voters:  # each voter signs in once, as employees of a running portal have
                async with session.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}):
                    pass
        print(f"\n  {'request (one client)':<28} {'p50':>7} {'p99':>7}   {'SQL p50':>7} {'SQL p99':>7}")
        for case in cases:
            if case.name == "vote":
                targets = random.sample(open_ideas, len(voters))
                requests = [
                    ("PUT", f"{base}/api/v1/ideas/{idea}/vote", {"Authorization": f"Bearer {token}"})
                    for idea, token in zip(targets, voters, strict=True)
                ]
            else:
                requests = [("GET", base + case.path, headers)] * repeat
            figures[case.name] = await one_client(url, case, requests, viewer, repeat)
        mix = [("GET", base + case.path, headers) for case in cases if case.name != "vote"] * 40
        random.shuffle(mix)
        one = await drive("16 clients, one serve", mix, 16)
        apis.append(
            start_process(
                [sys.executable, "-m", "portal", "serve", "--port", str(ports[1])], env, ports[1], logs / "b.log"
            )
        )
        split = [(m, u.replace(str(ports[0]), str(ports[i % 2])), h) for i, (m, u, h) in enumerate(mix)]
        two = await drive("16 clients, two serves", split, 16)
        for result in (one, two):
            print(
                f"  {result.name:<28} {result.rps:7.0f} req/s  p50 {result.pct(0.5):6.1f} ms  p99 {result.pct(0.99):6.1f} ms"
            )
    finally:
        for api in apis:
            stop_process(api)
        if not keep:
            await drop_database(servers, url)  # 1M ideas take 4 GB
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ideas", default="100000,1000000", help="comma-separated sizes")
    parser.add_argument("--repeat", type=int, default=100, help="requests per catalogue entry")
    parser.add_argument(
        "--keep", action="store_true", help="keep each size's database, and reuse one a run kept (no generating)"
    )
    parser.add_argument(
        "--tables",
        action="store_true",
        help="only the searches by number of matches and the team filter by team size, every sort",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.ideas.split(",")]
    servers = TestServers.start()
    logs = temp_dir()
    try:
        results = {size: await run_size(servers, size, args.repeat, logs, args.keep, args.tables) for size in sizes}
    finally:
        servers.stop()
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        print(f"\n  growth of p99 from {sizes[0]:,} to {sizes[-1]:,} ideas")
        for name in large:
            print(f"  {name:<28} {large[name][1] / max(small[name][1], 0.01):5.2f}x")
        worst = max(statistics.mean([v[1]]) for v in large.values())
        print(f"  worst p99 at {sizes[-1]:,}: {worst:.1f} ms")
    print(f"\nlogs: {logs}")


if __name__ == "__main__":
    asyncio.run(main())
