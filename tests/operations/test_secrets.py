"""No default or weak secrets outside development."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    "variable, value",
    [
        ("PORTAL_JWT_SECRET", "change-me-in-production"),
        ("PORTAL_ENCRYPTION_KEY", "change-me-in-production"),
        ("PORTAL_JWT_SECRET", "short-secret"),
        ("PORTAL_ENCRYPTION_KEY", "a" * 40),
    ],
)
def test_processes_refuse_a_known_or_weak_secret_outside_development(variable, value, run_portal):
    for command in ("serve", "worker", "scheduler"):
        result = run_portal(
            command,
            env={variable: value, "DATABASE_URL": "postgresql://x@127.0.0.1:1/x", "REDIS_URL": "redis://127.0.0.1:1/0"},
        )
        assert result.returncode == 2 and variable in result.stderr and result.stderr.count("\n") == 1


def test_development_may_use_a_weak_secret(run_portal):
    result = run_portal(
        "token",
        "--email",
        "t@example.com",
        "--name",
        "T",
        env={"PORTAL_ENVIRONMENT": "development", "PORTAL_JWT_SECRET": "dev"},
    )
    assert result.returncode == 0


def test_compose_has_no_default_secrets_and_passes_issuer_and_audience():
    import yaml

    from portal.config import PROJECT_ROOT

    environment = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())["x-portal"]["environment"]
    assert "change-me" not in json.dumps(environment)
    assert environment["PORTAL_ENCRYPTION_KEY"].startswith("${PORTAL_ENCRYPTION_KEY:?")
    assert {"PORTAL_JWT_ISSUER", "PORTAL_JWT_AUDIENCE"} <= set(environment)
