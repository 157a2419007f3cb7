"""Test data made through the public API, as a client would make it."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from tests.conftest import Auth


async def make_team(
    client, auth: Auth, slug: str, *, name: str | None = None, sla: int = 72, leads: tuple[str, ...] = ()
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/teams",
        headers=auth.admin,
        json={"slug": slug, "name": name or slug.title(), "response_sla_hours": sla},
    )
    assert response.status == 201, await response.text()
    team = await response.json()
    for email in leads:
        await make_employee(client, auth, email)
        response = await client.put(f"/api/v1/teams/{slug}/leads/{email}", headers=auth.admin)
        assert response.status == 200, await response.text()
        team = await response.json()
    return team


async def make_employee(client, auth: Auth, email: str, *, team: str | None = None) -> None:
    """An employee the portal knows before they sign in (as an admin pre-provisions one); one who
    exists already is left as they are."""
    body = {"email": email, "name": email.split("@")[0].title(), **({"team": team} if team else {})}
    response = await client.post("/api/v1/employees", headers=auth.admin, json=body)
    assert response.status in (201, 409), await response.text()


async def make_service(client, auth: Auth, slug: str, provider: str, customers: list[str]) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/services",
        headers=auth.admin,
        json={
            "slug": slug,
            "name": slug.replace("-", " ").title(),
            "provider_team": provider,
            "customer_teams": customers,
        },
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def make_idea(
    client, headers: dict[str, str], title: str = "Faster laptop set-up", **fields: Any
) -> dict[str, Any]:
    response = await client.post("/api/v1/ideas", headers=headers, json={"title": title, **fields})
    assert response.status == 201, await response.text()
    return await response.json()


async def make_service_map(client, auth: Auth) -> None:
    """IT (lead: lena) serves Marketing and Sales with laptop set-up; HR (lead: hugo) exists too."""
    await make_team(client, auth, "it", leads=("lena@example.com",))
    await make_team(client, auth, "marketing", leads=("mark@example.com",))
    await make_team(client, auth, "sales")
    await make_team(client, auth, "hr", leads=("hugo@example.com",))
    await make_service(client, auth, "laptop-setup", "it", ["marketing", "sales"])


async def relay_all(db) -> None:
    """Runs the outbox relay as the scheduler does, batch by batch in transactions, until every
    event is handled: ideas are routed, tallies queued, and the maintained vote counts and
    trending scores that `top`, `trending` and the inbox rank by have caught up."""
    from portal.events.feed import sequence
    from workers.relay import relay_batch

    while True:
        await sequence(db)
        async with db.transaction():
            relayed = await relay_batch(db)
        if relayed.busy:  # a scheduler of the test is relaying: wait for its turn to end
            await asyncio.sleep(0.01)
        elif not relayed.events:
            return


async def sign_in(client, email: str) -> str:
    """Signs a browser in through the development page; returns its pages' CSRF token."""
    response = await client.post("/dev/sign-in", data={"email": email, "next": "/"}, allow_redirects=False)
    assert response.status == 303, await response.text()
    page = await (await client.get("/settings")).text()
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
