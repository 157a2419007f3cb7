"""Every documented idea-list request does work bounded by its page, not by the table: run under
EXPLAIN ANALYZE on a generated company (bench/dataset.py, 10,000 ideas and 100,000 votes), no
request reads more than ROW_BUDGET rows of ideas, votes, comments or the ranking history, and
none scans ideas or votes sequentially.

Sequential scans are priced out while explaining (enable_seqscan = off), as they are for
PostgreSQL at a real company's size, where a table is far larger than one page of it; it still
picks one where no index can serve. The busiest team's inbox, a comment page and the trending
upkeep are held to the same budget."""

from __future__ import annotations

import pytest

from bench.dataset import Scale, generate
from portal.comments.schemas import CommentQuery
from portal.comments.service import list_comments
from portal.ideas import rankings
from portal.ideas.listing import list_ideas
from portal.ideas.schemas import IdeaQuery
from portal.routing import queries as routing_queries

pytestmark = pytest.mark.slow
GUARDED_TABLES = {"ideas", "votes", "comments", "routings", "idea_rank_history", "idea_vote_shards"}
NEVER_SEQUENTIAL = {"ideas", "votes"}
# A tenth of the ideas: room for a rare search's matches (RARE_MATCHES + 1) or a walk of the
# newest ideas for RELEVANCE_CANDIDATES matches, but not for counting or sorting a table.
ROW_BUDGET = 3_000
FILTERS = [
    {},
    {"status": "open"},
    {"tag": "laptops"},
    {"team": "team-3"},
    {"service": "service-7"},
    {"author": "employee5@example.com"},
    {"q": "laptop"},
    {"q": "印刷"},
    {"q": "経費精算"},
    {"q": "nothing-matches-this"},
    {"q": "zeppelin"},  # in one idea, and in ANALYZE's statistics as no word at all
    {"q": "飛行船"},
    {"q": "marzipan"},
    {"team": "size-100"},
    {"mine": True},
    {"voted": True},
    {"status": "open", "tag": "laptops"},
]
SORTS = ["new", "top", "trending", "relevance"]


def _rows_read(plan: dict) -> tuple[int, list[str]]:
    """Rows the plan's scans of guarded tables touched, and the tables it scanned sequentially."""
    rows, sequential = 0, []
    if plan.get("Relation Name") in GUARDED_TABLES:
        touched = plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)
        rows += (touched + plan.get("Rows Removed by Index Recheck", 0)) * plan["Actual Loops"]
        if plan["Node Type"] == "Seq Scan" and plan["Relation Name"] in NEVER_SEQUENTIAL:
            sequential.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        child_rows, child_sequential = _rows_read(child)
        rows, sequential = rows + child_rows, sequential + child_sequential
    return rows, sequential


class Recorder:
    """Keeps every query a connection runs, to run it again under EXPLAIN ANALYZE."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, tuple]] = []

    def __call__(self, record) -> None:
        # The search probe's own planner settings are left out: the replay prices sequential
        # scans out throughout (a GIN index is read through a bitmap either way).
        if record.query.lstrip().upper().startswith(("SELECT", "WITH")) and "set_config(" not in record.query:
            self.statements.append((record.query, record.args))


async def _overspent(db, recorder: Recorder, label: str) -> list[str]:
    found = []
    async with db.transaction(isolation="repeatable_read"):
        await db.execute("SET LOCAL enable_seqscan = off")
        for sql, args in recorder.statements:
            plan = (await db.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *args))[0]["Plan"]
            rows, sequential = _rows_read(plan)
            if rows > ROW_BUDGET or sequential:
                found.append(f"{label}: {rows} rows, sequential {sequential}: {' '.join(sql.split())[:160]}")
    return found


@pytest.fixture
async def company(database_url):
    await generate(
        database_url,
        Scale(ideas=4_000, votes=40_000, comments=8_000, employees=2_000, teams=20, services=50),
        report=lambda line: None,
        seed=0.42,  # the same company every run: the budget is checked on one, not on a dice roll
    )


async def test_every_filter_and_sort_of_the_idea_list_reads_a_bounded_number_of_rows(company, db):
    overspent = []
    for sort in SORTS:
        for filters in FILTERS:
            recorder = Recorder()
            db.add_query_logger(recorder)
            async with db.transaction(isolation="repeatable_read", readonly=True):
                page = await list_ideas(db, viewer=1, query=IdeaQuery(sort=sort, **filters))
                if page.next_cursor:  # and the page after it
                    await list_ideas(db, viewer=1, query=IdeaQuery(sort=sort, cursor=page.next_cursor, **filters))
            db.remove_query_logger(recorder)
            overspent += await _overspent(db, recorder, f"sort={sort} {filters}")
    assert overspent == [], "\n".join(overspent)


async def test_the_inbox_a_comment_page_and_the_trending_upkeep_read_a_bounded_number_of_rows(company, db):
    busiest_team = await db.fetchval("SELECT team_id FROM routings GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    most_discussed = await db.fetchval("SELECT idea_id FROM comments GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    recorder = Recorder()
    for sql in (routing_queries.INBOX_BY_SUPPORT, routing_queries.INBOX_BY_DUE):
        for state, overdue in ((None, None), ("pending", None), (None, True)):
            recorder.statements.append((sql, (busiest_team, None, state, overdue, 100)))
    db.add_query_logger(recorder)
    async with db.transaction():
        await list_comments(db, idea_id=most_discussed, query=CommentQuery())
        await rankings.age_trending(db)
    db.remove_query_logger(recorder)
    overspent = await _overspent(db, recorder, "upkeep")
    assert overspent == [], "\n".join(overspent)


async def test_a_word_missing_from_the_statistics_has_no_estimate_and_its_matches_are_counted(company, db):
    from portal.ideas import queries
    from portal.ideas.listing import _search_matches

    await db.execute("ANALYZE ideas")
    assert await db.fetchval(queries.ESTIMATED_MATCHES, "laptop") > 0  # a common word is listed
    assert await db.fetchval(queries.ESTIMATED_MATCHES, "aardwolf laptop") is None  # in no idea, so not listed
    zeppelin = await db.fetchval("SELECT array_agg(id) FROM ideas WHERE body LIKE '%zeppelin%'")
    assert (await _search_matches(db, "zeppelin")).ideas == zeppelin
