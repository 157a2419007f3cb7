"""People first: a provisioning request (SCIM) waits, a little, while people's requests are being
served in this process; and while people are using the portal, provisioning takes turns with
them (it rests as long as it worked), so that a directory sync of 100,000 users leaves people's
latency close to what it is on an idle portal (bench/directory.py). On a quiet portal, a sync
runs at full speed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator

# The longest a provisioning request defers to people before it goes ahead anyway (no starvation).
MAX_DEFERRAL = 0.05
# People count as using the portal for this long after their last request started.
ACTIVE_SECONDS = 1.0


class PeopleFirst:
    def __init__(self, rest_per_work: float = 0.0) -> None:
        # While people use the portal, provisioning rests this many times as long as each request took.
        self.rest_per_work = rest_per_work
        self.in_flight = 0
        self.last_person = float("-inf")
        self._quiet = asyncio.Event()
        self._quiet.set()

    @contextlib.contextmanager
    def serving_someone(self) -> Iterator[None]:
        self.in_flight += 1
        self.last_person = time.monotonic()
        self._quiet.clear()
        try:
            yield
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self._quiet.set()

    async def defer(self, limit: float = MAX_DEFERRAL) -> None:
        """Returns once no person's request is being served, or after `limit` seconds."""
        if self.in_flight:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), limit)

    @contextlib.asynccontextmanager
    async def taking_turns(self) -> AsyncIterator[None]:
        """Around a provisioning request (inside its slot): afterwards, while people are active,
        it rests as long as it worked before the next one may start."""
        started = time.monotonic()
        try:
            yield
        finally:
            finished = time.monotonic()
            if self.rest_per_work and finished - self.last_person < ACTIVE_SECONDS:
                await asyncio.sleep((finished - started) * self.rest_per_work)
