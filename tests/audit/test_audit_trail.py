"""Every administrative act is in the audit trail: who (an employee or a token), what, the target,
before and after, when and from which address; admins read it filtered, on a page and as CSV;
nobody changes or deletes an entry, but the retention job once it is old enough."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from portal import retention
from tests.conftest import Auth
from tests.factories import make_employee, make_idea, sign_in

pytestmark = pytest.mark.usefixtures("service_map")
ADMIN = "admin@example.com"
RULE = {"match_kind": "tag", "pattern": "printing", "team": "hr", "role": "customer"}
STANDARD = {
    "how_to_request": "Ask in #it-help",
    "first_response_hours": 4,
    "resolution_target_hours": 40,
    "hours_of_service": "Weekdays",
    "contact": "it-help@example.com",
}


async def call(client, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    response = await client.request(method, path, headers=headers, json=body)
    assert response.status < 300, await response.text()
    return await response.json() if response.status != 204 else None


async def latest(db, action: str) -> asyncpg.Record:
    entry = await db.fetchrow(
        "SELECT *, host(address) AS host FROM audit_trail WHERE action = $1 ORDER BY id DESC", action
    )
    assert entry is not None, f"no {action} entry"
    return entry


# Each act: what to do (through the API, as the admin), the action recorded, and what the entry
# must say before and after (None: nothing, "*": something).
Act = Callable[[Any, Auth], Awaitable[Any]]


async def create_team(client, auth):
    await call(
        client, "POST", "/api/v1/teams", auth.admin, {"slug": "legal", "name": "Legal", "response_sla_hours": 24}
    )


async def rename_team(client, auth):
    await call(client, "PATCH", "/api/v1/teams/hr", auth.admin, {"name": "People"})


async def add_employee(client, auth):
    await call(client, "POST", "/api/v1/employees", auth.admin, {"email": "new@example.com", "name": "New"})


async def add_lead(client, auth):
    await make_employee(client, auth, "sam@example.com")
    await call(client, "PUT", "/api/v1/teams/sales/leads/sam@example.com", auth.admin)


async def create_service(client, auth):
    body = {"slug": "payroll", "name": "Payroll", "provider_team": "hr", "customer_teams": ["it"]}
    await call(client, "POST", "/api/v1/services", auth.admin, body)


async def change_service(client, auth):
    await call(client, "PATCH", "/api/v1/services/laptop-setup", auth.admin, {"name": "Laptops"})


async def publish_standard(client, auth):
    await call(client, "PUT", "/api/v1/services/laptop-setup/standard", auth.admin, STANDARD)


async def create_rule(client, auth):
    await call(client, "POST", "/api/v1/routing-rules", auth.admin, RULE)


async def delete_rule(client, auth):
    rule = await call(client, "POST", "/api/v1/routing-rules", auth.admin, RULE)
    await call(client, "DELETE", f"/api/v1/routing-rules/{rule['id']}", auth.admin)


WEBHOOK = {"url": "http://127.0.0.1:9/hook", "event_types": ["idea.created"]}


async def create_webhook(client, auth):
    await call(client, "POST", "/api/v1/webhooks", auth.admin, WEBHOOK)


async def change_webhook(client, auth):
    hook = await call(client, "POST", "/api/v1/webhooks", auth.admin, WEBHOOK)
    await call(client, "PATCH", f"/api/v1/webhooks/{hook['id']}", auth.admin, {"enabled": False})


async def delete_webhook(client, auth):
    hook = await call(client, "POST", "/api/v1/webhooks", auth.admin, WEBHOOK)
    await call(client, "DELETE", f"/api/v1/webhooks/{hook['id']}", auth.admin)


async def create_token(client, auth):
    await call(client, "POST", "/api/v1/tokens", auth.admin, {"name": "BI", "scopes": ["ideas:read"]})


async def revoke_token(client, auth):
    token = await call(client, "POST", "/api/v1/tokens", auth.admin, {"name": "BI", "scopes": ["ideas:read"]})
    await call(client, "DELETE", f"/api/v1/tokens/{token['id']}", auth.admin)


async def open_campaign(client, auth):
    soon = date.today() + timedelta(days=3)
    body = {
        "slug": "laptops",
        "question": "How do we cut laptop set-up to one day?",
        "team": "it",
        "collect_until": f"{soon}T00:00:00+00:00",
        "vote_until": f"{soon + timedelta(days=1)}T00:00:00+00:00",
        "decide_until": f"{soon + timedelta(days=2)}T00:00:00+00:00",
    }
    await call(client, "POST", "/api/v1/campaigns", auth.admin, body)


async def merge_ideas(client, auth):
    first = await make_idea(client, auth("emma@example.com"), "Faster laptops")
    second = await make_idea(client, auth("emma@example.com"), "Quicker laptops")
    body = {"status": "duplicate", "reason": "Same request", "duplicate_of": first["id"]}
    await call(client, "POST", f"/api/v1/ideas/{second['id']}/status", auth.admin, body)


ACTS: list[tuple[Act, str, str | None, str | None]] = [
    (create_team, "team.created", None, "*"),
    (rename_team, "team.updated", "*", "*"),
    (add_employee, "employee.created", None, "*"),
    (add_lead, "team.lead_added", None, "*"),
    (create_service, "service.created", None, "*"),
    (change_service, "service.updated", "*", "*"),
    (publish_standard, "service.standard_published", None, "*"),
    (create_rule, "routing_rule.created", None, "*"),
    (delete_rule, "routing_rule.deleted", "*", None),
    (create_webhook, "webhook.created", None, "*"),
    (change_webhook, "webhook.updated", "*", "*"),
    (delete_webhook, "webhook.deleted", "*", None),
    (create_token, "token.created", None, "*"),
    (revoke_token, "token.revoked", "*", None),
    (open_campaign, "campaign.created", None, "*"),
    (merge_ideas, "idea.merged", None, "*"),
]


@pytest.mark.parametrize(("act", "action", "before", "after"), ACTS, ids=[a[1] for a in ACTS])
async def test_each_administrative_act_is_recorded_with_who_what_and_from_where(
    client, auth, db, act, action, before, after
):
    await act(client, auth)
    entry = await latest(db, action)
    assert entry["actor_name"] == ADMIN and entry["actor"].startswith("employee:")
    assert entry["host"] == "127.0.0.1"
    assert (entry["before"] is not None) == (before is not None)
    assert (entry["after"] is not None) == (after is not None)


async def test_a_changed_record_shows_what_it_was_and_what_it_became(client, auth, db):
    await rename_team(client, auth)
    entry = await latest(db, "team.updated")
    assert entry["subject"] == "teams/hr"
    assert entry["before"]["name"] == "Hr" and entry["after"]["name"] == "People"


async def test_no_secret_is_written_to_the_trail(client, auth, db):
    hook = await call(client, "POST", "/api/v1/webhooks", auth.admin, WEBHOOK)
    token = await call(client, "POST", "/api/v1/tokens", auth.admin, {"name": "BI", "scopes": ["ideas:read"]})
    trail = await db.fetchval(
        "SELECT string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ' ') FROM audit_trail"
    )
    assert hook["secret"] not in trail and token["token"] not in trail
    assert "secret" not in (await latest(db, "webhook.created"))["after"]


async def test_an_act_on_a_page_is_recorded_too(client, auth, db):
    await client.get("/api/v1/me", headers=auth.admin)
    token = await sign_in(client, ADMIN)
    response = await client.post(
        "/admin/teams",
        data={"csrf_token": token, "slug": "legal", "name": "Legal", "response_sla_hours": "24"},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    entry = await latest(db, "team.created")
    assert entry["actor_name"] == ADMIN and entry["host"] == "127.0.0.1"


async def test_an_api_tokens_act_names_the_token(client, auth, db):
    token = await call(client, "POST", "/api/v1/tokens", auth.admin, {"name": "Provisioner", "scopes": ["scim"]})
    scim = {"Authorization": f"Bearer {token['token']}", "Content-Type": "application/scim+json"}
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ken@example.com"}
    response = await client.post("/scim/v2/Users", headers=scim, json=body)
    assert response.status == 201, await response.text()
    entry = await db.fetchrow(
        "SELECT *, host(address) AS host FROM audit_trail WHERE source = 'scim' ORDER BY id LIMIT 1"
    )
    assert entry["actor"] == f"token:{token['id']}" and entry["actor_name"] == "Provisioner"
    assert entry["host"] == "127.0.0.1"


async def test_nobody_changes_or_deletes_an_entry(client, auth, db):
    await create_team(client, auth)
    for statement in (
        "UPDATE audit_trail SET actor_name = 'someone else'",
        "DELETE FROM audit_trail",
        "TRUNCATE audit_trail",
    ):
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await db.execute(statement)


async def test_entries_older_than_their_retention_are_purged_and_no_others(client, auth, db, settings):
    await create_team(client, auth)
    await db.execute(
        "INSERT INTO audit_trail (at, source, actor, actor_name, action, subject)"
        " VALUES (now() - make_interval(days => $1), 'portal', 'employee:1', $2, 'team.created', 'teams/old')",
        settings.retain_audit_days + 1,
        ADMIN,
    )
    purge = next(p for p in retention.PURGES if p.setting == "retain_audit_days")
    async with db.transaction():
        assert await retention.purge_batch(db, purge=purge, settings=settings) == 1
    subjects = await db.fetchval("SELECT array_agg(subject) FROM audit_trail WHERE action = 'team.created'")
    assert "teams/legal" in subjects and "teams/old" not in subjects
    with pytest.raises(asyncpg.RaiseError, match="append-only"):  # the permission ended with its transaction
        await db.execute("DELETE FROM audit_trail")


async def test_admins_filter_it_by_who_and_what_and_download_the_same_as_csv(client, auth, db, settings):
    await create_team(client, auth)
    await create_webhook(client, auth)
    await call(client, "PATCH", "/api/v1/teams/it", auth("lena@example.com"), {"response_sla_hours": 48})
    await client.get("/api/v1/me", headers=auth.admin)
    await sign_in(client, ADMIN)
    page = await (await client.get("/admin/audit?action=webhook.")).text()
    assert "webhook.created" in page and "team.created" not in page
    today = datetime.now(ZoneInfo(settings.default_time_zone)).date().isoformat()  # days are the reader's
    query = f"who={ADMIN}&since={today}&until={today}"
    rows = list(csv.DictReader(io.StringIO(await (await client.get(f"/admin/audit.csv?{query}")).text())))
    assert {row["action"] for row in rows} >= {"team.created", "webhook.created"}
    assert all(row["actor_name"] == ADMIN and row["address"] == "127.0.0.1" for row in rows)
    assert "team.updated" not in {row["action"] for row in rows}  # the lead's, not the admin's


async def test_someone_who_is_not_an_admin_cannot_read_it(client, auth):
    await client.get("/api/v1/me", headers=auth("lena@example.com"))
    await sign_in(client, "lena@example.com")
    assert (await client.get("/admin/audit")).status == 403
    assert (await client.get("/admin/audit.csv")).status == 403
