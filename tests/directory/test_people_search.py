"""GET /api/v1/employees?q= finds active people by the start of any word of their name (given or
family, English or Japanese) or address, for the web client's pickers."""

from __future__ import annotations

from urllib.parse import quote

from tests.directory.scim import Scim


async def found(client, auth, q: str, **params: str) -> list[str]:
    query = "&".join([f"q={quote(q)}", *(f"{k}={v}" for k, v in params.items())])
    response = await client.get(f"/api/v1/employees?{query}", headers=auth())
    assert response.status == 200, await response.text()
    return [person["email"] for person in await response.json()]


async def people(scim: Scim) -> None:
    await scim.create_user("aiko.tanaka@example.com", given="愛子", family="田中", displayName="田中 愛子")
    await scim.create_user("ken.sato@example.com", given="Ken", family="Sato", displayName="Ken Sato")
    await scim.create_user("kenji@example.com", given="Kenji", family="Yamada", displayName="Kenji Yamada")
    left = await scim.create_user("kendra@example.com", given="Kendra", family="Lee", displayName="Kendra Lee")
    await scim.patch_user(left, {"op": "replace", "path": "active", "value": False})


async def test_a_prefix_of_a_given_or_family_name(scim: Scim, client, auth):
    await people(scim)
    assert await found(client, auth, "ken") == ["ken.sato@example.com", "kenji@example.com"]  # not Kendra: she left
    assert await found(client, auth, "sat") == ["ken.sato@example.com"]
    assert await found(client, auth, "KEN yam") == ["kenji@example.com"]


async def test_a_japanese_name_by_its_family_or_given_name(scim: Scim, client, auth):
    await people(scim)
    assert await found(client, auth, "田") == ["aiko.tanaka@example.com"]
    assert await found(client, auth, "愛子") == ["aiko.tanaka@example.com"]


async def test_an_address_or_its_start(scim: Scim, client, auth):
    await people(scim)
    assert await found(client, auth, "aiko.t") == ["aiko.tanaka@example.com"]
    assert await found(client, auth, "tanaka") == ["aiko.tanaka@example.com"]


async def test_at_most_the_limit_and_nothing_for_punctuation(scim: Scim, client, auth):
    await people(scim)
    assert len(await found(client, auth, "k", limit="1")) == 1
    assert await found(client, auth, "'") == []
