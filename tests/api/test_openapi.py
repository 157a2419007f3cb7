"""The served OpenAPI document is the API's reference: valid, and in step with the app's routes."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from portal.http.keys import SETTINGS
from portal.scim.http import PREFIX
from portal.web.routes import page_routes

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _app_routes(app) -> set[tuple[str, str]]:
    """The app's routes but the web client's pages, static files, SCIM (/scim/v2, described by
    its own discovery endpoints) and Slack's requests (/slack/, in Slack's shapes, signed by Slack:
    docs/chat.md), which are not the API."""
    pages = {page.name for page in page_routes(app[SETTINGS])} | {"static"}
    routes = set()
    for route in app.router.routes():
        if (
            route.method in IGNORED_METHODS
            or route.name in pages
            or route.resource.canonical.startswith((PREFIX, "/slack/"))
        ):
            continue
        routes.add((route.method, route.resource.canonical))
    return routes


async def test_document_is_valid_openapi_3_1(client):
    document = await (await client.get("/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    validate(document)


async def test_every_app_route_is_documented_and_every_documented_route_exists(client):
    document = await (await client.get("/openapi.json")).json()
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert documented == _app_routes(client.app)


async def test_every_protected_operation_declares_bearer_security(client):
    document = await (await client.get("/openapi.json")).json()
    public = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/problems", "/problems/{problem}"}
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert ("security" in operation) == (path not in public), path


async def test_documented_request_schemas_reject_what_the_app_rejects(client, auth):
    document = await (await client.get("/openapi.json")).json()
    idea_create = document["components"]["schemas"]["IdeaCreate"]
    title = idea_create["properties"]["title"]
    assert title["maxLength"] == 200 and re.search(title["pattern"], "  Four  ") is None
    assert re.search(title["pattern"], "  Five!  ")
    assert idea_create["additionalProperties"] is False


async def test_docs_page_renders_every_path(client):
    html = await (await client.get("/docs")).text()
    document = await (await client.get("/openapi.json")).json()
    for path in document["paths"]:
        assert re.escape(path).replace("\\", "") in html.replace("&#x27;", "'")


def test_the_readmes_api_at_a_glance_names_every_area_of_the_api():
    from portal.config import PROJECT_ROOT
    from portal.web.routes import all_routes

    readme = (PROJECT_ROOT / "README.md").read_text()
    glance = readme.split("## The API at a glance", 1)[1].split("\n## ", 1)[0]
    areas = " ".join(line.split("|")[1] for line in glance.splitlines() if line.startswith("| ") and "---" not in line)
    assert sorted({route.tag for route in all_routes()} - set(areas.replace(",", " ").split())) == []
