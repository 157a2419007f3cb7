"""The company's directory at scale, against a running `portal serve`, scheduler and worker.

(a) SCIM provisioning from one client (16 connections): --users users (default 100,000), then
    2,000 groups (1,000 teams of --users/1,000 members each, and each team's "<team> Leads" group
    with its first member), while people use the API at a steady rate (GET /ideas, GET an idea, a
    vote): their p50/p99 beside the same load on the idle portal before.
(b) A PATCH adding 5,000 members to a group, into an empty group and into one of 5,000 already.
(c) People search at that size: GET /employees?q= (a name's first letters, Latin and Japanese),
    16 connections.
(d) An org file of --users people in 2,000 teams on a fresh database: `portal import-org` dry run,
    apply, and the same file applied again (which changes nothing).
Targets: (a) <= 10 minutes, people's p99 within 1.5x of idle; (b) <= 2 s; (d) <= 60 s each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.harness import drive, drop_database, free_port, fresh_database, spawn, start_process, stop_process, temp_dir
from portal.auth.tokens import mint_dev_token
from portal.config import PROJECT_ROOT, Settings
from portal.db import connect
from portal.tokens.schemas import TokenCreate
from portal.tokens.service import issue
from tests.servers import TestServers

SECRET = "bench-secret-0123456789abcdef0123456789"
CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
TEAMS = 1000
FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "Smith", "Garcia", "Müller", "Kim", "Nguyen"]
THROTTLED = [0]  # 429s the provisioning client waited out
GIVEN = ["愛子", "健", "花子", "Ken", "Maria", "Aiko", "Yuki", "Sam", "Lena", "Omar"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def person(n: int) -> dict:
    family, given = FAMILY[n % len(FAMILY)], GIVEN[(n // len(FAMILY)) % len(GIVEN)]
    return {
        "schemas": [CORE_USER],
        "userName": f"user{n}@example.com",
        "externalId": f"ext-{n}",
        "name": {"givenName": given, "familyName": family},
        "displayName": f"{family} {given} {n}",
        "emails": [{"value": f"user{n}@example.com", "type": "work", "primary": True}],
        "active": True,
    }


class People:
    """People's requests at a steady rate (open loop): their latencies, whatever else runs."""

    def __init__(self, api: str, headers: dict[str, str], ideas: list[int], rate: float) -> None:
        self.api, self.headers, self.ideas, self.rate = api, headers, ideas, rate
        self.latencies: list[float] = []
        self.errors = 0
        self.stopping = asyncio.Event()

    async def one(self, session: aiohttp.ClientSession, n: int) -> None:
        kind = n % 3
        idea = self.ideas[n % len(self.ideas)]
        method, url = (
            ("GET", f"{self.api}/ideas?limit=20"),
            ("GET", f"{self.api}/ideas/{idea}"),
            ("PUT" if n % 2 else "DELETE", f"{self.api}/ideas/{idea}/vote"),
        )[kind]
        started = time.perf_counter()
        async with session.request(method, url, headers=self.headers) as response:
            await response.read()
            if response.status >= 400:
                self.errors += 1
        self.latencies.append(time.perf_counter() - started)

    async def run(self) -> None:
        async with aiohttp.ClientSession() as session:
            tasks, n, started = [], 0, time.monotonic()
            while not self.stopping.is_set():
                tasks.append(asyncio.create_task(self.one(session, n)))
                n += 1
                await asyncio.sleep(max(0.0, started + n / self.rate - time.monotonic()))
            await asyncio.gather(*tasks)


async def provision(base: str, token: str, users: int, concurrency: int = 16) -> tuple[float, float, dict[int, str]]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
    ids: dict[int, str] = {}
    queue = iter(range(users))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def create(kind: str, body: dict) -> dict:
            """POSTs as an identity provider does: on 429 it waits Retry-After and sends again."""
            while True:
                async with session.post(f"{base}/{kind}", data=json.dumps(body)) as response:
                    answer = await response.json(content_type=None)
                    if response.status == 429:
                        THROTTLED[0] += 1
                        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
                        continue
                    if response.status != 201:
                        raise RuntimeError(f"{kind} {body.get('userName') or body['displayName']}: {answer}")
                    return answer

        async def user_worker() -> None:
            for n in queue:
                ids[n] = (await create("Users", person(n)))["id"]

        started = time.monotonic()
        await asyncio.gather(*(user_worker() for _ in range(concurrency)))
        users_done = time.monotonic() - started
        per_team = users // TEAMS
        groups = iter(range(TEAMS))

        async def group_worker() -> None:
            for t in groups:
                members = [{"value": ids[n]} for n in range(t * per_team, (t + 1) * per_team)]
                for name, chosen in ((f"Team {t}", members), (f"Team {t} Leads", members[:1])):
                    body = {"schemas": [CORE_GROUP], "displayName": name, "externalId": f"g-{name}", "members": chosen}
                    await create("Groups", body)

        await asyncio.gather(*(group_worker() for _ in range(concurrency)))
        return users_done, time.monotonic() - started, ids


def provision_apart(base: str, token: str, users: int, concurrency: int) -> tuple[float, float, dict[int, str], int]:
    """provision() in a process of its own (with its count of 429s)."""
    users_seconds, total_seconds, ids = asyncio.run(provision(base, token, users, concurrency))
    return users_seconds, total_seconds, ids, THROTTLED[0]


async def large_patch(base: str, token: str, ids: dict[int, str]) -> list[float]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
    chosen = list(ids.values())
    timings = []
    async with aiohttp.ClientSession(headers=headers) as session:
        body = {"schemas": [CORE_GROUP], "displayName": "Everyone big", "externalId": "big"}
        async with session.post(f"{base}/Groups", data=json.dumps(body)) as response:
            group = (await response.json(content_type=None))["id"]
        for batch in (chosen[:5000], chosen[5000:10000]):
            patch = {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "Add", "path": "members", "value": [{"value": i} for i in batch]}],
            }
            started = time.monotonic()
            async with session.patch(f"{base}/Groups/{group}", data=json.dumps(patch)) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"patch: {response.status}")
            timings.append(time.monotonic() - started)
    return timings


async def org_file(servers: TestServers, users: int, logs: Path) -> list[tuple[str, float, str]]:
    url = await fresh_database(servers)
    try:
        path = logs / "org.csv"
        per_team = users // 2000
        with path.open("w", encoding="utf-8") as out:
            out.write("email,name,team,team_name,lead,active\n")
            for n in range(users):
                team = n // per_team
                out.write(
                    f"user{n}@example.com,{FAMILY[n % 10]} {GIVEN[n // 10 % 10]},team-{team},Team {team},{'yes' if n % per_team == 0 else 'no'},yes\n"
                )
        env = {**os.environ, "DATABASE_URL": url, "PORTAL_LOG_LEVEL": "WARNING"}
        timings = []
        for label, flags in (("dry run", []), ("apply", ["--apply"]), ("the same file again", ["--apply"])):
            started = time.monotonic()
            command = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "portal", "import-org", str(path), *flags,
                env=env, cwd=PROJECT_ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            stdout, stderr = await command.communicate()
            if command.returncode:
                raise RuntimeError(f"import-org {flags} failed: {stderr.decode()}")
            timings.append((label, time.monotonic() - started, stdout.decode().splitlines()[1].strip()))
        return timings
    finally:
        await drop_database(servers, url)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=30.0, help="people's requests per second")
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--log-level", default="WARNING", help="of the API, scheduler and worker")
    parser.add_argument("--scim-concurrency", type=int, help="PORTAL_SCIM_CONCURRENCY (default: the portal's)")
    parser.add_argument("--connections", type=int, default=16, help="the SCIM client's")
    args = parser.parse_args()

    servers = TestServers.start()
    url = await fresh_database(servers)
    logs = temp_dir()
    port = free_port()
    env = {"DATABASE_URL": url, "REDIS_URL": servers.redis_url, "PORTAL_JWT_SECRET": SECRET,
           "PORTAL_ENVIRONMENT": "test", "PORTAL_LOG_LEVEL": args.log_level, "PORTAL_PORT": str(port),
           "PORTAL_HEARTBEAT_DIR": str(logs / "beats"), "PORTAL_WORKER_METRICS_PORT": "0",
           "PORTAL_SCHEDULER_METRICS_PORT": "0"}  # fmt: skip
    if args.scim_concurrency:
        env["PORTAL_SCIM_CONCURRENCY"] = str(args.scim_concurrency)
    processes = []
    try:
        conn = await connect(url)
        token = (await issue(conn, TokenCreate(name="bench", scopes=["scim"]), created_by=None)).token
        await conn.close()
        api = start_process([sys.executable, "-m", "portal", "serve"], env, port, logs / "api.log")
        processes.append(api)
        for role in ("scheduler", "worker"):
            processes.append(spawn([sys.executable, "-m", "portal", role], env, logs / f"{role}.log"))
        settings = Settings(jwt_secret=SECRET, _env_file=None)
        people_headers = {"Authorization": f"Bearer {mint_dev_token(settings, email='reader@example.com', name='R')}"}
        rest = f"http://127.0.0.1:{port}/api/v1"
        scim = f"http://127.0.0.1:{port}/scim/v2"
        async with aiohttp.ClientSession(headers=people_headers) as session:
            ideas = []
            for n in range(20):
                async with session.post(f"{rest}/ideas", json={"title": f"An idea to read, number {n}"}) as response:
                    ideas.append((await response.json())["id"])

        idle = People(rest, people_headers, ideas, args.rate)
        runner = asyncio.create_task(idle.run())
        await asyncio.sleep(args.idle_seconds)
        idle.stopping.set()
        await runner

        busy = People(rest, people_headers, ideas, args.rate)
        runner = asyncio.create_task(busy.run())
        # The identity provider is another machine: its client runs in a process of its own, so its
        # work does not delay the measuring of people's requests on this event loop.
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            users_seconds, total_seconds, ids, THROTTLED[0] = await asyncio.get_running_loop().run_in_executor(
                pool, provision_apart, scim, token, args.users, args.connections
            )
        busy.stopping.set()
        await runner
        print(f"(a) {args.users:,} users provisioned over SCIM in {users_seconds:.0f} s ({args.users / users_seconds:.0f}/s); "
              f"with {2 * TEAMS:,} groups: {total_seconds:.0f} s   (target <= 600 s); "
              f"{THROTTLED[0]} answers were 429 (PORTAL_SCIM_RATE_LIMIT), each waited out", flush=True)  # fmt: skip
        print(f"    people's requests at {args.rate:.0f}/s, idle:         p50 {pct(idle.latencies, .5):6.1f} ms  "
              f"p99 {pct(idle.latencies, .99):6.1f} ms  ({len(idle.latencies)} requests, {idle.errors} errors)")  # fmt: skip
        print(f"    people's requests during provisioning: p50 {pct(busy.latencies, .5):6.1f} ms  "
              f"p99 {pct(busy.latencies, .99):6.1f} ms  ({len(busy.latencies)} requests, {busy.errors} errors)  "
              f"p99 ratio {pct(busy.latencies, .99) / pct(idle.latencies, .99):.2f}x   (target <= 1.5x)", flush=True)  # fmt: skip

        patches = await large_patch(scim, token, ids)
        print(f"(b) PATCH adding 5,000 members: into an empty group {patches[0]:.2f} s, "
              f"into one of 5,000 {patches[1]:.2f} s   (target <= 2 s)", flush=True)  # fmt: skip

        searches = []
        rng = random.Random(3)
        for _ in range(2000):
            q = rng.choice([*FAMILY, *GIVEN])[: rng.choice((1, 2, 3))]
            searches.append(("GET", f"{rest}/employees?q={q}&limit=20", people_headers))
        await drive("warm-up", searches[:200], 16)
        search = await drive("GET /employees?q=", searches, 16)
        print(f"(c) {search.line()}", flush=True)
    finally:
        for process in processes:
            stop_process(process)
    try:
        imports = await org_file(servers, args.users, logs)
    finally:
        await drop_database(servers, url)
        servers.stop()

    for label, seconds, summary in imports:
        print(f"(d) org file of {args.users:,} people, {label}: {seconds:.1f} s   (target <= 60 s)   {summary}")


if __name__ == "__main__":
    asyncio.run(main())
