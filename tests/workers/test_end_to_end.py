"""End to end: the real API, real Redis, and real `portal worker` / `portal scheduler` processes."""

from __future__ import annotations

import pytest
from cloudevents.v1.http import from_http
from standardwebhooks.webhooks import Webhook

from tests.conftest import ENCRYPTION_KEY  # noqa: F401 - the subprocesses use the same key
from tests.factories import make_idea
from tests.pipeline import Receiver, eventually

pytestmark = pytest.mark.slow


async def _subscribe(client, auth, url: str, types: list[str]) -> dict:
    response = await client.post("/api/v1/webhooks", headers=auth.admin, json={"url": url, "event_types": types})
    assert response.status == 201, await response.text()
    return await response.json()


def _routed(client, auth, idea_id: int, expected: int):
    async def check():
        rows = await (await client.get(f"/api/v1/ideas/{idea_id}/routings", headers=auth())).json()
        return rows if len(rows) == expected else None

    return check


async def test_an_idea_reaches_exactly_its_teams_inboxes_within_seconds(client, auth, pipeline, service_map):
    idea = await make_idea(client, auth(team="marketing"), services=["laptop-setup"])

    async def in_inbox():
        items = await (await client.get("/api/v1/teams/it/inbox", headers=auth("lena@example.com"))).json()
        return items

    items = await eventually(in_inbox)
    assert items[0]["idea"]["id"] == idea["id"] and items[0]["role"] == "provider"
    routings = await eventually(_routed(client, auth, idea["id"], 3))
    assert {(r["team"], r["role"]) for r in routings} == {
        ("it", "provider"),
        ("marketing", "customer"),
        ("sales", "customer"),
    }
    hr_inbox = await (await client.get("/api/v1/teams/hr/inbox", headers=auth("hugo@example.com"))).json()
    assert hr_inbox == []


async def test_webhooks_carry_signed_cloudevents_once_per_delivery_id(client, auth, pipeline, service_map):
    async with Receiver() as receiver:
        hook = await _subscribe(client, auth, receiver.url, ["idea.created", "idea.routed", "routing.responded"])
        idea = await make_idea(client, auth(), services=["laptop-setup"])
        await eventually(_routed(client, auth, idea["id"], 3))
        await client.post(
            f"/api/v1/ideas/{idea['id']}/routings/it/response",
            headers=auth("lena@example.com"),
            json={"decision": "accepted", "message": "Doing it"},
        )
        await eventually(lambda: _count(receiver, 5))  # created + 3 routed + responded
    verifier = Webhook(hook["secret"])
    types = []
    for message in receiver.received:
        verifier.verify(message.body, message.headers)  # raises on a bad signature
        event = from_http(message.headers, message.body)
        types.append(event["type"])
    assert sorted(types) == sorted(
        ["ideaportal.idea.created", "ideaportal.routing.responded"] + ["ideaportal.idea.routed"] * 3
    )
    ids = [m.headers["webhook-id"] for m in receiver.received]
    assert len(ids) == len(set(ids))


async def _count(receiver, n):
    return len(receiver.received) >= n


async def test_a_receiver_failing_once_gets_the_event_on_retry_with_the_same_webhook_id(client, auth, pipeline):
    async with Receiver(statuses=[500]) as receiver:
        hook = await _subscribe(client, auth, receiver.url, ["idea.created"])
        await make_idea(client, auth())
        await eventually(lambda: _count(receiver, 2))
    first, second = receiver.received[:2]
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    deliveries = await (await client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth.admin)).json()
    assert deliveries[0]["state"] == "succeeded"
    assert [a["status_code"] for a in deliveries[0]["attempt_log"]] == [500, 200]


async def test_a_webhook_to_a_loopback_address_is_refused_without_an_allow_rule(
    client, auth, database_url, redis_url, tmp_path
):
    from tests.pipeline import Pipeline, pipeline_env

    strict = Pipeline(pipeline_env(database_url, redis_url, PORTAL_WEBHOOK_ALLOW_NETWORKS="[]"), tmp_path)
    strict.start("worker")
    strict.start("scheduler")
    try:
        async with Receiver() as receiver:
            hook = await _subscribe(client, auth, receiver.url, ["idea.created"])
            await make_idea(client, auth())

            async def attempted():
                rows = await (await client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth.admin)).json()
                return rows and rows[0]["attempt_log"] and rows[0]

            delivery = await eventually(attempted)
        assert receiver.received == []
        assert "refused" in delivery["attempt_log"][0]["error"]
        assert delivery["attempt_log"][0]["status_code"] is None
    finally:
        strict.stop()
    assert "webhook refused" in strict.log_text("worker")


async def test_results_are_compiled_within_seconds_of_votes(client, auth, pipeline, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    await eventually(_routed(client, auth, idea["id"], 3))
    for email, team in [("m@example.com", "marketing"), ("i@example.com", "it"), ("x@example.com", None)]:
        await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth(email, team=team))

    async def compiled():
        body = await (await client.get(f"/api/v1/ideas/{idea['id']}/results", headers=auth())).json()
        return body if body["vote_count"] == 3 else None

    body = await eventually(compiled)
    assert body["by_role"] == {"provider": 1, "customer": 1, "other": 1}
