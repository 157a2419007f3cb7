"""/scim/v2/Groups: a group is a team, a team's leads ("<team> Leads") or the admins; its members
change who belongs to which team and who leads it."""

from __future__ import annotations

from urllib.parse import quote

from tests.directory.scim import CORE_GROUP, Scim


async def team(client, auth, slug: str) -> dict:
    response = await client.get(f"/api/v1/teams/{slug}", headers=auth.admin)
    assert response.status == 200, await response.text()
    return await response.json()


async def employee(client, auth, employee_id: str) -> dict:
    return await (await client.get(f"/api/v1/employees/{employee_id}", headers=auth.admin)).json()


async def test_a_group_is_a_team_named_after_it(scim: Scim, client, auth):
    ken = await scim.create_user("ken@example.com")
    await scim.create_group("IT Service Desk", [ken])
    it = await team(client, auth, "it-service-desk")
    assert it["name"] == "IT Service Desk" and it["directory"] == "scim" and it["member_count"] == 1
    assert (await employee(client, auth, ken))["team"] == "it-service-desk"


async def test_a_group_without_an_ascii_name_takes_its_slug_from_its_external_id(scim: Scim, client, auth):
    await scim.create_group("マーケティング", externalId="Marketing-JP")
    assert (await team(client, auth, "marketing-jp"))["name"] == "マーケティング"


async def test_a_team_the_portal_had_is_taken_over_by_its_group(scim: Scim, client, auth):
    response = await client.post("/api/v1/teams", headers=auth.admin, json={"slug": "hr", "name": "HR"})
    assert response.status == 201
    await scim.create_group("HR")
    assert (await team(client, auth, "hr"))["directory"] == "scim"


async def test_the_leads_group_makes_leads_of_the_teams_members(scim: Scim, client, auth):
    ken, aiko, outsider = [await scim.create_user(f"{n}@example.com") for n in ("ken", "aiko", "sam")]
    await scim.create_group("IT", [ken, aiko])
    await scim.create_group("IT Leads", [ken, outsider])  # sam is not in IT: not its lead
    assert [lead["email"] for lead in (await team(client, auth, "it"))["leads"]] == ["ken@example.com"]


async def test_the_admins_group_makes_admins(scim: Scim, client, auth):
    ken = await scim.create_user("ken@example.com")
    admins = await scim.create_group("Idea Portal Admins", [ken])
    assert (await employee(client, auth, ken))["is_admin"] is True
    assert (await client.get("/api/v1/teams/idea-portal-admins", headers=auth.admin)).status == 404
    await scim.patch_group(admins, {"op": "remove", "path": f'members[value eq "{ken}"]'})
    assert (await employee(client, auth, ken))["is_admin"] is False


async def test_the_moderators_group_makes_moderators(scim: Scim, client, auth, db):
    ken = await scim.create_user("ken@example.com")
    moderators = await scim.create_group("Idea Portal Moderators", [ken])
    assert await db.fetchval("SELECT is_moderator FROM employees WHERE id = $1", int(ken)) is True
    assert (await client.get("/api/v1/teams/idea-portal-moderators", headers=auth.admin)).status == 404
    await scim.patch_group(moderators, {"op": "remove", "path": f'members[value eq "{ken}"]'})
    assert await db.fetchval("SELECT is_moderator FROM employees WHERE id = $1", int(ken)) is False


async def test_members_are_added_and_removed_as_entra_id_and_okta_send_them(scim: Scim, client, auth):
    ids = [await scim.create_user(f"user{n}@example.com") for n in range(4)]
    group = await scim.create_group("Sales")
    await scim.patch_group(group, {"op": "Add", "path": "members", "value": [{"value": i} for i in ids]})
    assert (await team(client, auth, "sales"))["member_count"] == 4
    await scim.patch_group(group, {"op": "Remove", "path": "members", "value": [{"value": ids[0]}]})  # Entra ID
    await scim.patch_group(group, {"op": "remove", "path": f'members[value eq "{ids[1]}"]'})  # Okta
    _, listed = await scim.request("GET", f"/Groups/{group}", expect=200)
    assert [m["value"] for m in listed["members"]] == ids[2:]
    await scim.patch_group(group, {"op": "replace", "path": "members", "value": [{"value": ids[0]}]})
    assert (await team(client, auth, "sales"))["member_count"] == 1
    await scim.patch_group(group, {"op": "remove", "path": "members"})
    assert (await team(client, auth, "sales"))["member_count"] == 0


async def test_a_member_who_is_not_a_user_is_a_400_and_changes_nothing(scim: Scim, client, auth):
    ken = await scim.create_user("ken@example.com")
    group = await scim.create_group("Sales")
    status, body = await scim.request(
        "PATCH",
        f"/Groups/{group}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": ken}]},
                {"op": "add", "path": "members", "value": [{"value": "424242"}]},
            ],
        },
    )
    assert status == 400 and body["scimType"] == "invalidValue"
    assert (await team(client, auth, "sales"))["member_count"] == 0  # the first operation too was undone


async def test_okta_replaces_the_name_and_members_in_one_operation(scim: Scim, client, auth):
    ken = await scim.create_user("ken@example.com")
    group = await scim.create_group("Sales")
    await scim.patch_group(
        group, {"op": "replace", "value": {"displayName": "Sales Japan", "members": [{"value": ken}]}}
    )
    assert (await team(client, auth, "sales"))["name"] == "Sales Japan"
    assert (await employee(client, auth, ken))["team"] == "sales"


async def test_a_second_group_of_the_same_name_is_a_409_uniqueness(scim: Scim):
    await scim.create_group("Sales")
    status, body = await scim.request("POST", "/Groups", {"schemas": [CORE_GROUP], "displayName": "sales"})
    assert status == 409 and body["scimType"] == "uniqueness"


async def test_entra_ids_membership_check_and_a_list_without_members(scim: Scim):
    ken, aiko = await scim.create_user("ken@example.com"), await scim.create_user("aiko@example.com")
    group = await scim.create_group("Sales", [ken])
    found = f'id eq "{group}" and members[value eq "{ken}"]'
    _, listed = await scim.request("GET", f"/Groups?filter={quote(found)}&excludedAttributes=members", expect=200)
    assert listed["totalResults"] == 1 and "members" not in listed["Resources"][0]
    missing = f'id eq "{group}" and members[value eq "{aiko}"]'
    _, listed = await scim.request("GET", f"/Groups?filter={quote(missing)}", expect=200)
    assert listed["totalResults"] == 0
    _, listed = await scim.request("GET", "/Groups?filter=" + quote('displayName eq "SALES"'), expect=200)
    assert listed["Resources"][0]["id"] == group


async def test_a_deleted_team_group_leaves_its_team_to_the_portal(scim: Scim, client, auth):
    ken = await scim.create_user("ken@example.com")
    group = await scim.create_group("Sales", [ken])
    await scim.request("DELETE", f"/Groups/{group}", expect=204)
    sales = await team(client, auth, "sales")
    assert sales["directory"] is None and sales["member_count"] == 0
    response = await client.patch("/api/v1/teams/sales", headers=auth.admin, json={"name": "Sales (old)"})
    assert response.status == 200


async def test_a_large_group_gains_hundreds_of_members_in_one_patch(scim: Scim, client, auth, db):
    rows = await db.fetch(
        """INSERT INTO employees (email, name, managed_by) SELECT 'bulk' || n || '@example.com', 'Bulk ' || n, 'scim'
           FROM generate_series(1, 600) AS n RETURNING id"""
    )
    await db.execute(
        "INSERT INTO directory_users (employee_id, user_name) SELECT unnest($1::bigint[]), 'bulk' || unnest($1::bigint[])",
        [r["id"] for r in rows],
    )
    group = await scim.create_group("Everyone")
    await scim.patch_group(group, {"op": "add", "path": "members", "value": [{"value": str(r["id"])} for r in rows]})
    assert (await team(client, auth, "everyone"))["member_count"] == 600
