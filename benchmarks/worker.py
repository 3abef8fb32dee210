"""One real Celery worker (prefork) in a child process, and what it used."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .environment import ROOT

CONCURRENCY = 2
TASK = "saleor_journey_plugin.process_pending_events"


def _command() -> list[str]:
    celery = Path(sys.executable).parent / "celery"
    return [
        str(celery),
        "-A",
        "example_store.celery:app",
        "worker",
        f"--concurrency={CONCURRENCY}",
        "--pool=prefork",
        "-Q",
        "celery",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]


@contextmanager
def running_worker(app: Any, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Start the worker, wait until it answers a ping, and always stop it."""
    process = subprocess.Popen(_command(), cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        _wait_ready(app, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(app: Any, process: subprocess.Popen[bytes], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited with {process.returncode}")
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError("Celery worker did not answer a ping in time")


def tasks_run(app: Any) -> int:
    """How many drain tasks the (one) running worker has received so far."""
    stats = app.control.inspect(timeout=1.0, limit=1).stats() or {}
    return sum(s.get("total", {}).get(TASK, 0) for s in stats.values())


class WorkerCpu:
    """CPU used by the worker's main process and its pool children."""

    def __init__(self, pid: int) -> None:
        self.pids = [pid, *children(pid)]
        self.start = [cpu_seconds(p) for p in self.pids]

    def report(self, count: int) -> str:
        used = [cpu_seconds(p) - s for p, s in zip(self.pids, self.start, strict=True)]
        main, pool = used[0], sum(used[1:])
        return (
            f"main {1000 * main / count:.3f} ms + pool children "
            f"{1000 * pool / count:.3f} ms per event"
        )


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set) of a process, in MiB; None if unreadable."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
