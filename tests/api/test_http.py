"""HTTP as an API client meets it: bad bodies and paths, unknown things, sizes, methods, and errors
that echo nothing."""

from __future__ import annotations

from portal.ideas import service as ideas


async def test_an_unexpected_error_is_a_generic_500_problem_that_echoes_nothing(client, auth, monkeypatch, caplog):
    async def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ideas, "get_idea", explode)
    response = await client.get("/api/v1/ideas/1", headers=auth())
    body = await response.json()
    assert response.status == 500 and response.content_type == "application/problem+json"
    assert body["type"].endswith("/internal") and "secret internals" not in await response.text()
    assert "secret internals" in caplog.text  # logged with its traceback for the operators


async def test_created_resources_are_found_at_their_location(client, auth):
    created = [
        await client.post("/api/v1/teams", headers=auth.admin, json={"slug": "legal", "name": "Legal"}),
        await client.post("/api/v1/employees", headers=auth.admin, json={"email": "new@example.com", "name": "N"}),
        await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bot", "scopes": ["ideas:read"]}),
        await client.post(
            "/api/v1/routing-rules",
            headers=auth.admin,
            json={"match_kind": "tag", "pattern": "x", "team": "legal", "role": "customer"},
        ),
        await client.post("/api/v1/teams/legal/digests", headers=auth.admin),
    ]
    for response in created:
        assert response.status == 201
        assert (await client.get(response.headers["Location"], headers=auth.admin)).status == 200


async def test_malformed_json_is_400(client, auth):
    response = await client.post(
        "/api/v1/ideas", headers={**auth(), "Content-Type": "application/json"}, data=b'{"title": '
    )
    assert response.status == 400
    assert response.content_type == "application/problem+json"


async def test_non_json_content_type_is_415(client, auth):
    response = await client.post("/api/v1/ideas", headers={**auth(), "Content-Type": "text/plain"}, data=b"hi")
    assert response.status == 415


async def test_wrong_fields_are_422_with_each_field_path(client, auth):
    response = await client.post(
        "/api/v1/ideas", headers=auth(), json={"title": "tiny", "tags": ["ok"] * 11, "colour": "red"}
    )
    body = await response.json()
    assert response.status == 422
    fields = {error["field"] for error in body["errors"]}
    assert {"body.title", "body.tags", "body.colour"} <= fields
    assert set(body) >= {"type", "title", "status", "detail", "errors"}


async def test_a_json_array_body_is_422_not_500(client, auth):
    response = await client.post("/api/v1/ideas", headers=auth(), json=[1, 2])
    assert response.status == 422


async def test_non_numeric_idea_id_is_422(client, auth):
    response = await client.get("/api/v1/ideas/abc", headers=auth())
    assert response.status == 422


async def test_unknown_team_is_404(client, auth):
    response = await client.get("/api/v1/teams/nope", headers=auth())
    assert response.status == 404


async def test_unknown_service_is_404(client, auth):
    response = await client.get("/api/v1/services/nope", headers=auth())
    assert response.status == 404


async def test_body_over_the_limit_is_413(client, auth):
    response = await client.post(
        "/api/v1/ideas", headers=auth(), json={"title": "Big one", "body": "x" * (1024 * 1024 + 10)}
    )
    assert response.status == 413
    assert response.content_type == "application/problem+json"


async def test_a_failed_request_writes_nothing(client, auth, db, service_map):
    before = await db.fetchval("SELECT (SELECT count(*) FROM ideas) + (SELECT count(*) FROM events)")
    response = await client.post(
        "/api/v1/ideas",
        headers=auth(),
        json={"title": "Half-written?", "services": ["laptop-setup"], "teams": [{"team": "ghost", "role": "customer"}]},
    )
    assert response.status == 422
    after = await db.fetchval("SELECT (SELECT count(*) FROM ideas) + (SELECT count(*) FROM events)")
    assert after == before


async def test_method_not_allowed_is_405_problem(client, auth):
    response = await client.put("/api/v1/ideas", headers=auth())
    assert response.status == 405
    assert response.content_type == "application/problem+json"


async def test_duplicate_team_slug_is_409(client, auth):
    await client.post("/api/v1/teams", headers=auth.admin, json={"slug": "it", "name": "IT"})
    response = await client.post("/api/v1/teams", headers=auth.admin, json={"slug": "it", "name": "IT again"})
    assert response.status == 409
