"""A client that openapi-python-client generates from /openapi.json, knowing nothing else, runs an
employee's flow against the real app: typed ids, no hand-added headers, every answer parsed into
the model the document names (an undocumented status raises)."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import uuid

import pytest

from portal.config import PROJECT_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
async def generated(client, tmp_path, monkeypatch):
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(await (await client.get("/openapi.json")).json()))
    package = f"portal_client_{uuid.uuid4().hex[:8]}"
    generator = shutil.which("openapi-python-client") or str(PROJECT_ROOT / ".venv" / "bin" / "openapi-python-client")
    subprocess.run(
        [generator, "generate", "--path", str(document), "--output-path", str(tmp_path / package), "--meta", "none"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package
    for name in [name for name in sys.modules if name.startswith(package)]:
        del sys.modules[name]


def _load(package: str, *modules: str):
    return [importlib.import_module(f"{package}.{module}") for module in modules]


async def test_a_generated_client_runs_the_employee_flow_with_typed_ids(generated, client, auth):
    (
        client_module,
        models,
        create_team,
        create_service,
        create_idea,
        cast_vote,
        get_idea,
        list_ideas,
        list_events,
    ) = _load(
        generated,
        "client",
        "models",
        "api.teams.create_team",
        "api.services.create_service",
        "api.ideas.create_idea",
        "api.votes.cast_vote",
        "api.ideas.get_idea",
        "api.ideas.list_ideas",
        "api.events.list_events",
    )
    base_url = str(client.make_url("/"))

    def as_caller(headers: dict[str, str]):
        token = headers["Authorization"].removeprefix("Bearer ")
        return client_module.AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)

    admin, employee = as_caller(auth.admin), as_caller(auth("emma@example.com", team="marketing"))
    for slug, name in (("it", "IT"), ("marketing", "Marketing")):
        created = await create_team.asyncio_detailed(client=admin, body=models.TeamCreate(slug=slug, name=name))
        assert created.status_code == 201, created.content
    service = await create_service.asyncio(
        client=admin,
        body=models.ServiceCreate(slug="laptops", name="Laptops", provider_team="it", customer_teams=["marketing"]),
    )
    assert isinstance(service, models.ServiceRead)

    idea = await create_idea.asyncio(
        client=employee,
        body=models.IdeaCreate(title="Laptops ready on day one", body="Five days is too long.", services=["laptops"]),
        idempotency_key=str(uuid.uuid4()),
    )
    assert isinstance(idea, models.IdeaDetail) and isinstance(idea.id, int)

    vote = await cast_vote.asyncio(idea.id, client=employee)
    assert isinstance(vote, models.VoteState) and (vote.idea_id, vote.vote_count) == (idea.id, 1)

    fetched = await get_idea.asyncio(idea.id, client=employee)
    assert isinstance(fetched, models.IdeaDetail)
    assert (fetched.vote_count, fetched.voted, fetched.services) == (1, True, ["laptops"])

    page = await list_ideas.asyncio(client=employee, sort=models.ListIdeasSortType0.TOP, limit=10)
    assert isinstance(page, models.IdeaPage) and [item.id for item in page.items] == [idea.id]

    missing = await get_idea.asyncio_detailed(idea.id + 1000, client=employee)
    assert missing.status_code == 404 and isinstance(missing.parsed, models.Problem)

    events = await list_events.asyncio(client=admin, limit=50)
    assert isinstance(events, models.EventPage)
    assert {event.type_ for event in events.items} >= {"ideaportal.idea.created", "ideaportal.vote.cast"}
