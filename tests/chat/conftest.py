from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from portal.chat.delivery import Channels, slack_client
from portal.config import Settings
from portal.db import create_pool
from portal.webhooks.addresses import AddressPolicy
from portal.webhooks.delivery import http_session
from portal.webhooks.signing import SecretBox
from tests.conftest import ENCRYPTION_KEY
from tests.fake_slack import SIGNING_SECRET, TOKEN, FakeSlack

PUBLIC_URL = "http://portal.example.com"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.users.update({"ULENA": "lena@example.com", "UMARK": "mark@example.com", "UEMMA": "emma@example.com"})
        yield fake


@pytest.fixture
def settings(settings: Settings, slack: FakeSlack) -> Settings:
    """The portal's settings with its Slack app pointing at the fake Web API."""
    return settings.model_copy(
        update={
            "slack_bot_token": TOKEN,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": slack.api_url,
            "public_url": PUBLIC_URL,
        }
    )


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator:
    opened = await create_pool(database_url, min_size=1, max_size=8)
    yield opened
    await opened.close()


@pytest.fixture
async def channels(slack: FakeSlack) -> AsyncIterator[Channels]:
    """What the worker posts with: slack_sdk's client on the fake, Teams through the guard."""
    policy = AddressPolicy([], ["127.0.0.0/8"])
    async with http_session(policy, 2) as guarded, http_session(policy, 2) as plain:
        yield Channels(
            slack=slack_client(TOKEN, slack.api_url, plain, 2),
            http=guarded,
            policy=policy,
            box=SecretBox(ENCRYPTION_KEY),
            public_url=PUBLIC_URL,
            schedule=[1, 1, 1],
            timeout_seconds=2,
        )
