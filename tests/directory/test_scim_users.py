"""/scim/v2/Users as identity providers use it: who may call it, creating, finding, changing and
deleting users, and the quirks of Microsoft Entra ID and Okta (docs/directory.md lists them)."""

from __future__ import annotations

from urllib.parse import quote

from tests.directory.scim import CORE_USER, ENTERPRISE, Scim, user
from tests.factories import make_idea

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


async def test_without_a_token_it_is_a_scim_401(client):
    response = await client.get("/scim/v2/Users")
    body = await response.json(content_type=None)
    assert response.status == 401 and response.content_type == "application/scim+json"
    assert body["schemas"] == [ERROR] and body["status"] == "401"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_an_employees_token_or_a_token_without_the_scope_is_a_scim_403(client, auth):
    refused = await client.get("/scim/v2/Users", headers=auth.admin)
    assert refused.status == 403 and (await refused.json(content_type=None))["schemas"] == [ERROR]
    token = await (
        await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "BI", "scopes": ["teams:read"]})
    ).json()
    response = await client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token['token']}"})
    assert response.status == 403 and "scim" in (await response.json(content_type=None))["detail"]


async def test_a_scim_token_reaches_nothing_else(client, scim_token):
    response = await client.get("/api/v1/teams", headers={"Authorization": f"Bearer {scim_token}"})
    assert response.status == 403


async def test_creating_a_user_makes_an_employee(scim: Scim, client, auth):
    status, created = await scim.request("POST", "/Users", user("ken@example.com", given="Ken", family="Sato"))
    assert status == 201 and created["userName"] == "ken@example.com" and created["active"] is True
    assert created["meta"]["location"].endswith(f"/scim/v2/Users/{created['id']}")
    [employee] = await (await client.get("/api/v1/employees?q=ken", headers=auth.admin)).json()
    assert employee["id"] == int(created["id"]) and employee["name"] == "Ken Sato"
    assert employee["directory"] == "scim" and employee["active"] is True


async def test_a_user_the_portal_already_knew_is_taken_over_with_what_they_posted(scim: Scim, client, auth):
    idea = await make_idea(client, auth("aiko@example.com", name="Aiko"))
    status, created = await scim.request("POST", "/Users", user("aiko@example.com", given="Aiko", family="Tanaka"))
    assert status == 201 and int(created["id"]) == idea["author"]["id"]


async def test_a_second_user_with_the_same_user_name_is_a_409_uniqueness(scim: Scim):
    await scim.create_user("ken@example.com")
    status, body = await scim.request(
        "POST", "/Users", user("KEN@example.com", emails=[{"value": "other@example.com"}])
    )
    assert status == 409 and body["scimType"] == "uniqueness"


async def test_a_user_name_that_is_an_address_stands_in_for_emails(scim: Scim, client, auth):
    status, created = await scim.request("POST", "/Users", {"schemas": [CORE_USER], "userName": "Yuki@Example.com"})
    assert status == 201 and "emails" not in created
    employee = await (await client.get(f"/api/v1/employees/{created['id']}", headers=auth.admin)).json()
    assert employee["email"] == "yuki@example.com"


async def test_a_user_without_any_address_is_a_400_invalid_value(scim: Scim):
    status, body = await scim.request("POST", "/Users", {"schemas": [CORE_USER], "userName": "yuki"})
    assert status == 400 and body["scimType"] == "invalidValue" and body["schemas"] == [ERROR]


async def test_an_unreadable_body_is_a_400_invalid_syntax(scim: Scim):
    response = await scim.client.post("/scim/v2/Users", headers=scim.headers, data=b"{not json")
    body = await response.json(content_type=None)
    assert response.status == 400 and body["scimType"] == "invalidSyntax"


async def test_attributes_the_portal_does_not_keep_are_ignored(scim: Scim):
    document = user("ken@example.com", title="Engineer", phoneNumbers=[{"value": "+81 3 0000 0000"}])
    status, created = await scim.request("POST", "/Users", document)
    assert status == 201 and "title" not in created and "phoneNumbers" not in created


async def _found(scim: Scim, scim_filter: str) -> list[str]:
    _, listed = await scim.request("GET", "/Users?filter=" + quote(scim_filter), expect=200)
    assert listed["totalResults"] == len(listed.get("Resources", []))
    return sorted(resource["userName"] for resource in listed.get("Resources", []))


async def test_filters_on_the_attributes_identity_providers_look_up(scim: Scim):
    await scim.create_user("ken@example.com", given="Ken", displayName="Ken Sato")
    await scim.create_user("aiko@example.com", given="Aiko", active=False)
    await scim.create_user("hana_x@example.com", given="Hana")
    assert await _found(scim, 'userName eq "KEN@example.com"') == ["ken@example.com"]
    assert await _found(scim, 'userName ne "ken@example.com"') == ["aiko@example.com", "hana_x@example.com"]
    assert await _found(scim, 'userName sw "ai"') == ["aiko@example.com"]
    assert await _found(scim, 'emails.value co "_x@"') == ["hana_x@example.com"]  # _ is a character, not a wildcard
    assert await _found(scim, 'userName co "%"') == []
    assert await _found(scim, 'externalId eq "ext-ken@example.com"') == ["ken@example.com"]
    assert await _found(scim, "displayName pr") == ["ken@example.com"]
    assert await _found(scim, "active eq false") == ["aiko@example.com"]
    assert await _found(scim, 'active eq true and userName sw "h"') == ["hana_x@example.com"]
    assert await _found(scim, 'userName sw "k" or emails[type eq "work" and value sw "aiko"]') == [
        "aiko@example.com",
        "ken@example.com",
    ]


async def test_a_filter_the_portal_cannot_read_is_a_400_invalid_filter(scim: Scim):
    for scim_filter in ("userName eq", 'title eq "x"', "active eq 3"):
        status, body = await scim.request("GET", "/Users?filter=" + quote(scim_filter))
        assert status == 400 and body["scimType"] == "invalidFilter", scim_filter


async def test_pages_and_attributes(scim: Scim):
    for n in range(5):
        await scim.create_user(f"user{n}@example.com")
    _, page = await scim.request("GET", "/Users?startIndex=2&count=2&attributes=userName", expect=200)
    assert page["totalResults"] == 5 and page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert [set(r) for r in page["Resources"]] == [{"schemas", "id", "userName"}] * 2
    assert [r["userName"] for r in page["Resources"]] == ["user1@example.com", "user2@example.com"]
    _, page = await scim.request("GET", "/Users?count=1&excludedAttributes=emails,name", expect=200)
    assert "emails" not in page["Resources"][0] and "userName" in page["Resources"][0]


async def test_entra_ids_patch_quirks_work(scim: Scim, client, auth):
    manager = await scim.create_user("boss@example.com")
    ken = await scim.create_user("ken@example.com")
    patched = await scim.patch_user(
        ken,
        {"op": "Replace", "path": "displayName", "value": "Ken S."},
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": manager},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "ken.sato@example.com"},
        {"op": "Replace", "path": "active", "value": "False"},
    )
    assert patched["displayName"] == "Ken S." and patched["active"] is False
    assert patched[ENTERPRISE]["manager"]["value"] == manager
    employee = await (await client.get(f"/api/v1/employees/{ken}", headers=auth.admin)).json()
    assert employee["email"] == "ken.sato@example.com" and employee["active"] is False


async def test_oktas_patch_of_active_works(scim: Scim, client, auth):
    ken = await scim.create_user("ken@example.com")
    await scim.patch_user(ken, {"op": "replace", "value": {"active": False}})
    assert (await (await client.get(f"/api/v1/employees/{ken}", headers=auth.admin)).json())["active"] is False
    await scim.patch_user(ken, {"op": "replace", "value": {"active": True}})
    assert (await (await client.get(f"/api/v1/employees/{ken}", headers=auth.admin)).json())["active"] is True


async def test_a_manager_who_is_not_a_user_is_a_400(scim: Scim):
    ken = await scim.create_user("ken@example.com")
    status, body = await scim.request(
        "PATCH",
        f"/Users/{ken}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": "999999"}}],
        },
    )
    assert status == 400 and body["scimType"] == "invalidValue"


async def test_put_replaces_the_user(scim: Scim):
    ken = await scim.create_user("ken@example.com", displayName="Ken")
    document = user("ken@example.com", given="Kenji", family="Sato")
    status, replaced = await scim.request("PUT", f"/Users/{ken}", document)
    assert status == 200 and replaced["name"]["givenName"] == "Kenji" and "displayName" not in replaced


async def test_a_deleted_user_is_gone_and_a_rehire_is_the_same_employee(scim: Scim, client, auth):
    ken = await scim.create_user("ken@example.com")
    await scim.request("DELETE", f"/Users/{ken}", expect=204)
    status, body = await scim.request("GET", f"/Users/{ken}")
    assert status == 404 and body["status"] == "404"
    employee = await (await client.get(f"/api/v1/employees/{ken}", headers=auth.admin)).json()
    assert employee["active"] is False
    assert await scim.create_user("ken@example.com") == ken
    employee = await (await client.get(f"/api/v1/employees/{ken}", headers=auth.admin)).json()
    assert employee["active"] is True


async def test_an_unknown_user_or_address_is_a_scim_404_and_a_wrong_method_a_405(scim: Scim):
    assert (await scim.request("GET", "/Users/424242"))[0] == 404
    assert (await scim.request("GET", "/Users/abc"))[0] == 404
    status, body = await scim.request("GET", "/Nothing")
    assert status == 404 and body["schemas"] == [ERROR]
    status, body = await scim.request("DELETE", "/Users")
    assert status == 405 and body["schemas"] == [ERROR]


async def test_bulk_is_not_offered(scim: Scim):
    _, config = await scim.request("GET", "/ServiceProviderConfig", expect=200)
    assert config["bulk"]["supported"] is False and config["patch"]["supported"] is True
    status, body = await scim.request("POST", "/Bulk", {"schemas": [], "Operations": []})
    assert status == 501 and body["schemas"] == [ERROR]


async def test_the_published_schema_lists_exactly_what_the_portal_keeps(scim: Scim):
    _, schema = await scim.request("GET", f"/Schemas/{CORE_USER}", expect=200)
    assert [a["name"] for a in schema["attributes"]] == ["userName", "name", "displayName", "active", "emails"]
    _, extension = await scim.request("GET", f"/Schemas/{ENTERPRISE}", expect=200)
    assert [a["name"] for a in extension["attributes"]] == ["employeeNumber", "department", "manager"]
