from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.errors import ValidationFailed
from portal.ideas import listing
from tests.factories import make_idea, make_service_map, relay_all


async def _titles(client, headers, query: str) -> list[str]:
    response = await client.get(f"/api/v1/ideas?{query}", headers=headers)
    assert response.status == 200, await response.text()
    return [idea["title"] for idea in (await response.json())["items"]]


async def test_two_character_japanese_word_finds_the_idea(client, auth):
    await make_idea(client, auth(), title="プリンター印刷の申請をオンライン化する")
    await make_idea(client, auth(), title="社員食堂のメニューを増やす")
    assert await _titles(client, auth(), "q=印刷") == ["プリンター印刷の申請をオンライン化する"]


async def test_japanese_compound_word_finds_the_idea(client, auth):
    await make_idea(client, auth(), title="経費精算システムの改善")
    await make_idea(client, auth(), title="精密機器の経費を見直す")
    assert await _titles(client, auth(), "q=経費精算") == ["経費精算システムの改善"]


async def test_english_search_matches_word_forms_in_title_body_and_tags(client, auth):
    await make_idea(client, auth(), title="Faster paper requests", body="Online forms for the printers")
    await make_idea(client, auth(), title="Quieter office floor", tags=["printer"])
    await make_idea(client, auth(), title="More coffee machines")
    found = await _titles(client, auth(), "q=printer")
    assert sorted(found) == ["Faster paper requests", "Quieter office floor"]


async def test_search_ranks_title_matches_above_body_matches(client, auth):
    await make_idea(client, auth(), title="Improve the kitchen", body="Also the laptop queue")
    await make_idea(client, auth(), title="Laptop set-up in one day")
    assert (await _titles(client, auth(), "q=laptop"))[0] == "Laptop set-up in one day"


async def test_a_rare_search_ranks_every_match_not_only_the_newest(client, auth, monkeypatch):
    from portal.ideas import listing

    monkeypatch.setattr(listing, "RELEVANCE_CANDIDATES", 1)  # what a common search would rank
    await make_idea(client, auth(), title="Laptop set-up in one day")
    await make_idea(client, auth(), title="Improve the kitchen", body="Also the laptop queue")
    assert await _titles(client, auth(), "q=laptop") == ["Laptop set-up in one day", "Improve the kitchen"]


async def test_filters_by_status_tag_team_service_and_author(client, auth, service_map):
    await make_idea(client, auth("a@example.com"), title="Laptop idea", services=["laptop-setup"], tags=["it"])
    await make_idea(client, auth("b@example.com"), title="HR idea", teams=[{"team": "hr", "role": "provider"}])
    assert await _titles(client, auth(), "team=sales") == ["Laptop idea"]
    assert await _titles(client, auth(), "team=hr") == ["HR idea"]
    assert await _titles(client, auth(), "service=laptop-setup") == ["Laptop idea"]
    assert await _titles(client, auth(), "tag=it") == ["Laptop idea"]
    assert await _titles(client, auth(), "author=b@example.com") == ["HR idea"]
    assert await _titles(client, auth(), "status=done") == []


async def test_a_team_with_many_ideas_is_filtered_idea_by_idea_with_the_same_answer(client, auth, monkeypatch):
    from portal.ideas import listing

    monkeypatch.setattr(listing, "FEW", 0)  # every team counts as large
    await make_service_map(client, auth)
    await make_idea(client, auth(), title="Laptop idea", services=["laptop-setup"])
    await make_idea(client, auth(), title="HR idea", teams=[{"team": "hr", "role": "provider"}])
    await make_idea(client, auth(), title="Nobody's idea")
    assert await _titles(client, auth(), "team=sales&sort=top") == ["Laptop idea"]
    assert await _titles(client, auth(), "team=it") == ["Laptop idea"]
    assert await _titles(client, auth(), "team=hr") == ["HR idea"]


async def _vote(client, auth, idea: dict, *voters: str) -> None:
    for voter in voters:
        response = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth(voter))
        assert response.status == 200, await response.text()


async def test_top_sort_orders_by_votes(client, auth, db):
    low = await make_idea(client, auth(), title="Fewer votes")
    high = await make_idea(client, auth(), title="More votes")
    await _vote(client, auth, high, "v0@example.com", "v1@example.com", "v2@example.com")
    await _vote(client, auth, low, "v0@example.com")
    await relay_all(db)
    assert await _titles(client, auth(), "sort=top") == ["More votes", "Fewer votes"]


async def test_top_ranks_by_counts_the_relay_keeps_while_each_idea_shows_its_exact_count(client, auth, db):
    first = await make_idea(client, auth(), title="Posted first")
    second = await make_idea(client, auth(), title="Posted second")
    await client.put(f"/api/v1/ideas/{first['id']}/vote", headers=auth("v@example.com"))
    before = await (await client.get("/api/v1/ideas?sort=top", headers=auth())).json()
    assert [(i["id"], i["vote_count"]) for i in before["items"]] == [(second["id"], 0), (first["id"], 1)]
    await relay_all(db)
    assert await _titles(client, auth(), "sort=top") == ["Posted first", "Posted second"]


async def test_top_pages_stay_stable_while_votes_change(client, auth, db):
    ideas = [await make_idea(client, auth(), title=f"Idea number {n}") for n in range(6)]
    for rank, idea in enumerate(ideas):  # idea n gets n votes
        for v in range(rank):
            await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth(f"v{v}@example.com"))
    await relay_all(db)
    first = await (await client.get("/api/v1/ideas?sort=top&limit=3", headers=auth())).json()
    # The least supported idea surges while the reader is on page one.
    for v in range(10):
        await client.put(f"/api/v1/ideas/{ideas[0]['id']}/vote", headers=auth(f"surge{v}@example.com"))
    await client.delete(f"/api/v1/ideas/{ideas[5]['id']}/vote", headers=auth("v0@example.com"))
    await relay_all(db)
    second = await (
        await client.get(f"/api/v1/ideas?sort=top&limit=3&cursor={first['next_cursor']}", headers=auth())
    ).json()
    seen = [i["title"] for i in first["items"] + second["items"]]
    assert seen == [f"Idea number {n}" for n in (5, 4, 3, 2, 1, 0)]
    fresh = await _titles(client, auth(), "sort=top&limit=2")
    assert fresh == ["Idea number 0", "Idea number 5"]  # a new listing ranks by today's counts (5 ties 4)


async def test_new_sort_pages_through_every_idea_once(client, auth):
    for n in range(7):
        await make_idea(client, auth(), title=f"Idea number {n}")
    seen, cursor = [], None
    while True:
        query = "sort=new&limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = await (await client.get(f"/api/v1/ideas?{query}", headers=auth())).json()
        seen += [i["title"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Idea number {n}" for n in reversed(range(7))]


async def test_trending_counts_recent_votes(client, auth, db):
    old = await make_idea(client, auth(), title="Old favourite")
    fresh = await make_idea(client, auth(), title="Fresh favourite")
    for n in range(3):
        await client.put(f"/api/v1/ideas/{old['id']}/vote", headers=auth(f"o{n}@example.com"))
    await db.execute("UPDATE votes SET cast_at = now() - interval '30 days' WHERE idea_id = $1", old["id"])
    await client.put(f"/api/v1/ideas/{fresh['id']}/vote", headers=auth("f@example.com"))
    await relay_all(db)
    assert await _titles(client, auth(), "sort=trending") == ["Fresh favourite", "Old favourite"]


async def test_votes_leave_trending_when_they_age_out_of_the_week(client, auth, db):
    from portal.ideas import rankings

    ageing = await make_idea(client, auth(), title="Was trending")
    steady = await make_idea(client, auth(), title="Still trending")
    await _vote(client, auth, ageing, "a0@example.com", "a1@example.com")
    await _vote(client, auth, steady, "s@example.com")
    await relay_all(db)
    assert await _titles(client, auth(), "sort=trending") == ["Was trending", "Still trending"]
    await db.execute("UPDATE ranking_clock SET trending_until = now() - interval '9 days'")
    await db.execute("UPDATE votes SET cast_at = now() - interval '8 days' WHERE idea_id = $1", ageing["id"])
    async with db.transaction():
        assert await rankings.age_trending(db) == 1
    assert await _titles(client, auth(), "sort=trending") == ["Still trending", "Was trending"]
    assert await db.fetchval("SELECT trending FROM ideas WHERE id = $1", ageing["id"]) == 0


async def test_a_top_cursor_older_than_a_day_is_422(client, auth):
    for n in range(3):
        await make_idea(client, auth(), title=f"Idea number {n}")
    page = await (await client.get("/api/v1/ideas?sort=top&limit=2", headers=auth())).json()
    _, version, score, idea_id = page["next_cursor"].split("_")
    stale = f"{1_000_000_000_000_000}_{version}_{score}_{idea_id}"  # 2001
    response = await client.get(f"/api/v1/ideas?sort=top&limit=2&cursor={stale}", headers=auth())
    assert response.status == 422 and "start again" in (await response.json())["errors"][0]["message"]


async def test_a_tampered_cursor_is_422(client, auth):
    response = await client.get("/api/v1/ideas?cursor=not-a-cursor", headers=auth())
    body = await response.json()
    assert response.status == 422 and body["errors"][0]["field"] == "query.cursor"


async def test_a_cursor_not_of_the_documented_shape_is_422_naming_it(client, auth):
    response = await client.get("/api/v1/ideas?sort=top&cursor=eyJzIjoidG9wIn0", headers=auth())
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "query.cursor"


@pytest.mark.parametrize(
    "sort, score",
    [("new", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)), ("top", 17), ("trending", 3), ("relevance", 0.25)],
)
def test_an_idea_list_cursor_decodes_to_what_was_encoded(sort, score):
    place = listing.Place(datetime(2026, 5, 6, tzinfo=UTC), 7, score, 42)
    assert listing.decode_cursor(listing.encode_cursor(sort, place), sort) == place


@pytest.mark.parametrize("sort", ["new", "top", "trending", "relevance"])
def test_every_cursor_the_documented_pattern_allows_is_a_place_in_a_listing(sort):
    for cursor in ["0_0_0_0", "9" * 17 + "_" + "9" * 19 + "_" + "9" * 19 + "_" + "9" * 19, "1_0_2139095040_1"]:
        place = listing.decode_cursor(cursor, sort)
        assert place.as_of.year <= 9999 and 0 <= place.idea_id < 2**63 and place.score == place.score  # not NaN
        assert 0 <= place.version < 2**63


@pytest.mark.parametrize("cursor", ["", "x", "1_2_3", "1_2_3_4_5", "-1_2_3_4", "1_2_3_" + "9" * 20])
def test_cursors_of_another_shape_are_refused(cursor):
    with pytest.raises(ValidationFailed):
        listing.decode_cursor(cursor, "top")
