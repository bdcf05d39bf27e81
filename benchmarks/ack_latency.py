"""Slash-command ack latency: signed `/checkin <text>` through `alignbot serve`, next to a bare Bolt app.

    python benchmarks/ack_latency.py [--db sqlite postgresql] [--requests 300 1500 3000]

Starts, on loopback: a Slack Web API fake (its own process, so it takes no CPU from
the load generator), `alignbot serve --no-scheduler` on a scratch database seeded
with a team mapped to the channel the commands come from and eight objectives, and
a bare Bolt app (one `/checkin` listener that only acks) under the same gunicorn
settings. Then sends signed `/checkin <text>` requests at concurrency 1, 10 and 50
from keep-alive HTTP clients, one thread each, and prints p50, p99 and requests per
second of the HTTP answer (what Slack waits for: Alignbot acks first and records,
tags and answers on the response_url after).

Targets (issue 8): p99 under 100 ms at concurrency 50, and at least 80% of the bare
Bolt app's throughput, on SQLite and PostgreSQL. Afterwards the script checks that
every command was really recorded and tagged.
"""

from __future__ import annotations

import argparse
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

from _scratch import ROOT, machine, scratch_database, table  # noqa: E402

from bot.fakeslack.sender import sign  # noqa: E402

SECRET = "bench-signing-secret"
TEAM_ID = "T0000001"
CHANNEL = "C0BENCH01"
USERS = 2000
CONCURRENCY = (1, 10, 50)
THREADS = 16  # `alignbot serve`'s default, used for both apps
# Run `alignbot serve` with a bigger Bolt listener pool (an experiment, not how the app ships).
WITH_LISTENERS = """
import concurrent.futures, functools, os, sys
import slack_bolt.app.app as bolt_app
bolt_app.ThreadPoolExecutor = functools.partial(concurrent.futures.ThreadPoolExecutor,
                                                max_workers=int(os.environ["BENCH_LISTENERS"]))
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""


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
        app = App(signing_secret=SECRET, client=WebClient(token=token, base_url=api_url),
                  token_verification_enabled=False)
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
        session.add_all(Objective(workspace_id=workspace.id, key=o.key, title=o.title, description=o.description,
                                  keywords=list(o.keywords)) for o in OBJECTIVES)
    engine.dispose()


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
        body = urlencode({
            "token": "x", "team_id": TEAM_ID, "team_domain": "bench", "channel_id": CHANNEL, "channel_name": "bench",
            "user_id": f"U0B{n % USERS:06d}", "user_name": f"user{n % USERS}", "command": "/checkin",
            "text": self._texts[n % len(self._texts)], "api_app_id": "A0000001", "is_enterprise_install": "false",
            "response_url": self._urls[n % len(self._urls)], "trigger_id": f"{n}.1.bench",
        })
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
                   "X-Slack-Signature": sign(SECRET, stamp, body), "Connection": "keep-alive"}
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
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {"p50": pct(0.50), "p99": pct(0.99), "rps": len(latencies) / elapsed, "failed": failures[0],
            "n": len(latencies)}


# --- one database ------------------------------------------------------------------------------------

def bench(kind: str, requests: dict[int, int], postgres_url: str, logs: Path, listeners: int = 0) -> list[list[object]]:
    rows: list[list[object]] = []
    with scratch_database(kind, postgres_url) as database_url:
        seed(database_url)
        fake = subprocess.Popen([sys.executable, __file__, "--serve-fake"], cwd=ROOT, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        info = json.loads(fake.stdout.readline())
        env = {**os.environ, "SLACK_BOT_TOKEN": info["token"], "SLACK_SIGNING_SECRET": SECRET,
               "SLACK_API_URL": info["base_url"], "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
        alignbot_port, bare_port = free_port(), free_port()
        alignbot_cli = Path(sys.executable).with_name("alignbot")
        command = [str(alignbot_cli)] if alignbot_cli.exists() else [sys.executable, "-m", "bot"]
        if listeners:
            command = [sys.executable, "-c", WITH_LISTENERS]
            env["BENCH_LISTENERS"] = str(listeners)
        servers = {}
        with open(logs / f"ack-{kind}-alignbot.log", "w") as alog, open(logs / f"ack-{kind}-bare.log", "w") as blog:
            servers["alignbot"] = subprocess.Popen(
                [*command, "serve", "--no-scheduler", "--port", str(alignbot_port), "--threads", str(THREADS)],
                cwd=ROOT, env=env, stdout=alog, stderr=subprocess.STDOUT)
            servers["bare Bolt"] = subprocess.Popen(
                [sys.executable, __file__, "--serve-bare", str(bare_port), info["base_url"], info["token"]],
                cwd=ROOT, env=env, stdout=blog, stderr=subprocess.STDOUT)
            try:
                wait_ready(alignbot_port, servers["alignbot"])
                wait_ready(bare_port, servers["bare Bolt"])
                commands = Commands(info["response_urls"])
                ports = {"alignbot": alignbot_port, "bare Bolt": bare_port}
                for name, port in ports.items():  # warm both up: imports, first auth.test, connections
                    load(port, 10, 100, commands)
                time.sleep(2)
                sent = 100
                for concurrency, total in requests.items():
                    figures = {}
                    for name, port in ports.items():
                        figures[name] = load(port, concurrency, total, commands)
                        if name == "alignbot":
                            sent += total
                            time.sleep(1.5)  # let the work after the acks finish before the next run
                    ours, bare = figures["alignbot"], figures["bare Bolt"]
                    for name, f in figures.items():
                        share = f"{ours['rps'] / bare['rps']:.0%}" if name == "alignbot" else ""
                        rows.append([kind, concurrency, name, f["n"], f"{f['p50']:.1f}", f"{f['p99']:.1f}",
                                     f"{f['rps']:.0f}", share, f["failed"]])
                    print(f"  {kind} c={concurrency}: alignbot p99 {ours['p99']:.1f} ms {ours['rps']:.0f}/s; "
                          f"bare p99 {bare['p99']:.1f} ms {bare['rps']:.0f}/s", file=sys.stderr)
                time.sleep(3)
            finally:
                for server in servers.values():
                    server.terminate()
                for server in servers.values():
                    server.wait(timeout=30)
        fake.stdin.close()
        answered = json.loads(fake.stdout.readline())["responses"]
        fake.wait(timeout=10)
        updates, tagged = recorded(database_url)
        print(f"  {kind}: {sent} commands sent to alignbot, {answered} answered on the response_url; "
              f"{updates} updates stored ({min(sent, USERS)} people), {tagged} of them tagged", file=sys.stderr)
        rows.append([kind, "", f"checked: {answered}/{sent} answered, {updates} updates, {tagged} tagged",
                     "", "", "", "", "", ""])
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
    parser.add_argument("--requests", nargs=3, type=int, default=[300, 1500, 3000], metavar=("C1", "C10", "C50"),
                        help="requests per run at concurrency 1, 10 and 50")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--listeners", type=int, default=0, metavar="N",
                        help="experiment: give Bolt N listener threads in alignbot (it ships with Bolt's 5)")
    parser.add_argument("--logs", default="/tmp", help="folder for the servers' logs")
    args = parser.parse_args()
    requests = dict(zip(CONCURRENCY, args.requests, strict=True))
    rows = []
    for kind in args.db:
        rows += bench(kind, requests, args.postgres, Path(args.logs), args.listeners)
    print(f"Slash-command ack latency ({machine()}; gunicorn gthread, 1 worker, {THREADS} threads)\n")
    print(table(["database", "concurrency", "app", "requests", "p50 ms", "p99 ms", "req/s", "vs bare", "failed"],
                rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
