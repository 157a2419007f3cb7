"""The demo company `portal dev` makes (portal/demo.py): how long it takes, what it holds, and how
many of its duplicates the post form's similar ideas (GET /api/v1/similar-ideas) would have caught.

Its ideas are posted in order from a few themes, each worded several ways in English or Japanese,
so most are duplicates of an earlier one. For each, as if it were being typed now, the five most
similar ideas among those posted before it are read: a duplicate is caught when one of the five
is of the same theme. Counted three ways: any earlier idea of the theme; one in the same language
(the search does not translate); and a reworded one (another title, the same language).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import drop_database, fresh_database
from portal.db import connect
from portal.demo import THEMES, demo_if_empty
from portal.ideas import queries as q
from tests.servers import TestServers

# The similar-ideas statement, among the ideas posted before $3 and (for rewordings) titled otherwise than $4.
BEFORE = q.SIMILAR.replace("i.status <> 'duplicate'", "i.status <> 'duplicate' AND i.id < $3 AND i.title <> $4")
THEME_OF = {title: n for n, theme in enumerate(THEMES) for title in theme.titles}


async def main() -> None:
    servers = TestServers.start()
    url = await fresh_database(servers)
    try:
        started = time.monotonic()
        await demo_if_empty(url)
        print(f"demo company made in {time.monotonic() - started:.1f} s")
        conn = await connect(url)
        for label, sql in (
            ("ideas", "SELECT count(*) FROM ideas"),
            ("votes", "SELECT count(*) FROM votes"),
            ("comments", "SELECT count(*) FROM comments"),
            ("routings answered", "SELECT count(*) FROM routings WHERE state <> 'pending'"),
            ("routings overdue", "SELECT count(*) FROM routings WHERE state = 'pending' AND due_at < now()"),
            (
                "done ideas with an outcome",
                "SELECT count(*) FROM ideas WHERE status = 'done' AND outcome_note IS NOT NULL",
            ),
            ("closed pulse rounds", "SELECT count(*) FROM survey_rounds WHERE closed_at IS NOT NULL"),
            ("scorecards", "SELECT count(*) FROM scorecards"),
        ):
            print(f"  {label:<28} {await conn.fetchval(sql):6,}")
        rows = await conn.fetch("SELECT id, title FROM ideas ORDER BY id")
        counts = {"any earlier idea of the theme": [0, 0], "in the same language": [0, 0], "reworded": [0, 0]}
        for row in rows:
            theme = THEME_OF.get(row["title"])
            earlier = [r for r in rows if r["id"] < row["id"] and THEME_OF.get(r["title"]) == theme]
            if theme is None or not earlier:
                continue
            same_language = [r for r in earlier if r["title"].isascii() == row["title"].isascii()]
            reworded = [r for r in same_language if r["title"] != row["title"]]
            for label, wanted, exclude in (
                ("any earlier idea of the theme", earlier, ""),
                ("in the same language", same_language, ""),
                ("reworded", reworded, row["title"]),
            ):
                if not wanted:
                    continue
                found = await conn.fetch(BEFORE, row["title"], 5, row["id"], exclude)
                counts[label][0] += any(THEME_OF.get(f["title"]) == theme for f in found)
                counts[label][1] += 1
        print("duplicates the five most similar ideas catch, typing each title as it was posted:")
        for label, (caught, total) in counts.items():
            print(f"  {label:<30} {caught} of {total} ({caught / total:.0%})")
        await conn.close()
    finally:
        await drop_database(servers, url)
        servers.stop()


if __name__ == "__main__":
    asyncio.run(main())
