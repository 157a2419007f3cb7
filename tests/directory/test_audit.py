"""Every change the directory makes is recorded (what, before and after, by which token or admin,
when), readable by admins as a page and as CSV, and never changed afterwards."""

from __future__ import annotations

import csv
import io

import asyncpg
import pytest

from tests.directory.scim import Scim
from tests.factories import make_employee, make_team, sign_in


async def test_a_scim_change_is_recorded_with_the_token_and_the_values_before_and_after(scim: Scim, db):
    ken = await scim.create_user("ken@example.com", displayName="Ken")
    await scim.patch_user(ken, {"op": "replace", "path": "displayName", "value": "Ken Sato"})
    entry = await db.fetchrow(
        "SELECT * FROM audit_trail WHERE action = 'directory_user.updated' AND subject = $1", f"employees/{ken}"
    )
    assert entry["source"] == "scim" and entry["actor"].startswith("token:") and entry["actor_name"] == "Entra ID"
    assert entry["before"]["displayName"] == "Ken" and entry["after"]["displayName"] == "Ken Sato"


async def test_an_admins_lead_assignment_is_recorded(client, auth, db):
    await make_team(client, auth, "it")
    await make_employee(client, auth, "lena@example.com")
    await client.put("/api/v1/teams/it/leads/lena@example.com", headers=auth.admin)
    entry = await db.fetchrow("SELECT * FROM audit_trail WHERE action = 'team.lead_added'")
    assert entry["source"] == "admin" and entry["actor_name"] == "admin@example.com"
    assert entry["subject"] == "teams/it" and entry["after"]["email"] == "lena@example.com"


async def test_the_audit_cannot_be_changed(scim: Scim, db):
    await scim.create_user("ken@example.com")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await db.execute("UPDATE audit_trail SET actor_name = 'someone else'")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await db.execute("DELETE FROM audit_trail")


async def test_admins_read_it_as_a_page_and_as_csv(scim: Scim, client, auth):
    ken = await scim.create_user("ken@example.com")
    await client.get("/api/v1/me", headers=auth.admin)
    await sign_in(client, "admin@example.com")
    page = await (await client.get(f"/admin/audit?subject=employees/{ken}")).text()
    assert "directory_user.created" in page and "Entra ID" in page
    response = await client.get(f"/admin/audit.csv?subject=employees/{ken}")
    assert response.status == 200 and response.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert {row["action"] for row in rows} >= {"employee.provisioned", "directory_user.created"}
    assert all(row["subject"] == f"employees/{ken}" for row in rows)


async def test_someone_who_is_not_an_admin_cannot_read_it(client, auth):
    await client.get("/api/v1/me", headers=auth("aiko@example.com"))
    await sign_in(client, "aiko@example.com")
    assert (await client.get("/admin/audit")).status == 403
    assert (await client.get("/admin/audit.csv")).status == 403
    assert (await client.get("/admin/directory")).status == 403


async def test_a_cell_a_spreadsheet_would_run_is_kept_as_text(client, auth):
    response = await client.post(
        "/api/v1/tokens", headers=auth.admin, json={"name": "=HYPERLINK(1)", "scopes": ["scim"]}
    )
    token = (await response.json())["token"]
    scim = Scim(client, token)
    await scim.create_user("ken@example.com")
    await sign_in(client, "admin@example.com")
    text = await (await client.get("/admin/audit.csv")).text()
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text
