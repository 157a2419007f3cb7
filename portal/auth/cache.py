"""A short-lived, per-process memory of employees already resolved from their claims.

Saves a database round trip on most requests. An entry holds only what the claims themselves
decide (id, email, name, team, admin), is used only for the very claims it was made from, and
for at most `ttl` seconds. Lead assignments are not cached: actions that depend on them read
them in their own transaction.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from portal.auth.caller import Employee

MAX_ENTRIES = 50_000


class EmployeeCache:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: OrderedDict[tuple, tuple[float, Employee]] = OrderedDict()

    def get(self, key: tuple) -> Employee | None:
        if self.ttl <= 0:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, employee = entry
        if time.monotonic() - stored_at > self.ttl:
            del self._entries[key]
            return None
        return employee

    def put(self, key: tuple, employee: Employee) -> None:
        if self.ttl <= 0:
            return
        self._entries[key] = (time.monotonic(), employee)
        self._entries.move_to_end(key)
        if len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
