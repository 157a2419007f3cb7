"""Heartbeats: each worker and scheduler process rewrites a small file while it can work, and
`portal health worker|scheduler` (a container's health check) says whether they are fresh.

A file, not Redis: the check must speak for the processes in this container, and must not turn
a Redis outage, which the processes ride out, into a restart.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

INTERVAL_SECONDS = 5.0
MAX_AGE_SECONDS = 30.0


def _path(directory: Path, role: str, pid: int) -> Path:
    return directory / f"{role}-{pid}.json"


def beat(directory: Path, role: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    path = _path(directory, role, os.getpid())
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"pid": os.getpid(), "at": time.time()}))
    os.replace(partial, path)  # a reader never sees half a file


def stop(directory: Path, role: str) -> None:
    _path(directory, role, os.getpid()).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str


def check(directory: Path, role: str, max_age: float = MAX_AGE_SECONDS) -> Health:
    """Healthy when at least one live process of the role beats, and every live one beat within max_age."""
    now, ages = time.time(), {}
    for path in sorted(directory.glob(f"{role}-*.json")):
        try:
            beat_ = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if _alive(int(beat_["pid"])):
            ages[int(beat_["pid"])] = now - float(beat_["at"])
        else:
            path.unlink(missing_ok=True)  # left by a process that died
    if not ages:
        return Health(False, f"no {role} process has a heartbeat in {directory}")
    stale = {pid: age for pid, age in ages.items() if age > max_age}
    if stale:
        pid, age = max(stale.items(), key=lambda item: item[1])
        return Health(False, f"{role} process {pid} last beat {age:.0f} s ago (limit {max_age:.0f} s)")
    return Health(True, f"{len(ages)} {role} process(es), last beats within {max(ages.values()):.0f} s")
