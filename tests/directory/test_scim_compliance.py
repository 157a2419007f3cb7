"""scim2-tester, a third-party checker of RFC 7643/7644, against the portal served on a real port:
every check it has passes (none skipped for a missing feature but bulk, which is not offered)."""

from __future__ import annotations

import asyncio

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def _check(base_url: str, token: str) -> list:
    with httpx2.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        return check_server(SyncSCIMClient(http), raise_exceptions=False)


@pytest.mark.slow
async def test_scim2_tester_passes_every_check(client, scim_token):
    base = str(client.make_url("/scim/v2"))
    results = await asyncio.to_thread(_check, base, scim_token)
    failed = [f"{r.title} [{r.resource_type}]: {r.reason}" for r in results if r.status != Status.SUCCESS]
    assert failed == [], "\n".join(failed)
    checked = {(r.title, r.resource_type) for r in results}
    for resource_type in ("User", "Group"):  # every kind of check ran on both resources, none was skipped
        for title in (
            "object_creation",
            "object_query",
            "object_query_without_id",
            "object_query_with_attributes",
            "search_with_attributes",
            "object_replacement",
            "object_deletion",
            "check_add_attribute",
            "check_remove_attribute",
            "check_replace_attribute",
        ):
            assert (title, resource_type) in checked, (title, resource_type)
