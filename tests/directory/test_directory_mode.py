"""PORTAL_DIRECTORY=scim: the identity provider decides who gets in; a person it has not provisioned
is refused with a page saying whom to ask, and claims move nobody."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient

from portal.app import create_app
from tests.directory.scim import Scim
from tests.servers import PortalTestServer


@pytest.fixture
async def scim_client(settings, contract):
    directory = settings.model_copy(update={"directory": "scim", "directory_contact": "the IT service desk (x1234)"})
    async with TestClient(PortalTestServer(create_app(directory))) as client:
        yield client


async def scim_admin(client, run_portal, database_url) -> Scim:
    """In scim mode the admins come from the directory's group: an operator makes the first token."""
    made = await asyncio.to_thread(
        run_portal, "api-token", "--name", "Entra ID", "--scope", "scim", env={"DATABASE_URL": database_url}
    )
    assert made.returncode == 0, made.stderr
    return Scim(client, made.stdout.strip())


async def test_someone_the_directory_has_not_provisioned_is_refused_and_told_whom_to_ask(scim_client, auth):
    response = await scim_client.get("/api/v1/me", headers=auth("stranger@example.com", team="it"))
    problem = await response.json()
    assert response.status == 403 and problem["type"] == "/problems/not-provisioned"
    assert problem["contact"] == "the IT service desk (x1234)"


async def test_the_sign_in_page_says_whom_to_ask(scim_client, auth, db):
    await db.execute(
        "INSERT INTO employees (email, name) VALUES ('old@example.com', 'Old Timer')"
    )  # not the directory's
    response = await scim_client.post("/dev/sign-in", data={"email": "old@example.com", "next": "/"})
    page = await response.text()
    assert response.status == 403 and "You do not have access yet" in page and "the IT service desk (x1234)" in page


async def test_a_provisioned_person_gets_in_and_their_claims_move_nothing(scim_client, auth, run_portal, database_url):
    scim = await scim_admin(scim_client, run_portal, database_url)
    ken = await scim.create_user("ken@example.com")
    await scim.create_group("IT", [ken])
    me = await (await scim_client.get("/api/v1/me", headers=auth("ken@example.com", team="sales", admin=True))).json()
    assert me["team"] == "it" and me["is_admin"] is False and me["id"] == int(ken)


async def test_admins_come_from_the_directorys_admin_group(scim_client, auth, run_portal, database_url):
    scim = await scim_admin(scim_client, run_portal, database_url)
    ken = await scim.create_user("ken@example.com")
    await scim.create_group("Idea Portal Admins", [ken])
    assert (await scim_client.get("/api/v1/tokens", headers=auth("ken@example.com"))).status == 200


async def test_a_token_made_on_the_command_line_is_in_the_audit_trail_without_its_secret(
    scim_client, run_portal, database_url, db
):
    scim = await scim_admin(scim_client, run_portal, database_url)
    entry = await db.fetchrow(
        "SELECT source, actor, actor_name, subject, after FROM audit_trail WHERE action = 'token.created'"
    )
    assert entry["source"] == "admin" and entry["actor"] == f"cli:{entry['actor_name']}"
    assert "@" in entry["actor_name"] and entry["subject"].startswith("tokens/")
    token = scim.headers["Authorization"].removeprefix("Bearer ")
    assert entry["after"]["name"] == "Entra ID" and token not in str(dict(entry))
