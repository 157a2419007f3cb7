"""The address the audit trail records: the peer's, or behind a trusted proxy the client's that
the proxy names in X-Forwarded-For; a client cannot choose it."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from portal.config import Settings
from portal.web.middlewares import client_address

PROXIES = [ip_network("10.0.0.0/8")]


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not a proxy: the header is the client's own say
        ("10.0.0.2", "203.0.113.9", "203.0.113.9"),
        ("10.0.0.2", "203.0.113.9, 10.1.2.3", "203.0.113.9"),  # two proxies
        ("10.0.0.2", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client wrote itself is left of it
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "unknown", "10.0.0.2"),  # not an address: the proxy is the last one known
    ],
)
def test_the_client_is_the_last_address_no_trusted_proxy_added(peer, header, client):
    assert client_address(peer, header, PROXIES) == client


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"trusted_proxies": [ip_network("127.0.0.0/8")]})


async def test_behind_a_trusted_proxy_the_trail_records_the_client(client, auth, db):
    headers = {**auth.admin, "X-Forwarded-For": "203.0.113.9"}
    body = {"slug": "legal", "name": "Legal", "response_sla_hours": 24}
    assert (await client.post("/api/v1/teams", headers=headers, json=body)).status == 201
    assert await db.fetchval("SELECT host(address) FROM audit_trail WHERE action = 'team.created'") == "203.0.113.9"
