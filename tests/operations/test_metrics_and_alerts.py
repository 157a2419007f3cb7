"""What operators run against: every process's metrics, health checks, alert rules, the dashboard."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portal.cli import role_of
from portal.config import PROJECT_ROOT
from tests.factories import make_idea, make_service_map
from tests.pipeline import Pipeline, Receiver, eventually, free_port, pipeline_env
from workers import heartbeat

pytestmark = pytest.mark.slow
DEPLOY = PROJECT_ROOT / "deploy"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None and not os.environ.get("CI"), reason="promtool not installed (apt-get install prometheus)"
)


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=3) as response:
        return response.read().decode()


def _sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}(?:\{{(.*)\}})? (\S+)$", line)
        if match and all(f'{key}="{value}"' in (match.group(1) or "") for key, value in labels.items()):
            total += float(match.group(2))
    return total


def _promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    assert PROMTOOL, "promtool is required under CI"
    return subprocess.run([PROMTOOL, *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=DEPLOY)


@pytest.fixture
def observed(database_url, redis_url, tmp_path):
    """A worker with two processes and a scheduler, each serving metrics on a port of its own."""
    ports = {"worker": free_port(), "scheduler": free_port()}
    env = pipeline_env(
        database_url,
        redis_url,
        PORTAL_WORKER_METRICS_PORT=str(ports["worker"]),
        PORTAL_SCHEDULER_METRICS_PORT=str(ports["scheduler"]),
        PORTAL_WORKER_PROCESSES="2",
        PORTAL_BACKLOG_INTERVAL_SECONDS="0.5",
        PORTAL_HEARTBEAT_DIR=str(tmp_path / "beats"),
    )
    running = Pipeline(env, tmp_path)
    running.start("worker")
    running.start("scheduler")
    yield running, ports
    running.stop()


async def test_the_worker_and_scheduler_count_what_they_did(client, auth, observed):
    _, ports = observed
    await make_service_map(client, auth)
    async with Receiver(statuses=[500] * 10) as receiver:
        response = await client.post(
            "/api/v1/webhooks", headers=auth.admin, json={"url": receiver.url, "event_types": ["idea.created"]}
        )
        assert response.status == 201
        await make_idea(client, auth(), services=["laptop-setup"])
        worker = await eventually(
            lambda: _when(_scrape, ports["worker"], lambda t: _sample(t, "portal_webhook_attempts_total") >= 1)
        )
        scheduler = await eventually(
            lambda: _when(
                _scrape, ports["scheduler"], lambda t: _sample(t, "portal_webhook_deliveries_waiting", state="retrying")
            )
        )
    assert _sample(scheduler, "portal_routings_created_total") == 3
    assert _sample(worker, "portal_webhook_attempts_total", outcome="rejected") >= 1
    assert _sample(worker, "portal_webhook_attempts_total", outcome="delivered") == 0
    assert _sample(worker, "portal_worker_messages_total", actor="webhooks.deliver", outcome="ok") >= 1
    assert _sample(scheduler, "portal_relay_batch_events_count") >= 1
    assert _sample(scheduler, "portal_webhook_deliveries_waiting", state="retrying") == 1
    assert _sample(scheduler, "portal_scheduler_job_runs_total", job="results", outcome="sent") >= 1
    assert _sample(scheduler, "process_resident_memory_bytes") > 0


async def _when(scrape, port, condition):
    try:
        text = await asyncio.to_thread(scrape, port)
    except OSError:  # not listening yet
        return None
    return text if condition(text) else None


@needs_promtool
async def test_every_process_s_metrics_pass_promtool(client, auth, observed):
    _, ports = observed
    await make_idea(client, auth())
    api = await (await client.get("/metrics")).text()
    worker = await eventually(lambda: _when(_scrape, ports["worker"], lambda t: "portal_worker_messages_total" in t))
    scheduler = await asyncio.to_thread(_scrape, ports["scheduler"])
    for name, text in {"api": api, "worker": worker, "scheduler": scheduler}.items():
        checked = _promtool("check", "metrics", stdin=text)
        assert checked.returncode == 0, f"{name}: {checked.stdout}{checked.stderr}"


async def test_portal_health_says_whether_the_worker_beats(observed, tmp_path):
    running, _ = observed
    beats = tmp_path / "beats"
    await eventually(lambda: _health(beats, "worker", 0))
    await eventually(lambda: _health(beats, "scheduler", 0))

    async def both_workers() -> list[int] | None:
        """Each worker process beats (on a busy machine the second may start seconds after the first)."""
        found = [int(p.stem.split("-")[1]) for p in beats.glob("worker-*.json")]
        return found if len(found) == 2 else None

    children = await eventually(both_workers)
    os.kill(children[0], signal.SIGSTOP)  # a process that no longer works
    try:
        result = await eventually(lambda: _health(beats, "worker", 1, max_age="8"))
        assert f"worker process {children[0]} last beat" in result.stdout
    finally:
        os.kill(children[0], signal.SIGCONT)


async def _health(beats: Path, role: str, expected: int, max_age: str = "30") -> subprocess.CompletedProcess | None:
    env = {**os.environ, "PORTAL_HEARTBEAT_DIR": str(beats)}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "portal", "health", role, "--max-age", max_age],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result if result.returncode == expected else None


def test_a_heartbeat_left_by_a_dead_process_does_not_count(tmp_path):
    exited = subprocess.Popen(["true"])
    exited.wait()
    (tmp_path / f"worker-{exited.pid}.json").write_text(json.dumps({"pid": exited.pid, "at": time.time()}))
    health = heartbeat.check(tmp_path, "worker")
    assert not health.ok and "no worker process" in health.reason
    assert not list(tmp_path.glob("worker-*.json"))


def test_a_fresh_heartbeat_is_healthy_and_a_stale_one_is_not(tmp_path):
    heartbeat.beat(tmp_path, "scheduler")
    assert heartbeat.check(tmp_path, "scheduler").ok
    time.sleep(0.05)
    stale = heartbeat.check(tmp_path, "scheduler", max_age=0.01)
    assert not stale.ok and f"scheduler process {os.getpid()}" in stale.reason


async def test_portal_health_api_asks_readyz(client, run_portal):
    env = {"PORTAL_ENVIRONMENT": "test"}
    result = await asyncio.to_thread(run_portal, "health", "api", env={**env, "PORTAL_PORT": str(client.port)})
    assert result.returncode == 0 and "/readyz answered 200" in result.stdout
    refused = await asyncio.to_thread(run_portal, "health", "api", env={**env, "PORTAL_PORT": str(free_port())})
    assert refused.returncode == 1 and "unhealthy" in refused.stdout


@needs_promtool
def test_the_alert_rules_are_valid_and_fire_as_their_tests_say():
    for check in (("check", "rules", "prometheus/alerts.yml"), ("check", "config", "prometheus/prometheus.yml")):
        checked = _promtool(*check)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = _promtool("test", "rules", "prometheus/alerts_test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_dashboard_charts_only_metrics_the_processes_export():
    from portal.web.metrics import Metrics
    from workers import metrics

    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    exported = {
        family.name + suffix
        for registry in (metrics.SCHEDULER, Metrics(lambda: None).registry, metrics.worker_registry())
        for family in registry.collect()
        for suffix in suffixes.get(family.type, ("",))
    }
    dashboard = json.loads((DEPLOY / "grafana" / "idea-portal.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert queries
    for query in queries:
        for name in re.findall(r"\b(portal_[a-z_]+|process_[a-z_]+)\b", query):
            assert name in exported, f"{name} in {query!r} is not exported"


@needs_promtool
def test_the_dashboard_s_queries_are_valid_promql(tmp_path):
    dashboard = json.loads((DEPLOY / "grafana" / "idea-portal.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    rules = {
        "groups": [{"name": "dashboard", "rules": [{"record": f"q:{i}", "expr": q} for i, q in enumerate(queries)]}]
    }
    (tmp_path / "queries.yml").write_text(json.dumps(rules))  # JSON is YAML
    checked = _promtool("check", "rules", str(tmp_path / "queries.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("argv", "role"),
    [
        (["/usr/local/bin/python", "/usr/local/bin/portal", "serve"], "api"),
        (["/usr/local/bin/python", "-m", "portal", "worker", "--processes", "2"], "worker"),
        (["/usr/local/bin/python", "-m", "workers.scheduler"], "scheduler"),
        (["/bin/sh", "-c", "sleep 1"], None),
        (["/usr/local/bin/portal"], None),
    ],
)
def test_the_health_check_knows_a_container_s_role_from_its_first_process(argv, role):
    assert role_of(argv) == role
