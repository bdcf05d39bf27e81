"""Helpers the benchmarks share: scratch databases, a machine line, and tables."""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

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


class TokenBuckets:
    """Token buckets by name: how a rate-limited Slack stand-in decides whether a call may go now."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # name -> (tokens, updated)

    def take(self, bucket: str, rate: float, burst: float, now: float) -> float | None:
        """Take a token; return None if there was one, else the seconds until there will be."""
        tokens, updated = self._buckets.get(bucket, (burst, now))
        tokens = min(burst, tokens + (now - updated) * rate)
        if tokens >= 1:
            self._buckets[bucket] = (tokens - 1, now)
            return None
        self._buckets[bucket] = (tokens, now)
        return (1 - tokens) / rate

    def give_back(self, bucket: str) -> None:
        """Return a token taken for a call that was refused after all."""
        tokens, updated = self._buckets[bucket]
        self._buckets[bucket] = (tokens + 1, updated)
