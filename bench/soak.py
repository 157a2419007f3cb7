"""A steady mixed load against real API, worker and scheduler processes, for minutes or hours.

At --rate requests per second (open loop): ideas posted (naming a service, so they are routed),
votes, comments, lists, searches, an idea page, a lead's inbox; every --merge-every seconds one idea
merged into another while people vote on both; every --churn-every seconds webhooks created,
changed and deleted, one pointing at a receiver that always answers 500 and one at a closed port.
Two healthy receivers subscribe to every event throughout.

Reports: requests by status (target: no 5xx), deadlocks (PostgreSQL's count for the database, and
the processes' logs), whether each healthy receiver got every event once (no event missing, none
twice), and every process's resident memory sampled each minute (issue 26: flat after warm-up).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import asyncpg
from aiohttp import web

from bench.harness import free_port, fresh_database, spawn, start_process, stop_process, temp_dir
from portal.auth.tokens import mint_dev_token
from portal.config import Settings
from tests.servers import TestServers

SECRET = "bench-secret-0123456789abcdef0123456789"
KEY = "bench-encryption-key"
WORDS = ["laptop", "printer", "onboarding", "経費精算", "印刷", "expenses", "badge", "wifi", "form", "approval"]


class Receiver:
    """Records each webhook message id it is sent; `status` is what it answers."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: collections.Counter[str] = collections.Counter()

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        self.received[request.headers.get("webhook-id", "")] += 1
        return web.Response(status=self.status, text="ok" if self.status < 400 else "boom")


@dataclass
class Tally:
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    by_kind: collections.Counter[str] = field(default_factory=collections.Counter)
    server_errors: list[str] = field(default_factory=list)


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (a worker's processes), in KB."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


async def prepare(url: str, employees: int) -> None:
    conn = await asyncpg.connect(url)
    await conn.execute("""
        INSERT INTO teams (slug, name) VALUES ('it', 'IT'), ('marketing', 'Marketing'), ('sales', 'Sales');
        INSERT INTO services (slug, name, provider_team_id) SELECT 'laptop-setup', 'Laptop set-up', id
            FROM teams WHERE slug = 'it';
        INSERT INTO service_customers (service_id, team_id)
            SELECT s.id, t.id FROM services s, teams t WHERE t.slug IN ('marketing', 'sales');""")
    await conn.execute(
        """
        INSERT INTO employees (subject, email, name, team_id, is_admin)
        SELECT 'e' || n || '@example.com', 'e' || n || '@example.com', 'Employee ' || n,
               (SELECT id FROM teams WHERE slug = CASE WHEN n % 3 = 0 THEN 'sales' ELSE 'marketing' END), n = 1
        FROM generate_series(1, $1) AS n""",
        employees,
    )
    await conn.execute("INSERT INTO team_leads (team_id, employee_id) SELECT t.id, 2 FROM teams t WHERE t.slug = 'it'")
    await conn.close()


class Load:
    def __init__(self, api: str, tokens: list[str], session: aiohttp.ClientSession, tally: Tally) -> None:
        self.api, self.tokens, self.session, self.tally = api, tokens, session, tally
        self.ideas: list[int] = []
        self.admin = {"Authorization": f"Bearer {tokens[0]}"}
        self.lead = {"Authorization": f"Bearer {tokens[1]}"}

    def anyone(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {random.choice(self.tokens[2:])}"}

    async def call(self, kind: str, method: str, path: str, headers: dict[str, str], **kwargs) -> dict | None:
        async with self.session.request(method, self.api + path, headers=headers, **kwargs) as response:
            body = await response.read()
            self.tally.statuses[response.status] += 1
            self.tally.by_kind[kind] += 1
            if response.status >= 500:
                self.tally.server_errors.append(f"{method} {path} -> {response.status}: {body[:200]!r}")
            if response.content_type == "application/json" and response.status < 300:
                return await response.json()
        return None

    async def one(self) -> None:
        roll = random.random()
        word = random.choice(WORDS)
        if roll < 0.10 or len(self.ideas) < 20:
            idea = await self.call(
                "post",
                "POST",
                "/api/v1/ideas",
                self.anyone(),
                json={"title": f"Make {word} easier {random.randrange(10**6)}", "services": ["laptop-setup"]},
            )
            if idea:
                self.ideas.append(idea["id"])
        elif roll < 0.45:
            await self.call("vote", "PUT", f"/api/v1/ideas/{random.choice(self.ideas)}/vote", self.anyone())
        elif roll < 0.55:
            body = {"body": f"Yes, the {word} matters to us"}
            await self.call(
                "comment", "POST", f"/api/v1/ideas/{random.choice(self.ideas)}/comments", self.anyone(), json=body
            )
        elif roll < 0.70:
            sort = random.choice(["new", "top", "trending"])
            await self.call("list", "GET", f"/api/v1/ideas?sort={sort}", self.anyone())
        elif roll < 0.80:
            await self.call("search", "GET", "/api/v1/ideas", self.anyone(), params={"q": word})
        elif roll < 0.95:
            await self.call("idea", "GET", f"/api/v1/ideas/{random.choice(self.ideas)}", self.anyone())
        else:
            await self.call("inbox", "GET", "/api/v1/teams/it/inbox", self.lead)

    async def merge(self) -> None:
        """One idea merged into another while people vote on both."""
        open_ideas = [i for i in self.ideas[-200:]]
        if len(open_ideas) < 2:
            return
        duplicate, original = random.sample(open_ideas, 2)
        self.ideas.remove(duplicate)
        body = {"status": "duplicate", "reason": "Same request", "duplicate_of": original}
        votes = [
            self.call("vote", "PUT", f"/api/v1/ideas/{idea}/vote", self.anyone())
            for idea in (duplicate, original)
            for _ in range(5)
        ]
        await asyncio.gather(
            self.call("merge", "POST", f"/api/v1/ideas/{duplicate}/status", self.admin, json=body), *votes
        )

    async def churn(self, failing_url: str, closed_url: str, temporary: list[int]) -> None:
        """Webhooks come and go: one to a failing receiver, one to a closed port; the oldest is deleted."""
        for url in (failing_url, closed_url):
            hook = await self.call(
                "webhook", "POST", "/api/v1/webhooks", self.admin, json={"url": url, "event_types": ["*"]}
            )
            if hook:
                temporary.append(hook["id"])
        if len(temporary) > 2:
            changed = temporary[-3]
            body = {"event_types": ["idea.created", "vote.cast"]}
            await self.call("webhook", "PATCH", f"/api/v1/webhooks/{changed}", self.admin, json=body)
            await self.call("webhook", "DELETE", f"/api/v1/webhooks/{temporary.pop(0)}", self.admin)


async def run_load(args: argparse.Namespace, load: Load, urls: tuple[str, str], pids: dict[str, int]) -> dict:
    samples: dict[str, list[tuple[float, int]]] = {role: [] for role in pids}
    temporary: list[int] = []
    started = time.monotonic()
    end = started + args.minutes * 60
    tasks: set[asyncio.Task] = set()
    n, next_merge, next_churn, next_sample = 0, started + args.merge_every, started + 5, started
    while time.monotonic() < end:
        now = time.monotonic()
        if now >= next_sample:
            for role, pid in pids.items():
                samples[role].append(((now - started) / 60, rss_kb(pid)))
            next_sample += 60
        if now >= next_merge:
            tasks.add(asyncio.create_task(load.merge()))
            next_merge += args.merge_every
        if now >= next_churn:
            tasks.add(asyncio.create_task(load.churn(*urls, temporary)))
            next_churn += args.churn_every
        task = asyncio.create_task(load.one())
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        n += 1
        await asyncio.sleep(max(0.0, started + n / args.rate - time.monotonic()))
    await asyncio.gather(*tasks, return_exceptions=True)
    for role, pid in pids.items():
        samples[role].append((args.minutes, rss_kb(pid)))
    return samples


async def delivered_once(url: str, healthy: dict[int, Receiver], deadline_seconds: float) -> list[str]:
    """Waits for the healthy webhooks' deliveries to finish, then compares them with what arrived."""
    conn = await asyncpg.connect(url)
    try:
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline and await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE webhook_id = ANY($1) AND state = 'pending')"
            " OR EXISTS (SELECT 1 FROM events WHERE dispatched_at IS NULL)",
            list(healthy),
        ):
            await asyncio.sleep(0.5)
        findings = []
        for webhook_id, receiver in healthy.items():
            owed = {
                f"msg_{row['id']}"
                for row in await conn.fetch("SELECT id FROM webhook_deliveries WHERE webhook_id = $1", webhook_id)
            }
            states = await conn.fetch(
                "SELECT state, count(*) FROM webhook_deliveries WHERE webhook_id = $1 GROUP BY state", webhook_id
            )
            events = await conn.fetchval(
                "SELECT count(*) FROM events WHERE id >= (SELECT min(event_id) FROM webhook_deliveries WHERE webhook_id = $1)",
                webhook_id,
            )
            missing = owed - set(receiver.received)
            twice = [key for key, count in receiver.received.items() if count > 1]
            findings.append(
                f"webhook {webhook_id}: {len(owed)} deliveries for {events} events since it was created, "
                f"{len(receiver.received)} received, {len(missing)} missing, {len(twice)} received twice, "
                f"states {dict((r['state'], r['count']) for r in states)}"
            )
        return findings
    finally:
        await conn.close()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=40.0, help="requests per second")
    parser.add_argument("--merge-every", type=float, default=20.0, help="seconds between merges")
    parser.add_argument("--churn-every", type=float, default=30.0, help="seconds between webhook changes")
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument(
        "--arena-max",
        type=int,
        help="also run a second worker with MALLOC_ARENA_MAX set to this, to compare its memory with the first's",
    )
    return parser.parse_args()


async def main() -> None:
    args = parse_args()
    servers = TestServers.start()
    logs = temp_dir()
    healthy = [Receiver(), Receiver()]
    failing = Receiver(status=500)
    app = web.Application()
    for n, receiver in enumerate([*healthy, failing]):
        app.router.add_post(f"/hook/{n}", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    hook_port, api_port, closed_port = free_port(), free_port(), free_port()
    await web.TCPSite(runner, "127.0.0.1", hook_port).start()
    url = await fresh_database(servers)
    await prepare(url, args.employees)
    settings = Settings(database_url=url, redis_url=servers.redis_url, jwt_secret=SECRET, _env_file=None)
    tokens = [
        mint_dev_token(settings, email=f"e{n}@example.com", name=f"Employee {n}", admin=n == 1)
        for n in range(1, args.employees + 1)
    ]
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": servers.redis_url,
        "PORTAL_JWT_SECRET": SECRET,
        "PORTAL_ENVIRONMENT": "test",
        "PORTAL_ENCRYPTION_KEY": KEY,
        "PORTAL_WEBHOOK_ALLOW_NETWORKS": '["127.0.0.0/8"]',
        "PORTAL_WEBHOOK_RETRY_SCHEDULE": "[1, 2, 5]",
        "PORTAL_WEBHOOK_TIMEOUT_SECONDS": "3",
        "PORTAL_WRITE_RATE_LIMIT": str(10**9),
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    processes = {
        "api": start_process(
            [sys.executable, "-m", "portal", "serve", "--port", str(api_port)], env, api_port, logs / "api.log"
        ),
        "worker": spawn([sys.executable, "-m", "portal", "worker"], {**os.environ, **env}, logs / "worker.log"),
        "scheduler": spawn(
            [sys.executable, "-m", "portal", "scheduler"], {**os.environ, **env}, logs / "scheduler.log"
        ),
    }
    if args.arena_max:
        processes["worker-arenas"] = spawn(
            [sys.executable, "-m", "portal", "worker"],
            {
                **os.environ,
                **env,
                "MALLOC_ARENA_MAX": str(args.arena_max),
                "PORTAL_WORKER_METRICS_PORT": str(free_port()),
            },
            logs / "worker-arenas.log",
        )
    conn = await asyncpg.connect(url)
    deadlocks_before = await conn.fetchval("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
    await conn.close()
    tally = Tally()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            load = Load(f"http://127.0.0.1:{api_port}", tokens, session, tally)
            hooks = {}
            for n, receiver in enumerate(healthy):
                hook = await load.call(
                    "webhook",
                    "POST",
                    "/api/v1/webhooks",
                    load.admin,
                    json={"url": f"http://127.0.0.1:{hook_port}/hook/{n}", "event_types": ["*"]},
                )
                assert hook, "could not subscribe"
                hooks[hook["id"]] = receiver
            urls = (f"http://127.0.0.1:{hook_port}/hook/2", f"http://127.0.0.1:{closed_port}/hook")
            pids = {role: process.pid for role, process in processes.items()}
            samples = await run_load(args, load, urls, pids)
        findings = await delivered_once(url, hooks, deadline_seconds=120)
    finally:
        for process in processes.values():
            stop_process(process)
        await runner.cleanup()
    conn = await asyncpg.connect(url)
    deadlocks = await conn.fetchval("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
    await conn.close()
    servers.stop()
    report(args, tally, deadlocks - deadlocks_before, findings, samples, logs)


def report(args, tally: Tally, deadlocks: int, findings: list[str], samples: dict, logs: Path) -> None:
    total = sum(tally.statuses.values())
    logged = sum(path.read_text(errors="replace").lower().count("deadlock") for path in logs.glob("*.log"))
    print(f"{total} requests in {args.minutes:g} min at {args.rate:g}/s: {dict(sorted(tally.by_kind.items()))}")
    print(f"  by status: {dict(sorted(tally.statuses.items()))}; 5xx: {len(tally.server_errors)} (target 0)")
    for line in tally.server_errors[:5]:
        print(f"    {line}")
    print(f"  deadlocks: {deadlocks} counted by PostgreSQL, {logged} mentioned in the logs (target 0)")
    for line in findings:
        print(f"  {line}")
    print("  resident memory, MB, sampled each minute:")
    for role, points in samples.items():
        values = [kb / 1024 for _, kb in points]
        warm = values[1:] or values
        growth = (warm[-1] - warm[0]) / warm[0] if warm and warm[0] else 0.0
        # A plateau or a leak: the last 45 minutes of an hour's run (target: under 5%).
        late = [kb / 1024 for minute, kb in points if minute >= args.minutes - 45] if args.minutes >= 60 else []
        tail = f", last 45 minutes: {(late[-1] - late[0]) / late[0]:+.1%}" if late and late[0] else ""
        print(f"    {role:<13} {' '.join(f'{v:.0f}' for v in values)}  (after the first minute: {growth:+.1%}{tail})")
    print(f"logs: {logs}")


if __name__ == "__main__":
    asyncio.run(main())
