"""Schemathesis, a fuzzer that knows the API only from its OpenAPI document, drives a real
`portal serve`: no 5xx, and every answer (status, content type, headers, body) is what the
document says; anything the document forbids is refused.

Not checked here: that everything the document allows is accepted. A few refusals depend on
the data (a team slug that names no team, an Idempotency-Key reused with another body) or on
two fields together (a service's provider among its own customers), which JSON Schema cannot
say; docs/architecture.md lists them.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import urllib.request

import pytest

from portal.auth.tokens import mint_dev_token
from portal.config import PROJECT_ROOT, Settings
from portal.seed import seed
from tests.conftest import JWT_SECRET
from tests.pipeline import eventually, free_port, pipeline_env

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "missing_required_header",
        "unsupported_method",
    ]
)


def _up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
            return True
    except OSError:
        return False


# About 70 s alone for some 120 operations; several times that beside the rest of the suite on a
# busy two-core machine, so the budgets are generous (a slow run is not a failure; a 5xx is).
@pytest.mark.timeout(1500)
async def test_a_fuzzer_reading_only_the_document_finds_no_5xx_and_no_undocumented_answer(
    database_url, redis_url, db, tmp_path
):
    await seed(db)
    port = free_port()
    env = pipeline_env(database_url, redis_url, PORTAL_PORT=str(port), PORTAL_WRITE_RATE_LIMIT="1000000")
    server = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=(tmp_path / "serve.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        await eventually(lambda: asyncio.to_thread(_up, port))
        settings = Settings(jwt_secret=JWT_SECRET, _env_file=None)
        token = mint_dev_token(settings, email="admin@example.com", name="Admin", admin=True)
        command = [
            shutil.which("st") or str(PROJECT_ROOT / ".venv" / "bin" / "st"),
            "run",
            f"http://127.0.0.1:{port}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "5",
            "--seed",
            "20261129",
            "--generation-deterministic",
            "--request-timeout",
            "30",
        ]
        result = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, timeout=1400, cwd=tmp_path
        )
    finally:
        server.terminate()
        server.wait(15)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
