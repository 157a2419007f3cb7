"""Scorecards at scale: a company of 200 teams, 1,000 services (each with a standard and three
customer teams), 20,000 employees and --ideas ideas over the last year (each routed to its
service's provider, a fifth of them done), 50,000 thanks and --answers pulse answers in one round
per service, generated in PostgreSQL.

Measures: closing every survey round (compiling results with the anonymity rules), compiling all
scorecards for this month and for last month (the worker's job), and GET /teams/{slug}/scorecard
and GET /services/{slug}/scorecard over HTTP from a real `portal serve` (16 connections).
Targets: a scorecard request p99 <= 50 ms; compiling all scorecards for a period <= 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import drive, drop_database, free_port, fresh_database, start_process, stop_process, temp_dir
from portal.auth.tokens import mint_dev_token
from portal.config import Settings
from portal.db import connect
from portal.scorecards.service import compile_period, period_of
from portal.surveys.service import close_due
from tests.servers import TestServers

SECRET = "bench-secret-0123456789abcdef0123456789"
TEAMS, SERVICES, EMPLOYEES, THANKS = 200, 1000, 20_000, 50_000

GENERATE = [
    f"""INSERT INTO teams (slug, name, response_sla_hours)
        SELECT 't' || n, 'Team ' || n, 72 FROM generate_series(1, {TEAMS}) n""",
    f"""INSERT INTO employees (subject, email, name, team_id)
        SELECT 'e' || n || '@example.com', 'e' || n || '@example.com', 'Employee ' || n, 1 + n % {TEAMS}
        FROM generate_series(1, {EMPLOYEES}) n""",
    f"""INSERT INTO services (slug, name, provider_team_id)
        SELECT 's' || n, 'Service ' || n, 1 + n % {TEAMS} FROM generate_series(1, {SERVICES}) n""",
    f"""INSERT INTO service_customers (service_id, team_id)
        SELECT DISTINCT s, 1 + (s + k * 7) % {TEAMS} FROM generate_series(1, {SERVICES}) s, generate_series(1, 3) k
        WHERE 1 + (s + k * 7) % {TEAMS} <> 1 + s % {TEAMS}""",
    f"""INSERT INTO service_standards (service_id, version, how_to_request, first_response_hours, contact)
        SELECT n, 1, 'Post an idea', 24 + n % 48, 'help@example.com' FROM generate_series(1, {SERVICES}) n""",
    """INSERT INTO ideas (author_id, title, status, created_at)
       SELECT 1 + n % 20000, 'Idea number ' || n, CASE WHEN n % 5 = 0 THEN 'done' ELSE 'open' END,
              now() - make_interval(secs => (n * 31.0) % 31536000)
       FROM generate_series(1, $1::int) n""",
    f"INSERT INTO idea_services (idea_id, service_id) SELECT id, 1 + id % {SERVICES} FROM ideas",
    """INSERT INTO routings (idea_id, team_id, role, state, routed_at, due_at, responded_at, responded_by,
                             first_responded_at, decided_at, standard_id)
       SELECT i.id, s.provider_team_id, 'provider', CASE WHEN i.id % 5 < 3 THEN 'accepted' ELSE 'pending' END,
              i.created_at + interval '1 minute', i.created_at + interval '1 minute' + interval '48 hours',
              CASE WHEN i.id % 5 < 3 THEN i.created_at + make_interval(hours => (1 + i.id % 60)::int) END,
              CASE WHEN i.id % 5 < 3 THEN i.author_id END,
              CASE WHEN i.id % 5 < 3 THEN i.created_at + make_interval(hours => (1 + i.id % 60)::int) END,
              CASE WHEN i.id % 5 < 3 THEN i.created_at + make_interval(hours => (3 + i.id % 60)::int) END,
              s.id
       FROM ideas i JOIN idea_services x ON x.idea_id = i.id JOIN services s ON s.id = x.service_id""",
    """INSERT INTO idea_status_changes (idea_id, from_status, to_status, reason, changed_at)
       SELECT id, 'in_progress', 'done', 'Shipped', least(now(), created_at + interval '10 days')
       FROM ideas WHERE status = 'done'""",
    f"""INSERT INTO thanks (sender_id, sender_team_id, to_team_id, message, created_at)
        SELECT e.id, e.team_id, 1 + (e.team_id + 1) % {TEAMS}, 'Thank you', now() - make_interval(hours => n % 8000)
        FROM generate_series(1, {THANKS}) n JOIN employees e ON e.id = 1 + n % {EMPLOYEES}""",
    """INSERT INTO survey_rounds (kind, service_id, opened_at, closes_at)
       SELECT 'pulse', id, now() - interval '10 days', now() - interval '1 second' FROM services""",
    """INSERT INTO survey_answers (round_id, respondent_id, customer_team_id, csat, ces, improvement)
       SELECT r.id, e.id, e.team_id, 1 + (e.id + r.id) % 5, 1 + (e.id * 7 + r.id) % 5,
              CASE WHEN e.id % 10 = 0 THEN 'Faster answers' END
       FROM survey_rounds r JOIN service_customers c ON c.service_id = r.service_id
       JOIN employees e ON e.team_id = c.team_id
       WHERE e.id % 3 = 0
       LIMIT $1::int""",
]


async def generate(url: str, ideas: int, answers: int) -> float:
    started = time.monotonic()
    conn = await connect(url)
    try:
        for statement in GENERATE:
            if "$1" in statement:
                await conn.execute(statement, answers if "survey_answers" in statement else ideas)
            else:
                await conn.execute(statement)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.monotonic() - started


async def timed(url: str, work) -> tuple[float, object]:
    conn = await connect(url)
    try:
        started = time.monotonic()
        async with conn.transaction():
            result = await work(conn)
        return time.monotonic() - started, result
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ideas", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=4000)
    args = parser.parse_args()

    servers = TestServers.start()
    url = await fresh_database(servers)
    logs = temp_dir()
    try:
        generated = await generate(url, args.ideas, args.answers)
        closing, closed = await timed(url, lambda conn: close_due(conn, minimum=5))
        conn = await connect(url)
        now = await conn.fetchval("SELECT now()")
        await conn.close()
        periods = [period_of(now), period_of(now.replace(day=1) - timedelta(days=1))]
        compiles = []
        for period in periods:
            seconds, cards = await timed(url, lambda conn, period=period: compile_period(conn, period))
            compiles.append((period, seconds, cards))
        port = free_port()
        env = {"DATABASE_URL": url, "REDIS_URL": servers.redis_url, "PORTAL_JWT_SECRET": SECRET,
               "PORTAL_ENVIRONMENT": "test", "PORTAL_LOG_LEVEL": "WARNING", "PORTAL_PORT": str(port)}  # fmt: skip
        api = start_process([sys.executable, "-m", "portal", "serve"], env, port, logs / "api.log")
        try:
            settings = Settings(jwt_secret=SECRET, _env_file=None)
            headers = {"Authorization": f"Bearer {mint_dev_token(settings, email='e1@example.com', name='E')}"}
            base = f"http://127.0.0.1:{port}/api/v1"
            rng = random.Random(7)
            warm = [("GET", f"{base}/teams/t{rng.randint(1, TEAMS)}/scorecard", headers) for _ in range(400)]
            await drive("warm-up", warm, 16)
            teams = [("GET", f"{base}/teams/t{rng.randint(1, TEAMS)}/scorecard", headers) for _ in range(args.requests)]
            services = [
                ("GET", f"{base}/services/s{rng.randint(1, SERVICES)}/scorecard?period={periods[1]}", headers)
                for _ in range(args.requests)
            ]
            team_result = await drive("GET /teams/{slug}/scorecard", teams, 16)
            service_result = await drive("GET /services/{slug}/scorecard", services, 16)
        finally:
            stop_process(api)
    finally:
        await drop_database(servers, url)
        servers.stop()

    print(
        f"{args.ideas:,} ideas, {TEAMS} teams, {SERVICES} services, {EMPLOYEES:,} employees, {THANKS:,} thanks, "
        f"{args.answers:,} pulse answers (generated in {generated:.0f} s)"
    )
    print(f"closing {closed} survey rounds (results under the anonymity rules): {closing:.1f} s")
    for period, seconds, cards in compiles:
        print(f"compiling every scorecard for {period}: {cards} scorecards in {seconds:.1f} s   (target <= 60 s)")
    for result in (team_result, service_result):
        print(result.line() + "   (target p99 <= 50 ms)")


if __name__ == "__main__":
    asyncio.run(main())
