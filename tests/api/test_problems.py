"""Problem `type`s point at the portal's own documentation of each, and the document lists them."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

import portal.web.app  # noqa: F401 - imports every module that defines an error class
from portal.app import create_app
from portal.errors import PortalError
from portal.problems import PROBLEM_TYPES
from portal.web.server import REFUSALS
from tests.servers import PortalTestServer


def _all_subclasses(cls: type) -> list[type]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in _all_subclasses(child))]


def test_every_error_class_and_every_refusal_of_the_http_parser_is_documented():
    slugs = {error.slug for error in _all_subclasses(PortalError)} | {slug for _, slug, _ in REFUSALS}
    assert slugs <= set(PROBLEM_TYPES), slugs - set(PROBLEM_TYPES)


async def test_a_problems_type_is_where_its_documentation_is(client, auth):
    problem = await (await client.post("/api/v1/ideas", headers=auth(), json={"title": ""})).json()
    assert problem["type"] == "/problems/validation-failed"
    documented = await client.get(problem["type"])
    assert documented.status == 200 and documented.content_type == "application/json"
    assert (await documented.json())["title"] == problem["title"]
    page = await client.get(problem["type"], headers={"Accept": "text/html"})
    assert page.content_type == "text/html" and "lists each as" in await page.text()


async def test_an_unknown_problem_type_is_not_found(client):
    assert (await client.get("/problems/no-such-thing")).status == 404


async def test_every_type_is_listed_in_the_openapi_document_and_at_problems(client):
    document = await (await client.get("/openapi.json")).json()
    listed = document["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
    assert listed == [f"/problems/{slug}" for slug in PROBLEM_TYPES]
    index = await (await client.get("/problems")).json()
    assert [entry["type"] for entry in index] == listed


async def test_an_operator_may_point_types_at_documentation_elsewhere(settings, contract):
    elsewhere = settings.model_copy(update={"problem_base": "https://docs.example.com/portal/problems/"})
    async with TestClient(PortalTestServer(create_app(elsewhere))) as client:
        problem = await (await client.get("/api/v1/ideas")).json()
        document = await (await client.get("/openapi.json")).json()
    assert problem["type"] == "https://docs.example.com/portal/problems/unauthenticated"
    assert problem["type"] in document["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
    contract.clear()  # the recorder checks against the default document; this app serves its own
