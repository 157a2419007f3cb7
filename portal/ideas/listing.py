"""GET /ideas: filters, four sorts and keyset pagination with a stable cursor.

Every page of one listing ranks ideas as of the moment its first page was read (kept in the
cursor): ideas posted later are left out and votes cast or withdrawn later do not move ideas
between pages, so a reader never sees an idea twice or misses one.

A cursor is three numbers, `<as of>_<score>_<idea id>`: the listing's moment in microseconds
since 1970, the last idea's sort score as a whole number (its creation time in microseconds, its
vote count, or its relevance's float4 bits, which order as the floats do), and its id. Any
string of that shape is a place in some listing, so each one the OpenAPI pattern allows is
accepted; it continues the listing it came from when sent with the same sort and filters.
"""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

from portal.db import Connection
from portal.errors import ValidationFailed
from portal.ideas.queries import IDEA_COLUMNS, SCORES_AS_OF
from portal.ideas.schemas import CURSOR_PATTERN, IdeaPage, IdeaQuery, IdeaRead

TRENDING_WINDOW = timedelta(days=7)
SCORE_TYPES = {"new": "timestamptz", "top": "bigint", "trending": "bigint", "relevance": "real"}
_CURSOR = re.compile(CURSOR_PATTERN)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_MICROSECONDS = (datetime(9999, 12, 31, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
LARGEST_FLOAT4_BITS = 0x7F7FFFFF  # above it: infinity and NaN
MAX_BIGINT = 2**63 - 1


class _Params:
    def __init__(self, viewer: int | None) -> None:
        self.values: list[Any] = [viewer]

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def _bad_cursor(message: str) -> ValidationFailed:
    return ValidationFailed([{"field": "query.cursor", "message": message, "type": "cursor"}])


def _microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _moment(microseconds: int) -> datetime:
    return EPOCH + timedelta(microseconds=min(microseconds, LATEST_MICROSECONDS))


def encode_cursor(sort: str, as_of: datetime, score: Any, idea_id: int) -> str:
    if sort == "new":
        key = _microseconds(score)
    elif sort == "relevance":
        key = struct.unpack(">I", struct.pack(">f", max(score, 0.0)))[0]
    else:
        key = int(score)
    return f"{_microseconds(as_of)}_{key}_{idea_id}"


def decode_cursor(cursor: str, sort: str) -> tuple[datetime, Any, int]:
    """The cursor's moment, score (as the sort compares it) and idea id; out-of-range numbers
    are clamped to the largest the comparison can take."""
    if not _CURSOR.match(cursor):
        raise _bad_cursor("not a cursor this API handed out (pass next_cursor back as it is)")
    moment, key, idea_id = (int(part) for part in cursor.split("_"))
    score: Any
    if sort == "new":
        score = _moment(key)
    elif sort == "relevance":
        score = struct.unpack(">f", struct.pack(">I", min(key, LARGEST_FLOAT4_BITS)))[0]
    else:
        score = min(key, MAX_BIGINT)
    return _moment(moment), score, min(idea_id, MAX_BIGINT)


def _filters(query: IdeaQuery, p: _Params) -> list[str]:
    where = []
    if query.status:
        where.append(f"i.status = {p.add(query.status)}")
    if query.tag:
        where.append(f"i.tags @> ARRAY[{p.add(query.tag)}]::text[]")
    if query.author:
        where.append(f"i.author_id = (SELECT id FROM employees WHERE email = {p.add(query.author)})")
    if query.service:
        where.append(f"""EXISTS (SELECT 1 FROM idea_services x JOIN services s ON s.id = x.service_id
                          WHERE x.idea_id = i.id AND s.slug = {p.add(query.service)})""")
    if query.team:
        team = p.add(query.team)
        # Named explicitly, or the provider or a customer of a service the idea names.
        where.append(f"""(EXISTS (SELECT 1 FROM idea_teams it JOIN teams t ON t.id = it.team_id
                                  WHERE it.idea_id = i.id AND t.slug = {team})
                          OR EXISTS (SELECT 1 FROM idea_services x JOIN services s ON s.id = x.service_id
                                     JOIN teams t ON t.id = s.provider_team_id
                                     WHERE x.idea_id = i.id AND t.slug = {team})
                          OR EXISTS (SELECT 1 FROM idea_services x
                                     JOIN service_customers c ON c.service_id = x.service_id
                                     JOIN teams t ON t.id = c.team_id
                                     WHERE x.idea_id = i.id AND t.slug = {team}))""")
    if query.q:
        where.append(f"i.search @@ idea_search_query({p.add(query.q)})")
    if query.mine:
        where.append("i.author_id = $1")  # $1 is the viewer
    if query.voted:
        where.append("EXISTS (SELECT 1 FROM votes v WHERE v.idea_id = i.id AND v.employee_id = $1)")
    return where


async def list_ideas(conn: Connection, *, viewer: int | None, query: IdeaQuery) -> IdeaPage:
    sort = query.order
    p = _Params(viewer)
    if query.cursor:
        as_of, after_score, after_id = decode_cursor(query.cursor, sort)
    else:
        as_of, after_score, after_id = await conn.fetchval("SELECT now()"), None, None
    as_of_param = p.add(as_of)
    ctes, joins = [], ""
    if sort in ("top", "trending"):
        since = as_of - TRENDING_WINDOW if sort == "trending" else datetime.min.replace(tzinfo=as_of.tzinfo)
        ctes.append(SCORES_AS_OF.format(as_of=as_of_param, since=p.add(since)))
        joins, score = "LEFT JOIN scores s ON s.idea_id = i.id", "coalesce(s.score, 0)"
    elif sort == "relevance":
        score = f"ts_rank(i.search, idea_search_query({p.add(query.q)}))"
    else:
        score = "i.created_at"
    where = [f"i.created_at <= {as_of_param}", *_filters(query, p)]
    ctes.append(f"ranked AS (SELECT i.id, {score} AS score FROM ideas i {joins} WHERE {' AND '.join(where)})")
    after = ""
    if after_id is not None:
        after = f"WHERE (r.score, r.id) < ({p.add(after_score)}::{SCORE_TYPES[sort]}, {p.add(after_id)})"
    sql = (
        f"WITH {', '.join(ctes)} SELECT {IDEA_COLUMNS}, r.score AS sort_score "
        f"FROM ranked r JOIN ideas i ON i.id = r.id JOIN employees a ON a.id = i.author_id "
        f"{after} ORDER BY r.score DESC, r.id DESC LIMIT {p.add(query.limit + 1)}"
    )
    rows = await conn.fetch(sql, *p.values)
    items = [IdeaRead.model_validate(dict(row)) for row in rows[: query.limit]]
    next_cursor = None
    if len(rows) > query.limit:
        last = rows[query.limit - 1]
        next_cursor = encode_cursor(sort, as_of, last["sort_score"], last["id"])
    return IdeaPage(items=items, next_cursor=next_cursor)
