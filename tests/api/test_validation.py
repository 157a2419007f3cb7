"""What a hostile or careless client sends: bad bytes, wrong types, numbers beyond 64 bits, text the
database cannot keep."""

from __future__ import annotations

import json
import re
from typing import Annotated

import pytest
from pydantic import TypeAdapter, ValidationError

from portal.schemas import WHITESPACE, WHITESPACE_CHARACTERS, Trimmed
from portal.text import is_clean_text, unclean_fields
from tests.factories import make_idea, make_team


def test_unclean_text_is_found_wherever_it_is():
    assert is_clean_text("日本語 and English")
    assert not is_clean_text("a\x00b") and not is_clean_text("lone \ud800")
    assert unclean_fields({"a": ["ok", "bad\x00"], "b\x00": 1, "c": {"d": "\udfff"}}) == [("a", 1), (), ("c", "d")]


def test_the_whitespace_the_patterns_name_is_the_whitespace_that_is_trimmed():
    in_class = re.compile(f"[{WHITESPACE}]")
    for code in [*range(0x3100), 0xFEFF]:
        character = chr(code)
        assert (in_class.fullmatch(character) is not None) == (character in WHITESPACE_CHARACTERS), hex(code)


@pytest.mark.parametrize("value", ["hello", "  hello  ", " hel ", "a   b", "\u3000abcde\u3000", "x" * 21, "     "])
def test_trimmed_text_is_accepted_exactly_when_its_documented_schema_allows_it(value):
    adapter = TypeAdapter(Annotated[str, Trimmed(min_length=5, max_length=20)])
    schema = adapter.json_schema()
    documented = len(value) <= schema["maxLength"] and re.search(schema["pattern"], value) is not None
    try:
        adapter.validate_python(value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == documented


NUL = "bad\x00value"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/api/v1/ideas", {"title": NUL}),
        ("POST", "/api/v1/ideas", {"title": "A fine title", "body": NUL}),
        ("POST", "/api/v1/ideas", {"title": "A fine title", "tags": [NUL]}),
        ("POST", "/api/v1/ideas", {"title": "A fine title", "teams": [{"team": NUL, "role": "customer"}]}),
        ("POST", "/api/v1/teams", {"slug": "legal", "name": NUL}),
        ("POST", "/api/v1/tokens", {"name": NUL, "scopes": ["ideas:read"]}),
        ("POST", "/api/v1/ideas", {"title": "Lone \ud800 surrogate"}),
        ("POST", "/api/v1/ideas", {NUL: "a key with a NUL"}),
    ],
)
async def test_nul_and_lone_surrogates_in_a_body_are_422_naming_the_field(client, auth, method, path, body):
    response = await client.request(
        method, path, headers={**auth.admin, "Content-Type": "application/json"}, data=json.dumps(body).encode()
    )
    problem = await response.json()
    assert response.status == 422 and problem["errors"][0]["type"] == "string_unstorable"


async def test_a_nul_in_a_comment_is_422(client, auth):
    idea = await make_idea(client, auth())
    response = await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(), json={"body": NUL})
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "body.body"


@pytest.mark.parametrize("query", ["q=bad%00word", "tag=bad%00", "author=a%00@example.com", "sort=new%00"])
async def test_nul_in_a_query_is_422(client, auth, query):
    response = await client.get(f"/api/v1/ideas?{query}", headers=auth())
    assert response.status in (400, 422) and response.content_type == "application/problem+json"


async def test_nul_in_event_types_is_422(client, auth):
    response = await client.get("/api/v1/events?types=idea.created%00", headers=auth.admin)
    assert response.status == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ideas/%D9%A3",
        "/api/v1/ideas/%EF%BC%93",
        "/api/v1/webhooks/%C2%B2",
        "/api/v1/ideas/0",
        "/api/v1/ideas/99999999999999999999",
        "/api/v1/teams/bad%00slug",
        "/api/v1/teams/UPPER",
    ],
)
async def test_path_ids_and_slugs_must_be_what_the_document_says(client, auth, path):
    response = await client.get(path, headers=auth.admin)
    assert response.status == 422 and (await response.json())["errors"][0]["field"].startswith("path.")


async def test_a_lead_that_is_not_an_email_is_422(client, auth):
    await make_team(client, auth, "it")
    response = await client.put("/api/v1/teams/it/leads/not-an-email", headers=auth.admin)
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "path.email"


async def test_a_comment_cursor_beyond_64_bits_is_422(client, auth):
    idea = await make_idea(client, auth())
    response = await client.get(f"/api/v1/ideas/{idea['id']}/comments?cursor={'9' * 30}", headers=auth())
    assert response.status == 422


async def test_a_duplicate_target_beyond_64_bits_is_422(client, auth):
    idea = await make_idea(client, auth())
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/status",
        headers=auth.admin,
        json={"status": "duplicate", "reason": "dup", "duplicate_of": 2**70},
    )
    assert response.status == 422


async def test_deeply_nested_json_is_400(client, auth):
    response = await client.post(
        "/api/v1/ideas", headers={**auth(), "Content-Type": "application/json"}, data=b"[" * 100_000
    )
    assert response.status == 400 and response.content_type == "application/problem+json"


@pytest.mark.parametrize("value", [True, "72", 72.5])
async def test_numbers_are_not_coerced_from_other_json_types(client, auth, value):
    response = await client.post(
        "/api/v1/teams", headers=auth.admin, json={"slug": "legal", "name": "Legal", "response_sla_hours": value}
    )
    assert response.status == 422


async def test_integer_fields_take_a_whole_number_written_as_a_float_as_json_schema_does(client, auth):
    from tests.factories import make_service_map

    await make_service_map(client, auth)
    lead = auth("lena@example.com")
    read = await client.post("/api/v1/me/notifications/read", headers=auth(), json={"up_to": 2.0})
    pulse = await client.put(
        "/api/v1/services/laptop-setup/pulse", headers=lead, json={"every_days": 30.0, "open_days": 7.0}
    )
    standard = await client.put(
        "/api/v1/services/laptop-setup/standard",
        headers=lead,
        json={
            "how_to_request": "The form",
            "first_response_hours": 8.0,
            "resolution_target_hours": 40.0,
            "contact": "IT",
        },
    )
    opened = await client.post("/api/v1/services/laptop-setup/survey-rounds", headers=lead, json={"open_days": 7.0})
    assert [r.status for r in (read, pulse, standard, opened)] == [200, 204, 200, 201]
    assert (await standard.json())["resolution_target_hours"] == 40
    fraction = await client.post("/api/v1/me/notifications/read", headers=auth(), json={"up_to": 2.5})
    assert fraction.status == 422
