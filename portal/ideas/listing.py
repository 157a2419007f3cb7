"""GET /ideas: filters, four sorts and keyset pagination with a stable cursor.

Every page of one listing ranks ideas as they stood at its first page: ideas posted later are
left out, and `top` and `trending` rank by the maintained counts of the ranking version the
first page read (portal.ideas.rankings keeps the values each change replaced), so votes cast
while a reader pages do not move ideas between pages and nobody sees an idea twice or misses one.

A cursor is four numbers, `<as of>_<version>_<score>_<idea id>`: the listing's moment in
microseconds since 1970, its ranking version, the last idea's sort score as a whole number (its
creation time in microseconds, its vote count or trending score, or its relevance's float4 bits,
which order as the floats do), and its id. Any string of that shape is a place in some listing,
so each one the OpenAPI pattern allows is accepted; one older than a day is refused, since the
ranking it continues is no longer kept.

Search is bounded: ANALYZE's statistics of the search column say, without reading an index, at
most how many ideas a query matches (a word they do not list is counted, up to RARE_MATCHES). A
rare query (at most RARE_MATCHES) is read through the search index and narrows the listing to
its ideas, whatever the sort; a common one walks the sort's own index, meeting matches often.
`relevance` ranks every match of a rare query, and of a common one its RELEVANCE_CANDIDATES
newest matches: read through the search index alone while there are few enough, else from a
window of the newest ideas sized to hold them (the two indexes' bitmaps ANDed), or, when they
are so common that few ideas hold that many, by walking the newest ideas.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from portal.db import Connection, fetch_row, planner_settings
from portal.errors import ValidationFailed
from portal.ideas import queries as q
from portal.ideas import rankings
from portal.ideas.schemas import CURSOR_PATTERN, IdeaPage, IdeaQuery, IdeaRead, SimilarIdea, SimilarQuery

SCORE_TYPES = {"new": "timestamptz", "top": "integer", "trending": "integer", "relevance": "real"}
RANKED_COLUMNS = {"top": "vote_count", "trending": "trending"}
RARE_MATCHES = 2000
# A team's ideas are read (from two indexes alone) when there are at most FEW of them: read by key
# when at most KEYED_TEAM, else checked in a hash as the sort's index is walked; a team with more
# is filtered while the sort's index is walked, each idea's services and teams looked up.
FEW = 6000
KEYED_TEAM = 1000
RELEVANCE_CANDIDATES = 150
# A common search's newest matches are read from the search index alone up to this many
# matches, and by walking the newest ideas when that walk meets them within WALK_ROWS ideas.
BITMAP_MATCHES = 5000
WALK_ROWS = 5000
# The ideas the viewer voted for are read first when there are at most VOTED_LISTED of them.
VOTED_LISTED = 2000
# At most this many ideas the viewer voted for are fetched by key and then sorted, whatever the
# planner guesses: walking the newest ideas for a few of them can read the whole table.
KEYED = 200
_CURSOR = re.compile(CURSOR_PATTERN)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_MICROSECONDS = (datetime(9999, 12, 31, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
LARGEST_FLOAT4_BITS = 0x7F7FFFFF  # above it: infinity and NaN
MAX_INTEGER = 2**31 - 1
MAX_BIGINT = 2**63 - 1


@dataclass(frozen=True)
class Place:
    """Where a listing stands: its moment and ranking version, and the last idea served."""

    as_of: datetime
    version: int
    score: Any = None
    idea_id: int | None = None


class _Params:
    def __init__(self, viewer: int | None) -> None:
        self.values: list[Any] = [viewer]

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def _bad_cursor(message: str) -> ValidationFailed:
    return ValidationFailed([{"field": "cursor", "message": message, "type": "cursor"}], location="query")


def _microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _moment(microseconds: int) -> datetime:
    return EPOCH + timedelta(microseconds=min(microseconds, LATEST_MICROSECONDS))


def encode_cursor(sort: str, place: Place) -> str:
    if sort == "new":
        key = _microseconds(place.score)
    elif sort == "relevance":
        key = struct.unpack(">I", struct.pack(">f", max(place.score, 0.0)))[0]
    else:
        key = int(place.score)
    return f"{_microseconds(place.as_of)}_{place.version}_{key}_{place.idea_id}"


def decode_cursor(cursor: str, sort: str) -> Place:
    """The cursor's place, its score as the sort compares it; out-of-range numbers are clamped
    to the largest the comparison can take."""
    if not _CURSOR.match(cursor):
        raise _bad_cursor("not a cursor this API handed out (pass next_cursor back as it is)")
    moment, version, key, idea_id = (int(part) for part in cursor.split("_"))
    score: Any
    if sort == "new":
        score = _moment(key)
    elif sort == "relevance":
        score = struct.unpack(">f", struct.pack(">I", min(key, LARGEST_FLOAT4_BITS)))[0]
    else:
        score = min(key, MAX_INTEGER)
    return Place(_moment(moment), min(version, MAX_BIGINT), score, min(idea_id, MAX_BIGINT))


# Filters that compare one column with the query's value ({} is the value's parameter).
VALUE_FILTERS = {
    "status": "i.status = {}",
    "tag": "i.tags @> ARRAY[{}]::text[]",
    "author": "i.author_id = (SELECT id FROM employees WHERE email = {})",
    "service": """EXISTS (SELECT 1 FROM idea_services x JOIN services s ON s.id = x.service_id
                  WHERE x.idea_id = i.id AND s.slug = {})""",
    "campaign": "i.campaign_id = (SELECT id FROM campaigns WHERE slug = {})",
    "q": "i.search @@ idea_search_query({})",
}


def _filters(query: IdeaQuery, p: _Params, team_ideas: list[int] | None, voted_ideas: list[int] | None) -> list[str]:
    where = [
        template.format(p.add(getattr(query, name))) for name, template in VALUE_FILTERS.items() if getattr(query, name)
    ]
    if query.team:
        if team_ideas is not None:
            where.append(f"i.id = ANY({p.add(team_ideas)}::bigint[])")
        else:
            team = p.add(query.team)
            services = q.TEAM_SERVICES.format(team=team)
            where.append(q.CONCERNS_TEAM.format(idea="i.id", team=team, services=services))
    if query.mine:
        where.append("i.author_id = $1")  # $1 is the viewer
    if query.voted:
        if voted_ideas is not None:
            where.append(f"i.id = ANY({p.add(voted_ideas)}::bigint[])")
        else:
            where.append("EXISTS (SELECT 1 FROM votes v WHERE v.idea_id = i.id AND v.employee_id = $1)")
    return where


async def _few_team_ideas(conn: Connection, slug: str) -> list[int] | None:
    """The ideas that concern a team when there are at most FEW of them (the listing is then
    read from them), else None (it walks the sort's index, checking each idea)."""
    ids = await conn.fetchval(q.TEAM_IDEAS, slug, FEW + 1)
    return None if len(ids) > FEW else ids


async def _few_voted_ideas(conn: Connection, viewer: int) -> list[int] | None:
    """The ideas the viewer voted for when there are at most VOTED_LISTED of them, else None. Read first
    so the listing fetches them by key: left to the planner, a semi join with the viewer's votes
    sometimes walks every idea."""
    ids = await conn.fetchval(q.VOTED_IDEAS, viewer, VOTED_LISTED + 1)
    return None if len(ids) > VOTED_LISTED else ids


@dataclass(frozen=True)
class Matches:
    """What a search matches: every idea when it is rare (`ideas`), else how many at least."""

    ideas: list[int] | None
    count: float
    share: float  # of all ideas


async def _search_matches(conn: Connection, query: str) -> Matches:
    """Every idea matching the search when ANALYZE's statistics say it is rare (at most
    RARE_MATCHES) or do not know, read through the search index alone; else (None) how many."""
    estimate = await fetch_row(conn, q.ESTIMATED_MATCHES, query)
    ideas = max(estimate["ideas"] or 1.0, 1.0)
    if estimate["matches"] is not None and estimate["matches"] > RARE_MATCHES:
        return Matches(None, estimate["matches"], estimate["matches"] / ideas)
    # A bitmap scan of the search index whatever the planner guesses (its estimates for CJK
    # bigrams are coarse), stopped after RARE_MATCHES + 1 rows in case the statistics were low.
    async with planner_settings(conn, enable_seqscan="off", enable_indexscan="off"):
        ids = await conn.fetchval(q.SEARCH_PROBE_IDS, query, RARE_MATCHES + 1)
    if len(ids) > RARE_MATCHES:
        return Matches(None, len(ids), len(ids) / ideas)
    return Matches(ids, len(ids), len(ids) / ideas)


async def _newest_matches(conn: Connection, conditions: str, values: list[Any], matches: Matches) -> list[int]:
    """The RELEVANCE_CANDIDATES newest ideas meeting the conditions (a common search among them):
    read from a window of the newest ideas sized for twice that many matches, the window's and
    the search index's bitmaps ANDed; widened until it holds them, or holds every idea."""
    as_of, oldest = values[1], await conn.fetchval("SELECT min(created_at) FROM ideas")
    share = 1.0 if matches.count <= BITMAP_MATCHES else 2 * RELEVANCE_CANDIDATES / matches.count
    since = f"${len(values) + 1}"
    # ($1, the viewer, is named so that it has a type when no condition uses it.)
    sql = f"""SELECT coalesce(array_agg(id), '{{}}'), $1::bigint FROM (
        SELECT i.id FROM ideas i WHERE {conditions} AND i.created_at >= {since}
        ORDER BY i.created_at DESC, i.id DESC LIMIT {RELEVANCE_CANDIDATES}
    ) newest"""
    while True:
        start = EPOCH if oldest is None or share >= 1 else as_of - (as_of - oldest) * share
        async with planner_settings(
            conn, enable_seqscan="off", enable_indexscan="off", plan_cache_mode="force_custom_plan"
        ):
            ids = await conn.fetchval(sql, *values, start)
        if len(ids) >= RELEVANCE_CANDIDATES or share >= 1:
            return ids
        share *= 4


async def _start(conn: Connection, query: IdeaQuery, sort: str) -> Place:
    if not query.cursor:
        start = await fetch_row(conn, q.LISTING_START)
        return Place(start["now"], start["version"] if sort in RANKED_COLUMNS else 0)
    place = decode_cursor(query.cursor, sort)
    if sort in RANKED_COLUMNS and place.as_of < await conn.fetchval("SELECT now()") - rankings.LISTING_LIFETIME:
        raise _bad_cursor("this listing is more than a day old; start again from the first page")
    return place


async def list_ideas(conn: Connection, *, viewer: int | None, query: IdeaQuery) -> IdeaPage:
    sort = query.order
    place = await _start(conn, query, sort)
    p = _Params(viewer)
    as_of = p.add(place.as_of)
    team_ideas = await _few_team_ideas(conn, query.team) if query.team else None
    voted_ideas = await _few_voted_ideas(conn, viewer) if query.voted and viewer is not None else None
    where = [f"i.created_at <= {as_of}", *_filters(query, p, team_ideas, voted_ideas)]
    common_search = False
    if query.q:
        matches = await _search_matches(conn, query.q)
        if matches.ideas is not None:
            where.append(f"i.id = ANY({p.add(matches.ideas)}::bigint[])")
        elif sort == "relevance" and RELEVANCE_CANDIDATES / matches.share > WALK_ROWS:
            newest = await _newest_matches(conn, " AND ".join(where), p.values, matches)
            where.append(f"i.id = ANY({p.add(newest)}::bigint[])")
        else:
            common_search = True
    # A short list of ideas (a small team's, or the few the viewer voted for) is read by key in a
    # fenced step and then sorted, whatever the planner guesses: walking a sort's index for them
    # can read a thousand ideas for each one listed.
    keyed = (team_ideas is not None and len(team_ideas) <= KEYED_TEAM) or (
        voted_ideas is not None and len(voted_ideas) <= KEYED
    )
    after = "true"
    if place.idea_id is not None:
        after = f"(r.score, r.id) < ({p.add(place.score)}::{SCORE_TYPES[sort]}, {p.add(place.idea_id)})"
    limit = p.add(query.limit + 1)
    conditions = " AND ".join(where)
    picked, source = "", "ideas i"
    if keyed and sort != "relevance":
        picked = f"""picked AS MATERIALIZED (
            SELECT i.id, i.created_at, i.vote_count, i.trending, i.ranked_version FROM ideas i WHERE {conditions}
        ),"""
        source, conditions = "picked i", "true"
    if sort in RANKED_COLUMNS:
        # Ideas whose counts have not changed since the listing's version, read in the sort's
        # index order, and those that have, with their counts as they were then.
        column, version = RANKED_COLUMNS[sort], p.add(place.version)
        ranked = f"""{picked} {q.RANKS_THEN.format(version=version)},
        ranked AS (
            (SELECT r.id, r.score FROM (SELECT i.id, i.{column} AS score FROM {source}
                                         WHERE {conditions} AND i.ranked_version <= {version}) r
             WHERE {after} ORDER BY r.score DESC, r.id DESC LIMIT {limit})
            UNION ALL
            (SELECT r.id, r.score FROM (SELECT i.id, t.{column} AS score FROM ranks_then t
                                         JOIN {source} ON i.id = t.idea_id WHERE {conditions}) r
             WHERE {after})
        )"""
    elif sort == "relevance":
        # Every match of a rare search is ranked; of a common one, the newest few.
        search = p.add(query.q)
        newest_first = f"ORDER BY i.created_at DESC, i.id DESC LIMIT {RELEVANCE_CANDIDATES}" if common_search else ""
        ranked = f"""candidates AS (
            SELECT i.id, i.search FROM ideas i WHERE {conditions} {newest_first}
        ), ranked AS (
            SELECT r.id, r.score FROM (SELECT c.id, ts_rank(c.search, idea_search_query({search})) AS score
                                       FROM candidates c) r WHERE {after} ORDER BY r.score DESC, r.id DESC LIMIT {limit}
        )"""
    else:
        ranked = f"""{picked} ranked AS (
            SELECT r.id, r.score FROM (SELECT i.id, i.created_at AS score FROM {source} WHERE {conditions}) r
            WHERE {after} ORDER BY r.score DESC, r.id DESC LIMIT {limit}
        )"""
    sql = (
        f"WITH {ranked} SELECT {q.IDEA_COLUMNS}, r.score AS sort_score "
        f"FROM ranked r JOIN ideas i ON i.id = r.id JOIN employees a ON a.id = i.author_id "
        f"ORDER BY r.score DESC, r.id DESC LIMIT {limit}"
    )
    # Planned for these values every time: a cached generic plan cannot know whether the search
    # is rare or the cursor deep. A common search walks the sort's index, meeting matches often,
    # instead of collecting them all.
    # (The planner multiplies the frequencies of a CJK word's bigrams as if they were unrelated,
    # so it thinks such a search rare and would rather read the whole table than walk an index.)
    walk = {"enable_bitmapscan": "off", "enable_seqscan": "off"} if common_search else {}
    settings = {"plan_cache_mode": "force_custom_plan", **walk}
    async with planner_settings(conn, **settings):
        rows = await conn.fetch(sql, *p.values)
    # Hidden ideas are left out here, not in the walk: they are few, and the sorts' index-only
    # walks stay so (a page may then hold fewer than `limit`; its cursor still follows on).
    items = [IdeaRead.model_validate(dict(row)) for row in rows[: query.limit] if not row["hidden"]]
    next_cursor = None
    if len(rows) > query.limit:
        last = rows[query.limit - 1]
        next_cursor = encode_cursor(sort, Place(place.as_of, place.version, last["sort_score"], last["id"]))
    return IdeaPage(items=items, next_cursor=next_cursor)


async def similar_ideas(conn: Connection, query: SimilarQuery) -> list[SimilarIdea]:
    """Existing ideas like a title being typed, best match first (duplicates left out)."""
    rows = await conn.fetch(q.SIMILAR, query.title, query.limit)
    return [SimilarIdea.model_validate(dict(row)) for row in rows]
