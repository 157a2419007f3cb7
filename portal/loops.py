"""Background loops that must outlive a lost connection, a database restart or a Redis outage."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

RETRY_PAUSE_SECONDS = 1.0


async def forever(name: str, step: Callable[[], Awaitable[object]], interval: float, log: logging.Logger) -> None:
    """Runs `step` every `interval` seconds until cancelled. A failure is logged once, retried
    after a pause until a step succeeds again, and the recovery is logged."""
    failing = False
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever failed, the loop must go on
            if not failing:
                log.warning(f"{name} failed; retrying", extra={"fields": {"error": f"{type(exc).__name__}: {exc}"}})
            failing = True
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            continue
        if failing:
            log.info(f"{name} recovered")
            failing = False
        await asyncio.sleep(interval)
