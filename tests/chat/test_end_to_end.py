"""The real worker and scheduler post a routed idea to the team's Slack channel and Teams channel,
and update the Slack message in place when a lead answers."""

from __future__ import annotations

import pytest

from tests.chat.conftest import PUBLIC_URL
from tests.factories import make_employee, make_idea
from tests.fake_slack import SIGNING_SECRET, TOKEN
from tests.pipeline import Pipeline, Receiver, eventually, pipeline_env

pytestmark = [pytest.mark.usefixtures("service_map"), pytest.mark.slow]
CHANNEL = "C0ITTEAM1"


async def test_a_routed_idea_reaches_the_connected_slack_and_teams_channels(
    client, auth, slack, database_url, redis_url, tmp_path
):
    env = pipeline_env(
        database_url,
        redis_url,
        PORTAL_HEARTBEAT_DIR=str(tmp_path / "beats"),
        PORTAL_SLACK_BOT_TOKEN=TOKEN,
        PORTAL_SLACK_SIGNING_SECRET=SIGNING_SECRET,
        PORTAL_SLACK_API_URL=slack.api_url,
        PORTAL_PUBLIC_URL=PUBLIC_URL,
    )
    pipeline = Pipeline(env, tmp_path)
    async with Receiver() as teams:
        lena = auth("lena@example.com", team="it")
        response = await client.put(
            "/api/v1/teams/it/chat", headers=lena, json={"slack_channel": CHANNEL, "teams_webhook_url": teams.url}
        )
        assert response.status == 200, await response.text()
        pipeline.start("worker")
        pipeline.start("scheduler")
        try:
            await make_employee(client, auth, "emma@example.com", team="marketing")
            idea = await make_idea(client, auth("emma@example.com", team="marketing"), services=["laptop-setup"])
            [posted] = await eventually(slack.waiting_for(CHANNEL))
            assert idea["title"] in posted.text

            async def carded():
                return teams.received

            [card] = await eventually(carded)
            assert idea["title"] in card.body.decode()

            response = await client.post(
                f"/api/v1/ideas/{idea['id']}/routings/it/response", headers=lena, json={"decision": "accepted"}
            )
            assert response.status == 200

            async def updated():
                return posted.updates

            await eventually(updated)
            assert "Accepted" in str(posted.blocks) and len(slack.in_channel(CHANNEL)) == 1
            assert len(teams.received) == 1
        finally:
            pipeline.stop()
