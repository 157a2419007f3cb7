"""Webhook subscriptions, signing, the address guard, retries and disabling (no broker needed)."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from portal.events import outbox
from portal.webhooks import delivery
from portal.webhooks.delivery import retry_delay
from portal.webhooks.signing import SecretBox, new_secret, sign
from tests.conftest import ENCRYPTION_KEY
from tests.factories import make_idea, relay_all


async def _hook(client, headers, url="https://hooks.example.com/in", types=("idea.created",)):
    return await client.post("/api/v1/webhooks", headers=headers, json={"url": url, "event_types": list(types)})


async def test_admin_creates_a_webhook_and_sees_the_secret_once(client, auth, db):
    response = await _hook(client, auth.admin)
    created = await response.json()
    assert response.status == 201 and created["secret"].startswith("whsec_")
    listed = await (await client.get("/api/v1/webhooks", headers=auth.admin)).json()
    assert "secret" not in listed[0]
    stored = await db.fetchval("SELECT secret_encrypted FROM webhooks")
    assert created["secret"].encode() not in bytes(stored)
    assert SecretBox(ENCRYPTION_KEY).decrypt(stored) == created["secret"]


async def test_a_token_with_webhooks_manage_may_subscribe_but_an_employee_may_not(client, auth):
    token = await (
        await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bot", "scopes": ["webhooks:manage"]})
    ).json()
    assert (await _hook(client, {"Authorization": f"Bearer {token['token']}"})).status == 201
    assert (await _hook(client, auth("someone@example.com"))).status == 403


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.com/x", "event_types": ["idea.created"]},
        {"url": "https://example.com/x", "event_types": ["not a type"]},
        {"url": "https://example.com/x", "event_types": ["idea.creatd"]},
        {"url": "https://example.com/x", "event_types": []},
    ],
)
async def test_bad_subscriptions_are_422(client, auth, body):
    assert (await client.post("/api/v1/webhooks", headers=auth.admin, json=body)).status == 422


async def test_event_types_are_answered_in_full_whichever_spelling_subscribed(client, auth):
    response = await _hook(client, auth.admin, types=("vote.cast", "ideaportal.idea.created", "idea.created"))
    assert (await response.json())["event_types"] == ["ideaportal.idea.created", "ideaportal.vote.cast"]
    listed = await (await client.get("/api/v1/webhooks", headers=auth.admin)).json()
    assert listed[0]["event_types"] == ["ideaportal.idea.created", "ideaportal.vote.cast"]


async def test_a_misspelt_event_type_is_named_in_the_error(client, auth):
    response = await _hook(client, auth.admin, types=("idea.created", "idea.creatd"))
    problem = await response.json()
    assert response.status == 422 and problem["errors"][0]["field"] == "body.event_types.1"


async def test_every_event_type_is_listed_in_full(client, auth):
    listed = await (await client.get("/api/v1/events/types", headers=auth.admin)).json()
    assert {"type": "ideaportal.vote.cast", "description": "An employee voted for an idea."} in listed
    assert all(item["type"].startswith("ideaportal.") for item in listed)


async def test_recording_an_event_of_an_unlisted_type_is_refused(db):
    with pytest.raises(ValueError, match="EVENT_TYPES"):
        await outbox.record(db, "idea.exploded", "ideas/1", {})


async def test_signatures_verify_with_the_standardwebhooks_package():
    secret, body, now = new_secret(), b'{"hello":"world"}', int(time.time())
    signature = sign(secret, "msg_1", now, body)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": signature}
    Webhook(secret).verify(body, headers)
    tampered = {**headers, "webhook-signature": sign(new_secret(), "msg_1", now, body)}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, tampered)


async def test_events_create_one_delivery_per_subscribed_webhook(client, auth, db):
    await _hook(client, auth.admin, types=["idea.created"])
    await _hook(client, auth.admin, url="https://other.example.com/", types=["*"])
    await make_idea(client, auth())
    await relay_all(db)
    await relay_all(db)
    rows = await db.fetch("SELECT webhook_id, e.type FROM webhook_deliveries d JOIN events e ON e.id = d.event_id")
    created = [r for r in rows if r["type"] == "idea.created"]
    assert len(created) == 2


async def test_a_failed_attempt_is_retried_later_then_failed_after_the_schedule(client, auth, db):
    await _hook(client, auth.admin)
    await make_idea(client, auth())
    await relay_all(db)
    schedule = [1]
    [claimed] = await delivery.claim(db, delivery_ids=None, limit=10, timeout_seconds=10)
    await delivery.record(db, claimed, delivery.Outcome(500, None, 3, "boom"), schedule)
    state = await db.fetchrow("SELECT state, attempts, next_attempt_at > now() AS later FROM webhook_deliveries")
    assert (state["state"], state["attempts"], state["later"]) == ("pending", 1, True)
    await db.execute("UPDATE webhook_deliveries SET next_attempt_at = now()")
    [claimed] = await delivery.claim(db, delivery_ids=None, limit=10, timeout_seconds=10)
    await delivery.record(db, claimed, delivery.Outcome(None, "timeout", 10, None), schedule)
    assert await db.fetchval("SELECT state FROM webhook_deliveries") == "failed"


async def test_a_leased_delivery_is_not_claimed_twice(client, auth, db):
    await _hook(client, auth.admin)
    await make_idea(client, auth())
    await relay_all(db)
    assert len(await delivery.claim(db, delivery_ids=None, limit=10, timeout_seconds=10)) == 1
    assert await delivery.claim(db, delivery_ids=None, limit=10, timeout_seconds=10) == []


async def test_a_webhook_failing_for_days_is_disabled_with_an_event(client, auth, db):
    hook = await (await _hook(client, auth.admin)).json()
    await db.execute("UPDATE webhooks SET failing_since = now() - interval '4 days'")
    assert await delivery.disable_failing(db, after_hours=72) == 1
    body = await (await client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin)).json()
    assert body["enabled"] is False and body["disabled_reason"]
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'webhook.disabled'") == 1


async def test_manual_redeliver_puts_a_delivery_back_in_line(client, auth, db):
    hook = await (await _hook(client, auth.admin)).json()
    await make_idea(client, auth())
    await relay_all(db)
    [claimed] = await delivery.claim(db, delivery_ids=None, limit=10, timeout_seconds=10)
    await delivery.record(db, claimed, delivery.Outcome(200, None, 5, "ok"), [1])
    deliveries = await (await client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth.admin)).json()
    assert deliveries[0]["state"] == "succeeded"
    response = await client.post(
        f"/api/v1/webhooks/{hook['id']}/deliveries/{deliveries[0]['id']}/redeliver", headers=auth.admin
    )
    assert response.status == 202
    assert await delivery.due(db) == [deliveries[0]["id"]]


async def test_two_schedulers_claim_each_period_once(settings):
    from workers.scheduler import Scheduler

    first, second = Scheduler(settings), Scheduler(settings)
    claims = [await first.claim_slot("results", 60), await second.claim_slot("results", 60)]
    await first.redis.aclose()
    await second.redis.aclose()
    assert sorted(claims) == [False, True]


async def _webhook(client, auth) -> dict:
    response = await client.post(
        "/api/v1/webhooks", headers=auth.admin, json={"url": "https://hooks.example.com/in", "event_types": ["*"]}
    )
    return await response.json()


async def test_disabling_and_re_enabling_a_webhook_clears_its_failure_state(client, auth, db):
    hook = await _webhook(client, auth)
    await db.execute("UPDATE webhooks SET failing_since = now(), enabled = false, disabled_reason = 'x'")
    response = await client.patch(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin, json={"enabled": True})
    body = await response.json()
    assert response.status == 200 and body["enabled"] is True
    assert body["disabled_reason"] is None and body["failing_since"] is None


async def test_a_webhook_patch_with_nothing_to_change_is_422(client, auth):
    hook = await _webhook(client, auth)
    assert (await client.patch(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin, json={})).status == 422


async def test_a_deleted_webhook_is_gone(client, auth):
    hook = await _webhook(client, auth)
    assert (await client.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin)).status == 204
    assert (await client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin)).status == 404
    assert (await client.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin)).status == 404


async def test_an_employee_may_not_change_a_webhook(client, auth):
    hook = await _webhook(client, auth)
    response = await client.patch(f"/api/v1/webhooks/{hook['id']}", headers=auth(), json={"enabled": False})
    assert response.status == 403


def test_a_signature_depends_on_the_id_the_time_and_every_byte():
    secret = new_secret()
    signature = sign(secret, "msg_1", 1000, b"{}")
    assert signature.startswith("v1,")
    assert signature == sign(secret, "msg_1", 1000, b"{}")
    assert (
        len(
            {
                signature,
                sign(secret, "msg_2", 1000, b"{}"),
                sign(secret, "msg_1", 1001, b"{}"),
                sign(secret, "msg_1", 1000, b"{ }"),
                sign(new_secret(), "msg_1", 1000, b"{}"),
            }
        )
        == 5
    )


def test_a_secret_sealed_with_one_key_cannot_be_opened_with_another():
    sealed = SecretBox("one key that is long enough for tests").encrypt("whsec_abc")
    assert SecretBox("one key that is long enough for tests").decrypt(sealed) == "whsec_abc"
    with pytest.raises(ValueError):
        SecretBox("another key, also long enough here").decrypt(sealed)


def test_retries_follow_the_schedule_with_jitter_then_stop():
    schedule = [5, 300]
    assert 4.5 <= retry_delay(1, schedule) <= 5.5
    assert 270 <= retry_delay(2, schedule) <= 330
    assert retry_delay(3, schedule) is None
