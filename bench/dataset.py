"""A company's worth of data, generated in PostgreSQL itself (INSERT ... SELECT), at any size.

Shape at the default 1M ideas: 100k employees in 200 teams, 1,000 services (a provider and two
or three customer teams each), 40% of ideas in Japanese, tags from a list of 40, 60% of ideas
about a service (routed to its provider and customers), statuses spread over the workflow,
votes Zipf-skewed (a handful of ideas with 10k+) and 2% of them from the last week, comments
skewed the same way. Everything the application keeps in step is kept: vote shards sum to the
vote rows, ideas.vote_count / trending / comment_count are exact, routings match the services.
What it does not make: events (the outbox starts empty) and status histories.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import asyncpg

TAGS = [
    "laptops", "onboarding", "printing", "expenses", "travel", "payroll", "security", "wifi",
    "meeting-rooms", "parking", "canteen", "badges", "vpn", "email", "calendar", "hiring",
    "training", "benefits", "contracts", "invoices", "reporting", "dashboards", "crm", "erp",
    "chat", "phones", "desks", "lockers", "cleaning", "lighting", "heating", "recycling",
    "shipping", "procurement", "legal", "compliance", "accessibility", "translation", "events", "intranet",
]  # fmt: skip
ENGLISH_WORDS = [
    "laptop", "setup", "printer", "expense", "report", "approval", "process", "faster", "simpler",
    "request", "access", "account", "badge", "meeting", "room", "booking", "invoice", "contract",
    "onboarding", "training", "network", "travel", "policy", "form", "portal", "ticket", "queue",
    "delay", "weekly", "monthly", "manager", "budget", "vendor", "shipping", "desk", "locker",
]  # fmt: skip
JAPANESE_WORDS = [
    "印刷", "経費精算", "申請", "承認", "手続き", "会議室", "予約", "出張", "請求書", "契約",
    "研修", "入社", "パソコン", "設定", "改善", "効率化", "社内", "報告", "問い合わせ", "受付",
    "窓口", "勤怠", "給与", "福利厚生", "名刺", "備品", "発注", "配送", "清掃", "照明",
]  # fmt: skip


@dataclass(frozen=True)
class Scale:
    ideas: int = 1_000_000
    votes: int = 10_000_000
    comments: int = 1_900_000
    employees: int = 100_000
    teams: int = 200
    services: int = 1_000

    @classmethod
    def of(cls, ideas: int) -> Scale:
        """The default shape, scaled to this many ideas (people and teams scale less)."""
        factor = ideas / cls.ideas
        return cls(
            ideas=ideas,
            votes=int(cls.votes * factor),
            comments=int(cls.comments * factor),
            employees=max(1_000, int(cls.employees * min(1.0, factor * 4))),
            teams=max(20, int(cls.teams * min(1.0, factor * 4))),
            services=max(50, int(cls.services * min(1.0, factor * 4))),
        )


def _words(words: list[str], pick: str) -> str:
    """A SQL expression choosing one of `words` by the integer expression `pick`."""
    array = "ARRAY[" + ", ".join("'" + word + "'" for word in words) + "]"
    return f"({array})[1 + (({pick}) % {len(words)})]"


STEPS = [
    (
        "teams",
        """INSERT INTO teams (slug, name, response_sla_hours)
           SELECT 'team-' || n, 'Team ' || n, (ARRAY[24, 48, 72, 120])[1 + n % 4]
           FROM generate_series(1, $1) n""",
        lambda s: (s.teams,),
    ),
    (
        "employees",
        """INSERT INTO employees (subject, email, name, team_id)
           SELECT 'sub-' || n, 'employee' || n || '@example.com', 'Employee ' || n, 1 + n % $2
           FROM generate_series(1, $1) n""",
        lambda s: (s.employees, s.teams),
    ),
    (
        "services",
        """INSERT INTO services (slug, name, provider_team_id)
           SELECT 'service-' || n, 'Service ' || n, 1 + n % $2 FROM generate_series(1, $1) n""",
        lambda s: (s.services, s.teams),
    ),
    (
        "service customers",
        """INSERT INTO service_customers (service_id, team_id)
           SELECT DISTINCT s.id, 1 + (s.id * 7 + k * 13) % $1
           FROM services s, generate_series(1, 2 + s.id::int % 2) k
           WHERE 1 + (s.id * 7 + k * 13) % $1 <> s.provider_team_id""",
        lambda s: (s.teams,),
    ),
    (
        "ideas",
        f"""INSERT INTO ideas (author_id, title, body, tags, status, created_at, updated_at)
           SELECT 1 + (n * 7919) % $2,
                  CASE WHEN n % 5 < 2
                       THEN {_words(JAPANESE_WORDS, "n")} || 'の' || {_words(JAPANESE_WORDS, "n / 31")}
                            || 'を' || {_words(JAPANESE_WORDS, "n / 997")} || 'したい ' || n
                       ELSE 'Make ' || {_words(ENGLISH_WORDS, "n")} || ' ' || {_words(ENGLISH_WORDS, "n / 37")}
                            || ' ' || {_words(ENGLISH_WORDS, "n / 1009")} || ' better ' || n END,
                  CASE WHEN n % 5 < 2
                       THEN {_words(JAPANESE_WORDS, "n / 7")} || 'と' || {_words(JAPANESE_WORDS, "n / 101")}
                            || 'について、もっと簡単にできるようにしたいです。'
                       ELSE 'Today the ' || {_words(ENGLISH_WORDS, "n / 7")} || ' ' || {_words(ENGLISH_WORDS, "n / 101")}
                            || ' takes too long; a simpler ' || {_words(ENGLISH_WORDS, "n / 11")} || ' would help.' END,
                  ARRAY[{_words(TAGS, "n")}, {_words(TAGS, "n / 41")}],
                  (ARRAY['open', 'open', 'open', 'under_review', 'planned', 'in_progress', 'done', 'declined'])
                      [1 + (n * 31) % 8],
                  now() - ($1 - n)::float8 / $1 * interval '730 days',
                  now() - ($1 - n)::float8 / $1 * interval '730 days'
           FROM generate_series(1::bigint, $1) n""",
        lambda s: (s.ideas, s.employees),
    ),
    (
        "idea services",
        """INSERT INTO idea_services (idea_id, service_id)
           SELECT id, 1 + (id * 104729) % $1 FROM ideas WHERE id % 5 < 3""",
        lambda s: (s.services,),
    ),
    (
        "routings",
        """INSERT INTO routings (idea_id, team_id, role, state, routed_at, due_at)
           SELECT x.idea_id, r.team_id, r.role,
                  CASE WHEN x.idea_id % 3 = 0 THEN 'pending' ELSE 'acknowledged' END,
                  i.created_at, i.created_at + interval '72 hours'
           FROM idea_services x JOIN ideas i ON i.id = x.idea_id
           JOIN LATERAL (
               SELECT provider_team_id AS team_id, 'provider' AS role FROM services WHERE id = x.service_id
               UNION
               SELECT team_id, 'customer' FROM service_customers c JOIN services s ON s.id = c.service_id
               WHERE c.service_id = x.service_id AND c.team_id <> s.provider_team_id
           ) r ON true""",
        lambda s: (),
    ),
    # Zipf-like: idea rank ~ u^4 puts most votes on few ideas; 2% are from the last week.
    (
        "votes",
        """INSERT INTO votes (idea_id, employee_id, cast_at)
           SELECT idea_id, employee_id, min(cast_at) FROM (
               SELECT 1 + floor($2 * power(random(), 4))::bigint AS idea_id,
                      1 + floor($3 * random())::bigint AS employee_id,
                      CASE WHEN random() < 0.02 THEN now() - random() * interval '7 days'
                           ELSE now() - interval '7 days' - random() * interval '700 days' END AS cast_at
               FROM generate_series(1, $1)
           ) v GROUP BY idea_id, employee_id""",
        lambda s: (s.votes, s.ideas, s.employees),
    ),
    (
        "vote teams",
        "UPDATE votes v SET team_id = e.team_id FROM employees e WHERE e.id = v.employee_id",
        lambda s: (),
    ),
    (
        "vote shards",
        """INSERT INTO idea_vote_shards (idea_id, shard, votes)
           SELECT idea_id, (employee_id % 32)::smallint, count(*) FROM votes GROUP BY 1, 2""",
        lambda s: (),
    ),
    (
        "comments",
        """INSERT INTO comments (idea_id, author_id, body, created_at)
           SELECT 1 + floor($2 * power(random(), 3))::bigint, 1 + floor($3 * random())::bigint,
                  'Agreed: this would save my team hours every week.', now() - random() * interval '700 days'
           FROM generate_series(1, $1)""",
        lambda s: (s.comments, s.ideas, s.employees),
    ),
    (
        "maintained counts",
        """UPDATE ideas i SET vote_count = v.votes, trending = v.recent FROM (
               SELECT idea_id, count(*) AS votes, count(*) FILTER (WHERE cast_at > now() - interval '7 days') AS recent
               FROM votes GROUP BY idea_id) v
           WHERE v.idea_id = i.id""",
        lambda s: (),
    ),
    (
        "comment counts",
        """UPDATE ideas i SET comment_count = c.n FROM (
               SELECT idea_id, count(*) AS n FROM comments GROUP BY idea_id) c
           WHERE c.idea_id = i.id""",
        lambda s: (),
    ),
    ("trending window", "UPDATE ranking_clock SET trending_until = now() - interval '7 days'", lambda s: ()),
]


# Secondary indexes of the big tables are built after the load (a bulk build is several times
# faster than maintaining them row by row); primary keys and unique constraints stay.
BULK_TABLES = ["ideas", "votes", "comments", "routings", "idea_vote_shards"]
SECONDARY_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = 'public' AND tablename = ANY($1::text[])
  AND indexname NOT IN (SELECT conname FROM pg_constraint)
"""


async def generate(url: str, scale: Scale, *, report=print, seed: float | None = None) -> dict[str, float]:
    """Fills an empty, migrated database; returns seconds per step. With a `seed` (-1 to 1) the same
    company every time (PostgreSQL's random() is seeded; ANALYZE still samples on its own)."""
    conn = await asyncpg.connect(url)
    timings: dict[str, float] = {}
    try:
        await conn.execute("SET synchronous_commit = off; SET jit = off; SET maintenance_work_mem = '512MB'")
        if seed is not None:
            await conn.fetchval("SELECT setseed($1)", seed)
        indexes = await conn.fetch(SECONDARY_INDEXES, BULK_TABLES)
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        for name, sql, params in STEPS:
            started = time.monotonic()
            await conn.execute(sql, *params(scale))
            timings[name] = time.monotonic() - started
            report(f"  {name:<18} {timings[name]:7.1f} s")
        started = time.monotonic()
        for index in indexes:
            await conn.execute(index["indexdef"])
        timings["indexes"] = time.monotonic() - started
        report(f"  {'indexes':<18} {timings['indexes']:7.1f} s")
        started = time.monotonic()
        await conn.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.monotonic() - started
        report(f"  {'vacuum analyze':<18} {timings['vacuum analyze']:7.1f} s")
        # Write the load out now rather than under the measurements that follow (a checkpoint of
        # 4 GB doubled their p99); a role without the right leaves it to the server.
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
    return timings
