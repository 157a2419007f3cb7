"""`portal worker`: dramatiq's Worker, run by a small process manager of our own.

dramatiq's command line forwards SIGTERM from its main process to its worker processes. When
the signal also reaches them directly (systemd and Ctrl-C signal the whole process group), the
second one makes a worker process exit without stopping its threads, and it hangs. Here every
process treats any number of SIGTERM/SIGINT/SIGHUP as one request to stop, stops within
PORTAL_SHUTDOWN_TIMEOUT, and logs JSON lines like every other portal process.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

from portal.config import Settings

log = logging.getLogger("portal.worker")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _on_stop_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: object) -> None:
        if not stop.is_set():
            log.info("stopping", extra={"fields": {"signal": signal.Signals(signum).name}})
        stop.set()

    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)


def run_process(settings: Settings, *, threads: int, serve_metrics: bool = True) -> int:
    """One worker process: consumes every queue with `threads` threads until signalled.
    Alone it serves its metrics; under a supervisor the supervisor serves all of theirs."""
    from dramatiq import Worker

    import workers.actors  # noqa: F401 - declares the actors on the broker
    from workers import heartbeat, metrics
    from workers.broker import broker

    stop = threading.Event()
    _on_stop_signals(stop)
    if serve_metrics:
        metrics.serve(metrics.worker_registry(), settings.metrics_host, settings.worker_metrics_port)
    broker.emit_after("process_boot")
    worker = Worker(broker, worker_threads=threads, worker_timeout=settings.worker_poll_ms)
    worker.start()
    log.info(
        "worker running",
        extra={"fields": {"pid": os.getpid(), "threads": threads, "queues": sorted(broker.get_declared_queues())}},
    )
    while not stop.wait(heartbeat.INTERVAL_SECONDS):
        # Beats only while every consumer and worker thread is alive: a dead one does no work.
        if all(t.is_alive() for t in [*worker.consumers.values(), *worker.workers]):
            heartbeat.beat(settings.heartbeat_dir, "worker")
    heartbeat.stop(settings.heartbeat_dir, "worker")
    worker.stop(timeout=int(settings.shutdown_timeout * 1000))
    broker.close()
    log.info("worker stopped")
    stuck = [t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if stuck:  # an actor outlived the shutdown timeout: its message is redelivered elsewhere
        log.warning("threads still running at exit; leaving without them", extra={"fields": {"threads": stuck}})
        logging.shutdown()
        os._exit(0)
    return 0


def run_supervisor(settings: Settings, *, processes: int, threads: int) -> int:
    """Several worker processes; if one dies the rest are stopped and the status is non-zero,
    so the supervisor above (systemd, compose) restarts the whole set."""
    from workers import metrics

    stop = threading.Event()
    _on_stop_signals(stop)
    samples = metrics.SharedSamples()
    metrics.serve(samples.registry, settings.metrics_host, settings.worker_metrics_port)
    argv = [sys.executable, "-m", "portal", "worker", "--processes", "1", "--threads", str(threads), "--supervised"]
    children = [
        subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=samples.child_environment()) for _ in range(processes)
    ]
    status = 0
    while not stop.wait(0.5):
        dead = [child for child in children if child.poll() is not None]
        if dead:
            log.error(
                "a worker process exited; stopping the others",
                extra={"fields": {"pid": dead[0].pid, "status": dead[0].returncode}},
            )
            status = 1
            break
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + settings.shutdown_timeout + 5
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    samples.remove()
    return status
