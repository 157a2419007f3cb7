"""Where webhooks may go: every IANA special-purpose block refused (whatever the interpreter's
`is_global` says), URLs checked when they are created, and the resolver's guard at delivery."""

from __future__ import annotations

import ipaddress

import pytest

from portal.webhooks import delivery
from portal.webhooks.addresses import REFUSED_BLOCKS, AddressPolicy, BlockedAddress, GuardedResolver, refused_block
from portal.webhooks.signing import SecretBox
from tests.conftest import ENCRYPTION_KEY
from tests.factories import make_idea, relay_all


def _edges(network: str) -> list[str]:
    block = ipaddress.ip_network(network)
    return sorted({str(block.network_address), str(block[block.num_addresses // 2]), str(block.broadcast_address)})


@pytest.mark.parametrize(("network", "name"), REFUSED_BLOCKS, ids=[net for net, _ in REFUSED_BLOCKS])
def test_every_special_purpose_block_is_refused_from_its_first_to_its_last_address(network, name):
    for address in _edges(network):
        assert refused_block(ipaddress.ip_address(address)) is not None, address
        with pytest.raises(BlockedAddress, match="not a public address"):
            AddressPolicy([], []).check("hooks.example.com", address)


def test_the_ietf_protocol_block_is_refused_though_this_python_counts_it_global():
    assert "192.0.0.0/24" in refused_block(ipaddress.ip_address("192.0.0.100"))


@pytest.mark.parametrize("address", ["::7f00:1", "::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1"])
def test_ipv4_in_ipv6_clothing_is_refused(address):
    assert refused_block(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450::1"])
def test_public_addresses_pass(address):
    AddressPolicy([], []).check("hooks.example.com", address)


def test_an_operator_may_allow_a_network_or_a_host_name():
    AddressPolicy([], ["10.1.0.0/16"]).check("internal", "10.1.2.3")
    AddressPolicy([], ["100.64.0.0/10"]).check("metadata.internal", "100.64.0.1")
    AddressPolicy(["hooks.internal"], []).check("hooks.internal", "10.9.9.9")
    with pytest.raises(BlockedAddress):
        AddressPolicy([], ["10.1.0.0/16"]).check("internal", "10.2.0.1")


async def test_the_resolver_refuses_a_name_that_rebinds_to_a_private_address():
    resolver = GuardedResolver(AddressPolicy([], []))

    class Rebinding:
        async def resolve(self, host, port, family):
            return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": family, "proto": 0, "flags": 0}]

        async def close(self):
            pass

    resolver._inner = Rebinding()
    with pytest.raises(BlockedAddress):
        await resolver.resolve("looks-public.example.com", 443)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://0/", "neither a name nor an IPv4 address"),
        ("http://127.1/", "neither a name nor an IPv4 address"),
        ("http://0x7f.1/hook", "neither a name nor an IPv4 address"),
        ("http://.example.com/", None),
        ("http://a..example.com/", None),
        (f"http://{'a' * 64}.example.com/", None),
        (f"http://{'.'.join(['a' * 60] * 17)}.com/", "longer than 253"),
        ("http://-bad-.example.com/", None),
        ("http://hooks.example.com:0/", None),
        ("ftp://hooks.example.com/", None),
        ("http://10.1.2.3/hook", "10.0.0.0/8"),
        ("http://192.0.0.100/hook", "192.0.0.0/24"),
        ("http://[fd00::1]/hook", "fc00::/7"),
        ("http://localhost.:8080/hook", "::1"),
        ("http://api.localhost/hook", "::1"),
    ],
)
async def test_a_webhook_url_delivery_could_not_use_is_422_naming_the_url(client, auth, url, says):
    response = await client.post(
        "/api/v1/webhooks", headers=auth.admin, json={"url": url, "event_types": ["idea.created"]}
    )
    problem = await response.json()
    assert response.status == 422, problem
    assert problem["errors"][0]["field"] == "body.url"
    assert says is None or says in problem["errors"][0]["message"], problem


async def test_changing_a_url_is_checked_as_creating_one(client, auth):
    created = await (
        await client.post(
            "/api/v1/webhooks",
            headers=auth.admin,
            json={"url": "https://hooks.example.com/in", "event_types": ["idea.created"]},
        )
    ).json()
    response = await client.patch(
        f"/api/v1/webhooks/{created['id']}", headers=auth.admin, json={"url": "http://169.254.169.254/latest"}
    )
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "body.url"


async def test_a_stored_webhook_to_a_shared_address_is_refused_at_delivery_and_nothing_is_read(client, auth, db):
    await _stored_webhook(db, "http://100.64.0.1:9/latest/meta-data")  # stored before URLs were checked
    await make_idea(client, auth())
    await relay_all(db)
    [claimed] = await delivery.claim(db, delivery_ids=None, limit=10, timeout_seconds=2)
    policy = AddressPolicy([], [])
    async with delivery.http_session(policy, 2) as session:
        outcome = await delivery.send(session, policy, SecretBox(ENCRYPTION_KEY), claimed, source="/idea-portal")
    assert outcome.status_code is None and "100.64.0.0/10" in outcome.error
    assert outcome.excerpt is None


async def _stored_webhook(db, url: str, *, secret: bytes | None = None) -> int:
    box = SecretBox(ENCRYPTION_KEY)
    return await db.fetchval(
        "INSERT INTO webhooks (url, event_types, secret_encrypted) VALUES ($1, '{*}', $2) RETURNING id",
        url,
        secret if secret is not None else box.encrypt("whsec_" + "A" * 32),
    )
