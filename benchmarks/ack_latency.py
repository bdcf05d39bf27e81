"""Slash-command ack latency: signed `/checkin <text>` through `alignbot serve`, next to a bare Bolt app.

    python benchmarks/ack_latency.py [--db sqlite postgresql] [--requests 300 3000 3000]
    python benchmarks/ack_latency.py --worker-process      # the Procfile's set-up: serve --no-worker + worker
    python benchmarks/ack_latency.py --scale --db postgresql   # answers/s with serve --workers 1, then 2

Starts, on loopback: a Slack Web API fake (its own process, so it takes no CPU from
the load generator), `alignbot serve --no-scheduler` on a scratch database seeded
with a team mapped to the channel the commands come from and eight objectives, and
a bare Bolt app (one `/checkin` listener that only acks) under the same gunicorn
settings. Then sends signed `/checkin <text>` requests at concurrency 1, 20 and 50
from keep-alive HTTP clients, one thread each, and prints p50, p99 and requests per
second of the HTTP answer (what Slack waits for: Alignbot stores the work in its queue,
acks, and a worker records, tags and answers on the response_url after). "answers/s" is
the commands of a run over the time until the queue was empty again: the work done.

Targets (issue 17): p99 under 100 ms at concurrency 20, and at least 0.3x the bare
Bolt app's throughput (aim 0.5x), on SQLite and PostgreSQL. Afterwards the script
checks that every command was answered on its response_url, one update per person,
and says how many were tagged; it exits 1 when the work was not all done.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, scratch_database, table  # noqa: E402

from bot.fakeslack.sender import sign  # noqa: E402

SECRET = "bench-signing-secret"
TEAM_ID = "T0000001"
CHANNEL = "C0BENCH01"
USERS = 2000
CONCURRENCY = (1, 20, 50)
THREADS = 16  # `alignbot serve`'s default, used for both apps


# --- the processes under test -------------------------------------------------------------------


def run_fake() -> None:
    """Serve a FakeSlack until stdin closes; print its URLs first and its response count last."""
    from bot.fakeslack import FakeSlack

    fake = FakeSlack(team_id=TEAM_ID).start()
    fake.add_channel(CHANNEL, "bench", members=[])
    urls = [fake.response_url(CHANNEL) for _ in range(64)]
    print(json.dumps({"base_url": fake.base_url, "token": fake.bot_token, "response_urls": urls}), flush=True)
    sys.stdin.read()
    print(json.dumps({"responses": len(fake.responses())}), flush=True)
    fake.stop()


def run_bare(port: int, api_url: str, token: str) -> None:
    """Serve a Bolt app whose only listener acks `/checkin`, under Alignbot's gunicorn settings."""
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    from bot.server import GunicornServer, gunicorn_options

    def factory():
        app = App(
            signing_secret=SECRET, client=WebClient(token=token, base_url=api_url), token_verification_enabled=False
        )
        app.command("/checkin")(lambda ack: ack())
        return SlackRequestHandler(app)

    GunicornServer(factory, gunicorn_options(port, threads=THREADS, log_level="warning")).run()


# --- set-up ----------------------------------------------------------------------------------------


def seed(database_url: str) -> None:
    """Migrate and add the workspace, its team on CHANNEL and eight objectives."""
    from tagger_throughput import OBJECTIVES

    from storage import migrate, repositories
    from storage.db import make_engine, make_sessionmaker
    from storage.models import Objective, Team

    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with make_sessionmaker(engine).begin() as session:
        workspace = repositories.ensure_workspace(session, TEAM_ID, "Bench")
        session.add(Team(workspace_id=workspace.id, name="marketing", channel_id=CHANNEL))
        session.add_all(
            Objective(
                workspace_id=workspace.id,
                key=o.key,
                title=o.title,
                description=o.description,
                keywords=list(o.keywords),
            )
            for o in OBJECTIVES
        )
    engine.dispose()


def wait_drained(database_url: str, timeout: float = 300.0) -> float:
    """Wait until the job queue is empty; return the seconds waited."""
    from sqlalchemy import func, select

    from storage.db import make_engine
    from storage.models import Job

    engine = make_engine(database_url)
    began = time.perf_counter()
    try:
        while time.perf_counter() - began < timeout:
            with engine.connect() as connection:
                if not connection.scalar(select(func.count()).select_from(Job)):
                    return time.perf_counter() - began
            time.sleep(0.02)
    finally:
        engine.dispose()
    raise SystemExit(f"the queue was not empty after {timeout:.0f} s")


def recorded(database_url: str) -> tuple[int, int]:
    """Return (updates stored, of which tagged)."""
    from sqlalchemy import func, select

    from storage.db import make_engine
    from storage.models import Update, UpdateTag

    engine = make_engine(database_url)
    with engine.connect() as connection:
        updates = connection.scalar(select(func.count()).select_from(Update))
        tagged = connection.scalar(select(func.count(func.distinct(UpdateTag.update_id))))
    engine.dispose()
    return int(updates or 0), int(tagged or 0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Wait until the server answers a signed command (any status) or give up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start in {timeout:.0f} s")


# --- load ------------------------------------------------------------------------------------------


class Commands:
    """Signed `/checkin <text>` bodies, each from the next of USERS people in CHANNEL."""

    def __init__(self, response_urls: list[str]) -> None:
        from tagger_throughput import synthetic_updates

        self._texts = synthetic_updates(500)
        self._urls = response_urls
        self._seq = itertools.count()

    def next(self) -> tuple[bytes, dict[str, str]]:
        n = next(self._seq)
        body = urlencode(
            {
                "token": "x",
                "team_id": TEAM_ID,
                "team_domain": "bench",
                "channel_id": CHANNEL,
                "channel_name": "bench",
                "user_id": f"U0B{n % USERS:06d}",
                "user_name": f"user{n % USERS}",
                "command": "/checkin",
                "text": self._texts[n % len(self._texts)],
                "api_app_id": "A0000001",
                "is_enterprise_install": "false",
                "response_url": self._urls[n % len(self._urls)],
                "trigger_id": f"{n}.1.bench",
            }
        )
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(SECRET, stamp, body),
            "Connection": "keep-alive",
        }
        return body.encode(), headers


def load(port: int, concurrency: int, total: int, commands: Commands) -> dict[str, float]:
    """Send `total` commands from `concurrency` keep-alive clients; return latency figures."""
    latencies: list[float] = []
    failures = [0]
    issued = itertools.count()
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        start.wait()
        while next(issued) < total:
            body, headers = commands.next()
            began = time.perf_counter()
            try:
                connection.request("POST", "/slack/events", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()  # the server closed a kept-alive connection: count it, reconnect
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            mine.append(time.perf_counter() - began)
            if not ok:
                with lock:
                    failures[0] += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    # The clients' own full collections (30-40 ms) would stall all of them at once and count as the server's.
    gc.collect()
    gc.disable()
    try:
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        gc.enable()
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {
        "p50": pct(0.50),
        "p99": pct(0.99),
        "rps": len(latencies) / elapsed,
        "failed": failures[0],
        "n": len(latencies),
    }


# --- one database ------------------------------------------------------------------------------------


class Stack:
    """A scratch database, the Slack fake, `alignbot serve` (and `alignbot worker`), and optionally a bare Bolt app."""

    def __init__(
        self,
        kind: str,
        postgres_url: str,
        logs: Path,
        *,
        workers: int = 1,
        worker_process: bool = False,
        bare: bool = True,
    ) -> None:
        self.kind, self.postgres_url, self.logs = kind, postgres_url, logs
        self.workers, self.worker_process, self.bare = workers, worker_process, bare
        self.ports: dict[str, int] = {}

    def __enter__(self) -> Stack:
        self._database = scratch_database(self.kind, self.postgres_url)
        self.database_url = self._database.__enter__()
        seed(self.database_url)
        self.fake = subprocess.Popen(
            [sys.executable, __file__, "--serve-fake"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        info = json.loads(self.fake.stdout.readline())
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": info["token"],
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": info["base_url"],
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "WARNING",
        }
        alignbot_cli = Path(sys.executable).with_name("alignbot")
        command = [str(alignbot_cli)] if alignbot_cli.exists() else [sys.executable, "-m", "bot"]
        self.ports["alignbot"] = free_port()
        serve = [
            *command,
            "serve",
            "--no-scheduler",
            "--port",
            str(self.ports["alignbot"]),
            "--threads",
            str(THREADS),
            "--workers",
            str(self.workers),
        ]
        self._logs = []
        self.servers: dict[str, subprocess.Popen] = {}

        def start(name: str, argv: list[str]) -> None:
            log = open(self.logs / f"ack-{self.kind}-{name.replace(' ', '-')}.log", "w")  # noqa: SIM115 - closed in stop()
            self._logs.append(log)
            self.servers[name] = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

        start("alignbot", [*serve, "--no-worker"] if self.worker_process else serve)
        if self.worker_process:
            start("worker", [*command, "worker"])
        if self.bare:
            self.ports["bare Bolt"] = free_port()
            start(
                "bare Bolt",
                [
                    sys.executable,
                    __file__,
                    "--serve-bare",
                    str(self.ports["bare Bolt"]),
                    info["base_url"],
                    info["token"],
                ],
            )
        for name, port in self.ports.items():
            wait_ready(port, self.servers[name])
        # Each app its own sequence of people, so the alignbot runs reach every person in turn.
        self.commands = {name: Commands(info["response_urls"]) for name in self.ports}
        self.sent = 0
        for name, port in self.ports.items():  # warm up: imports, first auth.test, connections
            load(port, 10, 100, self.commands[name])
        self.sent += 100
        wait_drained(self.database_url)
        return self

    def run(self, name: str, concurrency: int, total: int) -> dict[str, float]:
        """Load one app; for alignbot, also wait for the queue to empty and add answers/s."""
        figures = load(self.ports[name], concurrency, total, self.commands[name])
        if name == "alignbot":
            self.sent += total
            elapsed = figures["n"] / figures["rps"]
            figures["answers"] = figures["n"] / (elapsed + wait_drained(self.database_url))
        return figures

    def __exit__(self, *exc: object) -> None:
        for server in self.servers.values():
            server.terminate()
        for server in self.servers.values():
            server.wait(timeout=30)
        for log in self._logs:
            log.close()
        self.fake.stdin.close()
        self.answered = json.loads(self.fake.stdout.readline())["responses"]
        self.fake.wait(timeout=10)
        self.updates, self.tagged = recorded(self.database_url)
        self._database.__exit__(None, None, None)

    def check(self) -> tuple[bool, str]:
        """Say whether every command was answered, one update per person; and the line saying so."""
        people = min(self.sent, USERS)
        done = self.answered == self.sent and self.updates == people
        return done, (
            f"checked: {self.answered}/{self.sent} answered, {self.updates} updates "
            f"({people} people), {self.tagged} tagged"
        )


def bench(
    kind: str, requests: dict[int, int], postgres_url: str, logs: Path, worker_process: bool, ok: list[bool]
) -> list[list[object]]:
    rows: list[list[object]] = []
    with Stack(kind, postgres_url, logs, worker_process=worker_process) as stack:
        time.sleep(2)
        for concurrency, total in requests.items():
            figures = {name: stack.run(name, concurrency, total) for name in ("alignbot", "bare Bolt")}
            ours, bare = figures["alignbot"], figures["bare Bolt"]
            for name, f in figures.items():
                share = f"{ours['rps'] / bare['rps']:.2f}x" if name == "alignbot" else ""
                answers = f"{f['answers']:.0f}" if "answers" in f else ""
                rows.append(
                    [
                        kind,
                        concurrency,
                        name,
                        f["n"],
                        f"{f['p50']:.1f}",
                        f"{f['p99']:.1f}",
                        f"{f['rps']:.0f}",
                        share,
                        answers,
                        f["failed"],
                    ]
                )
            print(
                f"  {kind} c={concurrency}: alignbot p99 {ours['p99']:.1f} ms {ours['rps']:.0f}/s "
                f"({ours['answers']:.0f} answers/s); bare p99 {bare['p99']:.1f} ms {bare['rps']:.0f}/s",
                file=sys.stderr,
            )
    done, line = stack.check()
    ok.append(done)
    print(f"  {kind}: {line}", file=sys.stderr)
    rows.append([kind, "", line, "", "", "", "", "", "", ""])
    return rows


def scale(kind: str, total: int, postgres_url: str, logs: Path, ok: list[bool]) -> list[list[object]]:
    """Answers per second with `serve --workers 1` and `--workers 2`, at concurrency 20."""
    rows: list[list[object]] = []
    for workers in (1, 2):
        with Stack(kind, postgres_url, logs, workers=workers, bare=False) as stack:
            time.sleep(2)
            f = stack.run("alignbot", 20, total)
            rows.append(
                [
                    kind,
                    workers,
                    f["n"],
                    f"{f['p50']:.1f}",
                    f"{f['p99']:.1f}",
                    f"{f['rps']:.0f}",
                    f"{f['answers']:.0f}",
                    f["failed"],
                ]
            )
            print(
                f"  {kind} --workers {workers}: {f['answers']:.0f} answers/s, acks p99 {f['p99']:.1f} ms",
                file=sys.stderr,
            )
        done, line = stack.check()
        ok.append(done)
        rows.append([kind, workers, line, "", "", "", "", ""])
    return rows


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-fake":
        run_fake()
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-bare":
        run_bare(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--requests",
        nargs=3,
        type=int,
        default=[300, 3000, 3000],
        metavar=("C1", "C20", "C50"),
        help="requests per run at concurrency 1, 20 and 50",
    )
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument(
        "--worker-process",
        action="store_true",
        help="run the queued work in an `alignbot worker` process (serve --no-worker), as the Procfile does",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="instead: send N commands at concurrency 20 to serve --workers 1, then 2; print answers/s",
    )
    parser.add_argument("--logs", default="/tmp", help="folder for the servers' logs")
    args = parser.parse_args()
    ok: list[bool] = []
    if args.scale:
        rows = []
        for kind in args.db:
            rows += scale(kind, args.scale, args.postgres, Path(args.logs), ok)
        print(
            f"Answers per second by web process count ({machine()}; gunicorn gthread, {THREADS} threads, "
            "the worker in each process)\n"
        )
        print(
            table(
                ["database", "--workers", "requests", "ack p50 ms", "ack p99 ms", "acks/s", "answers/s", "failed"], rows
            )
        )
        return 0 if all(ok) else 1
    requests = dict(zip(CONCURRENCY, args.requests, strict=True))
    rows = []
    for kind in args.db:
        rows += bench(kind, requests, args.postgres, Path(args.logs), args.worker_process, ok)
    where = "a separate `alignbot worker`" if args.worker_process else "the worker in the serve process"
    print(f"Slash-command ack latency ({machine()}; gunicorn gthread, 1 process, {THREADS} threads; {where})\n")
    print(
        table(
            [
                "database",
                "concurrency",
                "app",
                "requests",
                "p50 ms",
                "p99 ms",
                "req/s",
                "vs bare",
                "answers/s",
                "failed",
            ],
            rows,
        )
    )
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
