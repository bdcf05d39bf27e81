"""Helpers the benchmarks share: scratch databases, a machine line, and tables."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import platform
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.db import scratch_postgres_database  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def scratch_database(kind: str, postgres_url: str = DEFAULT_POSTGRES) -> Iterator[str]:
    """Yield the URL of an empty database ("sqlite" or "postgresql"), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="alignbot-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    with scratch_postgres_database(postgres_url, prefix="alignbot_bench") as url:
        yield url


def machine() -> str:
    """Return one line naming the CPU, core count, memory and Python."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, {platform.system()}"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


class Sampler:
    """Sample the process's thread count and resident memory twice a second; keep the peaks."""

    def __init__(self, every: float = 0.5) -> None:
        self.threads = 0
        self.rss_mib = 0.0
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def __enter__(self) -> Sampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._sample()

    def _sample(self) -> None:
        # The sampler's own thread is not the code under test.
        self.threads = max(self.threads, threading.active_count() - (1 if self._thread.is_alive() else 0))
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.rss_mib = max(self.rss_mib, int(line.split()[1]) / 1024)


class RemoteFake:
    """A Slack fake served from a child process, so its work runs on a core of its own, as Slack's would.

    `run(func, *args)` calls `func(fake, *args)` in the child (func must be a module-level
    function) and returns its result.
    """

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")  # before the app starts any thread
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_fake, args=(child,), name="fakeslack", daemon=True)
        self.base_url = ""

    def __enter__(self) -> RemoteFake:
        self._process.start()
        self.base_url = self.run(_base_url)
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send(None)
        self._process.join(timeout=10)

    def run(self, func: Callable[..., Any], *args: Any) -> Any:
        self._conn.send((func, args))
        ok, value = self._conn.recv()
        if not ok:
            raise value
        return value


def _base_url(fake: Any) -> str:
    return fake.base_url


def _serve_fake(conn: Any) -> None:
    from bot.fakeslack import FakeSlack

    with FakeSlack() as fake:
        while (message := conn.recv()) is not None:
            func, args = message
            try:
                conn.send((True, func(fake, *args)))
            except Exception as error:  # noqa: BLE001 - handed back to the caller
                conn.send((False, error))
