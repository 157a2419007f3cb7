"""docker-compose.yml and the Dockerfile: no Docker engine here, so check what can be checked."""

from __future__ import annotations

import re

import yaml

from portal.cli import build_parser
from portal.config import PROJECT_ROOT

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_names_every_service_the_operations_guide_mentions():
    readme = (PROJECT_ROOT / "docs" / "operations.md").read_text()
    assert set(SERVICES) == {"postgres", "redis", "migrate", "api", "worker", "scheduler", "prometheus", "grafana"}
    for name in SERVICES:
        assert f"`{name}`" in readme


def test_compose_pins_postgres_16_and_redis_7_with_named_volumes_and_health_checks():
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"
    for name in ("postgres", "redis"):
        assert "healthcheck" in SERVICES[name]
        volume = SERVICES[name]["volumes"][0].split(":")[0]
        assert volume in COMPOSE["volumes"]


def test_api_and_worker_start_after_a_successful_migration():
    for name in ("api", "worker", "scheduler"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "healthcheck" in SERVICES[name]


def test_compose_commands_are_real_portal_subcommands():
    known = set(build_parser()._subparsers._group_actions[0].choices)
    for name in ("migrate", "api", "worker", "scheduler"):
        command = SERVICES[name]["command"]
        assert command[0] == "portal" and command[1] in known


def test_dockerfile_copies_paths_that_exist():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (\S+)", dockerfile, re.MULTILINE):
        assert (PROJECT_ROOT / source).exists(), source


def test_each_role_s_health_check_is_its_own_portal_health():
    for name, role in (("api", "api"), ("worker", "worker"), ("scheduler", "scheduler")):
        assert SERVICES[name]["healthcheck"]["test"] == ["CMD", "portal", "health", role]
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert (
        'HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["portal", "health"]' in dockerfile
    )
    assert "apt-get" not in dockerfile  # nothing unpinned from apt (hadolint DL3008)


def test_the_monitoring_profile_mounts_files_that_exist():
    for name in ("prometheus", "grafana"):
        assert SERVICES[name]["profiles"] == ["monitoring"]
        for volume in SERVICES[name]["volumes"]:
            assert (PROJECT_ROOT / volume.split(":")[0]).exists(), volume


def test_compose_postgres_runs_with_the_oltp_settings_portal_dev_applies():
    from portal.embedded import OLTP_SETTINGS

    command = SERVICES["postgres"]["command"]
    assert {f"{name}={value}" for name, value in OLTP_SETTINGS.items()} <= set(command)


def test_every_setting_is_documented():
    from portal.config import Settings

    documented = (PROJECT_ROOT / "docs" / "configuration.md").read_text()
    names = [
        name.upper() if name in ("database_url", "redis_url") else f"PORTAL_{name.upper()}"
        for name in Settings.model_fields
    ]
    assert [name for name in names if f"`{name}`" not in documented] == []
