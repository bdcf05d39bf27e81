"""The `alignbot` command line (docs/commands.md). User errors: one line on stderr, exit 2."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from bot import __version__
from bot.settings import SettingsError

EXIT_USAGE = 2
# What a shell reports for a command whose reader stopped reading (128 + SIGPIPE), as for `yes | head -n 1`.
EXIT_PIPE_CLOSED = 141
# Jobs a process runs at once: the work is mostly CPU (one core under the GIL) with some waiting on Slack.
WORKER_THREADS = 2


class UsageError(Exception):
    """Bad usage or bad input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints the whole usage block; one line is the contract.
        raise UsageError(f"{message} (see '{self.prog} --help')")


# What add_subparsers returns; argparse keeps its class private.
_Subparsers = argparse._SubParsersAction


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = _Parser(prog="alignbot", description="Keep your teams aligned with your business objectives, in Slack.")
    parser.add_argument("--version", action="version", version=f"alignbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_process_commands(sub)
    _add_file_commands(sub)
    _add_workspace_commands(sub)
    return parser


def _add_process_commands(sub: _Subparsers) -> None:
    """Add the long-running processes: serve, socket, clock, worker."""
    serve = sub.add_parser("serve", help="run the HTTP app (and the worker and scheduler, unless told not to)")
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve.add_argument("--no-scheduler", action="store_true", help="do not run the scheduler in this process")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not do the queued work in this process; run `alignbot worker` for it",
    )
    serve.add_argument("--threads", type=int, default=16, help="request threads per worker (default: 16)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (default: 1; more than one needs --no-scheduler and `alignbot clock`)",
    )
    serve.set_defaults(run=_serve)

    socket = sub.add_parser("socket", help="run in Socket Mode (development behind a firewall)")
    socket.add_argument("--no-scheduler", action="store_true", help="do not run the scheduler in this process")
    socket.set_defaults(run=_socket)

    clock = sub.add_parser("clock", help="run the scheduler alone")
    clock.set_defaults(run=_clock)

    worker = sub.add_parser("worker", help="do the work the web process acked and queued (with serve --no-worker)")
    worker.add_argument(
        "--threads",
        type=int,
        default=WORKER_THREADS,
        help=f"jobs run at once in this process (default: {WORKER_THREADS})",
    )
    worker.set_defaults(run=_worker)


def _add_file_commands(sub: _Subparsers) -> None:
    """Add the commands that need no Slack workspace: demo, tag, analyze."""
    demo = sub.add_parser(
        "demo", help="watch Alignbot work for six weeks at a made-up company; no Slack account needed"
    )
    demo.add_argument(
        "--out",
        default="alignbot-demo",
        metavar="DIR",
        help="folder for digest.png and conversation.html (default: ./alignbot-demo)",
    )
    demo.add_argument(
        "--keep", action="store_true", help="keep the SQLite database in DIR, to explore with other commands"
    )
    demo.add_argument("--db", metavar="PATH", help="a new SQLite file to keep the database in")
    demo.add_argument("--fast", action="store_true", help="play only the last four weeks of the story")
    demo.add_argument("--quiet", action="store_true", help="print only the final digest and where the files went")
    demo.set_defaults(run=_demo)

    tag = sub.add_parser("tag", help="tag updates against the objectives of an org file (JSON Lines out)")
    tag.add_argument("--org", required=True, metavar="ORG.yaml", help="the org file (teams and objectives)")
    tag.add_argument("updates", nargs="?", default="-", metavar="UPDATES.jsonl", help="update lines, or - for stdin")
    tag.add_argument(
        "--learn",
        action="store_true",
        help="a hand-tagged line teaches the tagger for the lines after it, as a correction in Slack does",
    )
    tag.set_defaults(run=_tag)

    analyze = sub.add_parser("analyze", help="one week's alignment report from an org file and update lines")
    analyze.add_argument("--org", required=True, metavar="ORG.yaml", help="the org file (teams and objectives)")
    analyze.add_argument(
        "updates", nargs="?", default="-", metavar="UPDATES.jsonl", help="update lines, or - for stdin"
    )
    analyze.add_argument("--format", choices=("json", "text"), default="json", help="output format (default: json)")
    analyze.set_defaults(run=_analyze)
    _add_goals_parser(sub)


def _add_workspace_commands(sub: _Subparsers) -> None:
    """Add the commands on one installed workspace's data: org, checkins, digest, export, forget, db."""
    org = sub.add_parser("org", help="objectives as code: import or export a workspace's org file")
    org_sub = org.add_subparsers(dest="org_command", metavar="ACTION", parser_class=_Parser, required=True)
    org_import = org_sub.add_parser("import", help="apply an org file to a workspace (all or nothing)")
    org_import.add_argument("org", metavar="ORG.yaml", help="the org file (teams and objectives)")
    org_import.add_argument("--team-id", required=True, type=_slack_team_id, help="Slack workspace id (T...)")
    org_import.set_defaults(run=_org_import)
    org_export = org_sub.add_parser("export", help="print a workspace's teams and objectives as an org file")
    org_export.add_argument("--team-id", required=True, type=_slack_team_id, help="Slack workspace id (T...)")
    org_export.set_defaults(run=_org_export)

    checkins = sub.add_parser("checkins", help="weekly check-ins")
    checkins_sub = checkins.add_subparsers(
        dest="checkins_command", metavar="ACTION", parser_class=_Parser, required=True
    )
    send = checkins_sub.add_parser("send", help="send this week's check-in prompts now (each goes out once)")
    send.add_argument("--team-id", required=True, type=_slack_team_id, help="Slack workspace id (T...)")
    send.add_argument("--team", metavar="NAME", help="only this team")
    send.set_defaults(run=_checkins_send)

    digest = sub.add_parser("digest", help="build (and post) the leadership digest from the database")
    digest.add_argument("--team-id", required=True, type=_slack_team_id, help="Slack workspace id (T...)")
    digest.add_argument("--week", type=_week, help="ISO week like 2026-W48 (default: this week)")
    digest.add_argument("--post", action="store_true", help="post it to the leadership channel (once a week)")
    digest.add_argument(
        "--format", choices=("json", "text", "blocks"), default="text", help="output format (default: text)"
    )
    digest.set_defaults(run=_digest)

    export = sub.add_parser("export", help="every stored update, one row each, for spreadsheets and BI")
    export.add_argument("--team-id", required=True, type=_slack_team_id, help="Slack workspace id (T...)")
    export.add_argument("--since", type=_week, help="first ISO week, like 2026-W01 (default: the first)")
    export.add_argument("--until", type=_week, help="last ISO week, like 2026-W52 (default: the last)")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="output format (default: csv)")
    export.set_defaults(run=_export)

    forget = sub.add_parser("forget", help="delete everything stored about a workspace now (tokens, teams, updates)")
    forget.add_argument("--team-id", required=True, type=_slack_team_id, help="Slack workspace id (T...)")
    forget.add_argument("--yes", action="store_true", help="really delete (there is no undo)")
    forget.set_defaults(run=_forget)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", parser_class=_Parser, required=True)
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)


def _add_goals_parser(sub: _Subparsers) -> None:
    goals = sub.add_parser("goals", help="each team goal and the objectives it serves, stated or suggested")
    goals.add_argument("--org", required=True, metavar="ORG.yaml", help="the org file (teams, goals and objectives)")
    goals.set_defaults(run=_goals)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace], int] | None = getattr(args, "run", None)
        if run is None:
            parser.print_help()
            return 0
        status = run(args)
        sys.stdout.flush()  # here, so a reader that stopped early is met below, not at exit
        return status
    except UsageError as error:
        print(f"alignbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `alignbot export | head`: the reader has what it wanted. Output still buffered goes
        # nowhere, so the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED


def _settings(need: str | None = None):  # -> Settings, imported late so `alignbot --help` stays fast
    """Load the settings; with `need` ("http", "socket", "bot_token"), check what that mode requires."""
    from bot.logs import configure
    from bot.settings import load_settings

    try:
        settings = load_settings()
        if need is not None:
            getattr(settings, f"require_{need}")()
    except SettingsError as error:
        raise UsageError(str(error)) from None
    configure(settings.log_level)
    return settings


def _runtime(settings, *, upgrade_db: bool = True, existing: bool = False):
    """Connect to the database; with `existing`, for a command on what the app stored, make no new SQLite file."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import create_runtime
    from storage.db import DriverMissing, missing_sqlite_file, safe_url

    missing = missing_sqlite_file(settings.database_url) if existing else None
    if missing:
        raise UsageError(
            f"there is no database at {missing}: set DATABASE_URL to yours, or make one with "
            "`alignbot db upgrade` or by running the app"
        )
    try:
        return create_runtime(settings, upgrade_db=upgrade_db)
    except DriverMissing as error:
        raise UsageError(str(error)) from None
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise UsageError(f"cannot use the database at {safe_url(settings.database_url)}: {reason}") from None


def _checked_app(runtime, *, worker_threads: int = 0):
    """Build the Bolt app after checking the token with Slack, so a refused token is one clear line."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.app import create_app
    from bot.slack import web_client

    settings = runtime.settings
    try:
        if settings.bot_token and not settings.oauth_enabled:
            identity = web_client(settings, settings.bot_token).auth_test()
            # Slack accepts the token: its workspace has the app, also if it was uninstalled and is back.
            if identity.get("team_id"):
                runtime.services.installs.reinstalled(identity["team_id"])
        return create_app(runtime, token_verification=False, worker_threads=worker_threads)
    except SlackApiError as error:
        code = error.response.get("error", "refused")
        raise UsageError(
            f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token (xoxb-...) "
            "from your app's 'OAuth & Permissions' page"
        ) from None
    except (BoltError, SlackClientError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UsageError(f"cannot reach Slack at {settings.slack_api_url}: {reason}") from None


def _read_org_file(path: str):  # -> Org
    """Read the org file, or raise UsageError naming the bad line."""
    from bot.orgfile import OrgFileError, load_org, read_org_text
    from bot.services.orgsync import check_org

    try:
        text = read_org_text(path)
        org = load_org(text, source=path)
        check_org(org, text, path)  # the same rules as `org import`
    except OrgFileError as error:
        raise UsageError(str(error)) from None
    if not org.objectives:
        raise UsageError(f"{path}: defines no objectives")
    return org


def _read_inputs(args: argparse.Namespace):
    """Read the org file and the update lines, or raise UsageError naming the bad line."""
    from bot.orgfile import UpdateLineError, load_updates, read_lines

    org = _read_org_file(args.org)
    source = "<stdin>" if args.updates == "-" else args.updates
    if args.updates == "-" and sys.stdin is None:  # started with standard input closed
        raise UsageError("there is no standard input to read update lines from: pass UPDATES.jsonl")
    if args.updates == "-" and sys.stdin.isatty():
        # Otherwise a person who forgot the file sees a command that seems to hang.
        print(
            "alignbot: reading update lines from standard input (end them with Ctrl-D), or pass UPDATES.jsonl",
            file=sys.stderr,
        )
    try:
        if args.updates == "-":
            updates = list(load_updates(read_lines(sys.stdin, source), source))
        else:
            with open(args.updates, encoding="utf-8") as handle:
                updates = list(load_updates(read_lines(handle, source), source))
    except UpdateLineError as error:
        raise UsageError(str(error)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {source}: {getattr(error, 'strerror', None) or error}") from None
    known = {o.key for o in org.objectives}
    for update in updates:
        unknown = [key for key in update.objectives or () if key not in known]
        if unknown:
            raise UsageError(
                f"{source}: update {update.id!r} is tagged {unknown[0]!r}, which {args.org} does not define"
            )
    return org, updates


def _tag(args: argparse.Namespace) -> int:
    import json

    from bot.offline import model_tagger, tag_updates

    org, updates = _read_inputs(args)
    model = model_tagger(_settings(), org)
    for line in tag_updates(org, updates, learn=args.learn, model=model):
        print(json.dumps(line))
    _model_note(model)
    return 0


def _analyze(args: argparse.Namespace) -> int:
    import json

    from bot.alignment.handoffs import find_handoffs
    from bot.offline import analyze_updates, model_tagger

    org, updates = _read_inputs(args)
    model = model_tagger(_settings(), org)
    report = analyze_updates(org, updates, model=model)
    _model_note(model)
    handoffs = find_handoffs(org, updates)
    if args.format == "json":
        print(json.dumps({**report.to_dict(), "handoffs": [h.to_dict() for h in handoffs]}, indent=2))
    else:
        lines = [f"  {h.source} -> {h.target} ({h.kind}, {h.update}): {h.phrase}" for h in handoffs]
        print(report.to_text() + ("\nHandoffs\n" + "\n".join(lines) if lines else ""))
    return 0


def _model_note(model) -> None:  # model: ModelTagger | None
    """Say in one line on stderr why updates the model was to answer were left to the lexicon."""
    from bot.llm import fault_note

    note = fault_note(model) if model is not None else None
    if note:
        print(f"alignbot: {note}", file=sys.stderr)


def _goals(args: argparse.Namespace) -> int:
    import json

    from bot.alignment.goals import link_goals
    from bot.goallinks import model_links
    from bot.offline import model_tagger

    org = _read_org_file(args.org)
    model = model_tagger(_settings(), org)
    for link in model_links(model, link_goals(org)):
        print(json.dumps(link.to_dict()))
    _model_note(model)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from bot.app import create_app, create_runtime
    from bot.server import GunicornServer, create_wsgi_app, gunicorn_options

    if args.workers < 1 or args.threads < 1:
        raise UsageError("--workers and --threads take a whole number of 1 or more")
    if args.workers > 1 and not args.no_scheduler:
        # Exactly one process runs the scheduler: with several workers, that is `alignbot clock`.
        raise UsageError("--workers above 1 needs --no-scheduler; run the scheduler as `alignbot clock`")
    settings = _settings()
    try:
        settings.require_http()
    except SettingsError as error:
        raise UsageError(_missing_for_serve(settings, error)) from None
    runtime = _runtime(settings)
    _checked_app(runtime)
    runtime.engine.dispose()  # the worker opens its own connections after the fork
    port = args.port or settings.port
    scheduler_wanted = not args.no_scheduler

    worker_threads = 0 if args.no_worker else WORKER_THREADS

    def factory():
        worker_runtime = create_runtime(settings, upgrade_db=False)
        app = create_app(worker_runtime, token_verification=False, worker_threads=worker_threads)
        if scheduler_wanted:
            from bot.scheduler import build_scheduler

            build_scheduler(worker_runtime).start()
        wsgi = create_wsgi_app(worker_runtime, app)
        # The start-up's objects (modules, Bolt, SQLAlchemy, the tagger) live as long as the process: kept out
        # of the collector, a full collection under load pauses every request thread for a few ms, not 30-90.
        gc.collect()
        gc.freeze()
        return wsgi

    options = gunicorn_options(port, threads=args.threads, log_level=settings.log_level, workers=args.workers)
    GunicornServer(factory, options).run()
    return 0


def _missing_for_serve(settings, error: Exception) -> str:
    """Return one line naming every variable `serve` still needs, and where a newcomer starts."""
    missing = []
    if settings.slack_signing_secret is None:
        missing.append("SLACK_SIGNING_SECRET")
    if settings.slack_bot_token is None and not (settings.slack_client_id or settings.slack_client_secret):
        missing.append("SLACK_BOT_TOKEN")
    line = str(error)
    if len(missing) > 1:
        line = (
            f"{missing[0]} is not set: set {' and '.join(missing)} (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "for multi-workspace OAuth) from your Slack app's 'Basic Information' and 'OAuth & Permissions' pages"
        )
    return f"{line}; create the app from manifest.yml (see the README), or try `alignbot demo`, which needs no Slack"


def _demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.demo import DemoError, run_demo
    from bot.logs import configure

    configure("WARNING")  # the transcript is the output; only trouble is logged
    try:
        result = run_demo(
            Path(args.out),
            database=Path(args.db) if args.db else None,
            keep=args.keep,
            fast=args.fast,
            quiet=args.quiet,
        )
    except DemoError as error:
        raise UsageError(f"demo: {error}") from None
    except BrokenPipeError:
        raise  # the reader of the transcript stopped, as in `alignbot demo | head`: see main
    except OSError as error:
        raise UsageError(
            f"demo: cannot write {getattr(error, 'filename', None) or args.out}: {error.strerror or error}"
        ) from None
    print(f"Done in {result.seconds:.1f} s.")
    return 0


def _socket(args: argparse.Namespace) -> int:
    import threading

    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError, SlackClientError

    settings = _settings("socket")
    runtime = _runtime(settings)
    app = _checked_app(runtime, worker_threads=WORKER_THREADS)
    assert settings.slack_app_token is not None
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    # A refused token is told below in one line; the client's own log of it would say it again, over several.
    connect_log = handler.client.logger
    quiet = connect_log.disabled
    connect_log.disabled = True
    try:
        handler.connect()
    except SlackApiError as error:
        code = error.response.get("error", "refused")
        raise UsageError(
            f"Slack refused SLACK_APP_TOKEN ({code}): create an app-level token (xapp-...) with the "
            "connections:write scope on your app's 'Basic Information' page"
        ) from None
    except (SlackClientError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UsageError(f"cannot reach Slack at {settings.slack_api_url}: {reason}") from None
    finally:
        connect_log.disabled = quiet
    if not args.no_scheduler:
        from bot.scheduler import build_scheduler

        build_scheduler(runtime).start()
    print("alignbot: connected to Slack in Socket Mode", file=sys.stderr)
    threading.Event().wait()  # the Socket Mode client runs in its own threads
    return 0


def _clock(args: argparse.Namespace) -> int:
    from bot.scheduler import build_scheduler

    settings = _settings("bot_token")
    runtime = _runtime(settings)
    build_scheduler(runtime, blocking=True).start()
    return 0


def _worker(args: argparse.Namespace) -> int:
    import signal

    from bot.app import create_worker

    if args.threads < 1:
        raise UsageError("--threads takes a whole number of 1 or more")
    settings = _settings()
    if not settings.oauth_enabled:
        try:
            settings.require_bot_token()
        except SettingsError as error:
            raise UsageError(str(error)) from None
    runtime = _runtime(settings)
    worker = create_worker(runtime, threads=args.threads)
    # On SIGTERM (a deploy, a scale-down) each thread finishes the job in hand; a job cut short is redone.
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    print(f"alignbot: worker running with {args.threads} threads", file=sys.stderr)
    worker.run_forever()
    runtime.close()
    return 0


def _slack_team_id(value: str) -> str:
    import re

    value = value.strip()
    if not re.fullmatch(r"[TE][A-Z0-9]{2,20}", value):
        raise argparse.ArgumentTypeError(f"'{value}' is not a Slack workspace id (like T0123ABCD)")
    return value


def _org_import(args: argparse.Namespace) -> int:
    from bot.orgfile import OrgFileError, load_org, read_org_text

    try:
        text = read_org_text(args.org)
        org = load_org(text, source=args.org)
    except OrgFileError as error:
        raise UsageError(str(error)) from None
    runtime = _runtime(_settings())
    try:
        report = runtime.services.orgsync.import_org(args.team_id, org, text, args.org)
    except OrgFileError as error:
        raise UsageError(str(error)) from None
    print(f"imported {args.org} into workspace {args.team_id}:")
    for line in report.lines():
        print(f"  {line}")
    _ask_about_links(runtime, args.team_id, report.unsure_goals)
    return 0


def _ask_about_links(runtime, slack_team_id: str, goal_ids: list[int]) -> None:
    """Ask the leads about the imported goals whose links are unsure; Slack's refusal is one line on stderr.

    The import is committed by then: a person not reached leaves it standing, and the exit status 0.
    """
    if not goal_ids:
        return
    client = _slack_client(runtime, slack_team_id)
    if client is None:
        count = len(goal_ids)
        whose = "goal's" if count == 1 else "goals'"
        print(
            f"alignbot: no Slack token (SLACK_BOT_TOKEN): nobody was asked about {count} {whose} unsure links "
            "(see `/goal list` in Slack)",
            file=sys.stderr,
        )
        return
    asking = runtime.services.goals.ask_leads(slack_team_id, goal_ids, client)
    line = asking.line()
    if line:
        print(f"  {line}")
    trouble = asking.trouble()
    if trouble:
        print(f"alignbot: {trouble}", file=sys.stderr)


def _org_export(args: argparse.Namespace) -> int:
    from bot.orgfile import dump_org
    from bot.services.errors import UserError

    runtime = _runtime(_settings(), existing=True)
    try:
        org = runtime.services.orgsync.export_org(args.team_id)
    except UserError as error:
        raise UsageError(error.message) from None
    if not org.objectives:
        raise UsageError(f"workspace {args.team_id} has no objectives yet; an org file needs at least one")
    sys.stdout.write(dump_org(org))
    return 0


def _week(value: str) -> str:
    from bot.schedule import parse_week

    try:
        parse_week(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value.strip()


def _known_workspace(runtime, team_id: str) -> None:
    from storage.repositories import find_workspace

    with runtime.services.sessions() as session:
        if find_workspace(session, team_id) is None:
            raise UsageError(f"workspace {team_id} is not in the database (has Alignbot been installed there?)")


def _checkins_send(args: argparse.Namespace) -> int:
    from bot.services.errors import UserError

    settings = _settings("bot_token")
    runtime = _runtime(settings, existing=True)
    _known_workspace(runtime, args.team_id)
    try:
        report = runtime.services.prompts.send_prompts(args.team_id, args.team)
    except UserError as error:
        raise UsageError(error.message) from None
    print(f"sent {report.sent}, already sent {report.already}, failed {report.failed}, to retry {report.pending}")
    return 0 if report.failed == 0 else 1


def _digest(args: argparse.Namespace) -> int:
    import json

    from bot.blocks.digest import digest_message, digest_text
    from bot.services.errors import UserError

    # Posting needs Slack: say so before printing anything.
    settings = _settings("bot_token" if args.post else None)
    runtime = _runtime(settings, existing=True)
    _known_workspace(runtime, args.team_id)
    data = runtime.services.digests.build(args.team_id, args.week, client=_slack_client(runtime, args.team_id))
    if args.format == "json":
        handoffs = data.handoffs.to_json() if data.handoffs else []
        pairs = [p.to_dict() for p in data.handoffs.pairs] if data.handoffs else []
        print(
            json.dumps(
                {
                    "workspace": args.team_id,
                    "week": data.week,
                    "unconfirmed": [],
                    **data.report.to_dict(),
                    "handoffs": handoffs,
                    "handoff_pairs": pairs,
                    **(
                        {"idle_goals": [{"team": g.team, "goal": g.title} for g in data.idle_goals]}
                        if data.idle_goals is not None
                        else {}
                    ),
                },
                indent=2,
            )
        )
    elif args.format == "blocks":
        print(json.dumps(digest_message(data), indent=2))
    else:
        sys.stdout.write(digest_text(data))
    if args.post:
        try:
            posted = runtime.services.digests.post(args.team_id, data.week)
        except UserError as error:
            raise UsageError(error.message) from None
        print(
            f"digest {posted.week} to {posted.channel}: {posted.outcome.status}"
            + (f" ({posted.outcome.error})" if posted.outcome.error else ""),
            file=sys.stderr,
        )
        return 0 if posted.outcome.delivered else 1
    return 0


def _slack_client(runtime, slack_team_id: str):  # -> WebClient | None
    """Return a client for the workspace when a token is known, so output can name people; else None."""
    from bot.slack import NotInstalled

    settings = runtime.settings
    if not settings.oauth_enabled and not settings.bot_token:
        return None
    try:
        return runtime.services.clients.for_team(slack_team_id)
    except NotInstalled:
        return None


def _export(args: argparse.Namespace) -> int:
    import csv
    import json

    from bot.services.export import COLUMNS

    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} comes after --until {args.until}")
    runtime = _runtime(_settings(), existing=True)
    _known_workspace(runtime, args.team_id)
    rows = runtime.services.export.rows(args.team_id, since=args.since, until=args.until)
    if args.format == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")
        return 0
    # Every cell quoted, as OWASP advises against formula injection (see csv_cell).
    writer = csv.writer(sys.stdout, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row.to_csv())
    return 0


def _forget(args: argparse.Namespace) -> int:
    settings = _settings()
    runtime = _runtime(settings, existing=True)
    _known_workspace(runtime, args.team_id)
    if not args.yes:
        raise UsageError(f"this deletes all of workspace {args.team_id}'s data and tokens for good; add --yes to do it")
    runtime.services.installs.forget(args.team_id)
    print(f"deleted workspace {args.team_id}: its tokens, teams, objectives, initiatives, updates and digests")
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from storage.db import safe_url
    from storage.migrate import current_revision

    settings = _settings()
    runtime = _runtime(settings)
    print(f"database {safe_url(settings.database_url)} is at revision {current_revision(runtime.engine)}")
    return 0
