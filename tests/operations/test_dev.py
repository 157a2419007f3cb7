"""`portal dev`, the newcomer's command, as a real subprocess with embedded servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from portal.config import PROJECT_ROOT
from tests.pipeline import free_port


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def _start(data_dir, port) -> subprocess.Popen:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    return subprocess.Popen(
        [sys.executable, "-m", "portal", "dev", "--data-dir", str(data_dir), "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )


def _wait_for_tokens(
    process: subprocess.Popen, timeout: float, printed: list[str] | None = None
) -> tuple[float, dict[str, str]]:
    started, tokens = time.monotonic(), {}
    while time.monotonic() - started < timeout:
        line = process.stdout.readline()
        if not line:
            break
        if printed is not None:
            printed.append(line)
        if "Authorization: Bearer" in line:
            role, _, token = line.split()[0], None, line.split()[-1]
            tokens[role] = token
        if "Press Ctrl-C" in line:
            return time.monotonic() - started, tokens
    raise AssertionError(f"portal dev was not ready within {timeout} s")


def _stop(process: subprocess.Popen) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    return time.monotonic() - started


def _processes_using(path) -> list[str]:
    result = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True)
    return [line for line in result.stdout.splitlines() if str(path) in line]


@pytest.mark.slow
def test_dev_starts_serves_stops_cleanly_and_keeps_data(tmp_path):
    data_dir, port = tmp_path / "data", free_port()
    process = _start(data_dir, port)
    try:
        printed: list[str] = []
        first_start, tokens = _wait_for_tokens(process, timeout=90, printed=printed)
        assert _get(f"http://127.0.0.1:{port}/readyz")[0] == 200
        assert any(f"http://127.0.0.1:{port}/sign-in" in line for line in printed)  # the web client's way in
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in") as page:
            assert "ken.lead@example.com" in page.read().decode()  # the development sign-in lists the demo lead
        status, me = _get(f"http://127.0.0.1:{port}/api/v1/me", {"Authorization": f"Bearer {tokens['employee']}"})
        assert status == 200 and me["team"] == "marketing"
        _, ideas = _get(
            f"http://127.0.0.1:{port}/api/v1/ideas?limit=100", {"Authorization": f"Bearer {tokens['admin']}"}
        )
        seeded = len(ideas["items"])
        assert seeded >= 4
        # The demo ideas reach the leads' inboxes; the local mail sink keeps the emails telling them.
        assert any(f"http://127.0.0.1:{port}/dev/mail" in line for line in printed)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list((data_dir / "mail" / "new").glob("*")):
            time.sleep(0.2)
        assert list((data_dir / "mail" / "new").glob("*"))
    finally:
        stop_seconds = _stop(process)
    assert stop_seconds < 15
    assert _processes_using(data_dir) == []

    process = _start(data_dir, port)
    try:
        second_start, tokens = _wait_for_tokens(process, timeout=30)
        _, ideas = _get(
            f"http://127.0.0.1:{port}/api/v1/ideas?limit=100", {"Authorization": f"Bearer {tokens['admin']}"}
        )
        assert len(ideas["items"]) == seeded  # kept, and not seeded twice
    finally:
        _stop(process)
    assert second_start < 15
    assert _processes_using(data_dir) == []
