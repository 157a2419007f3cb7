"""A company's worth of data, generated in PostgreSQL itself (INSERT ... SELECT), at any size.

Shape at the default 1M ideas: 100k employees in 200 teams, 1,000 services (a provider and two
or three customer teams each), 40% of ideas in Japanese, tags from a list of 40, 60% of ideas
about a service (routed to its provider and customers), statuses spread over the workflow,
votes Zipf-skewed (a handful of ideas with 10k+) and 2% of them from the last week, comments
skewed the same way. Everything the application keeps in step is kept: vote shards sum to the
vote rows, ideas.vote_count / trending / comment_count are exact, routings match the services.
What it does not make: events (the outbox starts empty) and status histories.

Words follow a long tail, as a company's do: besides a few stock phrases, each body carries words
drawn from a vocabulary of VOCABULARY made-up words (English-like syllables, or two-kanji
Japanese words) by Zipf's law, so a handful are in a third of the ideas and most in a few. And
PROBE_WORDS, which nothing else contains, are planted in exactly 0, 1, 10, ... 10,000 ideas (at
1M; proportionally fewer at smaller sizes) to time searches by how many ideas match. Teams
`size-<n>` are named on exactly n ideas (TEAM_SIZES) to time the team filter by a team's size.
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


VOCABULARY = 50_000
SYLLABLES = [
    "ba", "ko", "ri", "tu", "me", "sa", "no", "vi", "da", "le", "pu", "zo",
    "gi", "ha", "ne", "fo", "ju", "ka", "mi", "ro", "su", "ti", "wa", "yo",
]  # fmt: skip
# word -> how many of 1M ideas contain it (English ones in English ideas, Japanese in Japanese).
PROBE_WORDS = {
    "aardwolf": 0, "zeppelin": 1, "xylograph": 10, "quokka": 100, "marzipan": 1_000, "pemmican": 3_000,
    "periscope": 10_000,
    "麒麟": 0, "飛行船": 1, "琥珀色": 10, "蒟蒻": 100, "翡翠": 1_000, "瑪瑙": 3_000, "瑠璃": 10_000,
}  # fmt: skip
TEAM_SIZES = [10, 100, 1_000, 2_000, 3_000, 4_000, 5_000, 10_000, 20_000, 50_000]


def _zipf_rank() -> str:
    """A SQL expression: a word's rank from 0 to VOCABULARY - 1, rank r drawn about 1/(r+1) as
    often as the first (log-uniform, which is Zipf's law with exponent 1)."""
    return f"(floor(exp(random() * ln({VOCABULARY}))) - 1)::int"


def _english_word(rank: str) -> str:
    return " || ".join(_words(SYLLABLES, f"{rank} / {len(SYLLABLES) ** k}") for k in range(4))


def _japanese_word(rank: str) -> str:
    # Two kanji from U+4E00..U+59FF, a different pair for every rank; no probe word uses them.
    return f"chr({0x4E00} + {rank} % 1500) || chr({0x4E00 + 1500} + {rank} / 1500)"


def _long_tail(language: str) -> str:
    word = _english_word if language == "en" else _japanese_word
    return " || ' ' || ".join(
        f"(SELECT {word('r')} FROM (SELECT ({_zipf_rank()} + 0 * n)::int AS r) z)" for _ in range(4)
    )


def _probes(language: str) -> str:
    """A SQL expression: the probe words of this language that idea n carries (planted on every
    (ideas / count)-th idea of the language, so each is in `count` of 1M ideas, or its share)."""
    remainder = 3 if language == "en" else 1  # n % 5 >= 2 is English, < 2 Japanese
    parts = [
        f"CASE WHEN n % greatest(5, ($1 / {count})::bigint / 5 * 5) = {remainder} THEN ' {word}' ELSE '' END"
        for word, count in PROBE_WORDS.items()
        if count and (word.isascii() == (language == "en"))
    ]
    return " || ".join(parts)


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
                            || 'について、もっと簡単にできるようにしたいです。 ' || {_long_tail("ja")} || {_probes("ja")}
                       ELSE 'Today the ' || {_words(ENGLISH_WORDS, "n / 7")} || ' ' || {_words(ENGLISH_WORDS, "n / 101")}
                            || ' takes too long; a simpler ' || {_words(ENGLISH_WORDS, "n / 11")} || ' would help. '
                            || {_long_tail("en")} || {_probes("en")} END,
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
    (
        "teams of chosen sizes",
        """INSERT INTO teams (slug, name, response_sla_hours)
           SELECT 'size-' || size, 'A team on ' || size || ' ideas', 72 FROM unnest($1::int[]) size""",
        lambda s: (sorted({min(size, s.ideas) for size in TEAM_SIZES}),),
    ),
    (
        "their ideas",
        """INSERT INTO idea_teams (idea_id, team_id, role)
           SELECT i.id, t.id, 'customer' FROM teams t
           JOIN ideas i ON i.id % ($1 / substr(t.slug, 6)::bigint) = 4 % ($1 / substr(t.slug, 6)::bigint)
           WHERE t.slug LIKE 'size-%'""",
        lambda s: (s.ideas,),
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
        # Vacuumed before the indexes are built: an index built over the updates' broken HOT chains
        # is unusable to any snapshot older than it (pg_index.indcheckxmin), and a long
        # transaction anywhere on the server (another generation) keeps snapshots that old.
        started = time.monotonic()
        await conn.execute("VACUUM")
        timings["vacuum"] = time.monotonic() - started
        report(f"  {'vacuum':<18} {timings['vacuum']:7.1f} s")
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
