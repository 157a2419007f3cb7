"""People first: a provisioning request (SCIM) waits, a little, while people's requests are being
served in this process, so that a directory sync of 100,000 users leaves people's latency close
to what it is on an idle portal (bench/directory.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

# The longest a provisioning request defers to people before it goes ahead anyway (no starvation).
MAX_DEFERRAL = 0.05


class PeopleFirst:
    def __init__(self) -> None:
        self.in_flight = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @contextlib.contextmanager
    def serving_someone(self) -> Iterator[None]:
        self.in_flight += 1
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
