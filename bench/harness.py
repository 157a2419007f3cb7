"""Shared benchmark plumbing: servers, a fresh database, subprocesses and a closed-loop load driver."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import asyncpg

from portal.config import PROJECT_ROOT
from portal.migrate import migrate_url
from tests.servers import TestServers, with_database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def fresh_database(servers: TestServers) -> str:
    name = f"portal_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(servers.admin_database_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = with_database(servers.admin_database_url, name)
    await migrate_url(url, PROJECT_ROOT / "sql")
    return url


async def drop_database(servers: TestServers, url: str) -> None:
    conn = await asyncpg.connect(servers.admin_database_url)
    await conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')
    await conn.close()


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, env={**os.environ, **env}, cwd=PROJECT_ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def start_process(args: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """Spawns a server and waits until its /healthz answers."""
    process = spawn(args, env, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{args} exited; see {log}") from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{args} did not start; see {log}")


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def line(self, baseline: Result | None = None) -> str:
        ratio = f"{self.rps / baseline.rps:6.0%}" if baseline else "     -"
        return (
            f"{self.name:<34} {self.rps:9.0f} req/s  p50 {self.pct(0.50):6.1f} ms  "
            f"p99 {self.pct(0.99):6.1f} ms  errors {self.errors:<4} ratio {ratio}"
        )


async def drive(name: str, requests: list[tuple[str, str, dict[str, str]]], concurrency: int) -> Result:
    """Closed loop: `concurrency` connections, each sending the next request when the last answers."""
    latencies: list[float] = []
    errors = 0
    queue = iter(requests)
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal errors
            for method, url, headers in queue:
                started = time.perf_counter()
                async with session.request(method, url, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result(name, len(requests), elapsed, latencies, errors)


def temp_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="portal-bench-"))
