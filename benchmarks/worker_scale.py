"""Worker scaling: how fast 1, then 2 `alignbot worker` processes drain a full queue on PostgreSQL.

    python benchmarks/worker_scale.py [--jobs 3000] [--processes 1 2] [--repeat 2] [--threads 2]

For each run, on a scratch PostgreSQL database seeded like `ack_latency.py` (a team on the
channel, eight objectives): a Slack Web API fake in its own process, then `alignbot serve
--no-worker` fed `--jobs` signed `/checkin <text>` requests, each from a different person
with a response_url of its own, at concurrency 20. The web process is stopped once every
request was acked, so nothing but the workers, PostgreSQL and the fake runs during the drain
(no load generator competes). Then N `alignbot worker` processes start together and the
script watches the `jobs` table.

The rate is taken in steady state: from the moment the first 5% of the jobs are done (the
processes have started and warmed up) until 95% are, so start-up and the tail are left out.
Over that window it reads the CPU seconds (utime + stime from /proc) of the worker
processes, of the PostgreSQL backends serving the scratch database, and of the fake, and the
whole machine's busy time from /proc/stat: on a shared machine the figures say how much of
the 2 cores this run actually had. After the drain it checks that every command was answered
exactly once on its own response_url and that each person has one update.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ack_latency as al  # noqa: E402
from common import ROOT, machine, scratch_database, table  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def run_fake(count: int) -> None:
    """Serve a FakeSlack until stdin closes; print `count` response_urls first, the responses by id last."""
    from collections import Counter

    from bot.fakeslack import FakeSlack

    fake = FakeSlack(team_id=al.TEAM_ID).start()
    fake.add_channel(al.CHANNEL, "bench", members=[])
    urls = [fake.response_url(al.CHANNEL) for _ in range(count)]
    print(
        json.dumps({"base_url": fake.base_url, "token": fake.bot_token, "response_urls": urls, "pid": os.getpid()}),
        flush=True,
    )
    sys.stdin.read()
    print(json.dumps({"by_id": Counter(r["id"] for r in fake.responses())}), flush=True)
    fake.stop()


def cpu_seconds(pid: int) -> float:
    """Return a process's user + system CPU seconds so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_busy() -> tuple[float, float]:
    """Return (busy, total) CPU seconds of the whole machine so far, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


def backends(engine, database: str) -> list[int]:
    """Return the pids of the PostgreSQL backends connected to `database`."""
    from sqlalchemy import text

    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": database}))


def pending(engine) -> int:
    from sqlalchemy import func, select

    from storage.models import Job

    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(Job)) or 0)


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def one_run(processes: int, jobs: int, threads: int, postgres_url: str, logs: Path) -> dict[str, object]:
    """Fill the queue through the web app, drain it with `processes` workers; return the figures."""
    from sqlalchemy.engine import make_url

    from storage.db import make_engine

    with scratch_database("postgresql", postgres_url) as database_url:
        al.seed(database_url)
        fake = subprocess.Popen(
            [sys.executable, __file__, "--serve-fake", str(jobs + 100)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        info = json.loads(fake.stdout.readline())
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": info["token"],
            "SLACK_SIGNING_SECRET": al.SECRET,
            "SLACK_API_URL": info["base_url"],
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
        }
        cli = Path(sys.executable).with_name("alignbot")
        command = [str(cli)] if cli.exists() else [sys.executable, "-m", "bot"]
        engine = make_engine(database_url)
        started: list[subprocess.Popen] = []
        log = open(logs / f"worker-scale-{processes}.log", "w")  # noqa: SIM115 - the children write to it; closed below
        try:
            # 1. Fill: the real web app acks and stores each command; nothing does the work yet.
            port = al.free_port()
            web = subprocess.Popen(
                [*command, "serve", "--no-scheduler", "--no-worker", "--port", str(port), "--threads", str(al.THREADS)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append(web)
            al.wait_ready(port, web)
            al.USERS = jobs  # one person per command: one update each
            commands = al.Commands(info["response_urls"])
            acks = al.load(port, 20, jobs, commands)
            web.terminate()
            web.wait(timeout=30)
            stored = pending(engine)
            # 2. Drain with N worker processes, nothing else of ours running but the fake and PostgreSQL.
            before_load = loadavg()
            workers = [
                subprocess.Popen(
                    [*command, "worker", "--threads", str(threads)],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
                for _ in range(processes)
            ]
            started += workers
            began = time.perf_counter()
            low, high = int(stored * 0.95), int(stored * 0.05)
            window: dict[str, object] = {}
            database = make_url(database_url).database
            while True:
                left = pending(engine)
                now = time.perf_counter()
                if "t0" not in window and left <= low:
                    window.update(
                        t0=now,
                        left0=left,
                        machine0=machine_busy(),
                        workers0=sum(cpu_seconds(w.pid) for w in workers),
                        fake0=cpu_seconds(info["pid"]),
                        pg0={pid: cpu_seconds(pid) for pid in backends(engine, database)},
                    )
                if left <= high:
                    pg_pids = backends(engine, database)
                    pg0 = window["pg0"]
                    window.update(
                        t1=now,
                        left1=left,
                        machine1=machine_busy(),
                        workers1=sum(cpu_seconds(w.pid) for w in workers),
                        fake1=cpu_seconds(info["pid"]),
                        pg=sum(cpu_seconds(pid) - pg0.get(pid, 0.0) for pid in pg_pids),
                    )
                    break
                if now - began > 600:
                    raise SystemExit("the queue did not drain in 600 s")
                time.sleep(0.05)
            while pending(engine):
                time.sleep(0.05)
            drained = time.perf_counter() - began
            after_load = loadavg()
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
            updates, tagged = al.recorded(database_url)
        finally:
            for process in started:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            log.close()
            engine.dispose()
            fake.stdin.close()
            by_id = json.loads(fake.stdout.readline())["by_id"]
            fake.wait(timeout=30)
    seconds = window["t1"] - window["t0"]
    done = window["left0"] - window["left1"]
    busy = window["machine1"][0] - window["machine0"][0]
    total = window["machine1"][1] - window["machine0"][1]
    workers_cpu = window["workers1"] - window["workers0"]
    fake_cpu = window["fake1"] - window["fake0"]
    once = sum(1 for n in by_id.values() if n == 1)
    return {
        "processes": processes,
        "jobs": stored,
        "acks/s": acks["rps"],
        "answers/s": done / seconds,
        "drain s": drained,
        "workers ms/answer": 1000 * workers_cpu / done,
        "pg ms/answer": 1000 * window["pg"] / done,
        "fake ms/answer": 1000 * fake_cpu / done,
        "workers cores": workers_cpu / seconds,
        "pg cores": window["pg"] / seconds,
        "fake cores": fake_cpu / seconds,
        "machine busy": busy / total,
        "others cores": max(0.0, busy - workers_cpu - window["pg"] - fake_cpu) / seconds,
        "load": f"{before_load:.1f}/{after_load:.1f}",
        "check": (
            once == stored and len(by_id) == stored and updates == stored,
            f"{once}/{stored} answered exactly once ({len(by_id)} response_urls used, "
            f"{sum(by_id.values())} posts), {updates} updates, {tagged} tagged",
        ),
    }


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--serve-fake":
        run_fake(int(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--processes", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each process count, interleaved")
    parser.add_argument("--threads", type=int, default=2, help="`alignbot worker --threads` (default: its default, 2)")
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--logs", default="/tmp", help="folder for the processes' logs")
    args = parser.parse_args()
    rows, ok = [], True
    for _ in range(args.repeat):
        for processes in args.processes:
            r = one_run(processes, args.jobs, args.threads, args.postgres, Path(args.logs))
            good, line = r.pop("check")
            ok = ok and good
            print(f"  {processes} worker process(es): {r['answers/s']:.0f} answers/s; {line}", file=sys.stderr)
            rows.append(
                [
                    r["processes"],
                    r["jobs"],
                    f"{r['acks/s']:.0f}",
                    f"{r['answers/s']:.0f}",
                    f"{r['drain s']:.1f}",
                    f"{r['workers ms/answer']:.1f}",
                    f"{r['pg ms/answer']:.1f}",
                    f"{r['fake ms/answer']:.1f}",
                    f"{r['workers cores']:.2f}",
                    f"{r['pg cores']:.2f}",
                    f"{r['fake cores']:.2f}",
                    f"{r['others cores']:.2f}",
                    f"{100 * r['machine busy']:.0f}%",
                    r["load"],
                    line,
                ]
            )
    print(
        f"Queue drain by `alignbot worker` processes on PostgreSQL ({machine()}; "
        f"--threads {args.threads} each; steady state, 5% to 95% of the jobs done)\n"
    )
    print(
        table(
            [
                "processes",
                "jobs",
                "fill acks/s",
                "answers/s",
                "drain s",
                "worker CPU ms/answer",
                "PostgreSQL ms/answer",
                "fake ms/answer",
                "worker cores",
                "PostgreSQL cores",
                "fake cores",
                "other cores",
                "machine busy",
                "load before/after",
                "check",
            ],
            rows,
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
